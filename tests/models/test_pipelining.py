"""The pipelining model: JSON, checker by simulation, bounds, HatScheT reader, sniffing."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

import schedlab
from schedlab.core import InstanceError, SolutionError
from schedlab.models import pipelining as P

HATSCHET = Path(__file__).resolve().parents[2] / "instances" / "pipelining" / "hatschet"


def _sol(starts: dict[str, int], ii: int, length: int, warp: object = 0) -> dict:
    return {
        "ii": ii,
        "length": length,
        "ops": [{"name": n, "start": s, "stage": s // ii, "warp": warp} for n, s in starts.items()],
    }


def test_running_example_bounds_and_check() -> None:
    inst = P.running_example()
    assert (inst.res_mii(), inst.rec_mii(), inst.mii_bound()) == (2, 1, 2)
    sol = _sol({"S": 0, "P": 2, "O": 3}, 2, 4)
    assert inst.check(sol) == 2 * P.OBJ_SCALE + 4
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
        P.running_example().check(_sol(starts, ii, length))


def test_checker_rejects_bad_stage_and_names() -> None:
    inst = P.running_example()
    sol = _sol({"S": 0, "P": 2, "O": 3}, 2, 4)
    sol["ops"][1]["stage"] = 0
    with pytest.raises(SolutionError, match="stage"):
        inst.check(sol)
    with pytest.raises(SolutionError):
        inst.check({"ii": 2})
    with pytest.raises(SolutionError, match="unknown op"):
        inst.check(_sol({"S": 0, "P": 2, "X": 3}, 2, 4))


def test_json_round_trip_and_load() -> None:
    for name in P.bundled_loops():
        inst = P.bundled_loop(name)
        again = schedlab.load(json.loads(inst.to_json()))
        assert again.to_dict() == inst.to_dict()


def test_instance_errors() -> None:
    base = P.running_example().to_dict()
    bad = dict(base, ops=[*base["ops"], {"name": "S", "unit": "tensor"}])
    with pytest.raises(InstanceError, match="twice"):
        P.Instance.from_dict(bad)
    bad = dict(base, ops=[{"name": "S", "unit": "nope"}])
    with pytest.raises(InstanceError, match="not a unit"):
        P.Instance.from_dict(bad)
    bad = dict(base, edges=[{"src": "S", "dst": "S", "delay": 1, "distance": 0}])
    with pytest.raises(InstanceError, match="distance 0"):
        P.Instance.from_dict(bad)
    with pytest.raises(InstanceError, match="bundled machine"):
        P.Instance.from_dict(dict(base, machine="nosuch"))


def test_warp_rules() -> None:
    inst = P.bundled_loop("flash_fwd_hopper")
    starts = {"ldK": 0, "ldV": 1, "S_a": 8, "P_a": 12, "S_b": 12, "O_a": 16, "P_b": 16, "O_b": 20}
    warps = {"ldK": 0, "ldV": 0, "S_a": 1, "P_a": 1, "O_a": 1, "S_b": 2, "P_b": 2, "O_b": 2}
    sol = _sol(starts, 16, 24)
    for r in sol["ops"]:
        r["warp"] = warps[r["name"]]
    assert inst.check(sol) == 16 * P.OBJ_SCALE + 24
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
    a, b = P.generate(12, seed=3), P.generate(12, seed=3)
    assert a.to_dict() == b.to_dict()
    assert a.mii_bound() >= 1


def test_sniff_only_graphml(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_text("1 2\n3 4\n")
    assert not P.sniff(str(f), f.read_text())
    g = tmp_path / "y.graphml"
    g.write_text('<graphml><graph><node id="1"></node></graph></graphml>')
    assert not P.sniff(str(g), g.read_text())  # no uses_resource: not a HatScheT loop graph


def test_hatschet_reader_matches_mii_csv() -> None:
    import csv

    with open(HATSCHET / "mii.csv") as fh:
        rows = [r for r in csv.DictReader(fh) if r["variant"] == "plain"]
    rows = sorted(rows, key=lambda r: int(r["nodes"]))[:40:4]
    for r in rows:
        inst = schedlab.read(str(HATSCHET / r["graph"]))
        assert inst.problem == "pipelining"
        assert inst.n == int(r["nodes"]) and len(inst.edges) == int(r["edges"])
        assert inst.mii_bound() == int(r["MII"]) == inst.mii


def test_graphml_instances_survive_the_json_round_trip() -> None:
    """Ops on unlimited resources keep their unit label (busy 0) through JSON, as sweep
    workers rebuild every instance from its dict."""
    rows = sorted((HATSCHET / "ChStone").rglob("*.graphml"))[:5]
    assert rows
    for path in rows:
        inst = schedlab.read(str(path))
        back = schedlab.load(json.loads(json.dumps(inst.to_dict())))
        assert back.to_dict() == inst.to_dict()
        assert back.mii_bound() == inst.mii_bound()
    bad = inst.to_dict()
    op = next(o for o in bad["ops"] if o.get("unit") not in (None, *inst.machine.units))
    op["busy"] = 1
    with pytest.raises(InstanceError, match="is not a unit of the machine"):
        schedlab.load(bad)


def test_vandongen_broken_xml_is_read() -> None:
    inst = schedlab.read(str(HATSCHET / "Programs/vanDongen/vanDongen.graphml"))
    assert inst.n == 10 and inst.mii_bound() == 6


def test_unknown_wait_keeps_fixed_time_work_off_its_warp() -> None:
    inst = P.bundled_loop("flash_fwd_blackwell")
    res = schedlab.solve(inst, "cpsat", time_limit=30, threads=1)
    sol = res.solution
    w = {r["name"]: r["warp"] for r in sol["ops"]}
    for r in sol["ops"]:
        if r["name"] == "S_a":
            r["warp"] = w["P_a"]  # an MMA beside the softmax: its unknown wait would delay it
    with pytest.raises(SolutionError, match="unknown flip time"):
        inst.check(sol)


def test_normalise_costs_keeps_ratios() -> None:
    assert P.normalise_costs([1024, 768, 128, 0, 1024]) == [8, 6, 1, 0, 8]
    assert P.normalise_costs([7, 14, 21]) == [1, 2, 3]
    raw = [1000, 1024, 768, 130]
    out = P.normalise_costs(raw, upper=300)
    assert sum(set(out)) <= 300 and all(x >= 1 for x in out)
    for i in range(len(raw)):
        for j in range(len(raw)):
            assert abs(raw[i] / raw[j] - out[i] / out[j]) <= 0.05 * raw[i] / raw[j]
    # exact: brute force over every vector with a total of at most 20

    def cross(v: tuple[int, ...]) -> int:
        return max(
            abs(a * y - b * x)
            for a, x in zip(raw, v, strict=True)
            for b, y in zip(raw, v, strict=True)
        )

    best = min(cross(v) for v in itertools.product(range(1, 18), repeat=4) if sum(v) <= 20)
    small = P.normalise_costs(raw, upper=20)
    assert sum(small) <= 20 and cross(tuple(small)) == best


@pytest.mark.parametrize(
    "name",
    [
        "gemm_hopper",
        "flash_fwd_hopper",
        "flash_fwd_blackwell",
        "attn_bwd_hopper",
        "attn_bwd_blackwell",
    ],
)
def test_bundled_kernels_are_built_from_raw_cycles(name: str) -> None:
    built = P.build_bundled(name)
    assert built.to_dict() == P.bundled_loop(name).to_dict()
    raw = json.loads(
        (Path(P.__file__).parents[1] / "data/pipelining/raw" / f"{name}.json").read_text()
    )
    # every normalised cost is raw / 128 here (all raw costs are multiples of 128: F = 0)
    for r, o in zip(raw["ops"], built.ops, strict=True):
        assert 128 * o.latency == r.get("latency", 0)
        assert 128 * o.warp_cycles == r.get("warp_cycles", 0)
        assert 128 * o.spill == r.get("spill", 0)
        assert o.cycles == (max(r["busy"].values()) if isinstance(r["busy"], dict) else r["busy"])
