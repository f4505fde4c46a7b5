"""smtt methods: hand-worked rule cases, the checker on every method, exact methods vs dp."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedlab
from schedlab import SolveError, Status
from schedlab.api import pick_auto
from schedlab.families.smtt.generate import generate
from schedlab.families.smtt.methods import _rules as R
from schedlab.families.smtt.model import Instance


def seq(inst: Instance, method: str, **kw) -> list[int]:
    return schedlab.solve(inst, method, **kw).solution["sequence"]


# p = (5, 1), d = (3, 4): EDD keeps 0 first (T = 2 + 2 = 4); MDD keys max(t+p, d) = 5 vs 4
# put job 1 first (T = 0 + 3 = 3); MDDC: mu(0) = 5.5*1.5 + 5/3 = 9.92, mu(1) = 4*1.0385 + 1/3
# = 4.49, so job 1 first too.
TWO = Instance(p=[5, 1], d=[3, 4])
# p = (3, 2, 1), d = (2, 6, 1), w = (1, 3, 1)
THREE = Instance(p=[3, 2, 1], d=[2, 6, 1], w=[1, 3, 1])


def test_edd_mdd_mddc_hand_worked():
    assert seq(TWO, "edd") == [0, 1]
    assert seq(TWO, "mdd") == [1, 0]
    assert seq(TWO, "mddc") == [1, 0]
    assert schedlab.solve(TWO, "edd").objective == 4
    assert schedlab.solve(TWO, "mdd").objective == 3


def test_three_job_rules_hand_worked():
    assert seq(THREE, "edd") == [2, 0, 1]
    assert seq(THREE, "spt") == [2, 1, 0]
    assert seq(THREE, "wspt") == [1, 2, 0]  # p/w = 3, 0.67, 1
    assert seq(THREE, "mdd") == [2, 0, 1]  # keys (3, 6, 1) -> 2; then (4, 6) -> 0
    # EDDC: (p, d) order 2, 1, 0 (C = 1, 3, 6); job 0 (d = 2) passes job 1 (d = 6 > C = 3).
    assert seq(THREE, "eddc") == [2, 0, 1]


def test_eddc_keeps_order_when_predecessor_is_late():
    # (p, d) order: 0 (p 1, d 9), 1 (p 5, d 1) -> C = 1, 6. Job 1 has the earlier due date,
    # and d of job 0 (9) > C(0) = 1, so job 1 moves ahead.
    assert seq(Instance(p=[1, 5], d=[9, 1]), "eddc") == [1, 0]
    # With d of job 0 = 1 <= C(0) = 1, no swap happens.
    assert seq(Instance(p=[1, 5], d=[1, 0]), "eddc") == [0, 1]


def test_atc_limits():
    inst = Instance(p=[4, 2, 3], d=[-100, -100, -100], w=[1, 3, 2])
    # every job is late: the exponential term is 1, ATC is WSPT
    assert seq(inst, "atc", k=2.0) == seq(inst, "wspt")
    with pytest.raises(SolveError, match="k must be positive"):
        schedlab.solve(inst, "atc", k=0)
    with pytest.raises(SolveError, match="no parameter"):
        schedlab.solve(inst, "edd", k=1)


def test_dp_matches_brute_force():
    for s in range(6):
        inst = generate(7, 0.6, 0.6, weighted=True, seed=s)
        best = min(inst.objective(p) for p in itertools.permutations(range(7)))
        r = schedlab.solve(inst, "dp")
        assert r.status is Status.OPTIMAL and r.objective == best and r.bound == best


def test_dp_refuses_large():
    with pytest.raises(SolveError, match="at most"):
        schedlab.solve(generate(30, 0.6, 0.6, seed=0), "dp")


instances = st.builds(
    lambda n, tf, rdd, weighted, seed: generate(n, tf, rdd, weighted, seed),
    st.integers(1, 9),
    st.sampled_from([0.2, 0.4, 0.6, 0.8, 1.0]),
    st.sampled_from([0.2, 0.6, 1.0]),
    st.booleans(),
    st.integers(0, 10_000),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances)
def test_every_method_checked_and_exact_agree_with_dp(inst):
    opt = schedlab.solve(inst, "dp").objective
    for m in schedlab.methods("smtt"):
        # ils without a time limit: its default budget of kicks (with one, it runs to it)
        r = schedlab.solve(inst, m.name, time_limit=None if m.name == "ils" else 10, seed=1)
        # the core re-checked the solution; recompute once more independently
        assert r.objective == inst.objective(r.solution["sequence"])
        assert r.objective >= opt
        if r.bound is not None:
            assert r.bound <= opt + 1e-6
        if m.exact:
            assert r.status is Status.OPTIMAL, m.name
            assert r.objective == opt, m.name


def test_ls_reaches_local_optimum_and_is_seeded():
    inst = schedlab.read("instances/smtt/wt40.txt#7")
    a = schedlab.solve(inst, "ls", seed=3)
    b = schedlab.solve(inst, "ls", seed=3)
    assert a.solution == b.solution and a.info["local_optimum"]
    assert a.objective <= min(schedlab.solve(inst, r).objective for r in ("edd", "mdd", "atc"))


def test_hint_is_used_and_checked():
    inst = generate(8, 0.6, 0.6, seed=2)
    opt = schedlab.solve(inst, "dp")
    r = schedlab.solve(inst, "ls", hint=opt.solution)
    assert r.objective == opt.objective and r.info["start"] == "hint"
    with pytest.raises(SolveError, match="hint rejected"):
        schedlab.solve(inst, "ls", hint={"sequence": [0, 0]})


def test_time_limit_is_honoured():
    inst = schedlab.read("instances/smtt/data_500_200.txt#57")
    for m in [m.name for m in schedlab.methods("smtt") if m.name not in ("dp",)]:
        if m.startswith("aug"):
            continue  # single-pass constructive rules without a limit
        # numba compiles a kernel once per installation (then caches it): not the solve's time
        schedlab.solve(generate(60, 0.6, 0.6, weighted=True, seed=0), m, time_limit=0.5)
        t0 = time.perf_counter()
        r = schedlab.solve(inst, m, time_limit=1.0, threads=1)
        wall = time.perf_counter() - t0
        assert wall < 1.5, (m, wall)
        assert r.solution is not None


def test_rules_reproduce_paper_gaps_on_a_slice(instances_dir):
    """The first 80 n=20 instances: EDD/MDD/MDDC never beat the optimum and hit it often."""
    hits = 0
    for k in range(1, 81):
        inst = schedlab.read(f"{instances_dir}/smtt/data_20_800_new_.txt#{k}")
        p, d, w = inst.arrays
        for rule in ("edd", "mdd", "mddc", "eddc"):
            v = inst.objective(R.RULES[rule](p, d, w))
            assert v >= inst.reference
            hits += v == inst.reference
    assert hits > 40


def test_auto_falls_back_to_a_method_that_fits():
    small = schedlab.solve(generate(8, 0.6, 0.6, seed=1))
    assert small.info["auto"] and small.status is Status.OPTIMAL
    big = schedlab.solve(generate(300, 0.6, 0.6, seed=1), time_limit=2)
    assert big.info["auto"] and big.solution is not None


def test_auto_without_time_limit_terminates_on_wt40(instances_dir):
    """The README's first command: `schedlab solve instances/smtt/wt40.txt#1` (no limit)."""
    t0 = time.perf_counter()
    r = schedlab.solve(f"{instances_dir}/smtt/wt40.txt#1")
    assert time.perf_counter() - t0 < 60 and r.solution is not None


def test_auto_picks_exact_where_it_finishes_and_ils_elsewhere():
    wt100 = generate(100, 0.6, 0.6, weighted=True, seed=3)
    un500 = generate(500, 0.6, 0.6, weighted=False, seed=3)
    w500 = generate(500, 0.6, 0.6, weighted=True, seed=3)
    assert pick_auto(wt100, 10).name == "exact"
    assert pick_auto(un500, 10).name == "exact"
    assert pick_auto(w500, 10).name == "ils"
    assert pick_auto(wt100, 1).name == "ils"
