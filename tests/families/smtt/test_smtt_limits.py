"""Time limits at size (issue #19, item 3): every smtt method checks its deadline in every
phase (rules, dominance pairs, model building, descents) and returns within the limit plus
0.5 s with a checked sequence; a rule cut by its deadline completes its sequence in EDD
order. The sizes here are small enough for a test and large enough that the limits cut
the loops (the measured n = 5000 table is in the report of the issue)."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest

import schedlab
from schedlab import InstanceError
from schedlab.families.smtt.methods import _ils, _reductions, _rules
from schedlab.families.smtt.methods._kernels import ls_pass

MARGIN = 0.5
CUT_RULES = ["mdd", "eddc", "mddc", "aug-mdd", "aug-mddc"]


@pytest.fixture(scope="module")
def big() -> schedlab.Instance:
    return schedlab.generate("smtt", n=1500, tf=0.6, rdd=0.6, weighted=True, seed=1)


def _edd_tail_after(seq: list[int], d: np.ndarray, k: int) -> bool:
    tail = seq[k:]
    return tail == sorted(tail, key=lambda j: (d[j], j))


@pytest.mark.parametrize("rule", [*CUT_RULES, "atc"])
def test_a_rule_past_its_deadline_is_edd(rule: str) -> None:
    inst = schedlab.generate("smtt", n=60, tf=0.6, rdd=0.6, weighted=True, seed=3)
    p, d, w = inst.arrays
    f = _rules.RULES.get(rule)
    seq = _rules.atc(p, d, w, 2.0, 0.0) if f is None else f(p, d, w, 0.0)
    assert sorted(seq) == list(range(inst.n))
    if rule == "eddc":  # its first job (shortest) is placed before any challenge
        assert _edd_tail_after(seq, d, 1) and p[seq[0]] == p.min()
    else:  # cut before its first step: EDD for every job
        assert seq == _rules.edd(p, d, w)
    full = _rules.atc(p, d, w, 2.0) if f is None else f(p, d, w)
    assert full != seq  # the instance is one where the rule differs from EDD


def test_a_rule_cut_midway_keeps_its_prefix(big: schedlab.Instance) -> None:
    """Cut at a third of the rule's own time (measured here: a fixed 0.05 s outlasted the
    whole rule, 0.04 s, on a fast machine)."""
    p, d, w = big.arrays
    _rules.mddc(p, d, w)
    t0 = time.perf_counter()
    full = _rules.mddc(p, d, w)
    third = (time.perf_counter() - t0) / 3
    t0 = time.perf_counter()
    cut = _rules.mddc(p, d, w, time.perf_counter() + third)
    assert time.perf_counter() - t0 < third + MARGIN
    assert sorted(cut) == list(range(big.n))
    k = next(i for i, (a, b) in enumerate(zip(cut, full, strict=True)) if a != b)
    assert 0 < k < big.n
    assert _edd_tail_after(cut, d, k)


def test_best_rule_honours_its_deadline(big: schedlab.Instance) -> None:
    p, d, w = big.arrays
    t0 = time.perf_counter()
    name, seq, val = _rules.best_rule(p, d, w, time.perf_counter() + 0.05)
    assert time.perf_counter() - t0 < 0.05 + MARGIN
    assert sorted(seq) == list(range(big.n)) and val == big.objective(seq)
    assert val <= big.objective(_rules.edd(p, d, w))


def test_dominance_pairs_stop_at_the_deadline(big: schedlab.Instance) -> None:
    jobs = list(range(big.n))
    assert _reductions.dominance_pairs(big, jobs, 0.0) is None
    small = list(range(40))
    assert _reductions.dominance_pairs(big, small, math.inf) == _reductions.dominance_pairs(
        big, small
    )


def test_ls_pass_and_dynasearch_stop_at_the_deadline(big: schedlab.Instance) -> None:
    p, d, w = (np.ascontiguousarray(a, dtype=np.int64) for a in big.arrays)
    seq = np.asarray(_rules.edd(p, d, w), dtype=np.int64)
    before = seq.copy()
    assert ls_pass(p, d, w, seq, 0, 0.0) == -1
    assert np.array_equal(seq, before)
    t0 = time.perf_counter()
    s, c = _ils.descent(seq, p, d, w, time.perf_counter() + 0.05)
    assert time.perf_counter() - t0 < 0.05 + MARGIN
    assert sorted(s.tolist()) == list(range(big.n)) and c == big.objective(s.tolist())


@pytest.mark.parametrize(
    "method", ["ils", "ls", "exact", "cpsat", "mip", "atc", *CUT_RULES, "auto"]
)
def test_every_method_holds_a_short_limit(big: schedlab.Instance, method: str) -> None:
    limit = 0.3
    res = schedlab.solve(big, method, time_limit=limit)
    assert res.runtime_s < limit + MARGIN, (method, res.runtime_s)
    assert res.status in (schedlab.Status.FEASIBLE, schedlab.Status.OPTIMAL)
    assert res.objective is not None


def test_timed_ils_starts_at_least_as_well_as_atc() -> None:
    inst = schedlab.generate("smtt", n=400, tf=0.6, rdd=0.6, weighted=True, seed=2)
    p, d, w = inst.arrays
    res = schedlab.solve(inst, "ils", time_limit=0.3)
    assert res.objective is not None
    assert res.objective <= inst.objective(_rules.atc(p, d, w, 2.0))


def test_a_set_whose_instance_has_no_jobs_is_an_instance_error(tmp_path: Path) -> None:
    path = tmp_path / "set0.txt"
    path.write_text("1 0\n1 0.2 0.2 1 0\n\n\n")
    with pytest.raises(InstanceError, match="at least 1"):
        schedlab.read(str(path), family="smtt")
