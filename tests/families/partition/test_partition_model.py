"""The partition model: evaluation, JSON, the checker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import schedlab
from schedlab.core.errors import InstanceError, SolutionError
from schedlab.families.partition.generate import generate
from schedlab.families.partition.model import Instance, is_solution

ROOT = Path(__file__).resolve().parents[3] / "instances" / "partition"


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
    with pytest.raises(InstanceError, match="give either"):
        Instance.from_dict({"problem": "partition", "profiles": {}, "layers": {}})


def test_json_round_trip() -> None:
    inst = generate(5, 2, 3, seed=4)
    assert Instance.from_dict(json.loads(inst.to_json())) == inst


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
    assert is_solution(good) and not is_solution({"front": [], "x": 1})


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
