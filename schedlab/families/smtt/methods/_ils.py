"""Iterated dynasearch for single-machine total weighted tardiness (1||sum w_j T_j).

The local search is the "enhanced dynasearch" neighbourhood of Grosso, Della Croce & Tadei
(2004): a dynamic program over positions selects the best set of non-overlapping moves, each
move being a pairwise swap, a forward shift (job moved later) or a backward shift (job moved
earlier) applied to a contiguous segment of the sequence.  The iterated local search follows
Congram, Potts & van de Velde (2002): random-swap kicks, accept if not worse, occasional
restart from the best sequence.

All kernels are numba-compiled and work on integer numpy arrays; the Python driver only
checks the clock between batches of iterations, so the time limit is honoured to within a
few milliseconds. Deadlines are absolute ``time.perf_counter()`` values,
:data:`~schedlab.engines.jit.NO_DEADLINE` (``math.inf``) for none.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from ....engines.jit import NO_DEADLINE, clock, njit, now
from ._kernels import atc_kernel, total_tardiness

__all__ = [
    "descent",
    "ils_iterations",
    "ils_kicks",
    "ils_solve",
    "initial_sequence",
    "timed_initial_sequence",
    "wmdd",
]


@njit
def _f(j: int, t: int, d: np.ndarray, w: np.ndarray) -> int:
    x = t - d[j]
    if x > 0:
        return w[j] * x
    return 0


#: Pairs of a dynasearch pass between two reads of the clock under a deadline: reading it
#: from compiled code costs about a microsecond, more than a pass over 10 jobs.
CHECK_WORK = 20_000


@njit
def _passes_a_check(n: int) -> int:  # pragma: no cover - compiled
    """Dynasearch passes (about n^2 / 2 pairs each) between two reads of the clock."""
    return max(1, CHECK_WORK // max(1, n * n // 2))


@njit
def _dynasearch_pass(
    seq: np.ndarray,
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    C: np.ndarray,
    c: np.ndarray,
    G: np.ndarray,
    mv_i: np.ndarray,
    mv_t: np.ndarray,
    tmp: np.ndarray,
    deadline: float = np.inf,
) -> int:
    """One dynasearch step; modifies ``seq`` in place; returns the (non-positive) gain.

    The swaps cost up to n^3 / 6 steps (n = 5000: about a minute), so with a ``deadline``
    (a ``perf_counter`` value) they are scanned while it has not passed (checked at each
    first position): every move recorded in the DP is evaluated in full, so the moves
    applied are still disjoint and improving, only fewer swaps are looked at."""
    n = seq.shape[0]
    t = 0
    for k in range(n):
        j = seq[k]
        t += p[j]
        C[k] = t
        c[k] = _f(j, t, d, w)
    # best move per segment end k: G[k+1] = min(G[k], G[i] + delta(i,k))
    G[0] = 0
    for k in range(n):
        G[k + 1] = G[k]
        mv_i[k + 1] = -1
        mv_t[k + 1] = 0
    # forward shift: job at i moved after k (jobs i+1..k move earlier by p_i)
    for i in range(n - 1):
        ji = seq[i]
        pi = p[ji]
        acc = -c[i]
        for k in range(i + 1, n):
            jk = seq[k]
            acc += _f(jk, C[k] - pi, d, w) - c[k]
            delta = acc + _f(ji, C[k], d, w)
            val = G[i] + delta
            if val < G[k + 1]:
                G[k + 1] = val
                mv_i[k + 1] = i
                mv_t[k + 1] = 1
    # backward shift: job at k moved to position i (jobs i..k-1 move later by p_k)
    for k in range(1, n):
        jk = seq[k]
        pk = p[jk]
        acc = -c[k]
        for i in range(k - 1, -1, -1):
            ji = seq[i]
            acc += _f(ji, C[i] + pk, d, w) - c[i]
            start = C[i] - p[ji]
            delta = acc + _f(jk, start + pk, d, w)
            val = G[i] + delta
            if val < G[k + 1]:
                G[k + 1] = val
                mv_i[k + 1] = i
                mv_t[k + 1] = 2
    # swaps with at least one job in between (k = i + 1 is covered by the shifts)
    timed = deadline != np.inf
    spent = 0
    for i in range(n - 2):
        if timed:  # the clock read once every CHECK_WORK pairs (each read costs ~1 us)
            spent += n - i
            if spent >= CHECK_WORK:
                spent = 0
                if now() >= deadline:
                    break
        ji = seq[i]
        pi = p[ji]
        start = C[i] - pi
        for k in range(i + 2, n):
            jk = seq[k]
            pk = p[jk]
            delta = _f(jk, start + pk, d, w) + _f(ji, C[k], d, w) - c[i] - c[k]
            sh = pk - pi
            if sh >= 0:
                # middle jobs move later: only non-negative contributions
                if G[i] + delta >= G[k + 1]:
                    continue
                ok = True
                for m in range(i + 1, k):
                    jm = seq[m]
                    delta += _f(jm, C[m] + sh, d, w) - c[m]
                    if G[i] + delta >= G[k + 1]:
                        ok = False
                        break
                if not ok:
                    continue
            else:
                for m in range(i + 1, k):
                    jm = seq[m]
                    delta += _f(jm, C[m] + sh, d, w) - c[m]
            val = G[i] + delta
            if val < G[k + 1]:
                G[k + 1] = val
                mv_i[k + 1] = i
                mv_t[k + 1] = 3
    gain = G[n]
    if gain >= 0:
        return 0
    # backtrack and apply moves (segments are disjoint)
    k1 = n
    while k1 > 0:
        i = mv_i[k1]  # type: ignore[assignment]
        if i < 0:
            k1 -= 1
            continue
        k = k1 - 1
        typ = mv_t[k1]
        if typ == 1:
            ji = seq[i]
            for m in range(i, k):
                seq[m] = seq[m + 1]
            seq[k] = ji
        elif typ == 2:
            jk = seq[k]
            for m in range(k, i, -1):
                seq[m] = seq[m - 1]
            seq[i] = jk
        else:
            x = seq[i]
            seq[i] = seq[k]
            seq[k] = x
        k1 = i
    return gain  # type: ignore[return-value]


@njit
def _descent(
    seq: np.ndarray, p: np.ndarray, d: np.ndarray, w: np.ndarray, deadline: float
) -> int:  # pragma: no cover - compiled
    """Dynasearch passes on ``seq`` (in place) until none improves or ``deadline`` passes
    (checked before each pass); returns the cost of ``seq``."""
    n = seq.shape[0]
    C = np.empty(n, np.int64)
    c = np.empty(n, np.int64)
    G = np.empty(n + 1, np.int64)
    mv_i = np.empty(n + 1, np.int64)
    mv_t = np.empty(n + 1, np.int64)
    tmp = np.empty(n, np.int64)
    every = _passes_a_check(n)
    k = 0
    while deadline == math.inf or k % every != 0 or now() < deadline:
        k += 1
        g = _dynasearch_pass(seq, p, d, w, C, c, G, mv_i, mv_t, tmp, deadline)
        if g >= 0:
            break
    return total_tardiness(p, d, w, seq)


@njit
def _ils_batch(
    cur: np.ndarray,
    cur_cost: int,
    best: np.ndarray,
    best_cost: int,
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    rng: np.random.Generator,
    n_iters: int,
    target: int,
    stall: int,
    restart_after: int,
    kick_min: int,
    kick_span: int,
    win: int,
    deadline: float = np.inf,
) -> tuple[int, int, int, int, int]:
    """Run ``n_iters`` kick+descent iterations (fewer once ``target`` is reached, or when
    ``deadline`` passes: checked before each kick and each dynasearch pass, a descent cut
    there still offers its sequence); returns (cur_cost, best_cost, stall, done, iterations
    run)."""
    n = cur.shape[0]
    trial = np.empty(n, np.int64)
    C = np.empty(n, np.int64)
    c = np.empty(n, np.int64)
    G = np.empty(n + 1, np.int64)
    mv_i = np.empty(n + 1, np.int64)
    mv_t = np.empty(n + 1, np.int64)
    tmp = np.empty(n, np.int64)
    if n < 2:
        return cur_cost, best_cost, stall, 1, 0
    win = max(1, min(n - 1, win))
    timed = deadline != np.inf
    every = _passes_a_check(n)
    for it in range(n_iters):
        if best_cost <= target:
            return cur_cost, best_cost, stall, 1, it
        if timed and it % every == 0 and now() >= deadline:
            return cur_cost, best_cost, stall, 0, it
        for k in range(n):
            trial[k] = cur[k]
        nk = kick_min + rng.integers(0, kick_span)
        for _s in range(nk):
            a = rng.integers(0, n)
            off = 1 + rng.integers(0, win)
            b = a + off if rng.random() < 0.5 else a - off
            if b < 0 or b >= n:
                b = (a + off) % n
            if a == b:
                continue
            x = trial[a]
            trial[a] = trial[b]
            trial[b] = x
        k = 0
        while not timed or k % every != 0 or now() < deadline:
            k += 1
            g = _dynasearch_pass(trial, p, d, w, C, c, G, mv_i, mv_t, tmp, deadline)
            if g >= 0:
                break
        tc = total_tardiness(p, d, w, trial)
        if tc <= cur_cost:
            if tc < cur_cost:
                stall = 0
            else:
                stall += 1
            for k in range(n):
                cur[k] = trial[k]
            cur_cost = tc
        else:
            stall += 1
        if tc < best_cost:
            best_cost = tc
            for k in range(n):
                best[k] = trial[k]
            stall = 0
        if stall > restart_after:
            for k in range(n):
                cur[k] = best[k]
            cur_cost = best_cost
            stall = 0
    return cur_cost, best_cost, stall, 0, n_iters


@njit
def wmdd(p: np.ndarray, d: np.ndarray, w: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Weighted modified due date greedy (Kanet & Li): min max(p_j, d_j - t) / w_j."""
    n = p.shape[0]
    used = np.zeros(n, np.bool_)
    seq = np.empty(n, np.int64)
    t = 0
    for pos in range(n):
        bj = -1
        bv = 0.0
        for j in range(n):
            if used[j]:
                continue
            slack = d[j] - t
            v = max(p[j], slack) / max(w[j], 1e-9)
            if bj < 0 or v < bv:
                bj = j
                bv = v
        used[bj] = True
        seq[pos] = bj
        t += p[bj]
    return seq


def _params(n: int) -> tuple[int, int, int, int]:
    """(restart_after, kick_min, kick_span, swap window) for n jobs.

    Tuned on wt100: kicks of 4..9 random swaps of jobs at most n/2 positions apart,
    restart from the best sequence after n/2 iterations without improvement."""
    return max(20, n // 2), 4, 6, max(2, n // 2)


def descent(
    seq: np.ndarray,
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    deadline: float = NO_DEADLINE,
) -> tuple[np.ndarray, int]:
    """Dynasearch descent from ``seq`` to a local optimum (or until ``deadline``, a
    ``perf_counter`` time); returns (sequence, cost)."""
    s = np.array(seq, dtype=np.int64)
    return s, int(_descent(s, p, d, w, float(deadline)))


def _as_arrays(
    p: np.ndarray, d: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.ascontiguousarray(p, dtype=np.int64),
        np.ascontiguousarray(d, dtype=np.int64),
        np.ascontiguousarray(w, dtype=np.int64),
    )


def initial_sequence(
    p: np.ndarray, d: np.ndarray, w: np.ndarray, deadline: float = NO_DEADLINE
) -> tuple[np.ndarray, int]:
    """Best of EDD and WMDD after dynasearch descent (cut short at ``deadline``; ties go
    to EDD)."""
    n = p.shape[0]
    cands = [np.lexsort((np.arange(n), d)).astype(np.int64), wmdd(p, d, w)]
    best: tuple[np.ndarray, int] | None = None
    for s in cands:
        if best is not None and clock() >= deadline:
            break
        s2, c = descent(s, p, d, w, deadline)
        if best is None or c < best[1]:
            best = (s2, c)
    assert best is not None
    return best


def timed_initial_sequence(
    p: np.ndarray, d: np.ndarray, w: np.ndarray, deadline: float
) -> tuple[np.ndarray, int]:
    """The start of a run under a time limit: EDD, WMDD and ATC (k = 2, cut at a third of
    the time left, EDD for the rest), each descended by dynasearch in the order of their
    costs (best first) while time is left, the best kept (ties go to the earlier one).

    At a few thousand jobs a descent from EDD alone can take longer than a short time limit
    (n = 1000 and 5000 at 2 s), where ATC's sequence is already several times better; the
    untimed, work-limited runs keep :func:`initial_sequence`."""
    n = p.shape[0]
    rem = deadline - time.perf_counter()
    atc_seq, placed = atc_kernel(p, d, w, 2.0, time.perf_counter() + rem / 3.0)
    if placed < n:  # cut: the jobs left in EDD order
        seen = np.zeros(n, np.bool_)
        seen[atc_seq[:placed]] = True
        rest = np.lexsort((np.arange(n), d))
        atc_seq = np.concatenate((atc_seq[:placed], rest[~seen[rest]])).astype(np.int64)
    cands = [np.lexsort((np.arange(n), d)).astype(np.int64), wmdd(p, d, w), atc_seq]
    costs = [int(total_tardiness(p, d, w, s)) for s in cands]
    best: tuple[np.ndarray, int] | None = None
    for k in sorted(range(len(cands)), key=lambda i: (costs[i], i)):
        if best is not None and (clock() >= deadline or costs[k] == 0):
            break
        s2, c = descent(cands[k], p, d, w, deadline)
        if best is None or c < best[1]:
            best = (s2, c)
    assert best is not None
    return best


def ils_kicks(
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    n_iters: int,
    seed: int,
    initial: np.ndarray | None = None,
    target: float | None = None,
    deadline: float = NO_DEADLINE,
) -> tuple[np.ndarray, int, int]:
    """Deterministic ILS with a budget of ``n_iters`` kicks (kick + dynasearch descent);
    returns (best sequence, cost, kicks run).

    It runs fewer kicks when ``target`` is reached, and with ``deadline`` (a
    ``perf_counter`` time) the run is also cut short there; the kicks it does run are the
    same as without it (one seeded trajectory). The starting descent is not a kick."""
    p, d, w = _as_arrays(p, d, w)
    n = p.shape[0]
    if initial is None:
        cur, cc = initial_sequence(p, d, w, deadline)
    else:
        cur, cc = descent(np.asarray(initial, np.int64), p, d, w, deadline)
    best = cur.copy()
    if n < 2 or n_iters <= 0:
        return best, cc, 0
    rng = np.random.default_rng(seed)
    tgt = -1 if target is None else int(np.floor(target + 1e-9))
    params = _params(n)
    if math.isinf(deadline):
        _, bc, _, _, ran = _ils_batch(
            cur, cc, best, cc, p, d, w, rng, n_iters, tgt, 0, *params, NO_DEADLINE
        )
        return best, int(bc), int(ran)
    bc = cc
    stall = 0
    done_iters = 0
    while done_iters < n_iters and time.perf_counter() < deadline:
        cc, bc, stall, done, ran = _ils_batch(
            cur, cc, best, bc, p, d, w, rng, 1, tgt, stall, *params, float(deadline)
        )
        done_iters += ran
        if done:
            break
    return best, int(bc), done_iters


def ils_iterations(
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    n_iters: int,
    seed: int,
    initial: np.ndarray | None = None,
    target: float | None = None,
    deadline: float = NO_DEADLINE,
) -> tuple[np.ndarray, int]:
    """Deterministic ILS with an iteration budget; returns (best sequence, cost) (see
    :func:`ils_kicks`)."""
    best, cost, _ = ils_kicks(p, d, w, n_iters, seed, initial, target, deadline)
    return best, cost


def ils_solve(
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    time_limit: float,
    seed: int,
    log: Callable[[str], None] | None = None,
    initial: list[int] | None = None,
    target: float | None = None,
) -> list[int]:
    """Iterated dynasearch for 1||sum w_j T_j.

    Args:
        p, d, w: processing times, due dates (may be negative) and weights (integers).
        time_limit: wall-clock budget in seconds; the call returns within it (+ a few ms).
        seed: seed of the numpy ``Generator`` that drives the kicks (same seed, same
            iteration count => same trajectory).
        log: optional callback receiving progress messages.
        initial: optional starting sequence (0-based job indices); otherwise the best of
            EDD and WMDD after descent.
        target: stop as soon as a sequence with objective <= target is found.

    Returns:
        The best sequence found, as 0-based job indices in processing order.
    """
    t0 = time.perf_counter()
    p, d, w = _as_arrays(p, d, w)
    n = p.shape[0]
    if n == 0:
        return []
    deadline = t0 + time_limit
    if initial is None:
        cur, cc = timed_initial_sequence(p, d, w, deadline)
    else:
        cur, cc = descent(np.asarray(initial, np.int64), p, d, w, deadline)
    best = cur.copy()
    bc = cc
    tgt = -1 if target is None else int(np.floor(target + 1e-9))
    if log is not None:
        log(f"ils: n={n} initial cost {bc}")
    if n < 2 or bc <= tgt or bc == 0:
        return [int(x) for x in best]
    rng = np.random.default_rng(seed)
    batch = 1
    stall = 0
    params = _params(n)
    slice_s = min(0.02, max(0.002, time_limit / 50.0))
    while True:
        tb = time.perf_counter()
        if clock() >= deadline:
            break
        cc, bc, stall, done, _ = _ils_batch(
            cur, cc, best, bc, p, d, w, rng, batch, tgt, stall, *params, float(deadline)
        )
        el = time.perf_counter() - tb
        if done or bc == 0:
            break
        # adapt batch size so one batch takes about slice_s and never overruns the deadline
        per_it = max(el / batch, 1e-7)
        remaining = deadline - time.perf_counter()
        batch = int(max(1, min(slice_s, remaining * 0.5) / per_it))
    if log is not None:
        log(f"ils: best cost {bc} after {time.perf_counter() - t0:.3f}s")
    return [int(x) for x in best]
