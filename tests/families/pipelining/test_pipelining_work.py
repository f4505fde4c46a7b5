"""Work limits (deterministic budgets), hints, and honest answers when no II is feasible."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import schedlab
from schedlab.core import SolveOptions, Status
from schedlab.core.schema import stamp
from schedlab.families.pipelining.bundled import bundled_loop, running_example
from schedlab.families.pipelining.generate import generate
from schedlab.families.pipelining.methods._common import joint_ii_limit, plain_ii_limit
from schedlab.families.pipelining.methods.cpsat import solve_cpsat
from schedlab.families.pipelining.methods.ims import solve_ims
from schedlab.families.pipelining.model import OBJ_SCALE, Edge, Instance, Machine, Op

HATSCHET = Path(__file__).resolve().parents[3] / "instances" / "pipelining" / "hatschet"


def _motion2() -> Instance:
    inst = schedlab.read(str(HATSCHET / "ChStone/motion/graph2.graphml"))
    assert isinstance(inst, Instance)
    return inst


#: (method, instance, a work limit too small to prove the optimum, the most one step of the
#: method may overshoot it)
CASES: list[tuple[str, Any, float, float]] = [
    # plain (reduced model; generate(30, units=2, seed=1) is proved within 0.003 since busy
    # runs are folded into intervals)
    ("cpsat", lambda: generate(40, units=1, seed=1), 0.01, 0.005),
    ("cpsat", lambda: bundled_loop("flash_fwd_blackwell"), 0.01, 0.005),  # joint model
    ("mip", _motion2, 3, 1),
    ("ims", lambda: generate(30, units=2, seed=1), 40, 0),
]


def test_work_units_are_declared() -> None:
    units = {m.name: m.work for m in schedlab.methods("pipelining")}
    assert units["mii"] is None  # no search
    assert "deterministic time" in (units["cpsat"] or "")
    assert "nodes" in (units["mip"] or "")
    assert "placement steps" in (units["ims"] or "")


@pytest.mark.parametrize("method, make, limit, step", CASES)
def test_same_work_limit_same_result(method: str, make: Any, limit: float, step: float) -> None:
    inst = make()
    runs = [schedlab.solve(inst, method, work_limit=limit, threads=1, seed=3) for _ in range(2)]
    a, b = runs
    assert a.solution == b.solution
    assert (a.status, a.bound, a.objective) == (b.status, b.bound, b.objective)
    assert a.info["work"] == b.info["work"]
    for r in runs:  # (d) the budget is kept, but for one step's overshoot
        assert 0 < r.info["work"] <= limit + step


@pytest.mark.parametrize("method, make, limit, step", CASES[:3])
def test_small_work_limit_stops_exact_search_unproved(
    method: str, make: Any, limit: float, step: float
) -> None:
    r = schedlab.solve(make(), method, work_limit=limit, threads=1)
    assert r.status is Status.FEASIBLE and r.solution is not None
    assert r.bound is not None and r.bound < r.objective  # nothing claimed beyond the proofs


def test_ims_work_limit_counts_steps_over_all_iis() -> None:
    inst = _motion2()
    free = schedlab.solve(inst, "ims")
    steps = free.info["steps"]
    assert free.info["attempts"] > 1  # several IIs tried: the budget spans them all
    short = schedlab.solve(inst, "ims", work_limit=steps - 1)
    assert short.info["work"] <= steps - 1 and short.status is Status.UNKNOWN
    enough = schedlab.solve(inst, "ims", work_limit=steps)
    assert enough.solution == free.solution and enough.info["work"] == steps


def test_work_and_time_limit_together() -> None:
    r = schedlab.solve(generate(40, units=1, seed=1), "cpsat", work_limit=0.01, time_limit=30)
    assert r.info["work"] <= 0.015 and r.status is Status.FEASIBLE


def _slow_hint() -> dict[str, Any]:
    """A feasible schedule of the running example at II 10 (iterations do not overlap)."""
    return {
        "ii": 10,
        "length": 4,
        "ops": [
            {"name": "S", "start": 0, "stage": 0, "warp": 0},
            {"name": "P", "start": 2, "stage": 0, "warp": 0},
            {"name": "O", "start": 3, "stage": 0, "warp": 0},
        ],
    }


@pytest.mark.parametrize("method", ["cpsat", "ims"])
def test_hint_above_the_optimum_is_improved(method: str) -> None:
    inst = running_example()
    hint = stamp(_slow_hint())
    assert inst.check(hint) == 10 * OBJ_SCALE + 4
    r = schedlab.solve(inst, method, hint=hint, threads=1)
    assert r.solution["ii"] == 2  # searched from MII up, below the hint's II
    assert r.info["hint_ii"] == 10 and not r.info["from_hint"]
    if method == "cpsat":
        assert r.status is Status.OPTIMAL


@pytest.mark.parametrize(
    "make", [lambda: generate(20, units=2, seed=3), lambda: bundled_loop("flash_fwd_blackwell")]
)
def test_hinted_solve_is_at_least_as_good_as_the_hint(make: Any) -> None:
    inst = make()
    best = schedlab.solve(inst, "cpsat", threads=1)
    # ims starts from the optimum: it keeps it
    r = schedlab.solve(inst, "ims", hint=best.solution)
    assert r.objective == best.objective and r.info["from_hint"]
    # cpsat with almost no budget left after the hint still returns it
    r = schedlab.solve(inst, "cpsat", hint=best.solution, threads=1, work_limit=0.0005)
    assert r.objective <= best.objective
    # cpsat from IMS's (worse) schedule: never worse than it, proved optimal as without it
    ims = schedlab.solve(inst, "ims")
    r = schedlab.solve(inst, "cpsat", hint=ims.solution, threads=1)
    assert r.objective <= ims.objective
    assert r.status is Status.OPTIMAL and r.objective == best.objective


def test_hint_from_a_changed_loop_seeds_ims_and_cpsat() -> None:
    """A compiler re-solving a loop with one more op passes the previous schedule: the
    methods (called directly: the API only takes hints that pass the checker) start from
    it."""
    old = generate(20, units=2, seed=3)
    prev = schedlab.solve(old, "cpsat", threads=1).solution
    d = old.to_dict()
    d["ops"].append({"name": "extra", "unit": "alu", "busy": 0, "latency": 1})
    d["edges"].append({"src": "op3", "dst": "extra"})
    new = Instance.from_dict(d)
    for solve in (solve_ims, solve_cpsat):
        out = solve(new, SolveOptions(hint=prev, threads=1))
        assert out.solution is not None
        new.check(out.solution)
        assert out.solution["ii"] == prev["ii"] and out.info["hint_ii"] == prev["ii"]


def test_register_budget_never_met_is_infeasible() -> None:
    m = Machine("m", {"tma": 1, "tensor": 1}, warps=3, regs_per_warp=100, reg_base=10)
    inst = Instance(
        m,
        (
            Op("load", ((0, "tma", 1),), latency=2, variable_latency=True),
            Op("mma", ((0, "tensor", 1),), latency=1, regs=95),
        ),
        (Edge("load", "mma"),),
    )
    for method in ("cpsat", "ims"):
        r = schedlab.solve(inst, method)
        assert r.status is Status.INFEASIBLE and "105 registers" in r.info["infeasible"]


def test_plain_loop_infeasible_at_every_ii() -> None:
    """Two ops that must start within one cycle of each other, each holding the one unit for
    two cycles: no II works; the search stops at the proved limit."""
    unit = Machine("m", {"u": 1})
    two = ((0, "u", 1), (1, "u", 1))
    inst = Instance(
        unit, (Op("a", two), Op("b", two)), (Edge("a", "b", 0, 0), Edge("b", "a", -1, 0))
    )
    for method in ("cpsat", "mip"):
        r = schedlab.solve(inst, method)
        assert r.status is Status.INFEASIBLE and r.info["ii_limit"] == plain_ii_limit(inst)
    assert schedlab.solve(inst, "ims").status is Status.UNKNOWN


def test_joint_search_without_feasible_ii_ends_unknown() -> None:
    """A value consumed three iterations later lives in three copies: 3 x 40 registers never
    fit a budget of 100, at any II. Without a time limit the joint search used to raise II
    forever; it now stops at its limit, unknown, with the bound it proved."""
    m = Machine("m", {"tma": 1, "tensor": 1}, warps=2, regs_per_warp=100)
    inst = Instance(
        m,
        (
            Op("load", ((0, "tma", 1),), latency=2, variable_latency=True),
            Op("mma", ((0, "tensor", 1), (1, "tensor", 1)), latency=1, regs=40, warp_cycles=1),
        ),
        (Edge("load", "mma"), Edge("mma", "mma", 0, 3)),
    )
    r = schedlab.solve(inst, "cpsat", threads=1)
    limit = joint_ii_limit(inst)
    assert r.status is Status.UNKNOWN and r.info["ii_limit"] == limit
    assert r.bound == (limit + 1) * OBJ_SCALE + inst.critical_path()


def test_one_warp_with_warp_rules_uses_the_joint_model() -> None:
    """On a one-warp machine the warp rules still hold (two ops occupying the warp for two
    cycles each cannot overlap): such a loop is not plain, and its schedule passes the
    checker."""
    m = Machine("m", {"alu": -1})
    occ = {"table": ((0, "alu", 1),), "warp_cycles": 2}
    inst = Instance(m, (Op("a", **occ), Op("b", **occ)), (Edge("a", "b", -5, 0),))
    r = schedlab.solve(inst, "cpsat", threads=1)
    assert r.status is Status.OPTIMAL and r.solution["ii"] == 4
