"""fjsp rho: rolling-horizon results pass the checker, options are validated, the time
limit holds (``api.solve`` checks every solution)."""

from __future__ import annotations

import time

import pytest

from schedlab import api
from schedlab.core import SolveError, SolveOptions
from schedlab.families.fjsp.generate import generate
from schedlab.families.fjsp.methods._cp import Part, solve_part
from schedlab.families.fjsp.methods._data import Flat
from schedlab.families.fjsp.methods.rho import rolling_order, window_score
from schedlab.families.fjsp.model import Instance


@pytest.fixture(scope="module")
def small() -> Instance:
    return generate(6, 4, 12, seed=3)


@pytest.fixture(scope="module")
def medium() -> Instance:
    return generate(10, 5, 30, seed=1)


def test_rho_pass_is_checked(small: Instance) -> None:
    res = api.solve(small, "rho", time_limit=20, window=12, step=5, window_limit=0.5, polish=False)
    info = res.info
    assert info["windows"] >= 10
    assert res.objective == small.check(res.solution)
    # the rolling result never loses to the start schedule (the best dispatching rule)
    assert (
        res.objective
        == info["rolling_makespan"]
        == min(info["pass_makespan"], info["start_makespan"])
    )


def test_rho_defaults_beat_the_best_rule(medium: Instance) -> None:
    res = api.solve(medium, "rho", time_limit=30, threads=2, window_limit=0.3, polish=False)
    assert res.objective == medium.check(res.solution)
    assert res.info["pass_makespan"] < res.info["start_makespan"]


def test_rho_trajectory_is_monotone(small: Instance) -> None:
    res = api.solve(small, "rho", time_limit=3, window=20, step=8, window_limit=0.3)
    traj = res.info["trajectory"]
    assert traj[0][1] == res.info["rolling_makespan"] and traj[-1][1] == res.objective
    assert all(a[0] <= b[0] and a[1] > b[1] for a, b in zip(traj, traj[1:], strict=False))


def test_rho_honours_the_time_limit(medium: Instance) -> None:
    t0 = time.perf_counter()
    res = api.solve(medium, "rho", time_limit=2, threads=2)
    assert time.perf_counter() - t0 < 2 + 2.0  # margin for a loaded machine
    assert res.objective == medium.check(res.solution)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"window": 10, "step": 11}, "1 <= step <= window"),
        ({"window": 0}, "window (H) must be a positive integer"),
        ({"window": 8.5}, "window (H) must be a positive integer"),
        ({"step": 0}, "1 <= step <= window"),
        ({"step": True}, "step (S)"),
        ({"fix": "none"}, "has no parameter fix"),  # research switches: gone
        ({"objective": "window"}, "has no parameter objective"),
        ({"window_limit": 0}, "window_limit must be positive"),
        ({"stall": -1.0}, "stall must be positive"),
        ({"lam": -1.0}, "lam must be non-negative"),
        ({"passes": 0}, "passes must be a positive integer"),
    ],
)
def test_rho_bad_parameters(small: Instance, params: dict, words: str) -> None:
    with pytest.raises(SolveError, match=words.replace("(", r"\(").replace(")", r"\)")):
        api.solve(small, "rho", **params)


def test_rolling_order_by_relative_position() -> None:
    op = ((0, 1),)
    inst = Instance(jobs=((op,) * 2, (op,) * 4, (op,) * 3), machines=1, name="order")
    flat = Flat.of(inst)
    order = rolling_order(flat)
    rel = [flat.pos[o] / flat.length[flat.job[o]] for o in order]
    assert rel == sorted(rel) and sorted(order) == list(range(flat.n))


def test_window_model_matches_the_score(small: Instance) -> None:
    """The window model with tails and machine loads: CP-SAT's solution is feasible and no
    worse under the score rho uses to compare window schedules."""
    flat = Flat.of(small)
    ops = sorted(rolling_order(flat)[:20])
    busy = {0: [(0, 5)]}
    last_in = {flat.job[o]: o for o in ops}
    tail = {j: flat.tail[o] for j, o in last_in.items()}
    rest = sum(flat.pmin[o] for o in range(flat.n) if o not in set(ops))
    mlo = [5] + [0] * (flat.machines - 1)
    out = solve_part(
        flat,
        Part(ops=ops, busy=busy, compact=1, tail=tail, load=1, rest=rest, symmetry=False),
        SolveOptions(),
        time_limit=5,
    )
    assert out.has_solution
    sol = {o: (out.machine[o], out.start[o]) for o in ops}
    _, cmax = window_score(flat, sol, tail, rest, mlo)
    assert out.makespan is not None and cmax <= out.makespan
    for o in ops:
        m, s = sol[o]
        assert m in flat.ptime[o]
        if o - 1 in sol and flat.job[o - 1] == flat.job[o]:
            pm, ps = sol[o - 1]
            assert s >= ps + flat.ptime[o - 1][pm]
        if m == 0:
            assert s >= 5 or s + flat.ptime[o][m] <= 0


def test_rho_later_passes_keep_the_best(small: Instance) -> None:
    res = api.solve(small, "rho", window=12, step=5, window_limit=0.2, passes=3, polish=True)
    info = res.info
    assert len(info["pass_makespans"]) == 3  # no time limit: every pass runs, no lns
    assert res.objective == small.check(res.solution)
    assert res.objective == min(info["pass_makespans"] + [info["start_makespan"]])
