"""The greedy placement kernel (a lazy segment tree of the offsets used over time, built to
scale to long traces) places exactly as the algorithm it replaced: list every placed buffer
that overlaps the next one in time, sort them by offset and take the best or the first gap
(:mod:`._pyplace`, the same algorithm in Python). Timings are not tested; see the issue's
measurements in the kernel's docstring."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

import schedlab
from schedlab.families.memory import model as M
from schedlab.families.memory.methods import _common, _kernels, _placement, _pyplace

RULES = ("size", "start", "breadth", "area", "length", "cover90-size")


@pytest.fixture(params=["lists", "scan"])
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Either placement of the kernel, whatever the density of the instance: the interval
    lists of the segment tree, or the listing of the overlapping buffers."""
    below = 0.0 if request.param == "lists" else float("inf")
    monkeypatch.setattr(_kernels, "SCAN_BELOW", (below, below))
    return str(request.param)


def _instance(seed: int) -> M.Allocation:
    """Several hundred buffers, lives from a few steps to the whole horizon (many buffers
    live at once: fragmented gaps), some aligned, some empty, some fixed (apart, so that
    the instance is feasible)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(201, 500))
    horizon = int(rng.integers(20, 2000))
    longest = int(rng.choice([5, 50, horizon]))
    bufs = []
    for i in range(n):
        lo = int(rng.integers(0, horizon))
        up = lo + int(rng.integers(1, longest + 1))
        size = 0 if i % 17 == 5 else int(rng.choice([1, 8, 100, 4096]) * rng.integers(1, 9))
        bufs.append(
            M.Buffer(
                i,
                lo,
                up,
                size,
                alignment=int(rng.choice([1, 1, 2, 8, 64])) if seed % 2 else 1,
                offset=(i + 1) * 2**20 if seed % 3 == 0 and i % 29 == 3 else None,
            )
        )
    return M.Allocation(buffers=tuple(bufs), name=f"scale{seed}")


@pytest.mark.parametrize("seed", range(12))
def test_greedy_placement_equals_the_listing_algorithm_and_is_feasible(seed: int, way: str) -> None:
    inst = _instance(seed)
    lo, up, sz, al, fx = inst.arrays
    far = time.perf_counter() + 1e6
    for rule in RULES:
        order = _placement.order_by(inst, rule)
        for best_fit in (True, False):
            args = (order, lo, up, sz, al, fx, 0, best_fit, False)
            want = _pyplace.place(*args)
            got = _kernels.place(*args)
            assert got.tolist() == want.tolist(), (way, rule, best_fit)
            sliced = _kernels.place(*args, deadline=far, chunk=5)  # resumed in slices
            assert sliced is not None and sliced.tolist() == want.tolist(), (way, rule)
            assert inst.check(_common.solution(inst, got)) >= inst.lower_bound()


@pytest.mark.parametrize("seed", range(8))
def test_placement_with_capacity_and_empty_lives_equals_the_listing_algorithm(
    seed: int, way: str
) -> None:
    """Raw arrays: empty lives (a buffer meets those live when it starts; one with an empty
    life is met by those whose life contains its start strictly), fixed offsets that
    overlap, a capacity with buffers left out."""
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(200, 600))
    horizon = int(rng.integers(10, 3 * n))
    lo = rng.integers(0, horizon, n).astype(np.int64)
    up = lo + rng.integers(0, int(rng.integers(1, horizon + 1)) + 1, n)
    sz = rng.integers(0, int(rng.choice([5, 50, 1000])), n).astype(np.int64)
    al = rng.choice([1, 1, 2, 4, 8], n).astype(np.int64)
    fx = np.full(n, -1, np.int64)
    k = int(rng.integers(0, 10))
    fx[rng.choice(n, k, replace=False)] = 4 * rng.integers(0, 100, k)
    order = rng.permutation(n).astype(np.int64)
    cap = int(rng.integers(1, 5000))
    for best_fit in (True, False):
        for skip in (False, True):
            args = (order, lo, up, sz, al, fx, cap, best_fit, skip)
            want = _pyplace.place(*args)
            assert _kernels.place(*args).tolist() == want.tolist(), (way, best_fit, skip)
            # slices of one buffer: the pool grows between slices as well
            got = _kernels.place(*args, deadline=time.perf_counter() + 1e6, chunk=1)
            assert got is not None and got.tolist() == want.tolist(), (way, best_fit, skip)


def test_the_pool_grows_and_the_placement_resumes() -> None:
    """Many long lives on a short horizon fill the initial pool of interval lists: the
    kernel stops (2), the pool is doubled, and the placement resumes to the same offsets."""
    rng = np.random.default_rng(7)
    n = 400
    lo = rng.integers(0, 300, n).astype(np.int64)
    up = lo + rng.integers(1, 300, n)
    sz = rng.integers(1, 64, n).astype(np.int64)
    al = np.ones(n, np.int64)
    fx = np.full(n, -1, np.int64)
    order = rng.permutation(n).astype(np.int64)
    st = list(_kernels.place_init(order, lo, up, fx))
    grown = 0
    while True:
        done = _kernels.place_steps(*st, sz, al, fx, 0, True, False, 10)
        if done == 1:
            break
        if done == 2:
            grown += 1
            st[6], st[7] = _kernels.grow_pool(st[6], st[7], int(st[11][0]), 2**40)
    assert grown > 0
    want = _pyplace.place(order, lo, up, sz, al, fx, 0, True, False)
    assert st[12].tolist() == want.tolist()


def test_a_full_pool_falls_back_to_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lists that outgrow ``POOL_MAX`` entries: the placement is redone by listing the
    overlapping buffers, in one call or in slices, with the same offsets."""
    inst = _instance(4)
    lo, up, sz, al, fx = inst.arrays
    monkeypatch.setattr(_kernels, "SCAN_BELOW", (0.0, 0.0))
    monkeypatch.setattr(_kernels, "POOL_MAX", 2**12)
    for rule, best_fit in (("size", True), ("start", False)):
        args = (_placement.order_by(inst, rule), lo, up, sz, al, fx, 0, best_fit, False)
        want = _pyplace.place(*args).tolist()
        assert _kernels.place(*args).tolist() == want
        got = _kernels.place(*args, deadline=time.perf_counter() + 1e6, chunk=3)
        assert got is not None and got.tolist() == want


def test_greedy_checks_its_deadline() -> None:
    inst = _instance(1)
    assert _placement.greedy(inst, "size", True, deadline=time.perf_counter()) is None


def test_greedy_best_starts_with_greedy_size_on_a_large_trace_under_a_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under a time limit a large trace is placed by greedy-size first (the variant that ends
    on dense traces), so that the portfolio keeps a placement; without one, the order stays."""
    from schedlab.core.timing import clock

    inst = schedlab.generate("memory", "generate_allocation", n=40, horizon=30, seed=3)
    seen: list[tuple[str, str]] = []
    real = _placement.run_variant

    def spy(inst: Any, fit: str, rule: str, deadline: float = _placement.NO_DEADLINE) -> Any:
        seen.append((fit, rule))
        return real(inst, fit, rule, deadline)

    monkeypatch.setattr(_placement, "run_variant", spy)
    monkeypatch.setattr(_placement, "LARGE_TRACE", 10)
    _placement.best_greedy(inst, clock() + 60)
    assert seen[0] == ("best", "size")
    seen.clear()
    _placement.best_greedy(inst)
    assert seen[0] == _placement.VARIANTS[0]
