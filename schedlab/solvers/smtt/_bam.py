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
* Positions are also discarded when C_k(delta) >= d(j), j the next EDD job (k + delta + 1)
  (``RULE_B``). Proof, for p >= 1 (the caller removes zero-length jobs first): k is the
  longest job and d_k <= d_j, so with k then j starting at t and t + p_k >= d_j, swapping
  them costs (t+p_j-d_j)^+ + (t+p_j+p_k-d_k) against (t+p_k-d_k) + (t+p_k+p_j-d_j) before:
  never more (p_j <= p_k, and t + p_k >= d_j). The swapped schedule puts k at delta + 1,
  where C_k(delta + 1) >= d_j + p_j > d_j keeps the first rule satisfied; repeating reaches
  a kept position (the last position has no next job), so an optimal schedule survives.
* Closed forms: EDD without a tardy job is optimal (value 0); if SPT leaves every job
  tardy it is optimal (sum C - sum d is minimised by SPT).
* Values are memorised per (a, b, r, t) in a numba typed dict.

Exact whenever it ends; on time-out the caller falls back to the heuristic sequence.
"""

from __future__ import annotations

import time

import numba
import numpy as np
from numba import njit, types
from numba.typed import Dict

__all__ = ["bam_solve"]

RULE_B = 1


@njit(cache=True)
def _now():
    with numba.objmode(t="float64"):
        t = time.perf_counter()
    return t


@njit(cache=True)
def _members(a, b, r, rk, buf):
    m = 0
    for j in range(a, b + 1):
        if rk[j] < r:
            buf[m] = j
            m += 1
    return m


@njit(cache=True)
def _lower_bound(first, last, r2, t, p, d, rk, spt_pos, cbuf):
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


@njit(cache=True)
def _solve(a, b, r, t, ub, p, d, rk, spt_pos, memo, choice, ctl, scale_t, n, dl, cbuf):
    """Total tardiness of S(a, b, r) started at t: the optimum when it is < ub, otherwise
    a lower bound >= ub.  ctl[0] counts nodes, ctl[1] is set to 1 on time-out (the value
    returned is then meaningless)."""
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
    if (ctl[0] & 1023) == 0 and _now() > dl:
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
        if (jl == k or d[jl] < ck) and (RULE_B == 0 or nxt < 0 or ck < d[nxt]):
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


@njit(cache=True)
def _rebuild(a, b, r, t, p, d, rk, spt_pos, choice, scale_t, n, out, pos):
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


def bam_solve(
    p: np.ndarray, d: np.ndarray, deadline: float | None, ub: int | None = None
) -> tuple[np.ndarray, int] | None:
    """Optimal sequence and value of 1||sum T_j (p >= 1), or None on time-out/overflow.

    With ``ub`` (the value of a known sequence), an empty sequence is returned when no
    sequence is better, i.e. when ``ub`` is optimal."""
    p = np.ascontiguousarray(p, dtype=np.int64)
    d = np.ascontiguousarray(d, dtype=np.int64)
    n = p.shape[0]
    edd = np.lexsort((np.arange(n), p, d))
    pe = p[edd].copy()
    de = d[edd].copy()
    order = np.lexsort((np.arange(n), pe))  # by p, then EDD index
    rk = np.empty(n, np.int64)
    rk[order] = np.arange(n)
    spt_pos = order.astype(np.int64)
    P = int(pe.sum())
    scale_t = P + 1
    if float(n) * n * (n + 1) * scale_t >= 2.0**62:
        return None
    memo = Dict.empty(key_type=types.int64, value_type=types.int64)
    choice = Dict.empty(key_type=types.int64, value_type=types.int64)
    dl = 1e18 if deadline is None else float(deadline)
    ctl = np.zeros(2, dtype=np.int64)
    cbuf = np.empty(n, np.int64)
    big = 1 << 60 if ub is None else int(ub)
    val = _solve(0, n - 1, n, 0, big, pe, de, rk, spt_pos, memo, choice, ctl, scale_t, n, dl, cbuf)
    if ctl[1] != 0:
        return None
    if val >= big:
        return np.empty(0, np.int64), val  # nothing below ub: ub is optimal
    out = np.empty(n, np.int64)
    ln = _rebuild(0, n - 1, n, 0, pe, de, rk, spt_pos, choice, scale_t, n, out, 0)
    assert ln == n
    return edd[out].astype(np.int64), int(val)
