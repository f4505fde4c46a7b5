"""exact and dp against exhaustive enumeration on random small instances; baselines."""

from __future__ import annotations

from pathlib import Path

import pytest

import schedlab
from schedlab.core import Status
from schedlab.families.partition.generate import generate
from schedlab.families.partition.hardware import Link
from schedlab.families.partition.model import Instance
from schedlab.families.partition.pareto import igd_plus

ROOT = Path(__file__).resolve().parents[3] / "instances" / "partition"


def _front(res: schedlab.Result) -> list[tuple[float, float]]:
    return [(p["latency"], p["period"]) for p in res.solution["front"]]


def _same(a: list, b: list) -> None:
    assert len(a) == len(b), (a, b)
    for (la, pa), (lb, pb) in zip(a, b, strict=True):
        assert la == pytest.approx(lb, rel=1e-9) and pa == pytest.approx(pb, rel=1e-9)


CASES = [
    (layers, types, devices, seed, tight)
    for seed, (layers, types, devices, tight) in enumerate(
        [
            (1, 1, 1, 2.0),
            (2, 2, 2, 2.0),
            (4, 2, 3, 0.5),
            (5, 1, 3, 0.4),
            (6, 2, 3, 0.6),
            (7, 2, 3, 0.35),
            (8, 2, 3, 0.8),
            (9, 2, 3, 0.45),
            (10, 2, 3, 0.6),
            (10, 2, 3, 0.3),
            (10, 2, 2, 1.0),
            (10, 3, 3, 0.5),
        ]
    )
]


@pytest.mark.parametrize("layers,types,devices,seed,tight", CASES)
def test_exact_and_dp_equal_exhaustive(layers, types, devices, seed, tight) -> None:
    inst = generate(layers, types, devices, seed=seed, mem_tightness=tight)
    ref = schedlab.solve(inst, "exhaustive")
    if ref.status is Status.INFEASIBLE:
        for m, kw in (("exact", {}), ("dp", {"order": "all"})):
            assert schedlab.solve(inst, m, **kw).status is Status.INFEASIBLE
        return
    assert ref.status is Status.OPTIMAL
    ex = schedlab.solve(inst, "exact")
    assert ex.status is Status.OPTIMAL and ex.bound == pytest.approx(ex.objective)
    _same(_front(ex), _front(ref))
    dp_all = schedlab.solve(inst, "dp", order="all")
    assert dp_all.status is Status.OPTIMAL
    _same(_front(dp_all), _front(ref))
    ids = [d.id for d in inst.devices][::-1]
    fixed = schedlab.solve(inst, "dp", order=ids)
    fixed_ref = schedlab.solve(inst, "exhaustive", order=ids)
    if fixed_ref.solution is None:
        assert fixed.solution is None
    else:
        _same(_front(fixed), _front(fixed_ref))
        assert fixed.objective <= ex.objective + 1e-12
    for m in ("split", "greedy"):
        res = schedlab.solve(inst, m)
        if res.solution is not None:
            assert res.objective <= ex.objective + 1e-12
            assert igd_plus(_front(res), _front(ex)) >= 0


def test_link_overrides_and_latency() -> None:
    base = generate(6, 1, 3, seed=5, mem_tightness=0.5)
    d = base.to_dict()
    d["devices"][1]["latency_s"] = 0.05
    d["links"] = [{"a": "d0", "b": "d2", "bw_Mbps": 5.0, "latency_s": 0.2}]
    inst = Instance.from_dict(d)
    assert inst.links == (Link("d0", "d2", 5.0, 0.2),)
    assert len(inst.device_classes) == 3  # overrides break interchangeability
    ref = schedlab.solve(inst, "exhaustive")
    ex = schedlab.solve(inst, "exact")
    _same(_front(ex), _front(ref))


def test_time_limit_partial_front_has_valid_bound() -> None:
    inst = schedlab.read(ROOT / "vit_base_8dev.json")
    full = schedlab.solve(inst, "exact")
    assert full.status is Status.OPTIMAL and len(full.solution["front"]) > 20
    part = schedlab.solve(inst, "exact", time_limit=1e-9)
    assert part.status in (Status.UNKNOWN, Status.FEASIBLE)
    if part.solution is not None:
        assert part.bound >= full.objective - 1e-12


def test_vit_baselines_below_exact() -> None:
    inst = schedlab.read(ROOT / "vit_large_8dev.json")
    ex = schedlab.solve(inst, "exact")
    assert ex.status is Status.OPTIMAL
    for m, kw in (("split", {}), ("greedy", {}), ("split", {"pick": "latency"})):
        res = schedlab.solve(inst, m, **kw)
        assert res.objective < ex.objective
    fixed = schedlab.solve(inst, "dp")  # the instance's order: 4 Minnowboards, then 4 RCCs
    assert fixed.status is Status.FEASIBLE and fixed.objective <= ex.objective + 1e-12


def test_nsga2_seeded_and_bounded() -> None:
    pytest.importorskip("pymoo")
    inst = generate(10, 2, 3, seed=7, mem_tightness=0.6)
    a = schedlab.solve(inst, "nsga2", seed=3, pop_size=20, generations=15)
    b = schedlab.solve(inst, "nsga2", seed=3, pop_size=20, generations=15)
    assert a.solution == b.solution and a.info["generations"] == 15
    ex = schedlab.solve(inst, "exact")
    assert a.objective <= ex.objective + 1e-12
    timed = schedlab.solve(inst, "nsga2", pop_size=8, time_limit=0.2)
    assert timed.info["generations"] >= 1 and timed.params["generations"] is None


def test_nsga2_default_budget_without_time_limit() -> None:
    pytest.importorskip("pymoo")
    from schedlab.families.partition.methods.nsga2 import DEFAULT_GENERATIONS

    inst = generate(4, 2, 3, seed=1, mem_tightness=2.0)
    res = schedlab.solve(inst, "nsga2", pop_size=8)
    assert res.info["generations"] == DEFAULT_GENERATIONS


def test_nsga2_without_pymoo(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pymoo.algorithms.moo.nsga2", None)
    with pytest.raises(schedlab.SolveError, match="moo"):
        schedlab.solve(generate(3, 1, 2, seed=0), "nsga2")
