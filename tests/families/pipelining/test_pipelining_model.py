"""The pipelining model: JSON, checker by simulation, bounds, generator."""

from __future__ import annotations

import json

import pytest

import schedlab
from schedlab.core import InstanceError, SolutionError
from schedlab.families.pipelining.bundled import bundled_loop, bundled_loops, running_example
from schedlab.families.pipelining.generate import generate
from schedlab.families.pipelining.model import OBJ_SCALE, Instance, is_solution


def _sol(starts: dict[str, int], ii: int, length: int, warp: object = 0) -> dict:
    return {
        "ii": ii,
        "length": length,
        "ops": [{"name": n, "start": s, "stage": s // ii, "warp": warp} for n, s in starts.items()],
    }


def test_running_example_bounds_and_check() -> None:
    inst = running_example()
    assert (inst.res_mii(), inst.rec_mii(), inst.mii_bound()) == (2, 1, 2)
    sol = _sol({"S": 0, "P": 2, "O": 3}, 2, 4)
    assert inst.check(sol) == 2 * OBJ_SCALE + 4
    rep = inst.simulate(sol)
    assert rep.ii == 2 and rep.throughput == 0.5 and rep.in_flight == 2
    assert rep.sequential_ii == 3  # in order: one iteration per 3 cycles


@pytest.mark.parametrize(
    "starts, ii, length, match",
    [
        ({"S": 0, "P": 1, "O": 2}, 2, 3, "unit tensor"),  # O and S clash on the tensor core
        ({"S": 0, "P": 0, "O": 3}, 2, 4, "dependence S->P"),
        ({"S": 0, "P": 1, "O": 2}, 1, 3, "unit tensor"),
        ({"S": 0, "P": 2, "O": 3}, 2, 5, "length"),
    ],
)
def test_checker_rejects(starts: dict, ii: int, length: int, match: str) -> None:
    with pytest.raises(SolutionError, match=match):
        running_example().check(_sol(starts, ii, length))


def test_checker_rejects_bad_stage_and_names() -> None:
    inst = running_example()
    sol = _sol({"S": 0, "P": 2, "O": 3}, 2, 4)
    sol["ops"][1]["stage"] = 0
    with pytest.raises(SolutionError, match="stage"):
        inst.check(sol)
    with pytest.raises(SolutionError):
        inst.check({"ii": 2})
    with pytest.raises(SolutionError, match="unknown op"):
        inst.check(_sol({"S": 0, "P": 2, "X": 3}, 2, 4))


def test_json_round_trip_and_load() -> None:
    for name in bundled_loops():
        inst = bundled_loop(name)
        again = schedlab.load(json.loads(inst.to_json()))
        assert again.to_dict() == inst.to_dict()


def test_instance_errors() -> None:
    base = running_example().to_dict()
    bad = dict(base, ops=[*base["ops"], {"name": "S", "unit": "tensor"}])
    with pytest.raises(InstanceError, match="twice"):
        Instance.from_dict(bad)
    bad = dict(base, ops=[{"name": "S", "unit": "nope"}])
    with pytest.raises(InstanceError, match="not a unit"):
        Instance.from_dict(bad)
    bad = dict(base, edges=[{"src": "S", "dst": "S", "delay": 1, "distance": 0}])
    with pytest.raises(InstanceError, match="distance 0"):
        Instance.from_dict(bad)
    with pytest.raises(InstanceError, match="bundled machine"):
        Instance.from_dict(dict(base, machine="nosuch"))


def test_warp_rules() -> None:
    inst = bundled_loop("flash_fwd_hopper")
    starts = {"ldK": 0, "ldV": 1, "S_a": 8, "P_a": 12, "S_b": 12, "O_a": 16, "P_b": 16, "O_b": 20}
    warps = {"ldK": 0, "ldV": 0, "S_a": 1, "P_a": 1, "O_a": 1, "S_b": 2, "P_b": 2, "O_b": 2}
    sol = _sol(starts, 16, 24)
    for r in sol["ops"]:
        r["warp"] = warps[r["name"]]
    assert inst.check(sol) == 16 * OBJ_SCALE + 24
    # all consumers on one warp: too many registers
    for r in sol["ops"]:
        r["warp"] = 0 if r["name"].startswith("ld") else 1
    with pytest.raises(SolutionError):
        inst.check(sol)
    # loads on two warps
    for r in sol["ops"]:
        r["warp"] = warps[r["name"]] if r["name"] != "ldV" else 3
    with pytest.raises(SolutionError, match="one producer"):
        inst.check(sol)


def test_generate_is_seeded() -> None:
    a, b = generate(12, seed=3), generate(12, seed=3)
    assert a.to_dict() == b.to_dict()
    assert a.mii_bound() >= 1


def test_unknown_wait_keeps_fixed_time_work_off_its_warp() -> None:
    inst = bundled_loop("flash_fwd_blackwell")
    res = schedlab.solve(inst, "cpsat", time_limit=30, threads=1)
    sol = res.solution
    w = {r["name"]: r["warp"] for r in sol["ops"]}
    for r in sol["ops"]:
        if r["name"] == "S_a":
            r["warp"] = w["P_a"]  # an MMA beside the softmax: its unknown wait would delay it
    with pytest.raises(SolutionError, match="unknown flip time"):
        inst.check(sol)


def test_is_solution() -> None:
    assert is_solution({"ii": 2, "length": 4, "ops": []})
    assert not is_solution({"sequence": [0, 1]})
    assert not is_solution([])  # type: ignore[arg-type]
