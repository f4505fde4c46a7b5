"""Issue #19 (hardening) for partition: reading is linear in the devices, methods keep their
limits with a million-like device pool, and bad PipeEdge profiles are one-line errors."""

from __future__ import annotations

import itertools
import math
import random
import shutil
import time
from pathlib import Path

import pytest

import schedlab
from schedlab import InstanceError
from schedlab.families.partition.generate import feasible, generate
from schedlab.families.partition.hardware import Device, DeviceType, Link
from schedlab.families.partition.model import Instance

PE = Path(__file__).resolve().parents[3] / "instances" / "partition" / "pipeedge"


def _many(n: int) -> dict:
    return {
        "problem": "partition",
        "layers": {"mem_MB": [10.0] * 6, "out_elems": [1000] * 6, "in_elems": 10},
        "device_types": {
            "a": {"mem_MB": 30.0, "bw_Mbps": 100.0, "time_s": [0.1] * 6},
            "b": {"mem_MB": 80.0, "bw_Mbps": 10.0, "time_s": [0.3] * 6},
        },
        "devices": {"a": n, "b": 3},
    }


def test_reading_many_devices_is_linear() -> None:
    # 30,000 devices: the pairwise checks (9e8 pairs) took hours, a linear pass ~0.5 s.
    t = time.perf_counter()
    inst = schedlab.load(_many(30_000))
    assert time.perf_counter() - t < 5.0
    assert inst.n_devices == 30_003
    assert inst.reduced.n_devices == 6 + 3  # at most L devices of a class
    for method in ("exact", "greedy", "dp", "nsga2", "split"):
        opts = {"order": "all"} if method == "dp" else {}
        r = schedlab.solve(inst, method=method, time_limit=1.0, **opts)
        assert r.solution is not None and r.runtime_s < 1.5, method
    exact = schedlab.solve(inst, method="exact", time_limit=5.0)
    small = schedlab.solve(schedlab.load(_many(6)), method="exact", time_limit=5.0)
    assert exact.status.value == "optimal" and exact.objective == pytest.approx(small.objective)


def test_dp_refuses_a_fixed_order_over_huge_tables() -> None:
    inst = schedlab.load(_many(3_000))
    with pytest.raises(schedlab.SolveError, match="link tables"):
        schedlab.solve(inst, method="dp", time_limit=1.0)


def _brute_max_link(inst: Instance) -> float:
    best = 0.0
    for u, v in itertools.permutations(range(inst.n_devices), 2):
        for layer in range(1, inst.n_layers):
            best = max(best, inst.link_time(u, v, layer))
    return best


@pytest.mark.parametrize("seed", range(8))
def test_the_linear_hypervolume_box_matches_all_pairs(seed: int) -> None:
    rng = random.Random(seed)
    L = rng.randint(1, 4)
    types = (
        DeviceType("x", tuple(rng.uniform(0.1, 1) for _ in range(L)), 1e6, rng.choice([1.0, 5.0])),
        DeviceType("y", tuple(rng.uniform(0.1, 1) for _ in range(L)), 1e6, 3.0),
    )
    devs = tuple(
        Device(
            f"d{k}",
            rng.choice("xy"),
            bw_Mbps=rng.choice([None, 0.5, 7.0]),
            latency_s=rng.choice([0.0, 0.0, 0.01, 0.2]),
        )
        for k in range(rng.randint(1, 7))
    )
    links = ()
    if len(devs) >= 3:
        links = (Link("d0", "d2", bw_Mbps=rng.choice([None, 0.1, 50.0]), latency_s=0.5),)
    outs = tuple(rng.choice([0, 1000, 50_000]) for _ in range(L))
    inst = Instance(
        mem_MB=(1.0,) * L, out_elems=outs, in_elems=7, types=types, devices=devs, links=links
    )
    assert inst._max_link_time() == _brute_max_link(inst)


def test_a_zero_bandwidth_pair_is_still_refused() -> None:
    t = DeviceType("t", (0.1, 0.1), 10.0, 5.0)
    devs = (Device("a", "t"), Device("b", "t", bw_Mbps=0.0), Device("c", "t"))
    with pytest.raises(InstanceError, match="'a' and 'b'.*positive bandwidth"):
        Instance(mem_MB=(1.0, 1.0), out_elems=(5, 5), in_elems=1, types=(t,), devices=devs)
    links = (Link("a", "b", bw_Mbps=1.0), Link("b", "c", bw_Mbps=2.0))
    Instance(mem_MB=(1.0, 1.0), out_elems=(5, 5), in_elems=1, types=(t,), devices=devs, links=links)
    with pytest.raises(InstanceError, match="'a' and 'c'.*positive bandwidth"):
        Instance(
            mem_MB=(1.0, 1.0),
            out_elems=(5, 5),
            in_elems=1,
            types=(t,),
            devices=devs,
            links=(*links, Link("a", "c", bw_Mbps=0.0)),
        )


def _profiles(tmp_path: Path) -> Path:
    for name in ("models.yml", "device_types.yml", "devices.yml", "vit_base_layers.csv"):
        shutil.copy(PE / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize(
    ("value", "match"), [("abc", "must be an integer"), ("-48", "at least 0"), ("4.5", "integer")]
)
def test_bad_model_layers_are_errors(tmp_path: Path, value: str, match: str) -> None:
    models = _profiles(tmp_path) / "models.yml"
    text = models.read_text()
    assert "  layers: 48\n" in text
    models.write_text(text.replace("  layers: 48\n", f"  layers: {value}\n", 1))
    with pytest.raises(InstanceError, match=match) as e:
        schedlab.read(f"{models}#1")
    assert e.value.line is not None


def test_an_unknown_time_column_is_an_error(tmp_path: Path) -> None:
    csv = _profiles(tmp_path) / "vit_base_layers.csv"
    head, rest = csv.read_text().split("\n", 1)
    assert "time_s_RCC-VE-C2000" in head
    csv.write_text(head.replace("time_s_RCC-VE-C2000", "time_s_Bogus") + "\n" + rest)
    with pytest.raises(InstanceError, match="time_s_Bogus"):
        schedlab.read(str(csv))


@pytest.mark.parametrize("layers", [1, 2, 3, 4, 5, 8])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_instances_are_feasible(layers: int, seed: int) -> None:
    inst = generate(layers, seed=seed)
    assert feasible(inst) is True
    r = schedlab.solve(inst, method="exact", time_limit=5.0)
    assert r.status.value == "optimal" and r.solution is not None


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_reference_is_refused(bad: float) -> None:
    doc = _many(2)
    doc["reference"] = bad
    with pytest.raises(InstanceError, match="reference"):
        schedlab.load(doc)
