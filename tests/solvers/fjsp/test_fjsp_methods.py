"""fjsp methods: every result goes through the model's checker (``api.solve`` does that)."""

from __future__ import annotations

from pathlib import Path

import pytest

from schedlab.core import SolveError, Status, api
from schedlab.models import fjsp

MK = Path(__file__).resolve().parents[3] / "instances" / "fjsp"
RULES = ["spt", "mor", "mwkr", "lwkr", "fifo"]


@pytest.fixture(scope="module")
def mk01() -> fjsp.Instance:
    return api.read(MK / "mk01.fjs")


@pytest.fixture(scope="module")
def small() -> fjsp.Instance:
    return fjsp.generate(6, 4, 12, seed=3)


@pytest.mark.parametrize("method", RULES + ["random"])
def test_rules_checked(mk01: fjsp.Instance, method: str) -> None:
    res = api.solve(mk01, method, time_limit=5)
    assert res.status is Status.FEASIBLE
    assert res.objective == mk01.check(res.solution) >= 40


def test_random_is_seeded(mk01: fjsp.Instance) -> None:
    a = api.solve(mk01, "random", seed=7, iterations=20)
    b = api.solve(mk01, "random", seed=7, iterations=20)
    assert a.solution == b.solution
    with pytest.raises(SolveError):
        api.solve(mk01, "random", iterations=0)


def test_cpsat_proves_mk01(mk01: fjsp.Instance) -> None:
    res = api.solve(mk01, "cpsat", time_limit=20, threads=2)
    assert res.status is Status.OPTIMAL and res.objective == 40 and res.bound == 40


def test_cpsat_reports_a_bound(small: fjsp.Instance) -> None:
    res = api.solve(small, "cpsat", time_limit=2)
    assert res.bound is not None and res.bound <= res.objective


def test_lns_reaches_mk01_optimum(mk01: fjsp.Instance) -> None:
    res = api.solve(mk01, "lns", time_limit=10, threads=2, cp_share=0.0)
    assert res.objective <= 42
    res = api.solve(mk01, "lns", time_limit=10, threads=2)
    assert res.objective == 40


@pytest.mark.parametrize("fix", ["critical", "none"])
def test_rho_windows(small: fjsp.Instance, fix: str) -> None:
    res = api.solve(
        small, "rho", time_limit=20, window=12, step=5, window_limit=0.5, fix=fix, polish=False
    )
    assert res.info["windows"] >= 10
    assert res.objective == small.check(res.solution)
    assert res.info["rolling_makespan"] == res.objective


def test_rho_polish_records_trajectory(small: fjsp.Instance) -> None:
    res = api.solve(small, "rho", time_limit=3, window=20, step=8, window_limit=0.3)
    traj = res.info["trajectory"]
    assert traj[0][1] == res.info["rolling_makespan"] and traj[-1][1] == res.objective


def test_rho_bad_parameters(small: fjsp.Instance) -> None:
    with pytest.raises(SolveError):
        api.solve(small, "rho", window=10, step=11)
    with pytest.raises(SolveError):
        api.solve(small, "rho", fix="learned")


def test_auto_choice(mk01: fjsp.Instance) -> None:
    assert api.pick_auto(mk01, 60).name == "cpsat"
    big = fjsp.generate(20, 10, 100, seed=0)
    assert api.pick_auto(big, 300).name == "rho"


def test_hint_is_used(mk01: fjsp.Instance) -> None:
    good = api.solve(mk01, "cpsat", time_limit=20, threads=2)
    res = api.solve(mk01, "lns", time_limit=2, hint=good.solution, cp_share=0.0)
    assert res.info["start"] == "hint" and res.objective == 40


def test_lns_time_slices_on_long_instances(
    small: fjsp.Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schedlab.solvers.fjsp import lns

    monkeypatch.setattr(lns, "LONG", 10)  # treat the small instance as long: cut + left-shift
    start = api.solve(small, "mwkr").objective
    res = api.solve(small, "lns", time_limit=3, cp_share=0.0, size=20)
    assert res.objective <= start
