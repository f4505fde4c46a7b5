"""Helpers of the msa methods: XLA's greedy memory-space assignment with prefetches and
evictions (:func:`xla_msa`), re-implemented for the :class:`~..msa.Msa` model from XLA's
public sources (``memory_space_assignment/algorithm.cc``, ``prefetch_interval_picker.cc``,
``cost_analysis.cc``); no code is copied.

What it follows:

- the buffer order of the whole-life ``xla`` method: XLA's memory-boundedness benefit
  (``CostAnalysis::GetMemoryBoundedness``) divided by sqrt(size), then size, then live range,
  descending; buffers without a positive benefit stay in slow memory;
- one buffer at a time, each use (access step) in order, without backtracking across
  buffers: (1) keep the buffer in fast memory without a copy, extending the piece it is in
  (or, at its first use, a piece from its ``lower``: XLA's allocation at the defining
  position), if the fast memory is free at the same offset and the elapsed time since the
  previous use is below the picker's maximum (``CanAllocateInAlternateMemoryNoCopy``;
  skipped when copies are disabled); (2) else, if the piece it leaves holds the only
  current copy, an eviction issued after its last write and done at XLA's preferred
  eviction end (``PreferredEvictionEndTime``: overlap ``preferred_ratio`` x the copy time),
  else earlier, else later; (3) a prefetch for the use, the start times tried in the order of
  ``CostAnalysisPrefetchIntervalPicker``: between the earliest start (overlap at most
  ``max_ratio`` x the copy time of the whole fast memory) and the latest (overlap plus the
  use's saving at least ``min_ratio`` x the copy time), the preferred start first (overlap
  closest to ``preferred_ratio`` x the copy time), then alternately later and earlier ones
  (``order="latest"``: from the latest down); (4) else slow memory for this use;
- chunks by best fit over the longest reach first (the piece's time up to the buffer's
  last use, then shorter: XLA's ``FindBestChunkCandidate`` tries the latest end first);
- the limit of outstanding prefetches (``max_outstanding_prefetches``) and a copy
  resource like XLA's ``AsynchronousCopyResource``: each step offers its all-slow elapsed
  time x the copy engines to the copies whose window covers it;
- a buffer whose required eviction fails is retried once without pieces that would need
  one (XLA's uncommit-and-retry, reduced to one retry).

What it leaves out: while loops and nesting levels, cross-program prefetch, sliced
prefetches, repacking, the async-copy ordering rule (no crossing copies; our engines are
simulated by the checker instead), memory-bound loop optimisation, scoped memory, aliasing
and in-place outputs, and XLA's several retries with growing multipliers.

Times: a copy issued at step ``s`` overlaps steps ``s .. u - 1`` before its use at step
``u``; the overlap is measured with every buffer in slow memory (XLA's elapsed times of
instructions), each step ``max(compute, bytes / slow bandwidth)``.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ....core import SolverOutput, Status
from ....core.timing import clock
from ..msa import Msa, piece_dict, with_times
from ._mapping import mapping_arrays, xla_memory_boundedness
from ._msa_retime import timings

#: XLA-like defaults of the prefetch interval picker.
MIN_RATIO = 1.0
PREFERRED_RATIO = 1.5
MAX_RATIO = 10.0


def buffer_order(inst: Msa) -> list[int]:
    """XLA's order: memory-boundedness benefit / sqrt(size), then size, then live range
    (descending); buffers without a positive benefit left out."""
    prog = inst.program
    ma = mapping_arrays(prog)
    lo, up, sz, _al, _fx = inst.arrays
    ben = xla_memory_boundedness(prog, ma)
    key = ben / np.sqrt(np.maximum(sz, 1))
    order = np.lexsort((np.arange(inst.n), -(up - lo), -sz, -key))
    return [int(j) for j in order if ben[j] > 0]


def slow_elapsed(inst: Msa) -> np.ndarray:
    """Each step's time with every buffer in slow memory."""
    return np.asarray(inst.program.step_times(np.zeros(inst.n, dtype=bool)), dtype=np.float64)


class Fast:
    """The fast memory as rectangles (steps x addresses) with a best-fit search.

    The rectangles are indexed by time: ``live[t]`` holds those that cover step ``t`` and
    ``starts`` the ``(first step, id)`` of every one, sorted; the rectangles that meet the
    steps ``[t0, t1)`` are then ``live[t0]`` and those starting in ``(t0, t1)``, so that a
    search looks at the rectangles of its own steps only, never at every one placed."""

    def __init__(self, capacity: int, steps: int) -> None:
        self.capacity = capacity
        self.rects: list[list[int]] = []  # [t0, t1, x0, x1]
        self.live: list[set[int]] = [set() for _ in range(steps + 1)]
        self.starts: list[tuple[int, int]] = []

    def __len__(self) -> int:
        return len(self.rects)

    def _cover(self, k: int, a: int, b: int, add: bool) -> None:
        live = self.live
        for t in range(max(a, 0), min(b, len(live))):
            if add:
                live[t].add(k)
            else:
                live[t].discard(k)

    def add(self, t0: int, t1: int, x0: int, x1: int) -> int:
        """Place a rectangle; its id."""
        k = len(self.rects)
        self.rects.append([t0, t1, x0, x1])
        bisect.insort(self.starts, (t0, k))
        self._cover(k, t0, t1, True)
        return k

    def set_end(self, k: int, t1: int) -> None:
        """Move the end step of rectangle ``k`` to ``t1``."""
        r = self.rects[k]
        if t1 > r[1]:
            self._cover(k, r[1], t1, True)
        elif t1 < r[1]:
            self._cover(k, max(t1, r[0]), r[1], False)
        r[1] = t1

    def truncate(self, n: int) -> None:
        """Remove the rectangles placed after the first ``n``."""
        for k in range(len(self.rects) - 1, n - 1, -1):
            t0, t1, _x0, _x1 = self.rects[k]
            self._cover(k, t0, t1, False)
            i = bisect.bisect_left(self.starts, (t0, k))
            del self.starts[i]
        del self.rects[n:]

    def _meet(self, t0: int, t1: int) -> list[int]:
        """The ids of the rectangles that meet the steps ``[t0, t1)`` (``t0 < t1``)."""
        out = list(self.live[t0]) if 0 <= t0 < len(self.live) else []
        i = bisect.bisect_left(self.starts, (t0 + 1, -1))
        j = bisect.bisect_left(self.starts, (t1, -1))
        rects = self.rects
        out.extend(k for _t, k in self.starts[i:j] if rects[k][1] > rects[k][0])
        return out

    def used(self, t0: int, t1: int, skip: int = -1) -> list[tuple[int, int]]:
        """Address ranges taken during ``[t0, t1)`` (rectangle ``skip`` left out)."""
        rects = self.rects
        if t0 >= t1:  # never asked by the greedy: every rectangle, as a plain scan
            ks: Any = (k for k, r in enumerate(rects) if r[0] < t1 and t0 < r[1] and r[0] < r[1])
        else:
            ks = self._meet(t0, t1)
        return sorted(
            (rects[k][2], rects[k][3]) for k in ks if k != skip and rects[k][3] > rects[k][2]
        )

    def free_at(self, t0: int, t1: int, x0: int, size: int, skip: int = -1) -> bool:
        """Whether ``[x0, x0 + size)`` is free during ``[t0, t1)``."""
        if t0 >= t1 or size == 0:
            return True
        rects, x1 = self.rects, x0 + size
        for k in self._meet(t0, t1):
            r = rects[k]
            if k != skip and r[3] > r[2] and r[2] < x1 and x0 < r[3]:
                return False
        return True

    def free_until(self, t0: int, t1: int, x0: int, size: int, skip: int = -1) -> float:
        """For ``t0 < h <= t1``, ``free_at(t0, h, x0, size, skip)`` holds exactly when ``h``
        is at most this: the first step of a rectangle (other than ``skip``) that meets
        ``[t0, t1)`` and takes part of ``[x0, x0 + size)``, else ``inf``."""
        if t0 >= t1 or size == 0:
            return math.inf
        rects, x1 = self.rects, x0 + size
        first = math.inf
        for k in self._meet(t0, t1):
            r = rects[k]
            if k != skip and r[3] > r[2] and r[2] < x1 and x0 < r[3]:
                first = min(first, r[0])
        return first

    def best_fit(self, t0: int, t1: int, size: int, align: int) -> int | None:
        """The offset of the smallest gap that holds ``size`` during ``[t0, t1)`` (lowest on
        ties), or ``None``."""
        if size > self.capacity:
            return None
        best: tuple[int, int] | None = None
        pos = 0
        for a, b in [*self.used(t0, t1), (self.capacity, self.capacity)]:
            start = -(-pos // align) * align
            if a - start >= size and (best is None or a - pos < best[0]):
                best = (a - pos, start)
            pos = max(pos, b)
        return None if best is None else best[1]


class _Expired(Exception):
    """The deadline of :func:`xla_msa` passed while a buffer was being decided."""


@dataclass
class _Open:
    """The piece a buffer is in while its uses are processed."""

    offset: int
    first: int
    end: int
    prefetch: int | None
    rect: int
    dirty: bool  # its only current copy is in fast memory
    t0: int  # the first step whose memory it holds


def xla_msa(
    inst: Msa,
    *,
    min_ratio: float = MIN_RATIO,
    preferred_ratio: float = PREFERRED_RATIO,
    max_ratio: float = MAX_RATIO,
    order: str = "preferred",
    buffers: list[int] | None = None,
    deadline: float = math.inf,
) -> dict[str, Any]:
    """XLA's greedy memory-space assignment (see the module docstring): an msa solution.
    ``buffers``: the order to allocate in (default :func:`buffer_order`). ``deadline``
    (absolute :func:`~schedlab.core.timing.clock` seconds; none by default, and then the
    clock is never read): once it passes, the buffer being decided and those after it
    stay in slow memory (always feasible) and the solution so far is returned."""
    ns = len(inst.steps)
    el = slow_elapsed(inst)
    cum = np.concatenate([[0.0], np.cumsum(el)])
    prog = inst.program
    lo, up, sz, al, _fx = inst.arrays
    cap = int(inst.capacity or 0)
    fast = Fast(cap, ns)
    timed = deadline < math.inf
    res = el * max(inst.copy_engines, 0)  # copy resource left at each step
    out_pf = np.zeros(ns + 1, np.int64)  # prefetches outstanding at each step
    mop = inst.max_outstanding_prefetches
    copies = inst.copies_enabled
    max_el = max_ratio * inst.copy_time(cap)
    # per (step, buffer): the time the step saves with the buffer alone in fast memory
    step, buf, nbytes, _c = prog.accesses
    d = 1.0 / prog.slow_bandwidth - 1.0 / prog.fast_bandwidth
    saving: dict[tuple[int, int], float] = {}
    for s, j, v in zip(step.tolist(), buf.tolist(), nbytes.tolist(), strict=True):
        saving[(s, j)] = saving.get((s, j), 0.0) + v * d
    solution: dict[Any, list[dict[str, Any]]] = {}

    def overlap(t: int, u: int) -> float:
        return float(cum[u] - cum[t])

    def take(t: int, u: int, amount: float) -> bool:
        """Consume ``amount`` of copy resource over steps ``[t, u)`` (earliest first)."""
        if float(res[t:u].sum()) < amount * (1 - 1e-12):
            return False
        left = amount
        for s in range(t, u):
            g = min(float(res[s]), left)
            res[s] -= g
            left -= g
            if left <= 0:
                break
        return True

    def attempt(j: int, restricted: bool) -> list[dict[str, Any]] | None:
        """The pieces of buffer ``j``, ``None`` if an eviction it needs fails (raises
        :class:`_Expired` once the deadline has passed)."""
        acc, writes = inst.access_steps[j], set(inst.write_steps[j])
        size, align = int(sz[j]), int(al[j])
        ctime = inst.copy_time(size)
        pieces: list[dict[str, Any]] = []
        cur: _Open | None = None
        prev_end = int(lo[j])
        last_slow_write = -1

        def reach(t0: int, u: int, fails: dict[int, int] | None = None) -> tuple[int, int] | None:
            """An offset for a piece from ``t0`` used at ``u``: best fit for the longest
            end first (the last use, then earlier uses), then ``(offset, end)``. ``fails``
            (while the fast memory does not change): per end, the latest start known not
            to fit (a longer piece does not fit either), updated."""
            ends = [v + 1 for v in reversed(acc) if v >= u]
            if restricted:  # no piece over a write
                nxt = [v for v in acc if v > u and v in writes]
                if nxt:
                    ends = [e for e in ends if e <= nxt[0]]
            for e in ends:
                if fails is not None and fails.get(e, -1) >= t0:
                    continue
                o = fast.best_fit(t0, e, size, align)
                if o is not None:
                    return o, e
                if fails is not None:
                    for e2 in ends:
                        if e2 >= e and fails.get(e2, -1) < t0:
                            fails[e2] = t0
            return None

        for u in acc:
            if timed and clock() >= deadline:
                raise _Expired
            w = u in writes
            if cur is not None:
                ok = not (restricted and w)
                if ok and copies and overlap(cur.end, u) >= max_el:
                    ok = False
                if ok and fast.free_at(cur.end, u + 1, cur.offset, size, cur.rect):
                    cur.end = u + 1
                    fast.set_end(cur.rect, u + 1)
                    cur.dirty = cur.dirty or w
                    continue
                # leave fast memory: an eviction if the slow copy is stale
                occ_end = cur.end
                ev = None
                if cur.dirty:
                    if not (copies and inst.evictions):
                        return None
                    wr = [s for s in writes if cur.first <= s < cur.end]
                    es = max([cur.first] + [s + 1 for s in wr])
                    cands = list(range(es + 1, u + 1))
                    if not cands:
                        return None
                    pref = next((x for x in cands if overlap(es, x) >= preferred_ratio * ctime), u)
                    order_d = [pref] + [x for x in reversed(cands) if x < pref]
                    order_d += [x for x in cands if x > pref]
                    # free_at(cur.end, hold) holds exactly for hold <= free_to (or <= cur.end)
                    free_to = fast.free_until(cur.end, u, cur.offset, size, cur.rect)
                    for x in order_d:
                        hold = max(cur.end, x)
                        if hold > cur.end and hold > free_to:
                            continue
                        if not take(es, x, ctime):
                            continue
                        ev = (es, x)
                        occ_end = hold
                        fast.set_end(cur.rect, hold)
                        break
                    if ev is None:
                        return None
                pieces.append(piece_dict(cur.offset, cur.first, cur.end, cur.prefetch, ev))
                prev_end = occ_end
                cur = None
            # (1) at the first use, a piece from the buffer's lower without a copy
            if not pieces and not restricted and last_slow_write < 0 and u == acc[0]:
                t0 = int(lo[j])
                if not copies or overlap(t0, u) < max_el:
                    got = reach(t0, u)
                    if got is not None:
                        o, _e = got
                        k = fast.add(t0, u + 1, o, o + size)
                        cur = _Open(o, t0, u + 1, None, k, True, t0)
                        continue
            # (3) a prefetch for this use
            if copies and not (restricted and w) and (inst.evictions or not pieces):
                e0 = max(int(lo[j]), prev_end, last_slow_write + 1)
                latest = u - 1
                need = min_ratio * ctime
                red = saving.get((u, j), 0.0)
                while latest >= e0 and overlap(latest, u) + red < need:
                    latest -= 1
                earliest = e0
                while earliest < latest and overlap(earliest, u) > max_el:
                    earliest += 1
                cand: list[int] = []
                if e0 <= latest and earliest <= latest:
                    if order == "latest":
                        cand = list(range(latest, earliest - 1, -1))
                    else:
                        target = preferred_ratio * ctime
                        best = earliest
                        for t in range(earliest + 1, latest + 1):
                            if abs(target - overlap(t, u)) < abs(target - overlap(best, u)):
                                best = t
                        cand = [best]
                        hi, low = best + 1, best - 1
                        while hi <= latest or low >= earliest:
                            if hi <= latest:
                                cand.append(hi)
                                hi += 1
                            if low >= earliest:
                                cand.append(low)
                                low -= 1
                placed = False
                fails: dict[int, int] = {}
                for t in cand:
                    if mop is not None and (out_pf[t:u] >= mop).any():
                        continue
                    if float(res[t:u].sum()) < ctime * (1 - 1e-12):
                        continue
                    got = reach(t, u, fails)
                    if got is None:
                        continue
                    o, _e = got
                    take(t, u, ctime)
                    out_pf[t:u] += 1
                    k = fast.add(t, u + 1, o, o + size)
                    cur = _Open(o, u, u + 1, t, k, w, t)
                    placed = True
                    break
                if placed:
                    continue
            # (4) slow memory for this use
            if w:
                last_slow_write = u
        if cur is not None:
            pieces.append(piece_dict(cur.offset, cur.first, cur.end, cur.prefetch))
        return pieces

    for j in buffer_order(inst) if buffers is None else buffers:
        if timed and clock() >= deadline:
            break  # the buffers left stay in slow memory
        if not inst.access_steps[j] or int(sz[j]) > cap:
            continue
        snap = (len(fast), res.copy(), out_pf.copy())
        try:
            got = attempt(j, False)
            if got is None:
                fast.truncate(snap[0])
                res, out_pf = snap[1], snap[2]
                got = attempt(j, True)
                if got is None:  # pragma: no cover - a restricted attempt never evicts
                    fast.truncate(snap[0])
                    res, out_pf = snap[1].copy(), snap[2].copy()
                    got = []
        except _Expired:  # this buffer stays in slow memory too (the others are untouched)
            break
        if got:
            solution[inst.ids[j]] = got
    return {"fast": solution}


def msa_output(
    inst: Msa,
    solution: dict[str, Any],
    info: dict[str, Any],
    bound: float | None = None,
    proven: bool = False,
    edf: bool = True,
) -> SolverOutput:
    """The output of an msa solution: OPTIMAL when ``proven`` or its total time meets the
    bound (``bound``, else the instance's lower bound), with the copy times filled in: the
    checker's (issue order), or with ``edf`` those of
    :func:`~._msa_retime.edf_times` when they are shorter (:func:`~._msa_retime.timings`)."""
    lb = inst.lower_bound() if bound is None else max(bound, inst.lower_bound())
    if edf:
        sol, sim = timings(inst, solution)
    else:
        sol, sim = solution, inst.simulate(solution)
    sol, obj = with_times(inst, sol, sim), sim.total
    lb = min(lb, obj)
    info = {**info, "pieces": sum(len(v) for v in sol["fast"].values())}
    if proven or obj <= lb * (1 + 1e-9):
        return SolverOutput(sol, Status.OPTIMAL, bound=obj, info=info)
    return SolverOutput(sol, Status.FEASIBLE, bound=lb, info=info)


def whole_life(inst: Msa, deadline: float = math.inf) -> dict[str, Any]:
    """The marginal-benefit greedy of mapping (whole lives, no copies; see
    :func:`._mapping.benefit_offsets`) as an msa solution, each piece ending after its
    buffer's last access."""
    from ._mapping import benefit_offsets

    off = benefit_offsets(inst.program, deadline)
    fast: dict[Any, list[dict[str, Any]]] = {}
    for j, o in enumerate(off.tolist()):
        acc = inst.access_steps[j]
        if o >= 0 and acc:
            fast[inst.ids[j]] = [piece_dict(o, int(inst.arrays[0][j]), acc[-1] + 1)]
    return {"fast": fast}


def best_start(inst: Msa, deadline: float = math.inf) -> dict[str, Any]:
    """The better of :func:`xla_msa` and :func:`whole_life` (the start of the searches),
    both under the ``deadline`` (absolute :func:`~schedlab.core.timing.clock` seconds; none
    by default, and then the clock is never read): once it has passed, the greedy's
    solution so far (buffers not decided in slow memory) without the whole-life one."""
    a = xla_msa(inst, deadline=deadline)
    if deadline < math.inf and clock() >= deadline:
        return a
    b = whole_life(inst, deadline)
    return a if inst.check(a) <= inst.check(b) else b
