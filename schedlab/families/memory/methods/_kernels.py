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


#: Start sections per block of the start-time lists (:func:`scan_steps`; in
#: :func:`place_steps`, of the buffers with an empty life).
_BSH = 6


@njit
def _room(lid: int, need: int, hp: np.ndarray, hl: np.ndarray, hc: np.ndarray,
          ls: np.ndarray, le: np.ndarray, cnt: np.ndarray) -> bool:  # fmt: skip
    """Make room for ``need`` intervals in list ``lid`` of the pool (``ls``, ``le``); False
    when the pool is full (nothing changed: the caller grows it and tries again). Blocks
    are powers of two; a list that outgrows its block moves to one twice as large and the
    old block is kept for reuse (``cnt[5 + c]``: a free block of 2^c, chained in ``ls``)."""
    old = hc[lid]
    if old >= need:
        return True
    c = 2
    while (1 << c) < need:
        c += 1
    cap = 1 << c
    top = cnt[5 + c]
    if top >= 0:
        cnt[5 + c] = ls[top]
    else:
        top = cnt[0]
        if top + cap > ls.shape[0]:
            return False
        cnt[0] = top + cap
    p = hp[lid]
    for i in range(hl[lid]):
        ls[top + i] = ls[p + i]
        le[top + i] = le[p + i]
    if old > 0:
        co = 2
        while (1 << co) < old:
            co += 1
        ls[p] = cnt[5 + co]
        cnt[5 + co] = p
    hp[lid] = top
    hc[lid] = cap
    return True


@njit
def _add(lid: int, x: int, y: int, hp: np.ndarray, hl: np.ndarray, hc: np.ndarray,
         ls: np.ndarray, le: np.ndarray, cnt: np.ndarray) -> bool:  # fmt: skip
    """Add ``[x, y)`` to the union of intervals of list ``lid`` (sorted, disjoint, not
    touching); False when the pool is full (the list unchanged)."""
    n = hl[lid]
    p = hp[lid]
    # i: the first interval ending at or after x; j: the first starting after y
    lo_, hi_ = 0, n
    while lo_ < hi_:
        mid = (lo_ + hi_) >> 1
        if le[p + mid] >= x:
            hi_ = mid
        else:
            lo_ = mid + 1
    i = lo_
    hi_ = n
    while lo_ < hi_:
        mid = (lo_ + hi_) >> 1
        if ls[p + mid] > y:
            hi_ = mid
        else:
            lo_ = mid + 1
    j = lo_
    if i == j:
        if not _room(lid, n + 1, hp, hl, hc, ls, le, cnt):
            return False
        p = hp[lid]
        for t in range(n, i, -1):
            ls[p + t] = ls[p + t - 1]
            le[p + t] = le[p + t - 1]
        ls[p + i] = x
        le[p + i] = y
        hl[lid] = n + 1
        return True
    if ls[p + i] < x:
        x = ls[p + i]
    if le[p + j - 1] > y:
        y = le[p + j - 1]
    ls[p + i] = x
    le[p + i] = y
    d = j - i - 1
    if d > 0:
        for t in range(j, n):
            ls[p + t - d] = ls[p + t]
            le[p + t - d] = le[p + t]
        hl[lid] = n - d
    return True


@njit
def _union(xs: np.ndarray, xe: np.ndarray, na: int, ys: np.ndarray, ye: np.ndarray, p: int,
           nb: int, zs: np.ndarray, ze: np.ndarray) -> int:  # fmt: skip
    """The union of the sorted disjoint intervals ``xs/xe[:na]`` and ``ys/ye[p:p+nb]`` into
    ``zs/ze`` (touching intervals merged); returns its length."""
    i = 0
    j = 0
    m = 0
    while i < na or j < nb:
        if j >= nb or (i < na and xs[i] <= ys[p + j]):
            u, v = xs[i], xe[i]
            i += 1
        else:
            u, v = ys[p + j], ye[p + j]
            j += 1
        if m > 0 and u <= ze[m - 1]:
            if v > ze[m - 1]:
                ze[m - 1] = v
        else:
            zs[m] = u
            ze[m] = v
            m += 1
    return m


@njit
def _merge(dst: int, src: int, hp: np.ndarray, hl: np.ndarray, hc: np.ndarray,
           ls: np.ndarray, le: np.ndarray, cnt: np.ndarray, ts: np.ndarray,
           te: np.ndarray) -> bool:  # fmt: skip
    """List ``dst`` |= list ``src`` (``ts``, ``te``: scratch); False when the pool is full
    (``dst`` unchanged)."""
    nb = hl[src]
    if nb == 0:
        return True
    na = hl[dst]
    pa = hp[dst]
    m = _union(ls[pa : pa + na], le[pa : pa + na], na, ls, le, hp[src], nb, ts, te)
    if not _room(dst, m, hp, hl, hc, ls, le, cnt):
        return False
    pa = hp[dst]
    for t in range(m):
        ls[pa + t] = ts[t]
        le[pa + t] = te[t]
    hl[dst] = m
    return True


@njit
def place_init(order: np.ndarray, lo: np.ndarray, up: np.ndarray, fixed: np.ndarray) -> State:
    """State of a resumable :func:`place`: ``(a, e, size, hp, hl, hc, ls, le, bhead, bent,
    todo, cnt, off, ps, pe, ts, te, us, ue)``; ``cnt`` = [pool used, buffers to place,
    buffers done, phase (1: the buffer ``todo[done]`` is placed at ``cnt[4]`` and being
    registered), then the free blocks of the pool by size (:func:`_room`)].

    The time sections form a segment tree whose node ``v`` holds two unions of offset
    intervals (sorted, disjoint) in a pool (``ls``, ``le``; list ``lid`` at ``hp[lid]``,
    ``hl`` long, room for ``hc``): list ``v``, the offsets used by the placed buffers
    whose life meets the node's time range, except those still in a pending list of an
    ancestor; list ``2 size + v`` (inner nodes), the pending offsets of buffers covering
    the whole range, not yet passed to the children (a lazy segment tree whose update is
    a union). ``bent[b]`` = (next buffer, start section, offset, end): the buffers with an
    empty life, by blocks of start sections."""
    n = lo.shape[0]
    off = np.full(n, -1, dtype=np.int64)
    a, e, ns = _sections(lo, up)
    size = 1
    while size < ns:
        size *= 2
    nl = 3 * size
    hp = np.zeros(nl, dtype=np.int64)
    hl = np.zeros(nl, dtype=np.int32)
    hc = np.zeros(nl, dtype=np.int32)
    pool = 16 * n + 1024
    ls = np.empty(pool, dtype=np.int64)
    le = np.empty(pool, dtype=np.int64)
    nblk = (ns >> _BSH) + 1
    bhead = np.full(nblk, -1, dtype=np.int64)
    bent = np.empty((n, 4), dtype=np.int64)
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
    cnt = np.full(5 + 64, -1, dtype=np.int64)
    cnt[:5] = 0
    cnt[1] = nt
    ps = np.empty(n + 1, dtype=np.int64)
    pe = np.empty(n + 1, dtype=np.int64)
    ts = np.empty(n + 1, dtype=np.int64)
    te = np.empty(n + 1, dtype=np.int64)
    us = np.empty(n + 1, dtype=np.int64)
    ue = np.empty(n + 1, dtype=np.int64)
    return a, e, size, hp, hl, hc, ls, le, bhead, bent, todo, cnt, off, ps, pe, ts, te, us, ue


@njit
def _push(v: int, size: int, hp: np.ndarray, hl: np.ndarray, hc: np.ndarray, ls: np.ndarray,
          le: np.ndarray, cnt: np.ndarray, ts: np.ndarray, te: np.ndarray) -> bool:  # fmt: skip
    """Pass the pending list of inner node ``v`` to its children; False when the pool is
    full (a union is idempotent: trying again later is safe)."""
    t = 2 * size + v
    if hl[t] == 0:
        return True
    for c in (2 * v, 2 * v + 1):
        if not _merge(c, t, hp, hl, hc, ls, le, cnt, ts, te):
            return False
        if c < size and not _merge(2 * size + c, t, hp, hl, hc, ls, le, cnt, ts, te):
            return False
    hl[t] = 0
    return True


@njit
def place_steps(
    a: np.ndarray,
    e: np.ndarray,
    size: int,
    hp: np.ndarray,
    hl: np.ndarray,
    hc: np.ndarray,
    ls: np.ndarray,
    le: np.ndarray,
    bhead: np.ndarray,
    bent: np.ndarray,
    todo: np.ndarray,
    cnt: np.ndarray,
    off: np.ndarray,
    ps: np.ndarray,
    pe: np.ndarray,
    ts: np.ndarray,
    te: np.ndarray,
    us: np.ndarray,
    ue: np.ndarray,
    sz: np.ndarray,
    al: np.ndarray,
    fixed: np.ndarray,
    cap: int,
    best_fit: bool,
    skip_overflow: bool,
    budget: int,
) -> int:
    """Place up to ``budget`` more buffers of a :func:`place_init` state: 1 when all are
    placed, 0 when the budget is spent, 2 when the pool (``ls``, ``le``) is full (grow it
    with :func:`grow_pool` and call again: the work resumes where it stopped)."""
    bsh = _BSH
    nt = cnt[1]
    k = cnt[2]
    lg = 0
    while (1 << lg) < size:
        lg += 1
    stop = min(nt, k + budget)
    while k < stop:
        b = todo[k]
        s = sz[b]
        ab, eb = a[b], e[b]
        if cnt[3] == 1:
            best = cnt[4]
        else:
            if fixed[b] >= 0:
                best = fixed[b]
            else:
                # the union of the offsets used over b's life: the lists of the nodes
                # covering [wl, wr) once the pending lists above them are passed down (a
                # buffer with an empty life meets those live when it starts)
                wl = ab
                wr = eb if eb > ab else ab + 1
                m = 0
                if wl < size:
                    # pass down the pending lists of the nodes partly inside [wl, wr)
                    full = False
                    left = wl + size
                    right = wr + size
                    for h in range(lg, 0, -1):
                        if ((left >> h) << h) != left and not _push(
                            left >> h, size, hp, hl, hc, ls, le, cnt, ts, te
                        ):
                            full = True
                            break
                        if ((right >> h) << h) != right and not _push(
                            (right - 1) >> h, size, hp, hl, hc, ls, le, cnt, ts, te
                        ):
                            full = True
                            break
                    if full:
                        cnt[2] = k
                        return 2
                    # the union, alternately into (us, ue) and (ts, te)
                    flip = False
                    while left < right:
                        for side in range(2):
                            if side == 0:
                                if not left & 1:
                                    continue
                                node = left
                                left += 1
                            else:
                                if not right & 1:
                                    continue
                                right -= 1
                                node = right
                            nb = hl[node]
                            if nb > 0:
                                if flip:
                                    m = _union(ts, te, m, ls, le, hp[node], nb, us, ue)
                                else:
                                    m = _union(us, ue, m, ls, le, hp[node], nb, ts, te)
                                flip = not flip
                        left >>= 1
                        right >>= 1
                    if flip:
                        ps[:m] = ts[:m]
                        pe[:m] = te[:m]
                    else:
                        ps[:m] = us[:m]
                        pe[:m] = ue[:m]
                if eb - ab > 1:
                    for blk in range((ab + 1) >> bsh, ((eb - 1) >> bsh) + 1):
                        c = bhead[blk]
                        while c >= 0:
                            if ab < bent[c, 1] < eb:
                                ps[m] = bent[c, 2]
                                pe[m] = bent[c, 3]
                                m += 1
                            c = bent[c, 0]
                # gaps of the union of the [ps, pe) intervals: sweep their sorted starts
                # and ends (ends first on ties: touching intervals leave no gap)
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
                    k += 1
                    continue
            off[b] = best
            if s <= 0:
                k += 1
                continue
            cnt[3] = 1
            cnt[4] = best
        # register b (again if the pool was full: adding an interval twice is harmless)
        if eb > ab:
            x = best
            y = best + s
            full = False
            left = ab + size
            right = eb + size
            while left < right:
                if left & 1:
                    if not _add(left, x, y, hp, hl, hc, ls, le, cnt):
                        full = True
                        break
                    if left < size and not _add(2 * size + left, x, y, hp, hl, hc, ls, le, cnt):
                        full = True
                        break
                    left += 1
                if right & 1:
                    right -= 1
                    if not _add(right, x, y, hp, hl, hc, ls, le, cnt):
                        full = True
                        break
                    if right < size and not _add(2 * size + right, x, y, hp, hl, hc, ls, le, cnt):
                        full = True
                        break
                left >>= 1
                right >>= 1
            if not full:
                # and the nodes partly inside [a, e)
                left = ab + size
                right = eb + size
                for h in range(1, lg + 1):
                    v = -1
                    if ((left >> h) << h) != left:
                        v = left >> h
                        if not _add(v, x, y, hp, hl, hc, ls, le, cnt):
                            full = True
                            break
                    if ((right >> h) << h) != right:
                        w = (right - 1) >> h
                        if w != v and not _add(w, x, y, hp, hl, hc, ls, le, cnt):
                            full = True
                            break
            if full:
                cnt[2] = k
                return 2
        else:
            blk = ab >> bsh
            bent[b, 0] = bhead[blk]
            bent[b, 1] = ab
            bent[b, 2] = best
            bent[b, 3] = best + s
            bhead[blk] = b
        cnt[3] = 0
        k += 1
    cnt[2] = k
    return 1 if k >= nt else 0


#: The largest pool of interval lists (entries; 16 bytes each) of :func:`place_steps`: a
#: placement whose lists outgrow it (a dense trace with many holes in every window) is
#: redone by listing the overlapping buffers (:func:`scan_steps`, the same offsets).
POOL_MAX = 2**27


@njit
def grow_pool(
    ls: np.ndarray, le: np.ndarray, used: int, most: int
) -> tuple[np.ndarray, np.ndarray]:
    """The pool of a :func:`place_init` state, twice as large (at most ``most`` entries;
    the same arrays when they are that large already)."""
    n2 = min(2 * ls.shape[0], most)
    if n2 <= ls.shape[0]:
        return ls, le
    ls2 = np.empty(n2, dtype=np.int64)
    le2 = np.empty(n2, dtype=np.int64)
    ls2[:used] = ls[:used]
    le2[:used] = le[:used]
    return ls2, le2


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
    most: int,
) -> tuple[np.ndarray, bool]:
    """:func:`place` without a deadline, in one call (no state crosses into Python); False
    if the pool would outgrow ``most`` entries (the offsets are then incomplete)."""
    st = place_init(order, lo, up, fixed)
    a, e, size, hp, hl, hc, ls, le, bhead, bent, todo, cnt, off, ps, pe, ts, te, us, ue = st
    while True:
        done = place_steps(
            a, e, size, hp, hl, hc, ls, le, bhead, bent, todo, cnt, off, ps, pe, ts, te, us,
            ue, sz, al, fixed, cap, best_fit, skip_overflow, todo.shape[0],
        )  # fmt: skip
        if done != 2:
            return off, True
        n0 = ls.shape[0]
        ls, le = grow_pool(ls, le, cnt[0], most)
        if ls.shape[0] == n0:
            return off, False


# The placement by listing the overlapping buffers, faster when few are live at once.


@njit
def scan_init(order: np.ndarray, lo: np.ndarray, up: np.ndarray, fixed: np.ndarray) -> State:
    """State of a resumable :func:`place` by listing the overlapping buffers
    (:func:`scan_steps`): ``(a, e, size, head, ent, bhead, bent, todo, cnt, off, ps, pe)``; ``cnt`` = [segment tree entries used, buffers to place, buffers done].

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
def scan_steps(
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
    """Place up to ``budget`` more buffers of a :func:`scan_init` state; True when all
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
def scan_all(
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
    """:func:`scan_steps` without a deadline, in one call."""
    a, e, size, head, ent, bhead, bent, todo, cnt, off, ps, pe = scan_init(order, lo, up, fixed)
    scan_steps(
        a, e, size, head, ent, bhead, bent, todo, cnt, off, ps, pe, sz, al, fixed, cap,
        best_fit, skip_overflow, todo.shape[0],
    )  # fmt: skip
    return off


@njit
def density(lo: np.ndarray, up: np.ndarray) -> float:
    """The mean number of buffers live in a time section (:func:`_sections`)."""
    a, e, ns = _sections(lo, up)
    return float((e - a).sum()) / ns


#: :func:`place` lists the overlapping buffers (:func:`scan_steps`) below this
#: :func:`density` (first fit, best fit), and uses the interval lists (:func:`place_steps`)
#: above. Both give the same offsets; measured on random traces (short lives, density 100:
#: listing as fast or faster; 1,000 and more: the lists 1.5-10x faster).
SCAN_BELOW = (500.0, 200.0)


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

    The gaps depend only on the union of the offsets used by the placed buffers that
    overlap ``b`` in time. Where many buffers are live at once (:func:`density` at least
    :data:`SCAN_BELOW`), that union comes from a lazy segment tree over time whose nodes
    keep it for their range as sorted disjoint intervals (:func:`place_steps`): O(log T)
    unions of lists as long as the holes of a window (tens to hundreds; a real trace's
    few) instead of listing and sorting all k overlapping buffers (thousands when lives
    are long). Elsewhere, and when the lists outgrow :data:`POOL_MAX`, the overlapping
    buffers are listed (:func:`scan_steps`: a segment tree of the buffers live when ``b``
    starts, per-block lists of those starting later; O(k log k) per buffer). Both give the
    offsets of :mod:`._pyplace` (tests compare them)."""
    if lo.shape[0] == 0:
        return np.full(0, -1, dtype=np.int64)
    if density(lo, up) < SCAN_BELOW[int(best_fit)]:
        return _scan(order, lo, up, sz, al, fixed, cap, best_fit, skip_overflow, deadline, chunk)
    args = (sz, al, fixed, int(cap), best_fit, skip_overflow)
    if math.isinf(deadline) and deadline > 0:
        out, ok = place_all(order, lo, up, *args, POOL_MAX)
        if ok:
            return out
        return _scan(order, lo, up, *args, deadline, chunk)
    st = list(place_init(order, lo, up, fixed))
    scan: list[State] = []  # the listing's state, once the pool is full

    def step(budget: int) -> bool:
        while not scan:
            done = place_steps(*st, *args, budget)
            if done != 2:
                return bool(done == 1)
            n0 = st[6].shape[0]
            st[6], st[7] = grow_pool(st[6], st[7], int(st[11][0]), POOL_MAX)
            if st[6].shape[0] == n0:
                scan.append(scan_init(order, lo, up, fixed))
                st.clear()  # frees the lists
        return bool(scan_steps(*scan[0], *args, budget))

    if not run_in_slices(step, deadline, chunk):
        return None
    done: np.ndarray = scan[0][9] if scan else st[12]
    return done


def _scan(
    order: np.ndarray,
    lo: np.ndarray,
    up: np.ndarray,
    sz: np.ndarray,
    al: np.ndarray,
    fixed: np.ndarray,
    cap: int,
    best_fit: bool,
    skip_overflow: bool,
    deadline: float,
    chunk: int,
) -> np.ndarray | None:
    """:func:`place` by listing the overlapping buffers (:func:`scan_steps`)."""
    if math.isinf(deadline) and deadline > 0:
        out: np.ndarray = scan_all(order, lo, up, sz, al, fixed, int(cap), best_fit, skip_overflow)
        return out
    st = scan_init(order, lo, up, fixed)

    def step(budget: int) -> bool:
        return bool(scan_steps(*st, sz, al, fixed, int(cap), best_fit, skip_overflow, budget))

    return st[9] if run_in_slices(step, deadline, chunk) else None


def warm_place() -> None:
    """Compile both ways of :func:`place` (the interval lists, the listing), in one call and
    in slices, with the pool growing, whatever the density of the instances solved first."""
    lo = np.array([0, 1, 0], np.int64)
    up = np.array([2, 3, 3], np.int64)
    sz = np.array([4, 4, 2], np.int64)
    al = np.ones(3, np.int64)
    fx = np.full(3, -1, np.int64)
    order = np.arange(3, dtype=np.int64)
    far = clock() + 1e9
    density(lo, up)
    for best_fit, skip in ((True, False), (False, True)):
        args = (sz, al, fx, 0, best_fit, skip)
        place_all(order, lo, up, *args, POOL_MAX)
        st = list(place_init(order, lo, up, fx))
        place_steps(*st, *args, 1)
        grow_pool(st[6], st[7], int(st[11][0]), POOL_MAX)
        _scan(order, lo, up, *args, NO_DEADLINE, 16)
        _scan(order, lo, up, *args, far, 16)


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
