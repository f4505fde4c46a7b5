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

The JSON form is ``{"schema_version": 1, "problem": "pipelining", "name", "machine": <object
or bundled name>, "ops": [...], "edges": [...]}`` (see :meth:`Instance.from_dict` and
``schemas/instance.json``; a solution: ``schemas/solution.json``); an edge endpoint is an op
name or an op index, in JSON and in the constructors alike (``to_dict`` writes names). Every
number is validated (an :class:`~schedlab.core.errors.InstanceError` names the JSON path of a
bad field, or the field in a constructor). The HatScheT GraphML reader is in :mod:`.formats`,
the simulator the checker runs in :mod:`.simulate`.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any, ClassVar

import numpy as np

from ...core.errors import InstanceError
from ...core.jsonio import check_keys, default_name
from ...core.schema import stamp, unstamp
from .simulate import (
    OBJ_SCALE,
    SimReport,
    edge_weights,
    longest_paths,
    longest_paths_arrays,
    objective,
    parse_solution,
    positive_cycle,
    simulate,
    table_runs,
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
_EDGE_KEYS = {"src", "dst", "delay", "distance", "note"}
_EDGE_FIELDS = ("src", "dst", "delay", "distance")

#: The largest cycle count, capacity, register or memory figure an instance may hold (int32).
MAX_VALUE = 2**31 - 1
#: The largest busy count, table offset, latency, warp_cycles, spill and |delay| (cycles): a
#: loop-body step longer than this is beyond modulo scheduling's scale (the reservation table
#: holds one entry a busy cycle, and the IMS tables, the checker's simulation and the CP-SAT
#: horizons grow with the cycles), so it is refused before any of them is built.
MAX_CYCLES = 10_000
#: The largest raw cycle count (``Op.cycles``, a record only): int64.
MAX_INT64 = 2**63 - 1
#: The most warps a machine may have.
MAX_WARPS = 1024
#: The most copies of the steady state an instance may ask the joint model to unroll.
MAX_COPIES = 64
#: ``S * D * (n * copies + 2)`` stays below this (``S`` the sum of the ops' spans, spills and
#: warp cycles and of the edges' absolute delays, ``D`` the largest distance): the solvers'
#: horizons, longest paths and start domains then stay far within int64.
MAX_SCALE = 2**36


def _key(k: str) -> str:
    """A JSON-path step for the object key ``k``."""
    return f".{k}" if k.isidentifier() else f"[{json.dumps(k)}]"


def _rebase(e: InstanceError, prefix: str, file: str | None) -> InstanceError:
    """``e`` with its (relative) path put under ``prefix`` (a JSON path such as
    ``$.ops[3]``), and ``file`` when it names none; an absolute path (``$...``) is kept."""
    path = e.path
    if not path:
        path = prefix
    elif not path.startswith("$"):
        path = prefix + (path if path.startswith("[") else "." + path)
    return InstanceError(e.message, e.file if e.file is not None else file, e.line, path)


def _int(
    v: Any, key: str, *, lo: int | None = 0, hi: int | None = MAX_VALUE, what: str = ""
) -> int:
    """``v`` as an int, or an :class:`InstanceError` naming ``key`` (its path): a bool, a
    string, NaN, infinity, a fraction or a value outside ``[lo, hi]`` is refused."""
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        raise InstanceError(f"{key} must be an integer, got {v!r}{what}", path=key)
    if isinstance(v, float | np.floating) and (
        not math.isfinite(float(v)) or not float(v).is_integer()
    ):
        raise InstanceError(f"{key} must be an integer, got {v!r}{what}", path=key)
    iv = int(v)
    if lo is not None and iv < lo:
        raise InstanceError(f"{key} must be >= {lo}, got {v!r}{what}", path=key)
    if hi is not None and iv > hi:
        raise InstanceError(f"{key} must be <= {hi}, got {v!r}{what}", path=key)
    return iv


def _opt_int(v: Any, key: str, *, lo: int = 0, what: str = "") -> int | None:
    return None if v is None else _int(v, key, lo=lo, what=what)


def _bool(v: Any, key: str, what: str = "") -> bool:
    if isinstance(v, bool | np.bool_):
        return bool(v)
    raise InstanceError(f"{key} must be true or false, got {v!r}{what}", path=key)


def _text(v: Any, key: str, what: str = "") -> str:
    if not isinstance(v, str) or not v:
        raise InstanceError(f"{key} must be a non-empty string, got {v!r}{what}", path=key)
    return v


@dataclass(frozen=True)
class Machine:
    """Functional units and warp / register / memory budgets; validates itself on
    construction (an :class:`InstanceError` names the bad field).

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

    Integers are at most :data:`MAX_VALUE` (``warps`` at most :data:`MAX_WARPS`).
    """

    name: str
    units: dict[str, int]
    warps: int = 1
    regs_per_warp: int | None = None
    regs_per_sm: int | None = None
    reg_base: int = 0
    producer_regs: int | None = None
    smem: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise InstanceError(f"name must be a string, got {self.name!r}", path="name")
        if not isinstance(self.units, dict):
            raise InstanceError(
                f"units must be a dict {{kind: capacity}}, got {self.units!r}", path="units"
            )
        caps: dict[str, int] = {}
        for k, v in self.units.items():
            if not isinstance(k, str) or not k:
                raise InstanceError(
                    f"unit kinds must be non-empty strings, got {k!r}", path="units"
                )
            cap = _int(v, "units" + _key(k), lo=-1)
            if cap == 0:
                raise InstanceError(
                    f"unit {k!r} has capacity 0 (use -1 for unlimited)", path="units" + _key(k)
                )
            caps[k] = cap
        object.__setattr__(self, "units", caps)
        object.__setattr__(self, "warps", _int(self.warps, "warps", lo=1, hi=MAX_WARPS))
        object.__setattr__(self, "reg_base", _int(self.reg_base, "reg_base"))
        for key in ("regs_per_warp", "regs_per_sm", "producer_regs", "smem"):
            object.__setattr__(self, key, _opt_int(getattr(self, key), key))

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
    def from_dict(cls, data: Any, source: str | None = None, path: str = "$.machine") -> Machine:
        """Build from JSON data, or from the name of a bundled machine; errors name the JSON
        path of the bad field under ``path``."""
        if isinstance(data, str):
            try:
                return bundled_machine(data)
            except InstanceError as e:
                raise _rebase(e, path, source) from None
        if not isinstance(data, dict):
            raise InstanceError(
                "machine must be an object or a bundled machine name", source, path=path
            )
        unknown = set(data) - _MACHINE_KEYS
        if unknown:
            raise InstanceError(
                f"machine: unknown key(s) {', '.join(sorted(unknown))}", source, path=path
            )
        units = data.get("units")
        if not isinstance(units, dict):
            raise InstanceError(
                'machine needs "units": {kind: capacity}', source, path=path + ".units"
            )
        caps = {k: (-1 if v is None or v == "inf" else v) for k, v in units.items()}
        try:
            return cls(
                name=data.get("name", "machine"),
                units=caps,
                warps=data.get("warps", 1),
                regs_per_warp=data.get("regs_per_warp"),
                regs_per_sm=data.get("regs_per_sm"),
                reg_base=data.get("reg_base", 0),
                producer_regs=data.get("producer_regs"),
                smem=data.get("smem"),
            )
        except InstanceError as e:
            raise _rebase(e, path, source) from None


@dataclass(frozen=True)
class Op:
    """One operation of the loop body; validates itself on construction (an
    :class:`InstanceError` names the bad field: a bool, a string, NaN or infinity where an
    integer belongs, a value out of range).

    Attributes:
        name: unique name.
        table: reservation table rows ``(offset, unit, amount)`` (``(offset, unit)``: amount 1).
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

    Integers are at most :data:`MAX_VALUE` (``cycles``: int64).
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

    def __post_init__(self) -> None:
        _text(self.name, "name")
        what = f" (op {self.name!r})"
        if not isinstance(self.table, tuple | list):
            raise InstanceError(
                f"table must be a sequence of (offset, unit, amount) rows, got {self.table!r}"
                + what,
                path="table",
            )
        rows: list[tuple[int, str, int]] = []
        for j, r in enumerate(self.table):
            if not isinstance(r, tuple | list) or len(r) not in (2, 3):
                raise InstanceError(
                    f"table[{j}] must be (offset, unit, amount), got {r!r}{what}",
                    path=f"table[{j}]",
                )
            off = _int(r[0], f"table[{j}][0]", hi=MAX_CYCLES - 1, what=what)
            u = _text(r[1], f"table[{j}][1]", what)
            amt = _int(r[2], f"table[{j}][2]", lo=1, what=what) if len(r) == 3 else 1
            rows.append((off, u, amt))
        object.__setattr__(self, "table", tuple(rows))
        for key in ("latency", "warp_cycles", "spill"):
            value = _int(getattr(self, key), key, hi=MAX_CYCLES, what=what)
            object.__setattr__(self, key, value)
        for key in ("regs", "mem"):
            object.__setattr__(self, key, _int(getattr(self, key), key, what=what))
        for key in ("variable_latency", "blocking", "unknown_wait"):
            object.__setattr__(self, key, _bool(getattr(self, key), key, what))
        if self.unit is not None:
            _text(self.unit, "unit", what)
        if self.cycles is not None:
            object.__setattr__(self, "cycles", _int(self.cycles, "cycles", hi=MAX_INT64, what=what))

    @cached_property
    def span(self) -> int:
        """max(latency, reservation-table length): how long the op counts in the length L
        (computed once: the checker and the solvers read it per op and iteration, and a table
        may hold thousands of rows)."""
        length = max((o + 1 for o, _, _ in self.table), default=0)
        return max(self.latency, length)

    @cached_property
    def runs(self) -> dict[str, list[tuple[int, int, int]]]:
        """The table as runs ``(off, cycles, amount)`` per unit kind (maximal ranges of
        consecutive offsets with one amount; :func:`.simulate.table_runs`), computed once."""
        return table_runs(self.table)

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


def _endpoint(v: Any, key: str) -> int | str:
    if isinstance(v, str) and v:
        return v
    if isinstance(v, int | np.integer) and not isinstance(v, bool):
        return _int(v, key)
    raise InstanceError(
        f"{key} must be an op index (an integer) or an op name (a string), got {v!r}",
        path=key,
    )


@dataclass(frozen=True, init=False)
class Edge:
    """A dependence: ``dst`` of iteration ``k`` issues at least ``latency(src) + delay``
    cycles after ``src`` of iteration ``k - distance``.

    ``src`` and ``dst`` may be given as op indices or op names (``Edge("S", "P", 1)``); an
    :class:`Instance` resolves names to indices, so the edges of an instance always hold
    indices. ``delay`` may be negative; ``distance`` is at least 0.
    """

    src: int
    dst: int
    delay: int = 0
    distance: int = 0

    def __init__(self, src: int | str, dst: int | str, delay: int = 0, distance: int = 0) -> None:
        object.__setattr__(self, "src", _endpoint(src, "src"))
        object.__setattr__(self, "dst", _endpoint(dst, "dst"))
        object.__setattr__(self, "delay", _int(delay, "delay", lo=-MAX_CYCLES, hi=MAX_CYCLES))
        object.__setattr__(self, "distance", _int(distance, "distance"))


def _parse_op(d: Any, i: int, machine: Machine, source: str | None) -> Op:
    """Op ``i`` of an instance's JSON (errors name ``$.ops[i]...``)."""
    at = f"$.ops[{i}]"
    if not isinstance(d, dict):
        raise InstanceError(f"ops[{i}] must be an object", source, path=at)
    unknown = set(d) - _OP_KEYS
    if unknown:
        raise InstanceError(
            f"ops[{i}]: unknown key(s) {', '.join(sorted(unknown))}", source, path=at
        )
    name = d.get("name")
    if not isinstance(name, str) or not name:
        raise InstanceError(
            f"ops[{i}] needs a non-empty string name, got {name!r}", source, path=at + ".name"
        )
    unit = d.get("unit")
    if unit is not None and (not isinstance(unit, str) or not unit):
        raise InstanceError(
            f"unit must be a non-empty string, got {unit!r} (op {name!r})",
            source,
            path=at + ".unit",
        )
    # a unit the machine does not list only labels an unlimited resource: allowed with
    # busy 0 and no table (the GraphML reader writes ops on such resources that way)
    unlimited = unit is not None and "table" not in d and d.get("busy", 1) == 0
    if unit is not None and unit not in machine.units and not unlimited:
        raise InstanceError(
            f"op {name}: unit {unit!r} is not a unit of the machine", source, path=at + ".unit"
        )
    rows: list[Any] = []
    try:
        if "table" in d:
            if "busy" in d:
                raise InstanceError(f"op {name}: give either busy or table, not both", path="")
            tab = d["table"]
            if not isinstance(tab, list):
                raise InstanceError(
                    f"op {name}: table must be a list of [offset, unit, amount]", path="table"
                )
            for j, r in enumerate(tab):
                if isinstance(r, list) and len(r) in (2, 3) and r[1] not in machine.units:
                    raise InstanceError(
                        f"op {name}: unit {r[1]!r} is not a unit of the machine",
                        path=f"table[{j}][1]",
                    )
                rows.append(r)
        elif unit is not None:
            busy = _int(d.get("busy", 1), "busy", hi=MAX_CYCLES, what=f" (op {name!r})")
            rows = [(o, unit, 1) for o in range(busy)]
        elif "busy" in d:
            raise InstanceError(f"op {name}: busy needs a unit", path="busy")
        return Op(
            name=name,
            table=tuple(rows),
            latency=d.get("latency", 0),
            regs=d.get("regs", 0),
            mem=d.get("mem", 0),
            variable_latency=d.get("variable_latency", False),
            blocking=d.get("blocking", False),
            unknown_wait=d.get("unknown_wait", False),
            warp_cycles=d.get("warp_cycles", 0),
            spill=d.get("spill", 0),
            unit=unit,
            cycles=d.get("cycles"),
        )
    except InstanceError as e:
        raise _rebase(e, at, source) from None


def _parse_edge(e: Any, i: int, source: str | None) -> Edge | tuple[Any, ...]:
    """Edge ``i`` of an instance's JSON: an object ``{src, dst, delay, distance}`` or an array
    ``[src, dst, delay, distance]`` (delay and distance optional); an endpoint is an op name
    or an op index. Names and indices are resolved by the :class:`Instance`."""
    at = f"$.edges[{i}]"
    if isinstance(e, list):
        if not 2 <= len(e) <= 4:
            raise InstanceError(
                f"edges[{i}] must be [src, dst, delay, distance] (delay and distance "
                f"optional), got {e!r}",
                source,
                path=at,
            )
        return tuple(e)
    if not isinstance(e, dict):
        raise InstanceError(
            f"edges[{i}] must be an object {{src, dst, delay, distance}} or an array "
            f"[src, dst, delay, distance], got {e!r}",
            source,
            path=at,
        )
    unknown = set(e) - _EDGE_KEYS
    if unknown:
        raise InstanceError(
            f"edges[{i}]: unknown key(s) {', '.join(sorted(unknown))}", source, path=at
        )
    for end in ("src", "dst"):
        if end not in e:
            raise InstanceError(f"edges[{i}] needs src and dst", source, path=f"{at}.{end}")
    try:
        return Edge(e["src"], e["dst"], e.get("delay", 0), e.get("distance", 0))
    except InstanceError as x:
        raise _rebase(x, at, source) from None


@dataclass(frozen=True)
class Instance:
    """A loop body to modulo-schedule on a machine; validates itself on construction (an
    :class:`InstanceError` names the bad field, e.g. ``edges[4].src``).

    Attributes:
        machine: the :class:`Machine`.
        ops: the operations (each with a unique name).
        edges: the dependences: :class:`Edge` objects or ``(src, dst, delay, distance)``
            tuples (delay and distance optional) whose endpoints are op indices or op names;
            stored as :class:`Edge` objects with indices.
        name: a name for reports.
        reference: a reference objective (``ii * OBJ_SCALE + length``), if known.
        mii: a reference lower bound on II (e.g. from ``mii.csv``), or ``None``.
        copies: copies of the steady state the joint (warp) problem unrolls (1 to
            :data:`MAX_COPIES`).

    The cycle counts must keep the solvers within int64: ``S * D * (n * copies + 2)`` below
    :data:`MAX_SCALE` (``S`` the sum of the ops' spans, spills and warp cycles and of the
    edges' absolute delays, ``D`` the largest distance).
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
        try:
            self._validate()
        except InstanceError as e:
            if e.file is None and self.source is not None:
                raise InstanceError(e.message, self.source, e.line, e.path) from None
            raise

    def _validate(self) -> None:
        if not isinstance(self.machine, Machine):
            raise InstanceError(f"machine must be a Machine, got {self.machine!r}", path="machine")
        if not isinstance(self.ops, tuple | list):
            raise InstanceError("ops must be a sequence of Op", path="ops")
        ops = tuple(self.ops)
        for i, o in enumerate(ops):
            if not isinstance(o, Op):
                raise InstanceError(f"ops[{i}] must be an Op, got {o!r}", path=f"ops[{i}]")
        object.__setattr__(self, "ops", ops)
        if not ops:
            raise InstanceError("a loop body needs at least one op", path="ops")
        idx: dict[str, int] = {}
        for i, o in enumerate(ops):
            if o.name in idx:
                raise InstanceError(f"op name {o.name!r} appears twice", path=f"ops[{i}].name")
            idx[o.name] = i
        n = len(ops)
        if not isinstance(self.edges, tuple | list):
            raise InstanceError("edges must be a sequence of Edge", path="edges")
        object.__setattr__(
            self, "edges", tuple(self._resolve(e, i, idx) for i, e in enumerate(self.edges))
        )
        units = self.machine.units
        for i, o in enumerate(ops):
            # by the op's runs (computed once an op, shared by the sub-instances a greedy
            # builds); the rows are read one by one only to name a fault
            if all(
                u in units and (units[u] < 0 or all(a <= units[u] for _, _, a in rs))
                for u, rs in o.runs.items()
            ):
                continue
            need: dict[tuple[int, str], int] = defaultdict(int)
            for j, (off, u, a) in enumerate(o.table):
                if u not in self.machine.units:
                    raise InstanceError(
                        f"op {o.name}: unit {u!r} is not a unit of the machine",
                        path=f"ops[{i}].table[{j}][1]",
                    )
                need[(off, u)] += a
            for (off, u), a in need.items():
                cap = self.machine.capacity(u)
                if cap is not None and a > cap:
                    raise InstanceError(
                        f"op {o.name} needs {a} units of {u} at offset {off}, capacity {cap}",
                        path=f"ops[{i}].table",
                    )
        object.__setattr__(self, "copies", _int(self.copies, "copies", lo=1, hi=MAX_COPIES))
        _text(self.name, "name")
        if self.reference is not None:
            r = self.reference
            if (
                isinstance(r, bool)
                or not isinstance(r, int | float | np.integer | np.floating)
                or not math.isfinite(float(r))
            ):
                raise InstanceError(
                    f"reference must be a finite number, got {r!r}", path="reference"
                )
            object.__setattr__(self, "reference", float(r))
        if self.mii is not None:
            object.__setattr__(self, "mii", _int(self.mii, "mii", lo=1))
        total = sum(max(1, o.span) + o.spill + o.warp_cycles for o in ops)
        total += sum(abs(e.delay) for e in self.edges)
        dist = max([1] + [e.distance for e in self.edges])
        if total * dist * (n * self.copies + 2) >= MAX_SCALE:
            raise InstanceError(
                f"cycle counts too large for the solvers: the spans, spills, warp cycles and "
                f"delays sum to {total}, the largest distance is {dist}, and {total} x {dist} "
                f"x (ops x copies + 2) must stay below 2^36",
            )
        # zero-distance cycles must not have positive weight
        if positive_cycle(n, edge_weights(self, None)):
            raise InstanceError(
                "a dependence cycle of distance 0 makes the loop infeasible", path="edges"
            )

    @staticmethod
    def _resolve(e: Any, i: int, idx: dict[str, int]) -> Edge:
        """Edge ``i`` with its endpoints as indices (errors name ``edges[i].src`` or, for a
        tuple, ``edges[i][0]``)."""
        if isinstance(e, Edge):
            edge, where = e, {f: f"edges[{i}].{f}" for f in _EDGE_FIELDS}
        elif isinstance(e, tuple | list):
            where = {f: f"edges[{i}][{k}]" for k, f in enumerate(_EDGE_FIELDS)}
            if not 2 <= len(e) <= 4:
                raise InstanceError(
                    f"edges[{i}] must be (src, dst, delay, distance) (delay and distance "
                    f"optional), got {e!r}",
                    path=f"edges[{i}]",
                )
            try:
                edge = Edge(*e)
            except InstanceError as x:
                raise InstanceError(
                    x.message, path=where.get(x.path or "", f"edges[{i}]")
                ) from None
        else:
            raise InstanceError(
                f"edges[{i}] must be an Edge or a (src, dst, delay, distance) tuple, got {e!r}",
                path=f"edges[{i}]",
            )
        n = len(idx)
        ends: list[int] = []
        for f in ("src", "dst"):
            v: int | str = getattr(edge, f)
            if isinstance(v, str):
                if v not in idx:
                    raise InstanceError(f"unknown op {v!r}", path=where[f])
                ends.append(idx[v])
            else:
                if not 0 <= v < n:
                    raise InstanceError(f"op index {v} out of range (0..{n - 1})", path=where[f])
                ends.append(v)
        if ends == [edge.src, edge.dst]:
            return edge
        return Edge(ends[0], ends[1], edge.delay, edge.distance)

    # -- derived data -------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of ops."""
        return len(self.ops)

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Op name -> index (built once: the checker looks up every op of a solution)."""
        out: dict[str, int] = {}
        for i, o in enumerate(self.ops):
            out.setdefault(o.name, i)
        return out

    def index(self, name: str) -> int:
        """Index of the op called ``name``."""
        if not isinstance(name, str):
            raise KeyError(name)
        return self._positions[name]

    def res_mii(self) -> int:
        """ResMII: max over limited unit kinds of ceil(total busy amount / capacity)."""
        return self._res_mii

    @cached_property
    def _res_mii(self) -> int:
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
        (weights ``latency(src) + delay - distance * II``); 0 without recurrences (computed
        once: every method asks for it)."""
        return self._rec_mii

    @cached_property
    def _rec_mii(self) -> int:
        if not any(e.distance for e in self.edges):
            return 0
        src = np.array([e.src for e in self.edges], dtype=np.int64)
        dst = np.array([e.dst for e in self.edges], dtype=np.int64)
        base = np.array([self.ops[e.src].latency + e.delay for e in self.edges], dtype=np.int64)
        dist = np.array([e.distance for e in self.edges], dtype=np.int64)

        def positive(ii: int) -> bool:
            return longest_paths_arrays(self.n, src, dst, base - dist * ii) is None

        # no positive cycle at ``top``: a cycle's weight is at most top - top * distance
        top = max(1, int(np.maximum(base, 0).sum()))
        if not positive(0):
            return 0
        # galloping from below (probes near RecMII converge in few rounds), then bisection
        lo, hi = 0, 1
        while hi < top and positive(hi):
            lo, hi = hi, min(top, 2 * hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if positive(mid):
                lo = mid
            else:
                hi = mid
        return hi

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
        """The instance as JSON-ready data (stamped with ``schema_version``; edges name their
        ops)."""
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
        return stamp(out)

    def to_json(self, indent: int | None = None) -> str:
        """The instance as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Instance:
        """Build from JSON data (``schemas/instance.json``): ``machine`` (object or bundled
        name), ``ops`` (objects with ``name``, ``unit`` + ``busy`` or ``table`` rows
        ``[offset, unit, amount]``, ``latency``, ``regs``, ``mem``, ``variable_latency``,
        ``blocking``, ``unknown_wait``, ``warp_cycles``, ``spill``, ``cycles``), ``edges``
        (objects ``{src, dst, delay, distance}`` or arrays ``[src, dst, delay, distance]``,
        delay and distance optional, each endpoint an op name or an op index), optional
        ``copies``, ``mii``, ``reference``, ``note``, ``schema_version``. Errors name the
        JSON path of the bad field (``$.edges[4].src``, ``$.ops[2].latency``)."""
        if isinstance(data, dict):
            data = unstamp(data, "instance", source)
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
            raise InstanceError("ops must be a list", source, path="$.ops")
        ops = [_parse_op(d, i, machine, source) for i, d in enumerate(data["ops"])]
        raw_edges = data.get("edges", [])
        if not isinstance(raw_edges, list):
            raise InstanceError("edges must be a list", source, path="$.edges")
        edges = [_parse_edge(e, i, source) for i, e in enumerate(raw_edges)]
        name = data.get("name")
        if name is None or name == "":
            name = default_name(source, PROBLEM)
        try:
            return cls(
                machine=machine,
                ops=tuple(ops),
                edges=tuple(edges),  # type: ignore[arg-type]  # tuples resolved by the Instance
                name=name,
                reference=data.get("reference"),
                mii=data.get("mii"),
                copies=data.get("copies", 1),
                source=source,
            )
        except InstanceError as e:
            raise _rebase(e, "$", source) from None


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
