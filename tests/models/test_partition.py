"""The partition model: readers, evaluation, checker, indicators."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import schedlab
from schedlab.core.errors import InstanceError, SolutionError
from schedlab.models.partition import (
    Instance,
    close,
    generate,
    hypervolume,
    igd_plus,
    pareto_filter,
)

ROOT = Path(__file__).resolve().parents[2] / "instances" / "partition"


def test_sources_sanity_check_values() -> None:
    """SOURCES.md: ViT-Base, Minnowboard 1..s then RCC, 1000 Mbps, fp32, micro-batch 8."""
    inst = schedlab.read(ROOT / "vit_base_8dev.json")
    mb = inst.device_index["Minnowboard-E3845-0"]
    rcc = inst.device_index["RCC-VE-C2000-0"]
    expect = {2: (10.53, 9.95), 12: (11.11, 7.72), 21: (11.67, 5.85)}
    for s, (lat, per) in expect.items():
        got = inst.evaluate([(1, s, mb), (s + 1, 48, rcc)])
        assert got[0] == pytest.approx(lat, abs=0.005)
        assert got[1] == pytest.approx(per, abs=0.005)


def test_readers_agree() -> None:
    yml = schedlab.read(ROOT / "pipeedge" / "models.yml#1")
    assert yml.model == "google/vit-base-patch16-224" and yml.n_layers == 48
    assert [d.id for d in yml.devices][:2] == ["mb-0", "mb-1"]
    assert {d.type for d in yml.devices} == {"Minnowboard-E3845", "RCC-VE-C2000"}
    assert schedlab.core.count(str(ROOT / "pipeedge" / "models.yml")) == 2
    large = schedlab.read(ROOT / "pipeedge" / "models.yml#2")
    assert large.n_layers == 96
    csv = schedlab.read(ROOT / "pipeedge" / "vit_base_layers.csv")
    assert csv.mem_MB == yml.mem_MB and csv.out_elems == yml.out_elems
    assert csv.types == yml.types
    scen = schedlab.read(ROOT / "vit_base_8dev.json")
    assert scen.types == yml.types and scen.n_devices == 8
    again = Instance.from_dict(json.loads(scen.to_json()))
    assert again == scen


def test_bad_instances() -> None:
    with pytest.raises(InstanceError, match="unknown type"):
        Instance.from_dict(
            {
                "problem": "partition",
                "layers": {"mem_MB": [1], "out_elems": [1]},
                "device_types": {"a": {"mem_MB": 1, "bw_Mbps": 1, "time_s": [1]}},
                "devices": [{"id": "x", "type": "b"}],
            }
        )
    with pytest.raises(InstanceError, match="layer times"):
        Instance.from_dict(
            {
                "problem": "partition",
                "layers": {"mem_MB": [1, 2], "out_elems": [1, 1]},
                "device_types": {"a": {"mem_MB": 1, "bw_Mbps": 1, "time_s": [1]}},
                "devices": {"a": 2},
            }
        )
    with pytest.raises(InstanceError, match="model #3 out of range"):
        schedlab.read(ROOT / "pipeedge" / "models.yml#3")


def test_check_rejects_bad_fronts() -> None:
    inst = generate(6, 2, 3, seed=3, mem_tightness=2.0)
    d0 = inst.devices[0].id
    d1 = inst.devices[1].id
    lat, per = inst.evaluate([(1, 6, 0)])
    good = {
        "front": [
            {"latency": lat, "period": per, "stages": [{"first": 1, "last": 6, "device": d0}]}
        ]
    }
    assert inst.check(good) > 0
    bad = json.loads(json.dumps(good))
    bad["front"][0]["latency"] += 1.0
    with pytest.raises(SolutionError, match="latency"):
        inst.check(bad)
    gap = {
        "front": [
            {"latency": lat, "period": per, "stages": [{"first": 1, "last": 5, "device": d0}]}
        ]
    }
    with pytest.raises(SolutionError, match="end at layer 5"):
        inst.check(gap)
    twice = [(1, 3, 0), (4, 6, 0)]
    with pytest.raises(SolutionError, match="two stages"):
        inst.check(inst_solution(inst, [twice]))
    with pytest.raises(SolutionError, match="dominated"):
        inst.check(inst_solution(inst, [[(1, 6, 0)], [(1, 6, 0)]]))
    two = [(1, 3, 0), (4, 6, 1)]
    sol = inst.solution_from_plans([two, [(1, 6, 0)], [(1, 6, 1)]])
    inst.check(sol)
    assert d1 in json.dumps(sol) or d0 in json.dumps(sol)
    with pytest.raises(SolutionError, match="empty"):
        inst.check({"front": []})


def inst_solution(inst: Instance, plans: list) -> dict:
    front = []
    for p in plans:
        lat, per = inst.evaluate(p)
        front.append({"latency": lat, "period": per, "stages": inst.stages_of(p)})
    return {"front": front}


def test_memory_limit() -> None:
    inst = generate(6, 1, 2, seed=1, mem_tightness=0.3)
    assert inst.plan_errors([(1, 6, 0)]) is not None  # the model does not fit one device
    assert "MiB" in inst.plan_errors([(1, 6, 0)])


def test_indicators() -> None:
    pts = [(1.0, 3.0), (2.0, 2.0), (3.0, 1.0)]
    assert hypervolume(pts, (4.0, 4.0)) == pytest.approx(3 + 2 + 1)
    assert hypervolume(pts, (4.0, 4.0), (1.0, 1.0)) == pytest.approx(6 / 9)
    assert igd_plus(pts, pts) == 0.0
    assert igd_plus([(2.0, 3.0)], [(1.0, 3.0)]) == pytest.approx(1.0)
    assert igd_plus([(0.5, 0.5)], [(1.0, 3.0)]) == 0.0  # better everywhere: no penalty
    kept = pareto_filter([(1.0, 3.0, "a"), (1.0, 2.0, "b"), (2.0, 2.0, "c"), (3.0, 1.0, "d")])
    assert [p[2] for p in kept] == ["b", "d"]
    assert close(1.0, 1.0 + 1e-12) and not close(1.0, 1.0001)
