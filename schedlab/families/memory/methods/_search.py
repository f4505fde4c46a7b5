"""numba kernel of the exact search: an iterative depth-first search over canonical partial
solutions, in the manner of MiniMalloc (Moffitt, ASPLOS 2024).

Time is cut into *sections* (between consecutive distinct start/end times); buffer ``b``
spans the sections ``[a[b], e[b])``. The search keeps, incrementally and with a trail for
undoing:

- ``minoff[b]``: the lowest offset of an unplaced buffer, the highest end of the placed
  buffers overlapping it in time (aligned);
- ``floor[s]``: per section, the end of the highest placed buffer there, raised to the lowest
  ``minoff`` of the unplaced buffers in the section (the unallocated floor);
- ``total[s]``: the total size of the unplaced buffers in the section;
- ``cuts[s]``: how many unplaced buffers span the boundary between sections ``s`` and ``s+1``.

Buffers are placed in non-decreasing ``(offset, preorder rank)`` (canonical solutions: every
buffer at its ``minoff``, in order; equal offsets in rank order break symmetries). At a node,
the candidates are the unplaced buffers of the current partition sorted by ``(minoff,
rank)``; a candidate is skipped when it lies below the last placement (``minoff < level``, or
equal with a lower rank), and the scan stops at the first ``minoff >= min height`` (the lowest
``minoff + size`` of an unplaced buffer): placing it there would leave a gap that buffer
fills (dominance). After each placement, ``max(floor, level) + total <= capacity`` must hold
in every section of the partition (section inference). A buffer placed with no unplaced
buffer above it in time ("hatless") that fails ends its node: no other choice can do better.
When a placement leaves a section boundary crossed by no unplaced buffer, the partition
splits into independent sub-partitions, solved one after the other (dynamic
decomposition); a sub-partition that fails backtracks to the placement that split.

All state lives in caller-owned arrays, so the kernel runs in slices of a budget of steps
(nodes entered plus placements tried; numba cannot read the clock) and resumes; it returns 2
when a pool must grow (the caller doubles it and calls again with the rest of its budget).
Every return adds the steps it took to ``st[S_STEPS]``, which is the search's work count:
a run never takes more steps than its budgets add up to.
"""

from __future__ import annotations

import numpy as np

from ....engines.jit import njit

# node table columns
PLO, PHI, OWNER, ISROOT, LEVEL, LASTR, NEXTI, NCAND, CPTR, MINH = range(10)
CHOSEN, HATLESS, TMP, TFP, SPLO, SPHI, SPCUR, CUTDONE = range(10, 18)
NCOLS = 18
# state slots
S_D, S_MODE, S_NODES, S_TOPCUR, S_NTOP, S_TMTOP, S_TFTOP, S_RTOP, S_STAMP, S_STEPS = range(10)
NSTATE = 10
ENTER, NEXT = 0, 1
BIG = np.int64(1) << np.int64(62)


@njit
def _undo(
    k: int,
    nd: np.ndarray,
    st: np.ndarray,
    a: np.ndarray,
    e: np.ndarray,
    sz: np.ndarray,
    off: np.ndarray,
    minoff: np.ndarray,
    floor: np.ndarray,
    total: np.ndarray,
    cuts: np.ndarray,
    tmb: np.ndarray,
    tmv: np.ndarray,
    tfs: np.ndarray,
    tfv: np.ndarray,
) -> None:
    """Undo the placement of node ``k`` (trails of minoff and floors, totals, cuts, the
    sub-partitions it split off)."""
    b = nd[k, CHOSEN]
    p = st[S_TFTOP]
    q = nd[k, TFP]
    while p > q:
        p -= 1
        floor[tfs[p]] = tfv[p]
    st[S_TFTOP] = q
    p = st[S_TMTOP]
    q = nd[k, TMP]
    while p > q:
        p -= 1
        minoff[tmb[p]] = tmv[p]
    st[S_TMTOP] = q
    for s in range(a[b], e[b]):
        total[s] += sz[b]
    if nd[k, CUTDONE]:
        for s in range(a[b], e[b] - 1):
            cuts[s] += 1
        nd[k, CUTDONE] = 0
    if nd[k, SPLO] >= 0:
        st[S_RTOP] = nd[k, SPLO]
        nd[k, SPLO] = -1
    off[b] = -1
    nd[k, CHOSEN] = -1


@njit
def set_root(nd: np.ndarray, d: int, lo: int, hi: int, owner: int) -> None:
    """Make node ``d`` the root of the partition of sections ``[lo, hi)`` (``owner``: the
    node whose placement split it off, -1 for a top-level partition)."""
    nd[d, PLO] = lo
    nd[d, PHI] = hi
    nd[d, OWNER] = owner
    nd[d, ISROOT] = 1
    nd[d, LEVEL] = 0
    nd[d, LASTR] = -1
    nd[d, CHOSEN] = -1
    nd[d, SPLO] = -1
    nd[d, CUTDONE] = 0


@njit
def run(
    a: np.ndarray,
    e: np.ndarray,
    sz: np.ndarray,
    al: np.ndarray,
    fixed: np.ndarray,
    width: np.ndarray,
    area: np.ndarray,
    heur: np.ndarray,
    ovp: np.ndarray,
    ovl: np.ndarray,
    secp: np.ndarray,
    secl: np.ndarray,
    bys: np.ndarray,
    sstart: np.ndarray,
    cap: int,
    maxdeg: int,
    maxspan: int,
    st: np.ndarray,
    nd: np.ndarray,
    off: np.ndarray,
    minoff: np.ndarray,
    floor: np.ndarray,
    total: np.ndarray,
    cuts: np.ndarray,
    mark: np.ndarray,
    bmark: np.ndarray,
    cb: np.ndarray,
    cr: np.ndarray,
    tmb: np.ndarray,
    tmv: np.ndarray,
    tfs: np.ndarray,
    tfv: np.ndarray,
    rlo: np.ndarray,
    rhi: np.ndarray,
    budget: int,
) -> int:
    """Run up to ``budget`` steps. Returns 1 (solution in ``off``), -1 (no placement within
    ``cap``: search space exhausted), 0 (budget spent; call again) or 2 (grow a pool)."""
    n = a.shape[0]
    ns = floor.shape[0]
    d = st[S_D]
    mode = st[S_MODE]
    spent = 0
    tmpb = np.empty(n, dtype=np.int64)
    tmpr = np.empty(n, dtype=np.int64)
    kk = np.empty((3, n), dtype=np.int64)
    while True:
        if mode == ENTER:
            if spent >= budget:
                st[S_D] = d
                st[S_MODE] = mode
                st[S_STEPS] += spent
                return 0
            slo = nd[d, PLO]
            shi = nd[d, PHI]
            base = nd[d, CPTR]
            if base + (sstart[shi] - sstart[slo]) > cb.shape[0]:
                st[S_D] = d
                st[S_MODE] = mode
                st[S_STEPS] += spent
                return 2
            spent += 1
            st[S_NODES] += 1
            m = 0
            if nd[d, ISROOT]:
                for k in range(sstart[slo], sstart[shi]):
                    b = bys[k]
                    if off[b] < 0:
                        tmpb[m] = b
                        m += 1
                if m > 0:
                    # static preorder of the partition: keys descending, then buffer index
                    for i in range(m):
                        b = tmpb[i]
                        t = 0
                        for s in range(a[b], e[b]):
                            if total[s] > t:
                                t = total[s]
                        for c in range(3):
                            h = heur[c]
                            if h == 0:
                                kk[c, i] = -t
                            elif h == 1:
                                kk[c, i] = -width[b]
                            elif h == 2:
                                kk[c, i] = -area[b]
                            else:
                                kk[c, i] = -sz[b]
                    o = np.argsort(tmpb[:m], kind="mergesort")
                    for c in range(2, -1, -1):
                        v = np.empty(m, dtype=np.int64)
                        for i in range(m):
                            v[i] = kk[c, o[i]]
                        o = o[np.argsort(v, kind="mergesort")]
                    mo = np.empty(m, dtype=np.int64)
                    for i in range(m):
                        mo[i] = minoff[tmpb[o[i]]]
                    o2 = np.argsort(mo, kind="mergesort")
                    for i in range(m):
                        j = o2[i]
                        cb[base + i] = tmpb[o[j]]
                        cr[base + i] = j
            else:
                # the parent's order minus its placed buffer, with the buffers whose minoff
                # rose (marked) taken out, sorted, and merged back
                pb = nd[d - 1, CPTR]
                pm = nd[d - 1, NCAND]
                x = nd[d - 1, CHOSEN]
                sv = st[S_STAMP]
                k = 0
                for i in range(pm):
                    b = cb[pb + i]
                    if b == x or bmark[b] != sv:
                        continue
                    r = cr[pb + i]
                    mb = minoff[b]
                    j = k
                    while j > 0:
                        c = tmpb[j - 1]
                        if minoff[c] < mb or (minoff[c] == mb and tmpr[j - 1] < r):
                            break
                        tmpb[j] = c
                        tmpr[j] = tmpr[j - 1]
                        j -= 1
                    tmpb[j] = b
                    tmpr[j] = r
                    k += 1
                j = 0
                for i in range(pm):
                    b = cb[pb + i]
                    if b == x or bmark[b] == sv:
                        continue
                    r = cr[pb + i]
                    mb = minoff[b]
                    while j < k and (
                        minoff[tmpb[j]] < mb or (minoff[tmpb[j]] == mb and tmpr[j] < r)
                    ):
                        cb[base + m] = tmpb[j]
                        cr[base + m] = tmpr[j]
                        m += 1
                        j += 1
                    cb[base + m] = b
                    cr[base + m] = r
                    m += 1
                while j < k:
                    cb[base + m] = tmpb[j]
                    cr[base + m] = tmpr[j]
                    m += 1
                    j += 1
            if m == 0:
                # this partition is placed: go on with the next sibling sub-partition
                w = nd[d, OWNER]
                while True:
                    if w < 0:
                        st[S_TOPCUR] += 1
                        tc = st[S_TOPCUR]
                        if tc < st[S_NTOP]:
                            set_root(nd, d, rlo[tc], rhi[tc], -1)
                            break
                        st[S_D] = d
                        st[S_MODE] = ENTER
                        st[S_STEPS] += spent
                        return 1
                    nd[w, SPCUR] += 1
                    c = nd[w, SPCUR]
                    if c < nd[w, SPHI]:
                        set_root(nd, d, rlo[c], rhi[c], w)
                        break
                    w = nd[w, OWNER]
                continue
            nd[d, NCAND] = m
            nd[d, NEXTI] = 0
            # a fixed buffer left below the level can never be placed: the node fails
            for i in range(m):
                b = cb[base + i]
                if minoff[b] >= nd[d, LEVEL]:
                    break
                if fixed[b] >= 0:
                    nd[d, NEXTI] = m
                    break
            mh = BIG
            for i in range(m):
                b = cb[base + i]
                h = minoff[b] + sz[b]
                if h < mh:
                    mh = h
            nd[d, MINH] = mh
            mode = NEXT
            continue

        # mode NEXT: try the next candidate of node d (the budget is checked here too: a
        # run of failed placements and backtracks never enters a node)
        if spent >= budget:
            st[S_D] = d
            st[S_MODE] = mode
            st[S_STEPS] += spent
            return 0
        if (
            st[S_TMTOP] + maxdeg > tmb.shape[0]
            or st[S_TFTOP] + maxspan + ns > tfs.shape[0]
            or st[S_RTOP] + ns + 2 > rlo.shape[0]
        ):
            st[S_D] = d
            st[S_MODE] = mode
            st[S_STEPS] += spent
            return 2
        base = nd[d, CPTR]
        m = nd[d, NCAND]
        lev = nd[d, LEVEL]
        lr = nd[d, LASTR]
        mh = nd[d, MINH]
        i = nd[d, NEXTI]
        found = -1
        while i < m:
            b = cb[base + i]
            o = minoff[b]
            if o >= mh:
                i = m
                break
            if o < lev or (o == lev and cr[base + i] < lr) or o + sz[b] > cap:
                i += 1
                continue
            found = i
            i += 1
            break
        nd[d, NEXTI] = i
        failed = found < 0
        if not failed:
            spent += 1
            b = cb[base + found]
            r = cr[base + found]
            o = minoff[b]
            hgt = o + sz[b]
            slo = nd[d, PLO]
            shi = nd[d, PHI]
            off[b] = o
            nd[d, CHOSEN] = b
            nd[d, TMP] = st[S_TMTOP]
            nd[d, TFP] = st[S_TFTOP]
            nd[d, CUTDONE] = 0
            nd[d, SPLO] = -1
            st[S_STAMP] += 1
            sv = st[S_STAMP]
            tf = st[S_TFTOP]
            for s in range(a[b], e[b]):
                tfs[tf] = s
                tfv[tf] = floor[s]
                tf += 1
                floor[s] = hgt
                total[s] -= sz[b]
            # section inference: first with the floors of the placed buffers (cheap), then
            # with the unallocated floors where a minoff rose
            ok = True
            for s in range(slo, shi):
                if total[s] > 0:
                    f = floor[s]
                    if f < o:
                        f = o
                    if f + total[s] > cap:
                        ok = False
                        break
            hat = 1
            if not ok:
                for k in range(ovp[b], ovp[b + 1]):
                    if off[ovl[k]] < 0:
                        hat = 0
                        break
            else:
                tm = st[S_TMTOP]
                for k in range(ovp[b], ovp[b + 1]):
                    c = ovl[k]
                    if off[c] >= 0:
                        continue
                    hat = 0
                    if minoff[c] >= hgt:
                        continue
                    tmb[tm] = c
                    tmv[tm] = minoff[c]
                    tm += 1
                    v = hgt
                    rem = v % al[c]
                    if rem:
                        v += al[c] - rem
                    minoff[c] = v
                    if fixed[c] >= 0 and v > fixed[c]:
                        ok = False
                    bmark[c] = sv
                    for s in range(a[c], e[c]):
                        mark[s] = sv
                st[S_TMTOP] = tm
                for s in range(slo, shi):
                    if not ok:
                        break
                    if mark[s] != sv:
                        continue
                    f = floor[s]
                    mn = BIG
                    for k in range(secp[s], secp[s + 1]):
                        c = secl[k]
                        if off[c] < 0 and minoff[c] < mn:
                            mn = minoff[c]
                    if mn != BIG and mn > f:
                        tfs[tf] = s
                        tfv[tf] = f
                        tf += 1
                        floor[s] = mn
                        if mn < o:
                            mn = o
                        if mn + total[s] > cap:
                            ok = False
                            break
            nd[d, HATLESS] = hat
            st[S_TFTOP] = tf
            if not ok:
                _undo(d, nd, st, a, e, sz, off, minoff, floor, total, cuts, tmb, tmv, tfs, tfv)
                if hat:
                    failed = True
                else:
                    continue
            else:
                rt = st[S_RTOP]
                prev = slo
                ncp = 0
                for s in range(a[b], e[b] - 1):
                    cuts[s] -= 1
                    if cuts[s] == 0:
                        rlo[rt] = prev
                        rhi[rt] = s + 1
                        rt += 1
                        prev = s + 1
                        ncp += 1
                nd[d, CUTDONE] = 1
                child = d + 1
                nd[child, CPTR] = base + m
                if ncp > 0:
                    rlo[rt] = prev
                    rhi[rt] = shi
                    rt += 1
                    nd[d, SPLO] = st[S_RTOP]
                    nd[d, SPHI] = rt
                    nd[d, SPCUR] = st[S_RTOP]
                    st[S_RTOP] = rt
                    set_root(nd, child, rlo[nd[d, SPLO]], rhi[nd[d, SPLO]], d)
                else:
                    nd[child, PLO] = slo
                    nd[child, PHI] = shi
                    nd[child, OWNER] = nd[d, OWNER]
                    nd[child, ISROOT] = 0
                    nd[child, LEVEL] = o
                    nd[child, LASTR] = r
                    nd[child, CHOSEN] = -1
                    nd[child, SPLO] = -1
                    nd[child, CUTDONE] = 0
                d = child
                mode = ENTER
                continue
        # node d has failed (no candidate left, or a hatless placement failed)
        while True:
            if nd[d, ISROOT] == 0:
                d -= 1
                hat = nd[d, HATLESS]
                _undo(d, nd, st, a, e, sz, off, minoff, floor, total, cuts, tmb, tmv, tfs, tfv)
                if hat:
                    continue
                break
            w = nd[d, OWNER]
            if w < 0:
                st[S_D] = d
                st[S_MODE] = mode
                st[S_STEPS] += spent
                return -1
            for k in range(d - 1, w, -1):
                _undo(k, nd, st, a, e, sz, off, minoff, floor, total, cuts, tmb, tmv, tfs, tfv)
            d = w
            hat = nd[d, HATLESS]
            _undo(d, nd, st, a, e, sz, off, minoff, floor, total, cuts, tmb, tmv, tfs, tfv)
            if hat:
                continue
            break
        mode = NEXT


@njit
def overlaps(a: np.ndarray, e: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the buffers overlapping each buffer in time (``order``: by start section)."""
    n = a.shape[0]
    deg = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        b = order[i]
        for j in range(i + 1, n):
            c = order[j]
            if a[c] >= e[b]:
                break
            deg[b + 1] += 1
            deg[c + 1] += 1
    ptr = np.cumsum(deg)
    out = np.empty(ptr[n], dtype=np.int64)
    fill = ptr[:n].copy()
    for i in range(n):
        b = order[i]
        for j in range(i + 1, n):
            c = order[j]
            if a[c] >= e[b]:
                break
            out[fill[b]] = c
            fill[b] += 1
            out[fill[c]] = b
            fill[c] += 1
    return ptr, out


# state slots of :func:`fill`
F_D, F_MODE, F_CTOP, F_PLACED, F_NODES, F_STEPS = range(6)
NFSTATE = 6
_WASTE = -2


@njit
def fill(
    a: np.ndarray,
    e: np.ndarray,
    sz: np.ndarray,
    bys: np.ndarray,
    sstart: np.ndarray,
    cap: int,
    st: np.ndarray,
    floor: np.ndarray,
    total: np.ndarray,
    off: np.ndarray,
    ds: np.ndarray,
    dy: np.ndarray,
    dh: np.ndarray,
    dchosen: np.ndarray,
    dlo: np.ndarray,
    dhi: np.ndarray,
    didx: np.ndarray,
    cand: np.ndarray,
    prio: np.ndarray,
    reach: np.ndarray,
    budget: int,
) -> int:
    """Skyline fill: an incomplete depth-first search for tight instances (no alignment, no
    fixed offsets). At each node the lowest section still holding unplaced buffers (the
    leftmost if several) at floor ``y`` must be filled from ``y`` up: by a buffer starting
    in that section, ending within the run of sections at floor ``y`` and placed at ``y``
    (the ones ending with the run first, then by decreasing ``prio``, the size or a jittered
    size), or else declared waste (up to the lowest height the next buffer over it can rest
    at: a wall of the run, or a buffer starting later in the run placed at ``y``), when the section's slack (capacity - floor - unplaced
    total) allows. The bottom layer of a run of sections between higher walls must be
    covered in time by buffers starting and ending inside it, but for the sections with
    slack: a node with such a run that cannot be is a dead end, and at the lowest run only
    the choices after which the rest of the run can still be covered are tried. A placement keeps every section's slack; waste spends it, so
    at zero slack the search never wastes. Incomplete (waste skips heights), so an
    exhausted search (-1) proves nothing. Returns 1 (every buffer placed, offsets in
    ``off``), -1 (exhausted), 0 (``budget`` steps spent; call again) or 2 (grow the
    candidate pool or the depth arrays, then call again)."""
    n = a.shape[0]
    ns = floor.shape[0]
    d = st[F_D]
    mode = st[F_MODE]
    spent = 0
    while True:
        if mode == ENTER:
            if st[F_PLACED] == n:
                st[F_STEPS] += spent
                st[F_D] = d
                st[F_MODE] = mode
                return 1
            if spent >= budget:
                st[F_STEPS] += spent
                st[F_D] = d
                st[F_MODE] = mode
                return 0
            spent += 1
            st[F_NODES] += 1
            s1 = -1
            y = BIG
            for s in range(ns):
                if total[s] > 0 and floor[s] < y:
                    y = floor[s]
                    s1 = s
            s2 = s1 + 1
            while s2 < ns and floor[s2] == y and total[s2] > 0:
                s2 += 1
            lo = st[F_CTOP]
            if lo + sstart[s1 + 1] - sstart[s1] + 1 > cand.shape[0] or d + 1 >= ds.shape[0]:
                st[F_STEPS] += spent
                st[F_NODES] -= 1
                st[F_STEPS] -= 1
                st[F_D] = d
                st[F_MODE] = mode
                return 2
            # every valley (a run of sections at one floor, walled by higher floors or by
            # sections left with nothing to place) must have its bottom layer covered by
            # buffers starting and ending inside it, but for sections with slack (which may
            # stay empty there): reach[s] = the run's sections from s on can be so covered
            dead = False
            v = 0
            while v < ns and not dead:
                if total[v] == 0:
                    v += 1
                    continue
                yv = floor[v]
                w = v + 1
                while w < ns and total[w] > 0 and floor[w] == yv:
                    w += 1
                lwall = v == 0 or total[v - 1] == 0 or floor[v - 1] > yv
                rwall = w == ns or total[w] == 0 or floor[w] > yv
                if (lwall and rwall) or v == s1:
                    reach[w] = 1
                    for t in range(w - 1, v - 1, -1):
                        reach[t] = 0
                        if reach[t + 1] == 1 and cap - floor[t] - total[t] > 0:
                            reach[t] = 1
                            continue
                        for k in range(sstart[t], sstart[t + 1]):
                            b = bys[k]
                            if off[b] < 0 and e[b] <= w and reach[e[b]] == 1 and yv + sz[b] <= cap:
                                reach[t] = 1
                                break
                    if lwall and rwall and reach[v] == 0:
                        dead = True
                v = w
            m = lo
            for k in range(sstart[s1], sstart[s1 + 1]):
                if dead:
                    break
                b = bys[k]
                if off[b] < 0 and e[b] <= s2 and y + sz[b] <= cap and reach[e[b]] == 1:
                    # insertion by (ends with the run first, then priority: size, jittered)
                    j = m
                    kb = prio[b] + (BIG if e[b] == s2 else 0)
                    while j > lo:
                        c = cand[j - 1]
                        kc = prio[c] + (BIG if e[c] == s2 else 0)
                        if kc >= kb:
                            break
                        cand[j] = c
                        j -= 1
                    cand[j] = b
                    m += 1
            # waste: the section stays empty from y up to the next buffer over it, which
            # rests on a wall of the run or on a buffer placed at y later, starting after
            # s1 within the run: up to the lowest of those heights (never past a canonical
            # placement)
            h = cap
            if s1 > 0 and total[s1 - 1] > 0 and y < floor[s1 - 1] < h:
                h = floor[s1 - 1]
            if s2 < ns and total[s2] > 0 and y < floor[s2] < h:
                h = floor[s2]
            for k in range(sstart[s1 + 1], sstart[s2]):
                c = bys[k]
                if off[c] < 0 and y + sz[c] < h:
                    h = y + sz[c]
            if not dead and h > y and cap - floor[s1] - total[s1] >= h - y and reach[s1 + 1] == 1:
                cand[m] = _WASTE
                m += 1
            st[F_CTOP] = m
            ds[d] = s1
            dy[d] = y
            dh[d] = h
            dlo[d] = lo
            dhi[d] = m
            didx[d] = lo
            dchosen[d] = -1
            mode = NEXT
        else:
            c = dchosen[d]
            if c >= 0:
                for s in range(a[c], e[c]):
                    floor[s] -= sz[c]
                    total[s] += sz[c]
                off[c] = -1
                st[F_PLACED] -= 1
            elif c == _WASTE:
                floor[ds[d]] = dy[d]
            dchosen[d] = -1
            i = didx[d]
            if i >= dhi[d]:
                st[F_CTOP] = dlo[d]
                d -= 1
                if d < 0:
                    st[F_STEPS] += spent
                    st[F_D] = 0
                    st[F_MODE] = mode
                    return -1
                continue
            didx[d] = i + 1
            c = cand[i]
            spent += 1
            if c >= 0:
                y = dy[d]
                for s in range(a[c], e[c]):
                    floor[s] = y + sz[c]
                    total[s] -= sz[c]
                off[c] = y
                st[F_PLACED] += 1
            else:
                floor[ds[d]] = dh[d]
            dchosen[d] = c
            d += 1
            mode = ENTER
