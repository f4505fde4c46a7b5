"""Exact SSDP solver and iterated dynasearch against a bitmask DP on small instances."""

from __future__ import annotations

import time

import numpy as np
import pytest

from schedlab.families.smtt.methods._ils import ils_solve
from schedlab.families.smtt.methods._ssdp import exact_solve


def _in(seconds: float) -> float:
    """The deadline ``seconds`` from now."""
    return time.perf_counter() + seconds


def _cost(seq: list[int], p: np.ndarray, d: np.ndarray, w: np.ndarray) -> int:
    t = 0
    s = 0
    for j in seq:
        t += int(p[j])
        s += int(w[j]) * max(0, t - int(d[j]))
    return s


def _bitmask_opt(p: np.ndarray, d: np.ndarray, w: np.ndarray) -> int:
    """Classic O(2^n n) DP: best[S] = min over last job j in S of best[S-j] + f_j(p(S))."""
    n = len(p)
    size = 1 << n
    best = np.full(size, np.iinfo(np.int64).max // 4, dtype=np.int64)
    best[0] = 0
    psum = np.zeros(size, dtype=np.int64)
    for s in range(1, size):
        low = (s & -s).bit_length() - 1
        psum[s] = psum[s & (s - 1)] + p[low]
    for s in range(1, size):
        t = int(psum[s])
        b = best[s]
        m = s
        while m:
            low = m & -m
            j = low.bit_length() - 1
            m ^= low
            v = best[s ^ low] + int(w[j]) * max(0, t - int(d[j]))
            if v < b:
                b = v
        best[s] = b
    return int(best[size - 1])


def _instance(rng: np.random.Generator, n: int, kind: str):
    p = rng.integers(1, 101, n)
    P = int(p.sum())
    tf = rng.choice([0.2, 0.4, 0.6, 0.8, 1.0])
    rdd = rng.choice([0.2, 0.4, 0.6, 0.8, 1.0])
    lo = int(P * (1 - tf - rdd / 2))
    hi = int(P * (1 - tf + rdd / 2))
    d = rng.integers(lo, hi + 1, n)
    if kind == "unweighted":
        w = np.ones(n, dtype=np.int64)
    elif kind == "loose":  # everything can be on time
        d = d + P
        w = rng.integers(1, 11, n)
    elif kind == "negative":
        d = d - P // 2
        w = rng.integers(1, 11, n)
    elif kind == "zeros":  # zero weights and zero processing times
        w = rng.integers(0, 4, n)
        p[rng.random(n) < 0.2] = 0
    else:
        w = rng.integers(1, 11, n)
    return p.astype(np.int64), d.astype(np.int64), w.astype(np.int64)


CASES = [
    (seed, n, kind)
    for seed, (n, kind) in enumerate(
        [
            (n, k)
            for k in ("weighted", "unweighted", "negative", "loose", "zeros")
            for n in (1, 2, 5, 8, 10, 11)
        ]
        + [(12, "weighted"), (12, "unweighted"), (12, "weighted"), (12, "unweighted")]
    )
]


@pytest.mark.parametrize("seed,n,kind", CASES)
def test_exact_matches_bitmask_dp(seed: int, n: int, kind: str) -> None:
    rng = np.random.default_rng(1000 + seed)
    p, d, w = _instance(rng, n, kind)
    opt = _bitmask_opt(p, d, w)
    seq, obj, lb, proven = exact_solve(p, d, w, _in(20.0))
    assert seq is not None
    assert sorted(seq) == list(range(n))
    assert obj == _cost(seq, p, d, w)
    assert proven
    assert obj == opt
    assert lb <= opt
    assert lb == obj


@pytest.mark.parametrize("seed", range(12))
def test_exact_many_small(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(5):
        n = int(rng.integers(3, 10))
        kind = ["weighted", "unweighted", "negative"][int(rng.integers(0, 3))]
        p, d, w = _instance(rng, n, kind)
        opt = _bitmask_opt(p, d, w)
        seq, obj, lb, proven = exact_solve(p, d, w)
        assert proven and obj == opt and lb == opt
        assert sorted(seq) == list(range(n))


def test_exact_time_limit_returns_valid_bound() -> None:
    rng = np.random.default_rng(7)
    p, d, w = _instance(rng, 12, "weighted")
    opt = _bitmask_opt(p, d, w)
    seq, obj, lb, proven = exact_solve(p, d, w, _in(0.0))
    assert seq is not None and sorted(seq) == list(range(12))
    assert obj == _cost(seq, p, d, w) >= opt
    assert lb <= opt
    if proven:
        assert obj == opt


@pytest.mark.parametrize("seed", range(6))
def test_ils_valid_and_not_below_optimum(seed: int) -> None:
    rng = np.random.default_rng(500 + seed)
    n = 10
    kind = ["weighted", "unweighted", "negative"][seed % 3]
    p, d, w = _instance(rng, n, kind)
    opt = _bitmask_opt(p, d, w)
    seq = ils_solve(p, d, w, time_limit=0.2, seed=seed)
    assert sorted(seq) == list(range(n))
    assert _cost(seq, p, d, w) >= opt
    seq2 = ils_solve(p, d, w, time_limit=0.5, seed=seed, target=opt)
    assert _cost(seq2, p, d, w) == opt


@pytest.mark.parametrize("seed", range(8))
def test_bam_unweighted_matches_bitmask_dp(seed: int) -> None:
    """Lawler decomposition + memorisation (the unweighted path of exact_solve)."""
    from schedlab.families.smtt.methods._bam import bam_solve

    rng = np.random.default_rng(2000 + seed)
    for _ in range(25):
        n = int(rng.integers(1, 13))
        p, d, w = _instance(rng, n, "unweighted")
        p = np.maximum(p, 1)
        opt = _bitmask_opt(p, d, w)
        res = bam_solve(p, d)
        assert res is not None
        s, v = res
        assert sorted(s.tolist()) == list(range(n)) and v == opt == _cost(list(s), p, d, w)
        # with an upper bound: the optimum below it, or "nothing better" (empty sequence)
        ub = opt + int(rng.integers(0, 3))
        res = bam_solve(p, d, ub=ub)
        assert res is not None and res[1] == opt
        assert len(res[0]) == 0 or _cost(list(res[0]), p, d, w) == opt


def test_exact_unweighted_time_limit_honoured() -> None:
    import schedlab

    p, d, w = schedlab.read("instances/smtt/data_500_200.txt#40").arrays
    t0 = time.perf_counter()
    seq, obj, lb, proven = exact_solve(p, d, w, _in(0.5))
    assert time.perf_counter() - t0 < 0.8
    assert sorted(seq) == list(range(500)) and obj == _cost(seq, p, d, w) >= lb


@pytest.mark.parametrize("seed", range(10))
def test_exact_ties_and_on_time_blocks(seed: int) -> None:
    """Many equal p / w / d values and long runs of on-time jobs: the tie-breaking rank
    (due date first) must keep some optimal schedule feasible for every dominance rule."""
    rng = np.random.default_rng(3000 + seed)
    for _ in range(6):
        n = int(rng.integers(6, 12))
        p = rng.integers(1, 5, n).astype(np.int64)
        w = rng.integers(1, 4, n).astype(np.int64)
        P = int(p.sum())
        d = rng.integers(P // 3, P - 1, n).astype(np.int64)
        d[rng.random(n) < 0.3] = int(d[0])
        opt = _bitmask_opt(p, d, w)
        seq, obj, lb, proven = exact_solve(p, d, w)
        assert proven and obj == opt and lb == opt
        assert sorted(seq) == list(range(n)) and _cost(seq, p, d, w) == opt


@pytest.mark.parametrize("seed", range(4))
def test_exact_sublimation_stage_with_weak_multipliers(seed: int, monkeypatch) -> None:
    """Without subgradient steps in stages 1 and 2 the bound stays weak, so most of these
    instances are settled by the sublimation stage (stage 3)."""
    import schedlab.families.smtt.methods._ssdp as ssdp

    monkeypatch.setattr(ssdp, "S1_ITERS", 0)
    monkeypatch.setattr(ssdp, "S2_ITERS", 0)
    rng = np.random.default_rng(4000 + seed)
    stage3 = 0
    for _ in range(15):
        n = int(rng.integers(6, 12))
        p, d, w = _instance(rng, n, "weighted")
        msgs: list[str] = []
        seq, obj, lb, proven = exact_solve(p, d, w, log=msgs.append)
        stage3 += any("stage3" in m for m in msgs)
        opt = _bitmask_opt(p, d, w)
        assert proven and obj == opt and lb == opt
        assert sorted(seq) == list(range(n)) and _cost(seq, p, d, w) == opt
    assert stage3 > 0


@pytest.mark.parametrize("seed", range(2))
def test_exact_sublimation_shares_bit_positions(seed: int, monkeypatch) -> None:
    """With two bit positions only, memorised jobs whose completion windows do not overlap
    share one: every run is either proven optimal or says it ran out of positions (with a
    valid bound)."""
    import schedlab.families.smtt.methods._ssdp as ssdp

    monkeypatch.setattr(ssdp, "S1_ITERS", 0)
    monkeypatch.setattr(ssdp, "S2_ITERS", 0)
    monkeypatch.setattr(ssdp, "STATE_BITS", 2)
    rng = np.random.default_rng(7000 + seed)
    for _ in range(12):
        n = int(rng.integers(6, 12))
        p, d, w = _instance(rng, n, "weighted")
        info: dict[str, object] = {}
        seq, obj, lb, proven = exact_solve(p, d, w, info=info)
        opt = _bitmask_opt(p, d, w)
        assert sorted(seq) == list(range(n)) and _cost(seq, p, d, w) == obj
        assert lb <= opt <= obj
        if proven:
            assert obj == opt and "memory" not in info
        else:
            assert "bit positions" in str(info["memory"])


def test_exact_memory_short_says_so(monkeypatch) -> None:
    """A sublimation stage beyond the state limit: FEASIBLE, the best sequence and bound,
    and the reason in Result.info["memory"]."""
    import schedlab
    import schedlab.families.smtt.methods._ssdp as ssdp
    from schedlab.families.smtt.model import Instance

    monkeypatch.setattr(ssdp, "MAX_STATES", 1)
    inst = Instance(p=list(ssdp._STAGE3_P), d=list(ssdp._STAGE3_D), w=list(ssdp._STAGE3_W))
    res = schedlab.solve(inst, "exact")
    assert res.status == schedlab.Status.FEASIBLE
    assert "states" in res.info["memory"]
    assert res.bound is not None and res.bound <= res.objective
