"""Memory methods: every result checked; exact and cpsat agree on small instances."""

from __future__ import annotations

from pathlib import Path

import pytest

import schedlab
from schedlab import api
from schedlab.core import SolveError, Status
from schedlab.families.memory import model as M
from schedlab.families.memory.generate import generate_allocation, generate_mapping

ROOT = Path(__file__).resolve().parents[3]
SMALL = sorted((ROOT / "instances" / "memory" / "omnimalloc" / "small").glob("*.csv"))
CHALLENGING = ROOT / "instances" / "memory" / "minimalloc" / "challenging"


def _solve(inst: M.MemoryInstance, method: str, **kw: object) -> schedlab.Result:
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
    inst = generate_allocation(60, 120, slack=-1, seed=5)
    res = _solve(inst, method)
    assert res.objective >= inst.max_load
    assert res.bound == inst.max_load


def test_min_peak_exact_matches_cpsat() -> None:
    for seed in range(3):
        inst = generate_allocation(14, 30, slack=-1, seed=seed)
        ex = _solve(inst, "exact", time_limit=20)
        cp = _solve(inst, "cpsat", time_limit=20)
        assert ex.status is Status.OPTIMAL and cp.status is Status.OPTIMAL
        assert ex.objective == cp.objective


def test_exact_proves_infeasible() -> None:
    inst = M.Allocation(
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
    inst = generate_mapping(22, "transformer", 0.25, seed=101)
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
    mapping = generate_mapping(10, seed=1)
    for method in ("xla", "benefit", "mip"):
        with pytest.raises(SolveError, match=f"{method} is for mapping instances, not allocation"):
            schedlab.solve(alloc, method)
    for method in ("exact", "greedy-best"):
        with pytest.raises(SolveError, match=f"{method} is for allocation instances, not mapping"):
            schedlab.solve(mapping, method)


def test_auto_picks_fitting_methods() -> None:
    assert api.pick_auto(api.read(str(SMALL[0])), 10).name == "exact"
    assert api.pick_auto(generate_mapping(10, seed=1), 10).name == "mip"


def _naive_place(inst: M.MemoryInstance, order, best_fit: bool) -> list[int]:
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
    from schedlab.families.memory.methods import _kernels, _placement

    inst = generate_allocation(150, 60, slack=-1, seed=seed)
    lo, up, sz, al, fx = inst.arrays
    for rule in ("size", "start", "breadth"):
        order = _placement.order_by(inst, rule)
        for bf in (True, False):
            got = _kernels.place(order, lo, up, sz, al, fx, 0, bf, False)
            assert list(got) == _naive_place(inst, order, bf)


def test_exact_with_fixed_offsets_matches_cpsat() -> None:
    for seed in range(4):
        base = generate_allocation(12, 20, slack=-1, seed=seed)
        offs = _solve(base, "greedy-size").solution["offsets"]
        bufs = tuple(
            M.Buffer(b.id, b.lower, b.upper, b.size, offset=offs[b.id] if i % 3 == 0 else None)
            for i, b in enumerate(base.buffers)
        )
        inst = M.Allocation(buffers=bufs, name="fixed")
        ex = _solve(inst, "exact", time_limit=20)
        cp = _solve(inst, "cpsat", time_limit=20)
        assert ex.status is Status.OPTIMAL and cp.status is Status.OPTIMAL
        assert ex.objective == cp.objective


def test_exact_on_tight_challenging_instance_within_limit() -> None:
    inst = api.read(str(CHALLENGING / "K.1048576.csv"))  # max load == capacity
    res = _solve(inst, "exact", time_limit=20)
    assert res.solution is not None and res.objective == inst.capacity
    assert res.info["nodes"] > 0


def _naive_skyline(inst: M.MemoryInstance, rank) -> list[int]:
    """Reference bottom-up greedy: fixed buffers first; then, repeatedly, the unplaced
    buffer of lowest (aligned top of the placed buffers overlapping it, rank) goes there."""
    bs = inst.buffers
    off = {i: b.offset for i, b in enumerate(bs) if b.offset is not None}
    for i, b in enumerate(bs):
        if b.offset is None and b.size == 0:
            off[i] = 0

    def low(i: int) -> int:
        b = bs[i]
        t = max(
            (
                off[c] + bs[c].size
                for c in off
                if bs[c].lower < b.upper and b.lower < bs[c].upper and bs[c].size > 0
            ),
            default=0,
        )
        return -(-t // b.alignment) * b.alignment

    while len(off) < len(bs):
        i = min((i for i in range(len(bs)) if i not in off), key=lambda i: (low(i), rank[i]))
        off[i] = low(i)
    return [off[i] for i in range(len(bs))]


@pytest.mark.parametrize("seed", range(4))
def test_skyline_kernel_matches_naive(seed: int) -> None:
    import numpy as np

    from schedlab.families.memory.methods import _kernels

    base = generate_allocation(40, 30, slack=-1, seed=seed)
    rng = np.random.default_rng(seed)
    bufs = tuple(
        M.Buffer(
            b.id,
            b.lower,
            b.upper,
            b.size if i % 7 else 0,
            alignment=int(rng.choice([1, 2, 4])),
            offset=(8 * i if i % 9 == 4 else None),
        )
        for i, b in enumerate(base.buffers)
    )
    inst = M.Allocation(buffers=bufs, name="sky")
    lo, up, sz, al, fx = inst.arrays
    rank = rng.permutation(inst.n).astype(np.int64)
    got = _kernels.skyline(rank, lo, up, sz, al, fx)
    assert list(got) == _naive_skyline(inst, rank)
    assert inst.check({"offsets": {b.id: int(got[i]) for i, b in enumerate(bufs)}}) >= 0


def test_kernels_stop_at_an_expired_deadline_and_resume() -> None:
    import time

    import numpy as np

    from schedlab.families.memory.methods import _kernels, _placement

    inst = generate_allocation(300, 100, slack=-1, seed=3)
    lo, up, sz, al, fx = inst.arrays
    order = _placement.order_by(inst, "size")
    gone = time.perf_counter()  # the jit convention: absolute perf_counter seconds
    assert (
        _kernels.place(order, lo, up, sz, al, fx, 0, True, False, deadline=gone, chunk=50) is None
    )
    rank = np.arange(inst.n, dtype=np.int64)
    assert _kernels.skyline(rank, lo, up, sz, al, fx, deadline=gone, chunk=50) is None
    # in chunks (a deadline far away) the result is the one-shot result
    far = time.perf_counter() + 1e6
    one = _kernels.place(order, lo, up, sz, al, fx, 0, True, False)
    assert list(_kernels.place(order, lo, up, sz, al, fx, 0, True, False, far, 7)) == list(one)
    one = _kernels.skyline(rank, lo, up, sz, al, fx)
    assert list(_kernels.skyline(rank, lo, up, sz, al, fx, far, 7)) == list(one)


def test_best_greedy_respects_the_deadline() -> None:
    """Every variant checks the deadline: with an expired one, no placement at all; with
    time, at least the first variant's."""
    import time

    from schedlab.families.memory.methods import _common, _placement

    inst = generate_allocation(n=300, horizon=200, slack=-1.0, seed=2)
    off, which = _placement.best_greedy(inst, time.perf_counter())
    assert off is None and which == ""
    off, which = _placement.best_greedy(inst, time.perf_counter() + 30.0)
    assert off is not None and which
    assert inst.check(_common.solution(inst, off)) >= inst.lower_bound()


def test_cover_order_puts_window_buffers_first() -> None:
    from schedlab.families.memory.methods import _placement

    inst = M.Allocation(
        buffers=(
            M.Buffer("a", 0, 4, 2),
            M.Buffer("b", 1, 3, 10),
            M.Buffer("c", 2, 3, 12),
            M.Buffer("d", 1, 2, 1),
        )
    )
    # loads 2, 13, 24, 2: the window at 50 % is [1, 3), covered by a and b only
    ids = [inst.buffers[i].id for i in _placement.order_by(inst, "cover50-size")]
    assert ids == ["b", "a", "c", "d"]
    assert [inst.buffers[i].id for i in _placement.order_by(inst, "size")] == ["c", "b", "a", "d"]


def test_greedy_best_reaches_the_max_load_on_a_real_trace() -> None:
    inst = api.read(str(ROOT / "instances" / "memory" / "idealloc" / "iopddl" / "G_1.csv"))
    res = _solve(inst.with_capacity(None), "greedy-best", time_limit=30)
    assert res.objective == inst.max_load and res.status is Status.OPTIMAL


def test_cpsat_build_respects_the_time_limit() -> None:
    import time

    inst = generate_mapping(1000, "transformer", 0.25, seed=4)
    t = time.perf_counter()
    res = _solve(inst, "cpsat", time_limit=0.05)
    assert time.perf_counter() - t < 5.0
    assert res.solution is not None  # the hint at least


@pytest.mark.parametrize("seed", range(6))
def test_mip_and_cpsat_prove_the_same_optimum(seed: int) -> None:
    """Two independent proofs: HiGHS on the capacity relaxation (placed afterwards) and
    CP-SAT's no-overlap-2D model."""
    structure = ("chain", "transformer")[seed % 2]
    cap = (0.1, 0.25, 0.5)[seed % 3]
    inst = generate_mapping(22, structure, cap, seed=200 + seed)
    m = _solve(inst, "mip", time_limit=30, threads=1)
    c = _solve(inst, "cpsat", time_limit=30, threads=1)
    assert m.status is Status.OPTIMAL and c.status is Status.OPTIMAL
    assert m.objective == pytest.approx(c.objective, rel=1e-6)


def test_mip_brute_force_on_a_tiny_program() -> None:
    """Every subset of the buffers that can be placed, by the exact allocator: the best
    mapping time equals mip's optimum."""
    import itertools

    import numpy as np

    from schedlab.engines.jit import NO_DEADLINE
    from schedlab.families.memory.methods.mip import _place

    inst = generate_mapping(9, "chain", 0.4, seed=8)
    assert inst.n <= 14
    best = float("inf")
    for bits in itertools.product((False, True), repeat=inst.n):
        chosen = np.array(bits)
        if _place(inst, chosen, NO_DEADLINE) is not None:
            best = min(best, inst.total_time(chosen))
    m = _solve(inst, "mip")
    assert m.status is Status.OPTIMAL
    assert m.objective == pytest.approx(best, rel=1e-9)
    # a program where the greedies miss the optimum
    assert _solve(inst, "benefit").objective > best * (1 + 1e-3)


def test_mip_bound_is_below_every_method() -> None:
    inst = generate_mapping(200, "mixed", 0.25, seed=3)
    m = _solve(inst, "mip", time_limit=30, threads=1)
    assert m.status is Status.OPTIMAL
    for method in ("xla", "benefit", "greedy-size"):
        assert _solve(inst, method).objective >= m.bound - 1e-6 * m.bound


def test_mip_keeps_fixed_buffers_and_skips_oversized_ones() -> None:
    inst = generate_mapping(30, "chain", 0.25, seed=5)
    big = max(inst.buffers, key=lambda b: b.size)
    # one buffer pinned at offset 0 in fast memory, the capacity below the largest buffer
    bufs = list(inst.buffers)
    pin = min(range(inst.n), key=lambda i: bufs[i].size)
    bufs[pin] = M.Buffer(
        id=bufs[pin].id, lower=bufs[pin].lower, upper=bufs[pin].upper, size=bufs[pin].size,
        offset=0,
    )  # fmt: skip
    cap = big.size - 1
    fixed = M.Mapping(
        buffers=tuple(bufs),
        capacity=cap,
        steps=inst.steps,
        fast_bandwidth=inst.fast_bandwidth,
        slow_bandwidth=inst.slow_bandwidth,
    )
    m = _solve(fixed, "mip", time_limit=30)
    offs = m.solution["offsets"]
    assert offs[bufs[pin].id] == 0
    assert offs[big.id] is None
    c = _solve(fixed, "cpsat", time_limit=30)
    assert m.objective == pytest.approx(c.objective, rel=1e-6)


def test_mip_repairs_a_choice_that_cannot_be_placed(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the relaxation's buffers do not fit at offsets the result is still a checked
    mapping, never claimed optimal unless it meets the bound."""
    from schedlab.families.memory.methods import mip

    monkeypatch.setattr(mip, "_place", lambda inst, chosen, dl, work=None: None)
    inst = generate_mapping(200, "chain", 0.5, seed=2)
    m = _solve(inst, "mip", time_limit=30)
    assert m.info["placed"] is False
    assert m.bound <= m.objective
    if m.status is Status.OPTIMAL:
        assert m.objective == pytest.approx(m.bound, rel=1e-7)


def test_mip_respects_the_time_limit() -> None:
    import time

    inst = generate_mapping(2000, "mixed", 0.25, seed=11)
    t = time.perf_counter()
    res = _solve(inst, "mip", time_limit=0.5)
    assert time.perf_counter() - t < 0.5 + 3.0
    assert res.solution is not None


def test_mapping_methods_accept_a_step_without_accesses() -> None:
    inst = M.Mapping(
        buffers=(M.Buffer(id="a", lower=0, upper=1, size=4),),
        capacity=4,
        steps=(M.Step(1.0, ((0, 4),), ()), M.Step(2.0, (), ())),
        fast_bandwidth=4.0,
        slow_bandwidth=1.0,
    )
    for method in ("xla", "benefit", "cpsat", "mip"):
        res = _solve(inst, method)
        assert res.status is Status.OPTIMAL and res.objective == 3.0


def test_xla_uses_xla_memory_boundedness() -> None:
    """XLA's benefit is not capped at the compute time: of two buffers of one step, the larger
    scores higher even when either alone makes the step compute-bound (both save 4)."""
    import numpy as np

    from schedlab.families.memory.methods import _mapping

    # step 0: compute 20, all-slow memory time 24; either buffer alone makes it compute-bound
    steps = (M.Step(20.0, ((0, 8), (1, 16)), ()), M.Step(0.0, ((2, 4),), ()))
    bufs = tuple(M.Buffer(id=str(i), lower=0, upper=2, size=s) for i, s in enumerate((8, 16, 4)))
    inst = M.Mapping(buffers=bufs, capacity=16, steps=steps, fast_bandwidth=8.0, slow_bandwidth=1.0)
    ma = _mapping.mapping_arrays(inst)
    xla = _mapping.xla_memory_boundedness(inst, ma)
    assert np.allclose(xla, [8 * (1 - 1 / 8), 16 * (1 - 1 / 8), 4 * (1 - 1 / 8)])
    capped = _mapping.standalone_benefit(ma, inst.n)
    assert np.allclose(capped, [4.0, 4.0, 4 * (1 - 1 / 8)])


@pytest.mark.parametrize("method", ["greedy-size", "greedy-best", "first-fit"])
def test_greedy_methods_return_within_the_time_limit(method: str) -> None:
    """A placement that cannot finish in time is abandoned: no solution, on time."""
    import time

    inst = generate_allocation(n=40000, horizon=4000, slack=-1.0, seed=3)
    schedlab.warm_up("memory", method)
    t = time.perf_counter()
    res = _solve(inst, method, time_limit=0.05)
    assert time.perf_counter() - t < 0.05 + 1.0  # untimed, each takes 15 s or more
    if res.solution is None:
        assert res.status is Status.UNKNOWN and "stopped" in res.info
