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
its warp (in-order issue); all
variable-latency ops run on one warp (the producer), and nothing else does: its issue waits on
buffer-free barriers for unknown times, so no op with a fixed time can share it (Twill's
producer rule, read as exclusive); the same reason keeps fixed-time work (ops with warp cycles
or blocking) off any warp running an ``unknown_wait`` op, one whose issue waits on barriers of
unknown flip time (on Blackwell a tcgen05 MMA: one thread issues it after mbarrier waits on TMA
data and on values other warp groups write to Tensor Memory; its accumulator lives in Tensor
Memory, so unlike a Hopper WGMMA, whose accumulator registers bind it to a consumer warp group,
nothing ties it to a compute warp). With that rule the Blackwell FlashAttention solution has a
load warp, one MMA warp, two softmax warp groups and a correction group, by the solver's choice
(the rule forbids MMAs only beside fixed-time work; how many MMA warps, which ops share them and
how softmax and correction are split is the solver's). The FA4 epilogue warp is outside the
model: the loop body has no epilogue op (the output store follows the loop); its register budget is ``producer_regs`` when given; a warp's register need is ``reg_base`` plus the
peak sum of the ``regs`` of its live values (a value lives from its op's issue until the issue of
its last consumer, at least ``max(1, span)`` cycles); each warp's need is within
``regs_per_warp`` and the sum over used warps within ``regs_per_sm``; live memory footprints
(``mem``) stay within ``smem``.

Costs are small integers; :func:`normalise_costs` (Twill's ratio-keeping ILP) and
:func:`from_raw` / :func:`build_bundled` build the bundled GPU kernels from raw clock cycles
(``data/pipelining/raw/*.json``).

File formats (:func:`read` picks one from the file):

- JSON: ``{"problem": "pipelining", "name", "machine": <object or bundled name>, "ops": [...],
  "edges": [...]}`` (see :meth:`Instance.from_dict`).
- HatScheT GraphML loop graphs (``*.graphml``) with their resource model (``graphN_RM.xml``,
  ``<name>RM.xml`` or ``<name>_RM.xml`` beside them), as plain modulo-scheduling instances
  without warps.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..core.errors import InstanceError, SolutionError

PROBLEM = "pipelining"
#: objective = ii * OBJ_SCALE + length (lexicographic: II first, then schedule length).
OBJ_SCALE = 1_000_000

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
class SimReport:
    """What simulating a modulo schedule measured.

    Attributes:
        ii: cycles between the completions of consecutive iterations in the steady state.
        throughput: iterations per cycle in the steady state (``1 / ii``).
        length: cycles from the first issue to the last completion of one iteration.
        iterations: iterations simulated.
        in_flight: the most iterations in flight at once.
        unit_peak: the most units of each kind used in one cycle.
        warp_regs: register need of each used warp (``reg_base`` + peak live registers).
        smem_peak: peak live shared memory.
        sequential_ii: cycles per iteration without pipelining (one iteration after another).
    """

    ii: float
    throughput: float
    length: int
    iterations: int
    in_flight: int
    unit_peak: dict[str, int]
    warp_regs: dict[int, int]
    smem_peak: int
    sequential_ii: int


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
        if _positive_cycle(n, self._weights(None)):
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

    def _weights(self, ii: int | None) -> list[tuple[int, int, int]]:
        """Edges as (src, dst, weight) for the longest-path view at ``ii`` (``None``: only
        distance-0 edges)."""
        out = []
        for e in self.edges:
            if ii is None and e.distance:
                continue
            w = self.ops[e.src].latency + e.delay - (e.distance * ii if ii else 0)
            out.append((e.src, e.dst, w))
        return out

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
        if _positive_cycle(self.n, self._weights(hi)):  # pragma: no cover - cannot happen
            raise InstanceError("no II satisfies the recurrences", self.source)
        lo = 0
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if _positive_cycle(self.n, self._weights(mid)):
                lo = mid
            else:
                hi = mid
        return 0 if not _positive_cycle(self.n, self._weights(0)) else hi

    def mii_bound(self) -> int:
        """MII = max(1, ResMII, RecMII)."""
        return max(1, self.res_mii(), self.rec_mii())

    def asap(self, ii: int) -> list[int] | None:
        """Earliest starts at ``ii`` from dependences alone (``None`` if ``ii`` < RecMII)."""
        return _longest_paths(self.n, self._weights(ii))

    def critical_path(self) -> int:
        """A lower bound on the length L valid at every II: the longest distance-0 path."""
        t = _longest_paths(self.n, self._weights(None))
        assert t is not None
        return max(t[v] + self.ops[v].span for v in range(self.n))

    # -- the check ------------------------------------------------------------------------
    def _parse_solution(
        self, solution: dict[str, Any]
    ) -> tuple[int, int, list[int], list[list[int]]]:
        if not isinstance(solution, dict) or not {"ii", "length", "ops"} <= set(solution):
            raise SolutionError('a pipelining solution is {"ii", "length", "ops": [...]}')
        ii = solution["ii"]
        if isinstance(ii, bool) or not isinstance(ii, int) or ii < 1:
            raise SolutionError(f"ii must be a positive integer, got {ii!r}")
        length = solution["length"]
        if isinstance(length, bool) or not isinstance(length, int):
            raise SolutionError(f"length must be an integer, got {length!r}")
        rows = solution["ops"]
        if not isinstance(rows, list) or len(rows) != self.n:
            raise SolutionError(f"ops must list all {self.n} ops")
        start: list[int | None] = [None] * self.n
        warps: list[list[int] | None] = [None] * self.n
        for r in rows:
            if not isinstance(r, dict) or "name" not in r or "start" not in r:
                raise SolutionError(f"each op row needs name and start, got {r!r}")
            try:
                v = self.index(r["name"])
            except KeyError:
                raise SolutionError(f"unknown op {r['name']!r}") from None
            if start[v] is not None:
                raise SolutionError(f"op {r['name']} appears twice")
            s = r["start"]
            if isinstance(s, bool) or not isinstance(s, int) or s < 0:
                raise SolutionError(f"op {r['name']}: start must be a non-negative integer")
            start[v] = s
            if "stage" in r and r["stage"] != s // ii:
                raise SolutionError(
                    f"op {r['name']}: stage {r['stage']} != start // ii = {s // ii}"
                )
            w = r.get("warp", 0)
            wl = w if isinstance(w, list) else [w]
            for x in wl:
                if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x < self.machine.warps:
                    raise SolutionError(
                        f"op {r['name']}: warp {x!r} outside 0..{self.machine.warps - 1}"
                    )
            if not wl:
                raise SolutionError(f"op {r['name']}: empty warp list")
            warps[v] = list(wl)
        ks = {len(w) for w in warps if w is not None and len(w) > 1}
        if len(ks) > 1:
            raise SolutionError("warp lists must all have the same length (copies)")
        k = ks.pop() if ks else 1
        wfull = [w * k if len(w) == 1 else w for w in warps if w is not None]
        st = [int(s) for s in start if s is not None]
        real_len = max(st[v] + self.ops[v].span for v in range(self.n))
        if length != real_len:
            raise SolutionError(f"length {length} but max(start + span) is {real_len}")
        return ii, length, st, wfull

    def lifetimes(self, ii: int, start: list[int]) -> list[int]:
        """How long each op's value lives: until the issue of its last consumer, at least
        ``max(1, span)`` cycles."""
        life = [max(1, o.span) for o in self.ops]
        for e in self.edges:
            life[e.src] = max(life[e.src], start[e.dst] + e.distance * ii - start[e.src])
        return life

    def simulate(self, solution: dict[str, Any]) -> SimReport:
        """Run the modulo schedule for enough iterations to cover the steady state and verify
        every constraint on the simulated instances; raise :class:`SolutionError` on the first
        violation, else return what was measured."""
        ii, length, start, warp = self._parse_solution(solution)
        k_copies = len(warp[0])
        stages = -(-length // ii)
        n_it = stages + k_copies + 1
        ops = self.ops
        m = self.machine

        def w_of(v: int, k: int) -> int:
            return warp[v][k % k_copies]

        # dependences, on every simulated instance pair
        for e in self.edges:
            u, v = e.src, e.dst
            for k in range(e.distance, max(n_it, e.distance + k_copies)):
                ku = k - e.distance
                need = start[u] + ku * ii + ops[u].latency + e.delay
                if w_of(u, ku) != w_of(v, k):
                    need += ops[u].spill
                got = start[v] + k * ii
                if got < need:
                    raise SolutionError(
                        f"dependence {ops[u].name}->{ops[v].name} (delay {e.delay}, distance "
                        f"{e.distance}) violated in iteration {k}: issues at {got}, needs >= {need}"
                    )
        horizon = length + n_it * ii + 1
        # unit capacity at every cycle
        use: dict[str, np.ndarray] = {}
        for v, o in enumerate(ops):
            for off, u, a in o.table:
                arr = use.setdefault(u, np.zeros(horizon, dtype=np.int64))
                for k in range(n_it):
                    arr[start[v] + k * ii + off] += a
        peak: dict[str, int] = {}
        for u, arr in use.items():
            peak[u] = int(arr.max())
            cap = m.capacity(u)
            if cap is not None and peak[u] > cap:
                t = int(np.argmax(arr > cap))
                names = [
                    f"{o.name}#{k}"
                    for v, o in enumerate(ops)
                    for k in range(n_it)
                    for off, uu, _ in o.table
                    if uu == u and start[v] + k * ii + off == t
                ]
                raise SolutionError(
                    f"unit {u}: {int(arr[t])} in use at cycle {t} (capacity {cap}): "
                    + ", ".join(names[:6])
                )
        # warp occupancy (blocking ops hold their warp from their latest input's issue)
        preds: list[list[Edge]] = [[] for _ in ops]
        for e in self.edges:
            preds[e.dst].append(e)
        occ: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        for v, o in enumerate(ops):
            for k in range(n_it):
                s = start[v] + k * ii
                a = _block_start(s, k, ii, start, preds[v]) if o.blocking else s
                b = s + o.warp_cycles
                if b > a:
                    occ[w_of(v, k)].append((a, b, f"{o.name}#{k}"))
        for w, ivs in occ.items():
            ivs.sort()
            for (a1, b1, n1), (a2, b2, n2) in zip(ivs, ivs[1:], strict=False):
                if a2 < b1:
                    raise SolutionError(
                        f"warp {w}: {n1} [{a1},{b1}) and {n2} [{a2},{b2}) occupy it at once"
                    )
        # in-order issue: an asynchronous op cannot issue while its warp is occupied
        if occ:
            for v, o in enumerate(ops):
                if o.warp_cycles or o.blocking:
                    continue
                for k in range(n_it):
                    s = start[v] + k * ii
                    for a, b, nm in occ.get(w_of(v, k), ()):
                        if a < s < b:
                            raise SolutionError(
                                f"warp {w_of(v, k)}: {o.name}#{k} issues at {s} while {nm} "
                                f"occupies the warp [{a},{b})"
                            )
        # producer rule
        var_warps = {
            w_of(v, k) for v, o in enumerate(ops) if o.variable_latency for k in range(k_copies)
        }
        if len(var_warps) > 1:
            raise SolutionError(
                f"variable-latency ops must share one producer warp, found warps {sorted(var_warps)}"
            )
        producer = var_warps.pop() if var_warps else None
        if producer is not None:
            for v, o in enumerate(ops):
                if not o.variable_latency and any(w_of(v, k) == producer for k in range(k_copies)):
                    raise SolutionError(
                        f"op {o.name} runs on the producer warp {producer}, which waits on "
                        "buffer barriers for unknown times and runs only variable-latency ops"
                    )
        # unknown waits: a warp that waits on barriers of unknown flip time runs no fixed-time
        # work (its timing would slip by the unknown wait)
        waiting = {
            w_of(v, k): o.name for v, o in enumerate(ops) if o.unknown_wait for k in range(k_copies)
        }
        for v, o in enumerate(ops):
            if not (o.warp_cycles or o.blocking):
                continue
            for k in range(k_copies):
                if w_of(v, k) in waiting:
                    raise SolutionError(
                        f"op {o.name} (fixed-time work) runs on warp {w_of(v, k)}, where "
                        f"{waiting[w_of(v, k)]} waits on barriers of unknown flip time"
                    )
        # registers per warp and shared memory, as live intervals
        life = self.lifetimes(ii, start)
        reg_ev: dict[int, list[tuple[int, int]]] = defaultdict(list)
        mem_ev: list[tuple[int, int]] = []
        used: set[int] = set()
        for v, o in enumerate(ops):
            for k in range(n_it):
                s = start[v] + k * ii
                w = w_of(v, k)
                used.add(w)
                if o.regs:
                    reg_ev[w] += [(s, o.regs), (s + life[v], -o.regs)]
                if o.mem:
                    mem_ev += [(s, o.mem), (s + life[v], -o.mem)]
        warp_regs: dict[int, int] = {}
        for w in sorted(used):
            warp_regs[w] = m.reg_base + _peak(reg_ev.get(w, []))
            budget = m.regs_per_warp
            if w == producer and m.producer_regs is not None:
                budget = m.producer_regs
            if budget is not None and warp_regs[w] > budget:
                raise SolutionError(f"warp {w} needs {warp_regs[w]} registers (budget {budget})")
        if m.regs_per_sm is not None and sum(warp_regs.values()) > m.regs_per_sm:
            raise SolutionError(
                f"the used warps need {sum(warp_regs.values())} registers (SM budget {m.regs_per_sm})"
            )
        smem_peak = _peak(mem_ev)
        if m.smem is not None and smem_peak > m.smem:
            raise SolutionError(f"{smem_peak} shared memory live at once (capacity {m.smem})")
        # measured figures
        done = [max(start[v] + k * ii + ops[v].span for v in range(self.n)) for k in range(n_it)]
        first = [min(start[v] + k * ii for v in range(self.n)) for k in range(n_it)]
        lo = min(stages, n_it - 2)
        measured = (done[-1] - done[lo]) / (n_it - 1 - lo)
        in_flight = (
            max(
                sum(1 for k in range(n_it) if first[k] <= t < done[k])
                for t in range(0, done[-1], max(1, ii))
            )
            if done[-1] > 0
            else 1
        )
        return SimReport(
            ii=float(measured),
            throughput=1.0 / measured,
            length=done[0] - first[0],
            iterations=n_it,
            in_flight=in_flight,
            unit_peak=peak,
            warp_regs=warp_regs,
            smem_peak=smem_peak,
            sequential_ii=max(1, self.critical_path()),
        )

    def check(self, solution: dict[str, Any]) -> float:
        """Verify a solution by simulation; return ``ii * OBJ_SCALE + length``."""
        self.simulate(solution)
        return float(solution["ii"] * OBJ_SCALE + solution["length"])

    # -- display --------------------------------------------------------------------------
    def describe(self, solution: dict[str, Any]) -> str:
        """The schedule as a table (op, warp, stage, cycle), the prologue / steady state /
        epilogue per warp, and I, L, MII, measured by simulation."""
        rep = self.simulate(solution)
        ii, length, start, warp = self._parse_solution(solution)
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
            w = warp[v]
            ws = str(w[0]) if len(set(w)) == 1 else "/".join(map(str, w))
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
        if not isinstance(data, dict):
            raise InstanceError("a pipelining instance must be a JSON object", source)
        if data.get("problem", PROBLEM) != PROBLEM:
            raise InstanceError(f"problem is {data.get('problem')!r}, not 'pipelining'", source)
        unknown = set(data) - {
            "problem",
            "name",
            "machine",
            "ops",
            "edges",
            "copies",
            "mii",
            "reference",
            "note",
        }
        if unknown:
            raise InstanceError(f"unknown key(s) {', '.join(sorted(unknown))}", source)
        for key in ("machine", "ops"):
            if key not in data:
                raise InstanceError(f'missing key "{key}"', source)
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
        name = data.get("name") or (
            Path(source).stem if source and source[0] != "<" else "pipelining"
        )
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


def _block_start(s: int, k: int, ii: int, start: list[int], preds: list[Edge]) -> int:
    """Where a blocking op's warp starts waiting: the issue of its latest input instance."""
    cands = [start[e.src] + (k - e.distance) * ii for e in preds if k - e.distance >= 0]
    return min(s, max(cands)) if cands else s


def _peak(events: list[tuple[int, int]]) -> int:
    best = cur = 0
    for _, dv in sorted(events, key=lambda x: (x[0], x[1])):
        cur += dv
        best = max(best, cur)
    return best


def _longest_paths(n: int, edges: list[tuple[int, int, int]]) -> list[int] | None:
    """Longest path lengths from a virtual source (all starts >= 0); ``None`` on a positive
    cycle. Vectorised Bellman-Ford."""
    if not edges:
        return [0] * n
    e = np.asarray(edges, dtype=np.int64)
    src, dst, w = e[:, 0], e[:, 1], e[:, 2]
    dist = np.zeros(n, dtype=np.int64)
    for _ in range(n + 1):
        cand = dist[src] + w
        new = dist.copy()
        np.maximum.at(new, dst, cand)
        if np.array_equal(new, dist):
            return [int(x) for x in dist]
        dist = new
    return None


def _positive_cycle(n: int, edges: list[tuple[int, int, int]]) -> bool:
    return _longest_paths(n, edges) is None


# -- bundled data -------------------------------------------------------------------------
def _data_dir() -> Any:
    return resources.files("schedlab") / "data" / "pipelining"


def bundled_machine(name: str) -> Machine:
    """A bundled machine (``hopper``, ``blackwell``)."""
    f = _data_dir() / "machines" / f"{name}.json"
    if not f.is_file():
        known = sorted(p.name[:-5] for p in (_data_dir() / "machines").iterdir())
        raise InstanceError(f"no bundled machine {name!r} (known: {', '.join(known)})")
    return Machine.from_dict(json.loads(f.read_text()), str(name))


def bundled_loops() -> list[str]:
    """Names of the bundled loop bodies."""
    return sorted(
        p.name[:-5] for p in (_data_dir() / "loops").iterdir() if p.name.endswith(".json")
    )


def bundled_loop(name: str) -> Instance:
    """A bundled loop body (see :func:`bundled_loops`)."""
    f = _data_dir() / "loops" / f"{name}.json"
    if not f.is_file():
        raise InstanceError(f"no bundled loop {name!r} (known: {', '.join(bundled_loops())})")
    return Instance.from_dict(json.loads(f.read_text()), source=str(f))


def bundled_path(name: str) -> str:
    """File path of a bundled loop body."""
    return str(_data_dir() / "loops" / f"{name}.json")


def running_example() -> Instance:
    """The note's running example: S = gemm -> P = exp -> O += gemm (I = 2, L = 4)."""
    return bundled_loop("running_example")


# -- cost normalisation (Twill) ------------------------------------------------------------
def normalise_costs(raw: list[int], upper: int = 300, time_limit: float = 10.0) -> list[int]:
    """Scale raw cycle counts to small integers keeping their ratios (Twill's ILP): minimise
    ``F`` subject to ``|C_i C'_j - C_j C'_i| <= F`` for every pair, ``1 <= sum C' <= upper``,
    ``C'_i >= 1`` for ``C_i > 0`` (``0`` stays ``0``); among the minimisers of ``F`` the
    smallest ``sum C'`` (the smallest problem). Exact (CP-SAT, two lexicographic solves)."""
    from ortools.sat.python import cp_model

    vals = [int(x) for x in raw]
    if any(x < 0 for x in vals):
        raise InstanceError("raw costs must be non-negative")
    pos = sorted({x for x in vals if x > 0})
    if not pos:
        return [0] * len(vals)
    if len(pos) > upper:
        raise InstanceError(f"{len(pos)} distinct costs do not fit a total of {upper}")

    def solve(f_cap: int | None) -> tuple[int, dict[int, int]]:
        m = cp_model.CpModel()
        c = {x: m.new_int_var(1, upper, f"c{x}") for x in pos}
        f = m.new_int_var(0, max(pos) * upper, "F")
        for i, a in enumerate(pos):
            for b in pos[i + 1 :]:
                m.add(a * c[b] - b * c[a] <= f)
                m.add(b * c[a] - a * c[b] <= f)
        m.add(sum(c.values()) <= upper)
        if f_cap is None:
            m.minimize(f)
        else:
            m.add(f <= f_cap)
            m.minimize(sum(c.values()))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = 1
        st = solver.solve(m)
        if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # pragma: no cover
            raise InstanceError("cost normalisation found no solution")
        return int(solver.value(f)), {x: int(solver.value(c[x])) for x in pos}

    f_best, _ = solve(None)
    _, scale = solve(f_best)
    return [scale[x] if x > 0 else 0 for x in vals]


_RAW_COSTS = ("latency", "warp_cycles", "spill")


def from_raw(data: dict[str, Any], upper: int = 300, source: str | None = None) -> Instance:
    """Build an instance from a loop body whose costs are raw clock cycles: op ``busy`` (an
    integer, or ``{unit: cycles}`` for a table of several units from offset 0),
    ``latency``, ``warp_cycles``, ``spill`` and edge ``delay``; all of them are normalised
    together by :func:`normalise_costs` (``regs`` and ``mem`` are kept). Each op's ``cycles``
    records its raw busy time."""
    ops_in = data.get("ops")
    if not isinstance(ops_in, list):
        raise InstanceError("ops must be a list", source)
    raw: list[int] = []
    for o in ops_in:
        b = o.get("busy", 0)
        raw += list(b.values()) if isinstance(b, dict) else [b]
        raw += [o.get(k, 0) for k in _RAW_COSTS]
    raw += [e.get("delay", 0) for e in data.get("edges", [])]
    scale = dict(zip(raw, normalise_costs(raw, upper), strict=True))
    out = dict(data)
    ops = []
    for o in ops_in:
        d = dict(o)
        b = d.pop("busy", None)
        if isinstance(b, dict):
            d["table"] = [[off, u, 1] for u, c in b.items() for off in range(scale[c])]
            d["unit"] = d.get("unit") or next(iter(b))
            d["cycles"] = max(b.values())
        elif b is not None:
            d["busy"] = scale[b]
            d["cycles"] = b
        for k in _RAW_COSTS:
            if k in d:
                d[k] = scale[d[k]]
        ops.append(d)
    out["ops"] = ops
    out["edges"] = [dict(e, delay=scale[e.get("delay", 0)]) for e in data.get("edges", [])]
    return Instance.from_dict(out, source)


def build_bundled(name: str, upper: int = 300) -> Instance:
    """A bundled GPU kernel built from its raw cycle counts (``data/pipelining/raw``)."""
    f = _data_dir() / "raw" / f"{name}.json"
    if not f.is_file():
        raise InstanceError(f"no raw kernel {name!r}")
    return from_raw(json.loads(f.read_text()), upper, source=str(f))


# -- HatScheT GraphML reader ---------------------------------------------------------------
_GML_NS = "{http://graphml.graphdrawing.org/xmlns}"


def sniff(path: str, head: str) -> bool:
    """True for a HatScheT GraphML loop graph (``*.graphml`` with ``uses_resource`` data)."""
    return path.lower().endswith(".graphml") and "<graph" in head and "uses_resource" in head


def resource_model_path(path: str) -> str:
    """The resource-model XML paired with a GraphML graph (HatScheT conventions)."""
    p = Path(path)
    stem = p.name[: -len(".graphml")]
    base = re.sub(r"\.\d+MHz$", "", stem)
    for cand in (f"{base}_RM.xml", f"{base}RM.xml", "RM.xml", "RM1.xml"):
        if (p.parent / cand).is_file():
            return str(p.parent / cand)
    raise InstanceError(
        f"no resource model beside the graph (looked for {base}_RM.xml, {base}RM.xml)", path
    )


def _parse_xml(path: str) -> ET.Element:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise InstanceError(f"cannot read: {e.strerror}", path) from None
    except UnicodeDecodeError:
        raise InstanceError("not a text file (invalid UTF-8)", path) from None
    try:
        return ET.fromstring(text)
    except ET.ParseError as e:
        # vanDongen.graphml lacks its opening <graphml> tag
        if "<graphml" not in text and "</graphml>" in text:
            fixed = re.sub(r"^(\s*<\?xml[^>]*\?>)", r"\1<graphml>", text, count=1)
            try:
                return ET.fromstring(fixed)
            except ET.ParseError:
                pass
        line = e.position[0] if hasattr(e, "position") else None
        raise InstanceError(f"invalid XML: {e}", path, line) from None


def _strip(tag: str) -> str:
    return tag.split("}", 1)[-1]


def read_resource_model(path: str) -> dict[str, tuple[int, int, int]]:
    """Resource name -> (limit, latency, blockingTime) from a HatScheT resource model."""
    root = _parse_xml(path)
    out: dict[str, tuple[int, int, int]] = {}
    for r in root.iter():
        if _strip(r.tag) != "Resource":
            continue
        a = r.attrib
        try:
            name = a["name"]
            limit = -1 if a.get("limit", "-1").strip() == "inf" else int(a.get("limit", "-1"))
            lat = int(a.get("latency", "0"))
            bt = int(a.get("blockingTime", "1"))
        except (KeyError, ValueError) as e:
            raise InstanceError(f"bad <Resource> {a}: {e}", path) from None
        out[name] = (limit, lat, bt)
    if not out:
        raise InstanceError("no <Resource> in the resource model", path)
    return out


def read(path: str, index: int | None = None, rm: str | None = None) -> Instance:
    """Read a HatScheT GraphML loop graph with its resource model (``rm``, found beside the
    graph when not given) as a plain modulo-scheduling instance (one warp)."""
    if index not in (None, 1):
        raise InstanceError(f"instance #{index} out of range: the file holds 1", path)
    rm_path = rm or resource_model_path(path)
    res = read_resource_model(rm_path)
    root = _parse_xml(path)
    graph = next((g for g in root.iter() if _strip(g.tag) == "graph"), None)
    if graph is None:
        raise InstanceError("no <graph> element", path)
    units: dict[str, int] = {}
    ops: list[Op] = []
    ids: dict[str, int] = {}
    raw_edges: list[tuple[str, str, int, int]] = []
    for el in graph:
        tag = _strip(el.tag)
        data = {d.attrib.get("key"): (d.text or "").strip() for d in el if _strip(d.tag) == "data"}
        if tag == "node":
            nid = el.attrib.get("id")
            if nid is None or nid in ids:
                raise InstanceError(f"node without id or duplicate id {nid!r}", path)
            rname = data.get("uses_resource")
            if rname is None:
                raise InstanceError(f"node {nid} has no uses_resource", path)
            if rname not in res:
                raise InstanceError(
                    f"node {nid} uses resource {rname!r}, missing from {rm_path}", path
                )
            limit, lat, bt = res[rname]
            table: tuple[tuple[int, str, int], ...] = ()
            if limit != -1:
                units[rname] = limit
                table = tuple((o, rname, 1) for o in range(max(1, bt)))
            ids[nid] = len(ops)
            ops.append(Op(name=f"n{nid}", table=table, latency=lat, unit=rname))
        elif tag == "edge":
            try:
                delay = int(data.get("delay", data.get("latency", "0")))
                dist = int(data.get("distance", "0"))
            except ValueError as e:
                raise InstanceError(f"edge {el.attrib.get('id')}: {e}", path) from None
            raw_edges.append((el.attrib["source"], el.attrib["target"], delay, dist))
    edges = []
    for s, t, d, dist in raw_edges:
        if s not in ids or t not in ids:
            raise InstanceError(f"edge {s}->{t} refers to a missing node", path)
        edges.append(Edge(ids[s], ids[t], d, dist))
    p = Path(path)
    name = f"{p.parent.name}/{p.name[: -len('.graphml')]}"
    machine = Machine(name=Path(rm_path).stem, units=units, warps=1)
    mii = _mii_from_csv(path)
    return Instance(
        machine=machine, ops=tuple(ops), edges=tuple(edges), name=name, mii=mii, source=path
    )


def _mii_from_csv(path: str) -> int | None:
    """The MII of ``mii.csv`` (in a parent folder of the graph), if listed."""
    p = Path(path).resolve()
    for parent in list(p.parents)[:4]:
        csv = parent / "mii.csv"
        if csv.is_file():
            rel = str(p.relative_to(parent))
            for line in csv.read_text().splitlines()[1:]:
                cols = line.split(",")
                if cols and cols[0] == rel and len(cols) > 13 and cols[13].isdigit():
                    return int(cols[13])
            return None
    return None


def count(path: str) -> int:
    """A GraphML file holds one instance."""
    return 1


# -- generator ----------------------------------------------------------------------------
def generate(n: int = 10, units: int = 2, seed: int = 0, name: str | None = None) -> Instance:
    """A random loop body: ``n`` ops on ``units`` unit kinds (capacity 1 or 2), a random DAG
    of distance-0 edges plus a few loop-carried back edges."""
    if n < 1:
        raise InstanceError("n must be at least 1")
    rng = np.random.default_rng(seed)
    kinds = {f"u{j}": int(rng.integers(1, 3)) for j in range(units)}
    kinds["alu"] = -1
    ops = []
    for i in range(n):
        u = str(rng.choice(list(kinds)))
        busy = 1 if u == "alu" else int(rng.integers(1, 3))
        ops.append(
            Op(
                name=f"op{i}",
                table=tuple((o, u, 1) for o in range(busy)),
                latency=int(rng.integers(0, 4)),
                unit=u,
            )
        )
    edges = []
    for j in range(1, n):
        for i in rng.choice(j, size=min(j, int(rng.integers(1, 3))), replace=False):
            edges.append(Edge(int(i), j, int(rng.integers(0, 2)), 0))
    for _ in range(max(1, n // 5)):
        i, j = sorted(int(x) for x in rng.integers(0, n, size=2))
        edges.append(Edge(j, i, 0, int(rng.integers(1, 3))))
    return Instance(
        machine=Machine(name="random", units=kinds),
        ops=tuple(ops),
        edges=tuple(edges),
        name=name or f"pipelining_n{n}_s{seed}",
    )
