"""Time limits at size (issue #19, item 3): every fjsp method checks its deadline in every
phase (dispatching rules, CP-SAT model building, rolling windows, tabu iterations) and
returns within the limit plus 0.5 s with a checked schedule; a rule cut by its deadline
appends the operations left cheaply. The size here is small enough for a test and large
enough that a short limit cuts the loops (the measured 100 x 50 x 20 table is in the
issue's report)."""

from __future__ import annotations

import time

import pytest

from schedlab import api
from schedlab.core import Status
from schedlab.families.fjsp.generate import generate
from schedlab.families.fjsp.methods import _rules
from schedlab.families.fjsp.methods._data import Flat
from schedlab.families.fjsp.model import Instance

MARGIN = 0.5


@pytest.fixture(scope="module")
def big() -> Instance:
    return generate(40, 10, 30, seed=1)  # 1200 operations


@pytest.mark.parametrize("rule", ["mwkr", "spt", None])
def test_dispatch_past_its_deadline_is_complete_and_feasible(
    big: Instance, rule: str | None
) -> None:
    import random

    flat = Flat.of(big)
    sched = _rules.dispatch(flat, rule, random.Random(0), deadline=0.0)
    assert big.check(sched.to_solution(flat)) == sched.makespan(flat)


def test_dispatch_cut_midway_keeps_its_prefix(big: Instance) -> None:
    flat = Flat.of(big)
    t0 = time.perf_counter()
    full = _rules.dispatch(flat, "mwkr")
    whole = time.perf_counter() - t0
    t0 = time.perf_counter()
    cut = _rules.dispatch(flat, "mwkr", deadline=time.perf_counter() + 0.3 * whole)
    assert time.perf_counter() - t0 < 0.3 * whole + MARGIN
    assert big.check(cut.to_solution(flat)) == cut.makespan(flat)
    same = (cut.machine == full.machine) & (cut.start == full.start)
    assert 0 < int(same.sum()) < flat.n  # a prefix as the rule built it, then the rest


def test_best_rule_honours_its_deadline(big: Instance) -> None:
    flat = Flat.of(big)
    t0 = time.perf_counter()
    _, sched = _rules.best_rule(flat, time.perf_counter() + 0.02)
    assert time.perf_counter() - t0 < 0.02 + MARGIN
    assert big.check(sched.to_solution(flat)) == sched.makespan(flat)


@pytest.mark.parametrize("method", ["mwkr", "spt", "random", "cpsat", "tabu", "rho", "lns", "auto"])
def test_every_method_holds_a_short_limit(big: Instance, method: str) -> None:
    limit = 0.3
    res = api.solve(big, method, time_limit=limit)
    assert res.runtime_s < limit + MARGIN, (method, res.runtime_s)
    assert res.status in (Status.FEASIBLE, Status.OPTIMAL)
    assert res.objective == big.check(res.solution)


def test_rho_cut_mid_pass_completes_its_schedule(big: Instance) -> None:
    res = api.solve(big, "rho", time_limit=0.3, window=20, step=5)
    assert res.runtime_s < 0.3 + MARGIN
    assert res.objective == big.check(res.solution)
