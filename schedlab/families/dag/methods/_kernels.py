"""Compiled kernels (numba) for dag: the list scheduler behind every list heuristic (HEFT,
CPOP, PEFT, the random multistart, the online policies' placements) and the left shift of a
schedule that keeps each processor's sequence.

Arrays as in :class:`._graph.Graph`: ``times`` ``(n, P)`` int64 with ``-1`` where a task is
not eligible, predecessors in CSR form, ``bw`` with ``0`` for an infinite bandwidth.
"""

from __future__ import annotations

import numpy as np

from ....engines.jit import njit


@njit
def delay(vol: int, p: int, q: int, bw: np.ndarray, lat: np.ndarray) -> int:  # pragma: no cover
    """The delay of ``vol`` from processor ``p`` to ``q``: 0 on one processor, else
    ``ceil(vol / bw) + lat`` (no transfer time with an infinite bandwidth, ``bw == 0``)."""
    if p == q:
        return 0
    b = bw[p, q]
    t = 0
    if b > 0 and vol > 0:
        t = (vol + b - 1) // b
    return t + lat[p, q]


@njit
def earliest_slot(
    bstart: np.ndarray, bend: np.ndarray, cnt: int, ready: int, dur: int, insertion: bool
) -> tuple[int, int]:  # pragma: no cover - compiled
    """The earliest start at or after ``ready`` of a task of time ``dur`` on a processor
    whose busy intervals (sorted by start) are ``bstart[:cnt]``, ``bend[:cnt]``, and the
    position where its interval goes. Without ``insertion``, only after the last interval."""
    if dur == 0:
        return ready, -1
    if not insertion:
        if cnt == 0:
            return ready, 0
        return max(ready, bend[cnt - 1]), cnt
    # skip the intervals ending at or before ready (binary search on ends: they are sorted)
    lo, hi = 0, cnt
    while lo < hi:
        mid = (lo + hi) // 2
        if bend[mid] <= ready:
            lo = mid + 1
        else:
            hi = mid
    t = ready
    k = lo
    while k < cnt:
        if bstart[k] >= t + dur:
            return t, k
        if bend[k] > t:
            t = bend[k]
        k += 1
    return t, cnt


@njit
def list_schedule(
    prio: np.ndarray,
    times: np.ndarray,
    pred_ptr: np.ndarray,
    pred_idx: np.ndarray,
    pred_vol: np.ndarray,
    succ_ptr: np.ndarray,
    succ_idx: np.ndarray,
    bw: np.ndarray,
    lat: np.ndarray,
    bias: np.ndarray,
    forced: np.ndarray,
    release: np.ndarray,
    insertion: bool,
    proc: np.ndarray,
    start: np.ndarray,
) -> int:  # pragma: no cover - compiled
    """List scheduling: repeatedly take the ready task (all predecessors placed) of highest
    ``prio`` (ties: lower index) and place it on the processor minimising its finish time
    plus ``bias[i, p]`` (ties: earlier finish, then lower processor), at its earliest start
    there (in a gap between placed tasks with ``insertion``), not before ``release[i]``. A
    task with ``forced[i] >= 0`` goes to that processor (if eligible). Tasks whose
    ``proc[i] >= 0`` on entry are already placed (at ``start[i]``) and only block their
    processors. Fills ``proc`` and ``start``; returns the makespan."""
    n, P = times.shape
    cap = n + 1
    bstart = np.empty((P, cap), dtype=np.int64)
    bend = np.empty((P, cap), dtype=np.int64)
    cnt = np.zeros(P, dtype=np.int64)
    placed = np.zeros(n, dtype=np.bool_)
    waiting = np.zeros(n, dtype=np.int64)
    end = np.zeros(n, dtype=np.int64)
    # pre-placed tasks
    for i in range(n):
        if proc[i] >= 0:
            placed[i] = True
            end[i] = start[i] + times[i, proc[i]]
            dur = times[i, proc[i]]
            if dur > 0:
                p = proc[i]
                c = cnt[p]
                k = c
                while k > 0 and bstart[p, k - 1] > start[i]:
                    bstart[p, k] = bstart[p, k - 1]
                    bend[p, k] = bend[p, k - 1]
                    k -= 1
                bstart[p, k] = start[i]
                bend[p, k] = end[i]
                cnt[p] = c + 1
    ready = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        if placed[i]:
            continue
        w = 0
        for k in range(pred_ptr[i], pred_ptr[i + 1]):
            if not placed[pred_idx[k]]:
                w += 1
        waiting[i] = w
        if w == 0:
            ready[i] = True
    left = 0
    for i in range(n):
        if not placed[i]:
            left += 1
    while left > 0:
        best = -1
        for i in range(n):
            if ready[i] and (best < 0 or prio[i] > prio[best]):
                best = i
        if best < 0:
            return -1  # a cycle among the tasks left (cannot happen on a valid instance)
        i = best
        ready[i] = False
        bp = -1
        bs = 0
        bpos = 0
        bf = 0
        bkey = 0.0
        for p in range(P):
            if times[i, p] < 0:
                continue
            if forced[i] >= 0 and p != forced[i] and times[i, forced[i]] >= 0:
                continue
            r = release[i]
            for k in range(pred_ptr[i], pred_ptr[i + 1]):
                a = pred_idx[k]
                t = end[a] + delay(pred_vol[k], proc[a], p, bw, lat)
                if t > r:
                    r = t
            s, pos = earliest_slot(bstart[p], bend[p], cnt[p], r, times[i, p], insertion)
            f = s + times[i, p]
            key = f + bias[i, p]
            if bp < 0 or key < bkey or (key == bkey and f < bf):
                bp, bs, bpos, bf, bkey = p, s, pos, f, key
        proc[i] = bp
        start[i] = bs
        end[i] = bf
        placed[i] = True
        left -= 1
        if bf > bs:
            c = cnt[bp]
            for k in range(c, bpos, -1):
                bstart[bp, k] = bstart[bp, k - 1]
                bend[bp, k] = bend[bp, k - 1]
            bstart[bp, bpos] = bs
            bend[bp, bpos] = bf
            cnt[bp] = c + 1
        for k in range(succ_ptr[i], succ_ptr[i + 1]):
            j = succ_idx[k]
            if not placed[j]:
                waiting[j] -= 1
                if waiting[j] == 0:
                    ready[j] = True
    mk = 0
    for i in range(n):
        if end[i] > mk:
            mk = end[i]
    return mk


@njit
def left_shift(
    rank: np.ndarray,
    times: np.ndarray,
    pred_ptr: np.ndarray,
    pred_idx: np.ndarray,
    pred_vol: np.ndarray,
    bw: np.ndarray,
    lat: np.ndarray,
    release: np.ndarray,
    proc: np.ndarray,
    start: np.ndarray,
) -> int:  # pragma: no cover - compiled
    """Move every task of a feasible schedule as early as its predecessors (with their
    delays), its release and the previous task on its processor allow, keeping each
    processor's sequence; ``rank`` is each task's position in a topological order (ties of
    equal starts). Updates ``start``; returns the makespan."""
    n = times.shape[0]
    P = times.shape[1]
    by_rank = np.empty(n, dtype=np.int64)
    for i in range(n):
        by_rank[rank[i]] = i
    seq = by_rank[np.argsort(start[by_rank], kind="mergesort")]
    last_end = np.zeros(P, dtype=np.int64)
    end = np.zeros(n, dtype=np.int64)
    mk = 0
    for idx in range(n):
        i = seq[idx]
        p = proc[i]
        r = release[i]
        for k in range(pred_ptr[i], pred_ptr[i + 1]):
            a = pred_idx[k]
            t = end[a] + delay(pred_vol[k], proc[a], p, bw, lat)
            if t > r:
                r = t
        dur = times[i, p]
        if dur > 0 and last_end[p] > r:
            r = last_end[p]
        start[i] = r
        end[i] = r + dur
        if dur > 0:
            last_end[p] = end[i]
        if end[i] > mk:
            mk = end[i]
    return mk


@njit
def optimistic_cost_table(
    order: np.ndarray,
    succ_ptr: np.ndarray,
    succ_idx: np.ndarray,
    succ_vol: np.ndarray,
    times: np.ndarray,
    eligible: np.ndarray,
    bw: np.ndarray,
    lat: np.ndarray,
    comm: bool,
) -> np.ndarray:  # pragma: no cover - compiled
    """PEFT's optimistic cost table ``OCT[t, p]`` (``n x P`` floats; ``inf`` where ``t`` is
    not eligible on ``p``): for ``t`` on ``p``, the largest over its successors ``s`` of the
    least ``OCT[s, q] + times[s, q] + delay(p, q)`` over the processors ``q`` eligible for
    ``s``; tasks in reverse topological ``order``."""
    n, P = times.shape
    oct_ = np.zeros((n, P))
    row = np.zeros(P)
    for r in range(n - 1, -1, -1):
        i = order[r]
        row[:] = 0.0
        for k in range(succ_ptr[i], succ_ptr[i + 1]):
            s = succ_idx[k]
            vol = succ_vol[k]
            for p in range(P):
                least = np.inf
                for q in range(P):
                    if not eligible[s, q]:
                        continue
                    c = oct_[s, q] + float(times[s, q])
                    if comm:
                        c += float(delay(vol, p, q, bw, lat))
                    if c < least:
                        least = c
                if least > row[p]:
                    row[p] = least
        for p in range(P):
            oct_[i, p] = row[p] if eligible[i, p] else np.inf
    return oct_
