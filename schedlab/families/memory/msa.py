"""Memory-space assignment with prefetch and eviction (XLA's MSA): the ``msa`` instance kind.

An :class:`Msa` instance is a mapping program (see :class:`~.model.Mapping`: steps with a
compute time and the bytes each reads and writes of each buffer; a fast memory of capacity
``capacity`` and bandwidth ``fast_bandwidth``, a slow one of ``slow_bandwidth``) plus
asynchronous copies between the two memories: ``copy_bandwidth`` bytes per time unit,
``copy_engines`` copies at a time (0: copies disabled, the whole-life mapping), at most
``max_outstanding_prefetches`` prefetches in flight in the schedule (``null``: no limit), and
whether a buffer may be evicted (and then prefetched again, ``evictions``).

Solution JSON: ``{"fast": {"<id>": [piece, ...]}}``, a buffer absent or with ``[]`` staying in
slow memory throughout. A *piece* is one stay in fast memory::

    {"offset": o, "first": a, "end": e,
     "prefetch": {"start": s, "begin": t0, "end": t1},        (optional)
     "eviction": {"start": s, "done": d, "begin": t0, "end": t1}}  (optional)

- The buffer is in fast memory at the steps ``a .. e - 1`` (``lower <= a < e <= upper``), at
  ``[o, o + size)`` (within the capacity, aligned).
- A piece without a prefetch starts at the buffer's ``lower`` (the buffer comes into being
  there, as in a whole-life mapping); only the first piece may. Its content is then in fast
  memory only.
- ``prefetch``: an asynchronous copy slow -> fast issued when the program reaches step ``s``
  (``lower <= s < a``; no step of ``[s, a)`` writes the buffer); step ``a`` waits for it.
- ``eviction``: a copy fast -> slow, required exactly when the buffer is accessed after the
  piece (at a step of ``[e, upper)``) and the slow copy is stale (the piece started without
  a prefetch, or a step of the piece writes the buffer). It is issued at step ``s`` (``a <=
  s``, after every step of the piece that writes the buffer) and done before step ``d`` (``s
  < d <= n``, ``n`` the next access), which waits for it.
- The piece holds its fast memory over the steps ``[s_prefetch or a, max(e, d))`` (counted
  from the copy's issue: XLA's reservation from the copy-start); pieces of one buffer are
  disjoint in that sense and given in order; no two pieces of any buffers overlap in
  (steps x addresses).
- ``begin``/``end`` (optional, all copies or none): when the copy runs. Given, ``begin`` must
  not precede the moment the program reaches the issue step (nor, for a prefetch, the end
  of the eviction of the buffer's previous piece), ``end = begin + size / copy_bandwidth``,
  and at most ``copy_engines`` copies run at once; absent, the checker runs the copies as
  early as possible in issue order (evictions first, then by buffer), each on the first
  free engine.

The checker simulates: step ``i`` starts when step ``i - 1`` ends and every copy done at
``i`` has ended; it lasts ``max(compute, sum of bytes / bandwidth)`` with each buffer's
bandwidth that of the memory it is in at step ``i``. The objective is the end of the last
step. With ``copy_engines = 0`` every piece is whole-life-like (starts at ``lower``): the
mapping of :class:`~.model.Mapping` is the special case (:meth:`Msa.from_mapping`).
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ...core.errors import InstanceError, SolutionError
from ...core.schema import version_error
from .model import (
    KINDS,
    Buffer,
    Mapping,
    MemoryInstance,
    Step,
    overlapping_pair,
    read_int,
    read_number,
)

#: The keys of an msa solution document.
MSA_SOLUTION_KEYS = frozenset({"fast", "schema_version"})
_PIECE_KEYS = frozenset({"offset", "first", "end", "prefetch", "eviction"})
_PREFETCH_KEYS = frozenset({"start", "begin", "end"})
_EVICTION_KEYS = frozenset({"start", "done", "begin", "end"})
#: The instance keys of the msa kind only.
MSA_KEYS = (
    "copy_bandwidth",
    "copy_engines",
    "max_outstanding_prefetches",
    "evictions",
)


@dataclass(frozen=True)
class Copy:
    """One asynchronous copy of a solution, as the checker reads and simulates it."""

    buffer: int
    piece: int
    kind: str  # "prefetch" or "eviction"
    start: int  # the issue step
    done: int  # the step that waits for it
    begin: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class Piece:
    """One stay of a buffer in fast memory (see the module's docstring)."""

    buffer: int
    offset: int
    first: int
    end: int
    prefetch: int | None  # issue step
    evict_start: int | None
    evict_done: int | None

    @property
    def occ_start(self) -> int:
        """The first step whose memory it holds (from the prefetch's issue)."""
        return self.first if self.prefetch is None else self.prefetch

    @property
    def occ_end(self) -> int:
        """The step from which its memory is free again (after the eviction, if any)."""
        return self.end if self.evict_done is None else max(self.end, self.evict_done)


@dataclass(frozen=True)
class Simulation:
    """What the checker's simulation found: each step's start and end, each copy's begin
    and end (in the order of :attr:`copies`), the total time."""

    pieces: tuple[Piece, ...]
    copies: tuple[Copy, ...]
    step_start: np.ndarray
    step_end: np.ndarray
    total: float


def is_msa_solution(solution: Any) -> bool:
    """True for an msa solution (``{"fast": {...}}`` and nothing else but schema_version)."""
    return (
        isinstance(solution, dict)
        and isinstance(solution.get("fast"), dict)
        and all(k in MSA_SOLUTION_KEYS for k in solution)
    )


@dataclass(frozen=True)
class Msa(MemoryInstance):
    """Memory-space assignment with prefetches and evictions (see the module docstring).

    Attributes:
        steps, fast_bandwidth, slow_bandwidth: the program, as in :class:`~.model.Mapping`.
        copy_bandwidth: bytes per time unit of an asynchronous copy (positive when copies
            are enabled).
        copy_engines: copies that may run at the same time (0: no copies).
        max_outstanding_prefetches: prefetches issued and not yet consumed at one step of
            the schedule, at most; ``None``: no limit.
        evictions: whether a buffer may be evicted (and prefetched again): ``False`` allows
            one piece per buffer and no eviction.
    """

    kind: ClassVar[str] = "msa"
    objective_name: ClassVar[str] = "total time"
    slow_memory: ClassVar[bool] = True

    steps: tuple[Step, ...] = ()
    fast_bandwidth: float = 0.0
    slow_bandwidth: float = 0.0
    copy_bandwidth: float = 1.0
    copy_engines: int = 1
    max_outstanding_prefetches: int | None = None
    evictions: bool = True

    def _validate_kind(self) -> None:
        src = self.source
        if self.capacity is None:
            raise InstanceError(
                "an msa instance needs the fast memory's capacity", src, path="$.capacity"
            )
        for i, b in enumerate(self.buffers):
            if b.offset is not None:
                raise InstanceError(
                    f"buffer {b.id!r}: fixed offsets are not supported in msa instances",
                    src,
                    path=f"$.buffers[{i}].offset",
                )
            if b.gaps:
                raise InstanceError(
                    f"buffer {b.id!r}: gaps are not supported in msa instances",
                    src,
                    path=f"$.buffers[{i}].gaps",
                )
        # the program's rules are the mapping's (same JSON paths)
        prog = Mapping(
            buffers=self.buffers,
            capacity=self.capacity,
            steps=self.steps,
            fast_bandwidth=self.fast_bandwidth,
            slow_bandwidth=self.slow_bandwidth,
            name=self.name if isinstance(self.name, str) and self.name else "msa",
            source=src,
        )
        put = object.__setattr__
        put(self, "steps", prog.steps)
        put(self, "fast_bandwidth", prog.fast_bandwidth)
        put(self, "slow_bandwidth", prog.slow_bandwidth)
        eng = self.copy_engines
        if isinstance(eng, bool):
            raise InstanceError(f"must be an integer, got {eng!r}", src, path="$.copy_engines")
        eng = read_int(eng, None, src, path="$.copy_engines")
        if eng < 0:
            raise InstanceError(f"must be >= 0, got {eng}", src, path="$.copy_engines")
        put(self, "copy_engines", eng)
        bw = read_number(self.copy_bandwidth, None, src, path="$.copy_bandwidth")
        if bw <= 0:
            raise InstanceError(
                f"copy_bandwidth must be a positive number, got {bw}", src, path="$.copy_bandwidth"
            )
        put(self, "copy_bandwidth", bw)
        mop = self.max_outstanding_prefetches
        if mop is not None:
            if isinstance(mop, bool):
                raise InstanceError(
                    f"must be an integer or null, got {mop!r}",
                    src,
                    path="$.max_outstanding_prefetches",
                )
            mop = read_int(mop, None, src, path="$.max_outstanding_prefetches")
            if mop < 1:
                raise InstanceError(
                    f"must be >= 1 (or null: no limit), got {mop}",
                    src,
                    path="$.max_outstanding_prefetches",
                )
            put(self, "max_outstanding_prefetches", mop)
        if not isinstance(self.evictions, bool):
            raise InstanceError(
                f"must be true or false, got {self.evictions!r}", src, path="$.evictions"
            )
        put(self, "_program", prog)

    # -- derived data -------------------------------------------------------------------
    @property
    def program(self) -> Mapping:
        """The same program as a whole-life :class:`~.model.Mapping` (no copies)."""
        prog: Mapping = self.__dict__["_program"]
        return prog

    @property
    def copies_enabled(self) -> bool:
        """Whether copies may be used (at least one copy engine)."""
        return self.copy_engines > 0

    def copy_time(self, size: int) -> float:
        """Time of one copy of ``size`` bytes."""
        return size / self.copy_bandwidth

    @functools.cached_property
    def access_steps(self) -> list[list[int]]:
        """Per buffer, the steps that access it (sorted, distinct)."""
        out: list[set[int]] = [set() for _ in range(self.n)]
        for i, s in enumerate(self.steps):
            for j, _v in (*s.reads, *s.writes):
                out[j].add(i)
        return [sorted(x) for x in out]

    @functools.cached_property
    def write_steps(self) -> list[list[int]]:
        """Per buffer, the steps that write it (sorted, distinct)."""
        out: list[set[int]] = [set() for _ in range(self.n)]
        for i, s in enumerate(self.steps):
            for j, _v in s.writes:
                out[j].add(i)
        return [sorted(x) for x in out]

    @functools.cached_property
    def step_bytes(self) -> list[dict[int, float]]:
        """Per step, the bytes it moves of each buffer it accesses (reads and writes added)."""
        out: list[dict[int, float]] = [{} for _ in self.steps]
        for i, s in enumerate(self.steps):
            per = out[i]
            for j, v in (*s.reads, *s.writes):
                per[j] = per.get(j, 0.0) + float(v)
        return out

    def lower_bound(self) -> float:
        """A lower bound on the total time: each step on its own, with copies free and no
        stall, the buffers it accesses in fast memory as far as they fit in the capacity
        together (a 0/1 knapsack of their savings; a buffer in fast memory at a step takes
        its space there, whatever copies brought it). Never below every buffer in the
        faster memory."""
        return self._step_bound

    @functools.cached_property
    def _step_bound(self) -> float:
        prog = self.program
        fast = prog.fast_bandwidth >= prog.slow_bandwidth
        all_fast = prog.total_time(np.full(self.n, fast, dtype=bool))
        if not fast:  # the slow memory is the faster one: nothing to place
            return all_fast
        step, _buf, nbytes, compute = prog.accesses
        inv_s, inv_f = 1.0 / prog.slow_bandwidth, 1.0 / prog.fast_bandwidth
        sizes = self.arrays[2]
        cap = int(self.capacity or 0)
        ns = len(self.steps)
        slow_t = np.zeros(ns)
        np.add.at(slow_t, step, nbytes * inv_s)
        total = 0.0
        for i, per in enumerate(self.step_bytes):
            c, slow = float(compute[i]), float(slow_t[i])
            if slow <= c:
                total += c
                continue
            items = [
                (int(sizes[j]), v * (inv_s - inv_f)) for j, v in per.items() if sizes[j] <= cap
            ]
            total += max(c, slow - max_saving(items, cap))
        # the simulation adds the same terms in another order: a rounding's worth lower
        return max(all_fast, total * (1 - 1e-9))

    def _objective(self, off: np.ndarray, slow: np.ndarray | None) -> float:
        raise NotImplementedError  # pragma: no cover - check() is overridden

    @classmethod
    def from_mapping(
        cls,
        inst: Mapping,
        *,
        copy_bandwidth: float | None = None,
        copy_engines: int = 0,
        max_outstanding_prefetches: int | None = None,
        evictions: bool = True,
        name: str | None = None,
    ) -> Msa:
        """A mapping program as an msa instance (default: copies disabled, the whole-life
        special case; ``copy_bandwidth`` defaults to the slow bandwidth)."""
        return cls(
            buffers=inst.buffers,
            capacity=inst.capacity,
            steps=inst.steps,
            fast_bandwidth=inst.fast_bandwidth,
            slow_bandwidth=inst.slow_bandwidth,
            copy_bandwidth=inst.slow_bandwidth if copy_bandwidth is None else copy_bandwidth,
            copy_engines=copy_engines,
            max_outstanding_prefetches=max_outstanding_prefetches,
            evictions=evictions,
            name=name or inst.name,
            reference=None,
        )

    def mapping_solution(self, solution: dict[str, Any]) -> dict[str, Any]:
        """An msa solution of a whole-life :class:`~.model.Mapping` solution (``offsets``):
        one piece ``[lower, upper)`` without copies per fast buffer."""
        offs = self.program.offset_list(solution)
        fast: dict[Any, Any] = {}
        for b, o in zip(self.buffers, offs, strict=True):
            if o is not None:
                fast[b.id] = [{"offset": int(o), "first": b.lower, "end": b.upper}]
        return {"fast": fast}

    # -- check --------------------------------------------------------------------------
    def check(self, solution: dict[str, Any]) -> float:
        """Verify an msa solution (see the module docstring) and return its total time,
        recomputed by simulating the program."""
        return self.simulate(solution).total

    def pieces(self, solution: dict[str, Any]) -> list[list[Piece]]:
        """The pieces of a solution per buffer, read and checked one buffer at a time (not
        the overlaps between buffers, the copy engines or the outstanding prefetches: see
        :meth:`simulate`)."""
        return self._read(solution)[0]

    def _read(self, solution: Any) -> tuple[list[list[Piece]], list[Copy]]:
        if not isinstance(solution, dict) or not isinstance(solution.get("fast"), dict):
            raise SolutionError(
                'an msa solution is {"fast": {"<id>": [{"offset", "first", "end", ...}]}}'
            )
        for k in solution:
            if k not in MSA_SOLUTION_KEYS:
                raise SolutionError(f"$.{k}: unknown key in an msa solution (known: fast)")
        if "schema_version" in solution:
            msg = version_error(solution["schema_version"])
            if msg is not None:
                raise SolutionError(f"$.schema_version: {msg}")
        per: list[list[Piece]] = [[] for _ in range(self.n)]
        copies: list[Copy] = []
        seen: dict[int, Any] = {}
        for key, raw in solution["fast"].items():
            j = self.position(key)
            if j is None:
                raise SolutionError(f"$.fast: unknown buffer id {key!r}")
            if j in seen:
                raise SolutionError(
                    f"$.fast: buffer {self.ids[j]!r} given twice (as {seen[j]!r} and {key!r})"
                )
            seen[j] = key
            path = f"$.fast[{str(key)!r}]"
            if not isinstance(raw, list):
                raise SolutionError(f"{path}: must be a list of pieces")
            per[j] = self._buffer_pieces(j, raw, path, copies)
        return per, copies

    def _buffer_pieces(self, j: int, raw: list[Any], path: str, copies: list[Copy]) -> list[Piece]:
        b: Buffer = self.buffers[j]
        w = f"buffer {b.id!r}"
        cap = int(self.capacity or 0)
        acc, writes = self.access_steps[j], self.write_steps[j]
        if len(raw) > 1 and not self.evictions:
            raise SolutionError(f"{path}: {w} has {len(raw)} pieces; evictions are disabled")
        out: list[Piece] = []
        prev_end = b.lower
        for k, p in enumerate(raw):
            pp = f"{path}[{k}]"

            def num(v: Any, name: str, pp: str = pp) -> int:
                if type(v) is int:
                    return v
                if isinstance(v, bool) or not isinstance(v, int | np.integer):
                    raise SolutionError(f"{pp}.{name}: must be an integer, got {v!r}")
                return int(v)

            def tnum(v: Any, name: str) -> float | None:
                if v is None:
                    return None
                if isinstance(v, bool) or not isinstance(v, int | float | np.number):
                    raise SolutionError(f"{name}: must be a number, got {v!r}")
                x = float(v)
                if not math.isfinite(x):
                    raise SolutionError(f"{name}: must be finite, got {v!r}")
                return x

            if not isinstance(p, dict):
                raise SolutionError(f"{pp}: a piece must be an object")
            extra = set(p) - _PIECE_KEYS
            if extra:
                raise SolutionError(f"{pp}: unknown key(s) {', '.join(sorted(extra))}")
            for name in ("offset", "first", "end"):
                if name not in p:
                    raise SolutionError(f'{pp}: missing key "{name}"')
            o, a, e = num(p["offset"], "offset"), num(p["first"], "first"), num(p["end"], "end")
            if o < 0 or o + b.size > cap:
                raise SolutionError(
                    f"{pp}.offset: {w}: offset {o} + size {b.size} outside the fast memory "
                    f"[0, {cap})"
                )
            if o % b.alignment:
                raise SolutionError(f"{pp}.offset: {w}: offset {o} not aligned to {b.alignment}")
            if not b.lower <= a < e <= b.upper:
                raise SolutionError(
                    f"{pp}: {w}: fast steps [{a}, {e}) not a non-empty part of its life "
                    f"[{b.lower}, {b.upper})"
                )
            pf = p.get("prefetch")
            ev = p.get("eviction")
            if (pf is not None or ev is not None) and not self.copies_enabled:
                raise SolutionError(f"{pp}: {w}: a copy, but copies are disabled (0 engines)")
            ps: int | None = None
            if pf is None:
                if k > 0 or a != b.lower:
                    raise SolutionError(
                        f"{pp}: {w}: a piece without a prefetch must be the first and start at "
                        f"the buffer's lower ({b.lower}), not {a}"
                    )
            else:
                if not isinstance(pf, dict) or "start" not in pf:
                    raise SolutionError(f'{pp}.prefetch: must be an object with "start"')
                extra = set(pf) - _PREFETCH_KEYS
                if extra:
                    raise SolutionError(f"{pp}.prefetch: unknown key(s) {', '.join(sorted(extra))}")
                ps = num(pf["start"], "prefetch.start")
                if not b.lower <= ps < a:
                    raise SolutionError(
                        f"{pp}.prefetch.start: {w}: issued at step {ps}, must lie in "
                        f"[{b.lower}, {a}) (its lower, before the piece's first step)"
                    )
                if ps < prev_end:
                    raise SolutionError(
                        f"{pp}.prefetch.start: {w}: issued at step {ps}, before the previous "
                        f"piece has left the fast memory (step {prev_end})"
                    )
                wr = [s for s in writes if ps <= s < a]
                if wr:
                    raise SolutionError(
                        f"{pp}.prefetch: {w}: step {wr[0]} writes the buffer while it is prefetched"
                    )
                copies.append(
                    Copy(j, k, "prefetch", ps, a, tnum(pf.get("begin"), f"{pp}.prefetch.begin"),
                         tnum(pf.get("end"), f"{pp}.prefetch.end"))
                )  # fmt: skip
            if out and a < prev_end:
                raise SolutionError(f"{pp}: {w}: overlaps its previous piece")
            later = [s for s in acc if e <= s < b.upper]
            wr_in = [s for s in writes if a <= s < e]
            need = bool(later) and (pf is None or bool(wr_in))
            es = ed = None
            if ev is not None:
                if not need:
                    raise SolutionError(
                        f"{pp}.eviction: {w}: no eviction needed (no later access, or the slow "
                        "copy is current)"
                    )
                if not self.evictions:
                    raise SolutionError(f"{pp}.eviction: {w}: evictions are disabled")
                if not isinstance(ev, dict) or "start" not in ev or "done" not in ev:
                    raise SolutionError(f'{pp}.eviction: must be an object with "start", "done"')
                extra = set(ev) - _EVICTION_KEYS
                if extra:
                    raise SolutionError(f"{pp}.eviction: unknown key(s) {', '.join(sorted(extra))}")
                es, ed = num(ev["start"], "eviction.start"), num(ev["done"], "eviction.done")
                lo_s = max([a] + [s + 1 for s in wr_in])
                if es < lo_s:
                    raise SolutionError(
                        f"{pp}.eviction.start: {w}: issued at step {es}, before step {lo_s} "
                        "(the piece's first step, and after its last write)"
                    )
                if not es < ed <= later[0]:
                    raise SolutionError(
                        f"{pp}.eviction.done: {w}: done at step {ed}, must lie in "
                        f"({es}, {later[0]}] (after its issue, by the next access)"
                    )
                copies.append(
                    Copy(j, k, "eviction", es, ed, tnum(ev.get("begin"), f"{pp}.eviction.begin"),
                         tnum(ev.get("end"), f"{pp}.eviction.end"))
                )  # fmt: skip
            elif need:
                raise SolutionError(
                    f"{pp}: {w}: needs an eviction (accessed at step {later[0]} after the "
                    "piece, and its only current copy is in fast memory)"
                )
            piece = Piece(j, o, a, e, ps, es, ed)
            out.append(piece)
            prev_end = piece.occ_end
        return out

    def simulate(self, solution: dict[str, Any]) -> Simulation:
        """Check ``solution`` and run the program: each step's start and end, each copy's
        begin and end, the total time (a :class:`SolutionError` names what is wrong)."""
        per, copies = self._read(solution)
        pieces = [p for row in per for p in row]
        self._check_space(pieces)
        ns = len(self.steps)
        mop = self.max_outstanding_prefetches
        if mop is not None:
            out = np.zeros(ns + 1, np.int64)
            for c in copies:
                if c.kind == "prefetch":
                    out[c.start] += 1
                    out[c.done] -= 1
            run = np.cumsum(out)
            if (run > mop).any():
                s = int(np.argmax(run > mop))
                raise SolutionError(
                    f"{int(run[s])} prefetches outstanding at step {s}, more than "
                    f"max_outstanding_prefetches = {mop}"
                )
        # each step's duration from the memory of each access
        step, buf, nbytes, compute = self.program.accesses
        fast = np.zeros(step.shape[0], dtype=bool)
        if pieces:
            where = {(p.buffer, i) for p in pieces for i in range(p.first, p.end)}
            fast = np.fromiter(
                ((int(b), int(s)) in where for b, s in zip(buf, step, strict=True)),
                bool,
                step.shape[0],
            )
        bw = np.where(fast, self.fast_bandwidth, self.slow_bandwidth)
        mem = np.zeros(ns, dtype=np.float64)
        np.add.at(mem, step, nbytes / bw)
        dur = np.maximum(compute, mem)
        timed = [c.begin is not None for c in copies]
        if any(timed) and not all(timed):
            raise SolutionError("copy times (begin) must be given for every copy or for none")
        given = bool(copies) and all(timed)
        size = self.arrays[2]
        ctime = [self.copy_time(int(size[c.buffer])) for c in copies]
        tol = 1e-9 * max(1.0, float(compute.sum() + mem.sum() + sum(ctime)))
        order = sorted(
            range(len(copies)),
            key=lambda k: (copies[k].start, copies[k].kind != "eviction", copies[k].buffer,
                           copies[k].piece),
        )  # fmt: skip
        by_start: dict[int, list[int]] = {}
        by_done: dict[int, list[int]] = {}
        for k in order:
            by_start.setdefault(copies[k].start, []).append(k)
            by_done.setdefault(copies[k].done, []).append(k)
        begin = [0.0] * len(copies)
        end = [0.0] * len(copies)
        evicts = {(c.buffer, c.piece): k for k, c in enumerate(copies) if c.kind == "eviction"}
        engines = [0.0] * self.copy_engines
        start = np.zeros(ns)
        finish = np.zeros(ns)
        t = 0.0
        for i in range(ns):
            for k in by_start.get(i, ()):
                c = copies[k]
                # a prefetch reads what the previous piece's eviction wrote
                ev = evicts.get((c.buffer, c.piece - 1)) if c.kind == "prefetch" else None
                ready = t if ev is None else max(t, end[ev])
                if given:
                    assert c.begin is not None
                    if c.begin < t - tol:
                        raise SolutionError(
                            f"the {c.kind} of buffer {self.ids[c.buffer]!r} (piece {c.piece}) "
                            f"begins at {c.begin:.9g}, before step {i} is reached ({t:.9g})"
                        )
                    if c.begin < ready - tol:
                        raise SolutionError(
                            f"the prefetch of buffer {self.ids[c.buffer]!r} (piece {c.piece}) "
                            f"begins at {c.begin:.9g}, before the eviction of its previous "
                            f"piece ends ({ready:.9g})"
                        )
                    begin[k] = c.begin
                else:
                    free = heapq.heappop(engines)
                    begin[k] = max(ready, free)
                end[k] = begin[k] + ctime[k]
                if not given:
                    heapq.heappush(engines, end[k])
                if c.end is not None and abs(c.end - end[k]) > tol:
                    raise SolutionError(
                        f"the {c.kind} of buffer {self.ids[c.buffer]!r} (piece {c.piece}) ends "
                        f"at {end[k]:.9g} (begin + size / copy_bandwidth), not {c.end:.9g}"
                    )
            for k in by_done.get(i, ()):
                t = max(t, end[k])
            start[i] = t
            t = t + float(dur[i])
            finish[i] = t
        if given:
            self._check_engines(copies, begin, end, tol)
        sim_copies = tuple(
            dataclasses.replace(c, begin=begin[k], end=end[k]) for k, c in enumerate(copies)
        )
        return Simulation(tuple(pieces), sim_copies, start, finish, float(t))

    def _check_engines(
        self, copies: list[Copy], begin: list[float], end: list[float], tol: float
    ) -> None:
        ev = sorted(
            [(end[k] - tol, 0, k) for k in range(len(copies))]
            + [(begin[k], 1, k) for k in range(len(copies))]
        )
        busy = 0
        for _t, kind, k in ev:
            busy += 1 if kind else -1
            if busy > self.copy_engines:
                c = copies[k]
                raise SolutionError(
                    f"more than {self.copy_engines} copies run at once when the {c.kind} of "
                    f"buffer {self.ids[c.buffer]!r} (piece {c.piece}) begins at {begin[k]:.9g}"
                )

    def _check_space(self, pieces: list[Piece]) -> None:
        sz = self.arrays[2]
        rows = [p for p in pieces if sz[p.buffer] > 0]
        if len(rows) < 2:
            return
        t0 = np.array([p.occ_start for p in rows], np.int64)
        t1 = np.array([p.occ_end for p in rows], np.int64)
        x0 = np.array([p.offset for p in rows], np.int64)
        x1 = x0 + np.array([sz[p.buffer] for p in rows], np.int64)
        who = np.arange(len(rows))
        hit = overlapping_pair(t0, t1, x0, x1, who)
        if hit is not None:
            p, q = rows[hit[0]], rows[hit[1]]
            raise SolutionError(
                f"buffers {self.ids[p.buffer]!r} (offset {p.offset}, fast memory held over "
                f"steps [{p.occ_start}, {p.occ_end})) and {self.ids[q.buffer]!r} (offset "
                f"{q.offset}, steps [{q.occ_start}, {q.occ_end})) overlap in fast memory"
            )

    def describe(self, solution: dict[str, Any]) -> str:
        """Pieces, copies, stall time and the total."""
        sim = self.simulate(solution)
        stall = float((sim.step_start[1:] - sim.step_end[:-1]).sum()) if len(self.steps) else 0.0
        npf = sum(1 for c in sim.copies if c.kind == "prefetch")
        return "\n".join(
            [
                f"buffers    {self.n} (msa), steps {len(self.steps)}",
                f"pieces     {len(sim.pieces)} in fast memory of {self.capacity}",
                f"copies     {npf} prefetches, {len(sim.copies) - npf} evictions",
                f"stalls     {stall:.6g} (steps waiting for copies)",
                f"total      {sim.total:.6g}; all-slow "
                f"{self.program.total_time(np.zeros(self.n, dtype=bool)):.6g}",
            ]
        )

    # -- JSON ---------------------------------------------------------------------------
    def _json_head(self) -> dict[str, Any]:
        return {
            "fast_bandwidth": self.fast_bandwidth,
            "slow_bandwidth": self.slow_bandwidth,
            "copy_bandwidth": self.copy_bandwidth,
            "copy_engines": self.copy_engines,
            "max_outstanding_prefetches": self.max_outstanding_prefetches,
            "evictions": self.evictions,
        }

    def _json_body(self) -> dict[str, Any]:
        return self.program._json_body()

    @classmethod
    def _from_json(
        cls, data: dict[str, Any], buffers: tuple[Buffer, ...], name: str, source: str | None
    ) -> Msa:
        prog = Mapping._from_json(data, buffers, name, source)
        for key in ("copy_bandwidth", "copy_engines"):
            if key not in data:
                raise InstanceError(f'missing key "{key}"', source, path=f"$.{key}")
        return cls(
            buffers=buffers,
            capacity=prog.capacity,
            steps=prog.steps,
            fast_bandwidth=prog.fast_bandwidth,
            slow_bandwidth=prog.slow_bandwidth,
            copy_bandwidth=data["copy_bandwidth"],
            copy_engines=data["copy_engines"],
            max_outstanding_prefetches=data.get("max_outstanding_prefetches"),
            evictions=data.get("evictions", True),
            name=name,
            reference=data.get("reference"),
            source=source,
        )


KINDS[Msa.kind] = Msa


def max_saving(items: list[tuple[int, float]], capacity: int) -> float:
    """The largest total saving of ``items`` (``(size, saving)``) whose sizes fit in
    ``capacity`` together (a 0/1 knapsack): exact by branch and bound on up to 24 items,
    the fractional (LP) optimum, an upper bound, beyond."""
    items = sorted(
        ((w, v) for w, v in items if v > 0 and w <= capacity),
        key=lambda x: -x[1] / max(x[0], 1e-300),
    )
    if sum(w for w, _ in items) <= capacity:
        return sum(v for _, v in items)

    def fractional(k: int, room: int) -> float:
        got = 0.0
        for w, v in items[k:]:
            if w <= room:
                room -= w
                got += v
            else:
                return got + v * room / w
        return got

    if len(items) > 24:
        return fractional(0, capacity)
    best = 0.0

    def branch(k: int, room: int, got: float) -> None:
        nonlocal best
        if got > best:
            best = got
        if k == len(items) or got + fractional(k, room) <= best:
            return
        w, v = items[k]
        if w <= room:
            branch(k + 1, room - w, got + v)
        branch(k + 1, room, got)

    branch(0, capacity, 0.0)
    return best


def piece_dict(
    offset: int,
    first: int,
    end: int,
    prefetch: int | None = None,
    eviction: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """A piece of an msa solution in its JSON form."""
    d: dict[str, Any] = {"offset": int(offset), "first": int(first), "end": int(end)}
    if prefetch is not None:
        d["prefetch"] = {"start": int(prefetch)}
    if eviction is not None:
        d["eviction"] = {"start": int(eviction[0]), "done": int(eviction[1])}
    return d


def with_times(
    inst: Msa, solution: dict[str, Any], sim: Simulation | None = None
) -> dict[str, Any]:
    """``solution`` with every copy's ``begin`` and ``end`` filled in from the checker's
    simulation (copies as early as possible in issue order; ``sim``: that simulation, when
    the caller has it)."""
    if sim is None:
        sim = inst.simulate(solution)
    return times_given(
        inst, solution, {(c.buffer, c.piece, c.kind): (c.begin, c.end) for c in sim.copies}
    )


def times_given(
    inst: Msa, solution: dict[str, Any], times: dict[tuple[int, int, str], Any]
) -> dict[str, Any]:
    """``solution`` with the ``begin`` and ``end`` of each copy set from ``times``: ``(begin,
    end)`` by ``(buffer position, piece, "prefetch" or "eviction")``."""
    out: dict[str, Any] = {"fast": {}}
    for key, raw in solution["fast"].items():
        j = inst.position(key)
        assert j is not None
        rows = []
        for k, p in enumerate(raw):
            q = dict(p)
            for kind in ("prefetch", "eviction"):
                if q.get(kind) is not None:
                    b, e = times[(j, k, kind)]
                    q[kind] = {**q[kind], "begin": b, "end": e}
            rows.append(q)
        out["fast"][key] = rows
    return out
