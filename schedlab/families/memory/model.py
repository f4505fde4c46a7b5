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

A buffer id is an integer or a non-empty string, kept as given (an int id stays an int);
``str(id)`` must be unique in an instance (an int ``3`` and a string ``"3"`` clash).

Solution JSON: ``{"offsets": {"<id>": offset or null}, "offset_list": [offset or null, ...]}``
(``null``: slow memory, mapping only). ``offsets`` is keyed by the ids (in Python the ids as
given; after a JSON round trip their strings, which the checker maps back); ``offset_list``
(optional when reading) holds the same offsets in the instance's buffer order, and must agree
with ``offsets`` when given. File formats are in :mod:`.formats`, generators in
:mod:`.generate`, the JSON Schemas in ``schemas/``.

Numbers: every integer must fit in 64 bits, and the memory the solvers may address (the
highest fixed end plus the sum of ``size + alignment - 1``) must stay below
:data:`ADDRESS_LIMIT` (2**62), so that no solver's arithmetic overflows.
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
from ...core.schema import stamp, unstamp, version_error

PROBLEM = "memory"

#: The range of the integers of an instance (64-bit words).
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
#: The memory the solvers may address: the highest fixed end plus the sum over the buffers of
#: ``size + alignment - 1`` must stay below it (the solvers add offsets, sizes and totals in
#: 64-bit integers, and the exact search keeps 2**62 as its "infinity").
ADDRESS_LIMIT = 2**62

#: A gap: inactive period ``[lo, hi)``; during it the buffer occupies only
#: ``[offset + wlo, offset + whi)`` when a window is given, nothing otherwise.
Gap = tuple[int, int, int | None, int | None]

#: A buffer id: an integer or a non-empty string.
BufferId = int | str

_GAP = re.compile(r"(-?\d+)-(-?\d+)(?:@(\d+):(\d+))?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: The keys of a solution document.
SOLUTION_KEYS = frozenset({"offsets", "offset_list", "schema_version"})
#: With at most this many pairs of rectangles live at the same time, the checker compares
#: them all at once (numpy); with more, it sweeps over time.
_MAX_PAIRS = 1 << 20


@dataclass(frozen=True)
class _Shapes:
    """The checker's precomputed data of an instance (see ``MemoryInstance._shapes``)."""

    who: np.ndarray  # the buffer of each rectangle
    t0: np.ndarray
    t1: np.ndarray
    rel: tuple[np.ndarray, np.ndarray] | None  # x0, x1 relative to the offset (gaps only)
    dense: bool  # one rectangle per buffer, in buffer order (no gaps, no empty buffer)
    pairs: tuple[np.ndarray, np.ndarray] | None  # rectangles live at the same time
    room: np.ndarray  # the highest offset of each buffer (capacity and 64 bits)
    aligned: bool  # every alignment is 1
    fixed: bool  # some buffer has a fixed offset


def _fail(
    msg: str, what: str | None, source: str | None, line: int | None, path: str | None
) -> InstanceError:
    """An error naming the field by its JSON ``path`` if given, else by ``what``."""
    if path is not None or what is None:
        return InstanceError(msg, source, line, path=path)
    return InstanceError(f"{what} {msg}", source, line)


def _int(
    v: Any,
    what: str | None,
    source: str | None = None,
    line: int | None = None,
    path: str | None = None,
) -> int:
    """``v`` as an int: an integer (or an integral float) within 64 bits; anything else (a
    bool, a string, NaN, infinity, a fraction, beyond int64) is an :class:`InstanceError`
    naming the field (its JSON ``path``, else ``what``)."""
    if type(v) is int:
        x = v
    elif isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        raise _fail(f"must be an integer, got {v!r}", what, source, line, path)
    elif isinstance(v, float | np.floating):
        f = float(v)
        if not math.isfinite(f) or not f.is_integer():
            raise _fail(f"must be an integer, got {v!r}", what, source, line, path)
        x = int(f)
    else:
        x = int(v)
    if not INT64_MIN <= x <= INT64_MAX:
        raise _fail(f"must fit in 64 bits, got {x}", what, source, line, path)
    return x


def _num(v: Any, what: str | None, source: str | None, path: str | None = None) -> float:
    """``v`` as a finite float (a bool, a string, NaN or infinity is an
    :class:`InstanceError` naming the field)."""
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        raise _fail(f"must be a number, got {v!r}", what, source, None, path)
    try:
        x = float(v)
    except OverflowError:
        raise _fail(f"must be a finite number, got {v!r}", what, source, None, path) from None
    if not math.isfinite(x):
        raise _fail(f"must be finite, got {v!r}", what, source, None, path)
    return x


def _id(v: Any, what: str | None, source: str | None = None, path: str | None = None) -> BufferId:
    """A buffer id: a non-empty string or an integer within 64 bits (kept as given)."""
    if isinstance(v, str):
        if not v:
            raise _fail(
                "must be a non-empty string or an integer, got ''", what, source, None, path
            )
        return v
    if isinstance(v, bool) or not isinstance(v, int | np.integer):
        raise _fail(
            f"must be a non-empty string or an integer, got {v!r}", what, source, None, path
        )
    return _int(v, what, source, None, path)


def json_key(key: BufferId) -> str:
    """A JSON path step for an object key: ``.name``, or ``["any key"]``."""
    k = str(key)
    return f".{k}" if _IDENT.fullmatch(k) else f"[{json.dumps(k)}]"


def parse_gaps(text: str, path: str | None, line: int | None) -> tuple[Gap, ...]:
    """Gaps written as space-separated ``lo-hi`` or ``lo-hi@wlo:whi`` tokens."""
    out: list[Gap] = []
    for tok in text.split():
        m = _GAP.fullmatch(tok)
        if not m:
            raise InstanceError(f"bad gap {tok!r} (expected lo-hi or lo-hi@wlo:whi)", path, line)
        vals = [None if g is None else int(g) for g in m.groups()]
        for v in vals:
            if v is not None and not INT64_MIN <= v <= INT64_MAX:
                raise InstanceError(f"gap {tok!r}: {v} does not fit in 64 bits", path, line)
        lo, hi, wlo, whi = vals
        assert lo is not None and hi is not None
        out.append((lo, hi, wlo, whi))
    return tuple(out)


def format_gaps(gaps: tuple[Gap, ...]) -> str:
    """The text form of gaps (see :func:`parse_gaps`)."""
    return " ".join(
        f"{lo}-{hi}" + (f"@{wlo}:{whi}" if wlo is not None else "") for lo, hi, wlo, whi in gaps
    )


def _gaps(v: Any, what: str, source: str | None = None, path: str | None = None) -> tuple[Gap, ...]:
    """Gaps from their text form or a sequence of ``(lo, hi)`` / ``(lo, hi, wlo, whi)``."""
    if isinstance(v, str):
        try:
            return parse_gaps(v, source, None)
        except InstanceError as e:
            raise _fail(e.message, what + ":", source, None, path) from None
    if not isinstance(v, list | tuple):
        raise _fail(f"must be a string or a list of gaps, got {v!r}", what, source, None, path)
    out: list[Gap] = []
    for k, g in enumerate(v):
        p = None if path is None else f"{path}[{k}]"
        w = f"{what}[{k}]"
        if not isinstance(g, list | tuple) or len(g) not in (2, 4):
            raise _fail(
                f"must be [lo, hi] or [lo, hi, wlo, whi], got {g!r}", w, source, None, path=p
            )
        lo, hi = _int(g[0], w, source, None, p), _int(g[1], w, source, None, p)
        if len(g) == 4 and (g[2] is not None or g[3] is not None):
            out.append((lo, hi, _int(g[2], w, source, None, p), _int(g[3], w, source, None, p)))
        else:
            out.append((lo, hi, None, None))
    return tuple(out)


@dataclass(frozen=True)
class Buffer:
    """One buffer.

    Attributes:
        id: identifier: a non-empty string or an integer, unique in the instance (as
            ``str(id)``); kept as given.
        lower: first moment it is live.
        upper: first moment it is no longer live (``lower < upper``).
        size: bytes (non-negative).
        alignment: its offset must be a multiple of this (default 1).
        offset: a fixed offset, or ``None`` (free).
        hint: a suggested offset (kept for round trips; not binding), or ``None``.
        gaps: inactive periods ``(lo, hi, wlo, whi)``: during ``[lo, hi)`` the buffer occupies
            ``[offset + wlo, offset + whi)`` if a window is given, nothing otherwise (the
            text form ``"lo-hi@wlo:whi ..."`` and ``(lo, hi)`` pairs are accepted).

    Every number must be an integer within 64 bits: a bool, a string (``"16"``), NaN or a
    fraction is an :class:`InstanceError` naming the field (integral floats and numpy
    integers are taken as ints). The other rules (``lower < upper``, sizes, alignment) are
    checked by :meth:`validate`, which the instance runs.
    """

    id: BufferId
    lower: int
    upper: int
    size: int
    alignment: int = 1
    offset: int | None = None
    hint: int | None = None
    gaps: tuple[Gap, ...] = ()

    def __post_init__(self) -> None:
        bid = _id(self.id, "buffer id")
        w = f"buffer {bid!r}:"
        put = object.__setattr__
        if type(self.id) is not type(bid):
            put(self, "id", bid)
        for name in ("lower", "upper", "size", "alignment"):
            v = getattr(self, name)
            if type(v) is not int or not INT64_MIN <= v <= INT64_MAX:
                put(self, name, _int(v, f"{w} {name}"))
        for name in ("offset", "hint"):
            v = getattr(self, name)
            if v is not None and (type(v) is not int or not INT64_MIN <= v <= INT64_MAX):
                put(self, name, _int(v, f"{w} {name}"))
        if self.gaps:
            put(self, "gaps", _gaps(self.gaps, f"{w} gaps"))
        elif not isinstance(self.gaps, tuple):
            put(self, "gaps", ())

    def validate(
        self, source: str | None = None, line: int | None = None, path: str | None = None
    ) -> None:
        """Raise :class:`InstanceError` if the buffer is malformed (``path``: the buffer's
        JSON path, e.g. ``$.buffers[3]``, to name the bad field by its own)."""
        w = f"buffer {self.id!r}"

        def err(msg: str, name: str) -> InstanceError:
            return InstanceError(msg, source, line, path=None if path is None else f"{path}.{name}")

        if not self.lower < self.upper:
            raise err(
                f"{w}: empty lifetime [{self.lower}, {self.upper}) (need lower < upper)", "upper"
            )
        if self.upper - self.lower > INT64_MAX:
            raise err(f"{w}: lifetime [{self.lower}, {self.upper}) longer than 2**63 - 1", "upper")
        if self.size < 0:
            raise err(f"{w}: negative size {self.size}", "size")
        if self.alignment < 1:
            raise err(f"{w}: alignment must be >= 1, got {self.alignment}", "alignment")
        if self.offset is not None:
            if self.offset < 0:
                raise err(f"{w}: negative fixed offset {self.offset}", "offset")
            if self.offset % self.alignment:
                raise err(
                    f"{w}: fixed offset {self.offset} is not a multiple of its alignment "
                    f"{self.alignment}",
                    "offset",
                )
        for lo, hi, wlo, whi in self.gaps:
            if not lo < hi:
                raise err(f"{w}: empty gap {lo}-{hi}", "gaps")
            if wlo is not None and whi is not None and not 0 <= wlo <= whi <= self.size:
                raise err(f"{w}: gap window {wlo}:{whi} outside the buffer", "gaps")

    def rectangles(self) -> list[tuple[int, int, int, int]]:
        """``(t0, t1, x0, x1)`` relative to the offset: where the buffer is, in time and
        space (the live interval minus the gaps, windows included)."""
        if not self.gaps:
            return [(self.lower, self.upper, 0, self.size)]
        out: list[tuple[int, int, int, int]] = []
        t = self.lower
        for lo, hi, wlo, whi in sorted(self.gaps, key=lambda g: (g[0], g[1])):
            lo, hi = max(lo, self.lower), min(hi, self.upper)
            if lo >= hi:
                continue
            if t < lo:
                out.append((t, lo, 0, self.size))
            if wlo is not None and whi is not None and whi > wlo:
                out.append((max(lo, t), hi, wlo, whi))
            t = max(t, hi)
        if t < self.upper:
            out.append((t, self.upper, 0, self.size))
        return [r for r in out if r[0] < r[1]]

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
    """True for a memory solution (``{"offsets": {...}}``, optionally with ``offset_list``
    and ``schema_version``, and nothing else)."""
    if isinstance(solution, dict) and isinstance(solution.get("fast"), dict):
        # an msa solution (see .msa)
        return all(k in ("fast", "schema_version") for k in solution)
    return (
        isinstance(solution, dict)
        and isinstance(solution.get("offsets"), dict)
        and all(k in SOLUTION_KEYS for k in solution)
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


_JSON_KEYS = frozenset(
    {
        "schema_version",
        "problem",
        "kind",
        "name",
        "capacity",
        "buffers",
        "steps",
        "fast_bandwidth",
        "slow_bandwidth",
        "reference",
        # the msa kind only (see .msa)
        "copy_bandwidth",
        "copy_engines",
        "max_outstanding_prefetches",
        "evictions",
    }
)
#: The keys of the msa kind only (:mod:`.msa`).
_MSA_ONLY = ("copy_bandwidth", "copy_engines", "max_outstanding_prefetches", "evictions")
_MAPPING_ONLY = ("steps", "fast_bandwidth", "slow_bandwidth")
_BUFFER_KEYS = frozenset({"id", "lower", "upper", "size", "alignment", "offset", "hint", "gaps"})
_STEP_KEYS = frozenset({"compute", "reads", "writes"})
#: The keys of a buffer that :func:`_buffers_from_json` builds without conversions.
_PLAIN_KEYS = frozenset({"id", "lower", "upper", "size", "alignment"})


@dataclass(frozen=True)
class MemoryInstance:
    """What both kinds share: buffers, a capacity, a name; validates itself on construction.

    Use :class:`Allocation` or :class:`Mapping`; :meth:`from_dict` builds the one its JSON's
    ``"kind"`` names. Errors name the bad field by its JSON path (``$.buffers[3].size``),
    which is also its path in the object (``buffers[3].size``).

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
        if not isinstance(self.buffers, list | tuple):
            raise InstanceError(
                f"buffers must be a sequence of Buffer objects, got {type(self.buffers).__name__}",
                src,
                path="$.buffers",
            )
        object.__setattr__(self, "buffers", tuple(self.buffers))
        seen: dict[str, int] = {}
        need = 0  # the memory the solvers may address (see ADDRESS_LIMIT)
        top = 0
        for i, b in enumerate(self.buffers):
            p = f"$.buffers[{i}]"
            if not isinstance(b, Buffer):
                raise InstanceError(f"must be a Buffer, got {type(b).__name__}", src, path=p)
            b.validate(src, path=p)
            key = b.id if type(b.id) is str else str(b.id)
            j = seen.get(key)
            if j is not None:
                raise InstanceError(
                    f"duplicate buffer id {b.id!r} (buffers[{j}] has id {self.buffers[j].id!r})",
                    src,
                    path=f"{p}.id",
                )
            seen[key] = i
            need += b.size + b.alignment - 1
            grew = "size"
            if b.offset is not None and b.offset + b.size > top:
                top = b.offset + b.size
                grew = "offset"
            if need + top >= ADDRESS_LIMIT:
                raise InstanceError(
                    "the sizes (plus alignments and the highest fixed end) add up to "
                    f"{need + top} or more, beyond the 2**62 the solvers can address",
                    src,
                    path=f"{p}.{grew}",
                )
        if self.capacity is not None:
            cap = _int(self.capacity, None, src, path="$.capacity")
            if cap < 0:
                raise InstanceError(f"negative capacity {cap}", src, path="$.capacity")
            object.__setattr__(self, "capacity", cap)
            for i, b in enumerate(self.buffers):
                if b.offset is not None and b.offset + b.size > cap:
                    raise InstanceError(
                        f"buffer {b.id!r}: fixed offset {b.offset} + size {b.size} exceeds the "
                        f"capacity {cap}",
                        src,
                        path=f"$.buffers[{i}].offset",
                    )
        self._validate_kind()
        if not isinstance(self.name, str) or not self.name:
            raise InstanceError(f"name must be a non-empty string, got {self.name!r}", src,
                                path="$.name")  # fmt: skip
        if self.reference is not None:
            object.__setattr__(
                self, "reference", _num(self.reference, None, src, path="$.reference")
            )

    def _validate_kind(self) -> None:
        """The checks of one kind (after the buffers and the capacity)."""

    # -- derived data -------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of buffers."""
        return len(self.buffers)

    @functools.cached_property
    def ids(self) -> list[BufferId]:
        """The buffer ids, in buffer order."""
        return [b.id for b in self.buffers]

    @functools.cached_property
    def index(self) -> dict[BufferId, int]:
        """Buffer id -> position."""
        return {b.id: i for i, b in enumerate(self.buffers)}

    @functools.cached_property
    def lookup(self) -> dict[BufferId, int]:
        """Buffer id, or its string form (JSON object keys), -> position."""
        out: dict[BufferId, int] = {}
        for i, b in enumerate(self.buffers):
            out[b.id] = i
            out[str(b.id)] = i
        return out

    def position(self, key: Any) -> int | None:
        """The position of the buffer a solution key names (its id, or the id's string), or
        ``None`` if none does (a bool is never an id)."""
        if isinstance(key, bool):
            return None
        try:
            return self.lookup.get(key)
        except TypeError:  # unhashable
            return None

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
    def _shapes(self) -> _Shapes:
        """What the checker precomputes once: the rectangles where buffers sit (relative to
        their offsets; one per buffer of positive size without gaps), the pairs of
        rectangles live at the same time (when there are not too many), and the room each
        offset has (capacity and 64 bits)."""
        lo, up, sz, al, fx = self.arrays
        if any(b.gaps for b in self.buffers):
            rows = [
                (i, t0, t1, x0, x1)
                for i, b in enumerate(self.buffers)
                for t0, t1, x0, x1 in b.rectangles()
                if x1 > x0
            ]
            arr = np.array(rows, dtype=np.int64).reshape(-1, 5)
            who, t0, t1, x0, x1 = (arr[:, k].copy() for k in range(5))
            rel: tuple[np.ndarray, np.ndarray] | None = (x0, x1)
        else:
            who = np.flatnonzero(sz > 0)
            t0, t1 = lo[who], up[who]
            rel = None
        # pairs (i, j) of rectangles live at the same time: by start, each rectangle with
        # those starting during its life
        order = np.argsort(t0, kind="stable")
        ts = t0[order]
        reach = np.searchsorted(ts, t1[order], side="left")
        count = reach - np.arange(len(order)) - 1
        total = int(count.sum()) if len(order) else 0
        pairs: tuple[np.ndarray, np.ndarray] | None = None
        if total <= _MAX_PAIRS:
            first = np.repeat(np.arange(len(order)), count)
            start = np.cumsum(count) - count
            second = np.arange(total) - np.repeat(start, count) + first + 1
            pairs = (order[first], order[second])
        room = INT64_MAX - sz
        if self.capacity is not None:
            room = np.minimum(room, self.capacity - sz)
        return _Shapes(
            who=who,
            t0=t0,
            t1=t1,
            rel=rel,
            dense=rel is None and len(who) == self.n,
            pairs=pairs,
            room=room,
            aligned=bool((al == 1).all()),
            fixed=bool((fx >= 0).any()),
        )

    @functools.cached_property
    def max_load(self) -> int:
        """Largest total size live at one moment: a lower bound on the peak (allocation)."""
        lo, up, sz, _al, _fx = self.arrays
        if lo.shape[0] == 0:
            return 0
        # the events of :func:`max_load` with array operations (sums stay below 2**62)
        times = np.unique(np.concatenate([lo, up]))
        diff = np.zeros(times.shape[0], np.int64)
        np.add.at(diff, np.searchsorted(times, lo), sz)
        np.add.at(diff, np.searchsorted(times, up), -sz)
        return max(0, int(np.cumsum(diff).max()))

    @functools.cached_property
    def fixed_top(self) -> int:
        """The highest end of a buffer with a fixed offset (0 if none)."""
        return max((b.offset + b.size for b in self.buffers if b.offset is not None), default=0)

    def lower_bound(self) -> float:
        """A valid lower bound on the objective."""
        raise NotImplementedError

    def with_capacity(self, capacity: int | None) -> MemoryInstance:
        """The same instance with another capacity."""
        return dataclasses.replace(self, capacity=capacity)

    # -- check --------------------------------------------------------------------------
    def check(self, solution: dict[str, Any]) -> float:
        """Verify ``{"offsets": {id: offset or null}[, "offset_list": [...]]}`` (keys: the
        ids, or their strings; ``offset_list``, when given, must agree; ``schema_version``
        accepted); return the objective (the peak of an allocation, the total time of a
        mapping), recomputed from the solution alone."""
        off, slow = self._checked_offsets(solution)
        self._check_placement(off, slow)
        return self._objective(off, slow)

    def offset_list(self, solution: dict[str, Any]) -> list[int | None]:
        """A solution's offsets in buffer order (``None``: slow memory), its keys resolved
        (the ids or their strings); checks the form only (:class:`SolutionError`: not a
        memory solution, unknown, missing or repeated ids, an offset that is not an
        integer, an ``offset_list`` that disagrees), not feasibility (see :meth:`check`)."""
        if not isinstance(solution, dict) or not isinstance(solution.get("offsets"), dict):
            raise SolutionError('a memory solution is {"offsets": {"<id>": offset or null}}')
        if len(solution) > 1:
            for k in solution:
                if k not in SOLUTION_KEYS:
                    raise SolutionError(
                        f"unknown key {k!r} in a memory solution (known: offsets, offset_list, "
                        "schema_version)"
                    )
            if "schema_version" in solution:
                msg = version_error(solution["schema_version"])
                if msg is not None:
                    raise SolutionError(f"$.schema_version: {msg}")
        vals = self._values(solution["offsets"])
        lst = solution.get("offset_list")
        if lst is not None and lst is not vals:
            if not isinstance(lst, list) or len(lst) != len(vals):
                raise SolutionError(
                    f"offset_list must list the {len(vals)} offsets in buffer order"
                )
            if lst != vals:
                for i, (a, b) in enumerate(zip(lst, vals, strict=True)):
                    if a != b or type(a) is bool or (a is None) != (b is None):
                        raise SolutionError(
                            f"offset_list[{i}] is {a!r}, but offsets gives buffer "
                            f"{self.ids[i]!r} {b!r}"
                        )
        return vals

    def _values(self, offs: dict[Any, Any]) -> list[Any]:
        """The values of ``offs`` in buffer order, typed (int or None)."""
        ids = self.ids
        vals: list[Any] | None = None
        if len(offs) == len(ids):
            try:
                vals = [offs[k] for k in ids]
            except KeyError:
                vals = None
        if vals is None:
            vals = [None] * len(ids)
            given = [False] * len(ids)
            for k, v in offs.items():
                i = self.position(k)
                if i is None:
                    raise SolutionError(f"unknown buffer id {k!r} in the solution")
                if given[i]:
                    raise SolutionError(
                        f"buffer {ids[i]!r} is given twice in the solution (as {ids[i]!r} and "
                        f"{str(ids[i])!r})"
                    )
                given[i] = True
                vals[i] = v
            if not all(given):
                raise SolutionError(f"buffer {ids[given.index(False)]!r} has no offset")
        types = set(map(type, vals))
        if types == {int} or not types:
            return vals
        for i, v in enumerate(vals):
            if type(v) is int:
                continue
            if v is None:
                if not self.slow_memory:
                    raise SolutionError(
                        f"buffer {ids[i]!r}: null offset (slow memory) in {self.kind}"
                    )
                continue
            if isinstance(v, bool) or not isinstance(v, int | np.integer):
                raise SolutionError(f"buffer {ids[i]!r}: offset must be an integer, got {v!r}")
            vals[i] = int(v)
        return vals

    def _checked_offsets(self, solution: dict[str, Any]) -> tuple[np.ndarray, np.ndarray | None]:
        """``(offsets, slow)``: int64 offsets in buffer order (0 where in slow memory) and
        the slow-memory mask (``None`` if every buffer is placed)."""
        vals: list[Any] = self.offset_list(solution)
        slow = None
        if self.slow_memory and None in vals:
            slow = np.fromiter((v is None for v in vals), bool, len(vals))
            vals = [0 if v is None else v for v in vals]
        try:
            off = np.array(vals, dtype=np.int64).reshape(-1)
        except OverflowError:
            i = next(k for k, v in enumerate(vals) if not INT64_MIN <= v <= INT64_MAX)
            raise SolutionError(
                f"buffer {self.ids[i]!r}: offset {vals[i]} does not fit in 64 bits"
            ) from None
        if slow is not None:
            fx = self.arrays[4]
            bad = slow & (fx >= 0)
            if bad.any():
                i = int(np.argmax(bad))
                raise SolutionError(
                    f"buffer {self.ids[i]!r} has fixed offset {int(fx[i])}, not null"
                )
        return off, slow

    def _check_placement(self, off: np.ndarray, slow: np.ndarray | None) -> None:
        """Offsets non-negative, aligned, at the fixed ones, within the capacity, and no two
        buffers in memory overlapping."""
        if off.shape[0] == 0:
            return
        sh = self._shapes
        bad = (off < 0) | (off > sh.room)
        _lo, _up, sz, al, fx = self.arrays
        if not sh.aligned:
            bad |= off % al != 0
        if sh.fixed:
            bad |= (fx >= 0) & (off != fx)
        if slow is not None:
            bad &= ~slow
        if bad.any():
            i = int(np.argmax(bad))
            b, o = self.buffers[i], int(off[i])
            if o < 0:
                raise SolutionError(f"buffer {b.id!r}: negative offset {o}")
            if o % b.alignment:
                raise SolutionError(f"buffer {b.id!r}: offset {o} not aligned to {b.alignment}")
            if b.offset is not None and o != b.offset:
                raise SolutionError(f"buffer {b.id!r}: fixed at {b.offset}, placed at {o}")
            if o > INT64_MAX - b.size:
                raise SolutionError(f"buffer {b.id!r}: offset {o} + size {b.size} beyond 64 bits")
            raise SolutionError(
                f"buffer {b.id!r}: offset {o} + size {b.size} exceeds the capacity {self.capacity}"
            )
        pair = self._find_overlap(off, None if slow is None else ~slow)
        if pair is not None:
            raise SolutionError(self.overlap_message(off, *pair))

    def overlap_message(self, off: np.ndarray, i: int, j: int) -> str:
        """Words for "buffers ``i`` and ``j`` overlap at the offsets ``off``"."""
        a, b = self.buffers[i], self.buffers[j]
        return (
            f"buffers {a.id!r} (offset {int(off[i])}, live [{a.lower}, {a.upper})) "
            f"and {b.id!r} (offset {int(off[j])}, live [{b.lower}, {b.upper})) overlap"
        )

    def find_overlap(self, offsets: dict[int, int]) -> tuple[int, int] | None:
        """Two of the buffers ``offsets`` places (position -> offset, non-negative and
        within 64 bits with the size) that overlap in memory while live at the same time
        (gaps considered), or ``None``."""
        off = np.zeros(self.n, np.int64)
        keep = np.zeros(self.n, bool)
        for i, o in offsets.items():
            off[i] = o
            keep[i] = True
        return self._find_overlap(off, keep)

    def _find_overlap(self, off: np.ndarray, keep: np.ndarray | None) -> tuple[int, int] | None:
        """Two buffers (of ``keep``, if given) overlapping at the offsets ``off``, or None."""
        sh = self._shapes
        who = sh.who
        if sh.rel is not None:
            base = off[who]
            x0, x1 = base + sh.rel[0], base + sh.rel[1]
        elif sh.dense:
            x0 = off
            x1 = off + self.arrays[2]
        else:
            x0 = off[who]
            x1 = x0 + self.arrays[2][who]
        if sh.pairs is None:
            t0, t1 = sh.t0, sh.t1
            if keep is not None:
                m = keep[who]
                who, t0, t1, x0, x1 = who[m], t0[m], t1[m], x0[m], x1[m]
            return _sweep(t0, t1, x0, x1, who)
        p, q = sh.pairs
        hit = (x0[p] < x1[q]) & (x0[q] < x1[p])
        if keep is not None:
            hit &= keep[who[p]] & keep[who[q]]
        if not hit.any():
            return None
        k = int(np.argmax(hit))
        return int(who[p[k]]), int(who[q[k]])

    def _objective(self, off: np.ndarray, slow: np.ndarray | None) -> float:
        raise NotImplementedError

    def describe(self, solution: dict[str, Any]) -> str:
        """A short text report: max load, peak (and, for a mapping, the fast buffers)."""
        offs = self.offset_list(solution)
        peak = max(
            (o + b.size for b, o in zip(self.buffers, offs, strict=True) if o is not None),
            default=0,
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
        """The instance as JSON-ready data (with ``schema_version``)."""
        out: dict[str, Any] = {"problem": PROBLEM, "kind": self.kind, "name": self.name}
        out["capacity"] = self.capacity
        out.update(self._json_head())
        out["buffers"] = [b.to_dict() for b in self.buffers]
        out.update(self._json_body())
        if self.reference is not None:
            out["reference"] = self.reference
        return stamp(out)

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
        on a subclass, that class's kind, and a document of the other kind is an error).
        A bad field is an :class:`InstanceError` naming its JSON path."""
        check_keys(data, PROBLEM, "a memory instance", _JSON_KEYS, source)
        data = unstamp(data, "instance", file=source)
        default = cls.kind or Allocation.kind
        kind = data.get("kind", default)
        target = KINDS.get(kind) if isinstance(kind, str) else None
        if target is None:
            raise InstanceError(
                f"kind must be one of {', '.join(KINDS)}, got {kind!r}", source, path="$.kind"
            )
        if cls is not MemoryInstance and target is not cls:
            raise InstanceError(f"a {kind} instance, not {cls.kind}", source, path="$.kind")
        if kind != "msa":
            for key in _MSA_ONLY:
                if key in data:
                    raise InstanceError(f"{key} is for msa instances only", source, path=f"$.{key}")
        bufs = _buffers_from_json(data, source)
        name = data.get("name")
        if name is None or name == "":
            name = default_name(source, "memory")
        elif not isinstance(name, str):
            raise InstanceError(f"must be a string, got {name!r}", source, path="$.name")
        if data.get("capacity") is not None:
            _int(data["capacity"], None, source, path="$.capacity")
        if data.get("reference") is not None:
            _num(data["reference"], None, source, path="$.reference")
        return target._from_json(data, bufs, name, source)

    @classmethod
    def _from_json(
        cls, data: dict[str, Any], buffers: tuple[Buffer, ...], name: str, source: str | None
    ) -> MemoryInstance:
        raise NotImplementedError


def _buffers_from_json(data: dict[str, Any], source: str | None) -> tuple[Buffer, ...]:
    raw = data.get("buffers")
    if not isinstance(raw, list):
        if raw is None:
            raise InstanceError('missing key "buffers" (a list)', source, path="$.buffers")
        raise InstanceError(f"must be a list, got {raw!r}", source, path="$.buffers")
    bufs = []
    new = Buffer.__new__
    for i, d in enumerate(raw):
        # the common case, without a field to convert: plain ints within 64 bits, an id that
        # is a non-empty string or an int, no fixed offset, hint or gaps; the buffer is built
        # as the constructor would build it (the instance validates every buffer after)
        if type(d) is dict and len(d) <= 5 and d.keys() <= _PLAIN_KEYS:
            lo, up, sz, al = d.get("lower"), d.get("upper"), d.get("size"), d.get("alignment", 1)
            bid = d.get("id", str(i))
            if (
                type(lo) is int
                and type(up) is int
                and type(sz) is int
                and type(al) is int
                and INT64_MIN <= lo <= INT64_MAX
                and INT64_MIN <= up <= INT64_MAX
                and INT64_MIN <= sz <= INT64_MAX
                and INT64_MIN <= al <= INT64_MAX
                and (
                    (type(bid) is str and bid)
                    or (type(bid) is int and INT64_MIN <= bid <= INT64_MAX)
                )
            ):
                b = new(Buffer)
                b.__dict__.update(
                    id=bid, lower=lo, upper=up, size=sz, alignment=al, offset=None, hint=None,
                    gaps=(),
                )  # fmt: skip
                bufs.append(b)
                continue
        p = f"$.buffers[{i}]"
        if not isinstance(d, dict):
            raise InstanceError("must be an object", source, path=p)
        extra = set(d) - _BUFFER_KEYS
        if extra:
            raise InstanceError(f"unknown key(s) {', '.join(sorted(extra))}", source, path=p)
        for k in ("lower", "upper", "size"):
            if k not in d:
                raise InstanceError(f'missing key "{k}"', source, path=p)
        opt = {}
        for k in ("offset", "hint"):
            if d.get(k) is not None:
                opt[k] = _int(d[k], None, source, path=f"{p}.{k}")
        gaps = d.get("gaps")
        bufs.append(
            Buffer(
                id=_id(d["id"], None, source, path=f"{p}.id") if "id" in d else str(i),
                lower=_int(d["lower"], None, source, path=f"{p}.lower"),
                upper=_int(d["upper"], None, source, path=f"{p}.upper"),
                size=_int(d["size"], None, source, path=f"{p}.size"),
                alignment=_int(d.get("alignment", 1), None, source, path=f"{p}.alignment"),
                gaps=() if gaps is None else _gaps(gaps, "gaps", source, path=f"{p}.gaps"),
                **opt,
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
        return float(max(self.max_load, self.fixed_top))

    def _objective(self, off: np.ndarray, slow: np.ndarray | None) -> float:
        if off.shape[0] == 0:
            return 0.0
        return float((off + self.arrays[2]).max())

    @classmethod
    def _from_json(
        cls, data: dict[str, Any], buffers: tuple[Buffer, ...], name: str, source: str | None
    ) -> Allocation:
        for key in _MAPPING_ONLY:
            if key in data:
                what = "steps are" if key == "steps" else f"{key} is"
                raise InstanceError(f"{what} for mapping instances only", source, path=f"$.{key}")
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
        if self.capacity is None:
            raise InstanceError(
                "a mapping instance needs the fast memory's capacity", src, path="$.capacity"
            )
        for what in ("fast_bandwidth", "slow_bandwidth"):
            v = getattr(self, what)
            if v is None or _num(v, what, src, path=f"$.{what}") <= 0:
                raise InstanceError(f"{what} must be a positive number", src, path=f"$.{what}")
            object.__setattr__(self, what, float(v))
        if not isinstance(self.steps, list | tuple):
            raise InstanceError("steps must be a sequence of Step objects", src, path="$.steps")
        if not self.steps:
            raise InstanceError(
                "a mapping instance needs at least one step (its program)", src, path="$.steps"
            )
        nb = len(self.buffers)
        steps = []
        for i, s in enumerate(self.steps):
            p = f"$.steps[{i}]"
            if not isinstance(s, Step):
                raise InstanceError(f"must be a Step, got {type(s).__name__}", src, path=p)
            compute = _num(s.compute, None, src, path=f"{p}.compute")
            if compute < 0:
                raise InstanceError(f"step {i}: negative compute time", src, path=f"{p}.compute")
            acc = []
            for key in ("reads", "writes"):
                row = getattr(s, key)
                if not isinstance(row, list | tuple):
                    raise InstanceError(
                        "must be a sequence of (buffer index, bytes)", src, path=f"{p}.{key}"
                    )
                out = []
                for pair in row:
                    if not isinstance(pair, list | tuple) or len(pair) != 2:
                        raise InstanceError(
                            f"entries must be (buffer index, bytes), got {pair!r}",
                            src,
                            path=f"{p}.{key}",
                        )
                    j = _int(pair[0], None, src, path=f"{p}.{key}")
                    if not 0 <= j < nb:
                        raise InstanceError(
                            f"step {i}: buffer index {j} out of range", src, path=f"{p}.{key}"
                        )
                    b = self.buffers[j]
                    bp = f"{p}.{key}{json_key(b.id)}"
                    nbytes = _int(pair[1], None, src, path=bp)
                    if nbytes < 0:
                        raise InstanceError(f"step {i}: negative bytes for {b.id!r}", src, path=bp)
                    if not b.lower <= i < b.upper:
                        raise InstanceError(
                            f"step {i} accesses buffer {b.id!r}, live only on "
                            f"[{b.lower}, {b.upper})",
                            src,
                            path=bp,
                        )
                    out.append((j, nbytes))
                acc.append(tuple(out))
            if type(s.compute) is float and acc[0] == s.reads and acc[1] == s.writes:
                steps.append(s)
            else:
                steps.append(Step(compute, acc[0], acc[1]))
        object.__setattr__(self, "steps", tuple(steps))

    @functools.cached_property
    def accesses(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(step, buffer, bytes, compute)``: every access in program order (each step's
        reads, then its writes), and the compute time of each step."""
        acc = [(i, j, v) for i, s in enumerate(self.steps) for j, v in (*s.reads, *s.writes)]
        arr = np.array(acc, dtype=np.int64).reshape(-1, 3)
        compute = np.array([float(s.compute) for s in self.steps], dtype=np.float64)
        return arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy(), compute

    def step_times(self, in_fast: np.ndarray) -> np.ndarray:
        """Each step's time given a boolean array "buffer in fast memory": ``max(compute,
        sum of bytes / bandwidth)``, the accesses added in program order."""
        step, buf, nbytes, compute = self.accesses
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

    def _objective(self, off: np.ndarray, slow: np.ndarray | None) -> float:
        in_fast = np.ones(self.n, dtype=bool) if slow is None else ~slow
        return self.total_time(in_fast)

    def describe(self, solution: dict[str, Any]) -> str:
        """The report of :meth:`MemoryInstance.describe`, with the buffers in fast memory and
        the all-slow time."""
        offs = self.offset_list(solution)
        nf = sum(1 for o in offs if o is not None)
        allslow = self.total_time(np.zeros(self.n, dtype=bool))
        return (
            super().describe(solution)
            + f"\nfast       {nf} of {self.n} buffers; all-slow time {allslow:.6g}"
        )

    def _json_head(self) -> dict[str, Any]:
        return {"fast_bandwidth": self.fast_bandwidth, "slow_bandwidth": self.slow_bandwidth}

    def _json_body(self) -> dict[str, Any]:
        ids = [str(b.id) for b in self.buffers]
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
        ids: dict[Any, int] = {}
        for i, b in enumerate(buffers):
            ids[str(b.id)] = i
            ids.setdefault(b.id, i)
        steps = []
        if "steps" not in data:
            raise InstanceError('missing key "steps" (the program, a list)', source, path="$.steps")
        raw_steps = data["steps"]
        if not isinstance(raw_steps, list):
            raise InstanceError("must be a list", source, path="$.steps")
        for i, s in enumerate(raw_steps):
            p = f"$.steps[{i}]"
            if not isinstance(s, dict) or "compute" not in s:
                raise InstanceError('must be an object with "compute"', source, path=p)
            extra = set(s) - _STEP_KEYS
            if extra:
                raise InstanceError(f"unknown key(s) {', '.join(sorted(extra))}", source, path=p)
            acc = []
            for key in ("reads", "writes"):
                m = s.get(key, {})
                if not isinstance(m, dict):
                    raise InstanceError("must map buffer ids to bytes", source, path=f"{p}.{key}")
                row = []
                for bid, nbytes in m.items():
                    j = None if isinstance(bid, bool) else ids.get(bid)
                    if j is None:
                        raise InstanceError(
                            f"unknown buffer {bid!r}", source, path=f"{p}.{key}{json_key(bid)}"
                        )
                    row.append((j, _int(nbytes, None, source, path=f"{p}.{key}{json_key(bid)}")))
                acc.append(tuple(row))
            steps.append(Step(_num(s["compute"], None, source, path=f"{p}.compute"), *acc))
        for what in ("fast_bandwidth", "slow_bandwidth"):
            if data.get(what) is not None:
                _num(data[what], None, source, path=f"$.{what}")
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


def _sweep(
    t0: np.ndarray, t1: np.ndarray, x0: np.ndarray, x1: np.ndarray, who: np.ndarray
) -> tuple[int, int] | None:
    """Two buffers whose rectangles ``[t0, t1) x [x0, x1)`` (of buffer ``who``) overlap, or
    ``None``: sweep over time (ends before starts at equal times); the active rectangles are
    disjoint in space, kept sorted by start. For instances with too many pairs of rectangles
    live at the same time to compare them all."""
    m = t0.shape[0]
    times = np.concatenate([t1, t0])
    kinds = np.concatenate([np.zeros(m, np.int64), np.ones(m, np.int64)])
    order = np.lexsort((kinds, times)).tolist()
    xs0, xs1 = x0.tolist(), x1.tolist()
    starts: list[int] = []
    owner: dict[int, tuple[int, int]] = {}  # start -> (end, rectangle)
    for e in order:
        r = e - m if e >= m else e
        a, b = xs0[r], xs1[r]
        if e < m:  # an end
            i = bisect.bisect_left(starts, a)
            del starts[i]
            del owner[a]
            continue
        i = bisect.bisect_right(starts, a)
        clash = None
        if i > 0 and owner[starts[i - 1]][0] > a:
            clash = owner[starts[i - 1]][1]
        elif i < len(starts) and starts[i] < b:
            clash = owner[starts[i]][1]
        if clash is not None:
            return int(who[clash]), int(who[r])
        starts.insert(i, a)
        owner[a] = (b, r)
    return None


#: The field readers and the overlap sweep, shared with the msa kind (:mod:`.msa`).
read_int = _int
read_number = _num
overlapping_pair = _sweep
