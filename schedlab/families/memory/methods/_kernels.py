"""numba kernels: greedy placement into gaps, bottom-up (skyline) placement, the max load
per buffer, and the mapping greedy.

The resumable placements run in slices under a deadline (:func:`run_in_slices`); the
deadline follows :mod:`schedlab.engines.jit`'s convention (absolute ``perf_counter``
seconds, :data:`~schedlab.engines.jit.NO_DEADLINE` for none).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ....engines.jit import NO_DEADLINE, clock, njit, now

#: The state arrays (and scalars) of a resumable kernel run, as its ``*_init`` returns them.
State = tuple[Any, ...]

#: Target wall time of one slice of a kernel run under a deadline (seconds).
SLICE_SECONDS = 0.05


def run_in_slices(step: Callable[[int], bool], deadline: float, first: int) -> bool:
    """Call ``step(budget)`` (a kernel resuming where it stopped, ``True`` when done) until it
    is done or the ``deadline`` passes (``False``). Without a deadline (``NO_DEADLINE``) one
    call does all the work. Slices start at ``first`` steps and are resized from the
    measured speed to about :data:`SLICE_SECONDS` each, since the cost of a step varies by
    orders of magnitude (a long-lived buffer overlaps thousands)."""
    if math.isinf(deadline):
        return step(np.iinfo(np.int64).max // 2)
    budget = first
    while True:
        t0 = time.perf_counter()
        if step(budget):
            return True
        if clock() >= deadline:
            return False
        dt = time.perf_counter() - t0
        budget = int(max(1, min(4 * budget, budget * SLICE_SECONDS / max(dt, 1e-6))))


@njit
def _align_up(x: int, a: int) -> int:
    r = x % a
    return x if r == 0 else x + a - r


@njit
def _sections(lo: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Compressed time: section indices ``[a, e)`` of every buffer, and the section count."""
    times = np.unique(np.concatenate((lo, up)))
    a = np.searchsorted(times, lo)
    e = np.searchsorted(times, up)
    return a.astype(np.int64), e.astype(np.int64), max(1, times.shape[0] - 1)


#: Start sections per block of the start-time lists of :func:`place`.
_BSH = 6


@njit
def place_init(order: np.ndarray, lo: np.ndarray, up: np.ndarray, fixed: np.ndarray) -> State:
    """State of a resumable :func:`place`: ``(a, e, size, head, ent, bhead, bent, todo, cnt,
    off, ps, pe)``; ``cnt`` = [segment tree entries used, buffers to place, buffers done].

    The lists hold what a query reads in place (one cache line an entry, not an index into
    the buffers' arrays): ``ent[q]`` = (next entry, offset, end) for the segment tree,
    ``bent[b]`` = (next buffer, start section, offset, end) for the start-block lists."""
    n = lo.shape[0]
    off = np.full(n, -1, dtype=np.int64)
    a, e, ns = _sections(lo, up)
    size = 1
    while size < ns:
        size *= 2
    # linked lists: segment tree nodes, and blocks of start sections
    head = np.full(2 * size, -1, dtype=np.int64)
    nblk = (ns >> _BSH) + 1
    bhead = np.full(nblk, -1, dtype=np.int64)
    bent = np.empty((n, 4), dtype=np.int64)
    # the segment tree entries: exactly the nodes covering each buffer's interval
    cap_e = 16
    for i in range(n):
        left = a[i] + size
        right = e[i] + size
        while left < right:
            if left & 1:
                cap_e += 1
                left += 1
            if right & 1:
                right -= 1
                cap_e += 1
            left >>= 1
            right >>= 1
    ent = np.empty((cap_e, 3), dtype=np.int64)
    todo = np.empty(n + order.shape[0], dtype=np.int64)
    nt = 0
    for i in range(n):
        if fixed[i] >= 0:
            todo[nt] = i
            nt += 1
    for k in range(order.shape[0]):
        if fixed[order[k]] < 0:
            todo[nt] = order[k]
            nt += 1
    cnt = np.zeros(3, dtype=np.int64)
    cnt[1] = nt
    ps = np.empty(n, dtype=np.int64)
    pe = np.empty(n, dtype=np.int64)
    return a, e, size, head, ent, bhead, bent, todo, cnt, off, ps, pe


@njit
def place_steps(
    a: np.ndarray,
    e: np.ndarray,
    size: int,
    head: np.ndarray,
    ent: np.ndarray,
    bhead: np.ndarray,
    bent: np.ndarray,
    todo: np.ndarray,
    cnt: np.ndarray,
    off: np.ndarray,
    ps: np.ndarray,
    pe: np.ndarray,
    sz: np.ndarray,
    al: np.ndarray,
    fixed: np.ndarray,
    cap: int,
    best_fit: bool,
    skip_overflow: bool,
    budget: int,
) -> bool:
    """Place up to ``budget`` more buffers of a :func:`place_init` state; True when all
    are placed."""
    bsh = _BSH
    ne = cnt[0]
    nt = cnt[1]
    k = cnt[2]
    stop = min(nt, k + budget)
    while k < stop:
        b = todo[k]
        k += 1
        s = sz[b]
        if fixed[b] >= 0:
            best = fixed[b]
        else:
            m = 0
            ab, eb = a[b], e[b]
            node = ab + size
            while node >= 1:
                q = head[node]
                while q >= 0:
                    ps[m] = ent[q, 1]
                    pe[m] = ent[q, 2]
                    m += 1
                    q = ent[q, 0]
                node >>= 1
            if eb - ab > 1:
                for blk in range((ab + 1) >> bsh, ((eb - 1) >> bsh) + 1):
                    c = bhead[blk]
                    while c >= 0:
                        if ab < bent[c, 1] < eb:
                            ps[m] = bent[c, 2]
                            pe[m] = bent[c, 3]
                            m += 1
                        c = bent[c, 0]
            # gaps of the union of the [ps, pe) intervals: sweep their sorted starts and
            # ends (ends first on ties: touching intervals leave no gap)
            xs = ps[:m]
            xs.sort()  # in place: ps and pe are scratch space
            xe = pe[:m]
            xe.sort()
            best = -1
            best_waste = np.int64(-1)
            al_b = al[b]
            cov = 0
            glo = 0
            i = 0
            j = 0
            while i < m:
                if xe[j] <= xs[i]:
                    cov -= 1
                    if cov == 0:
                        glo = xe[j]
                    j += 1
                    continue
                if cov == 0 and xs[i] > glo:
                    start = _align_up(glo, al_b)
                    if start + s <= xs[i]:
                        waste = xs[i] - glo - s
                        if not best_fit:
                            best = start
                            break
                        if best < 0 or waste < best_waste:
                            best = start
                            best_waste = waste
                cov += 1
                i += 1
            if best < 0:
                best = _align_up(xe[m - 1] if m > 0 else 0, al_b)
            if cap > 0 and best + s > cap and skip_overflow:
                continue
        off[b] = best
        if s <= 0:
            continue
        # register b: segment tree nodes covering [a, e), and its start block
        left = a[b] + size
        right = e[b] + size
        while left < right:
            if left & 1:
                ent[ne, 0] = head[left]
                ent[ne, 1] = best
                ent[ne, 2] = best + s
                head[left] = ne
                ne += 1
                left += 1
            if right & 1:
                right -= 1
                ent[ne, 0] = head[right]
                ent[ne, 1] = best
                ent[ne, 2] = best + s
                head[right] = ne
                ne += 1
            left >>= 1
            right >>= 1
        blk = a[b] >> bsh
        bent[b, 0] = bhead[blk]
        bent[b, 1] = a[b]
        bent[b, 2] = best
        bent[b, 3] = best + s
        bhead[blk] = b
    cnt[0] = ne
    cnt[2] = k
    return bool(k >= nt)


@njit
def place_all(
    order: np.ndarray,
    lo: np.ndarray,
    up: np.ndarray,
    sz: np.ndarray,
    al: np.ndarray,
    fixed: np.ndarray,
    cap: int,
    best_fit: bool,
    skip_overflow: bool,
) -> np.ndarray:
    """:func:`place` without a deadline, in one call (no state crosses into Python)."""
    a, e, size, head, ent, bhead, bent, todo, cnt, off, ps, pe = place_init(order, lo, up, fixed)
    place_steps(
        a, e, size, head, ent, bhead, bent, todo, cnt, off, ps, pe, sz, al, fixed, cap,
        best_fit, skip_overflow, todo.shape[0],
    )  # fmt: skip
    return off


def place(
    order: np.ndarray,
    lo: np.ndarray,
    up: np.ndarray,
    sz: np.ndarray,
    al: np.ndarray,
    fixed: np.ndarray,
    cap: int,
    best_fit: bool,
    skip_overflow: bool,
    deadline: float = NO_DEADLINE,
    chunk: int = 16,
) -> np.ndarray | None:
    """Place buffers in ``order`` (fixed ones first, at their offset), each into a gap among
    the placed buffers overlapping it in time: the smallest gap that fits (``best_fit``) or
    the lowest, else on top. Returns offsets; -1 where a buffer would exceed ``cap`` (> 0)
    and ``skip_overflow`` is set (it stays in slow memory). With a ``deadline`` (absolute
    ``perf_counter`` seconds), the placement runs in slices (the first of ``chunk`` buffers,
    see :func:`run_in_slices`) and returns ``None`` once it passes.

    The placed buffers overlapping ``b`` are found without a scan of all placed buffers:
    those live when ``b`` starts come from a segment tree over time (each placed buffer is
    stored in the O(log T) nodes that cover its interval; a root-to-leaf path lists each
    buffer covering a point once), those starting later within ``b``'s life from per-block
    lists of start times. The cost is O(k log k) per buffer for its k overlapping placed
    buffers, instead of O(n)."""
    if lo.shape[0] == 0:
        return np.full(0, -1, dtype=np.int64)
    if math.isinf(deadline) and deadline > 0:
        out: np.ndarray = place_all(order, lo, up, sz, al, fixed, int(cap), best_fit, skip_overflow)
        return out
    st = place_init(order, lo, up, fixed)

    def step(budget: int) -> bool:
        return bool(place_steps(*st, sz, al, fixed, int(cap), best_fit, skip_overflow, budget))

    return st[9] if run_in_slices(step, deadline, chunk) else None


@njit
def breadth(lo: np.ndarray, up: np.ndarray, sz: np.ndarray, times: np.ndarray) -> np.ndarray:
    """For each buffer, the max load over its live interval and the (compressed) time at
    which it is reached: returns an (n, 2) array. ``times``: the sorted distinct event
    times."""
    nt = times.shape[0]
    load = np.zeros(nt, dtype=np.int64)
    n = lo.shape[0]
    a = np.searchsorted(times, lo)
    b = np.searchsorted(times, up)
    diff = np.zeros(nt + 1, dtype=np.int64)
    for i in range(n):
        diff[a[i]] += sz[i]
        diff[b[i]] -= sz[i]
    cur = 0
    for t in range(nt):
        cur += diff[t]
        load[t] = cur
    out = np.zeros((n, 2), dtype=np.int64)
    for i in range(n):
        best = -1
        arg = a[i]
        for t in range(a[i], b[i]):
            if load[t] > best:
                best = load[t]
                arg = t
        out[i, 0] = best
        out[i, 1] = arg
    return out


@njit
def _fit(
    b: int,
    placed: np.ndarray,
    npl: int,
    off: np.ndarray,
    lo: np.ndarray,
    up: np.ndarray,
    sz: np.ndarray,
    al: np.ndarray,
    cap: int,
    ps: np.ndarray,
    pe: np.ndarray,
) -> int:
    """Best-fit offset for ``b`` among the placed buffers, or -1 if it exceeds ``cap``."""
    m = 0
    for q in range(npl):
        j = placed[q]
        if lo[j] < up[b] and lo[b] < up[j] and sz[j] > 0:
            ps[m] = off[j]
            pe[m] = off[j] + sz[j]
            m += 1
    idx = np.argsort(ps[:m])
    reach = 0
    best = -1
    best_waste = np.int64(-1)
    s = sz[b]
    a = al[b]
    for t in range(m):
        j = idx[t]
        start = _align_up(reach, a)
        if ps[j] > reach and start + s <= ps[j]:
            waste = ps[j] - reach - s
            if best < 0 or waste < best_waste:
                best = start
                best_waste = waste
        if pe[j] > reach:
            reach = pe[j]
    if best < 0:
        best = _align_up(reach, a)
    if best + s > cap:
        return -1
    return best


@njit
def map_greedy(
    lo: np.ndarray,
    up: np.ndarray,
    sz: np.ndarray,
    al: np.ndarray,
    fixed: np.ndarray,
    cap: int,
    step_ptr: np.ndarray,
    step_buf: np.ndarray,
    step_bytes: np.ndarray,
    buf_ptr: np.ndarray,
    buf_step: np.ndarray,
    buf_bytes: np.ndarray,
    compute: np.ndarray,
    inv_fast: float,
    inv_slow: float,
    gamma: float,
    use_life: bool,
    deadline: float,
) -> np.ndarray:
    """Lazy greedy for mapping: repeatedly take the buffer of largest marginal time saving
    per (size x lifetime)^gamma (lifetime only with ``use_life``), recomputed against the
    current mapping (savings only shrink as buffers move to fast memory), and place it by
    best fit if it fits. Returns offsets (-1: slow memory). When the ``deadline`` (absolute
    ``perf_counter`` seconds) passes, the buffers not yet chosen stay in slow memory: the
    offsets so far are a valid mapping."""
    n = lo.shape[0]
    ns = compute.shape[0]
    mem = np.zeros(ns)
    for s in range(ns):
        for k in range(step_ptr[s], step_ptr[s + 1]):
            mem[s] += step_bytes[k] * inv_slow
    dv = inv_slow - inv_fast
    off = np.full(n, -1, dtype=np.int64)
    placed = np.empty(n, dtype=np.int64)
    npl = 0
    alive = np.ones(n, dtype=np.bool_)
    for b in range(n):
        if fixed[b] >= 0:
            off[b] = fixed[b]
            placed[npl] = b
            npl += 1
            alive[b] = False
            for k in range(buf_ptr[b], buf_ptr[b + 1]):
                mem[buf_step[k]] -= buf_bytes[k] * dv
    denom = np.empty(n)
    for b in range(n):
        w = float(max(sz[b], 1))
        if use_life:
            w *= float(up[b] - lo[b])
        denom[b] = w**gamma
    key = np.empty(n)

    def gain(b: int) -> float:
        g = 0.0
        for k in range(buf_ptr[b], buf_ptr[b + 1]):
            s = buf_step[k]
            t = max(compute[s], mem[s])
            g += t - max(compute[s], mem[s] - buf_bytes[k] * dv)
        return g

    for b in range(n):
        key[b] = gain(b) / denom[b] if alive[b] else -1.0
    ps = np.empty(n, dtype=np.int64)
    pe = np.empty(n, dtype=np.int64)
    timed = deadline < NO_DEADLINE
    it = 0
    while True:
        it += 1
        if timed and (it & 15) == 0 and now() >= deadline:
            break
        best = -1
        bk = 0.0
        for b in range(n):
            if alive[b] and key[b] > bk:
                bk = key[b]
                best = b
        if best < 0:
            break
        g = gain(best) / denom[best]
        if g < bk * (1.0 - 1e-12):
            key[best] = g
            continue
        alive[best] = False
        o = _fit(best, placed, npl, off, lo, up, sz, al, cap, ps, pe)
        if o < 0:
            continue
        off[best] = o
        placed[npl] = best
        npl += 1
        for k in range(buf_ptr[best], buf_ptr[best + 1]):
            mem[buf_step[k]] -= buf_bytes[k] * dv
    return off


@njit
def _heap_push(
    hk: np.ndarray, hr: np.ndarray, hb: np.ndarray, m: int, k: int, r: int, b: int
) -> int:
    i = m
    while i > 0:
        p = (i - 1) >> 1
        if hk[p] < k or (hk[p] == k and hr[p] <= r):
            break
        hk[i] = hk[p]
        hr[i] = hr[p]
        hb[i] = hb[p]
        i = p
    hk[i] = k
    hr[i] = r
    hb[i] = b
    return m + 1


@njit
def _heap_pop(hk: np.ndarray, hr: np.ndarray, hb: np.ndarray, m: int) -> int:
    """Remove the root (the caller read it); returns the new size."""
    m -= 1
    k, r, b = hk[m], hr[m], hb[m]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= m:
            break
        if c + 1 < m and (hk[c + 1] < hk[c] or (hk[c + 1] == hk[c] and hr[c + 1] < hr[c])):
            c += 1
        if k < hk[c] or (k == hk[c] and r <= hr[c]):
            break
        hk[i] = hk[c]
        hr[i] = hr[c]
        hb[i] = hb[c]
        i = c
    hk[i] = k
    hr[i] = r
    hb[i] = b
    return m


@njit
def skyline_init(
    rank: np.ndarray, lo: np.ndarray, up: np.ndarray, sz: np.ndarray, fixed: np.ndarray
) -> State:
    """State of a resumable :func:`skyline`: ``(a, e, size, tg, mx, hk, hr, hb, cnt,
    off)``; ``cnt`` = [heap size, fixed buffers scanned]."""
    n = lo.shape[0]
    off = np.full(n, -1, dtype=np.int64)
    a, e, ns = _sections(lo, up)
    size = 1
    while size < ns:
        size *= 2
    tg = np.zeros(2 * size, dtype=np.int64)  # max of updates covering the node
    mx = np.zeros(2 * size, dtype=np.int64)  # max in the node's subtree
    hk = np.empty(n, dtype=np.int64)
    hr = np.empty(n, dtype=np.int64)
    hb = np.empty(n, dtype=np.int64)
    m = 0
    for b in range(n):
        if fixed[b] >= 0 or sz[b] <= 0:
            continue
        m = _heap_push(hk, hr, hb, m, 0, rank[b], b)
    cnt = np.zeros(2, dtype=np.int64)
    cnt[0] = m
    return a, e, size, tg, mx, hk, hr, hb, cnt, off


@njit
def skyline_steps(
    a: np.ndarray,
    e: np.ndarray,
    size: int,
    tg: np.ndarray,
    mx: np.ndarray,
    hk: np.ndarray,
    hr: np.ndarray,
    hb: np.ndarray,
    cnt: np.ndarray,
    off: np.ndarray,
    sz: np.ndarray,
    al: np.ndarray,
    fixed: np.ndarray,
    budget: int,
) -> bool:
    """Run up to ``budget`` steps (heap pops) of a :func:`skyline_init` state; True when
    every buffer is placed."""
    n = a.shape[0]
    m = cnt[0]
    k = cnt[1]
    spent = 0
    while True:
        # the fixed buffers (and zero sizes) first, then the heap
        if k < n:
            b = k
            k += 1
            if fixed[b] < 0:
                if sz[b] <= 0:
                    off[b] = 0
                continue
            o = fixed[b]
        else:
            if m == 0:
                break
            if spent >= budget:
                break
            spent += 1
            b = hb[0]
            key = hk[0]
            r = hr[0]
            m = _heap_pop(hk, hr, hb, m)
            # range max of the floor over [a, e)
            cur = 0
            le = a[b] + size
            ri = e[b] + size
            x = le
            while x >= 1:
                if tg[x] > cur:
                    cur = tg[x]
                x >>= 1
            x = ri - 1
            while x >= 1:
                if tg[x] > cur:
                    cur = tg[x]
                x >>= 1
            while le < ri:
                if le & 1:
                    if mx[le] > cur:
                        cur = mx[le]
                    le += 1
                if ri & 1:
                    ri -= 1
                    if mx[ri] > cur:
                        cur = mx[ri]
                le >>= 1
                ri >>= 1
            cur = _align_up(cur, al[b])
            if cur > key:
                m = _heap_push(hk, hr, hb, m, cur, r, b)
                continue
            o = cur
        off[b] = o
        v = o + sz[b]
        if sz[b] <= 0:
            continue
        # range chmax of the floor over [a, e) to v
        le = a[b] + size
        ri = e[b] + size
        x0 = le
        x1 = ri - 1
        while le < ri:
            if le & 1:
                if tg[le] < v:
                    tg[le] = v
                if mx[le] < v:
                    mx[le] = v
                le += 1
            if ri & 1:
                ri -= 1
                if tg[ri] < v:
                    tg[ri] = v
                if mx[ri] < v:
                    mx[ri] = v
            le >>= 1
            ri >>= 1
        while x0 >= 1:
            if mx[x0] < v:
                mx[x0] = v
            x0 >>= 1
        while x1 >= 1:
            if mx[x1] < v:
                mx[x1] = v
            x1 >>= 1
    cnt[0] = m
    cnt[1] = k
    return bool(m == 0 and k >= n)


def skyline(
    rank: np.ndarray,
    lo: np.ndarray,
    up: np.ndarray,
    sz: np.ndarray,
    al: np.ndarray,
    fixed: np.ndarray,
    deadline: float = NO_DEADLINE,
    chunk: int = 64,
) -> np.ndarray | None:
    """Bottom-up ("gravity") greedy, the dive of a canonical search without backtracking:
    repeatedly place the unplaced buffer of lowest possible offset (the highest top of the
    placed buffers over its life; ties: lowest ``rank``) there. Fixed buffers go first and
    raise the floor over their life to their top (the space under them is not reused).
    With a ``deadline`` (absolute ``perf_counter`` seconds), runs in slices (the first of
    ``chunk`` steps, see :func:`run_in_slices`); ``None`` once it passes.

    The floor per time section is a segment tree with range chmax and range max (the
    nodes partly inside a range are the ancestors of its two end leaves); buffers wait in
    a heap keyed by a stale offset (floors only rise, so a stale key is a lower bound,
    refreshed when popped). O((n + refreshes) log n)."""
    if lo.shape[0] == 0:
        return np.full(0, -1, dtype=np.int64)
    st = skyline_init(rank, lo, up, sz, fixed)

    def step(budget: int) -> bool:
        return bool(skyline_steps(*st, sz, al, fixed, budget))

    return st[9] if run_in_slices(step, deadline, chunk) else None
