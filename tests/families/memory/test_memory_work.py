"""Work limits of the memory methods: each search method names its unit, stops when its
budget is used (never claiming what it did not prove), and repeats exactly under one."""

from __future__ import annotations

from pathlib import Path

import pytest

import schedlab
from schedlab import api
from schedlab.core import SolveOptions, Status, Work
from schedlab.families.memory import model as M
from schedlab.families.memory.generate import generate_mapping

ROOT = Path(__file__).resolve().parents[3]
CHALLENGING = ROOT / "instances" / "memory" / "minimalloc" / "challenging"

SEARCHES = {"exact", "cpsat", "mip", "lns"}


def _challenging(name: str, capacity: bool = True) -> M.MemoryInstance:
    inst = api.read(str(CHALLENGING / f"{name}.1048576.csv"))
    assert isinstance(inst, M.Allocation)
    return inst if capacity else inst.with_capacity(None)


def _same(a: schedlab.Result, b: schedlab.Result) -> None:
    assert (a.status, a.objective, a.bound) == (b.status, b.objective, b.bound)
    assert a.solution == b.solution
    assert a.info.get("work") == b.info.get("work")


def test_search_methods_declare_their_unit_and_the_others_none() -> None:
    for m in schedlab.methods("memory"):
        if m.name in SEARCHES:
            assert m.work, m.name
        else:
            assert m.work is None, m.name
    units = {m.name: m.work for m in schedlab.methods("memory")}
    assert "search steps" in units["exact"]
    assert "deterministic time" in units["cpsat"]
    assert "nodes" in units["mip"]


def test_exact_stops_on_its_budget_without_claims() -> None:
    """E.1048576 takes about 2 million steps to solve; 1000 prove nothing."""
    inst = _challenging("E")
    res = schedlab.solve(inst, "exact", work_limit=1000)
    assert res.status is Status.UNKNOWN and res.solution is None
    assert res.bound == inst.lower_bound()
    assert res.info["work"] == res.info["steps"] == 1000  # never more than the budget
    # without a capacity: the greedy's peak, not proven optimal
    free = _challenging("E", capacity=False)
    res = schedlab.solve(free, "exact", work_limit=1000)
    assert res.status is Status.FEASIBLE and res.objective > res.bound == free.max_load
    assert res.info["work"] == 1000


def test_exact_repeats_exactly_under_a_work_limit() -> None:
    """The bisection of a min-peak search, stopped mid-way by the budget: twice the same."""
    inst = _challenging("B", capacity=False)
    a = schedlab.solve(inst, "exact", work_limit=60000, seed=3)
    b = schedlab.solve(inst, "exact", work_limit=60000, seed=3)
    _same(a, b)
    assert a.status is Status.FEASIBLE and a.info["work"] <= 60000
    assert a.info["steps"] == a.info["work"]
    # the budget is shared by the stages: a larger one goes further, never worse
    c = schedlab.solve(inst, "exact", work_limit=200000, seed=3)
    assert c.objective <= a.objective and c.info["work"] <= 200000


def test_exact_with_work_and_time_limits_stops_at_the_first() -> None:
    inst = _challenging("E")
    res = schedlab.solve(inst, "exact", work_limit=500, time_limit=60)
    assert res.status is Status.UNKNOWN and res.info["work"] == 500


def test_exact_proves_within_a_sufficient_budget() -> None:
    inst = _challenging("K")  # about 46 000 steps
    res = schedlab.solve(inst, "exact", work_limit=10**6)
    assert res.status is Status.OPTIMAL and res.info["work"] == res.info["steps"] < 10**6


def test_the_search_never_exceeds_its_budget_even_when_its_pools_grow() -> None:
    """The kernel returns to grow its pools mid-slice; the steps taken before count."""
    from schedlab.families.memory.methods._canonical import feasible, prepare

    inst = _challenging("A")
    for limit in (1, 777, 5000):
        work = Work(limit)
        off, infeasible, _nodes = feasible(prepare(inst), inst.capacity, work=work)
        assert off is None and not infeasible
        assert work.used == limit


def test_cpsat_stops_on_deterministic_time_and_repeats() -> None:
    inst = _challenging("A", capacity=False)
    a = schedlab.solve(inst, "cpsat", work_limit=0.01, threads=1, seed=5)
    b = schedlab.solve(inst, "cpsat", work_limit=0.01, threads=1, seed=5)
    _same(a, b)
    assert a.status is Status.FEASIBLE and a.bound < a.objective
    assert 0 < a.info["work"] <= 0.01 + 1e-3  # CP-SAT checks its clock between steps


def test_mip_stops_on_its_budget_and_repeats() -> None:
    """HiGHS solves this relaxation at its root; the exact placement of its choice needs
    about 1600 steps (1.6 units), which a budget of 1 does not leave."""
    inst = generate_mapping(200, "mixed", 0.25, seed=3)
    a = schedlab.solve(inst, "mip", work_limit=1, threads=1)
    b = schedlab.solve(inst, "mip", work_limit=1, threads=1)
    _same(a, b)
    assert a.status is Status.FEASIBLE and a.info["placed"] is False
    assert a.info["work"] <= 1 + 1e-3  # one placement step is 1/1000 unit
    c = schedlab.solve(inst, "mip", work_limit=50, threads=1)
    assert c.status is Status.OPTIMAL and c.info["work"] <= 50


def test_mip_charges_highs_nodes() -> None:
    from schedlab.families.memory.methods import _mapping, mip

    inst = generate_mapping(200, "mixed", 0.25, seed=3)
    assert isinstance(inst, M.Mapping)
    opts = SolveOptions(work_limit=10)
    chosen, bound, status = mip._solve_relaxation(inst, _mapping.mapping_arrays(inst), opts, 1e9)
    assert chosen is not None and status == "Optimal"
    assert 0 <= opts.work.used <= 7  # at most 70 % of the budget for HiGHS


@pytest.mark.parametrize(
    "method", ["greedy-size", "greedy-breadth", "first-fit", "greedy-best", "xla", "benefit"]
)
def test_constructive_methods_ignore_a_work_limit(method: str) -> None:
    inst = generate_mapping(30, "chain", 0.25, seed=2)
    if method == "greedy-best":
        inst = _challenging("A", capacity=False)
    a = schedlab.solve(inst, method)
    b = schedlab.solve(inst, method, work_limit=1e-3)
    assert a.solution == b.solution and "work" not in b.info
