"""The dispatching rules of 1||Σ w_j T_j as pure functions of numpy arrays.

Each returns a processing order (a list of 0-based job indices). Definitions follow
Çetinkaya et al. (2025) where they define a rule (EDD, EDDC, MDD, MDDC and the augmented
variants) and Vepsalainen & Morton (1987) for ATC.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from ....engines.jit import NO_DEADLINE, clock
from ._kernels import atc_kernel, best_move_to_end, total_tardiness

#: The rules that build a sequence job by job take a ``deadline`` (an absolute
#: ``time.perf_counter()`` value, :data:`~schedlab.engines.jit.NO_DEADLINE` for none); once it
#: passes, the jobs not yet placed follow in EDD order (ties by index), so a rule stopped by a
#: time limit still returns a complete, feasible sequence. Checked every :data:`CHECK_EVERY`
#: appends.
CHECK_EVERY = 16


def _edd_rest(seq: list[int], n: int, d: np.ndarray) -> list[int]:
    """``seq`` followed by the jobs it lacks in EDD order (ties by index)."""
    placed = np.zeros(n, dtype=bool)
    placed[np.asarray(seq, dtype=np.int64)] = True
    rest = [j for j in range(n) if not placed[j]]
    rest.sort(key=lambda j: (d[j], j))
    return [*seq, *rest]


def _late(step: int, deadline: float) -> bool:
    return deadline != NO_DEADLINE and step % CHECK_EVERY == 0 and clock() >= deadline


def spt(p: np.ndarray, d: np.ndarray, w: np.ndarray, deadline: float = NO_DEADLINE) -> list[int]:
    """Shortest processing time first; ties by job index. (One sort: ``deadline`` is not needed.)"""
    return sorted(range(len(p)), key=lambda j: (p[j], j))


def edd(p: np.ndarray, d: np.ndarray, w: np.ndarray, deadline: float = NO_DEADLINE) -> list[int]:
    """Earliest due date first; ties by job index. (One sort: ``deadline`` is not needed.)"""
    return sorted(range(len(p)), key=lambda j: (d[j], j))


def wspt(p: np.ndarray, d: np.ndarray, w: np.ndarray, deadline: float = NO_DEADLINE) -> list[int]:
    """Smith's rule: largest w/p first (zero-weight jobs last); ties by job index. (One sort: ``deadline`` is not needed.)"""

    def key(j: int) -> tuple[float, int]:
        if w[j] == 0:
            return (math.inf, j)
        return (p[j] / w[j], j)

    return sorted(range(len(p)), key=key)


def _mdd_next(p: np.ndarray, d: np.ndarray, cand: np.ndarray, t: int) -> int:
    """The candidate with the smallest max(t + p_j, d_j) (the first on ties)."""
    return int(cand[int(np.argmin(np.maximum(t + p[cand], d[cand])))])


def mdd(p: np.ndarray, d: np.ndarray, w: np.ndarray, deadline: float = NO_DEADLINE) -> list[int]:
    """Modified due date (Baker & Bertrand): repeatedly append the job with the smallest
    max(t + p_j, d_j); ties by job index. (Cut at ``deadline``: EDD for the rest.)"""
    n = len(p)
    left = np.ones(n, dtype=bool)
    t = 0
    seq: list[int] = []
    idx = np.arange(n)
    for step in range(n):
        if _late(step, deadline):
            return _edd_rest(seq, n, d)
        j = _mdd_next(p, d, idx[left], t)
        seq.append(j)
        left[j] = False
        t += int(p[j])
    return seq


def eddc(p: np.ndarray, d: np.ndarray, w: np.ndarray, deadline: float = NO_DEADLINE) -> list[int]:
    """EDD Challenger: from the (p, d)-sorted order, move jobs with earlier due dates forward
    past jobs that would still finish early. (Cut at ``deadline``: the jobs not yet
    challenged follow in EDD order.)"""
    n = len(p)
    s = sorted(range(n), key=lambda j: (p[j], d[j], j))
    c = np.cumsum(p[np.asarray(s, dtype=np.int64)]).tolist()  # c[k]: completion of s[k]
    for i in range(1, n):
        if _late(i - 1, deadline):
            return _edd_rest(s[:i], n, d)
        j = i
        while j > 0 and d[s[j]] < d[s[j - 1]]:
            if d[s[j - 1]] > c[j - 1]:
                s[j], s[j - 1] = s[j - 1], s[j]
                c[j - 1] = (c[j - 2] if j >= 2 else 0) + int(p[s[j - 1]])
            j -= 1
    return s


def _mddc_key(p: np.ndarray, d: np.ndarray, cand: np.ndarray, t: int) -> np.ndarray:
    pc = p[cand].astype(np.float64)
    mu = np.maximum(1.1 * pc + t, d[cand].astype(np.float64))
    rho = np.minimum(pc / (t + pc.max()), 1.0)
    mu = mu * (1.0 + rho**2 / (1.0 + rho**2))
    return np.asarray(mu + pc / (t + pc.mean()))


def mddc(p: np.ndarray, d: np.ndarray, w: np.ndarray, deadline: float = NO_DEADLINE) -> list[int]:
    """MDD Challenger (Çetinkaya et al. 2025): a modified-due-date key with penalties for
    long jobs; candidates kept in EDD order (ties by p) and the first wins ties. (Cut at
    ``deadline``: EDD for the rest.)"""
    order = sorted(range(len(p)), key=lambda j: (d[j], p[j], j))
    left = list(order)
    t = 0
    seq: list[int] = []
    while left:
        if _late(len(seq), deadline):
            return _edd_rest(seq, len(p), d)
        cand = np.asarray(left, dtype=np.int64)
        k = int(np.argmin(_mddc_key(p, d, cand, t)))
        j = left.pop(k)
        seq.append(j)
        t += int(p[j])
    return seq


def augment(
    seq_rule: str, p: np.ndarray, d: np.ndarray, w: np.ndarray, deadline: float = NO_DEADLINE
) -> list[int]:
    """Augmented MDD / MDDC: after each append, try moving each earlier job of the partial
    sequence to its end and keep the single best move if it lowers the partial tardiness.
    (Cut at ``deadline``: EDD for the rest.)"""
    n = len(p)
    left = sorted(range(n), key=lambda j: (d[j], p[j], j)) if seq_rule == "mddc" else None
    remaining = np.ones(n, dtype=bool)
    idx = np.arange(n)
    p64, d64, w64 = (np.ascontiguousarray(a, dtype=np.int64) for a in (p, d, w))
    arr = np.empty(n, dtype=np.int64)
    t = 0
    seq: list[int] = []
    while len(seq) < n:
        if _late(len(seq), deadline):
            return _edd_rest(seq, n, d)
        if seq_rule == "mddc":
            assert left is not None
            cand = np.asarray(left, dtype=np.int64)
            j = left.pop(int(np.argmin(_mddc_key(p, d, cand, t))))
        else:
            j = _mdd_next(p, d, idx[remaining], t)
        remaining[j] = False
        t += int(p[j])
        seq.append(j)
        arr[: len(seq)] = seq
        k, _ = best_move_to_end(p64, d64, w64, arr, len(seq))
        if k >= 0:
            seq.append(seq.pop(k))
    return seq


def aug_mdd(
    p: np.ndarray, d: np.ndarray, w: np.ndarray, deadline: float = NO_DEADLINE
) -> list[int]:
    """Augmented MDD."""
    return augment("mdd", p, d, w, deadline)


def aug_mddc(
    p: np.ndarray, d: np.ndarray, w: np.ndarray, deadline: float = NO_DEADLINE
) -> list[int]:
    """Augmented MDDC."""
    return augment("mddc", p, d, w, deadline)


def atc(
    p: np.ndarray, d: np.ndarray, w: np.ndarray, k: float = 2.0, deadline: float = NO_DEADLINE
) -> list[int]:
    """Apparent tardiness cost (Vepsalainen & Morton): at time t append the job maximising
    (w_j / p_j) exp(-max(0, d_j - p_j - t) / (k * p_bar)), p_bar the mean remaining p (a
    compiled kernel, :func:`._kernels.atc_kernel`; cut at ``deadline``: EDD for the rest)."""
    n = len(p)
    p64, d64, w64 = (np.ascontiguousarray(a, dtype=np.int64) for a in (p, d, w))
    seq, placed = atc_kernel(p64, d64, w64, float(k), float(deadline))
    out = [int(j) for j in seq[:placed]]
    return out if placed == n else _edd_rest(out, n, d)


RULES = {
    "spt": spt,
    "edd": edd,
    "wspt": wspt,
    "mdd": mdd,
    "eddc": eddc,
    "mddc": mddc,
    "aug-mdd": aug_mdd,
    "aug-mddc": aug_mddc,
}


def best_rule(
    p: np.ndarray, d: np.ndarray, w: np.ndarray, deadline: float = NO_DEADLINE
) -> tuple[str, list[int], int]:
    """Run the fast rules and ATC (k in 0.5..3) and return the best (name, sequence, value).

    With a ``deadline``, EDD always runs; then ATC (k = 2, usually the best at size) and
    the others in turn while time is left, a rule cut by the deadline completed by EDD (see
    :data:`CHECK_EVERY`); without one, every rule runs to its end."""
    best: tuple[str, list[int], int] | None = None
    if deadline == NO_DEADLINE:
        cands = [(name, f(p, d, w)) for name, f in RULES.items() if not name.startswith("aug")]
        cands += [(f"atc(k={k})", atc(p, d, w, k)) for k in (0.5, 1.0, 2.0, 3.0)]
    else:
        cands = [("edd", edd(p, d, w))]
        runs: list[tuple[str, Callable[[], list[int]]]] = [
            ("atc(k=2.0)", lambda: atc(p, d, w, 2.0, deadline)),
            *[
                (name, functools.partial(f, p, d, w, deadline))
                for name, f in RULES.items()
                if name != "edd" and not name.startswith("aug")
            ],
            *[
                (f"atc(k={k})", functools.partial(atc, p, d, w, k, deadline))
                for k in (0.5, 1.0, 3.0)
            ],
        ]
        for name, run in runs:
            if clock() >= deadline:
                break
            cands.append((name, run()))
    for name, seq in cands:
        val = int(total_tardiness(p, d, w, np.asarray(seq, dtype=np.int64)))
        if best is None or val < best[2]:
            best = (name, seq, val)
    assert best is not None
    return best
