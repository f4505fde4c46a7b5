"""numba kernel of the exact search: depth-first over canonical partial solutions.

A canonical solution puts every buffer at the lowest aligned offset above the buffers below
it that overlap it in time. Any canonical solution can be built by placing buffers in
non-decreasing order of offset, each at its *skyline*: the highest floor (end of the placed
buffers) over the time sections it spans, and never below the offset of the last buffer
placed (the level). The search branches on which buffer comes next, in order of skyline
then a static rank, and prunes with:

- section inference: in every section, the remaining buffers start no lower than the level
  and than the smallest skyline among them, so ``effective floor + remaining load`` must fit
  in the capacity;
- dominance: a partial solution that leaves, below the level, a gap where a remaining
  buffer fits is pruned (placing that buffer there first is never worse);
- symmetry breaking: two buffers placed one after the other at the same offset and disjoint
  in time commute; only the order of increasing rank is explored.

The state lives in arrays owned by the caller so that the search can run in slices of a
node budget (numba cannot read the clock) and resume.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _expand(
    d: int,
    a: np.ndarray,
    e: np.ndarray,
    sz: np.ndarray,
    al: np.ndarray,
    rank: np.ndarray,
    off: np.ndarray,
    floor: np.ndarray,
    rem: np.ndarray,
    level: int,
    cap: int,
    cand: np.ndarray,
    ncand: np.ndarray,
    sky: np.ndarray,
    minsky: np.ndarray,
    keys: np.ndarray,
) -> int:
    """Compute skylines, run the inference and fill the candidate list of depth ``d``.
    Returns 1 if every buffer is placed, 0 if the node is expanded, -1 if pruned."""
    n = a.shape[0]
    ns = floor.shape[0]
    big = np.int64(1) << 62
    for s in range(ns):
        minsky[s] = big
    m = 0
    for b in range(n):
        if off[b] >= 0:
            continue
        h = 0
        for s in range(a[b], e[b]):
            if floor[s] > h:
                h = floor[s]
        r = h % al[b]
        if r:
            h += al[b] - r
        if h + sz[b] <= level and h < level:
            return -1  # dominance: b fits in the gap below the level, nothing else will
        if h < level:
            h = level
            r = h % al[b]
            if r:
                h += al[b] - r
        if h + sz[b] > cap:
            return -1
        sky[b] = h
        for s in range(a[b], e[b]):
            if h < minsky[s]:
                minsky[s] = h
        keys[m] = b
        m += 1
    if m == 0:
        return 1
    for s in range(ns):
        if rem[s] > 0:
            f = floor[s]
            if minsky[s] > f:
                f = minsky[s]
            if f + rem[s] > cap:
                return -1
    # sort candidates by (skyline, rank): insertion sort is fine for a few hundred
    row = cand[d]
    for i in range(m):
        b = keys[i]
        j = i
        while j > 0:
            c = row[j - 1]
            if sky[c] < sky[b] or (sky[c] == sky[b] and rank[c] < rank[b]):
                break
            row[j] = c
            j -= 1
        row[j] = b
    ncand[d] = m
    return 0


@njit(cache=True)
def search(
    a: np.ndarray,
    e: np.ndarray,
    sz: np.ndarray,
    al: np.ndarray,
    rank: np.ndarray,
    cap: int,
    state: np.ndarray,
    off: np.ndarray,
    floor: np.ndarray,
    rem: np.ndarray,
    cand: np.ndarray,
    ncand: np.ndarray,
    nexti: np.ndarray,
    chosen: np.ndarray,
    levels: np.ndarray,
    saved: np.ndarray,
    sptr: np.ndarray,
    budget: int,
) -> int:
    """Run up to ``budget`` nodes. ``state = [depth, started, nodes, best_depth]``.
    Returns 1 (solution in ``off``), -1 (search space exhausted: infeasible at ``cap``),
    0 (budget spent; call again to resume)."""
    n = a.shape[0]
    ns = floor.shape[0]
    sky = np.empty(n, dtype=np.int64)
    minsky = np.empty(ns, dtype=np.int64)
    keys = np.empty(n, dtype=np.int64)
    d = state[0]
    if state[1] == 0:
        state[1] = 1
        levels[0] = 0
        sptr[0] = 0
        r = _expand(0, a, e, sz, al, rank, off, floor, rem, 0, cap, cand, ncand, sky, minsky, keys)
        state[2] += 1
        if r == 1:
            return 1
        if r == -1:
            return -1
        nexti[0] = 0
        d = 0
    spent = 0
    while spent < budget:
        # try the next candidate at depth d
        if nexti[d] >= ncand[d]:
            if d == 0:
                state[0] = 0
                return -1
            # undo the placement that led to depth d
            d -= 1
            b = chosen[d]
            p = sptr[d]
            for s in range(a[b], e[b]):
                floor[s] = saved[p]
                rem[s] += sz[b]
                p += 1
            off[b] = -1
            continue
        b = cand[d, nexti[d]]
        nexti[d] += 1
        # recompute b's skyline at this node (floors are those of depth d)
        h = levels[d]
        for s in range(a[b], e[b]):
            if floor[s] > h:
                h = floor[s]
        r = h % al[b]
        if r:
            h += al[b] - r
        if d > 0 and h == levels[d]:
            last = chosen[d - 1]
            if off[last] == h and (a[b] >= e[last] or a[last] >= e[b]) and rank[b] < rank[last]:
                continue  # symmetric to placing b first
        # place b at h
        chosen[d] = b
        p = sptr[d]
        for s in range(a[b], e[b]):
            saved[p] = floor[s]
            floor[s] = h + sz[b]
            rem[s] -= sz[b]
            p += 1
        off[b] = h
        sptr[d + 1] = p
        levels[d + 1] = h
        spent += 1
        state[2] += 1
        res = _expand(
            d + 1, a, e, sz, al, rank, off, floor, rem, h, cap, cand, ncand, sky, minsky, keys
        )
        if res == 1:
            state[0] = d + 1
            return 1
        if res == 0:
            d += 1
            nexti[d] = 0
            if d > state[3]:
                state[3] = d
            continue
        # pruned: undo
        p = sptr[d]
        for s in range(a[b], e[b]):
            floor[s] = saved[p]
            rem[s] += sz[b]
            p += 1
        off[b] = -1
    state[0] = d
    return 0


@njit(cache=True)
def _rebuild(
    R: np.ndarray,
    done: np.ndarray,
    a: np.ndarray,
    e: np.ndarray,
    sz: np.ndarray,
    off: np.ndarray,
    floor: np.ndarray,
    rem: np.ndarray,
) -> None:
    """Undo placed components: restore loads, and floors from the buffers still placed
    (each section's floor is the highest end of a placed buffer there, else its old value:
    the lowest floor among the undone buffers' pre-placement skylines is not recorded, so
    recompute from scratch over the affected sections)."""
    n = a.shape[0]
    lo_s = 1 << 62
    hi_s = -1
    for i in range(R.shape[0]):
        if done[i]:
            b = R[i]
            for s in range(a[b], e[b]):
                rem[s] += sz[b]
            if a[b] < lo_s:
                lo_s = a[b]
            if e[b] > hi_s:
                hi_s = e[b]
    if hi_s < 0:
        return
    for s in range(lo_s, hi_s):
        floor[s] = 0
    for b in range(n):
        if off[b] >= 0 and a[b] < hi_s and e[b] > lo_s:
            top = off[b] + sz[b]
            for s in range(max(a[b], lo_s), min(e[b], hi_s)):
                if top > floor[s]:
                    floor[s] = top
    return


# The recursive kernel is compiled eagerly from an explicit signature: numba's cache of a
# lazily typed self-recursive function crashes when loaded in another process.
_A = "int64[::1]"
_SIG = (
    f"int64({_A}, int64, int64, {_A}, {_A}, {_A}, {_A}, {_A}, int64, {_A}, {_A}, {_A}, {_A}, "
    f"{_A}, {_A})"
)


@njit(_SIG, cache=True)
def _solve(
    R: np.ndarray,
    level: int,
    last: int,
    a: np.ndarray,
    e: np.ndarray,
    sz: np.ndarray,
    al: np.ndarray,
    rank: np.ndarray,
    cap: int,
    off: np.ndarray,
    floor: np.ndarray,
    rem: np.ndarray,
    sky: np.ndarray,
    minsky: np.ndarray,
    counter: np.ndarray,
) -> int:
    """Place the buffers ``R`` (all unplaced, alone in their sections) at or above
    ``level``. Returns 1 (placed, offsets in ``off``), 0 (impossible), -2 (node budget
    ``counter[1]`` spent; state restored)."""
    m = R.shape[0]
    if m == 0:
        return 1
    counter[0] += 1
    if counter[0] > counter[1]:
        return -2
    big = np.int64(1) << 62
    for i in range(m):
        b = R[i]
        for s in range(a[b], e[b]):
            minsky[s] = big
    for i in range(m):
        b = R[i]
        h = 0
        for s in range(a[b], e[b]):
            if floor[s] > h:
                h = floor[s]
        r = h % al[b]
        if r:
            h += al[b] - r
        if h < level:
            if h + sz[b] <= level:
                return 0  # dominance: b fits in the gap below the level
            h = level
            r = h % al[b]
            if r:
                h += al[b] - r
        if h + sz[b] > cap:
            return 0
        sky[b] = h
        for s in range(a[b], e[b]):
            if h < minsky[s]:
                minsky[s] = h
    for i in range(m):
        b = R[i]
        for s in range(a[b], e[b]):
            f = floor[s]
            if minsky[s] > f:
                f = minsky[s]
            if f + rem[s] > cap:
                return 0
    # components: sweep R by start section; a new one starts where no buffer crosses
    byst = np.empty(m, dtype=np.int64)
    for i in range(m):
        byst[i] = a[R[i]]
    order = np.argsort(byst, kind="mergesort")
    comp = np.empty(m, dtype=np.int64)
    nc = 0
    reach = -1
    for k in range(m):
        b = R[order[k]]
        if a[b] >= reach:
            nc += 1
        comp[order[k]] = nc - 1
        if e[b] > reach:
            reach = e[b]
    if nc > 1:
        # solve the components one after the other, tightest (least slack) first
        slack = np.full(nc, big, dtype=np.int64)
        for i in range(m):
            b = R[i]
            c = comp[i]
            for s in range(a[b], e[b]):
                f = floor[s]
                if minsky[s] > f:
                    f = minsky[s]
                sl = cap - f - rem[s]
                if sl < slack[c]:
                    slack[c] = sl
        corder = np.argsort(slack, kind="mergesort")
        no_last = np.int64(-1)
        done = np.zeros(m, dtype=np.bool_)
        res = 1
        for ci in range(nc):
            c = corder[ci]
            cnt = 0
            for i in range(m):
                if comp[i] == c:
                    cnt += 1
            sub = np.empty(cnt, dtype=np.int64)
            k = 0
            for i in range(m):
                if comp[i] == c:
                    sub[k] = R[i]
                    k += 1
            r2 = _solve(sub, level, no_last, a, e, sz, al, rank, cap, off, floor, rem, sky, minsky,
                        counter)  # fmt: skip
            if r2 != 1:
                res = r2
                break
            for i in range(m):
                if comp[i] == c:
                    done[i] = True
        if res != 1:
            # undo the components already placed (their floors and loads)
            for i in range(m):
                if done[i]:
                    b = R[i]
                    off[b] = -1
            _rebuild(R, done, a, e, sz, off, floor, rem)
        return res
    # one component: branch on the next buffer, by skyline then rank
    cand = R.copy()
    keys = np.empty(m, dtype=np.int64)
    for i in range(m):
        keys[i] = sky[R[i]]
    # stable tie-break by rank: sort by rank first, then stable by skyline
    rk = np.empty(m, dtype=np.int64)
    for i in range(m):
        rk[i] = rank[R[i]]
    o0 = np.argsort(rk, kind="mergesort")
    k2 = np.empty(m, dtype=np.int64)
    for i in range(m):
        k2[i] = keys[o0[i]]
    o1 = np.argsort(k2, kind="mergesort")
    for i in range(m):
        cand[i] = R[o0[o1[i]]]
    hs = np.empty(m, dtype=np.int64)
    for i in range(m):
        hs[i] = sky[cand[i]]
    rest = np.empty(m - 1, dtype=np.int64)
    saved = np.empty(1, dtype=np.int64)
    for i in range(m):
        b = cand[i]
        h = hs[i]
        if (
            last >= 0
            and h == level
            and off[last] == h
            and rank[b] < rank[last]
            and (a[b] >= e[last] or a[last] >= e[b])
        ):
            continue  # symmetric to placing b before last
        span = e[b] - a[b]
        if saved.shape[0] < span:
            saved = np.empty(span, dtype=np.int64)
        for s in range(a[b], e[b]):
            saved[s - a[b]] = floor[s]
            floor[s] = h + sz[b]
            rem[s] -= sz[b]
        off[b] = h
        k = 0
        for j in range(m):
            if cand[j] != b:
                rest[k] = cand[j]
                k += 1
        r2 = _solve(rest, h, b, a, e, sz, al, rank, cap, off, floor, rem, sky, minsky, counter)
        if r2 == 1:
            return 1
        for s in range(a[b], e[b]):
            floor[s] = saved[s - a[b]]
            rem[s] += sz[b]
        off[b] = -1
        if r2 == -2:
            return -2
    return 0


def solve(
    a: np.ndarray,
    e: np.ndarray,
    sz: np.ndarray,
    al: np.ndarray,
    rank: np.ndarray,
    cap: int,
    budget: int,
) -> tuple[int, np.ndarray, int]:
    """Recursive search with dynamic decomposition: returns ``(status, offsets, nodes)``,
    status 1 found, 0 infeasible at ``cap``, -2 node budget spent. (Plain Python: it only
    sets up the arrays for the eagerly compiled kernel.)"""
    n = a.shape[0]
    ns = int(e.max()) if n else 0
    off = np.full(n, -1, dtype=np.int64)
    floor = np.zeros(ns, dtype=np.int64)
    diff = np.zeros(ns + 1, dtype=np.int64)
    np.add.at(diff, a, sz)
    np.add.at(diff, e, -sz)
    rem = np.cumsum(diff)[:ns].astype(np.int64)
    sky = np.zeros(n, dtype=np.int64)
    minsky = np.zeros(ns, dtype=np.int64)
    counter = np.array([0, budget], dtype=np.int64)
    R = np.arange(n, dtype=np.int64)
    as_ = [np.ascontiguousarray(x, dtype=np.int64) for x in (a, e, sz, al, rank)]
    r = _solve(R, 0, -1, *as_, int(cap), off, floor, rem, sky, minsky, counter)
    return int(r), off, int(counter[0])
