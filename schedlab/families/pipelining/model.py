"""Software pipelining (modulo scheduling) with warp specialization for tensor-core GPUs.

An instance is a **machine** (functional-unit kinds with capacities, warps, register and
shared-memory budgets) and a **loop body** (operations with a reservation table, latency,
register need, memory footprint, variable-latency / blocking flags and a cross-warp spill cost;
dependence edges ``(src, dst, delay, distance)``).

Timing semantics (HatScheT's, and Twill's with ``latency = 0``): iteration ``k`` of op ``v``
issues at ``start(v) + k * ii``; an edge ``u -> v`` with delay ``d`` and distance ``delta``
requires ``start(v) + delta * ii >= start(u) + latency(u) + d`` (plus ``spill(u)`` when the two
instances run on different warps). Op ``v`` with reservation-table row ``(offset, unit,
amount)`` uses ``amount`` units of ``unit`` at cycle ``start(v) + k * ii + offset``.

A solution is ``{"ii": I, "length": L, "ops": [{"name", "start", "stage", "warp"}]}`` where
``stage = start // I``, ``L = max(start + span)`` (``span`` = max(latency, table length)) and
``warp`` is an integer, or a list of ``K`` integers: the warp of the op's copy in iterations
``k = c (mod K)`` (``K`` copies of the steady state).

The objective is lexicographic, ``ii * OBJ_SCALE + length`` (``OBJ_SCALE`` = 1,000,000): the
initiation interval first, then the schedule length. The checker recomputes it after
**simulating** the modulo schedule for enough iterations to cover the steady state (every
dependence, unit capacity at every cycle, warp occupancy, blocking, register budgets per warp and
per SM, shared memory, the producer rule); :meth:`Instance.simulate` returns the figures
measured by the simulation (II, throughput, peaks).

Warp rules (the joint problem): each op copy runs on one warp; an op occupies its warp for
``warp_cycles`` cycles from its issue (a ``blocking`` op from the issue of its latest
predecessor instance, as it waits on a barrier); two occupations of one warp never overlap, and
an asynchronous op (no warp cycles, not blocking) never issues strictly inside an occupation of
its warp (in-order issue); all variable-latency ops run on one warp (the producer), and
nothing else does: its issue waits on buffer-free barriers for unknown times, so no op with a
fixed time can share it (Twill's producer rule, read as exclusive); the same reason keeps
fixed-time work (ops with warp cycles or blocking) off any warp running an ``unknown_wait``
op, one whose issue waits on barriers of unknown flip time (on Blackwell a tcgen05 MMA: one
thread issues it after mbarrier waits on TMA data and on values other warp groups write to
Tensor Memory; its accumulator lives in Tensor Memory, so unlike a Hopper WGMMA, whose
accumulator registers bind it to a consumer warp group, nothing ties it to a compute warp).
With that rule the Blackwell FlashAttention solution has a load warp, one MMA warp, two
softmax warp groups and a correction group, by the solver's choice (the rule forbids MMAs only
beside fixed-time work; how many MMA warps, which ops share them and how softmax and
correction are split is the solver's). The FA4 epilogue warp is outside the model: the loop
body has no epilogue op (the output store follows the loop). The producer's register budget
is ``producer_regs`` when given; a warp's register need is ``reg_base`` plus the peak sum of
the ``regs`` of its live values (a value lives from its op's issue until the issue of its last
consumer, at least ``max(1, span)`` cycles); each warp's need is within ``regs_per_warp`` and
the sum over used warps within ``regs_per_sm``; live memory footprints (``mem``) stay within
``smem``.

Costs are small integers; the bundled GPU kernels are built from raw clock cycles
(``data/raw/*.json``) by :mod:`.costs` (Twill's ratio-keeping normalisation).

The JSON form is ``{"problem": "pipelining", "name", "machine": <object or bundled name>,
"ops": [...], "edges": [...]}`` (see :meth:`Instance.from_dict`); the HatScheT GraphML reader
is in :mod:`.formats`, the simulator the checker runs in :mod:`.simulate`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, ClassVar

import numpy as np

from ...core.errors import InstanceError
from ...core.jsonio import check_keys, default_name
from .simulate import (
    OBJ_SCALE,
    SimReport,
    edge_weights,
    longest_paths,
    objective,
    parse_solution,
    positive_cycle,
    simulate,
)

__all__ = [
    "OBJ_SCALE",
    "PROBLEM",
    "Edge",
    "Instance",
    "Machine",
    "Op",
    "SimReport",
    "bundled_machine",
    "is_solution",
]

PROBLEM = "pipelining"

_OP_KEYS = {
    "name",
    "unit",
    "busy",
    "table",
    "latency",
    "regs",
    "mem",
    "variable_latency",
    "blocking",
    "unknown_wait",
    "warp_cycles",
    "spill",
    "cycles",
    "note",
}
_MACHINE_KEYS = {
    "name",
    "units",
    "warps",
    "regs_per_warp",
    "regs_per_sm",
    "reg_base",
    "producer_regs",
    "smem",
    "note",
}


def _int(v: Any, what: str, source: str | None, lo: int | None = 0) -> int:
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        raise InstanceError(f"{what} must be an integer, got {v!r}", source)
    if not float(v).is_integer():
        raise InstanceError(f"{what} must be an integer, got {v!r}", source)
    if lo is not None and v < lo:
        raise InstanceError(f"{what} must be >= {lo}, got {v!r}", source)
    return int(v)


def _opt_int(v: Any, what: str, source: str | None) -> int | None:
    return None if v is None else _int(v, what, source)


@dataclass(frozen=True)
class Machine:
    """Functional units and warp / register / memory budgets.

    Attributes:
        name: a name (``hopper``, ``blackwell``, ``hls``, ...).
        units: unit kind -> capacity (units available per cycle); ``-1`` means unlimited.
        warps: warps (or warp groups) available; 1 for a plain modulo-scheduling machine.
        regs_per_warp: register budget of one warp (per thread), or ``None``.
        regs_per_sm: register budget summed over the used warps (same units), or ``None``.
        reg_base: registers every used warp needs besides its live values.
        producer_regs: register budget of the producer warp (the one running the
            variable-latency ops), or ``None`` for ``regs_per_warp``.
        smem: shared-memory capacity (units of the ops' ``mem``), or ``None``.
    """

    name: str
    units: dict[str, int]
    warps: int = 1
    regs_per_warp: int | None = None
    regs_per_sm: int | None = None
    reg_base: int = 0
    producer_regs: int | None = None
    smem: int | None = None

    def capacity(self, unit: str) -> int | None:
        """Capacity of a unit kind, ``None`` when unlimited."""
        c = self.units[unit]
        return None if c < 0 else c

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        out: dict[str, Any] = {"name": self.name, "units": dict(self.units), "warps": self.warps}
        for key in ("regs_per_warp", "regs_per_sm", "producer_regs", "smem"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.reg_base:
            out["reg_base"] = self.reg_base
        return out

    @classmethod
    def from_dict(cls, data: Any, source: str | None = None) -> Machine:
        """Build from JSON data, or from the name of a bundled machine."""
        if isinstance(data, str):
            return bundled_machine(data)
        if not isinstance(data, dict):
            raise InstanceError("machine must be an object or a bundled machine name", source)
        unknown = set(data) - _MACHINE_KEYS
        if unknown:
            raise InstanceError(f"machine: unknown key(s) {', '.join(sorted(unknown))}", source)
        units = data.get("units")
        if not isinstance(units, dict):
            raise InstanceError('machine needs "units": {kind: capacity}', source)
        caps = {}
        for k, v in units.items():
            cap = -1 if v is None or v == "inf" else _int(v, f"units[{k}]", source, lo=-1)
            if cap == 0:
                raise InstanceError(f"unit {k!r} has capacity 0", source)
            caps[str(k)] = cap
        return cls(
            name=str(data.get("name", "machine")),
            units=caps,
            warps=_int(data.get("warps", 1), "warps", source, lo=1),
            regs_per_warp=_opt_int(data.get("regs_per_warp"), "regs_per_warp", source),
            regs_per_sm=_opt_int(data.get("regs_per_sm"), "regs_per_sm", source),
            reg_base=_int(data.get("reg_base", 0), "reg_base", source),
            producer_regs=_opt_int(data.get("producer_regs"), "producer_regs", source),
            smem=_opt_int(data.get("smem"), "smem", source),
        )


@dataclass(frozen=True)
class Op:
    """One operation of the loop body.

    Attributes:
        name: unique name.
        table: reservation table rows ``(offset, unit, amount)``.
        latency: cycles from issue until the result is usable (added to every outgoing edge).
        regs: registers its value needs on its warp while live.
        mem: shared-memory footprint of its value while live.
        variable_latency: runs on the producer warp (TMA loads).
        blocking: waits on a barrier for its inputs, holding its warp meanwhile.
        unknown_wait: its issue waits on barriers whose flip time is not known when the
            schedule is made (a TMA load's data, a value another warp group writes to Tensor
            Memory): its warp runs no fixed-time work (no op with warp cycles or blocking).
        warp_cycles: cycles it occupies its warp from issue (0 for asynchronous ops).
        spill: extra delay on its outgoing edges whose consumer runs on another warp.
        unit: the main unit kind (for display), or ``None``.
        cycles: raw (unnormalised) cycle count, for the record.
    """

    name: str
    table: tuple[tuple[int, str, int], ...] = ()
    latency: int = 0
    regs: int = 0
    mem: int = 0
    variable_latency: bool = False
    blocking: bool = False
    unknown_wait: bool = False
    warp_cycles: int = 0
    spill: int = 0
    unit: str | None = None
    cycles: int | None = None

    @property
    def span(self) -> int:
        """max(latency, reservation-table length): how long the op counts in the length L."""
        length = max((o + 1 for o, _, _ in self.table), default=0)
        return max(self.latency, length)

    @property
    def simple_busy(self) -> int | None:
        """``c`` when the table is one unit busy cycles 0..c-1 with amount 1, else ``None``."""
        if not self.table:
            return 0
        units = {u for _, u, _ in self.table}
        offs = sorted(o for o, _, _ in self.table)
        if (
            len(units) == 1
            and offs == list(range(len(offs)))
            and all(a == 1 for *_, a in self.table)
        ):
            return len(offs)
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        out: dict[str, Any] = {"name": self.name}
        busy = self.simple_busy
        if self.table and busy is not None:
            out["unit"] = self.table[0][1]
            out["busy"] = busy
        elif self.table:
            if self.unit is not None:
                out["unit"] = self.unit
            out["table"] = [list(r) for r in self.table]
        elif self.unit is not None:
            out["unit"] = self.unit
            out["busy"] = 0
        for key, default in (
            ("latency", 0),
            ("regs", 0),
            ("mem", 0),
            ("variable_latency", False),
            ("blocking", False),
            ("unknown_wait", False),
            ("warp_cycles", 0),
            ("spill", 0),
            ("cycles", None),
        ):
            if getattr(self, key) != default:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class Edge:
    """A dependence: ``dst`` of iteration ``k`` issues at least ``latency(src) + delay``
    cycles after ``src`` of iteration ``k - distance``."""

    src: int
    dst: int
    delay: int = 0
    distance: int = 0


def _parse_op(d: Any, i: int, machine: Machine, source: str | None) -> Op:
    if not isinstance(d, dict):
        raise InstanceError(f"ops[{i}] must be an object", source)
    unknown = set(d) - _OP_KEYS
    if unknown:
        raise InstanceError(f"ops[{i}]: unknown key(s) {', '.join(sorted(unknown))}", source)
    name = d.get("name")
    if not isinstance(name, str) or not name:
        raise InstanceError(f"ops[{i}] needs a non-empty string name", source)
    unit = d.get("unit")
    # a unit the machine does not list only labels an unlimited resource: allowed with
    # busy 0 and no table (the GraphML reader writes ops on such resources that way)
    unlimited = unit is not None and "table" not in d and d.get("busy", 1) == 0
    if unit is not None and unit not in machine.units and not unlimited:
        raise InstanceError(f"op {name}: unit {unit!r} is not a unit of the machine", source)
    rows: list[tuple[int, str, int]] = []
    if "table" in d:
        if "busy" in d:
            raise InstanceError(f"op {name}: give either busy or table, not both", source)
        tab = d["table"]
        if not isinstance(tab, list):
            raise InstanceError(
                f"op {name}: table must be a list of [offset, unit, amount]", source
            )
        for r in tab:
            if not isinstance(r, list | tuple) or len(r) not in (2, 3):
                raise InstanceError(
                    f"op {name}: table row {r!r} is not [offset, unit, amount]", source
                )
            off = _int(r[0], f"op {name}: table offset", source)
            u = r[1]
            if u not in machine.units:
                raise InstanceError(f"op {name}: unit {u!r} is not a unit of the machine", source)
            amt = _int(r[2] if len(r) == 3 else 1, f"op {name}: table amount", source, lo=1)
            rows.append((off, str(u), amt))
    elif unit is not None:
        busy = _int(d.get("busy", 1), f"op {name}: busy", source)
        rows = [(o, unit, 1) for o in range(busy)]
    elif "busy" in d:
        raise InstanceError(f"op {name}: busy needs a unit", source)
    blocking = bool(d.get("blocking", False))
    return Op(
        name=name,
        table=tuple(rows),
        latency=_int(d.get("latency", 0), f"op {name}: latency", source),
        regs=_int(d.get("regs", 0), f"op {name}: regs", source),
        mem=_int(d.get("mem", 0), f"op {name}: mem", source),
        variable_latency=bool(d.get("variable_latency", False)),
        blocking=blocking,
        unknown_wait=bool(d.get("unknown_wait", False)),
        warp_cycles=_int(d.get("warp_cycles", 0), f"op {name}: warp_cycles", source),
        spill=_int(d.get("spill", 0), f"op {name}: spill", source),
        unit=unit,
        cycles=_opt_int(d.get("cycles"), f"op {name}: cycles", source),
    )


@dataclass(frozen=True)
class Instance:
    """A loop body to modulo-schedule on a machine; validates itself on construction.

    Attributes:
        machine: the :class:`Machine`.
        ops: the operations (each with a unique name).
        edges: the dependences (op indices).
        name: a name for reports.
        reference: a reference objective (``ii * OBJ_SCALE + length``), if known.
        mii: a reference lower bound on II (e.g. from ``mii.csv``), or ``None``.
        copies: copies of the steady state the joint (warp) problem unrolls (1 or more).
    """

    problem: ClassVar[str] = PROBLEM
    sense: ClassVar[str] = "min"

    machine: Machine
    ops: tuple[Op, ...]
    edges: tuple[Edge, ...]
    name: str = "pipelining"
    reference: float | None = None
    mii: int | None = None
    copies: int = 1
    source: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        src = self.source
        object.__setattr__(self, "ops", tuple(self.ops))
        object.__setattr__(self, "edges", tuple(self.edges))
        if not self.ops:
            raise InstanceError("a loop body needs at least one op", src)
        names = [o.name for o in self.ops]
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise InstanceError(f"op name {dup!r} appears twice", src)
        n = len(self.ops)
        for e in self.edges:
            if not (0 <= e.src < n and 0 <= e.dst < n):
                raise InstanceError(f"edge {e} refers to a missing op", src)
            if e.distance < 0:
                raise InstanceError(
                    f"edge {self.ops[e.src].name}->{self.ops[e.dst].name}: negative distance", src
                )
        for o in self.ops:
            for _, u, a in o.table:
                cap = self.machine.capacity(u)
                if cap is not None and a > cap:
                    raise InstanceError(f"op {o.name} needs {a} units of {u}, capacity {cap}", src)
        if not isinstance(self.copies, int) or self.copies < 1:
            raise InstanceError(f"copies must be a positive integer, got {self.copies!r}", src)
        if not isinstance(self.name, str) or not self.name:
            raise InstanceError("name must be a non-empty string", src)
        if self.reference is not None:
            object.__setattr__(self, "reference", float(self.reference))
        # zero-distance cycles must not have positive weight
        if positive_cycle(n, edge_weights(self, None)):
            raise InstanceError("a dependence cycle of distance 0 makes the loop infeasible", src)

    # -- derived data -------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of ops."""
        return len(self.ops)

    def index(self, name: str) -> int:
        """Index of the op called ``name``."""
        for i, o in enumerate(self.ops):
            if o.name == name:
                return i
        raise KeyError(name)

    def res_mii(self) -> int:
        """ResMII: max over limited unit kinds of ceil(total busy amount / capacity)."""
        use: dict[str, int] = defaultdict(int)
        for o in self.ops:
            for _, u, a in o.table:
                use[u] += a
        best = 0
        for u, total in use.items():
            cap = self.machine.capacity(u)
            if cap is not None:
                best = max(best, -(-total // cap))
        return best

    def rec_mii(self) -> int:
        """RecMII: the smallest integer II with no dependence cycle of positive weight
        (weights ``latency(src) + delay - distance * II``); 0 without recurrences."""
        if not any(e.distance for e in self.edges):
            return 0
        hi = max(1, sum(max(0, self.ops[e.src].latency + e.delay) for e in self.edges))
        if positive_cycle(self.n, edge_weights(self, hi)):  # pragma: no cover - cannot happen
            raise InstanceError("no II satisfies the recurrences", self.source)
        lo = 0
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if positive_cycle(self.n, edge_weights(self, mid)):
                lo = mid
            else:
                hi = mid
        return 0 if not positive_cycle(self.n, edge_weights(self, 0)) else hi

    def mii_bound(self) -> int:
        """MII = max(1, ResMII, RecMII)."""
        return max(1, self.res_mii(), self.rec_mii())

    def asap(self, ii: int) -> list[int] | None:
        """Earliest starts at ``ii`` from dependences alone (``None`` if ``ii`` < RecMII)."""
        return longest_paths(self.n, edge_weights(self, ii))

    def critical_path(self) -> int:
        """A lower bound on the length L valid at every II: the longest distance-0 path."""
        t = longest_paths(self.n, edge_weights(self, None))
        assert t is not None
        return max(t[v] + self.ops[v].span for v in range(self.n))

    # -- the check ------------------------------------------------------------------------
    def simulate(self, solution: dict[str, Any]) -> SimReport:
        """Run the modulo schedule for enough iterations to cover the steady state and verify
        every constraint on the simulated instances; raise
        :class:`~schedlab.core.errors.SolutionError` on the first violation, else return what
        was measured (see :func:`.simulate.simulate`)."""
        return simulate(self, solution)

    def check(self, solution: dict[str, Any]) -> float:
        """Verify a solution by simulation; return ``ii * OBJ_SCALE + length``."""
        self.simulate(solution)
        return objective(solution["ii"], solution["length"])

    # -- display --------------------------------------------------------------------------
    def describe(self, solution: dict[str, Any]) -> str:
        """The schedule as a table (op, warp, stage, cycle), the prologue / steady state /
        epilogue per warp, and I, L, MII, measured by simulation."""
        rep = self.simulate(solution)
        ii, length, start, warp = parse_solution(self, solution)
        stages = -(-length // ii)
        lines = [
            f"II {ii}   L {length}   stages {stages}   MII {self.mii_bound()} "
            f"(ResMII {self.res_mii()}, RecMII {self.rec_mii()})",
            f"simulated: II {rep.ii:g}, throughput {rep.throughput:.4g} iterations/cycle "
            f"(unpipelined: 1/{rep.sequential_ii}), {rep.in_flight} iterations in flight",
        ]
        if len(set(map(tuple, warp))) > 1 or self.machine.warps > 1:
            lines.append(
                "warp registers: "
                + ", ".join(f"w{w}={r}" for w, r in sorted(rep.warp_regs.items()))
            )
        if self.n > 200:
            lines.append(f"({self.n} ops: table omitted)")
            return "\n".join(lines)
        order = sorted(range(self.n), key=lambda v: (start[v], v))
        width = max(4, *(len(o.name) for o in self.ops))
        lines.append(f"{'op':<{width}}  {'unit':<8}  {'warp':<6}  stage  cycle  (mod II)")
        for v in order:
            o = self.ops[v]
            wl = warp[v]
            ws = str(wl[0]) if len(set(wl)) == 1 else "/".join(map(str, wl))
            unit = o.unit or (o.table[0][1] if o.table else "-")
            lines.append(
                f"{o.name:<{width}}  {unit:<8}  {ws:<6}  {start[v] // ii:>5}  {start[v]:>5}  "
                f"({start[v] % ii})"
            )
        k = len(warp[0])
        for w in sorted({x for ws in warp for x in ws}):
            lines.append(f"warp {w}:")
            for phase, rng in (
                ("prologue", range(0, stages - 1)),
                ("steady", range(stages - 1, stages - 1 + k)),
                ("epilogue", range(stages - 1 + k, 2 * stages - 2 + k)),
            ):
                items: list[tuple[int, str]] = []
                for it in rng:
                    lo, hi = it * ii, (it + 1) * ii
                    for j in range(0, it + 1):
                        for v in order:
                            t = start[v] + j * ii
                            if lo <= t < hi and warp[v][j % k] == w:
                                if phase == "epilogue" and j > stages - 1 + k - 1:
                                    continue
                                tag = f"{self.ops[v].name}[i{'+' if j else ''}{j or ''}]@{t}"
                                items.append((t, tag))
                if items or phase == "steady":
                    text = " ".join(x for _, x in sorted(items)) if items else "-"
                    lines.append(f"  {phase:<9} {text}")
        return "\n".join(lines)

    # -- JSON ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The instance as JSON-ready data."""
        out: dict[str, Any] = {
            "problem": PROBLEM,
            "name": self.name,
            "machine": self.machine.to_dict(),
            "ops": [o.to_dict() for o in self.ops],
            "edges": [
                {
                    "src": self.ops[e.src].name,
                    "dst": self.ops[e.dst].name,
                    "delay": e.delay,
                    "distance": e.distance,
                }
                for e in self.edges
            ],
        }
        if self.copies != 1:
            out["copies"] = self.copies
        if self.mii is not None:
            out["mii"] = self.mii
        if self.reference is not None:
            out["reference"] = self.reference
        return out

    def to_json(self, indent: int | None = None) -> str:
        """The instance as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Instance:
        """Build from JSON data: ``machine`` (object or bundled name), ``ops`` (objects with
        ``name``, ``unit`` + ``busy`` or ``table`` rows ``[offset, unit, amount]``,
        ``latency``, ``regs``, ``mem``, ``variable_latency``, ``blocking``, ``warp_cycles``,
        ``spill``), ``edges`` (``src``, ``dst`` names, ``delay``, ``distance``), optional
        ``copies``, ``mii``, ``reference``, ``note``."""
        check_keys(
            data,
            PROBLEM,
            "a pipelining instance",
            ("problem", "name", "machine", "ops", "edges", "copies", "mii", "reference", "note"),
            source,
            required=("machine", "ops"),
        )
        machine = Machine.from_dict(data["machine"], source)
        if not isinstance(data["ops"], list):
            raise InstanceError("ops must be a list", source)
        ops = [_parse_op(d, i, machine, source) for i, d in enumerate(data["ops"])]
        idx = {o.name: i for i, o in enumerate(ops)}
        edges = []
        for i, e in enumerate(data.get("edges", [])):
            if not isinstance(e, dict) or "src" not in e or "dst" not in e:
                raise InstanceError(f"edges[{i}] needs src and dst", source)
            for end in ("src", "dst"):
                if e[end] not in idx:
                    raise InstanceError(f"edges[{i}]: unknown op {e[end]!r}", source)
            edges.append(
                Edge(
                    idx[e["src"]],
                    idx[e["dst"]],
                    _int(e.get("delay", 0), f"edges[{i}].delay", source, lo=None),
                    _int(e.get("distance", 0), f"edges[{i}].distance", source),
                )
            )
        name = data.get("name") or default_name(source, PROBLEM)
        return cls(
            machine=machine,
            ops=tuple(ops),
            edges=tuple(edges),
            name=str(name),
            reference=data.get("reference"),
            mii=data.get("mii"),
            copies=_int(data.get("copies", 1), "copies", source, lo=1),
            source=source,
        )


# -- bundled machines ---------------------------------------------------------------------
def _machines_dir() -> Any:
    return resources.files(__name__.rpartition(".")[0]) / "data" / "machines"


def bundled_machine(name: str) -> Machine:
    """A bundled machine (``hopper``, ``blackwell``): what a ``"machine"`` given by name in an
    instance's JSON stands for."""
    f = _machines_dir() / f"{name}.json"
    if not f.is_file():
        known = sorted(p.name[:-5] for p in _machines_dir().iterdir() if p.name.endswith(".json"))
        raise InstanceError(f"no bundled machine {name!r} (known: {', '.join(known)})")
    return Machine.from_dict(json.loads(f.read_text()), str(name))


def is_solution(solution: dict[str, Any]) -> bool:
    """True for a pipelining solution (``ii``, ``length`` and ``ops`` keys)."""
    return isinstance(solution, dict) and {"ii", "length", "ops"} <= set(solution)
