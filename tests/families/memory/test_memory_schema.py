"""The memory family's JSON Schemas: every bundled and generated instance, and the solution
of every method, meets them; what the reader rejects, they reject too; a document of an
unknown version is refused by name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import schedlab
from schedlab.core import InstanceError, SolutionError
from schedlab.families.memory import model as M
from schedlab.families.memory.generate import generate_allocation, generate_mapping

ROOT = Path(__file__).resolve().parents[3]
FILES = sorted((ROOT / "instances" / "memory").glob("**/*.csv"))
#: Buffers of a large trace validated (its first and last ones: every row has one form).
SAMPLE = 1500


def _validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = schedlab.schema("memory", kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


INSTANCE = _validator("instance")
SOLUTION = _validator("solution")
RESULT = _validator("result")


def _errors(validator: jsonschema.Draft202012Validator, doc: Any) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(doc)]


def test_schemas_name_themselves() -> None:
    for kind in ("instance", "solution"):
        s = schedlab.schema("memory", kind)
        assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert s["$id"] == f"https://schedlab.dev/schemas/v1/memory/{kind}.json"
        assert s["title"] and s["properties"]["schema_version"]["const"] == 1
        assert all("description" in p for p in s["properties"].values())
        assert s["additionalProperties"] is False
    buffer = schedlab.schema("memory", "instance")["$defs"]["buffer"]
    assert all("description" in p for p in buffer["properties"].values())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_bundled_instance_meets_the_schema(path: Path) -> None:
    doc = schedlab.read(str(path)).to_dict()
    assert list(doc)[0] == "schema_version" and doc["schema_version"] == 1
    bufs = doc["buffers"]
    if len(bufs) > SAMPLE:  # large traces: a sample of their rows (jsonschema is slow)
        doc = {**doc, "buffers": bufs[: SAMPLE - 100] + bufs[-100:]}
    assert _errors(INSTANCE, doc) == []


def _generated() -> list[M.MemoryInstance]:
    alloc = generate_allocation(30, 20, slack=0.2, seed=3)
    bufs = list(alloc.buffers)
    bufs[0] = M.Buffer(700, 0, 5, 8, alignment=4, offset=8, hint=3)
    bufs[1] = M.Buffer("g", 0, 9, 6, gaps=((2, 4, None, None), (5, 7, 1, 3)))
    mixed = M.Allocation(buffers=tuple(bufs), capacity=None, name="mixed", reference=12.5)
    return [
        alloc,
        alloc.with_capacity(None),
        mixed,
        generate_mapping(40, "chain", 0.25, seed=1),
        generate_mapping(40, "transformer", 0.5, seed=2, weights="parameter"),
    ]


@pytest.mark.parametrize("inst", _generated(), ids=lambda i: i.name)
def test_generated_instances_meet_the_schema_and_round_trip(inst: M.MemoryInstance) -> None:
    doc = inst.to_dict()
    assert _errors(INSTANCE, doc) == []
    again = schedlab.load(json.loads(json.dumps(doc)))
    assert again == inst and again.to_dict() == doc


@pytest.mark.parametrize(
    "change",
    [
        {"capacity": -1},
        {"kind": "paging"},
        {"steps": []},  # steps are for mapping instances
        {"buffers": [{"id": "a", "lower": 0, "upper": 1, "size": "16"}]},
        {"buffers": [{"id": "a", "lower": 0, "upper": 1, "size": 2**63}]},
        {"buffers": [{"id": True, "lower": 0, "upper": 1, "size": 1}]},
        {"buffers": [{"id": "", "lower": 0, "upper": 1, "size": 1}]},
        {"buffers": [{"id": 1.5, "lower": 0, "upper": 1, "size": 1}]},
        {"buffers": [{"id": "a", "lower": 0, "upper": 1, "size": 1, "alignment": 0}]},
        {"buffers": [{"id": "a", "lower": 0, "upper": 1, "size": 1, "colour": 1}]},
        {"buffers": [{"id": "a", "lower": 0, "upper": 1, "size": 1, "gaps": "1..2"}]},
        {"extra": 1},
    ],
)
def test_what_the_reader_rejects_the_schema_rejects(change: dict[str, Any]) -> None:
    doc = {**generate_allocation(4, 10, seed=1).to_dict(), **change}
    assert _errors(INSTANCE, doc) != []
    with pytest.raises(InstanceError):
        schedlab.load(doc)


def test_a_mapping_needs_its_fields_in_the_schema_too() -> None:
    doc = generate_mapping(10, seed=1).to_dict()
    for key in ("capacity", "fast_bandwidth", "slow_bandwidth", "kind", "steps"):
        bad = {k: v for k, v in doc.items() if k != key}
        assert _errors(INSTANCE, bad) != []
        with pytest.raises(InstanceError):
            schedlab.load(bad)
    bad = {**doc, "steps": [{"compute": 1.0, "reads": {"a0": "8"}}]}
    assert _errors(INSTANCE, bad) != []
    with pytest.raises(InstanceError, match=r"\$\.steps\[0\]\.reads\.a0"):
        schedlab.load(bad)


def _allocation_methods() -> list[str]:
    return ["greedy-size", "greedy-breadth", "first-fit", "greedy-best", "exact", "cpsat"]


def _mapping_methods() -> list[str]:
    return ["greedy-size", "greedy-breadth", "first-fit", "xla", "benefit", "cpsat", "mip"]


def _msa_methods() -> list[str]:
    return ["xla", "cpsat", "mip", "lns"]


def test_every_method_is_covered() -> None:
    names = {m.name for m in schedlab.methods("memory")}
    assert names == set(_allocation_methods()) | set(_mapping_methods()) | set(_msa_methods())


@pytest.mark.parametrize("method", _allocation_methods())
def test_allocation_solutions_meet_the_schema(method: str) -> None:
    bufs = [M.Buffer(i, i % 4, i % 4 + 3, 1 + i % 5) for i in range(10)]
    bufs.append(M.Buffer("s", 0, 6, 3))
    inst = M.Allocation(buffers=tuple(bufs), name="ids")
    res = schedlab.solve(inst, method, time_limit=20)
    assert res.solution is not None and res.solution["schema_version"] == 1
    assert _errors(SOLUTION, res.solution) == []
    assert _errors(RESULT, res.to_dict()) == []
    text = json.loads(res.to_json())["solution"]  # int ids become strings in JSON
    assert _errors(SOLUTION, text) == [] and "0" in text["offsets"]
    assert schedlab.check(inst, text) == res.objective


@pytest.mark.parametrize("method", _mapping_methods())
def test_mapping_solutions_meet_the_schema(method: str) -> None:
    inst = generate_mapping(16, "transformer", 0.25, seed=101)
    res = schedlab.solve(inst, method, time_limit=20)
    assert res.solution is not None
    assert None in res.solution["offset_list"]  # some buffer stays in slow memory
    assert _errors(SOLUTION, res.solution) == []
    assert _errors(RESULT, res.to_dict()) == []


def test_an_unknown_version_is_rejected_by_name() -> None:
    inst = generate_allocation(5, 10, seed=1)
    doc = {**inst.to_dict(), "schema_version": 2}
    assert _errors(INSTANCE, doc) != []
    for load in (schedlab.load, M.MemoryInstance.from_dict, M.Allocation.from_dict):
        with pytest.raises(InstanceError, match="schema_version 2 is not supported") as ei:
            load(doc)
        assert ei.value.path == "$.schema_version"
    sol = schedlab.solve(inst, "greedy-size").solution
    assert sol is not None
    bad = {**sol, "schema_version": 2}
    assert _errors(SOLUTION, bad) != []
    with pytest.raises(SolutionError, match=r"\$\.schema_version: schema_version 2"):
        inst.check(bad)
    with pytest.raises(SolutionError, match=r"\$\.schema_version"):
        schedlab.check(inst, bad)
    assert inst.check({**sol, "schema_version": 1}) == inst.check(sol)
