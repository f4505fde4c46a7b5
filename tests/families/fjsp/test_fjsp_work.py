"""fjsp work limits: every search method declares its unit, stops on its budget (within one
step), repeats exactly with one thread and a seed (also on a loaded machine), claims no
optimum it did not prove, and lets a time limit end it first; nothing wall-clock steers a
run bounded by work alone."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import schedlab
from schedlab.core import Result, Status
from schedlab.families.fjsp.generate import generate
from schedlab.families.fjsp.methods import _cp, _lns
from schedlab.families.fjsp.model import Instance

MK = Path(__file__).resolve().parents[3] / "instances" / "fjsp"
#: the unit each search method declares (a word of it); the rules declare none
UNITS = {
    "cpsat": "deterministic time",
    "lns": "deterministic time",
    "rho": "deterministic time",
    "tabu": "iterations",
    "random": "passes",
}
#: (method, work limit, parameters): small budgets that end in well under a second
RUNS: list[tuple[str, float, dict[str, Any]]] = [
    ("cpsat", 0.01, {}),
    ("lns", 0.02, {}),
    ("rho", 0.02, {"window": 12, "step": 5, "passes": 2}),
    ("tabu", 300, {}),
    ("random", 30, {}),
]
#: CP-SAT checks its deterministic limit between steps of its search: what it may overshoot
CP_STEP = 0.002


@pytest.fixture(scope="module")
def small() -> Instance:
    return generate(6, 4, 12, seed=3)


@pytest.fixture(scope="module")
def mk01() -> Instance:
    return schedlab.read(MK / "mk01.fjs")


def _same(a: Result, b: Result) -> None:
    assert a.solution == b.solution
    assert (a.status, a.objective, a.bound) == (b.status, b.objective, b.bound)
    assert a.info["work"] == b.info["work"]


def test_work_units_are_declared() -> None:
    methods = {m.name: m for m in schedlab.methods("fjsp")}
    for name, method in methods.items():
        if name in UNITS:
            assert method.work and UNITS[name] in method.work, name
            assert "work" in method.help, name
        else:  # the dispatching rules build one schedule: no search, no unit
            assert method.work is None, name


@pytest.mark.parametrize(("method", "limit", "params"), RUNS, ids=[r[0] for r in RUNS])
def test_work_limited_runs_repeat(
    small: Instance, method: str, limit: float, params: dict[str, Any]
) -> None:
    a = schedlab.solve(small, method, work_limit=limit, seed=5, **params)
    b = schedlab.solve(small, method, work_limit=limit, seed=5, **params)
    _same(a, b)
    assert a.objective == small.check(a.solution)


@pytest.mark.parametrize(("method", "limit", "params"), RUNS, ids=[r[0] for r in RUNS])
def test_work_used_stays_within_one_step(
    small: Instance, method: str, limit: float, params: dict[str, Any]
) -> None:
    res = schedlab.solve(small, method, work_limit=limit, seed=1, **params)
    used = res.info["work"]
    if method in ("tabu", "random"):  # whole iterations, passes: exactly the budget
        assert used == limit
        assert res.info.get("iterations", [res.info.get("passes")]) == [limit]
    else:  # none of them proves this instance: the budget is used up, and not overrun
        step = CP_STEP + (_lns.SUB_MIN_WORK if method != "cpsat" else 0.0)
        assert limit <= used <= limit + step
    if method == "rho":  # the second pass fitted in the budget left, then the polish ran
        assert len(res.info["pass_makespans"]) == 2 and res.info["polish"]["iterations"] >= 1
    assert res.status is Status.FEASIBLE


def test_work_limited_runs_repeat_on_a_loaded_machine(small: Instance) -> None:
    """A seeded one-thread rho run with every core busy: nothing differs. (With the stall
    watch of 0.02 s on, as in a timed run, the loaded run stops its windows earlier and
    ends elsewhere: this test catches a wall-clock dependency coming back.)"""
    params = {"window": 30, "step": 15, "stall": 0.02, "polish": False}
    idle = schedlab.solve(small, "rho", work_limit=0.01, seed=2, **params)
    spin = [sys.executable, "-c", "while True: pass"]
    hogs = [subprocess.Popen(spin) for _ in range(3)]
    try:
        time.sleep(0.2)
        loaded = schedlab.solve(small, "rho", work_limit=0.01, seed=2, **params)
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    _same(idle, loaded)


def test_small_work_limit_stops_cpsat_before_the_proof(mk01: Instance) -> None:
    proved = schedlab.solve(mk01, "cpsat", work_limit=0.05)
    assert proved.status is Status.OPTIMAL and proved.objective == 40
    assert proved.info["work"] < 0.05  # the proof ended it, not the budget
    cut = schedlab.solve(mk01, "cpsat", work_limit=proved.info["work"] / 4)
    assert cut.status is Status.FEASIBLE
    assert cut.bound is not None and cut.bound < cut.objective
    assert cut.info["work"] <= proved.info["work"] / 4 + CP_STEP


def test_small_work_limit_claims_no_optimum_in_lns(mk01: Instance) -> None:
    res = schedlab.solve(mk01, "lns", work_limit=0.002)
    assert res.status is Status.FEASIBLE and res.bound is not None and res.bound < 40


def test_work_limit_replaces_the_default_budget(mk01: Instance) -> None:
    res = schedlab.solve(mk01, "tabu", work_limit=700, seed=1)
    assert res.info["iterations"] == [700] and res.info["work"] == 700
    res = schedlab.solve(mk01, "tabu", work_limit=700, iterations=200, seed=1)
    assert res.info["iterations"] == [200] and res.info["work"] == 200
    res = schedlab.solve(mk01, "random", work_limit=150)
    assert res.info["passes"] == 150  # beyond the default of 100
    res = schedlab.solve(mk01, "random", work_limit=150, iterations=20)
    assert res.info["passes"] == 20
    res = schedlab.solve(mk01, "lns", work_limit=0.05, iterations=2, cp_share=0.0)
    assert res.info["iterations"] == 2 and res.info["work"] < 0.05
    res = schedlab.solve(mk01, "mwkr", work_limit=5)  # constructive: ignores it
    assert "work" not in res.info


def test_tabu_work_is_per_thread(mk01: Instance) -> None:
    res = schedlab.solve(mk01, "tabu", work_limit=200, threads=2, seed=4)
    assert res.info["iterations"] == [200, 200] and res.info["work"] == 200


@pytest.mark.parametrize(("method", "limit"), [("tabu", 10**9), ("cpsat", 10**6), ("lns", 10**6)])
def test_the_time_limit_ends_a_large_work_budget(method: str, limit: float) -> None:
    inst = generate(10, 5, 30, seed=1)
    t0 = time.perf_counter()
    res = schedlab.solve(inst, method, work_limit=limit, time_limit=0.5)
    assert time.perf_counter() - t0 < 0.5 + 2.0  # margin for a loaded machine
    assert res.info["work"] < limit and res.objective == inst.check(res.solution)


def test_by_work_alone_no_wall_clock_limit_reaches_cp_sat(
    small: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a work limit and no time limit, every CP-SAT solve (windows, sub-problems, the
    polish) has a deterministic cap and no time limit, and no stall watch runs; with a time
    limit, they do."""
    from schedlab.engines import cpsat

    made: list[tuple[float, float]] = []
    watches: list[float] = []
    real_solver, real_watch = cpsat.solver, _cp._stall_watch_class

    def solver(*args: Any, **kwargs: Any) -> Any:
        s = real_solver(*args, **kwargs)
        made.append((s.parameters.max_time_in_seconds, s.parameters.max_deterministic_time))
        return s

    def watch() -> Any:
        cls = real_watch()

        def make(s: Any, stall: float) -> Any:
            watches.append(stall)
            return cls(s, stall)

        return make

    monkeypatch.setattr(cpsat, "solver", solver)
    monkeypatch.setattr(_cp, "_stall_watch_class", watch)
    for method, params in [("rho", {"window": 12, "step": 5}), ("lns", {"stall": 0.2})]:
        made.clear()
        schedlab.solve(small, method, work_limit=0.02, **params)
        assert len(made) >= 2 and not watches
        assert all(t == float("inf") and d <= 0.02 for t, d in made), made
    made.clear()
    schedlab.solve(small, "rho", work_limit=0.02, time_limit=5, window=12, step=5)
    assert watches and all(t < float("inf") for t, _ in made)
