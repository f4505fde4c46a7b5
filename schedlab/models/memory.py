"""Static memory allocation and memory mapping for ML compilers.

One family, two kinds of instance (the ``kind`` field):

- ``"allocation"`` (TelaMalloc, MiniMalloc): buffers with a live interval ``[lower, upper)``
  (half-open: a buffer ending at ``t`` and one starting at ``t`` do not conflict) and a size
  get an integer offset each, so that buffers live at the same time never overlap in memory.
  The objective is the **peak**, ``max(offset + size)``; with a ``capacity`` the peak must
  not exceed it (the feasibility version is "any solution", the optimisation version
  "smallest peak"). The max load (largest total size live at one moment) is a lower bound.
- ``"mapping"`` (the "mallocGame" of memory mapping by deep RL, 2023): a program of steps,
  each with a compute time and the bytes it reads and writes of each buffer; a fast memory
  of capacity ``capacity`` and bandwidth ``fast_bandwidth``, a slow one of bandwidth
  ``slow_bandwidth``. Each buffer either gets an offset in fast memory (as in allocation) or
  stays in slow memory (offset ``null``). Step time = ``max(compute, fast bytes /
  fast_bandwidth + slow bytes / slow_bandwidth)`` (the cost model of XLA's memory space
  assignment); the objective is the sum of step times. Time coordinates of buffers are step
  indices: step ``i`` runs in ``[i, i + 1)`` and may only touch buffers live at ``i``.

Solution JSON: ``{"offsets": {"<id>": offset or null}}`` (``null``: slow memory, mapping
only).

File formats: the MiniMalloc CSV (``id,lower,upper,size[,alignment][,hint][,gaps][,offset]``;
legacy ``start``/``begin`` for ``lower``, ``buffer``/``buffer_id`` for ``id``, and an inclusive
``end`` column, meaning ``upper = end + 1``), whose capacity comes from the file name's number
(``A.1048576.csv``) or from ``read(..., capacity=C)``; and JSON (both kinds). A given
``offset`` column is read as a fixed placement only with ``read(..., fixed_offsets=True)``;
otherwise it is kept as a hint (the idealloc IREE traces carry a reference placement there).
"""

from __future__ import annotations

import bisect
import csv
import functools
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..core.errors import InstanceError, SolutionError
from ._json import check_keys
from ._text import read_text

PROBLEM = "memory"
KINDS = ("allocation", "mapping")

#: A gap: inactive period ``[lo, hi)``; during it the buffer occupies only
#: ``[offset + wlo, offset + whi)`` when a window is given, nothing otherwise.
Gap = tuple[int, int, int | None, int | None]


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
            d["gaps"] = _format_gaps(self.gaps)
        return d


@dataclass(frozen=True)
class Step:
    """One step of a mapping program: compute time and bytes accessed per buffer index.

    ``reads`` and ``writes`` are ``((buffer index, bytes), ...)``; both cost the same.
    """

    compute: float
    reads: tuple[tuple[int, int], ...] = ()
    writes: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Instance:
    """A memory allocation or mapping instance; validates itself on construction.

    Attributes:
        buffers: the buffers.
        capacity: memory capacity (allocation: optional upper bound on the peak; mapping:
            the fast memory's capacity, required).
        kind: ``"allocation"`` or ``"mapping"``.
        steps: the program (mapping only).
        fast_bandwidth, slow_bandwidth: bytes per time unit (mapping only).
        name: a name for reports.
        reference: best-known objective, if any.
    """

    problem: ClassVar[str] = PROBLEM
    sense: ClassVar[str] = "min"

    buffers: tuple[Buffer, ...]
    capacity: int | None = None
    kind: str = "allocation"
    steps: tuple[Step, ...] = ()
    fast_bandwidth: float | None = None
    slow_bandwidth: float | None = None
    name: str = "memory"
    reference: float | None = None
    source: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        src = self.source
        object.__setattr__(self, "buffers", tuple(self.buffers))
        object.__setattr__(self, "steps", tuple(self.steps))
        if self.kind not in KINDS:
            raise InstanceError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}", src)
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
        if self.kind == "mapping":
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
                            f"step {i} accesses buffer {b.id!r}, live only on "
                            f"[{b.lower}, {b.upper})",
                            src,
                        )
        elif self.steps:
            raise InstanceError("steps are for mapping instances only", src)
        if not isinstance(self.name, str) or not self.name:
            raise InstanceError("name must be a non-empty string", src)
        if self.reference is not None:
            object.__setattr__(self, "reference", _num(self.reference, "reference", src))

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
        """A valid lower bound on the objective (allocation: max load and the highest fixed
        buffer's end; mapping: the time with every buffer in fast memory)."""
        if self.kind == "allocation":
            fixed = max(
                (b.offset + b.size for b in self.buffers if b.offset is not None), default=0
            )
            return float(max(self.max_load, fixed))
        return self.step_times(np.ones(self.n, dtype=bool)).sum()

    def step_times(self, in_fast: np.ndarray) -> np.ndarray:
        """Mapping: each step's time given a boolean array "buffer in fast memory"."""
        fb, sb = float(self.fast_bandwidth or 1.0), float(self.slow_bandwidth or 1.0)
        out = np.empty(len(self.steps))
        for i, s in enumerate(self.steps):
            mem = 0.0
            for j, nbytes in (*s.reads, *s.writes):
                mem += nbytes / (fb if in_fast[j] else sb)
            out[i] = max(s.compute, mem)
        return out

    def with_capacity(self, capacity: int | None) -> Instance:
        """The same instance with another capacity."""
        return Instance(
            buffers=self.buffers,
            capacity=capacity,
            kind=self.kind,
            steps=self.steps,
            fast_bandwidth=self.fast_bandwidth,
            slow_bandwidth=self.slow_bandwidth,
            name=self.name,
            reference=self.reference,
            source=self.source,
        )

    # -- check --------------------------------------------------------------------------
    def check(self, solution: dict[str, Any]) -> float:
        """Verify ``{"offsets": {id: offset or null}}``; return the peak (allocation) or the
        total time (mapping), recomputed from the solution alone."""
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
                if self.kind == "allocation":
                    raise SolutionError(f"buffer {b.id!r}: null offset (slow memory) in allocation")
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
        if self.kind == "allocation":
            return float(max((o + b.size for b, o in placed), default=0))
        fast = {b.id for b, _ in placed}
        total = 0.0
        for s in self.steps:
            mem = 0.0
            for j, nbytes in (*s.reads, *s.writes):
                b = self.buffers[j]
                mem += nbytes / (self.fast_bandwidth if b.id in fast else self.slow_bandwidth)
            total += max(s.compute, mem)
        return float(total)

    def describe(self, solution: dict[str, Any]) -> str:
        """A short text report: lower bound, peak, buffers in fast memory."""
        offs = solution["offsets"]
        peak = max(
            (offs[b.id] + b.size for b in self.buffers if offs.get(b.id) is not None), default=0
        )
        lines = [
            f"buffers    {self.n} ({self.kind})",
            f"max load   {self.max_load}",
            f"peak       {peak}" + (f" / capacity {self.capacity}" if self.capacity else ""),
        ]
        if self.kind == "mapping":
            nf = sum(1 for b in self.buffers if offs.get(b.id) is not None)
            allslow = self.step_times(np.zeros(self.n, dtype=bool)).sum()
            lines.append(f"fast       {nf} of {self.n} buffers; all-slow time {allslow:.6g}")
        return "\n".join(lines)

    # -- JSON ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The instance as JSON-ready data."""
        out: dict[str, Any] = {"problem": PROBLEM, "kind": self.kind, "name": self.name}
        out["capacity"] = self.capacity
        if self.kind == "mapping":
            out["fast_bandwidth"] = self.fast_bandwidth
            out["slow_bandwidth"] = self.slow_bandwidth
        out["buffers"] = [b.to_dict() for b in self.buffers]
        if self.kind == "mapping":
            ids = [b.id for b in self.buffers]
            out["steps"] = [
                {
                    "compute": s.compute,
                    "reads": {ids[j]: v for j, v in s.reads},
                    "writes": {ids[j]: v for j, v in s.writes},
                }
                for s in self.steps
            ]
        if self.reference is not None:
            out["reference"] = self.reference
        return out

    def to_json(self) -> str:
        """The instance as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Instance:
        """Build from JSON data (``"problem"`` must be ``"memory"`` if present)."""
        allowed = {
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
        check_keys(data, PROBLEM, "a memory instance", allowed, source)
        if not isinstance(data.get("buffers"), list):
            raise InstanceError('missing key "buffers" (a list)', source)
        bufs = []
        for i, d in enumerate(data["buffers"]):
            if not isinstance(d, dict):
                raise InstanceError(f"buffers[{i}] must be an object", source)
            extra = set(d) - {"id", "lower", "upper", "size", "alignment", "offset", "hint", "gaps"}
            if extra:
                raise InstanceError(
                    f"buffers[{i}]: unknown key(s) {', '.join(sorted(extra))}", source
                )
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
                    gaps=_parse_gaps(gaps, source, None) if isinstance(gaps, str) else tuple(gaps),
                )
            )
        kind = data.get("kind", "allocation")
        ids = {b.id: i for i, b in enumerate(bufs)}
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
        name = data.get("name") or (Path(source).stem if source and source[0] != "<" else "memory")
        return cls(
            buffers=tuple(bufs),
            capacity=data.get("capacity"),
            kind=kind,
            steps=tuple(steps),
            fast_bandwidth=data.get("fast_bandwidth"),
            slow_bandwidth=data.get("slow_bandwidth"),
            name=str(name),
            reference=data.get("reference"),
            source=source,
        )


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


# -- CSV (MiniMalloc format) ---------------------------------------------------------------
_ALIASES = {
    "id": "id",
    "buffer": "id",
    "buffer_id": "id",
    "lower": "lower",
    "start": "lower",
    "begin": "lower",
    "upper": "upper",
    "end": "end",
    "size": "size",
    "alignment": "alignment",
    "hint": "hint",
    "gaps": "gaps",
    "offset": "offset",
}
_CAP_NAME = re.compile(r"\.(\d+)\.csv$", re.IGNORECASE)
_GAP = re.compile(r"(-?\d+)-(-?\d+)(?:@(\d+):(\d+))?")


def _header(line: str) -> list[str]:
    return [c.strip().lower() for c in line.strip().lstrip("\ufeff").split(",")]


def sniff(path: str, head: str) -> bool:
    """True for a MiniMalloc CSV: the header starts with id/buffer/buffer_id and names a
    lower/start/begin column and a size column."""
    first = next((ln for ln in head.splitlines() if ln.strip()), "")
    cols = _header(first)
    return (
        len(cols) >= 4
        and cols[0] in ("id", "buffer", "buffer_id")
        and any(c in cols for c in ("lower", "start", "begin"))
        and "size" in cols
    )


def _parse_gaps(text: str, path: str | None, line: int | None) -> tuple[Gap, ...]:
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


def _format_gaps(gaps: tuple[Gap, ...]) -> str:
    return " ".join(
        f"{lo}-{hi}" + (f"@{wlo}:{whi}" if wlo is not None else "") for lo, hi, wlo, whi in gaps
    )


def capacity_from_name(path: str) -> int | None:
    """The capacity in a MiniMalloc file name (``A.1048576.csv`` -> 1048576), or ``None``."""
    m = _CAP_NAME.search(Path(path).name)
    return int(m.group(1)) if m else None


def read(
    path: str,
    index: int | None = None,
    *,
    capacity: int | None = None,
    fixed_offsets: bool = False,
) -> Instance:
    """Read a MiniMalloc CSV. ``capacity`` overrides the file name's number; an ``offset``
    column is a fixed placement only with ``fixed_offsets`` (otherwise kept as the hint)."""
    if index not in (None, 1):
        raise InstanceError(f"instance #{index} out of range: the file holds 1", path)
    text = read_text(path)
    return parse_csv(text, path, capacity=capacity, fixed_offsets=fixed_offsets)


def parse_csv(
    text: str,
    path: str = "<csv>",
    *,
    capacity: int | None = None,
    fixed_offsets: bool = False,
    name: str | None = None,
) -> Instance:
    """Parse MiniMalloc CSV text (see :func:`read`)."""
    lines = text.splitlines()
    hline = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if hline is None:
        raise InstanceError("empty file", path)
    raw = _header(lines[hline])
    cols: list[str] = []
    for c in raw:
        if c not in _ALIASES:
            raise InstanceError(f"unknown column {c!r}", path, hline + 1)
        cols.append(_ALIASES[c])
    for need in ("id", "lower", "size"):
        if need not in cols:
            raise InstanceError(f"missing column {need!r}", path, hline + 1)
    if ("upper" in cols) == ("end" in cols):
        raise InstanceError("need exactly one of the columns 'upper' and 'end'", path, hline + 1)
    if len(set(cols)) != len(cols):
        raise InstanceError("duplicate column", path, hline + 1)
    pos = {c: i for i, c in enumerate(cols)}
    bufs: list[Buffer] = []
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO("\n".join(lines[hline + 1 :])))
    for k, row in enumerate(reader):
        lineno = hline + 2 + k
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(cols):
            raise InstanceError(f"expected {len(cols)} fields, found {len(row)}", path, lineno)

        def num(
            col: str, default: int | None = None, row: list[str] = row, ln: int = lineno
        ) -> Any:
            if col not in pos or not row[pos[col]].strip():
                if default is None and col in ("lower", "size", "upper", "end"):
                    raise InstanceError(f"empty {col}", path, ln)
                return default
            tok = row[pos[col]].strip()
            try:
                return int(tok)
            except ValueError:
                raise InstanceError(
                    f"{col}: expected an integer, found {tok!r}", path, ln
                ) from None

        bid = row[pos["id"]].strip()
        if not bid:
            raise InstanceError("empty id", path, lineno)
        if bid in seen:
            raise InstanceError(
                f"duplicate buffer id {bid!r} (first on line {seen[bid]})", path, lineno
            )
        seen[bid] = lineno
        lower = num("lower")
        upper = num("upper") if "upper" in pos else num("end") + 1
        off = num("offset", -1)
        hint = num("hint", -1)
        if off is not None and off >= 0 and not fixed_offsets:
            hint, off = off, -1
        gaps = _parse_gaps(row[pos["gaps"]], path, lineno) if "gaps" in pos else ()
        b = Buffer(
            id=bid,
            lower=lower,
            upper=upper,
            size=num("size"),
            alignment=num("alignment", 1),
            offset=None if off is None or off < 0 else off,
            hint=None if hint is None or hint < 0 else hint,
            gaps=gaps,
        )
        b.validate(path, lineno)
        bufs.append(b)
    if capacity is None:
        capacity = capacity_from_name(path)
    label = name or Path(path).name.removesuffix(".csv")
    return Instance(buffers=tuple(bufs), capacity=capacity, name=label, source=path)


def to_csv(inst: Instance, solution: dict[str, Any] | None = None) -> str:
    """The instance as MiniMalloc CSV; with a solution, its ``offset`` column filled (the
    form MiniMalloc writes). Slow-memory buffers (mapping) get offset -1."""
    has = {
        "alignment": any(b.alignment != 1 for b in inst.buffers),
        "hint": any(b.hint is not None for b in inst.buffers) and solution is None,
        "gaps": any(b.gaps for b in inst.buffers),
        "offset": solution is not None or any(b.offset is not None for b in inst.buffers),
    }
    cols = ["id", "lower", "upper", "size"] + [c for c in has if has[c]]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(cols)
    offs = solution["offsets"] if solution is not None else {}
    for b in inst.buffers:
        row: list[Any] = [b.id, b.lower, b.upper, b.size]
        if has["alignment"]:
            row.append(b.alignment)
        if has["hint"]:
            row.append(-1 if b.hint is None else b.hint)
        if has["gaps"]:
            row.append(_format_gaps(b.gaps))
        if has["offset"]:
            o = offs.get(b.id, b.offset) if solution is not None else b.offset
            row.append(-1 if o is None else int(o))
        w.writerow(row)
    return out.getvalue()


def write_csv(inst: Instance, path: str, solution: dict[str, Any] | None = None) -> None:
    """Write :func:`to_csv` to a file."""
    Path(path).write_text(to_csv(inst, solution))


def read_solution_csv(inst: Instance, path: str) -> dict[str, Any]:
    """Read a solved MiniMalloc CSV (with ``offset``) as a solution for ``inst``."""
    solved = parse_csv(read_text(path), path, fixed_offsets=True)
    offs: dict[str, int | None] = {}
    for b in solved.buffers:
        offs[b.id] = b.offset
    return {"offsets": offs}


# -- mapping generator ---------------------------------------------------------------------
def generate_mapping(
    steps: int = 200,
    structure: str = "mixed",
    capacity_fraction: float = 0.25,
    seed: int = 0,
    name: str | None = None,
    *,
    bandwidth_ratio: float = 8.0,
    intensity: dict[str, tuple[float, float]] | None = None,
    weights: str = "step",
) -> Instance:
    """A realistic mapping program, seeded.

    ``structure``: ``"chain"`` (conv-like chain with skip connections every few layers),
    ``"transformer"`` (blocks of layer norm, q/k/v projections, attention, MLP and residual
    adds) or ``"mixed"`` (both, alternating by segment). Each op is one step: it reads its
    inputs (activations, and a weight buffer prefetched for that step) and writes its output;
    an activation lives from its producer to its last consumer. Compute time is FLOPs / peak
    (compute = bytes touched / slow bandwidth x an intensity drawn per op kind: element-wise
    ops stay memory-bound, matmuls become compute-bound once in fast memory). Sizes in bytes
    (multiples of 1 KiB). Capacity = ``capacity_fraction`` x the max load.

    Variants (the defaults give the bundled benchmark programs): ``bandwidth_ratio`` = fast
    / slow bandwidth (8); ``intensity`` replaces the (low, high) range of some op kinds
    (``eltwise`` 0.03-0.1, ``matmul`` 0.2-0.9, ``attention`` 0.1-0.4; e.g. matmuls of
    0.03-0.1 model batch-1 decoding, memory-bound throughout); ``weights``: ``"step"`` (a
    weight buffer lives on its step only) or ``"parameter"`` (from step 0 to its use, as XLA's
    liveness treats entry parameters).
    """
    if steps < 2:
        raise InstanceError("a program needs at least 2 steps")
    if structure not in ("chain", "transformer", "mixed"):
        raise InstanceError(f"structure must be chain, transformer or mixed, got {structure!r}")
    if not 0 < capacity_fraction <= 1:
        raise InstanceError("capacity_fraction must lie in (0, 1]")
    if not bandwidth_ratio >= 1:
        raise InstanceError(f"bandwidth_ratio must be at least 1, got {bandwidth_ratio}")
    if weights not in ("step", "parameter"):
        raise InstanceError(f"weights must be step or parameter, got {weights!r}")
    # arithmetic intensity: compute time / (bytes touched / slow bandwidth), per op kind
    kinds = {"eltwise": (0.03, 0.1), "matmul": (0.2, 0.9), "attention": (0.1, 0.4)}
    for kind, span in (intensity or {}).items():
        if kind not in kinds:
            raise InstanceError(f"intensity: unknown op kind {kind!r} (known: {', '.join(kinds)})")
        low, high = span
        if not 0 <= low <= high:
            raise InstanceError(f"intensity of {kind}: need 0 <= low <= high, got {span}")
        kinds[kind] = (float(low), float(high))
    rng = np.random.default_rng(seed)
    kib = 1024
    slow_bw = 64.0 * kib  # bytes per time unit
    fast_bw = slow_bw * float(bandwidth_ratio)

    # ops: (compute, inputs (op numbers), weight size or 0, output size)
    ops: list[tuple[float, list[int], int, int]] = []
    out_size: list[int] = []  # size of each op's output buffer, indexed by op number

    def add(kind: str, inputs: list[int], wsize: int, osize: int) -> int:
        touched = sum(out_size[j] for j in inputs) + wsize + osize
        lo, hi = kinds[kind]
        compute = touched / slow_bw * float(rng.uniform(lo, hi))
        ops.append((round(compute, 6), inputs, wsize, osize))
        out_size.append(osize)
        return len(ops) - 1

    def chain_segment(x: int, length: int) -> int:
        width = int(rng.choice([64, 128, 256, 512])) * kib
        skip = x
        for k in range(length):
            if len(ops) >= steps:
                break
            inp = [x] if x >= 0 else []
            if k % 4 == 3 and skip >= 0:
                x = add("eltwise", [x, skip], 0, out_size[x])  # residual add
                skip = x
            elif rng.random() < 0.55:
                w = int(rng.integers(16, 257)) * kib
                osz = max(kib, int(width * rng.choice([0.5, 1, 1, 2])))
                x = add("matmul", inp, w, osz)  # convolution
            else:
                x = add("eltwise", inp, 0, out_size[x] if x >= 0 else width)
        return x

    def transformer_block(x: int) -> int:
        h = int(rng.choice([128, 256, 384])) * kib
        w = int(rng.choice([64, 128, 192])) * kib
        res = x
        ln = add("eltwise", [x] if x >= 0 else [], 0, h)  # layer norm
        q, k, v = (add("matmul", [ln], w, h) for _ in range(3))
        s = add("attention", [q, k], 0, h // 2)  # scores
        s = add("eltwise", [s], 0, h // 2)  # softmax
        a = add("attention", [s, v], 0, h)
        p = add("matmul", [a], w, h)
        x = add("eltwise", [p, res] if res >= 0 else [p], 0, h)  # residual add
        res = x
        x = add("eltwise", [x], 0, h)  # layer norm
        u = add("matmul", [x], 2 * w, 4 * h)
        g = add("eltwise", [u], 0, 4 * h)  # gelu
        d = add("matmul", [g], 2 * w, h)
        return add("eltwise", [d, res], 0, h)  # residual add

    x = -1
    seg = 0
    while len(ops) < steps:
        use_tf = structure == "transformer" or (structure == "mixed" and seg % 2 == 1)
        x = transformer_block(x) if use_tf else chain_segment(x, int(rng.integers(8, 25)))
        seg += 1
    ops = ops[:steps]

    # buffers: one output per op (live from its step to its last reader + 1), one weight per
    # op that has one (on its step, or from step 0 to it)
    last_use = list(range(len(ops)))
    for i, (_c, inputs, _w, _o) in enumerate(ops):
        for j in inputs:
            last_use[j] = max(last_use[j], i)
    buffers: list[Buffer] = []
    out_buf: dict[int, int] = {}
    wbuf: dict[int, int] = {}
    for i, (_c, _inputs, wsize, osize) in enumerate(ops):
        if wsize:
            wbuf[i] = len(buffers)
            wlo = 0 if weights == "parameter" else i
            buffers.append(Buffer(id=f"w{i}", lower=wlo, upper=i + 1, size=wsize))
        out_buf[i] = len(buffers)
        buffers.append(Buffer(id=f"a{i}", lower=i, upper=last_use[i] + 1, size=osize))
    step_list = []
    for i, (compute, inputs, _w, _o) in enumerate(ops):
        reads = [(out_buf[j], buffers[out_buf[j]].size) for j in inputs]
        if i in wbuf:
            reads.append((wbuf[i], buffers[wbuf[i]].size))
        writes = [(out_buf[i], buffers[out_buf[i]].size)]
        step_list.append(Step(compute, tuple(reads), tuple(writes)))
    cap = int(capacity_fraction * max_load(buffers))
    variant = "" if bandwidth_ratio == 8 else f"_bw{bandwidth_ratio:g}"
    variant += "".join(f"_{k[0]}{lo:g}-{hi:g}" for k, (lo, hi) in (intensity or {}).items())
    variant += "_par" if weights == "parameter" else ""
    label = name or (
        f"map_{structure}_n{steps}_c{int(round(100 * capacity_fraction))}_s{seed}{variant}"
    )
    return Instance(
        buffers=tuple(buffers),
        capacity=cap,
        kind="mapping",
        steps=tuple(step_list),
        fast_bandwidth=fast_bw,
        slow_bandwidth=slow_bw,
        name=label,
    )


def generate_allocation(
    n: int = 50, horizon: int = 100, slack: float = 0.0, seed: int = 0, name: str | None = None
) -> Instance:
    """Random allocation instance: ``n`` buffers on ``[0, horizon)``; capacity = max load x
    (1 + slack) (``slack < 0``: no capacity, minimum-peak version)."""
    if n < 1 or horizon < 2:
        raise InstanceError("need n >= 1 and horizon >= 2")
    rng = np.random.default_rng(seed)
    bufs = []
    for i in range(n):
        lo = int(rng.integers(0, horizon - 1))
        up = int(rng.integers(lo + 1, min(horizon, lo + 1 + max(2, horizon // 4)) + 1))
        bufs.append(Buffer(id=str(i), lower=lo, upper=up, size=int(rng.integers(1, 33))))
    cap = None if slack < 0 else int(math.ceil(max_load(bufs) * (1 + slack)))
    return Instance(buffers=tuple(bufs), capacity=cap, name=name or f"alloc_n{n}_s{seed}")
