"""fjsp methods: every result goes through the model's checker (``api.solve`` does that)."""

from __future__ import annotations

from pathlib import Path

import pytest

from schedlab import api
from schedlab.core import SolveError, Status
from schedlab.families.fjsp.generate import generate
from schedlab.families.fjsp.model import Instance

MK = Path(__file__).resolve().parents[3] / "instances" / "fjsp"
RULES = ["spt", "mor", "mwkr", "lwkr", "fifo"]


@pytest.fixture(scope="module")
def mk01() -> Instance:
    return api.read(MK / "mk01.fjs")


@pytest.fixture(scope="module")
def small() -> Instance:
    return generate(6, 4, 12, seed=3)


@pytest.mark.parametrize("method", RULES + ["random"])
def test_rules_checked(mk01: Instance, method: str) -> None:
    res = api.solve(mk01, method, time_limit=5)
    assert res.status is Status.FEASIBLE
    assert res.objective == mk01.check(res.solution) >= 40


def test_random_is_seeded(mk01: Instance) -> None:
    a = api.solve(mk01, "random", seed=7, iterations=20)
    b = api.solve(mk01, "random", seed=7, iterations=20)
    assert a.solution == b.solution
    with pytest.raises(SolveError):
        api.solve(mk01, "random", iterations=0)


def test_cpsat_proves_mk01(mk01: Instance) -> None:
    res = api.solve(mk01, "cpsat", time_limit=20, threads=2)
    assert res.status is Status.OPTIMAL and res.objective == 40 and res.bound == 40


def test_cpsat_reports_a_bound(small: Instance) -> None:
    res = api.solve(small, "cpsat", time_limit=2)
    assert res.bound is not None and res.bound <= res.objective


@pytest.mark.slow  # 10 s: a quality figure (the benchmarks measure it at scale)
def test_lns_reaches_mk01_optimum(mk01: Instance) -> None:
    res = api.solve(mk01, "lns", time_limit=10, threads=2, cp_share=0.0)
    assert res.objective <= 42
    res = api.solve(mk01, "lns", time_limit=10, threads=2)
    assert res.objective == 40


def test_lns_iteration_budget(mk01: Instance) -> None:
    res = api.solve(mk01, "lns", cp_share=0.0, iterations=5, sub_limit=0.2)
    assert res.info["iterations"] == 5
    assert res.objective == mk01.check(res.solution)
    with pytest.raises(SolveError):
        api.solve(mk01, "lns", iterations=-1)


def test_auto_choice(mk01: Instance) -> None:
    assert api.pick_auto(mk01, 60).name == "cpsat"
    big = generate(20, 10, 100, seed=0)
    assert api.pick_auto(big, 300).name == "rho"


def test_hint_is_used(mk01: Instance) -> None:
    good = api.solve(mk01, "cpsat", time_limit=20, threads=2)
    res = api.solve(mk01, "lns", time_limit=2, hint=good.solution, cp_share=0.0)
    assert res.info["start"] == "hint" and res.objective == 40


def test_lns_time_slices_on_long_instances(
    small: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schedlab.families.fjsp.methods import _lns

    monkeypatch.setattr(_lns, "LONG", 10)  # treat the small instance as long: cut + left-shift
    start = api.solve(small, "mwkr").objective
    res = api.solve(small, "lns", time_limit=3, cp_share=0.0, size=20)
    assert res.objective <= start
