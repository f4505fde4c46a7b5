"""Seeded random smtt instances (Potts & Van Wassenhove's scheme)."""

from __future__ import annotations

import numpy as np

from ...core.errors import InstanceError
from .model import Instance


def generate(
    n: int, tf: float, rdd: float, weighted: bool = False, seed: int = 0, name: str | None = None
) -> Instance:
    """Potts & Van Wassenhove's scheme: p ~ U[1,100], d ~ U[P(1-TF-RDD/2), P(1-TF+RDD/2)]
    (integers, P = Σp), and w ~ U[1,10] when weighted.

    Args:
        n: number of jobs (at least 1).
        tf: tardiness factor in [0, 1].
        rdd: range of due dates in [0, 1].
        weighted: draw weights (otherwise the instance is unweighted).
        seed: the random seed (same arguments and seed, same instance).
        name: the instance's name (default: from the arguments).
    """
    for key, v in (("n", n), ("seed", seed)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer):
            raise InstanceError(f"{key} must be an integer, got {v!r}")
    if n < 1:
        raise InstanceError("n must be at least 1")
    if seed < 0:
        raise InstanceError(f"seed must be non-negative, got {seed}")
    for key, x in (("tf", tf), ("rdd", rdd)):
        if isinstance(x, bool) or not isinstance(x, int | float | np.integer | np.floating):
            raise InstanceError(f"{key} must be a number, got {x!r}")
    if not 0 <= tf <= 1 or not 0 <= rdd <= 1:
        raise InstanceError("tf and rdd must lie in [0, 1]")
    rng = np.random.default_rng(seed)
    p = rng.integers(1, 101, size=n)
    total = int(p.sum())
    lo = int(round(total * (1 - tf - rdd / 2)))
    hi = int(round(total * (1 - tf + rdd / 2)))
    d = rng.integers(lo, hi + 1, size=n)
    w = rng.integers(1, 11, size=n) if weighted else None
    label = name or f"smtt_n{n}_tf{tf}_rdd{rdd}{'_w' if weighted else ''}_s{seed}"
    return Instance(p=p.tolist(), d=d.tolist(), w=None if w is None else w.tolist(), name=label)
