"""Unweighted 1||sum T_j by Lawler's decomposition (schedlab.families.smtt.methods._bam)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from schedlab.engines.jit import NO_DEADLINE
from schedlab.families.smtt.methods import _bam


def _cost(seq, p, d) -> int:
    c = np.cumsum(p[np.asarray(seq, dtype=np.int64)])
    return int(np.maximum(0, c - d[np.asarray(seq, dtype=np.int64)]).sum())


def _subset_dp(p, d) -> int:
    n = len(p)
    full = (1 << n) - 1
    best = [0] + [1 << 60] * full
    tot = [0] * (full + 1)
    for s in range(1, full + 1):
        low = s & -s
        tot[s] = tot[s ^ low] + int(p[low.bit_length() - 1])
        c = tot[s]
        for j in range(n):
            if s >> j & 1:
                v = best[s ^ (1 << j)] + max(0, c - int(d[j]))
                if v < best[s]:
                    best[s] = v
    return best[full]


def _random(rng, n):
    p = rng.integers(1, 4 if rng.random() < 0.3 else 25, n)  # small p: many ties
    tot = int(p.sum())
    lo, hi = sorted(rng.uniform(-0.2, 1.1, 2))
    d = rng.integers(int(tot * lo), int(tot * hi) + 1, n)
    return p.astype(np.int64), d.astype(np.int64)


@pytest.mark.parametrize("seed", range(6))
def test_range_and_point_searches_match_subset_dp(seed: int) -> None:
    rng = np.random.default_rng(7000 + seed)
    for _ in range(30):
        n = int(rng.integers(1, 12))
        p, d = _random(rng, n)
        opt = _subset_dp(p, d)
        r = _bam._range_solve(p, d, NO_DEADLINE)
        assert not isinstance(r, str) and r is not None
        assert sorted(r[0].tolist()) == list(range(n)) and r[1] == opt == _cost(r[0], p, d)
        q = _bam._point_solve(p, d, NO_DEADLINE, None)
        assert q is not None and q[1] == opt == _cost(q[0], p, d)


@pytest.mark.parametrize("seed", range(3))
def test_range_search_matches_point_search_on_larger_instances(seed: int) -> None:
    rng = np.random.default_rng(7100 + seed)
    for _ in range(10):
        n = int(rng.integers(20, 60))
        p, d = _random(rng, n)
        r = _bam._range_solve(p, d, NO_DEADLINE)
        q = _bam._point_solve(p, d, NO_DEADLINE, None)
        assert r[1] == q[1] == _cost(r[0], p, d)


def test_cell_budget_falls_back_to_point_search() -> None:
    rng = np.random.default_rng(7200)
    for _ in range(20):
        n = int(rng.integers(8, 12))
        p, d = _random(rng, n)
        opt = _subset_dp(p, d)
        r = _bam._range_solve(p, d, NO_DEADLINE, cell_budget=int(rng.integers(0, 5)))
        if isinstance(r, str):
            r = _bam._point_solve(p, d, NO_DEADLINE, None)
        assert r[1] == opt == _cost(r[0], p, d)


def test_range_search_honours_deadline() -> None:
    import schedlab

    p, d, _ = schedlab.read("instances/smtt/data_500_200.txt#27").arrays
    t0 = time.perf_counter()
    r = _bam._range_solve(np.asarray(p, np.int64), np.asarray(d, np.int64), t0 + 0.05)
    assert r is None  # a hard instance: not solved in 50 ms
    assert time.perf_counter() - t0 < 0.5
