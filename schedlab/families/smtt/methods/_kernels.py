"""Compiled kernels (numba) for smtt: the objective, subset dynamic programming, local-search
passes and the augmented rules' move-to-end step.

Kernels take int64 numpy arrays ``p``, ``d``, ``w`` and sequences of 0-based job indices.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ....engines.jit import njit, now
from .. import objective

#: :func:`schedlab.families.smtt.objective.total_tardiness`, compiled: Σ w_j max(0, C_j - d_j)
#: of a (partial) sequence ``seq`` (int64 arrays).
total_tardiness: Any = njit(objective.total_tardiness)


@njit
def subset_dp(
    p: np.ndarray, d: np.ndarray, w: np.ndarray, max_states: int = -1
) -> tuple[int, np.ndarray, int]:  # pragma: no cover - compiled
    """f[S] = min_{j in S} f[S - j] + w_j max(0, P(S) - d_j); returns (f[all], order, states
    evaluated: the 2^n - 1 non-empty subsets). A partial table answers nothing, so with a
    budget ``max_states`` >= 0 below 2^n - 1 it evaluates no state and returns
    (-1, an undefined order, 0)."""
    n = p.shape[0]
    full = (1 << n) - 1
    f = np.empty(full + 1, dtype=np.int64)
    last = np.zeros(full + 1, dtype=np.int8)
    psum = np.zeros(full + 1, dtype=np.int64)
    f[0] = 0
    order = np.empty(n, dtype=np.int64)
    if 0 <= max_states < full:
        return -1, order, 0
    for s in range(1, full + 1):
        low = s & (-s)
        b = 0
        while (1 << b) != low:
            b += 1
        psum[s] = psum[s ^ low] + p[b]
        t = psum[s]
        best = np.int64(-1)
        arg = 0
        rest = s
        while rest:
            bit = rest & (-rest)
            j = 0
            while (1 << j) != bit:
                j += 1
            rest ^= bit
            c = f[s ^ bit]
            if t > d[j]:
                c += w[j] * (t - d[j])
            if best < 0 or c < best:
                best = c
                arg = j
        f[s] = best
        last[s] = arg
    s = full
    for k in range(n - 1, -1, -1):
        j = last[s]
        order[k] = j
        s ^= 1 << j
    return f[full], order, full


@njit
def ls_pass(
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    seq: np.ndarray,
    start: int,
    deadline: float = np.inf,
) -> int:  # pragma: no cover - compiled
    """One first-improvement pass over swap and insertion moves, scanning from position
    ``start`` (cyclically). Modifies ``seq`` in place; returns the improvement (>= 0), or -1
    when ``deadline`` (a ``perf_counter`` value, checked before each position's moves)
    passed before the scan found an improving move or ended (``seq`` unchanged)."""
    n = seq.shape[0]
    cur = total_tardiness(p, d, w, seq)
    trial = seq.copy()
    for a0 in range(n):
        if deadline != np.inf and now() >= deadline:
            return -1
        a = (a0 + start) % n
        # swaps (a, b), b > a
        for b in range(a + 1, n):
            for k in range(n):
                trial[k] = seq[k]
            trial[a] = seq[b]
            trial[b] = seq[a]
            v = total_tardiness(p, d, w, trial)
            if v < cur:
                for k in range(n):
                    seq[k] = trial[k]
                return cur - v
        # insertions: move the job at a to position b
        for b in range(n):
            if b == a:
                continue
            job = seq[a]
            if b > a:
                for k in range(a):
                    trial[k] = seq[k]
                for k in range(a, b):
                    trial[k] = seq[k + 1]
                trial[b] = job
                for k in range(b + 1, n):
                    trial[k] = seq[k]
            else:
                for k in range(b):
                    trial[k] = seq[k]
                trial[b] = job
                for k in range(b, a):
                    trial[k + 1] = seq[k]
                for k in range(a + 1, n):
                    trial[k] = seq[k]
            v = total_tardiness(p, d, w, trial)
            if v < cur:
                for k in range(n):
                    seq[k] = trial[k]
                return cur - v
    return 0


@njit
def best_move_to_end(
    p: np.ndarray, d: np.ndarray, w: np.ndarray, seq: np.ndarray, length: int
) -> tuple[int, int]:  # pragma: no cover - compiled
    """The augmented rules' step on ``seq[:length]``: the first position k whose job, moved
    to the end, gives the smallest partial tardiness if it is strictly below the current
    one; returns (k or -1, that tardiness)."""
    comp = np.empty(length, dtype=np.int64)
    t = 0
    base = 0
    for i in range(length):
        j = seq[i]
        t += p[j]
        comp[i] = t
        if t > d[j]:
            base += w[j] * (t - d[j])
    # suffix sums of the tardiness of jobs i > k once they finish p_k earlier
    best = base
    best_k = -1
    prefix = 0  # tardiness of the jobs before k (unchanged)
    for k in range(length - 1):
        jk = seq[k]
        shift = p[jk]
        val = prefix
        for i in range(k + 1, length):
            j = seq[i]
            c = comp[i] - shift
            if c > d[j]:
                val += w[j] * (c - d[j])
            if val >= best:
                break
        if val < best:
            if t > d[jk]:
                val += w[jk] * (t - d[jk])
            if val < best:
                best = val
                best_k = k
        if comp[k] > d[jk]:
            prefix += w[jk] * (comp[k] - d[jk])
    return best_k, best


@njit
def atc_kernel(
    p: np.ndarray, d: np.ndarray, w: np.ndarray, k: float, deadline: float
) -> tuple[np.ndarray, int]:  # pragma: no cover - compiled
    """Apparent tardiness cost: at time t append the job maximising (w_j / p_j)
    exp(-max(0, d_j - p_j - t) / (k * p_bar)), p_bar the mean remaining p (a zero-length
    job with a positive weight first, the first index on ties). Returns (sequence, jobs
    placed): fewer than n when ``deadline`` (a ``perf_counter`` value, checked every 16
    appends) passed first."""
    n = p.shape[0]
    seq = np.empty(n, dtype=np.int64)
    left = np.ones(n, dtype=np.bool_)
    big = 1.7976931348623157e308
    rest = 0
    for j in range(n):
        rest += p[j]
    t = 0
    for step in range(n):
        if deadline != np.inf and step % 16 == 0 and now() >= deadline:
            return seq, step
        pbar = max(rest / (n - step), 1e-9)
        best = -1
        best_s = 0.0
        for j in range(n):
            if not left[j]:
                continue
            pj = float(p[j])
            slack = max(0.0, (d[j] - pj) - t)
            if pj > 0:
                ratio = w[j] / max(pj, 1e-9)
            elif w[j] > 0:
                ratio = np.inf
            else:
                ratio = np.nan
            s = ratio * np.exp(-slack / (k * pbar))
            if np.isnan(s):
                s = 0.0
            elif np.isinf(s):
                s = big
            if best < 0 or s > best_s:
                best = j
                best_s = s
        seq[step] = best
        left[best] = False
        t += p[best]
        rest -= p[best]
    return seq, n
