"""Work limits of the partition methods: the declared units, runs that repeat exactly, early
stops that claim no exact front, and work used within the limit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import schedlab
from schedlab import Status
from schedlab.families.partition.generate import generate
from schedlab.families.partition.methods.exact import exact_states
from schedlab.families.partition.methods.exhaustive import count_plans
from schedlab.families.partition.model import Instance

ROOT = Path(__file__).resolve().parents[3] / "instances" / "partition"
SMALL = generate(6, 2, 3, seed=4, mem_tightness=2.0)  # 93 plans; exact in 6 steps


@pytest.fixture(scope="module")
def vit() -> Instance:
    return schedlab.read(ROOT / "vit_base_8dev.json")  # the exact front: 48 steps


@contextmanager
def _busy() -> Iterator[None]:
    """A thread burning CPU meanwhile (a loaded machine)."""
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


def _key(res: schedlab.Result) -> tuple:
    return res.solution, res.status, res.bound, res.objective


def test_work_units_are_declared() -> None:
    units = {m.name: m.work for m in schedlab.methods("partition")}
    assert "generation" in units["nsga2"]
    assert "state" in units["exact"] and "state" in units["dp"]
    assert "plan" in units["exhaustive"]
    assert units["greedy"] is None and units["split"] is None


def test_same_work_limit_same_result(vit: Instance) -> None:
    pytest.importorskip("pymoo")
    cases = [
        ("exact", vit, 5 * exact_states(vit), {}),
        ("dp", SMALL, 60, {"order": "all"}),
        ("exhaustive", SMALL, 40, {}),
        ("nsga2", SMALL, 4, {"pop_size": 12}),
    ]
    for method, inst, limit, kw in cases:
        a = schedlab.solve(inst, method, work_limit=limit, threads=1, seed=3, **kw)
        with _busy():
            b = schedlab.solve(inst, method, work_limit=limit, threads=1, seed=3, **kw)
        assert _key(a) == _key(b), method
        assert 0 < a.info["work"] <= limit, method


def test_a_small_work_limit_stops_the_exact_sweep_unproven(vit: Instance) -> None:
    full = schedlab.solve(vit, "exact")
    assert full.status is Status.OPTIMAL and full.info["steps"] == 48
    n = exact_states(vit)
    part = schedlab.solve(vit, "exact", work_limit=3.5 * n)
    assert part.status is Status.FEASIBLE and part.info["steps"] == 3
    assert part.info["work"] == 3 * n  # the fourth step would cross the limit: not started
    assert part.objective < full.objective <= part.bound + 1e-12
    none = schedlab.solve(vit, "exact", work_limit=n / 2)
    assert none.status is Status.UNKNOWN and none.solution is None and none.info["work"] == 0
    enough = schedlab.solve(vit, "exact", work_limit=48 * n)
    assert enough.status is Status.OPTIMAL and enough.objective == full.objective


def test_dp_and_exhaustive_stopped_by_work_claim_nothing() -> None:
    ex = schedlab.solve(SMALL, "exhaustive")
    assert ex.status is Status.OPTIMAL
    assert count_plans(SMALL, None) == 93
    cut = schedlab.solve(SMALL, "exhaustive", work_limit=40)
    assert cut.status is Status.FEASIBLE and cut.bound is None
    assert cut.info["plans_seen"] == cut.info["work"] == 40
    assert cut.objective <= ex.objective + 1e-12
    whole = schedlab.solve(SMALL, "exhaustive", work_limit=93)
    assert whole.status is Status.OPTIMAL and whole.objective == ex.objective
    dp = schedlab.solve(SMALL, "dp", order="all", work_limit=60)
    assert dp.status is Status.FEASIBLE and dp.info["work"] <= 60
    assert not dp.info["order_fronts_complete"]


def test_nsga2_work_limit_counts_generations() -> None:
    pytest.importorskip("pymoo")
    res = schedlab.solve(SMALL, "nsga2", pop_size=8, work_limit=5)
    assert res.info["generations"] == res.info["work"] == 5  # replaces the default 100
    capped = schedlab.solve(SMALL, "nsga2", pop_size=8, work_limit=5, generations=2)
    assert capped.info["generations"] == 2
    fewer = schedlab.solve(SMALL, "nsga2", pop_size=8, work_limit=2.7)
    assert fewer.info["generations"] == 2


def test_constructive_methods_ignore_the_work_limit() -> None:
    for m in ("greedy", "split"):
        res = schedlab.solve(SMALL, m, work_limit=1)
        assert _key(res) == _key(schedlab.solve(SMALL, m)) and "work" not in res.info
