"""Instance validation: edges by op name or index (JSON and Python), and the number contract
(beyond int64, NaN, infinity, bools and strings where numbers belong, sums the solvers would
overflow) as InstanceErrors naming the JSON path or the field."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import schedlab
from schedlab.core import InstanceError
from schedlab.families.pipelining.bundled import bundled_loop, running_example
from schedlab.families.pipelining.model import MAX_CYCLES, MAX_VALUE, Edge, Instance, Machine, Op

TOY = Machine("toy", {"tensor": 1, "exp": 1})
OPS = (Op("S", ((0, "tensor", 1),)), Op("P", ((0, "exp", 1),)), Op("O", ((0, "tensor", 1),)))


def test_edges_by_name_or_index_in_python() -> None:
    by_index = Instance(TOY, OPS, (Edge(0, 1, 1), Edge(1, 2, 1), Edge(2, 2, 1, 1)))
    by_name = Instance(TOY, OPS, (Edge("S", "P", 1), Edge("P", "O", 1), Edge("O", "O", 1, 1)))
    mixed = Instance(TOY, OPS, (("S", 1, 1), (1, "O", 1, 0), Edge(2, "O", 1, 1)))
    assert by_index.edges == by_name.edges == mixed.edges
    assert all(isinstance(e.src, int) and isinstance(e.dst, int) for e in mixed.edges)
    # written in one canonical form: objects naming their ops
    assert by_name.to_dict()["edges"] == running_example().to_dict()["edges"]
    assert by_name.to_dict()["edges"][0] == {"src": "S", "dst": "P", "delay": 1, "distance": 0}


def test_edges_by_name_or_index_in_json() -> None:
    base = running_example().to_dict()
    doc = copy.deepcopy(base)
    doc["edges"] = [
        {"src": 0, "dst": "P", "delay": 1},
        ["P", 2, 1],
        [2, 2, 1, 1],
    ]
    inst = Instance.from_dict(doc)
    assert inst.to_dict() == base  # canonical form: objects naming their ops


@pytest.mark.parametrize(
    "edge, path, match",
    [
        ({"src": "S", "dst": "nope"}, "$.edges[1].dst", "unknown op 'nope'"),
        ({"src": 7, "dst": "P"}, "$.edges[1].src", r"op index 7 out of range \(0..2\)"),
        (["S", "nope"], "$.edges[1][1]", "unknown op"),
        ([3, 0], "$.edges[1][0]", "out of range"),
        ([0, 1, "1"], "$.edges[1][2]", "delay must be an integer"),
        ([0, 1, 0, -1], "$.edges[1][3]", "distance must be >= 0"),
        ({"src": True, "dst": "P"}, "$.edges[1].src", "op index .* or an op name"),
        ({"src": 1.0, "dst": "P"}, "$.edges[1].src", "op index .* or an op name"),
        ({"src": "S", "dst": "P", "delay": math.nan}, "$.edges[1].delay", "integer"),
        ({"src": "S", "dst": "P", "distance": 2**63}, "$.edges[1].distance", "<="),
        ({"src": "S", "dst": "P", "lag": 1}, "$.edges[1]", "unknown key"),
        ({"src": "S"}, "$.edges[1].dst", "needs src and dst"),
        (["S"], "$.edges[1]", r"\[src, dst"),
        ("S->P", "$.edges[1]", "object"),
    ],
)
def test_bad_edges_name_their_json_path(edge: Any, path: str, match: str) -> None:
    doc = running_example().to_dict()
    doc["edges"].insert(1, edge)
    with pytest.raises(InstanceError, match=match) as e:
        Instance.from_dict(doc, source="loop.json")
    assert e.value.path == path and e.value.file == "loop.json"
    assert str(e.value).startswith(f"loop.json: {path}")


def _mutations() -> list[tuple[Callable[[dict[str, Any]], Any], str]]:
    return [
        (lambda d: d["ops"][1].update(latency="16"), "$.ops[1].latency"),
        (lambda d: d["ops"][1].update(latency=True), "$.ops[1].latency"),
        (lambda d: d["ops"][1].update(latency=2**63), "$.ops[1].latency"),
        (lambda d: d["ops"][1].update(latency=-(2**63) - 1), "$.ops[1].latency"),
        (lambda d: d["ops"][1].update(latency=math.inf), "$.ops[1].latency"),
        (lambda d: d["ops"][1].update(latency=1.5), "$.ops[1].latency"),
        (lambda d: d["ops"][1].update(regs=math.nan), "$.ops[1].regs"),
        (lambda d: d["ops"][1].update(busy="2"), "$.ops[1].busy"),
        (lambda d: d["ops"][1].update(busy=2**64), "$.ops[1].busy"),
        (lambda d: d["ops"][1].update(cycles=2**63), "$.ops[1].cycles"),
        (lambda d: d["ops"][1].update(variable_latency="false"), "$.ops[1].variable_latency"),
        (lambda d: d["ops"][1].update(blocking=1), "$.ops[1].blocking"),
        (lambda d: d["ops"][1].update(name=""), "$.ops[1].name"),
        (lambda d: d["ops"][1].update(unit=3), "$.ops[1].unit"),
        (
            lambda d: (d["ops"][1].pop("busy"), d["ops"][1].update(table=[[0, "exp", "1"]])),
            "$.ops[1].table[0][2]",
        ),
        (
            lambda d: (d["ops"][1].pop("busy"), d["ops"][1].update(table=[[-1, "exp", 1]])),
            "$.ops[1].table[0][0]",
        ),
        (
            lambda d: (d["ops"][1].pop("busy"), d["ops"][1].update(table=[[0, "nope", 1]])),
            "$.ops[1].table[0][1]",
        ),
        (
            lambda d: (d["ops"][1].pop("busy"), d["ops"][1].update(table=[[0, "exp"]] * 2)),
            "$.ops[1].table",
        ),
        (lambda d: d["ops"].append({"name": "S"}), "$.ops[3].name"),
        (lambda d: d["machine"]["units"].update(exp="1"), "$.machine.units.exp"),
        (lambda d: d["machine"]["units"].update(exp=math.inf), "$.machine.units.exp"),
        (lambda d: d["machine"]["units"].update(exp=0), "$.machine.units.exp"),
        (lambda d: d["machine"].update(warps=2**63), "$.machine.warps"),
        (lambda d: d["machine"].update(regs_per_warp="255"), "$.machine.regs_per_warp"),
        (lambda d: d["machine"].update(smem=-1), "$.machine.smem"),
        (lambda d: d["machine"].update(name=5), "$.machine.name"),
        (lambda d: d.update(machine="nosuch"), "$.machine"),
        (lambda d: d.update(copies="2"), "$.copies"),
        (lambda d: d.update(copies=True), "$.copies"),
        (lambda d: d.update(mii=math.nan), "$.mii"),
        (lambda d: d.update(reference="12"), "$.reference"),
        (lambda d: d.update(reference=math.inf), "$.reference"),
        (lambda d: d.update(reference=False), "$.reference"),
        (lambda d: d.update(name=7), "$.name"),
        (lambda d: d.update(ops={}), "$.ops"),
        (lambda d: d.update(edges={}), "$.edges"),
    ]


@pytest.mark.parametrize("mutate, path", _mutations())
def test_bad_numbers_name_their_json_path(
    mutate: Callable[[dict[str, Any]], Any], path: str
) -> None:
    doc = running_example().to_dict()
    mutate(doc)
    json.dumps(doc)  # still a JSON document (NaN and infinity as Python writes them)
    with pytest.raises(InstanceError) as e:
        Instance.from_dict(doc, source="loop.json")
    assert e.value.path == path, str(e.value)
    assert e.value.file == "loop.json"


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: Op("x", latency="3"), r"^latency must be an integer, got '3' \(op 'x'\)"),
        (lambda: Op("x", latency=True), r"^latency must be an integer, got True"),
        (lambda: Op("x", regs=2**63), r"^regs must be <= 2147483647"),
        (lambda: Op("x", spill=math.nan), r"^spill must be an integer"),
        (lambda: Op("x", table=((0, "u", 1.5),)), r"^table\[0\]\[2\] must be an integer"),
        (lambda: Op("x", blocking="no"), r"^blocking must be true or false"),
        (lambda: Op(""), r"^name must be a non-empty string"),
        (lambda: Machine("m", {"u": "1"}), r"^units\.u must be an integer"),
        (lambda: Machine("m", {"u": 1}, warps=1.5), r"^warps must be an integer"),
        (lambda: Machine("m", {"u": 1}, smem=math.inf), r"^smem must be an integer"),
        (lambda: Edge(0, 1, delay="1"), r"^delay must be an integer"),
        (lambda: Edge(0, 1, distance=2**63), r"^distance must be <="),
        (lambda: Edge(False, 1), r"^src must be an op index"),
        (lambda: Instance(TOY, OPS, (Edge(0, "Q"),)), r"^edges\[0\]\.dst: unknown op 'Q'"),
        (lambda: Instance(TOY, OPS, ((0, 5),)), r"^edges\[0\]\[1\]: op index 5 out of range"),
        (lambda: Instance(TOY, OPS, ((0, 1, math.inf),)), r"^edges\[0\]\[2\]: delay must"),
        (lambda: Instance(TOY, OPS, ((0,),)), r"^edges\[0\] must be \(src, dst"),
        (lambda: Instance(TOY, OPS, (), copies="2"), r"^copies must be an integer"),
        (lambda: Instance(TOY, OPS, (), reference=math.nan), r"^reference must be a finite"),
        (lambda: Instance(TOY, OPS, (), mii=0), r"^mii must be >= 1"),
        (lambda: Instance(TOY, (Op("a", ((0, "gpu", 1),)),), ()), r"not a unit of the machine"),
        (lambda: Instance(TOY, ("S",), ()), r"^ops\[0\] must be an Op"),
    ],
)
def test_constructors_name_the_field(build: Callable[[], Any], match: str) -> None:
    with pytest.raises(InstanceError, match=match):
        build()


def test_numpy_integers_are_numbers() -> None:
    op = Op("x", ((np.int64(0), "tensor", np.int32(1)),), latency=np.int64(3))
    assert op.latency == 3 and type(op.latency) is int and op.table == ((0, "tensor", 1),)
    e = Edge(np.int64(0), np.int64(1), np.int64(2))
    assert (e.src, e.dst, e.delay) == (0, 1, 2) and type(e.src) is int


def test_sums_the_solvers_would_overflow_are_refused() -> None:
    big = Op("a", ((0, "tensor", 1),), latency=MAX_CYCLES)
    edges = ((0, 1, MAX_CYCLES, 0), (1, 0, 0, MAX_VALUE))
    with pytest.raises(InstanceError, match="too large for the solvers"):
        Instance(TOY, (big, Op("b", ((0, "exp", 1),))), edges)
    doc = running_example().to_dict()
    doc["edges"][2]["distance"] = MAX_VALUE
    doc["ops"][0]["latency"] = MAX_CYCLES
    with pytest.raises(InstanceError, match="too large for the solvers"):
        Instance.from_dict(doc)
    # values at the limit on their own are fine (cycle counts stop at MAX_CYCLES)
    assert Instance(TOY, (Op("a", latency=MAX_CYCLES),), ()).ops[0].latency == MAX_CYCLES


def test_bundled_loops_still_read() -> None:
    for name in ("flash_fwd_hopper", "attn_bwd_blackwell"):
        inst = bundled_loop(name)
        assert Instance.from_dict(inst.to_dict()) == inst


def test_graphml_values_the_model_refuses_name_the_file(tmp_path: Path) -> None:
    g = tmp_path / "loop.graphml"
    g.write_text(
        '<graphml><graph><node id="1"><data key="uses_resource">mul</data></node></graph></graphml>'
    )
    (tmp_path / "loop_RM.xml").write_text(
        '<ResourceModel><Resource name="mul" limit="0" latency="2" blockingTime="1"/>'
        "</ResourceModel>"
    )
    with pytest.raises(InstanceError, match="capacity 0") as e:
        schedlab.read(str(g))
    assert e.value.file == str(g) and e.value.path == "units.mul"
