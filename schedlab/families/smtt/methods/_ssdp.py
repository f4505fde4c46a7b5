"""Exact solver for 1||sum w_j T_j by successive sublimation dynamic programming (SSDP).

Algorithm (after Tanaka, Fujikuma & Araki, J. Scheduling 12 (2009) 575-593), written from the
published description:

* Time-indexed network: node (t, j) means "job j completes at time t", machine never idle,
  horizon T = sum p.  A path 0 -> T is a "sequence" in which jobs may repeat or be missing.
* Stage 1: Lagrangian relaxation of "every job exactly once" (multipliers mu), with successor
  prohibition (no job directly after itself).  Solved in O(nT) with best/second-best labels,
  multipliers by subgradient optimisation.  Forward+backward labels eliminate every node whose
  best path cost exceeds UB - 1.
* Stage 2: adjacent-pair interchange dominance (i then j finishing at t is forbidden when
  j then i is cheaper, or equal and i ranks after j) and no repetition within three
  successive jobs (i, j, i): every node keeps its best label and the best one whose
  neighbouring job differs, so "best path avoiding job x" costs O(1).  The first forward and
  backward passes run on the implicit network (arcs checked on the fly, never stored), and
  only nodes and arcs surviving that bound are built; then subgradient rounds, each followed
  by node/arc elimination by bound and (rounds 0, 1, 2, 4, ...) a Lagrangian heuristic on the
  relaxed path.
* Stage 3: successive sublimation.  A set M of jobs is memorised in the state (bit mask of the
  jobs of M already processed), enforcing "exactly once" for them; states carry the same
  best / second-best labels as stage 2.  Jobs that the best relaxed path repeats or misses
  are added to M a few at a time; each forward pass uses the previous stage's backward
  labels as bounds, each backward pass eliminates states by UB, a few subgradient steps
  follow.  When the best relaxed path is feasible it is optimal.  A state is one uint64, but
  M is not limited to 64 jobs: a memorised job can only complete within its window [e, l]
  (of the nodes left when it joined M), so it is surely not done before e and surely done
  from l on, and its bit is stored only on [e, l - 1]; jobs whose such intervals do not meet
  share a bit position (:func:`_node_codes` gives the transition of every node).  Only when
  no position is free, or a stage exceeds MAX_STATES, does the run stop short of a proof,
  with the reason in ``info["memory"]``.

* Dominance used throughout: a job i precedes j whenever p_i <= p_j, w_i >= w_j, d_i <= d_j
  (ties broken by one fixed rank, due date first, that the adjacent-pair rule also uses, so
  some optimal schedule satisfies every rule at once).  It gives completion-time windows
  (node elimination) and, in stage 3, forbids states where a memorised job is out of order.
  Ranking by due date first matters: two adjacent on-time jobs whose swap keeps both on time
  cost the same either way, so the rank orders them, and runs of on-time jobs are then in
  EDD order -- no job can repeat inside such a run.  (A processing-time-first rank left
  the zero-cost early part of many wt100 instances fully degenerate for the relaxation.)

Results are deterministic when no time limit is hit (the upper bound comes from an
iteration-budgeted, fixed-seed dynasearch).  A work budget counts DP labels (one per node of
the time-indexed network or state of a sublimation stage a pass labels, see
:func:`exact_solve`); it is checked where the deadline is, so that a run stopped by it is
the same on any machine.  Deadlines are absolute ``time.perf_counter()``
values, :data:`~schedlab.engines.jit.NO_DEADLINE` (``math.inf``) for none; ``INF`` below is
the kernels' infinite cost (labels), not a deadline.

Upper bound: EDD/WMDD + dynasearch descent, then a short deterministic iterated dynasearch;
a few more iterations only when stage 2 stalls (the gap may be the upper bound's).

Unweighted instances (all w = 1) are handed to :mod:`._bam` (Lawler's decomposition with
memorisation) first; SSDP runs only if that times out.  Every phase checks the deadline
(the heuristic upper bound included: at most half of the remaining time).

Measured (benchmarks/smtt_scale_probe.py): OR-Library wt40 and wt100 all proven, wt100 median
about 0.5 s of CPU; generated weighted n = 200 side by side with SiPS: ``python
benchmarks/smtt.py --sips gen200``.  Known limits: for unweighted n = 500, SSDP itself is out of reach
(stage-1 bound too weak, the time-indexed network too large).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ....engines.jit import NO_DEADLINE, njit, now
from ._bam import bam_solve
from ._ils import descent, ils_iterations, wmdd
from ._kernels import total_tardiness

__all__ = ["exact_solve"]

INF = 1e300  # an infinite label cost
#: Bytes the stage-2 network takes an arc at its peak (its arrays, their reductions and
#: successor lists: 2.4 GB at 94 million arcs, n = 300).
BYTES_PER_ARC = 26
#: Share of the machine's memory the stage-2 network may take.
ARC_MEMORY_SHARE = 0.25


def _arc_limit() -> int:
    """Arcs of the stage-2 network allowed: :data:`ARC_MEMORY_SHARE` of the physical memory
    at :data:`BYTES_PER_ARC` each, at least 80 million (2 GB), at most a billion."""
    try:
        phys = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not a POSIX system: the floor
        phys = 0
    return int(min(1_000_000_000, max(80_000_000, ARC_MEMORY_SHARE * phys / BYTES_PER_ARC)))


MAX_ARCS = _arc_limit()  # arcs of the stage-2 network
MAX_STATES = 40_000_000  # states of one sublimation stage
#: Bit positions of a sublimation state (a uint64); memorised jobs whose windows do not
#: overlap share one, so M itself may grow beyond it (see :func:`_node_codes`).
STATE_BITS = 64
SG_ITERS = 10  # subgradient steps after each sublimation stage
S1_ITERS = 150  # stage-1 subgradient iterations
S1_GAP = 0.04  # relative gap above which stage 1 gets more rounds of S1_ITERS iterations
S1_MORE_ROUNDS = 20  # at most that many
#: Seconds a time-indexed label takes in a stage-1 pass (an order of magnitude, on the safe
#: side for a loaded machine), to tell whether one pass fits in the time left.
SECONDS_PER_LABEL = 2e-9
S2_ITERS = 25  # stage-2 subgradient iterations per reduction round
ILS_B_ITERS = 40  # more dynasearch iterations when stage 2 stalls (at most)
#: A stage-2 network of more arcs marks a hard instance: its upper bound gets more
#: dynasearch kicks at once, in rounds of :data:`HARD_KICK_ROUND` until
#: :data:`HARD_IDLE_ROUNDS` in a row leave it as it was, at most :data:`HARD_KICKS` and
#: :data:`HARD_KICK_SHARE` of the time left (a better bound prunes stage 2 and the
#: sublimation states: n = 300, TF 0.8, RDD 1.0 proved in 141 s from the optimum, 534 s
#: from the heuristic's bound 0.03 % above it). At 10 million arcs the kicks made the
#: median of 25 instances of n = 200 slower (8.4 s -> 9.0 s).
HARD_ARCS = 50_000_000
HARD_KICK_ROUND = 50
HARD_KICKS = 800
HARD_IDLE_ROUNDS = 2
HARD_KICK_SHARE = 0.1


@njit
def _over(wk: np.ndarray, extra: int) -> bool:  # pragma: no cover - compiled
    """True when a work limit is set (``wk[1]`` >= 0) and the labels used (``wk[0]``) plus
    ``extra`` labels of the pass under way reach it."""
    return wk[1] >= 0 and wk[0] + extra >= wk[1]


# ----------------------------------------------------------------------------------------
# Stage 1: LR with successor prohibition, O(nT)
# ----------------------------------------------------------------------------------------


@njit
def _lr1_forward(
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    mu: np.ndarray,
    T: int,
    H1: np.ndarray,
    A1: np.ndarray,
    H2: np.ndarray,
    A2: np.ndarray,
    tmin: np.ndarray,
    tmax: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Forward labels: H1[t] best cost of a path ending at t (last job A1[t]); H2[t] best
    with a last job different from A1[t]."""
    n = p.shape[0]
    H1[0] = 0.0
    A1[0] = -1
    H2[0] = INF
    A2[0] = -1
    for t in range(1, T + 1):
        b1 = INF
        a1 = -1
        b2 = INF
        a2 = -1
        for j in range(n):
            if t < tmin[j] or t > tmax[j]:
                continue
            s = t - p[j]
            prev = H1[s] if A1[s] != j else H2[s]
            if prev >= INF:
                continue
            x = t - d[j]
            c = w[j] * x if x > 0 else 0
            v = prev + c - mu[j]
            if v < b2:
                if v < b1:
                    b2 = b1
                    a2 = a1
                    b1 = v
                    a1 = j
                else:
                    b2 = v
                    a2 = j
        H1[t] = b1
        A1[t] = a1
        H2[t] = b2
        A2[t] = a2


@njit
def _lr1_backward(
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    mu: np.ndarray,
    T: int,
    G1: np.ndarray,
    AG1: np.ndarray,
    G2: np.ndarray,
    tmin: np.ndarray,
    tmax: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Backward labels: G1[s] best cost of a path from s to T (first job AG1[s])."""
    n = p.shape[0]
    G1[T] = 0.0
    AG1[T] = -1
    G2[T] = INF
    for s in range(T - 1, -1, -1):
        b1 = INF
        a1 = -1
        b2 = INF
        for k in range(n):
            t = s + p[k]
            if t < tmin[k] or t > tmax[k]:
                continue
            nxt = G1[t] if AG1[t] != k else G2[t]
            if nxt >= INF:
                continue
            x = t - d[k]
            c = w[k] * x if x > 0 else 0
            v = nxt + c - mu[k]
            if v < b2:
                if v < b1:
                    b2 = b1
                    b1 = v
                    a1 = k
                else:
                    b2 = v
        G1[s] = b1
        AG1[s] = a1
        G2[s] = b2


@njit
def _lr1_path_counts(
    p: np.ndarray,
    T: int,
    A1: np.ndarray,
    A2: np.ndarray,
    counts: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Backtrack the optimal LR1 path; fills counts[j] = occurrences of j."""
    n = p.shape[0]
    for j in range(n):
        counts[j] = 0
    t = T
    j = A1[T]
    while t > 0 and j >= 0:
        counts[j] += 1
        t -= p[j]
        j = A1[t] if A1[t] != j else A2[t]


@njit
def _subgradient_lr1(
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    mu: np.ndarray,
    T: int,
    ub: float,
    max_iter: int,
    lam0: float,
    tmin: np.ndarray,
    tmax: np.ndarray,
    deadline: float,
    wk: np.ndarray,
) -> float:  # pragma: no cover - compiled
    """Subgradient optimisation of the stage-1 bound; mu is updated in place with the best
    multipliers found.  Returns the best bound.  Each iteration's forward pass counts
    n (T + 1) labels in ``wk[0]``; it stops before an iteration once ``wk`` is used up."""
    n = p.shape[0]
    H1 = np.empty(T + 1)
    A1 = np.empty(T + 1, np.int64)
    H2 = np.empty(T + 1)
    A2 = np.empty(T + 1, np.int64)
    counts = np.zeros(n, np.int64)
    best_mu = mu.copy()
    best = -INF
    lam = lam0
    no_imp = 0
    for it in range(max_iter):
        if now() > deadline or _over(wk, 0):
            break
        _lr1_forward(p, d, w, mu, T, H1, A1, H2, A2, tmin, tmax)
        wk[0] += n * (T + 1)
        smu = 0.0
        for j in range(n):
            smu += mu[j]
        L = H1[T] + smu
        if best + 1e-9 < L:
            no_imp = 0
            best = L
            best_mu[:] = mu
        else:
            no_imp += 1
        if best > ub - 1.0 + 1e-6:
            break
        if no_imp >= 10:
            lam *= 0.5
            no_imp = 0
            if lam < 1e-4:
                break
        _lr1_path_counts(p, T, A1, A2, counts)
        nrm = 0.0
        for j in range(n):
            g = 1 - counts[j]
            nrm += g * g
        if nrm == 0:
            break
        step = lam * (ub - L) / nrm
        for j in range(n):
            mu[j] += step * (1 - counts[j])
        _ = it
    mu[:] = best_mu
    return best


# ----------------------------------------------------------------------------------------
# Network construction after stage 1 elimination
# ----------------------------------------------------------------------------------------


@njit
def _dominated(
    i: int,
    j: int,
    t: int,
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    rank: np.ndarray,
) -> bool:  # pragma: no cover - compiled
    """True if i immediately followed by j (j completing at t) is forbidden by the
    adjacent interchange rule (strictly worse, or equal with i > j)."""
    s = t - p[j] - p[i]
    ci = s + p[i] - d[i]
    cj = t - d[j]
    a = (w[i] * ci if ci > 0 else 0) + (w[j] * cj if cj > 0 else 0)
    cj2 = s + p[j] - d[j]
    ci2 = t - d[i]
    b = (w[j] * cj2 if cj2 > 0 else 0) + (w[i] * ci2 if ci2 > 0 else 0)
    if b < a:
        return True
    return bool(b == a and rank[i] > rank[j])


@njit
def _implicit_network(
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    mu: np.ndarray,
    T: int,
    thr: float,
    H1: np.ndarray,
    A1: np.ndarray,
    H2: np.ndarray,
    G1: np.ndarray,
    AG1: np.ndarray,
    G2: np.ndarray,
    tmin: np.ndarray,
    tmax: np.ndarray,
    rank: np.ndarray,
    prec: np.ndarray,
    deadline: float,
    max_arcs: int,
    wk: np.ndarray,
) -> tuple[Any, ...]:  # pragma: no cover - compiled
    """Stage-2 labels (adjacency dominance, no repetition within three successive jobs)
    computed on the implicit network of the nodes and arcs that survive the stage-1 bound,
    then the explicit network of what also survives the stage-2 bound.

    Returns (node_t, node_j, node_c, pr_off, pr_node, bound, ok); bound is the stage-2
    relaxation value without the multiplier sum.  Arcs are never stored before the stage-2
    elimination, which keeps memory at O(nT).  Counts n T labels for the node filter and nn
    (the surviving nodes) for each later pass in ``wk[0]``, and fails (``ok`` False) when
    ``wk`` is used up during a pass."""
    n = p.shape[0]
    nid = np.full((T + 1) * n, -1, np.int64)
    cnt = 1
    for t in range(1, T + 1):
        for j in range(n):
            if t < tmin[j] or t > tmax[j]:
                continue
            s = t - p[j]
            prev = H1[s] if A1[s] != j else H2[s]
            if prev >= INF:
                continue
            nxt = G1[t] if AG1[t] != j else G2[t]
            if nxt >= INF:
                continue
            x = t - d[j]
            c = (w[j] * x if x > 0 else 0) - mu[j]
            if prev + c + nxt <= thr:
                nid[t * n + j] = cnt
                cnt += 1
    nn = cnt
    wk[0] += n * T
    node_t = np.empty(nn, np.int64)
    node_j = np.empty(nn, np.int64)
    node_c = np.empty(nn)
    f1s = np.empty(nn)  # stage-1 best path value to the node (inclusive)
    g1s = np.empty(nn)  # stage-1 best path value from the node (exclusive)
    node_t[0] = 0
    node_j[0] = -1
    node_c[0] = 0.0
    f1s[0] = 0.0
    g1s[0] = G1[0]
    for t in range(1, T + 1):
        for j in range(n):
            k = nid[t * n + j]
            if k > 0:
                node_t[k] = t
                node_j[k] = j
                x = t - d[j]
                c = (w[j] * x if x > 0 else 0) - mu[j]
                node_c[k] = c
                s = t - p[j]
                f1s[k] = (H1[s] if A1[s] != j else H2[s]) + c
                g1s[k] = G1[t] if AG1[t] != j else G2[t]
    e_t = np.empty(0, np.int64)
    F1 = np.empty(nn)
    P1 = np.empty(nn, np.int64)
    F2 = np.empty(nn)
    B1 = np.empty(nn)
    S1 = np.empty(nn, np.int64)
    B2 = np.empty(nn)
    # forward labels
    F1[0] = 0.0
    P1[0] = -1
    F2[0] = INF
    for k in range(1, nn):
        if (k & 1023) == 0 and (now() > deadline or _over(wk, k)):
            wk[0] += k
            return node_t, node_j, node_c, np.zeros(1, np.int64), e_t, -INF, False
        t = node_t[k]
        j = node_j[k]
        s = t - p[j]
        c = node_c[k]
        if s == 0:
            F1[k] = c
            P1[k] = -1
            F2[k] = INF
            continue
        base = c + g1s[k]
        b1 = INF
        a1 = -1
        b2 = INF
        for i in range(n):
            if i == j:
                continue
            q = nid[s * n + i]
            if q <= 0:
                continue
            if f1s[q] + base > thr:
                continue
            v = F1[q] if P1[q] != j else F2[q]
            if v >= b2:
                continue
            if prec[j, i] or _dominated(i, j, t, p, d, w, rank):
                continue
            if v < b1:
                b2 = b1
                b1 = v
                a1 = i
            else:
                b2 = v
        F1[k] = b1 + c if b1 < INF else INF
        F2[k] = b2 + c if b2 < INF else INF
        P1[k] = a1
    wk[0] += nn
    # backward labels
    for q in range(nn - 1, -1, -1):
        if (q & 1023) == 0 and (now() > deadline or _over(wk, nn - q)):
            wk[0] += nn - q
            return node_t, node_j, node_c, np.zeros(1, np.int64), e_t, -INF, False
        s = node_t[q]
        i = node_j[q]
        if s == T:
            B1[q] = 0.0
            S1[q] = -1
            B2[q] = INF
            continue
        b1 = INF
        s1 = -1
        b2 = INF
        for j in range(n):
            if j == i:
                continue
            t = s + p[j]
            if t > T:
                continue
            k = nid[t * n + j]
            if k <= 0:
                continue
            if q > 0 and f1s[q] + node_c[k] + g1s[k] > thr:
                continue
            v = B1[k] if (i < 0 or S1[k] != i) else B2[k]
            if v >= INF:
                continue
            v += node_c[k]
            if v >= b2:
                continue
            if q > 0 and (prec[j, i] or _dominated(i, j, t, p, d, w, rank)):
                continue
            if v < b1:
                b2 = b1
                b1 = v
                s1 = j
            else:
                b2 = v
        B1[q] = b1
        S1[q] = s1
        B2[q] = b2
    wk[0] += nn
    bound = B1[0]
    # explicit network of the survivors
    newid = np.full(nn, -1, np.int64)
    cnt = 0
    for k in range(nn):
        if k == 0 or _through(F1[k], P1[k], F2[k], B1[k], S1[k], B2[k]) <= thr:
            newid[k] = cnt
            cnt += 1
    r_t = np.empty(cnt, np.int64)
    r_j = np.empty(cnt, np.int64)
    r_c = np.empty(cnt)
    off = np.zeros(cnt + 1, np.int64)
    pn = np.empty(0, np.int64)
    ne = 0
    for pas in range(2):
        if pas == 1 and ne > max_arcs:
            return r_t, r_j, r_c, off, pn, bound, False
        pn = np.empty(ne, np.int64)
        ne = 0
        for k in range(nn):
            m = newid[k]
            if m < 0:
                continue
            if (k & 1023) == 0 and (now() > deadline or _over(wk, k)):
                wk[0] += k
                return r_t, r_j, r_c, off, pn, bound, False
            t = node_t[k]
            j = node_j[k]
            c = node_c[k]
            if pas == 0:
                r_t[m] = t
                r_j[m] = j
                r_c[m] = c
            if k > 0:
                s = t - p[j]
                if s == 0:
                    if F1[0] + c + B1[k] <= thr:
                        if pas == 1:
                            pn[ne] = 0
                        ne += 1
                else:
                    base = c + g1s[k]
                    for i in range(n):
                        if i == j:
                            continue
                        q = nid[s * n + i]
                        if q <= 0 or newid[q] < 0:
                            continue
                        if f1s[q] + base > thr:
                            continue
                        fv = F1[q] if P1[q] != j else F2[q]
                        bv = B1[k] if S1[k] != i else B2[k]
                        if fv + c + bv > thr:
                            continue
                        if prec[j, i] or _dominated(i, j, t, p, d, w, rank):
                            continue
                        if pas == 1:
                            pn[ne] = newid[q]
                        ne += 1
            if pas == 0:
                off[m + 1] = ne
        wk[0] += nn
    return r_t, r_j, r_c, off, pn, bound, True


@njit
def _succ_from_pred(
    nn: int,
    pr_off: np.ndarray,
    pr_node: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    sc_off = np.zeros(nn + 1, np.int64)
    for k in range(nn):
        for e in range(pr_off[k], pr_off[k + 1]):
            sc_off[pr_node[e] + 1] += 1
    for k in range(nn):
        sc_off[k + 1] += sc_off[k]
    sc_node = np.empty(sc_off[nn], np.int64)
    fill = sc_off[:-1].copy()
    for k in range(nn):
        for e in range(pr_off[k], pr_off[k + 1]):
            q = pr_node[e]
            sc_node[fill[q]] = k
            fill[q] += 1
    return sc_off, sc_node


# ----------------------------------------------------------------------------------------
# Stage 2: adjacency-constrained relaxation on the reduced network.  Repetitions within
# three successive jobs (i, j, i) are prohibited as well: every node keeps its best label
# and the best label whose neighbouring job (predecessor in forward labels, successor in
# backward labels) differs from the best one's, so "best path avoiding job x" is O(1).
# ----------------------------------------------------------------------------------------


@njit
def _net_forward(
    nn: int,
    node_j: np.ndarray,
    node_c: np.ndarray,
    pr_off: np.ndarray,
    pr_node: np.ndarray,
    F1: np.ndarray,
    P1: np.ndarray,
    F2: np.ndarray,
    A1: np.ndarray,
    A2: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Forward labels: F1[k] best path cost to node k (its last-but-one job P1[k], via pred
    node A1[k]); F2[k] best whose last-but-one job differs from P1[k] (via A2[k])."""
    F1[0] = 0.0
    P1[0] = -1
    F2[0] = INF
    A1[0] = -1
    A2[0] = -1
    for k in range(1, nn):
        j = node_j[k]
        b1 = INF
        a1 = -1
        b2 = INF
        a2 = -1
        for e in range(pr_off[k], pr_off[k + 1]):
            q = pr_node[e]
            v = F1[q] if P1[q] != j else F2[q]
            if v < b2:
                if v < b1:
                    b2 = b1
                    a2 = a1
                    b1 = v
                    a1 = q
                else:
                    b2 = v
                    a2 = q
        c = node_c[k]
        F1[k] = b1 + c if b1 < INF else INF
        F2[k] = b2 + c if b2 < INF else INF
        A1[k] = a1
        A2[k] = a2
        P1[k] = node_j[a1] if a1 >= 0 else -1


@njit
def _net_backward(
    nn: int,
    node_t: np.ndarray,
    node_j: np.ndarray,
    node_c: np.ndarray,
    sc_off: np.ndarray,
    sc_node: np.ndarray,
    T: int,
    B1: np.ndarray,
    S1: np.ndarray,
    B2: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Backward labels: B1[k] best cost from node k to the end (first job after k is S1[k]);
    B2[k] best whose next job differs from S1[k]."""
    for k in range(nn - 1, -1, -1):
        if node_t[k] == T:
            B1[k] = 0.0
            S1[k] = -1
            B2[k] = INF
            continue
        j = node_j[k]
        b1 = INF
        s1 = -1
        b2 = INF
        for e in range(sc_off[k], sc_off[k + 1]):
            r = sc_node[e]
            v = B1[r] if (j < 0 or S1[r] != j) else B2[r]
            if v >= INF:
                continue
            v += node_c[r]
            if v < b2:
                if v < b1:
                    b2 = b1
                    b1 = v
                    s1 = node_j[r]
                else:
                    b2 = v
        B1[k] = b1
        S1[k] = s1
        B2[k] = b2


@njit
def _through(
    F1: float,
    P1: int,
    F2: float,
    B1: float,
    S1: int,
    B2: float,
) -> float:  # pragma: no cover - compiled
    """Best complete path through a node (or state) from its forward and backward labels:
    the job before it and the job after it must differ."""
    if P1 < 0 or P1 != S1:
        return F1 + B1
    a = F1 + B2
    b = F2 + B1
    return a if a < b else b


@njit
def _net_recost(
    nn: int,
    node_t: np.ndarray,
    node_j: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    mu: np.ndarray,
    node_c: np.ndarray,
) -> None:  # pragma: no cover - compiled
    for k in range(1, nn):
        j = node_j[k]
        x = node_t[k] - d[j]
        node_c[k] = (w[j] * x if x > 0 else 0) - mu[j]


@njit
def _net_best_end(
    nn: int,
    node_t: np.ndarray,
    F: np.ndarray,
    T: int,
) -> tuple[int, float]:  # pragma: no cover - compiled
    b = INF
    a = -1
    for k in range(nn):
        if node_t[k] == T and F[k] < b:
            b = F[k]
            a = k
    return a, b


@njit
def _subgradient_net(
    nn: int,
    node_t: np.ndarray,
    node_j: np.ndarray,
    node_c: np.ndarray,
    pr_off: np.ndarray,
    pr_node: np.ndarray,
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    mu: np.ndarray,
    T: int,
    ub: float,
    iters: int,
    lam0: float,
    deadline: float,
    wk: np.ndarray,
) -> float:  # pragma: no cover - compiled
    """A few subgradient steps on the stage-2 relaxation over the reduced network (nn labels
    a step in ``wk[0]``; it stops before a step once ``wk`` is used up)."""
    n = p.shape[0]
    F1 = np.empty(nn)
    P1 = np.empty(nn, np.int64)
    F2 = np.empty(nn)
    A1 = np.empty(nn, np.int64)
    A2 = np.empty(nn, np.int64)
    counts = np.zeros(n, np.int64)
    best = -INF
    best_mu = mu.copy()
    lam = lam0
    no_imp = 0
    for _ in range(iters):
        if now() > deadline or _over(wk, 0):
            break
        _net_recost(nn, node_t, node_j, d, w, mu, node_c)
        _net_forward(nn, node_j, node_c, pr_off, pr_node, F1, P1, F2, A1, A2)
        wk[0] += nn
        a, v = _net_best_end(nn, node_t, F1, T)
        if a < 0:
            best = INF
            break
        smu = mu.sum()
        L = v + smu
        if best + 1e-9 < L:
            best = L
            best_mu[:] = mu
            no_imp = 0
        else:
            no_imp += 1
        if best > ub - 1.0 + 1e-6:
            break
        if no_imp >= 5:
            lam *= 0.5
            no_imp = 0
        for j in range(n):
            counts[j] = 0
        k = a
        forb = -1
        while k > 0:
            j = node_j[k]
            counts[j] += 1
            q = A1[k] if (forb < 0 or P1[k] != forb) else A2[k]
            forb = j
            k = q
        nrm = 0.0
        for j in range(n):
            g = 1 - counts[j]
            nrm += g * g
        if nrm == 0:
            break
        step = lam * (ub - L) / nrm
        for j in range(n):
            mu[j] += step * (1 - counts[j])
    mu[:] = best_mu
    _net_recost(nn, node_t, node_j, d, w, mu, node_c)
    return best


@njit
def _net_reduce(
    nn: int,
    node_t: np.ndarray,
    node_j: np.ndarray,
    node_c: np.ndarray,
    pr_off: np.ndarray,
    pr_node: np.ndarray,
    F1: np.ndarray,
    P1: np.ndarray,
    F2: np.ndarray,
    B1: np.ndarray,
    S1: np.ndarray,
    B2: np.ndarray,
    thr: float,
) -> tuple[Any, ...]:  # pragma: no cover - compiled
    """Remove nodes and arcs whose best path through them costs more than thr; renumber."""
    newid = np.full(nn, -1, np.int64)
    cnt = 0
    for k in range(nn):
        if k == 0 or _through(F1[k], P1[k], F2[k], B1[k], S1[k], B2[k]) <= thr:
            newid[k] = cnt
            cnt += 1
    n_t = np.empty(cnt, np.int64)
    n_j = np.empty(cnt, np.int64)
    n_c = np.empty(cnt)
    off = np.zeros(cnt + 1, np.int64)
    ne = 0
    for pas in range(2):
        pn = np.empty(ne, np.int64)
        ne = 0
        for k in range(nn):
            m = newid[k]
            if m < 0:
                continue
            j = node_j[k]
            if pas == 0:
                n_t[m] = node_t[k]
                n_j[m] = j
                n_c[m] = node_c[k]
            for e in range(pr_off[k], pr_off[k + 1]):
                q = pr_node[e]
                if newid[q] < 0:
                    continue
                i = node_j[q]
                fv = F1[q] if P1[q] != j else F2[q]
                bv = B1[k] if (i < 0 or S1[k] != i) else B2[k]
                if fv + node_c[k] + bv <= thr:
                    if pas == 1:
                        pn[ne] = newid[q]
                    ne += 1
            if pas == 0:
                off[m + 1] = ne
    return n_t, n_j, n_c, off, pn


# ----------------------------------------------------------------------------------------
# Stage 3: successive sublimation with memorised job subsets (states = (node, mask)), with
# the same best / second-best labels per state as stage 2.
# ----------------------------------------------------------------------------------------


@njit
def _bsearch(arr: np.ndarray, lo: int, hi: int, key: Any) -> int:  # pragma: no cover - compiled
    while lo < hi:
        mid = (lo + hi) >> 1
        v = arr[mid]
        if v < key:
            lo = mid + 1
        elif v > key:
            hi = mid
        else:
            return mid
    return -1


@njit
def _grow_u(a: np.ndarray, need: int) -> np.ndarray:  # pragma: no cover - compiled
    if need <= a.shape[0]:
        return a
    b = np.empty(max(need, 2 * a.shape[0]), a.dtype)
    b[: a.shape[0]] = a
    return b


#: All bits set: a node's ``need`` and ``forb`` codes both full mark it unreachable.
FULL = np.uint64(0xFFFFFFFFFFFFFFFF)


@njit
def _node_codes(
    nn: int,
    node_t: np.ndarray,
    node_j: np.ndarray,
    p: np.ndarray,
    mj: np.ndarray,
    me: np.ndarray,
    ml: np.ndarray,
    mpos: np.ndarray,
    n_old: int,
    prec: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """How a sublimation state changes along an arc into each node.

    The memorised jobs ``mj`` (window ``[me, ml]`` of their possible completion times when
    they joined M) share 64 bit positions over time: job x is done at any time before
    ``me[x]`` never, from ``ml[x]`` on always, so its bit ``mpos[x]`` (-1: none needed, the
    window is one point) is only stored for times in ``[me[x], ml[x] - 1]``, and jobs whose
    such intervals do not meet may use the same position.  For node k = (t, r), entered from
    time tq = t - p_r, the state m of the predecessor must satisfy ``m & forb == 0`` and
    ``need & ~m == 0`` and becomes ``(m & keep) | out``; ``oact`` are the positions of the
    first ``n_old`` jobs (the previous stage's) at t.  Returns (codes[nn, 5]: keep, out,
    need, forb, oact; pmk[nn]: p_r when r is memorised, else 0)."""
    codes = np.zeros((nn, 5), np.uint64)
    pmk = np.zeros(nn, np.int64)
    zero = np.uint64(0)
    one = np.uint64(1)
    for k in range(1, nn):
        t = node_t[k]
        r = node_j[k]
        tq = t - p[r]
        keep = zero
        out = zero
        need = zero
        forb = zero
        oact = zero
        ok = True
        for x in range(mj.shape[0]):
            j = mj[x]
            e = me[x]
            lt = ml[x]
            bpos = mpos[x]
            bit = (one << np.uint64(bpos)) if bpos >= 0 else zero
            a_tq = bpos >= 0 and e <= tq and tq < lt
            a_t = bpos >= 0 and e <= t and t < lt
            if x < n_old and a_t:
                oact |= bit
            if j == r:
                pmk[k] = p[r]
                if a_tq:
                    forb |= bit
                if a_t:
                    out |= bit
                continue
            if a_tq and a_t:
                keep |= bit
            elif a_tq:
                need |= bit  # its interval ends: done by tq
            elif tq < e and lt <= t:
                ok = False  # it would have to complete strictly between tq and t
                break
            if prec[j, r]:  # j before r: done by tq
                if a_tq:
                    need |= bit
                elif tq < e:
                    ok = False
                    break
            if prec[r, j]:  # j after r: not done by tq
                if a_tq:
                    forb |= bit
                elif tq >= lt:
                    ok = False
                    break
        if not ok:
            need = FULL
            forb = FULL
        codes[k, 0] = keep
        codes[k, 1] = out
        codes[k, 2] = need
        codes[k, 3] = forb
        codes[k, 4] = oact
    return codes, pmk


@njit
def _ss_forward(
    nn: int,
    node_t: np.ndarray,
    node_j: np.ndarray,
    node_c: np.ndarray,
    pr_off: np.ndarray,
    pr_node: np.ndarray,
    p: np.ndarray,
    T: int,
    codes: np.ndarray,
    pmk: np.ndarray,
    sumPM: int,
    thr: float,
    o_off: np.ndarray,
    o_mask: np.ndarray,
    o_B1: np.ndarray,
    o_S1: np.ndarray,
    o_B2: np.ndarray,
    max_states: int,
    deadline: float,
    wk: np.ndarray,
) -> tuple[Any, ...]:  # pragma: no cover - compiled
    """Forward pass of one sublimation stage (state transitions: ``codes``, ``pmk`` of
    :func:`_node_codes`).  States of the previous stage (o_*) give the backward bounds.  Counts the states it
    creates in ``wk[0]`` (failing when ``wk`` is used up).
    Returns (off, mask, F1, P1, F2, ps, ok)."""
    cap = max(1024, 2 * o_mask.shape[0])
    mask = np.empty(cap, np.uint64)
    F1 = np.empty(cap)
    P1 = np.empty(cap, np.int32)
    F2 = np.empty(cap)
    ps = np.empty(cap, np.int32)
    off = np.zeros(nn + 1, np.int64)
    mask[0] = 0
    F1[0] = 0.0
    P1[0] = -1
    F2[0] = INF
    ps[0] = 0
    off[1] = 1
    ns = 1
    ccap = 1024
    cm = np.empty(ccap, np.uint64)
    cf = np.empty(ccap)
    cp = np.empty(ccap, np.int32)
    ci = np.empty(ccap, np.int32)
    zero = np.uint64(0)
    for k in range(1, nn):
        if (k & 255) == 0 and (now() > deadline or _over(wk, ns)):
            wk[0] += ns
            return off, mask[:ns], F1[:ns], P1[:ns], F2[:ns], ps[:ns], False
        t = node_t[k]
        j = node_j[k]
        kk = codes[k, 0]
        ko = codes[k, 1]
        kn = codes[k, 2]
        kf = codes[k, 3]
        oa = codes[k, 4]
        pj = pmk[k]
        ck = node_c[k]
        olo = o_off[k]
        ohi = o_off[k + 1]
        nc = 0
        if ohi > olo and not (kn == FULL and kf == FULL):
            for e in range(pr_off[k], pr_off[k + 1]):
                q = pr_node[e]
                i = node_j[q]
                for s in range(off[q], off[q + 1]):
                    m = mask[s]
                    if (m & kf) != zero or (kn & ~m) != zero:
                        continue
                    nm = (m & kk) | ko
                    nps = ps[s] + pj
                    if T - t < sumPM - nps:
                        continue
                    fv = F1[s] if P1[s] != j else F2[s]
                    if fv >= INF:
                        continue
                    v = fv + ck
                    idx = _bsearch(o_mask, olo, ohi, nm & oa)
                    if idx < 0:
                        continue
                    bv = o_B1[idx] if (i < 0 or o_S1[idx] != i) else o_B2[idx]
                    if v + bv > thr:
                        continue
                    if nc >= ccap:
                        ccap *= 2
                        cm = _grow_u(cm, ccap)
                        cf = _grow_u(cf, ccap)
                        cp = _grow_u(cp, ccap)
                        ci = _grow_u(ci, ccap)
                    cm[nc] = nm
                    cf[nc] = v
                    cp[nc] = nps
                    ci[nc] = i
                    nc += 1
        if nc > 0:
            order = np.argsort(cm[:nc], kind="mergesort") if nc > 1 else np.zeros(1, np.int64)
            if ns + nc > mask.shape[0]:
                need = ns + nc
                mask = _grow_u(mask, need)
                F1 = _grow_u(F1, need)
                P1 = _grow_u(P1, need)
                F2 = _grow_u(F2, need)
                ps = _grow_u(ps, need)
            last = np.uint64(0)
            first = True
            for r in range(nc):
                x = order[r]
                v = cf[x]
                if first or cm[x] != last:
                    mask[ns] = cm[x]
                    F1[ns] = v
                    P1[ns] = ci[x]
                    F2[ns] = INF
                    ps[ns] = cp[x]
                    last = cm[x]
                    ns += 1
                    first = False
                elif v < F1[ns - 1]:
                    F2[ns - 1] = F1[ns - 1]
                    F1[ns - 1] = v
                    P1[ns - 1] = ci[x]
                elif v < F2[ns - 1]:
                    F2[ns - 1] = v
            if ns > max_states:
                off[k + 1] = ns
                wk[0] += ns
                return off, mask[:ns], F1[:ns], P1[:ns], F2[:ns], ps[:ns], False
        off[k + 1] = ns
    wk[0] += ns
    return off, mask[:ns], F1[:ns], P1[:ns], F2[:ns], ps[:ns], True


@njit
def _ss_backward(
    nn: int,
    node_t: np.ndarray,
    node_j: np.ndarray,
    node_c: np.ndarray,
    sc_off: np.ndarray,
    sc_node: np.ndarray,
    T: int,
    codes: np.ndarray,
    off: np.ndarray,
    mask: np.ndarray,
    B1: np.ndarray,
    S1: np.ndarray,
    B2: np.ndarray,
    deadline: float,
    wk: np.ndarray,
) -> bool:  # pragma: no cover - compiled
    """Backward labels of the states of one sublimation stage (one label a state, counted in
    ``wk[0]``); False when the deadline passed or ``wk`` is used up (labels incomplete)."""
    zero = np.uint64(0)
    total = off[nn]
    for k in range(nn - 1, -1, -1):
        if (k & 255) == 0 and (now() > deadline or _over(wk, total - off[k + 1])):
            wk[0] += total - off[k + 1]
            return False
        t = node_t[k]
        j = node_j[k]
        for s in range(off[k], off[k + 1]):
            if t == T:
                B1[s] = 0.0
                S1[s] = -1
                B2[s] = INF
                continue
            m = mask[s]
            b1 = INF
            s1 = -1
            b2 = INF
            for e in range(sc_off[k], sc_off[k + 1]):
                r = sc_node[e]
                jr = node_j[r]
                if (m & codes[r, 3]) != zero or (codes[r, 2] & ~m) != zero:
                    continue
                idx = _bsearch(mask, off[r], off[r + 1], (m & codes[r, 0]) | codes[r, 1])
                if idx < 0:
                    continue
                v = B1[idx] if (j < 0 or S1[idx] != j) else B2[idx]
                if v >= INF:
                    continue
                v += node_c[r]
                if v < b2:
                    if v < b1:
                        b2 = b1
                        b1 = v
                        s1 = jr
                    else:
                        b2 = v
            B1[s] = b1
            S1[s] = s1
            B2[s] = b2
    wk[0] += total
    return True


@njit
def _ss_forward_existing(
    nn: int,
    node_j: np.ndarray,
    node_c: np.ndarray,
    pr_off: np.ndarray,
    pr_node: np.ndarray,
    codes: np.ndarray,
    off: np.ndarray,
    mask: np.ndarray,
    F1: np.ndarray,
    P1: np.ndarray,
    F2: np.ndarray,
    A1: np.ndarray,
    A2: np.ndarray,
    deadline: float,
    wk: np.ndarray,
) -> bool:  # pragma: no cover - compiled
    """Forward labels over an existing state space (after a change of multipliers), one
    label a state counted in ``wk[0]``.  Returns False if the deadline passed or ``wk`` is
    used up (labels incomplete)."""
    zero = np.uint64(0)
    F1[0] = 0.0
    P1[0] = -1
    F2[0] = INF
    A1[0] = -1
    A2[0] = -1
    for k in range(1, nn):
        if (k & 255) == 0 and (now() > deadline or _over(wk, off[k])):
            wk[0] += off[k]
            return False
        j = node_j[k]
        kk = codes[k, 0]
        ko = codes[k, 1]
        kn = codes[k, 2]
        kf = codes[k, 3]
        ck = node_c[k]
        for s in range(off[k], off[k + 1]):
            m = mask[s]
            # the one predecessor state that leads to m (see _node_codes)
            pm = (m & kk) | kn
            if (pm & kf) != zero or ((pm & kk) | ko) != m:
                F1[s] = INF
                P1[s] = -1
                F2[s] = INF
                A1[s] = -1
                A2[s] = -1
                continue
            b1 = INF
            a1 = -1
            i1 = -1
            b2 = INF
            a2 = -1
            for e in range(pr_off[k], pr_off[k + 1]):
                q = pr_node[e]
                idx = _bsearch(mask, off[q], off[q + 1], pm)
                if idx < 0:
                    continue
                v = F1[idx] if P1[idx] != j else F2[idx]
                if v < b2:
                    if v < b1:
                        b2 = b1
                        a2 = a1
                        b1 = v
                        a1 = idx
                        i1 = node_j[q]
                    else:
                        b2 = v
                        a2 = idx
            F1[s] = b1 + ck if b1 < INF else INF
            F2[s] = b2 + ck if b2 < INF else INF
            P1[s] = i1
            A1[s] = a1
            A2[s] = a2
    wk[0] += off[nn]
    return True


@njit
def _ss_subgradient(
    nn: int,
    node_t: np.ndarray,
    node_j: np.ndarray,
    node_c: np.ndarray,
    pr_off: np.ndarray,
    pr_node: np.ndarray,
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    mu: np.ndarray,
    T: int,
    ub: float,
    codes: np.ndarray,
    off: np.ndarray,
    mask: np.ndarray,
    iters: int,
    lam0: float,
    deadline: float,
    wk: np.ndarray,
) -> float:  # pragma: no cover - compiled
    """Subgradient steps on the current sublimation relaxation; mu updated in place to the
    best multipliers found.  Returns best bound.  Stops before a step once ``wk`` is used
    up (each step's forward pass counts its states)."""
    n = p.shape[0]
    ns = mask.shape[0]
    F1 = np.empty(ns)
    P1 = np.empty(ns, np.int32)
    F2 = np.empty(ns)
    A1 = np.empty(ns, np.int64)
    A2 = np.empty(ns, np.int64)
    state_node = np.empty(ns, np.int64)
    for k in range(nn):
        for s in range(off[k], off[k + 1]):
            state_node[s] = k
    counts = np.zeros(n, np.int64)
    best = -INF
    best_mu = mu.copy()
    lam = lam0
    no_imp = 0
    for _ in range(iters):
        if now() > deadline or _over(wk, 0):
            break
        _net_recost(nn, node_t, node_j, d, w, mu, node_c)
        if not _ss_forward_existing(
            nn, node_j, node_c, pr_off, pr_node, codes, off, mask, F1, P1, F2, A1, A2, deadline, wk
        ):
            break
        bv = INF
        bs = -1
        for k in range(nn - 1, -1, -1):
            if node_t[k] != T:
                break
            for s in range(off[k], off[k + 1]):
                if F1[s] < bv:
                    bv = F1[s]
                    bs = s
        if bs < 0:
            best = INF
            break
        L = bv + mu.sum()
        if best + 1e-9 < L:
            best = L
            best_mu[:] = mu
            no_imp = 0
        else:
            no_imp += 1
        if best > ub - 1.0 + 1e-6:
            break
        if no_imp >= 3:
            lam *= 0.5
            no_imp = 0
        for j in range(n):
            counts[j] = 0
        s = bs
        forb = -1
        while s > 0:
            j = node_j[state_node[s]]
            counts[j] += 1
            q = A1[s] if (forb < 0 or P1[s] != forb) else A2[s]
            forb = j
            s = q
        nrm = 0.0
        for j in range(n):
            g = 1 - counts[j]
            nrm += g * g
        if nrm == 0:
            break
        step = lam * (ub - L) / nrm
        for j in range(n):
            mu[j] += step * (1 - counts[j])
    mu[:] = best_mu
    _net_recost(nn, node_t, node_j, d, w, mu, node_c)
    return best


@njit
def _ss_reduce(
    nn: int,
    off: np.ndarray,
    mask: np.ndarray,
    F1: np.ndarray,
    P1: np.ndarray,
    F2: np.ndarray,
    B1: np.ndarray,
    S1: np.ndarray,
    B2: np.ndarray,
    ps: np.ndarray,
    thr: float,
) -> tuple[Any, ...]:  # pragma: no cover - compiled
    """Keep states whose best path through them costs at most thr (source always kept)."""
    noff = np.zeros(nn + 1, np.int64)
    keep = np.zeros(mask.shape[0], np.bool_)
    c = 0
    for k in range(nn):
        for s in range(off[k], off[k + 1]):
            if (k == 0 and s == 0) or _through(F1[s], P1[s], F2[s], B1[s], S1[s], B2[s]) <= thr:
                keep[s] = True
                c += 1
        noff[k + 1] = c
    idx = np.nonzero(keep)[0]
    return noff, mask[idx], F1[idx], P1[idx], F2[idx], B1[idx], S1[idx], B2[idx], ps[idx]


@njit
def _ss_best_path(
    nn: int,
    node_t: np.ndarray,
    node_j: np.ndarray,
    node_c: np.ndarray,
    sc_off: np.ndarray,
    sc_node: np.ndarray,
    T: int,
    codes: np.ndarray,
    off: np.ndarray,
    mask: np.ndarray,
    B1: np.ndarray,
    S1: np.ndarray,
    B2: np.ndarray,
    out: np.ndarray,
) -> int:  # pragma: no cover - compiled
    """Follow the best relaxed path from the source; writes jobs into out; returns length."""
    zero = np.uint64(0)
    k = 0
    s = 0
    ln = 0
    x = -1  # job before node k
    while node_t[k] < T:
        m = mask[s]
        j = node_j[k]
        bb = INF
        br = -1
        bi = -1
        for e in range(sc_off[k], sc_off[k + 1]):
            r = sc_node[e]
            jr = node_j[r]
            if x >= 0 and jr == x:
                continue
            if (m & codes[r, 3]) != zero or (codes[r, 2] & ~m) != zero:
                continue
            idx = _bsearch(mask, off[r], off[r + 1], (m & codes[r, 0]) | codes[r, 1])
            if idx < 0:
                continue
            bv = B1[idx] if (j < 0 or S1[idx] != j) else B2[idx]
            v = node_c[r] + bv
            if v < bb:
                bb = v
                br = r
                bi = idx
        if br < 0:
            return -1
        out[ln] = node_j[br]
        ln += 1
        x = j
        k = br
        s = bi
    return ln


@njit
def _prune_arcs(
    nn: int,
    off: np.ndarray,
    pr_off: np.ndarray,
    pr_node: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Drop arcs whose ends have no states left; returns new pred CSR (same node ids)."""
    noff = np.zeros(nn + 1, np.int64)
    ne = 0
    for k in range(nn):
        if off[k + 1] > off[k]:
            for e in range(pr_off[k], pr_off[k + 1]):
                q = pr_node[e]
                if off[q + 1] > off[q]:
                    ne += 1
        noff[k + 1] = ne
    pn = np.empty(ne, np.int64)
    ne = 0
    for k in range(nn):
        if off[k + 1] > off[k]:
            for e in range(pr_off[k], pr_off[k + 1]):
                q = pr_node[e]
                if off[q + 1] > off[q]:
                    pn[ne] = q
                    ne += 1
    return noff, pn


# ----------------------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------------------


def _initial_ub(
    p: np.ndarray, d: np.ndarray, w: np.ndarray, deadline: float
) -> tuple[np.ndarray, int]:
    """Best of EDD and WMDD after dynasearch descent, as ``_ils.initial_sequence`` (ties go
    to EDD), but WMDD first (faster to descend, usually better) and, with a deadline, both
    descents together limited to half of the remaining time."""
    n = p.shape[0]
    t_now = time.perf_counter()
    ub_dl = t_now + 0.5 * max(0.0, deadline - t_now)
    s1, c1 = descent(wmdd(p, d, w), p, d, w, ub_dl)
    if time.perf_counter() >= ub_dl:
        return s1, c1
    s0, c0 = descent(np.lexsort((np.arange(n), d)).astype(np.int64), p, d, w, ub_dl)
    return (s0, c0) if c0 <= c1 else (s1, c1)


def _precedences(
    p: np.ndarray, d: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rank (a linear extension used for all tie-breaks), the pairwise dominance relation
    prec[i, j] = "i precedes j in some optimal schedule" (consistent with the rank), and the
    completion-time windows it implies."""
    n = p.shape[0]
    order = np.lexsort((np.arange(n), -w, p, d))
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(n)
    prec = (
        (p[:, None] <= p[None, :])
        & (w[:, None] >= w[None, :])
        & (d[:, None] <= d[None, :])
        & (rank[:, None] < rank[None, :])
    )
    T = int(p.sum())
    before = prec.T.astype(np.int64) @ p  # sum of p over jobs that must precede j
    after = prec.astype(np.int64) @ p  # sum of p over jobs that must follow j
    tmin = (p + before).astype(np.int64)
    tmax = (T - after).astype(np.int64)
    return rank, np.ascontiguousarray(prec), tmin, tmax


def _solve_core(
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    time_limit: float | None,
    deadline: float,
    log: Callable[[str], None] | None,
    wk: np.ndarray,
    info: dict[str, Any] | None = None,
) -> tuple[np.ndarray, int, float, bool]:
    """Exact solve of a preprocessed instance (all p >= 1, w >= 1) by ``deadline`` (a
    ``perf_counter`` time; ``time_limit``: the seconds it leaves, or None) and within the
    work counter ``wk`` (labels used, limit or -1); a stop for want of memory (states, arcs
    or bit positions) is explained in ``info["memory"]``."""
    n = p.shape[0]
    T = int(p.sum())
    dl = float(deadline)

    def say(msg: str) -> None:
        if log is not None:
            log(msg)

    def memory(msg: str) -> None:
        """Record why the run stops short of a proof for want of memory."""
        say(f"ssdp: out of memory: {msg}")
        if info is not None:
            info["memory"] = msg

    def out_of_time() -> bool:
        """The deadline passed or the work budget is used up: stop with what is proven."""
        return time.perf_counter() > dl or bool(wk[1] >= 0 and wk[0] >= wk[1])

    if np.all(w == 1):
        # Unweighted: Lawler's decomposition with memorisation (._bam) is far stronger than
        # the Lagrangian bound; it keeps 10% of the budget (time and work) back so that a
        # heuristic sequence can still be returned when it runs out.
        t_now = time.perf_counter()
        bwk = np.array([0, -1], np.int64)
        if wk[1] >= 0:
            bwk[1] = int(0.9 * max(0, int(wk[1] - wk[0])))
        r = bam_solve(p, d, t_now + 0.9 * max(0.0, dl - t_now), work=bwk)
        wk[0] += bwk[0]
        if r is not None:
            say(f"bam: proved optimum {r[1]}")
            return r[0], int(r[1]), float(r[1]), True
        say("bam: time or work limit, or key overflow, falling back to SSDP")
    # unweighted: pairing SPT completion times with sorted due dates bounds sum T_j
    lb_pair = 0.0
    if np.all(w == 1):
        lb_pair = float(np.maximum(0, np.cumsum(np.sort(p)) - np.sort(d)).sum())

    # ---- upper bound: EDD/WMDD + dynasearch, then a deterministic iterated dynasearch
    # Every phase is cut at the deadline; the iterated dynasearch gets at most half of the
    # remaining budget (its trajectory is fixed by the seed, only its length by the clock).
    seq, ub = _initial_ub(p, d, w, dl)
    iters_b = 0
    if ub > 0 and not out_of_time():
        iters = 200 if n <= 60 else (300 if n <= 150 else max(10, int(3e6 / (n * n))))
        if time_limit is not None and time_limit < 5.0:
            iters = max(1, int(iters * time_limit / 5.0))
        # a short run first: it usually finds the optimum already, and the rest of the
        # budget is spent only if stage 2 does not close the gap (more_ils below)
        iters_a = min(iters, max(10, iters // 10))
        iters_b = min(iters - iters_a, ILS_B_ITERS)
        t_now = time.perf_counter()
        ils_dl = t_now + 0.5 * max(0.0, dl - t_now)
        s2, c2 = ils_iterations(p, d, w, iters_a, seed=12345, initial=seq, deadline=ils_dl)
        if c2 < ub:
            seq, ub = s2, c2
    say(f"ssdp: n={n} T={T} UB={ub}")
    if ub == 0:
        return seq, 0, 0.0, True
    lb = lb_pair
    tol = 1e-6 + 1e-9 * abs(ub)

    def more_ils() -> bool:
        """The rest of the iterated dynasearch budget (once); True if the UB improved."""
        nonlocal seq, ub, iters_b
        if iters_b <= 0 or ub == 0 or out_of_time():
            return False
        t_now = time.perf_counter()
        b_dl = t_now + 0.3 * max(0.0, dl - t_now)
        s2, c2 = ils_iterations(p, d, w, iters_b, seed=54321, initial=seq, deadline=b_dl)
        iters_b = 0
        if c2 < ub:
            seq, ub = s2, c2
            say(f"ssdp: UB improved to {ub} by more dynasearch")
            return True
        return False

    def hard_kicks() -> bool:
        """Rounds of dynasearch kicks from the best sequence (see :data:`HARD_KICKS`);
        True if the UB improved."""
        nonlocal seq, ub
        t_now = time.perf_counter()
        k_dl = t_now + HARD_KICK_SHARE * max(0.0, dl - t_now)
        before = ub
        idle = 0  # rounds in a row without an improvement
        for r in range(HARD_KICKS // HARD_KICK_ROUND):
            if ub == 0 or idle == HARD_IDLE_ROUNDS or out_of_time():
                break
            if time.perf_counter() >= k_dl:
                break
            s2, c2 = ils_iterations(
                p, d, w, HARD_KICK_ROUND, seed=777 + r, initial=seq, deadline=k_dl
            )
            if c2 < ub:
                seq, ub, idle = s2, c2, 0
            else:
                idle += 1
        if ub < before:
            say(f"ssdp: UB improved to {ub} by kicks on a hard instance")
        return ub < before

    def lagrangian_ub(jobs: np.ndarray) -> bool:
        """Repair a relaxed path (first occurrences, then missing jobs by due date), improve
        it by dynasearch descent; True if the UB improved."""
        nonlocal seq, ub
        order = []
        seen = np.zeros(n, np.bool_)
        for j in jobs:
            if not seen[j]:
                seen[j] = True
                order.append(int(j))
        missing = [int(j) for j in np.argsort(d, kind="stable") if not seen[j]]
        cand, cc = descent(np.array(order + missing, np.int64), p, d, w, dl)
        if cc < ub:
            seq, ub = cand, cc
            say(f"ssdp: UB improved to {ub} from a relaxed path")
            return True
        return False

    def result(proven: bool) -> tuple[np.ndarray, int, float, bool]:
        if proven:
            return seq, ub, float(ub), True
        return seq, ub, float(min(ub, max(0.0, np.ceil(lb - tol)))), False

    # ---- the bounds need whole passes over the n x (T + 1) time-indexed labels, which the
    # deadline cannot cut (n = 5000: seconds each): with less time left than one subgradient
    # iteration (a forward and a backward pass) is estimated to take, stop with the UB
    if dl != NO_DEADLINE and 2 * n * (T + 1) * SECONDS_PER_LABEL > dl - time.perf_counter():
        say("ssdp: no time left for one Lagrangian pass; returning the upper bound")
        return result(False)

    # ---- dominance: i before j if p_i <= p_j, w_i >= w_j, d_i <= d_j (ties by rank)
    rank, prec, tmin, tmax = _precedences(p, d, w)
    say(f"ssdp: {int(prec.sum())} precedence pairs")

    # ---- stage 1: LR1 + subgradient, initial multipliers = job costs in the heuristic
    mu = np.zeros(n)
    C = np.cumsum(p[seq])
    mu[seq] = w[seq] * np.maximum(0, C - d[seq])
    lb1 = _subgradient_lr1(p, d, w, mu, T, float(ub), S1_ITERS, 2.0, tmin, tmax, dl, wk)
    # a weak stage-1 bound leaves a stage-2 network too large for memory (n = 300: beyond
    # MAX_ARCS with a 20% gap): more rounds while the gap is wide and they still close it
    for _ in range(S1_MORE_ROUNDS):
        if out_of_time() or ub - lb1 <= S1_GAP * ub:
            break
        prev = lb1
        lb1 = max(
            lb1, _subgradient_lr1(p, d, w, mu, T, float(ub), S1_ITERS, 1.0, tmin, tmax, dl, wk)
        )
        say(f"ssdp: stage1 more LB={lb1:.3f}")
        if lb1 - prev < 0.05 * (ub - prev):
            break
    lb = max(lb, lb1)
    say(f"ssdp: stage1 LB={lb1:.3f}")
    if lb > ub - 1 + tol:
        return result(True)
    if out_of_time():
        return result(False)

    smu = float(mu.sum())
    thr = ub - 1 + tol - smu
    H1 = np.empty(T + 1)
    A1 = np.empty(T + 1, np.int64)
    H2 = np.empty(T + 1)
    A2 = np.empty(T + 1, np.int64)
    G1 = np.empty(T + 1)
    AG1 = np.empty(T + 1, np.int64)
    G2 = np.empty(T + 1)
    _lr1_forward(p, d, w, mu, T, H1, A1, H2, A2, tmin, tmax)
    _lr1_backward(p, d, w, mu, T, G1, AG1, G2, tmin, tmax)
    wk[0] += 2 * n * (T + 1)
    node_t, node_j, node_c, pr_off, pr_node, b2, ok = _implicit_network(
        p, d, w, mu, T, thr, H1, A1, H2, G1, AG1, G2, tmin, tmax, rank, prec, dl, MAX_ARCS, wk
    )
    del H1, A1, H2, A2, G1, AG1, G2
    if not ok:
        if not out_of_time():
            memory(f"the stage-2 network exceeds {MAX_ARCS} arcs")
        say("ssdp: network too large, or out of time or work")
        return result(False)
    nn = node_t.shape[0]
    say(f"ssdp: network nodes={nn} arcs={pr_node.shape[0]}")
    if pr_node.shape[0] > HARD_ARCS and hard_kicks():
        thr = ub - 1 + tol - smu

    # ---- stage 2: adjacency + subgradient on the reduced network, reduction by bound
    def net_labels() -> tuple[np.ndarray, ...]:
        F1 = np.empty(nn)
        P1 = np.empty(nn, np.int64)
        F2 = np.empty(nn)
        A1 = np.empty(nn, np.int64)
        A2 = np.empty(nn, np.int64)
        _net_forward(nn, node_j, node_c, pr_off, pr_node, F1, P1, F2, A1, A2)
        sc_off, sc_node = _succ_from_pred(nn, pr_off, pr_node)
        B1 = np.empty(nn)
        S1 = np.empty(nn, np.int64)
        B2 = np.empty(nn)
        _net_backward(nn, node_t, node_j, node_c, sc_off, sc_node, T, B1, S1, B2)
        wk[0] += 2 * nn
        return F1, P1, F2, B1, S1.astype(np.int32), B2, sc_off, sc_node

    hist = [-INF]
    lam2 = 2.0
    lb2 = -INF
    # the implicit network pass computed the stage-2 labels with the stage-1 multipliers
    # and kept only what survives them
    lb2 = b2 + smu
    lb = max(lb, lb2)
    if lb > ub - 1 + tol:
        say("ssdp: stage2 closed the gap with the stage-1 multipliers")
        return result(True)
    say(f"ssdp: stage2 labels LB={lb2:.3f} nodes={nn} arcs={pr_node.shape[0]}")
    if out_of_time():
        return result(False)
    zoff = np.arange(nn + 1, dtype=np.int64)
    zm = np.zeros(nn, np.uint64)
    path = np.empty(T + 1, np.int64)  # a relaxed path has at most T jobs
    for rnd in range(300):
        lb2s = _subgradient_net(
            nn,
            node_t,
            node_j,
            node_c,
            pr_off,
            pr_node,
            p,
            d,
            w,
            mu,
            T,
            float(ub),
            S2_ITERS,
            lam2,
            dl,
            wk,
        )
        smu = float(mu.sum())
        thr = ub - 1 + tol - smu
        if out_of_time():
            return result(False)
        F1, P1, F2, B1, S1, B2, sc_off, sc_node = net_labels()
        lb2 = B1[0] + smu
        lb = max(lb, lb2)
        if lb <= ub - 1 + tol and (rnd & (rnd - 1)) == 0:
            # Lagrangian heuristic on the relaxed path (rounds 0, 1, 2, 4, 8, ...)
            ln = _ss_best_path(
                nn,
                node_t,
                node_j,
                node_c,
                sc_off,
                sc_node,
                T,
                np.zeros((nn, 5), np.uint64),
                zoff[: nn + 1],
                zm[:nn],
                B1,
                S1,
                B2,
                path,
            )
            if ln > 0 and lagrangian_ub(path[:ln]):
                thr = ub - 1 + tol - smu
        if lb > ub - 1 + tol:
            say(f"ssdp: stage2 round {rnd} closed the gap")
            return result(True)
        node_t, node_j, node_c, pr_off, pr_node = _net_reduce(
            nn, node_t, node_j, node_c, pr_off, pr_node, F1, P1, F2, B1, S1, B2, thr
        )
        nn = node_t.shape[0]
        if rnd % 10 == 0:
            say(
                f"ssdp: stage2 round {rnd} LB={lb2:.3f} ({lb2s:.3f}) nodes={nn} arcs={pr_node.shape[0]}"
            )
        if out_of_time():
            return result(False)
        stalled = False
        if lb2 - hist[-1] < 0.002 * (ub - lb2):
            lam2 *= 0.5
            stalled = lam2 < 0.02
        hist.append(lb2)
        if len(hist) > 5 and hist[-1] - hist[-5] < 0.005 * (ub - hist[-1]):
            stalled = True
        if stalled:
            # the gap may be the upper bound's: spend the rest of the dynasearch budget
            if not more_ils():
                break
            thr = ub - 1 + tol - smu
            if lb > ub - 1 + tol:
                return result(True)
            hist = [-INF]
            lam2 = 1.0
    say(f"ssdp: stage2 end LB={lb2:.3f} nodes={nn} arcs={pr_node.shape[0]}")
    smu = float(mu.sum())
    thr = ub - 1 + tol - smu

    # ---- stage 3: successive sublimation
    sc_off, sc_node = _succ_from_pred(nn, pr_off, pr_node)
    # memorised jobs M: job, completion window when it joined, bit position (-1: none)
    inM = np.zeros(n, np.bool_)
    m_job: list[int] = []
    m_e: list[int] = []
    m_l: list[int] = []
    m_pos: list[int] = []
    pos_iv: list[list[tuple[int, int]]] = [
        [] for _ in range(STATE_BITS)
    ]  # intervals a position holds
    codes = np.zeros((nn, 5), np.uint64)
    sumPM = 0
    nM = 0
    off = np.arange(nn + 1, dtype=np.int64)  # one state (mask 0) per node
    mask = np.zeros(nn, np.uint64)
    F1, P1, F2, B1, S1, B2, _, _ = net_labels()
    P1 = P1.astype(np.int32)
    ps = np.zeros(nn, np.int32)
    add_k = 3
    stage = 0
    while True:
        stage += 1
        lb = max(lb, B1[0] + smu)
        if lb > ub - 1 + tol:
            return result(True)
        ln = _ss_best_path(
            nn, node_t, node_j, node_c, sc_off, sc_node, T, codes, off, mask, B1, S1, B2, path
        )
        if ln < 0:
            return result(True)  # no path left below UB
        jobs = path[:ln]
        cnts = np.bincount(jobs, minlength=n)
        if ln == n and np.all(cnts == 1):
            c = int(total_tardiness(p, d, w, jobs))
            if c < ub:
                seq, ub = jobs.copy(), c
            say(f"ssdp: stage3 feasible relaxed path, opt={ub}")
            return result(True)
        if lagrangian_ub(jobs):
            thr = ub - 1 + tol - smu
            if lb > ub - 1 + tol:
                return result(True)
        if out_of_time():
            return result(False)
        viol = [int(j) for j in np.nonzero(cnts != 1)[0] if not inM[j]]
        if not viol:
            say("ssdp: cannot extend M")
            if info is not None:
                info["stopped"] = "no job left to memorise in the sublimation stage"
            return result(False)
        # repeated jobs first, then missing ones; by first position in the path
        firstpos: dict[int, int] = {}
        for q, j in enumerate(jobs):
            firstpos.setdefault(int(j), q)
        viol.sort(key=lambda j: (0 if cnts[j] > 1 else 1, firstpos.get(j, n)))
        # completion windows of the jobs over the nodes that still have states
        live = off[1:] > off[:-1]
        w_lo = np.full(n, T + 1, np.int64)
        w_hi = np.full(n, -1, np.int64)
        np.minimum.at(w_lo, node_j[1:][live[1:]], node_t[1:][live[1:]])
        np.maximum.at(w_hi, node_j[1:][live[1:]], node_t[1:][live[1:]])
        n_old = nM
        added = 0
        for j in viol:
            if added >= add_k:
                break
            e, lt = int(w_lo[j]), int(w_hi[j])
            if lt < 0:
                continue
            pos = -1
            if e < lt:  # its bit matters on [e, lt - 1]; first position free there
                for b in range(STATE_BITS):
                    if all(b2 < e or a2 > lt - 1 for a2, b2 in pos_iv[b]):
                        pos = b
                        break
                if pos < 0:
                    continue
                pos_iv[pos].append((e, lt - 1))
            inM[j] = True
            m_job.append(j)
            m_e.append(e)
            m_l.append(lt)
            m_pos.append(pos)
            sumPM += int(p[j])
            nM += 1
            added += 1
        if added == 0:
            memory(f"all {STATE_BITS} bit positions of the sublimation states are in use")
            return result(False)
        codes, pmk = _node_codes(
            nn,
            node_t,
            node_j,
            p,
            np.array(m_job, np.int64),
            np.array(m_e, np.int64),
            np.array(m_l, np.int64),
            np.array(m_pos, np.int64),
            n_old,
            prec,
        )
        noff, nmask, nF1, nP1, nF2, nps, ok = _ss_forward(
            nn,
            node_t,
            node_j,
            node_c,
            pr_off,
            pr_node,
            p,
            T,
            codes,
            pmk,
            sumPM,
            thr,
            off,
            mask,
            B1,
            S1,
            B2,
            MAX_STATES,
            dl,
            wk,
        )
        if not ok:
            if nmask.shape[0] > MAX_STATES:
                memory(f"a sublimation stage exceeds {MAX_STATES} states")
            say("ssdp: state limit, time limit or work limit reached")
            return result(False)
        ns0 = nmask.shape[0]
        nB1 = np.empty(ns0)
        nS1 = np.empty(ns0, np.int32)
        nB2 = np.empty(ns0)
        if not _ss_backward(
            nn,
            node_t,
            node_j,
            node_c,
            sc_off,
            sc_node,
            T,
            codes,
            noff,
            nmask,
            nB1,
            nS1,
            nB2,
            dl,
            wk,
        ):
            return result(False)
        off, mask, F1, P1, F2, B1, S1, B2, ps = _ss_reduce(
            nn, noff, nmask, nF1, nP1, nF2, nB1, nS1, nB2, nps, thr
        )
        del nmask, nF1, nP1, nF2, nB1, nS1, nB2, nps
        pr_off, pr_node = _prune_arcs(nn, off, pr_off, pr_node)
        sc_off, sc_node = _succ_from_pred(nn, pr_off, pr_node)
        lb = max(lb, B1[0] + smu)
        if lb <= ub - 1 + tol:
            lbsg = _ss_subgradient(
                nn,
                node_t,
                node_j,
                node_c,
                pr_off,
                pr_node,
                p,
                d,
                w,
                mu,
                T,
                float(ub),
                codes,
                off,
                mask,
                SG_ITERS,
                1.0,
                dl,
                wk,
            )
            lb = max(lb, min(lbsg, float(ub)))
            smu = float(mu.sum())
            thr = ub - 1 + tol - smu
            ns0 = mask.shape[0]
            A1 = np.empty(ns0, np.int64)
            A2 = np.empty(ns0, np.int64)
            if not _ss_forward_existing(
                nn, node_j, node_c, pr_off, pr_node, codes, off, mask, F1, P1, F2, A1, A2, dl, wk
            ):
                return result(False)
            del A1, A2
            if not _ss_backward(
                nn, node_t, node_j, node_c, sc_off, sc_node, T, codes, off, mask, B1, S1, B2, dl, wk
            ):
                return result(False)
            off, mask, F1, P1, F2, B1, S1, B2, ps = _ss_reduce(
                nn, off, mask, F1, P1, F2, B1, S1, B2, ps, thr
            )
            pr_off, pr_node = _prune_arcs(nn, off, pr_off, pr_node)
            sc_off, sc_node = _succ_from_pred(nn, pr_off, pr_node)
        say(
            f"ssdp: stage3.{stage} |M|={nM} states={ns0}->{mask.shape[0]} "
            f"LB={min(B1[0] + smu, float(ub)):.3f} arcs={pr_node.shape[0]}"
        )
        if mask.shape[0] < 200_000:
            add_k = min(add_k + 1, 8)
        elif mask.shape[0] > 2_000_000:
            add_k = max(1, add_k - 1)


def exact_solve(
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    deadline: float = NO_DEADLINE,
    log: Callable[[str], None] | None = None,
    work: np.ndarray | None = None,
    info: dict[str, Any] | None = None,
) -> tuple[list[int], float, float, bool]:
    """Solve 1||sum w_j T_j exactly by successive sublimation dynamic programming.

    Args:
        p: processing times (non-negative integers).
        d: due dates (integers, may be negative).
        w: weights (non-negative integers).
        deadline: when to stop, a ``time.perf_counter()`` value
            (:data:`~schedlab.engines.jit.NO_DEADLINE`: none). On time-out the best sequence
            found so far and a valid lower bound are returned.
        log: optional callback receiving progress messages.
        work: an optional work counter, an int64 array ``[used, limit]`` (``limit`` -1: none)
            in DP labels: one per node (t, j) of the time-indexed network or state of a
            sublimation stage that a DP pass labels (and, on unweighted instances, one per
            value the Lawler decomposition stores or subproblem it solves). ``used`` is
            increased by the labels spent; once it reaches ``limit`` the solve stops as on a
            time-out (at most one pass beyond it). Without a deadline the run, and so the
            result, is the same on any machine. The upper-bound heuristic (a fixed number of
            dynasearch kicks) is not counted.
        info: optional dict; when the run stops short of a proof for want of memory (the
            state or arc limits, or the 64 bit positions of the sublimation states), the
            reason is put in ``info["memory"]`` (the best sequence and bound are returned).

    Returns:
        (sequence, objective, lower_bound, proven_optimal): the sequence lists 0-based job
        indices in processing order; the objective is its total weighted tardiness (an
        integer-valued float); lower_bound <= optimum (== objective when proven).
    """
    t0 = time.perf_counter()
    time_limit = None if math.isinf(deadline) else max(0.0, deadline - t0)
    p = np.ascontiguousarray(p, dtype=np.int64).ravel()
    d = np.ascontiguousarray(d, dtype=np.int64).ravel()
    w = np.ascontiguousarray(w, dtype=np.int64).ravel()
    n = p.shape[0]
    if n == 0:
        return [], 0.0, 0.0, True
    if np.any(p < 0) or np.any(w < 0):
        raise ValueError("processing times and weights must be non-negative")

    # Preprocessing.  Zero-length jobs first (finishing at 0 is their cheapest slot and
    # delays nobody); zero-weight jobs last; jobs that can never be tardy (d_j >= total
    # remaining processing) last as well.
    idx = np.arange(n)
    head = [int(j) for j in idx[p == 0]]
    const = int(sum(int(w[j]) * max(0, -int(d[j])) for j in head))
    rest = [int(j) for j in idx if p[j] > 0 and w[j] > 0]
    tail = [int(j) for j in idx if p[j] > 0 and w[j] == 0]
    while rest:
        P = int(p[rest].sum())
        late_ok = [j for j in rest if d[j] >= P]
        if not late_ok:
            break
        tail = late_ok + tail
        rest = [j for j in rest if d[j] < P]
    if not rest:
        seq = head + tail
        return seq, float(const), float(const), True
    ra = np.array(rest, dtype=np.int64)
    wk = np.array([0, -1], np.int64) if work is None else work
    sub_seq, sub_obj, sub_lb, proven = _solve_core(
        p[ra], d[ra], w[ra], time_limit, float(deadline), log, wk, info
    )
    seq = head + [int(ra[j]) for j in sub_seq] + tail
    obj = int(total_tardiness(p, d, w, np.array(seq, np.int64)))
    if log is not None:
        log(
            f"ssdp: done obj={obj} lb={sub_lb + const} proven={proven} in {time.perf_counter() - t0:.3f}s"
        )
    return seq, float(obj), float(sub_lb + const), bool(proven)


#: A weighted instance (generated: n = 30, TF 0.8, RDD 0.6, seed 29) that the stage-1 and
#: stage-2 bounds leave open, so that it goes through two sublimation steps (stage 3); the
#: small instances a family's samples can afford are all settled by stage 1.
_STAGE3_P = (94, 6, 60, 51, 23, 52, 66, 27, 58, 13, 93, 3, 42, 40, 7, 39, 63, 3, 1, 24, 14, 79, 12, 62, 82, 99, 13, 87, 99, 64)  # fmt: skip
_STAGE3_D = (166, 16, -67, 558, 495, 210, 268, -115, 214, 649, 247, 642, 177, 128, 473, 270, 173, 87, 389, 491, 462, 665, 85, 365, -131, 369, 292, 53, 4, 83)  # fmt: skip
_STAGE3_W = (10, 4, 5, 6, 10, 8, 6, 1, 5, 6, 1, 10, 7, 3, 1, 5, 1, 1, 7, 8, 8, 2, 1, 7, 3, 3, 5, 10, 9, 9)  # fmt: skip


def warm_up() -> None:
    """Compile the kernels of stages 1 to 3 (solving an instance that needs all three)."""
    p, d, w = (np.array(a, dtype=np.int64) for a in (_STAGE3_P, _STAGE3_D, _STAGE3_W))
    exact_solve(p, d, w)
