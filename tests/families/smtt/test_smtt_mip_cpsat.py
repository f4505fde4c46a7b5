"""The exact MIP (positional, time-indexed) and CP-SAT methods against the subset DP."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedlab
from schedlab.core import SolveError, Status
from schedlab.families.smtt.generate import generate
from schedlab.families.smtt.methods._reductions import dominance_pairs, reduce_jobs, repair_order
from schedlab.families.smtt.model import Instance

WT40_1 = "instances/smtt/wt40.txt#1"

_settings = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _instance(n: int, tf: float, rdd: float, weighted: bool, seed: int) -> Instance:
    return generate(n, tf, rdd, weighted=weighted, seed=seed)


instances = st.builds(
    _instance,
    n=st.integers(2, 10),
    tf=st.sampled_from([0.2, 0.4, 0.6, 0.8]),
    rdd=st.sampled_from([0.2, 0.6, 1.0]),
    weighted=st.booleans(),
    seed=st.integers(0, 10_000),
)


def _agrees(inst: Instance, method: str, **params: object) -> None:
    opt = schedlab.solve(inst, "dp")
    res = schedlab.solve(inst, method, time_limit=30, **params)  # checked by the core
    assert res.status is Status.OPTIMAL
    assert res.objective == opt.objective
    assert res.bound is not None and res.bound <= opt.objective


@_settings
@given(instances)
def test_cpsat_matches_dp(inst: Instance) -> None:
    _agrees(inst, "cpsat")


@_settings
@given(instances)
def test_mip_positional_matches_dp(inst: Instance) -> None:
    _agrees(inst, "mip")


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.builds(
        _instance,
        n=st.integers(2, 6),
        tf=st.sampled_from([0.4, 0.8]),
        rdd=st.sampled_from([0.2, 0.6]),
        weighted=st.booleans(),
        seed=st.integers(0, 10_000),
    )
)
def test_mip_time_indexed_matches_dp(inst: Instance) -> None:
    _agrees(inst, "mip", formulation="time-indexed")


def test_mip_without_reductions_matches_dp() -> None:
    inst = generate(8, 0.6, 0.2, weighted=True, seed=11)
    _agrees(inst, "mip", reductions=False)


def test_zero_length_and_never_tardy_jobs() -> None:
    # job 0 has p = 0 and a negative due date; job 3 can never be tardy
    inst = Instance(p=[0, 5, 3, 4, 6], d=[-2, 4, 3, 100, 7], w=[3, 2, 1, 1, 4])
    red = reduce_jobs(inst)
    assert red.head == (0,) and red.tail == (3,) and red.offset == 6
    for method, params in (
        ("cpsat", {}),
        ("mip", {}),
        ("mip", {"formulation": "time-indexed"}),
    ):
        _agrees(inst, method, **params)


def test_fixed_jobs_do_not_break_the_cpsat_hint() -> None:
    # dominance fixes several jobs' times; CP-SAT then shares variables between constants
    inst = Instance(p=[17, 52, 41, 43, 60], d=[52, 72, 6, 35, 0])
    _agrees(inst, "cpsat")
    _agrees(inst, "mip")


def test_repair_order_never_worsens_and_respects_dominance() -> None:
    inst = generate(12, 0.6, 0.4, weighted=True, seed=5)
    seq = list(range(12))[::-1]
    fixed = repair_order(inst, seq)
    assert sorted(fixed) == seq[::-1]
    assert inst.objective(fixed) <= inst.objective(seq)
    pos = {j: k for k, j in enumerate(fixed)}
    assert all(pos[i] < pos[j] for i, j in dominance_pairs(inst, list(range(12))))


def test_hint_is_used_and_bound_reported() -> None:
    inst = generate(9, 0.6, 0.6, weighted=True, seed=3)
    opt = schedlab.solve(inst, "dp")
    for method in ("cpsat", "mip"):
        res = schedlab.solve(inst, method, hint=opt.solution, time_limit=30)
        assert res.objective == opt.objective
        assert res.info["start"] == "hint"


def test_time_indexed_refuses_long_horizons() -> None:
    inst = Instance(p=[3000, 2500, 10], d=[1, 2, 3])
    with pytest.raises(SolveError, match="horizon"):
        schedlab.solve(inst, "mip", formulation="time-indexed")
    with pytest.raises(SolveError, match="formulation"):
        schedlab.solve(inst, "mip", formulation="nope")


def test_logs_go_through_the_callback(capfd: pytest.CaptureFixture[str]) -> None:
    inst = generate(7, 0.6, 0.6, weighted=True, seed=1)
    for method in ("cpsat", "mip"):
        lines: list[str] = []
        schedlab.solve(inst, method, log=lines.append)
        assert len(lines) > 5
        schedlab.solve(inst, method)
    out = capfd.readouterr()
    assert out.out == "" and out.err == ""


@pytest.mark.parametrize("method", ["cpsat", "mip"])
@pytest.mark.parametrize("address", [WT40_1, "instances/smtt/wt40.txt#2"])
def test_time_limit_on_wt40(method: str, address: str) -> None:
    schedlab.solve(generate(5, 0.6, 0.6, seed=0), method)  # warm the imports up
    t0 = time.perf_counter()
    res = schedlab.solve(address, method, time_limit=1.0, threads=2)
    wall = time.perf_counter() - t0
    assert wall < 1.5
    assert res.status in (Status.FEASIBLE, Status.OPTIMAL)
    assert res.bound is not None and res.bound <= res.objective


def test_auto_priorities() -> None:
    small = generate(12, 0.6, 0.6, weighted=True)
    mid = generate(30, 0.6, 0.6, weighted=True)
    methods = {m.name: m for m in schedlab.methods("smtt")}
    assert methods["mip"].auto is not None and methods["cpsat"].auto is not None
    assert methods["mip"].auto(small, 10.0) is not None
    assert methods["mip"].auto(mid, 10.0) is None
    assert methods["cpsat"].auto(mid, 10.0) is not None
    # without a time limit auto must pick a method that terminates
    assert methods["cpsat"].auto(mid, None) is None and methods["mip"].auto(small, None) is None
    assert methods["mip"].engine == "highs" and methods["cpsat"].engine == "ortools"
    assert methods["mip"].exact and methods["cpsat"].exact
