"""Memory methods: every result checked; exact and cpsat agree on small instances."""

from __future__ import annotations

from pathlib import Path

import pytest

import schedlab
from schedlab.core import SolveError, Status, api
from schedlab.models import memory as M

ROOT = Path(__file__).resolve().parents[3]
SMALL = sorted((ROOT / "instances" / "memory" / "omnimalloc" / "small").glob("*.csv"))
CHALLENGING = ROOT / "instances" / "memory" / "minimalloc" / "challenging"


def _solve(inst: M.Instance, method: str, **kw: object) -> schedlab.Result:
    res = schedlab.solve(inst, method, **kw)
    if res.solution is not None:
        assert inst.check(res.solution) == res.objective
    return res


@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.name)
def test_exact_and_cpsat_on_tight_small(path: Path) -> None:
    inst = api.read(str(path))
    for m in ("exact", "cpsat"):
        res = _solve(inst, m, time_limit=20)
        assert res.status is Status.OPTIMAL
        assert res.objective == inst.max_load  # tight capacity: peak == capacity


@pytest.mark.parametrize("method", ["greedy-size", "greedy-breadth", "first-fit", "greedy-best"])
def test_greedy_min_peak(method: str) -> None:
    inst = M.generate_allocation(60, 120, slack=-1, seed=5)
    res = _solve(inst, method)
    assert res.objective >= inst.max_load
    assert res.bound == inst.max_load


def test_min_peak_exact_matches_cpsat() -> None:
    for seed in range(3):
        inst = M.generate_allocation(14, 30, slack=-1, seed=seed)
        ex = _solve(inst, "exact", time_limit=20)
        cp = _solve(inst, "cpsat", time_limit=20)
        assert ex.status is Status.OPTIMAL and cp.status is Status.OPTIMAL
        assert ex.objective == cp.objective


def test_exact_proves_infeasible() -> None:
    inst = M.Instance(
        buffers=(M.Buffer("a", 0, 2, 3), M.Buffer("b", 1, 3, 3), M.Buffer("c", 0, 3, 2)),
        capacity=7,
    )
    # max load 8 > 7
    assert _solve(inst, "exact", time_limit=5).status is Status.INFEASIBLE


def test_greedy_over_capacity_returns_no_solution() -> None:
    inst = api.read(str(CHALLENGING / "A.1048576.csv"))
    res = _solve(inst, "greedy-size")
    assert res.solution is None and res.info["peak"] > inst.capacity


def test_exact_on_a_challenging_instance() -> None:
    inst = api.read(str(CHALLENGING / "J.1048576.csv"))
    res = _solve(inst, "exact", time_limit=20)
    assert res.solution is not None and res.objective <= inst.capacity


def test_mapping_methods() -> None:
    inst = M.generate_mapping(22, "transformer", 0.25, seed=101)
    assert inst.n <= 60
    x = _solve(inst, "xla")
    b = _solve(inst, "benefit")
    c = _solve(inst, "cpsat", time_limit=30)
    assert b.objective <= x.objective + 1e-9
    assert c.status is Status.OPTIMAL
    assert c.objective <= b.objective + 1e-6
    assert c.bound >= inst.lower_bound() - 1e-9
    g = _solve(inst, "greedy-size")  # allocation baselines leave overflow in slow memory
    assert g.objective >= c.objective - 1e-6


def test_kind_mismatch_errors() -> None:
    alloc = api.read(str(SMALL[0]))
    with pytest.raises(SolveError):
        schedlab.solve(alloc, "xla")
    with pytest.raises(SolveError):
        schedlab.solve(M.generate_mapping(10, seed=1), "exact")


def test_auto_picks_fitting_methods() -> None:
    assert api.pick_auto(api.read(str(SMALL[0])), 10).name == "exact"
    assert api.pick_auto(M.generate_mapping(10, seed=1), 10).name == "cpsat"


def _naive_place(inst: M.Instance, order, best_fit: bool) -> list[int]:
    """Reference greedy: scan every placed buffer (the kernel finds overlaps by a tree)."""
    off: dict[int, int] = {}
    for b in order:
        bb = inst.buffers[b]
        ivs = sorted(
            (off[c], off[c] + inst.buffers[c].size)
            for c in off
            if inst.buffers[c].lower < bb.upper
            and bb.lower < inst.buffers[c].upper
            and inst.buffers[c].size > 0
        )
        reach, best, waste = 0, -1, -1
        for x0, x1 in ivs:
            if x0 > reach and reach + bb.size <= x0:
                if not best_fit:
                    best = reach
                    break
                if best < 0 or x0 - reach - bb.size < waste:
                    best, waste = reach, x0 - reach - bb.size
            reach = max(reach, x1)
        off[b] = reach if best < 0 else best
    return [off[i] for i in range(inst.n)]


@pytest.mark.parametrize("seed", range(6))
def test_greedy_kernel_matches_naive_scan(seed: int) -> None:
    from schedlab.solvers.memory import _common, _kernels

    inst = M.generate_allocation(150, 60, slack=-1, seed=seed)
    lo, up, sz, al, fx = inst.arrays
    for rule in ("size", "start", "breadth"):
        order = _common.order_by(inst, rule)
        for bf in (True, False):
            got = _kernels.place(order, lo, up, sz, al, fx, 0, bf, False)
            assert list(got) == _naive_place(inst, order, bf)


def test_exact_with_fixed_offsets_matches_cpsat() -> None:
    for seed in range(4):
        base = M.generate_allocation(12, 20, slack=-1, seed=seed)
        offs = _solve(base, "greedy-size").solution["offsets"]
        bufs = tuple(
            M.Buffer(b.id, b.lower, b.upper, b.size, offset=offs[b.id] if i % 3 == 0 else None)
            for i, b in enumerate(base.buffers)
        )
        inst = M.Instance(buffers=bufs, name="fixed")
        ex = _solve(inst, "exact", time_limit=20)
        cp = _solve(inst, "cpsat", time_limit=20)
        assert ex.status is Status.OPTIMAL and cp.status is Status.OPTIMAL
        assert ex.objective == cp.objective


def test_exact_on_tight_challenging_instance_within_limit() -> None:
    inst = api.read(str(CHALLENGING / "K.1048576.csv"))  # max load == capacity
    res = _solve(inst, "exact", time_limit=20)
    assert res.solution is not None and res.objective == inst.capacity
    assert res.info["nodes"] > 0
