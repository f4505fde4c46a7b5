"""Numba kernels: the period-bounded latency DPs and a batch plan evaluator for NSGA-II.

Layer boundaries are 0-based counts of layers done: a stage ``(i, j]`` runs layers
``i+1..j``. Every DP minimises latency lexicographically before period, subject to every
stage's compute time and every link's time being at most ``plim`` (``math.inf``: no bound).
The kernels take no deadline: the sweep checks it between DP steps.
"""

from __future__ import annotations

import math

import numpy as np

from ....engines.jit import njit

#: The latency of a DP state no plan reaches (and of "no plan" in the results).
INF = math.inf


@njit
def class_dp(  # pragma: no cover - numba
    pre: np.ndarray,
    fit: np.ndarray,
    link: np.ndarray,
    counts: np.ndarray,
    radix: np.ndarray,
    n_sets: int,
    plim: float,
    eps: float,
) -> tuple[float, float, np.ndarray]:
    """DP over (layers done, multiset of device classes used, class of the last stage).

    ``pre[c, i]``: prefix sums of class ``c``'s times; ``fit[c, i, j]``: stage ``(i, j]`` fits
    class ``c``'s memory; ``link[a, b, i]``: link time after ``i`` layers from class ``a`` to
    ``b``; ``counts[c]`` devices in class ``c``; ``radix[c]`` its mixed-radix weight in the set
    code. Returns ``(latency, period, stages)`` with ``stages`` an (s, 3) array of
    ``(i, j, class)``; latency ``INF`` when no plan meets ``plim``.
    """
    C = pre.shape[0]
    L = pre.shape[1] - 1
    lat = np.full((L + 1, n_sets, C), INF)
    per = np.full((L + 1, n_sets, C), INF)
    par_i = np.full((L + 1, n_sets, C), -1, dtype=np.int32)
    par_c = np.full((L + 1, n_sets, C), -1, dtype=np.int32)
    for m in range(C):
        if counts[m] == 0:
            continue
        for j in range(1, L + 1):
            comp = pre[m, j] - pre[m, 0]
            if comp > plim:
                break
            if fit[m, 0, j]:
                s2 = radix[m]
                lat[j, s2, m] = comp
                per[j, s2, m] = comp
                par_i[j, s2, m] = 0
                par_c[j, s2, m] = -1
    for i in range(1, L):
        for s in range(n_sets):
            for c in range(C):
                cur = lat[i, s, c]
                if cur >= INF:
                    continue
                cper = per[i, s, c]
                for m in range(C):
                    if (s // radix[m]) % (counts[m] + 1) == counts[m]:
                        continue
                    lk = link[c, m, i]
                    if lk > plim:
                        continue
                    base = cur + lk
                    bper = max(cper, lk)
                    s2 = s + radix[m]
                    for j in range(i + 1, L + 1):
                        comp = pre[m, j] - pre[m, i]
                        if comp > plim:
                            break
                        if not fit[m, i, j]:
                            continue
                        nl = base + comp
                        npr = max(bper, comp)
                        old = lat[j, s2, m]
                        if nl < old - eps or (nl <= old + eps and npr < per[j, s2, m]):
                            lat[j, s2, m] = nl
                            per[j, s2, m] = npr
                            par_i[j, s2, m] = i
                            par_c[j, s2, m] = c
    best = INF
    bper = INF
    bs = -1
    bc = -1
    for s in range(n_sets):
        for c in range(C):
            v = lat[L, s, c]
            if v >= INF:
                continue
            if v < best - eps or (v <= best + eps and per[L, s, c] < bper):
                best = v
                bper = per[L, s, c]
                bs = s
                bc = c
    stages = np.zeros((0, 3), dtype=np.int64)
    if bs < 0:
        return best, bper, stages
    rev = np.zeros((L, 3), dtype=np.int64)
    n = 0
    j = L
    s = bs
    c = bc
    while j > 0:
        i = par_i[j, s, c]
        pc = par_c[j, s, c]
        rev[n, 0] = i
        rev[n, 1] = j
        rev[n, 2] = c
        n += 1
        s -= radix[c]
        j = i
        c = pc
    stages = np.zeros((n, 3), dtype=np.int64)
    for k in range(n):
        stages[k] = rev[n - 1 - k]
    return best, bper, stages


@njit
def order_dp(  # pragma: no cover - numba
    pre: np.ndarray, fit: np.ndarray, link: np.ndarray, plim: float, eps: float
) -> tuple[float, float, np.ndarray]:
    """DP for a fixed device order: stages use a subsequence of the devices ``0..K-1`` (the
    tables are already in that order). State (layers done, position of the last device)."""
    K = pre.shape[0]
    L = pre.shape[1] - 1
    lat = np.full((L + 1, K), INF)
    per = np.full((L + 1, K), INF)
    par_i = np.full((L + 1, K), -1, dtype=np.int32)
    par_k = np.full((L + 1, K), -1, dtype=np.int32)
    for m in range(K):
        for j in range(1, L + 1):
            comp = pre[m, j]
            if comp > plim:
                break
            if fit[m, 0, j] and comp < lat[j, m] - eps:
                lat[j, m] = comp
                per[j, m] = comp
                par_i[j, m] = 0
                par_k[j, m] = -1
    for i in range(1, L):
        for k in range(K):
            cur = lat[i, k]
            if cur >= INF:
                continue
            cper = per[i, k]
            for m in range(k + 1, K):
                lk = link[k, m, i]
                if lk > plim:
                    continue
                base = cur + lk
                bp = max(cper, lk)
                for j in range(i + 1, L + 1):
                    comp = pre[m, j] - pre[m, i]
                    if comp > plim:
                        break
                    if not fit[m, i, j]:
                        continue
                    nl = base + comp
                    npr = max(bp, comp)
                    old = lat[j, m]
                    if nl < old - eps or (nl <= old + eps and npr < per[j, m]):
                        lat[j, m] = nl
                        per[j, m] = npr
                        par_i[j, m] = i
                        par_k[j, m] = k
    best = INF
    bper = INF
    bk = -1
    for k in range(K):
        v = lat[L, k]
        if v >= INF:
            continue
        if v < best - eps or (v <= best + eps and per[L, k] < bper):
            best = v
            bper = per[L, k]
            bk = k
    if bk < 0:
        return best, bper, np.zeros((0, 3), dtype=np.int64)
    rev = np.zeros((L, 3), dtype=np.int64)
    n = 0
    j = L
    k = bk
    while j > 0:
        i = par_i[j, k]
        rev[n, 0] = i
        rev[n, 1] = j
        rev[n, 2] = k
        n += 1
        nk = par_k[j, k]
        j = i
        k = nk
    stages = np.zeros((n, 3), dtype=np.int64)
    for q in range(n):
        stages[q] = rev[n - 1 - q]
    return best, bper, stages


@njit
def decode(x: np.ndarray, D: int, L: int) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
    """Random keys -> plan: ``x[:D]`` orders the devices (ascending key first), ``x[D:]``
    (``L-1`` values) cut after layer ``b`` when ``x[D+b-1] > 0.5``, keeping the ``D-1``
    largest. Returns (bounds, devices): stage ``s`` runs ``(bounds[s], bounds[s+1]]``."""
    order = np.argsort(x[:D])
    cv = x[D:]
    idx = np.argsort(-cv)
    ncut = 0
    chosen = np.zeros(L, dtype=np.bool_)
    for q in range(L - 1):
        b = idx[q]
        if cv[b] <= 0.5 or ncut >= D - 1:
            break
        chosen[b + 1] = True
        ncut += 1
    bounds = np.zeros(ncut + 2, dtype=np.int64)
    n = 1
    for b in range(1, L):
        if chosen[b]:
            bounds[n] = b
            n += 1
    bounds[n] = L
    return bounds, order[: ncut + 1]


@njit
def eval_pop(  # pragma: no cover - numba
    X: np.ndarray,
    pre: np.ndarray,
    fit: np.ndarray,
    link: np.ndarray,
    need: np.ndarray,
    cap: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Latency, period and memory violation (sum of relative excesses) of each row of
    ``X`` decoded by :func:`decode`; ``need[i, j]`` is the MiB of stage ``(i, j]``."""
    n = X.shape[0]
    D = pre.shape[0]
    L = pre.shape[1] - 1
    F = np.zeros((n, 2))
    G = np.zeros(n)
    for r in range(n):
        bounds, devs = decode(X[r], D, L)
        lat = 0.0
        per = 0.0
        viol = 0.0
        for s in range(devs.shape[0]):
            i = bounds[s]
            j = bounds[s + 1]
            d = devs[s]
            if s > 0:
                lk = link[devs[s - 1], d, i]
                lat += lk
                per = max(per, lk)
            comp = pre[d, j] - pre[d, i]
            lat += comp
            per = max(per, comp)
            if not fit[d, i, j]:
                viol += max(need[i, j] - cap[d], 1e-9) / max(cap[d], 1e-9)
        F[r, 0] = lat
        F[r, 1] = per
        G[r] = viol
    return F, G
