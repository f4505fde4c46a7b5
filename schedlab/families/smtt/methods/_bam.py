"""Exact solver for the unweighted 1||sum T_j: Lawler's decomposition with memorisation.

In the spirit of Szwarc, Della Croce & Grosso (1999) and branch-and-memorize (Shang, T'Kindt
& Della Croce 2021), written from the published ideas:

* Jobs are numbered in EDD order (ties by shorter p, then index).  Every subproblem is a
  set S(a, b, r) = {j in [a, b] : rank(j) < r} (rank orders jobs by (p, EDD index)) started
  at time t.
* Lawler (1977): with k the longest job of S (largest rank), some optimal schedule puts
  the jobs of S before and up to EDD position k + delta (except k) first, then k, then the
  rest.  Both sides are again sets of that form.
* Positions delta >= 1 are discarded unless d(k + delta) < C_k(delta): otherwise job
  k + delta moved right after k is on time and nobody else is delayed.
* Positions are also discarded when C_k(delta) >= d(j), j the next EDD job (k + delta + 1).
  Proof, for p >= 1 (the caller removes zero-length jobs first): k is the
  longest job and d_k <= d_j, so with k then j starting at t and t + p_k >= d_j, swapping
  them costs (t+p_j-d_j)^+ + (t+p_j+p_k-d_k) against (t+p_k-d_k) + (t+p_k+p_j-d_j) before:
  never more (p_j <= p_k, and t + p_k >= d_j). The swapped schedule puts k at delta + 1,
  where C_k(delta + 1) >= d_j + p_j > d_j keeps the first rule satisfied; repeating reaches
  a kept position (the last position has no next job), so an optimal schedule survives.
* Closed forms: EDD without a tardy job is optimal (value 0); if SPT leaves every job
  tardy it is optimal (sum C - sum d is minimised by SPT).  Both hold on a half-line of
  start times: t <= tE for EDD, t >= tS for SPT.

Two searches share these rules:

* ``_range`` (used first): the value of a set as a function of its start time.  The same
  set is met at very many start times (the left parts placed before it differ, a
  knapsack-like spread: about 2000 start times for one set of 140 jobs on an n = 500
  instance), so each set keeps one array of optimal values over an interval of start
  times, extended on demand; a position of k is kept on a sub-interval of start times (the
  rules above are linear in t), and its two sides are asked for the matching intervals.
  Values between tE and tS only are stored.  No bounds are needed: every stored value is
  an optimum.  Its memory grows with the spread of start times (so with the size of p);
  past a budget of cells it gives up.
* ``_solve`` (fallback): the same decomposition per single start time, memorised per
  (a, b, r, t) in a numba typed dict, with a bound (SPT completion times against EDD due
  dates) to cut positions that cannot beat the incumbent.

Exact whenever it ends; on time-out the caller falls back to the heuristic sequence.

Deadlines are absolute ``time.perf_counter()`` values, :data:`~schedlab.engines.jit.NO_DEADLINE`
(``math.inf``) for none.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import types
from numba.typed import Dict, List

from ....engines.jit import NO_DEADLINE, njit, now

__all__ = ["bam_solve", "warm_up_point_search"]

BIG = 1 << 60
CELL_BUDGET = 40_000_000  # stored values (int64) of the range search, about 320 MB


@njit
def _setinfo(
    a: int,
    b: int,
    r: int,
    p: np.ndarray,
    d: np.ndarray,
    rk: np.ndarray,
    spt_pos: np.ndarray,
    abr: Any,
    info: Any,
    n: int,
) -> int:  # pragma: no cover - compiled
    """Slot of S(a, b, r) in info (computed on first use): first, last, kmax, m, tE, tS,
    sum over SPT of (C - d) from 0, array slot (-1 = none yet)."""
    key1 = (a * n + b) * (n + 1) + r
    if key1 in abr:
        return abr[key1]
    first = -1
    last = -1
    kmax = -1
    m = 0
    for j in range(a, b + 1):
        if rk[j] < r:
            if first < 0:
                first = j
            last = j
            if kmax < 0 or rk[j] > rk[kmax]:
                kmax = j
            m += 1
    tE = BIG
    tS = -BIG
    s = 0
    if m >= 2:
        r2 = rk[kmax] + 1
        c = 0
        for j in range(first, last + 1):
            if rk[j] < r2:
                c += p[j]
                x = d[j] - c
                if x < tE:
                    tE = x
        c = 0
        for q in range(r2):
            j = spt_pos[q]
            if j < first or j > last:
                continue
            c += p[j]
            x = d[j] - c
            if x > tS:
                tS = x
            s += c - d[j]
    slot = len(abr)
    tab = info[0]
    if slot >= tab.shape[0]:
        big = np.empty((2 * tab.shape[0], 8), np.int64)
        big[: tab.shape[0]] = tab
        info[0] = big
        tab = big
    tab[slot, 0] = first
    tab[slot, 1] = last
    tab[slot, 2] = kmax
    tab[slot, 3] = m
    tab[slot, 4] = tE
    tab[slot, 5] = tS
    tab[slot, 6] = s
    tab[slot, 7] = -1
    abr[key1] = slot
    return slot


@njit
def _range(
    a: int,
    b: int,
    r: int,
    lo: int,
    hi: int,
    p: np.ndarray,
    d: np.ndarray,
    rk: np.ndarray,
    spt_pos: np.ndarray,
    abr: Any,
    info: Any,
    idx: Any,
    slo: Any,
    arrs: Any,
    ctl: np.ndarray,
    n: int,
    dl: float,
) -> np.ndarray:  # pragma: no cover - compiled
    """Optimal values of S(a, b, r) for start times lo..hi (array of hi - lo + 1)."""
    if ctl[1] != 0 or a > b or r <= 0:
        return np.zeros(hi - lo + 1, np.int64)
    slot = _setinfo(a, b, r, p, d, rk, spt_pos, abr, info, n)
    tab = info[0]
    m = tab[slot, 3]
    if m == 0:
        return np.zeros(hi - lo + 1, np.int64)
    first = tab[slot, 0]
    if m == 1:
        out = np.empty(hi - lo + 1, np.int64)
        for t in range(lo, hi + 1):
            x = t + p[first] - d[first]
            out[t - lo] = x if x > 0 else 0
        return out
    last = tab[slot, 1]
    kmax = tab[slot, 2]
    tE = tab[slot, 4]
    tS = tab[slot, 5]
    ssum = tab[slot, 6]
    s = tab[slot, 7]
    if s >= 0 and lo > tE and hi < tS:
        s0 = slo[s]
        arr = arrs[s]
        if s0 <= lo and hi < s0 + arr.shape[0]:
            # a view: callers only read it
            return arr[lo - s0 : hi - s0 + 1]
    out = np.zeros(hi - lo + 1, np.int64)
    if hi >= tS:
        for t in range(max(lo, tS), hi + 1):
            out[t - lo] = m * t + ssum
    mlo = lo if lo > tE + 1 else tE + 1
    mhi = hi if hi < tS - 1 else tS - 1
    if mlo > mhi:
        return out
    r2 = rk[kmax] + 1
    if s < 0:
        key = (first * n + last) * (n + 1) + r2
        if key in idx:
            s = idx[key]
            tab[slot, 7] = s
    s0 = 0
    s1 = -1
    if s >= 0:
        s0 = slo[s]
        s1 = s0 + arrs[s].shape[0] - 1
        if s0 <= mlo and mhi <= s1:
            arr = arrs[s]
            for t in range(mlo, mhi + 1):
                out[t - lo] = arr[t - s0]
            return out
        nlo = mlo if mlo < s0 else s0
        nhi = mhi if mhi > s1 else s1
    else:
        nlo = mlo
        nhi = mhi
    new = np.full(nhi - nlo + 1, BIG, np.int64)
    if s >= 0:
        new[s0 - nlo : s1 - nlo + 1] = arrs[s]
    ctl[0] += 1
    ctl[2] += nhi - nlo + 1 - (s1 - s0 + 1)
    if ctl[2] > ctl[3]:
        ctl[1] = 2  # memory budget exhausted
        return out
    if ctl[4] >= 0 and ctl[2] > ctl[4]:
        ctl[1] = 1  # work budget exhausted: stop as on a time-out
        return out
    if (ctl[0] & 255) == 0 and now() > dl:
        ctl[1] = 1
        return out
    # Lawler's decomposition on the longest job k over the missing start times
    k = kmax
    rk_k = rk[k]
    for piece in range(2):
        if s < 0:
            if piece == 1:
                break
            plo = nlo
            phi = nhi
        elif piece == 0:
            plo = nlo
            phi = s0 - 1
        else:
            plo = s1 + 1
            phi = nhi
        if plo > phi:
            continue
        pl = 0  # processing of S-members in [first, jl] other than k
        for j in range(first, k):
            if rk[j] < r2:
                pl += p[j]
        jl = k
        while True:
            nxt = -1
            for j in range(jl + 1, last + 1):
                if rk[j] < r2:
                    nxt = j
                    break
            sh = pl + p[k]  # C_k = t + sh
            u = plo
            v = phi
            if jl != k:
                x = d[jl] - sh + 1  # d[jl] < t + sh
                if x > u:
                    u = x
            if nxt >= 0:
                x = d[nxt] - sh - 1  # t + sh < d[nxt]
                if x < v:
                    v = x
            if u <= v:
                fl = _range(
                    first,
                    jl,
                    rk_k,
                    u,
                    v,
                    p,
                    d,
                    rk,
                    spt_pos,
                    abr,
                    info,
                    idx,
                    slo,
                    arrs,
                    ctl,
                    n,
                    dl,
                )
                fr = _range(
                    jl + 1,
                    last,
                    rk_k,
                    u + sh,
                    v + sh,
                    p,
                    d,
                    rk,
                    spt_pos,
                    abr,
                    info,
                    idx,
                    slo,
                    arrs,
                    ctl,
                    n,
                    dl,
                )
                if ctl[1] != 0:
                    return out
                for t in range(u, v + 1):
                    x = t + sh - d[k]
                    val = fl[t - u] + fr[t - u] + (x if x > 0 else 0)
                    if val < new[t - nlo]:
                        new[t - nlo] = val
            if nxt < 0:
                break
            jl = nxt
            pl += p[jl]
    for t in range(nhi - nlo + 1):
        if new[t] >= BIG:  # no kept position (cannot happen, see the rules above): give up
            ctl[1] = 3
            return out
    if s >= 0:
        slo[s] = nlo
        arrs[s] = new
    else:
        key = (first * n + last) * (n + 1) + r2
        s = len(arrs)
        idx[key] = s
        slo.append(nlo)
        arrs.append(new)
        info[0][slot, 7] = s
    for t in range(mlo, mhi + 1):
        out[t - lo] = new[t - nlo]
    return out


@njit
def _rebuild_range(
    a: int,
    b: int,
    r: int,
    t: int,
    p: np.ndarray,
    d: np.ndarray,
    rk: np.ndarray,
    spt_pos: np.ndarray,
    abr: Any,
    info: Any,
    idx: Any,
    slo: Any,
    arrs: Any,
    ctl: np.ndarray,
    n: int,
    dl: float,
    out: np.ndarray,
    pos: int,
) -> int:  # pragma: no cover - compiled
    first = -1
    last = -1
    kmax = -1
    m = 0
    for j in range(a, b + 1):
        if rk[j] < r:
            if first < 0:
                first = j
            last = j
            if kmax < 0 or rk[j] > rk[kmax]:
                kmax = j
            m += 1
    if m == 0:
        return pos
    if m == 1:
        out[pos] = first
        return pos + 1
    r2 = rk[kmax] + 1
    slot = _setinfo(first, last, r2, p, d, rk, spt_pos, abr, info, n)
    tE = info[0][slot, 4]
    tS = info[0][slot, 5]
    if t <= tE:
        for j in range(first, last + 1):
            if rk[j] < r2:
                out[pos] = j
                pos += 1
        return pos
    if t >= tS:
        for q in range(r2):
            j = spt_pos[q]
            if j >= first and j <= last:
                out[pos] = j
                pos += 1
        return pos
    target = _range(
        first, last, r2, t, t, p, d, rk, spt_pos, abr, info, idx, slo, arrs, ctl, n, dl
    )[0]
    k = kmax
    rk_k = rk[k]
    pl = 0
    for j in range(first, k):
        if rk[j] < r2:
            pl += p[j]
    jl = k
    while True:
        nxt = -1
        for j in range(jl + 1, last + 1):
            if rk[j] < r2:
                nxt = j
                break
        sh = pl + p[k]
        ok = (jl == k or d[jl] < t + sh) and (nxt < 0 or t + sh < d[nxt])
        if ok:
            fl = _range(
                first,
                jl,
                rk_k,
                t,
                t,
                p,
                d,
                rk,
                spt_pos,
                abr,
                info,
                idx,
                slo,
                arrs,
                ctl,
                n,
                dl,
            )[0]
            fr = _range(
                jl + 1,
                last,
                rk_k,
                t + sh,
                t + sh,
                p,
                d,
                rk,
                spt_pos,
                abr,
                info,
                idx,
                slo,
                arrs,
                ctl,
                n,
                dl,
            )[0]
            x = t + sh - d[k]
            if fl + fr + (x if x > 0 else 0) == target:
                pos = _rebuild_range(
                    first,
                    jl,
                    rk_k,
                    t,
                    p,
                    d,
                    rk,
                    spt_pos,
                    abr,
                    info,
                    idx,
                    slo,
                    arrs,
                    ctl,
                    n,
                    dl,
                    out,
                    pos,
                )
                out[pos] = k
                pos += 1
                return _rebuild_range(
                    jl + 1,
                    last,
                    rk_k,
                    t + sh,
                    p,
                    d,
                    rk,
                    spt_pos,
                    abr,
                    info,
                    idx,
                    slo,
                    arrs,
                    ctl,
                    n,
                    dl,
                    out,
                    pos,
                )
        if nxt < 0:
            break
        jl = nxt
        pl += p[jl]
    return -1 - n * 10  # not found (bug)


@njit
def _lower_bound(
    first: int,
    last: int,
    r2: int,
    t: int,
    p: np.ndarray,
    d: np.ndarray,
    rk: np.ndarray,
    spt_pos: np.ndarray,
    cbuf: np.ndarray,
) -> int:  # pragma: no cover - compiled
    """Sum of max(0, C_i - d_i) pairing SPT completion times with EDD due dates (a valid
    bound: any schedule's i-th completion is >= the SPT one, and sorted pairing minimises a
    convex function of the differences)."""
    m = 0
    c = t
    for q in range(r2):
        j = spt_pos[q]
        if j < first or j > last:
            continue
        c += p[j]
        cbuf[m] = c
        m += 1
    lb = 0
    i = 0
    for j in range(first, last + 1):
        if rk[j] < r2:
            x = cbuf[i] - d[j]
            if x > 0:
                lb += x
            i += 1
    return lb


@njit
def _solve(
    a: int,
    b: int,
    r: int,
    t: int,
    ub: int,
    p: np.ndarray,
    d: np.ndarray,
    rk: np.ndarray,
    spt_pos: np.ndarray,
    memo: Any,
    choice: Any,
    ctl: np.ndarray,
    scale_t: int,
    n: int,
    dl: float,
    cbuf: np.ndarray,
) -> int:  # pragma: no cover - compiled
    """Total tardiness of S(a, b, r) started at t: the optimum when it is < ub, otherwise
    a lower bound >= ub.  ctl[0] counts nodes, ctl[1] is set to 1 on time-out or once the
    nodes exceed ctl[2] when it is >= 0 (the value returned is then meaningless)."""
    if a > b or ctl[1] != 0:
        return 0
    m = 0
    first = -1
    last = -1
    kmax = -1
    for j in range(a, b + 1):
        if rk[j] < r:
            if first < 0:
                first = j
            last = j
            if kmax < 0 or rk[j] > rk[kmax]:
                kmax = j
            m += 1
    if m == 0:
        return 0
    if m == 1:
        x = t + p[first] - d[first]
        return x if x > 0 else 0
    r2 = rk[kmax] + 1
    key = ((first * n + last) * (n + 1) + r2) * scale_t + t
    if key in memo:
        e = memo[key]
        if (e & 1) == 1 or (e >> 1) >= ub:
            return e >> 1
    ctl[0] += 1
    if (ctl[2] >= 0 and ctl[0] > ctl[2]) or ((ctl[0] & 1023) == 0 and now() > dl):
        ctl[1] = 1
        return 0
    # EDD with no tardy job
    c = t
    ontime = True
    for j in range(first, last + 1):
        if rk[j] < r2:
            c += p[j]
            if c > d[j]:
                ontime = False
                break
    if ontime:
        memo[key] = 1
        choice[key] = -1
        return 0
    # SPT with every job tardy (spt_pos lists jobs by rank)
    c = t
    alllate = True
    tot = 0
    for q in range(r2):
        j = spt_pos[q]
        if j < first or j > last:
            continue
        c += p[j]
        if c < d[j]:
            alllate = False
            break
        tot += c - d[j]
    if alllate:
        memo[key] = tot * 2 + 1
        choice[key] = -2
        return tot
    lb0 = _lower_bound(first, last, r2, t, p, d, rk, spt_pos, cbuf)
    if lb0 >= ub:
        memo[key] = lb0 * 2
        return lb0
    # Lawler's decomposition on the longest job kmax
    k = kmax
    rk_k = rk[k]
    ck = t
    for j in range(first, k + 1):
        if rk[j] < r2:
            ck += p[j]
    best = ub
    bestj = -1
    minlb = -1  # smallest bound among the positions that could not beat ub
    jl = k
    while True:
        nxt = -1
        for j in range(jl + 1, last + 1):
            if rk[j] < r2:
                nxt = j
                break
        if (jl == k or d[jl] < ck) and (nxt < 0 or ck < d[nxt]):
            x = ck - d[k]
            tk = x if x > 0 else 0
            lbl = _lower_bound(first, jl, rk_k, t, p, d, rk, spt_pos, cbuf)
            lbr = _lower_bound(jl + 1, last, rk_k, ck, p, d, rk, spt_pos, cbuf)
            v = lbl + tk + lbr
            if v < best:
                left = _solve(
                    first,
                    jl,
                    rk_k,
                    t,
                    best - tk - lbr,
                    p,
                    d,
                    rk,
                    spt_pos,
                    memo,
                    choice,
                    ctl,
                    scale_t,
                    n,
                    dl,
                    cbuf,
                )
                if ctl[1] != 0:
                    return 0
                v = left + tk + lbr
                if v < best:
                    right = _solve(
                        jl + 1,
                        last,
                        rk_k,
                        ck,
                        best - tk - left,
                        p,
                        d,
                        rk,
                        spt_pos,
                        memo,
                        choice,
                        ctl,
                        scale_t,
                        n,
                        dl,
                        cbuf,
                    )
                    if ctl[1] != 0:
                        return 0
                    v = left + tk + right
                    if v < best:
                        best = v
                        bestj = jl
            if bestj < 0 and (minlb < 0 or v < minlb):
                minlb = v
        if nxt < 0:
            break
        jl = nxt
        ck += p[jl]
    if bestj >= 0:
        memo[key] = best * 2 + 1
        choice[key] = bestj
        return best
    if minlb < ub:
        minlb = ub
    if minlb < lb0:
        minlb = lb0
    memo[key] = minlb * 2
    return minlb


@njit
def _rebuild(
    a: int,
    b: int,
    r: int,
    t: int,
    p: np.ndarray,
    d: np.ndarray,
    rk: np.ndarray,
    spt_pos: np.ndarray,
    choice: Any,
    scale_t: int,
    n: int,
    out: np.ndarray,
    pos: int,
) -> int:  # pragma: no cover - compiled
    """Append the optimal sequence of S(a, b, r) at t to out[pos:]; returns the new pos."""
    first = -1
    last = -1
    kmax = -1
    m = 0
    for j in range(a, b + 1):
        if rk[j] < r:
            if first < 0:
                first = j
            last = j
            if kmax < 0 or rk[j] > rk[kmax]:
                kmax = j
            m += 1
    if m == 0:
        return pos
    if m == 1:
        out[pos] = first
        return pos + 1
    r2 = rk[kmax] + 1
    key = ((first * n + last) * (n + 1) + r2) * scale_t + t
    ch = choice[key]
    if ch == -1:
        for j in range(first, last + 1):
            if rk[j] < r2:
                out[pos] = j
                pos += 1
        return pos
    if ch == -2:
        for q in range(r2):
            j = spt_pos[q]
            if j >= first and j <= last:
                out[pos] = j
                pos += 1
        return pos
    k = kmax
    ck = t
    for j in range(first, ch + 1):
        if rk[j] < r2:
            ck += p[j]
    pos = _rebuild(first, ch, rk[k], t, p, d, rk, spt_pos, choice, scale_t, n, out, pos)
    out[pos] = k
    pos += 1
    return _rebuild(ch + 1, last, rk[k], ck, p, d, rk, spt_pos, choice, scale_t, n, out, pos)


def _prepare(
    p: np.ndarray, d: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = p.shape[0]
    edd = np.lexsort((np.arange(n), p, d))
    pe = p[edd].copy()
    de = d[edd].copy()
    order = np.lexsort((np.arange(n), pe))  # by p, then EDD index
    rk = np.empty(n, np.int64)
    rk[order] = np.arange(n)
    return edd, pe, de, rk, order.astype(np.int64)


@njit
def _range_state() -> Any:  # pragma: no cover - compiled
    """The typed containers of the range search, made in compiled code (made from Python,
    they would be compiled again in every process)."""
    abr = Dict.empty(key_type=types.int64, value_type=types.int64)
    idx = Dict.empty(key_type=types.int64, value_type=types.int64)
    info = List()
    info.append(np.empty((1024, 8), np.int64))
    slo = List()
    slo.append(0)
    slo.pop()
    arrs = List()
    arrs.append(np.empty(0, np.int64))
    arrs.pop()
    return abr, info, idx, slo, arrs


def _work_left(work: np.ndarray | None) -> int:
    """What is left of a work counter ``[used, limit]`` (-1: no limit)."""
    if work is None or work[1] < 0:
        return -1
    return int(max(0, work[1] - work[0]))


def _range_solve(
    p: np.ndarray,
    d: np.ndarray,
    deadline: float,
    cell_budget: int = CELL_BUDGET,
    work: np.ndarray | None = None,
) -> tuple[np.ndarray, int] | str | None:
    """(sequence, value) by the range search; None on time-out or when the work counter
    ``work`` (``[used, limit]``, counting stored values) runs out; "budget" when it gave up
    (``cell_budget`` stored values exceeded)."""
    n = p.shape[0]
    edd, pe, de, rk, spt_pos = _prepare(p, d)
    abr, info, idx, slo, arrs = _range_state()
    ctl = np.zeros(5, np.int64)
    ctl[3] = cell_budget
    ctl[4] = _work_left(work)
    dl = float(deadline)
    args = (pe, de, rk, spt_pos, abr, info, idx, slo, arrs, ctl, n)
    val = _range(0, n - 1, n, 0, 0, *args, dl)[0]
    if work is not None:
        work[0] += ctl[2]
    if ctl[1] == 1:
        return None
    if ctl[1] != 0:
        return "budget"
    out = np.empty(n, np.int64)
    ctl[4] = -1  # rebuilding reads the stored values (its few new ones are counted after)
    cells = ctl[2]
    ln = _rebuild_range(0, n - 1, n, 0, *args, NO_DEADLINE, out, 0)
    if work is not None:
        work[0] += ctl[2] - cells
    if ln != n:  # cannot happen: every stored value comes from a kept position
        return "budget"
    return edd[out].astype(np.int64), int(val)


def _point_solve(
    p: np.ndarray, d: np.ndarray, deadline: float, ub: int | None, work: np.ndarray | None = None
) -> tuple[np.ndarray, int] | None:
    """(sequence, value) by the point search (memorised per start time, bounded by ``ub``);
    None on time-out, when the work counter ``work`` (``[used, limit]``, counting the
    subproblems solved) runs out, or when the memo keys would overflow."""
    n = p.shape[0]
    edd, pe, de, rk, spt_pos = _prepare(p, d)
    P = int(pe.sum())
    scale_t = P + 1
    if float(n) * n * (n + 1) * scale_t >= 2.0**62:
        return None
    memo = Dict.empty(key_type=types.int64, value_type=types.int64)
    choice = Dict.empty(key_type=types.int64, value_type=types.int64)
    dl = float(deadline)
    ctl = np.zeros(3, dtype=np.int64)
    ctl[2] = _work_left(work)
    cbuf = np.empty(n, np.int64)
    big = 1 << 60 if ub is None else int(ub)
    val = _solve(
        0,
        n - 1,
        n,
        0,
        big,
        pe,
        de,
        rk,
        spt_pos,
        memo,
        choice,
        ctl,
        scale_t,
        n,
        dl,
        cbuf,
    )
    if work is not None:
        work[0] += ctl[0]
    if ctl[1] != 0:
        return None
    if val >= big:
        return np.empty(0, np.int64), val  # nothing below ub: ub is optimal
    out = np.empty(n, np.int64)
    ln = _rebuild(0, n - 1, n, 0, pe, de, rk, spt_pos, choice, scale_t, n, out, 0)
    assert ln == n
    return edd[out].astype(np.int64), int(val)


def bam_solve(
    p: np.ndarray,
    d: np.ndarray,
    deadline: float = NO_DEADLINE,
    ub: int | None = None,
    work: np.ndarray | None = None,
) -> tuple[np.ndarray, int] | None:
    """Optimal sequence and value of 1||sum T_j (p >= 1), or None on time-out/overflow or
    when the work budget runs out.

    ``deadline`` is a ``perf_counter`` time (:data:`~schedlab.engines.jit.NO_DEADLINE`:
    none). With ``ub`` (the value of a known sequence), an empty sequence may be returned
    when no sequence is better, i.e. when ``ub`` is optimal. ``work``, an int64 array
    ``[used, limit]`` (limit -1: none), counts labels: the values the range search stores
    and the subproblems the point search solves; ``used`` is increased by what they spent."""
    p = np.ascontiguousarray(p, dtype=np.int64)
    d = np.ascontiguousarray(d, dtype=np.int64)
    if p.shape[0] == 0:
        return np.empty(0, np.int64), 0
    r = _range_solve(p, d, deadline, work=work)
    if r is None:
        return None
    if not isinstance(r, str):
        return r
    return _point_solve(p, d, deadline, ub, work=work)


def warm_up_point_search() -> None:
    """Compile the point search's kernels (the range search reaches them only when it runs
    out of its budget of cells, which no small instance does)."""
    p = np.array([3, 1, 2, 4], dtype=np.int64)
    d = np.array([2, 1, 6, 5], dtype=np.int64)
    _point_solve(p, d, NO_DEADLINE, None)
