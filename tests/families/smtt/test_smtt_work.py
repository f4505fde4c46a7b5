"""Work limits of the smtt methods: the declared units, runs that repeat exactly, early stops
that claim no optimum, and work used within one step of the limit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import schedlab
from schedlab import SolveError, Status
from schedlab.families.smtt.generate import generate
from schedlab.families.smtt.model import Instance

SEARCH = ("cpsat", "dp", "exact", "ils", "ls", "mip")
RULES = ("spt", "edd", "wspt", "mdd", "eddc", "mddc", "aug-mdd", "aug-mddc", "atc")

W40 = generate(40, 0.6, 0.4, weighted=True, seed=3)  # exact proves it with about 1.2e7 labels
U60 = generate(60, 0.6, 0.4, seed=3)  # unweighted: Lawler's decomposition, about 1e4 labels
SMALL = generate(10, 0.6, 0.4, weighted=True, seed=3)

#: (method, instance, work limit): limits that stop each method before its own end (dp's
#: covers its 1023 states)
CASES = [
    pytest.param("cpsat", W40, 0.02, id="cpsat"),
    pytest.param("dp", SMALL, 2000, id="dp"),
    pytest.param("exact", W40, 2_000_000, id="exact-weighted"),
    pytest.param("exact", U60, 5_000, id="exact-unweighted"),
    pytest.param("ils", W40, 15, id="ils"),
    pytest.param("ls", W40, 4, id="ls"),
    pytest.param("mip", SMALL, 3, id="mip"),
]


def _key(res: schedlab.Result) -> tuple:
    return res.solution, res.status, res.bound, res.objective


@contextmanager
def _busy() -> Iterator[None]:
    """A thread burning CPU meanwhile (a loaded machine: wall-clock time runs faster
    against the work done)."""
    stop = threading.Event()

    def spin() -> None:
        x = 0
        while not stop.is_set():
            x = (x * 7 + 1) % 1_000_003

    t = threading.Thread(target=spin, daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join()


def test_work_units_are_declared() -> None:
    units = {m.name: m.work for m in schedlab.methods("smtt")}
    for name in SEARCH:
        assert units[name], f"{name} declares no work unit"
    assert "deterministic" in units["cpsat"] and "node" in units["mip"]
    assert "kick" in units["ils"] and "pass" in units["ls"]
    assert "state" in units["dp"] and "label" in units["exact"]
    for name in RULES:
        assert units[name] is None, f"the constructive rule {name} declares a work unit"


@pytest.mark.parametrize(("method", "inst", "limit"), CASES)
def test_same_work_limit_same_result(method: str, inst: Instance, limit: float) -> None:
    a = schedlab.solve(inst, method, work_limit=limit, threads=1, seed=5)
    with _busy():
        b = schedlab.solve(inst, method, work_limit=limit, threads=1, seed=5)
    assert _key(a) == _key(b)
    assert a.work_limit == limit and "work" in a.info


def test_a_rule_ignores_the_work_limit() -> None:
    res = schedlab.solve(W40, "edd", work_limit=1)
    assert res.solution == schedlab.solve(W40, "edd").solution and "work" not in res.info


@pytest.mark.parametrize(
    ("method", "inst", "limit"),
    [
        pytest.param("exact", W40, 100_000, id="exact"),
        pytest.param("cpsat", W40, 0.01, id="cpsat"),
        pytest.param("mip", SMALL, 1, id="mip"),
        pytest.param("dp", SMALL, 100, id="dp"),
    ],
)
def test_a_small_work_limit_stops_an_exact_search_unproven(
    method: str, inst: Instance, limit: float
) -> None:
    res = schedlab.solve(inst, method, work_limit=limit)
    assert res.status is not Status.OPTIMAL
    if res.solution is not None:
        assert res.bound is None or res.bound < res.objective


def test_exact_with_enough_work_proves_and_the_bound_grows_with_it() -> None:
    full = schedlab.solve(W40, "exact")
    assert full.status is Status.OPTIMAL
    labels = full.info["labels"]
    same = schedlab.solve(W40, "exact", work_limit=labels)
    assert same.status is Status.OPTIMAL and same.objective == full.objective
    bounds = [schedlab.solve(W40, "exact", work_limit=labels * f).bound for f in (0.1, 0.5, 0.9)]
    assert bounds == sorted(bounds) and bounds[-1] < full.objective


def test_work_used_within_one_step_of_the_limit() -> None:
    n, horizon = W40.n, sum(W40.p)
    pass_labels = 2 * n * (horizon + 1)  # the largest pass of SSDP's stages 1 and 2
    for limit in (50_000, 1_000_000, 3_000_000):
        res = schedlab.solve(W40, "exact", work_limit=limit)
        assert res.info["work"] == res.info["labels"] <= limit + pass_labels
    res = schedlab.solve(W40, "ils", work_limit=15)
    assert res.info["work"] == res.info["kicks"] <= 15
    res = schedlab.solve(W40, "ls", work_limit=4)
    assert res.info["work"] == res.info["moves"] <= 4 + 1
    res = schedlab.solve(W40, "cpsat", work_limit=0.02)
    assert 0 < res.info["work"] <= 0.02 + 0.01
    res = schedlab.solve(SMALL, "mip", work_limit=3)
    assert res.info["work"] == res.info["nodes"] <= 3 + 10  # HiGHS checks its limit per dive
    res = schedlab.solve(SMALL, "dp", work_limit=2000)
    assert res.info["work"] == 2**SMALL.n - 1 <= 2000
    res = schedlab.solve(SMALL, "dp", work_limit=1000)
    assert res.status is Status.UNKNOWN and res.info["work"] == 0


def test_ils_work_limit_replaces_the_default_kicks() -> None:
    res = schedlab.solve(W40, "ils", work_limit=7)
    assert res.info["kicks"] == 7 and res.params["iterations"] == 7
    capped = schedlab.solve(W40, "ils", work_limit=7, iterations=3)
    assert capped.info["kicks"] == 3
    # with a time limit as well, the first reached ends the run
    timed = schedlab.solve(W40, "ils", work_limit=10**9, time_limit=0.05)
    assert 0 < timed.info["kicks"] < 10**9


def test_ls_work_limit_stops_before_the_local_optimum() -> None:
    full = schedlab.solve(W40, "ls")
    assert full.info["local_optimum"] and full.info["moves"] > 3
    cut = schedlab.solve(W40, "ls", work_limit=2)
    assert cut.info["moves"] == 2 and not cut.info["local_optimum"]
    assert cut.objective >= full.objective


def test_exact_refuses_costs_beyond_its_float_labels() -> None:
    inst = Instance(p=[2**30, 2**30], d=[0, 0], w=[2**25, 2**25])  # worst cost 2^57
    with pytest.raises(SolveError, match="2\\^53"):
        schedlab.solve(inst, "exact")
    assert schedlab.solve(inst, "ils").objective == 3 * 2**55
    assert schedlab.solve(inst, "auto").method != "exact"
