"""Static memory allocation and memory mapping for ML compilers: the instance classes.

One family, two kinds of instance, each its own class (the JSON ``"kind"`` key names it;
:meth:`MemoryInstance.from_dict` dispatches on it):

- :class:`Allocation` (``"allocation"``; TelaMalloc, MiniMalloc): buffers with a live
  interval ``[lower, upper)`` (half-open: a buffer ending at ``t`` and one starting at ``t``
  do not conflict) and a size get an integer offset each, so that buffers live at the same
  time never overlap in memory. The objective is the **peak**, ``max(offset + size)``; with
  a ``capacity`` the peak must not exceed it (the feasibility version is "any solution", the
  optimisation version "smallest peak"). The max load (largest total size live at one
  moment) is a lower bound.
- :class:`Mapping` (``"mapping"``; the "mallocGame" of memory mapping by deep RL, 2023): a
  program of steps, each with a compute time and the bytes it reads and writes of each
  buffer; a fast memory of capacity ``capacity`` and bandwidth ``fast_bandwidth``, a slow
  one of bandwidth ``slow_bandwidth``. Each buffer either gets an offset in fast memory (as
  in allocation) or stays in slow memory (offset ``null``). Step time = ``max(compute, fast
  bytes / fast_bandwidth + slow bytes / slow_bandwidth)`` (the cost model of XLA's memory
  space assignment); the objective is the sum of step times. Time coordinates of buffers are
  step indices: step ``i`` runs in ``[i, i + 1)`` and may only touch buffers live at ``i``.

Solution JSON: ``{"offsets": {"<id>": offset or null}}`` (``null``: slow memory, mapping
only). File formats are in :mod:`.formats`, generators in :mod:`.generate`.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ...core.errors import InstanceError, SolutionError
from ...core.jsonio import check_keys, default_name

PROBLEM = "memory"

#: A gap: inactive period ``[lo, hi)``; during it the buffer occupies only
#: ``[offset + wlo, offset + whi)`` when a window is given, nothing otherwise.
Gap = tuple[int, int, int | None, int | None]

_GAP = re.compile(r"(-?\d+)-(-?\d+)(?:@(\d+):(\d+))?")


def _int(v: Any, what: str, source: str | None, line: int | None = None) -> int:
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        raise InstanceError(f"{what} must be an integer, got {v!r}", source, line)
    if isinstance(v, float | np.floating) and not float(v).is_integer():
        raise InstanceError(f"{what} must be an integer, got {v!r}", source, line)
    return int(v)


def _num(v: Any, what: str, source: str | None) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        raise InstanceError(f"{what} must be a number, got {v!r}", source)
    x = float(v)
    if not math.isfinite(x):
        raise InstanceError(f"{what} must be finite, got {v!r}", source)
    return x


def parse_gaps(text: str, path: str | None, line: int | None) -> tuple[Gap, ...]:
    """Gaps written as space-separated ``lo-hi`` or ``lo-hi@wlo:whi`` tokens."""
    out: list[Gap] = []
    for tok in text.split():
        m = _GAP.fullmatch(tok)
        if not m:
            raise InstanceError(f"bad gap {tok!r} (expected lo-hi or lo-hi@wlo:whi)", path, line)
        lo, hi = int(m.group(1)), int(m.group(2))
        wlo = int(m.group(3)) if m.group(3) is not None else None
        whi = int(m.group(4)) if m.group(4) is not None else None
        out.append((lo, hi, wlo, whi))
    return tuple(out)


def format_gaps(gaps: tuple[Gap, ...]) -> str:
    """The text form of gaps (see :func:`parse_gaps`)."""
    return " ".join(
        f"{lo}-{hi}" + (f"@{wlo}:{whi}" if wlo is not None else "") for lo, hi, wlo, whi in gaps
    )


@dataclass(frozen=True)
class Buffer:
    """One buffer.

    Attributes:
        id: identifier (a string, unique in the instance).
        lower: first moment it is live.
        upper: first moment it is no longer live (``lower < upper``).
        size: bytes (non-negative).
        alignment: its offset must be a multiple of this (default 1).
        offset: a fixed offset, or ``None`` (free).
        hint: a suggested offset (kept for round trips; not binding), or ``None``.
        gaps: inactive periods ``(lo, hi, wlo, whi)``: during ``[lo, hi)`` the buffer occupies
            ``[offset + wlo, offset + whi)`` if a window is given, nothing otherwise.
    """

    id: str
    lower: int
    upper: int
    size: int
    alignment: int = 1
    offset: int | None = None
    hint: int | None = None
    gaps: tuple[Gap, ...] = ()

    def validate(self, source: str | None = None, line: int | None = None) -> None:
        """Raise :class:`InstanceError` if the buffer is malformed."""
        w = f"buffer {self.id!r}"
        if not isinstance(self.id, str) or not self.id:
            raise InstanceError(
                f"buffer id must be a non-empty string, got {self.id!r}", source, line
            )
        if not self.lower < self.upper:
            raise InstanceError(
                f"{w}: empty lifetime [{self.lower}, {self.upper}) (need lower < upper)",
                source,
                line,
            )
        if self.size < 0:
            raise InstanceError(f"{w}: negative size {self.size}", source, line)
        if self.alignment < 1:
            raise InstanceError(f"{w}: alignment must be >= 1, got {self.alignment}", source, line)
        if self.offset is not None:
            if self.offset < 0:
                raise InstanceError(f"{w}: negative fixed offset {self.offset}", source, line)
            if self.offset % self.alignment:
                raise InstanceError(
                    f"{w}: fixed offset {self.offset} is not a multiple of its alignment "
                    f"{self.alignment}",
                    source,
                    line,
                )
        for lo, hi, wlo, whi in self.gaps:
            if not lo < hi:
                raise InstanceError(f"{w}: empty gap {lo}-{hi}", source, line)
            if wlo is not None and whi is not None and not 0 <= wlo <= whi <= self.size:
                raise InstanceError(f"{w}: gap window {wlo}:{whi} outside the buffer", source, line)

    def rectangles(self) -> list[tuple[int, int, int, int]]:
        """``(t0, t1, x0, x1)`` relative to the offset: where the buffer is, in time and
        space (the live interval minus the gaps, windows included)."""
        if not self.gaps:
            return [(self.lower, self.upper, 0, self.size)]
        out: list[tuple[int, int, int, int]] = []
        t = self.lower
        for lo, hi, wlo, whi in sorted(self.gaps):
            lo, hi = max(lo, self.lower), min(hi, self.upper)
            if lo >= hi:
                continue
            if t < lo:
                out.append((t, lo, 0, self.size))
            if wlo is not None and whi is not None and whi > wlo:
                out.append((lo, hi, wlo, whi))
            t = max(t, hi)
        if t < self.upper:
            out.append((t, self.upper, 0, self.size))
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (optional fields only when set)."""
        d: dict[str, Any] = {
            "id": self.id,
            "lower": self.lower,
            "upper": self.upper,
            "size": self.size,
        }
        if self.alignment != 1:
            d["alignment"] = self.alignment
        if self.offset is not None:
            d["offset"] = self.offset
        if self.hint is not None:
            d["hint"] = self.hint
        if self.gaps:
            d["gaps"] = format_gaps(self.gaps)
        return d


@dataclass(frozen=True)
class Step:
    """One step of a mapping program: compute time and bytes accessed per buffer index.

    ``reads`` and ``writes`` are ``((buffer index, bytes), ...)``; both cost the same.
    """

    compute: float
    reads: tuple[tuple[int, int], ...] = ()
    writes: tuple[tuple[int, int], ...] = ()


def is_solution(solution: Any) -> bool:
    """True for a memory solution (``{"offsets": {...}}`` and nothing else)."""
    return isinstance(solution, dict) and set(solution) == {"offsets"}


def max_load(buffers: tuple[Buffer, ...] | list[Buffer]) -> int:
    """Largest total size of buffers live at one moment (whole live intervals)."""
    events: dict[int, int] = {}
    for b in buffers:
        events[b.lower] = events.get(b.lower, 0) + b.size
        events[b.upper] = events.get(b.upper, 0) - b.size
    best = cur = 0
    for t in sorted(events):
        cur += events[t]
        best = max(best, cur)
    return best


_JSON_KEYS = frozenset(
    {
        "problem",
        "kind",
        "name",
        "capacity",
        "buffers",
        "steps",
        "fast_bandwidth",
        "slow_bandwidth",
        "reference",
    }
)
_BUFFER_KEYS = frozenset({"id", "lower", "upper", "size", "alignment", "offset", "hint", "gaps"})


@dataclass(frozen=True)
class MemoryInstance:
    """What both kinds share: buffers, a capacity, a name; validates itself on construction.

    Use :class:`Allocation` or :class:`Mapping`; :meth:`from_dict` builds the one its JSON's
    ``"kind"`` names.

    Attributes:
        buffers: the buffers.
        capacity: memory capacity (allocation: optional upper bound on the peak; mapping:
            the fast memory's capacity, required).
        name: a name for reports.
        reference: best-known objective, if any.
    """

    problem: ClassVar[str] = PROBLEM
    sense: ClassVar[str] = "min"
    #: The JSON ``"kind"`` of the class.
    kind: ClassVar[str] = ""
    #: What the objective is, in words (reports and plots).
    objective_name: ClassVar[str] = ""
    #: Whether a buffer may stay in slow memory (a ``null`` offset).
    slow_memory: ClassVar[bool] = False

    buffers: tuple[Buffer, ...]
    capacity: int | None = None
    name: str = "memory"
    reference: float | None = None
    source: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        src = self.source
        if type(self) is MemoryInstance:
            raise InstanceError("a memory instance is an Allocation or a Mapping", src)
        object.__setattr__(self, "buffers", tuple(self.buffers))
        seen: set[str] = set()
        for b in self.buffers:
            if not isinstance(b, Buffer):
                raise InstanceError("buffers must be Buffer objects", src)
            b.validate(src)
            if b.id in seen:
                raise InstanceError(f"duplicate buffer id {b.id!r}", src)
            seen.add(b.id)
        if self.capacity is not None:
            cap = _int(self.capacity, "capacity", src)
            if cap < 0:
                raise InstanceError(f"negative capacity {cap}", src)
            object.__setattr__(self, "capacity", cap)
            for b in self.buffers:
                if b.offset is not None and b.offset + b.size > cap:
                    raise InstanceError(
                        f"buffer {b.id!r}: fixed offset {b.offset} + size {b.size} exceeds the "
                        f"capacity {cap}",
                        src,
                    )
        self._validate_kind()
        if not isinstance(self.name, str) or not self.name:
            raise InstanceError("name must be a non-empty string", src)
        if self.reference is not None:
            object.__setattr__(self, "reference", _num(self.reference, "reference", src))

    def _validate_kind(self) -> None:
        """The checks of one kind (after the buffers and the capacity)."""

    # -- derived data -------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of buffers."""
        return len(self.buffers)

    @functools.cached_property
    def index(self) -> dict[str, int]:
        """Buffer id -> position."""
        return {b.id: i for i, b in enumerate(self.buffers)}

    @functools.cached_property
    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(lower, upper, size, alignment, fixed)`` as int64 arrays (``fixed`` -1 if free).

        Solvers use the whole live interval (gaps ignored: conservative, always valid)."""
        lo = np.array([b.lower for b in self.buffers], dtype=np.int64)
        up = np.array([b.upper for b in self.buffers], dtype=np.int64)
        sz = np.array([b.size for b in self.buffers], dtype=np.int64)
        al = np.array([b.alignment for b in self.buffers], dtype=np.int64)
        fx = np.array([-1 if b.offset is None else b.offset for b in self.buffers], np.int64)
        return lo, up, sz, al, fx

    @functools.cached_property
    def max_load(self) -> int:
        """Largest total size live at one moment: a lower bound on the peak (allocation)."""
        return max_load(self.buffers)

    def lower_bound(self) -> float:
        """A valid lower bound on the objective."""
        raise NotImplementedError

    def with_capacity(self, capacity: int | None) -> MemoryInstance:
        """The same instance with another capacity."""
        return dataclasses.replace(self, capacity=capacity)

    # -- check --------------------------------------------------------------------------
    def check(self, solution: dict[str, Any]) -> float:
        """Verify ``{"offsets": {id: offset or null}}``; return the objective (the peak of
        an allocation, the total time of a mapping), recomputed from the solution alone."""
        return self._objective(self._placements(solution))

    def _objective(self, placed: list[tuple[Buffer, int]]) -> float:
        raise NotImplementedError

    def _placements(self, solution: dict[str, Any]) -> list[tuple[Buffer, int]]:
        """The buffers in memory with their offsets, checked (offsets, alignment, fixed
        offsets, capacity, no overlap)."""
        if not isinstance(solution, dict) or not isinstance(solution.get("offsets"), dict):
            raise SolutionError('a memory solution is {"offsets": {"<id>": offset or null}}')
        offs = solution["offsets"]
        unknown = [k for k in offs if k not in self.index]
        if unknown:
            raise SolutionError(f"unknown buffer id {unknown[0]!r} in the solution")
        placed: list[tuple[Buffer, int]] = []
        for b in self.buffers:
            if b.id not in offs:
                raise SolutionError(f"buffer {b.id!r} has no offset")
            o = offs[b.id]
            if o is None:
                if not self.slow_memory:
                    raise SolutionError(
                        f"buffer {b.id!r}: null offset (slow memory) in {self.kind}"
                    )
                if b.offset is not None:
                    raise SolutionError(f"buffer {b.id!r} has fixed offset {b.offset}, not null")
                continue
            if isinstance(o, bool) or not isinstance(o, int | np.integer):
                raise SolutionError(f"buffer {b.id!r}: offset must be an integer, got {o!r}")
            o = int(o)
            if o < 0:
                raise SolutionError(f"buffer {b.id!r}: negative offset {o}")
            if o % b.alignment:
                raise SolutionError(f"buffer {b.id!r}: offset {o} not aligned to {b.alignment}")
            if b.offset is not None and o != b.offset:
                raise SolutionError(f"buffer {b.id!r}: fixed at {b.offset}, placed at {o}")
            if self.capacity is not None and o + b.size > self.capacity:
                raise SolutionError(
                    f"buffer {b.id!r}: offset {o} + size {b.size} exceeds the capacity "
                    f"{self.capacity}"
                )
            placed.append((b, o))
        _check_overlaps(placed)
        return placed

    def describe(self, solution: dict[str, Any]) -> str:
        """A short text report: max load, peak (and, for a mapping, the fast buffers)."""
        offs = solution["offsets"]
        peak = max(
            (offs[b.id] + b.size for b in self.buffers if offs.get(b.id) is not None), default=0
        )
        return "\n".join(
            [
                f"buffers    {self.n} ({self.kind})",
                f"max load   {self.max_load}",
                f"peak       {peak}" + (f" / capacity {self.capacity}" if self.capacity else ""),
            ]
        )

    # -- JSON ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The instance as JSON-ready data."""
        out: dict[str, Any] = {"problem": PROBLEM, "kind": self.kind, "name": self.name}
        out["capacity"] = self.capacity
        out.update(self._json_head())
        out["buffers"] = [b.to_dict() for b in self.buffers]
        out.update(self._json_body())
        if self.reference is not None:
            out["reference"] = self.reference
        return out

    def _json_head(self) -> dict[str, Any]:
        """Kind-specific keys written before the buffers."""
        return {}

    def _json_body(self) -> dict[str, Any]:
        """Kind-specific keys written after the buffers."""
        return {}

    def to_json(self) -> str:
        """The instance as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> MemoryInstance:
        """Build from JSON data (``"problem"`` must be ``"memory"`` if present): an
        :class:`Allocation` or a :class:`Mapping` as ``"kind"`` says (default: allocation;
        on a subclass, that class's kind, and a document of the other kind is an error)."""
        check_keys(data, PROBLEM, "a memory instance", _JSON_KEYS, source)
        default = cls.kind or Allocation.kind
        kind = data.get("kind", default)
        target = KINDS.get(kind) if isinstance(kind, str) else None
        if target is None:
            raise InstanceError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}", source)
        if cls is not MemoryInstance and target is not cls:
            raise InstanceError(f"a {kind} instance, not {cls.kind}", source)
        bufs = _buffers_from_json(data, source)
        name = data.get("name") or default_name(source, "memory")
        return target._from_json(data, bufs, str(name), source)

    @classmethod
    def _from_json(
        cls, data: dict[str, Any], buffers: tuple[Buffer, ...], name: str, source: str | None
    ) -> MemoryInstance:
        raise NotImplementedError


def _buffers_from_json(data: dict[str, Any], source: str | None) -> tuple[Buffer, ...]:
    if not isinstance(data.get("buffers"), list):
        raise InstanceError('missing key "buffers" (a list)', source)
    bufs = []
    for i, d in enumerate(data["buffers"]):
        if not isinstance(d, dict):
            raise InstanceError(f"buffers[{i}] must be an object", source)
        extra = set(d) - _BUFFER_KEYS
        if extra:
            raise InstanceError(f"buffers[{i}]: unknown key(s) {', '.join(sorted(extra))}", source)
        for k in ("lower", "upper", "size"):
            if k not in d:
                raise InstanceError(f'buffers[{i}]: missing key "{k}"', source)
        gaps = d.get("gaps", ())
        bufs.append(
            Buffer(
                id=str(d.get("id", i)),
                lower=_int(d["lower"], f"buffers[{i}].lower", source),
                upper=_int(d["upper"], f"buffers[{i}].upper", source),
                size=_int(d["size"], f"buffers[{i}].size", source),
                alignment=_int(d.get("alignment", 1), f"buffers[{i}].alignment", source),
                offset=None
                if d.get("offset") is None
                else _int(d["offset"], f"buffers[{i}].offset", source),
                hint=None
                if d.get("hint") is None
                else _int(d["hint"], f"buffers[{i}].hint", source),
                gaps=parse_gaps(gaps, source, None) if isinstance(gaps, str) else tuple(gaps),
            )
        )
    return tuple(bufs)


@dataclass(frozen=True)
class Allocation(MemoryInstance):
    """A static allocation instance: every buffer gets an offset; minimise the peak (or,
    with a capacity, keep it within)."""

    kind: ClassVar[str] = "allocation"
    objective_name: ClassVar[str] = "peak"
    slow_memory: ClassVar[bool] = False

    def lower_bound(self) -> float:
        """The max load, or the highest end of a fixed buffer if higher."""
        fixed = max((b.offset + b.size for b in self.buffers if b.offset is not None), default=0)
        return float(max(self.max_load, fixed))

    def _objective(self, placed: list[tuple[Buffer, int]]) -> float:
        return float(max((o + b.size for b, o in placed), default=0))

    @classmethod
    def _from_json(
        cls, data: dict[str, Any], buffers: tuple[Buffer, ...], name: str, source: str | None
    ) -> Allocation:
        if data.get("steps"):
            raise InstanceError("steps are for mapping instances only", source)
        return cls(
            buffers=buffers,
            capacity=data.get("capacity"),
            name=name,
            reference=data.get("reference"),
            source=source,
        )


@dataclass(frozen=True)
class Mapping(MemoryInstance):
    """A memory mapping instance: a program of steps over the buffers; each buffer gets an
    offset in fast memory (of capacity ``capacity``) or stays in slow memory; minimise the
    total time of the steps.

    Attributes:
        steps: the program.
        fast_bandwidth, slow_bandwidth: bytes per time unit (positive).
    """

    kind: ClassVar[str] = "mapping"
    objective_name: ClassVar[str] = "total time"
    slow_memory: ClassVar[bool] = True

    steps: tuple[Step, ...] = ()
    fast_bandwidth: float = 0.0
    slow_bandwidth: float = 0.0

    def _validate_kind(self) -> None:
        src = self.source
        object.__setattr__(self, "steps", tuple(self.steps))
        if self.capacity is None:
            raise InstanceError("a mapping instance needs the fast memory's capacity", src)
        for what in ("fast_bandwidth", "slow_bandwidth"):
            v = getattr(self, what)
            if v is None or _num(v, what, src) <= 0:
                raise InstanceError(f"{what} must be a positive number", src)
            object.__setattr__(self, what, float(v))
        nb = len(self.buffers)
        for i, s in enumerate(self.steps):
            if _num(s.compute, f"step {i}: compute", src) < 0:
                raise InstanceError(f"step {i}: negative compute time", src)
            for j, nbytes in (*s.reads, *s.writes):
                if not 0 <= j < nb:
                    raise InstanceError(f"step {i}: buffer index {j} out of range", src)
                b = self.buffers[j]
                if nbytes < 0:
                    raise InstanceError(f"step {i}: negative bytes for {b.id!r}", src)
                if not b.lower <= i < b.upper:
                    raise InstanceError(
                        f"step {i} accesses buffer {b.id!r}, live only on [{b.lower}, {b.upper})",
                        src,
                    )

    @functools.cached_property
    def _accesses(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(step, buffer, bytes, compute)``: every access in program order (each step's
        reads, then its writes), and the compute time of each step."""
        acc = [(i, j, v) for i, s in enumerate(self.steps) for j, v in (*s.reads, *s.writes)]
        arr = np.array(acc, dtype=np.int64).reshape(-1, 3)
        compute = np.array([float(s.compute) for s in self.steps], dtype=np.float64)
        return arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy(), compute

    def step_times(self, in_fast: np.ndarray) -> np.ndarray:
        """Each step's time given a boolean array "buffer in fast memory": ``max(compute,
        sum of bytes / bandwidth)``, the accesses added in program order."""
        step, buf, nbytes, compute = self._accesses
        bw = np.where(
            np.asarray(in_fast, dtype=bool)[buf], self.fast_bandwidth, self.slow_bandwidth
        )
        mem = np.zeros(len(self.steps), dtype=np.float64)
        np.add.at(mem, step, nbytes / bw)
        times: np.ndarray = np.maximum(compute, mem)
        return times

    def total_time(self, in_fast: np.ndarray) -> float:
        """The objective: the sum of the step times (added in program order) given a boolean
        array "buffer in fast memory". The checker and every method use this."""
        times = self.step_times(in_fast)
        return float(np.cumsum(times)[-1]) if times.size else 0.0

    def lower_bound(self) -> float:
        """The total time with every buffer in fast memory."""
        return self.total_time(np.ones(self.n, dtype=bool))

    def _objective(self, placed: list[tuple[Buffer, int]]) -> float:
        in_fast = np.zeros(self.n, dtype=bool)
        for b, _o in placed:
            in_fast[self.index[b.id]] = True
        return self.total_time(in_fast)

    def describe(self, solution: dict[str, Any]) -> str:
        """The report of :meth:`MemoryInstance.describe`, with the buffers in fast memory and
        the all-slow time."""
        offs = solution["offsets"]
        nf = sum(1 for b in self.buffers if offs.get(b.id) is not None)
        allslow = self.total_time(np.zeros(self.n, dtype=bool))
        return (
            super().describe(solution)
            + f"\nfast       {nf} of {self.n} buffers; all-slow time {allslow:.6g}"
        )

    def _json_head(self) -> dict[str, Any]:
        return {"fast_bandwidth": self.fast_bandwidth, "slow_bandwidth": self.slow_bandwidth}

    def _json_body(self) -> dict[str, Any]:
        ids = [b.id for b in self.buffers]
        return {
            "steps": [
                {
                    "compute": s.compute,
                    "reads": {ids[j]: v for j, v in s.reads},
                    "writes": {ids[j]: v for j, v in s.writes},
                }
                for s in self.steps
            ]
        }

    @classmethod
    def _from_json(
        cls, data: dict[str, Any], buffers: tuple[Buffer, ...], name: str, source: str | None
    ) -> Mapping:
        ids = {b.id: i for i, b in enumerate(buffers)}
        steps = []
        raw_steps = data.get("steps", [])
        if not isinstance(raw_steps, list):
            raise InstanceError('"steps" must be a list', source)
        for i, s in enumerate(raw_steps):
            if not isinstance(s, dict) or "compute" not in s:
                raise InstanceError(f'steps[{i}] must be an object with "compute"', source)
            acc = []
            for key in ("reads", "writes"):
                m = s.get(key, {})
                if not isinstance(m, dict):
                    raise InstanceError(f"steps[{i}].{key} must map buffer ids to bytes", source)
                row = []
                for bid, nbytes in m.items():
                    if bid not in ids:
                        raise InstanceError(f"steps[{i}].{key}: unknown buffer {bid!r}", source)
                    row.append((ids[bid], _int(nbytes, f"steps[{i}].{key}[{bid}]", source)))
                acc.append(tuple(row))
            steps.append(Step(_num(s["compute"], f"steps[{i}].compute", source), *acc))
        return cls(
            buffers=buffers,
            capacity=data.get("capacity"),
            steps=tuple(steps),
            fast_bandwidth=data.get("fast_bandwidth", 0.0),
            slow_bandwidth=data.get("slow_bandwidth", 0.0),
            name=name,
            reference=data.get("reference"),
            source=source,
        )


#: JSON ``"kind"`` -> instance class.
KINDS: dict[str, type[MemoryInstance]] = {Allocation.kind: Allocation, Mapping.kind: Mapping}


def _check_overlaps(placed: list[tuple[Buffer, int]]) -> None:
    """Sweep over time; the active rectangles are disjoint in space, kept sorted by start."""
    events: list[tuple[int, int, int, int, int]] = []  # (t, kind 0=end 1=start, x0, x1, who)
    for k, (b, o) in enumerate(placed):
        for t0, t1, x0, x1 in b.rectangles():
            if x1 > x0:
                events.append((t0, 1, o + x0, o + x1, k))
                events.append((t1, 0, o + x0, o + x1, k))
    events.sort()
    starts: list[int] = []
    owner: dict[int, tuple[int, int]] = {}  # start -> (end, who)
    for _t, kind, x0, x1, who in events:
        if kind == 0:
            i = bisect.bisect_left(starts, x0)
            del starts[i]
            del owner[x0]
            continue
        i = bisect.bisect_right(starts, x0)
        clash = None
        if i > 0 and owner[starts[i - 1]][0] > x0:
            clash = owner[starts[i - 1]][1]
        elif i < len(starts) and starts[i] < x1:
            clash = owner[starts[i]][1]
        if clash is not None:
            a, b = placed[clash][0], placed[who][0]
            raise SolutionError(
                f"buffers {a.id!r} (offset {placed[clash][1]}, live [{a.lower}, {a.upper})) and "
                f"{b.id!r} (offset {placed[who][1]}, live [{b.lower}, {b.upper})) overlap"
            )
        starts.insert(i, x0)
        owner[x0] = (x1, who)
