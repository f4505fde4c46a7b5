"""dag's JSON Schemas (draft 2020-12): valid schemas; bundled and generated instances and every
method's solution meet them; the reader and the schema agree on bad documents; a version this
schedlab does not know is rejected by name."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import schedlab
from schedlab.core import InstanceError, SolutionError
from schedlab.core.schema import SCHEMA_VERSION, family_schema, stamp
from schedlab.families.dag.generate import generate, generate_hoft
from schedlab.families.dag.model import Instance

INSTANCES = Path(__file__).resolve().parents[3] / "instances" / "dag"
#: a small budget per method, so that every method's solution is validated quickly
BUDGETS: dict[str, dict[str, Any]] = {
    "random": {"iterations": 5},
    "cpsat": {"work_limit": 0.01},
    "lns": {"work_limit": 0.02},
}


def _validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = family_schema("schedlab.families.dag", "dag", kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def instance_schema() -> jsonschema.Draft202012Validator:
    return _validator("instance")


@pytest.fixture(scope="module")
def solution_schema() -> jsonschema.Draft202012Validator:
    return _validator("solution")


@pytest.mark.parametrize("kind", ["instance", "solution"])
def test_schemas_are_valid_and_versioned(kind: str) -> None:
    schema = family_schema("schedlab.families.dag", "dag", kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://schedlab.dev/schemas/v{SCHEMA_VERSION}/dag/{kind}.json"
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert "schema_version" not in schema["required"]
    assert schema["title"] and all(p.get("description") for p in schema["properties"].values())


@pytest.mark.parametrize(
    "address",
    [
        "topcuoglu2002_fig2.json",
        "stg/50/rand0000.stg#2",
        "stg/50/rand0110.stg#8",
        "stg/application/robot.stg#4",
        "stg/application/sparse.stg",
    ],
)
def test_bundled_instances_meet_the_schema(
    address: str, instance_schema: jsonschema.Draft202012Validator
) -> None:
    inst = schedlab.read(str(INSTANCES / address))
    doc = json.loads(json.dumps(inst.to_dict()))
    assert next(iter(doc)) == "schema_version" and doc["schema_version"] == SCHEMA_VERSION
    instance_schema.validate(doc)
    assert Instance.from_dict(doc) == inst


@pytest.mark.parametrize("seed", range(3))
def test_generated_instances_meet_the_schema(
    seed: int, instance_schema: jsonschema.Draft202012Validator
) -> None:
    instance_schema.validate(generate(15, 2 + seed, ccr=seed, seed=seed).to_dict())
    instance_schema.validate(generate_hoft(15, cpus=3, gpus=1 + seed, seed=seed).to_dict())


@pytest.mark.parametrize("method", [m.name for m in schedlab.methods("dag")])
def test_every_method_solution_meets_the_schema(
    method: str, solution_schema: jsonschema.Draft202012Validator
) -> None:
    inst = generate(8, 3, ccr=1.0, seed=2)
    res = schedlab.solve(inst, method, **BUDGETS.get(method, {}))
    assert res.solution is not None
    solution_schema.validate(res.solution)
    solution_schema.validate(stamp(res.solution))
    assert inst.check(stamp(res.solution)) == res.objective


BASE: dict[str, Any] = {
    "problem": "dag",
    "name": "b",
    "processors": [{"name": "a", "type": "cpu"}, {"name": "b", "type": "gpu"}],
    "tasks": [{"times": [3, None]}, {"name": "x", "times": [1, 2]}],
    "edges": [{"from": 0, "to": 1, "volume": 4}],
    "bandwidth": 2,
    "latency": 1,
}


def _set(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    "doc",
    [
        _set(("tasks", 1, "times", 1), -1),
        _set(("tasks", 1, "times", 1), "2"),
        _set(("tasks", 1, "times", 1), True),
        _set(("tasks", 1, "times", 1), 2.5),
        _set(("tasks", 1, "times", 1), 2**63),
        _set(("tasks", 0, "times"), [None, None]),
        _set(("tasks", 0, "extra"), 1),
        _set(("tasks", 0), [3, None]),
        _set(("tasks",), []),
        _set(("edges", 0, "volume"), -1),
        _set(("edges", 0, "from"), "0"),
        _set(("edges", 0, "to"), -1),
        _set(("edges", 0), [0, 1, 4]),
        _set(("edges", 0, "weight"), 1),
        _set(("bandwidth",), 0),
        _set(("bandwidth",), "2"),
        _set(("latency",), -1),
        _set(("processors",), 0),
        _set(("processors",), []),
        _set(("processors", 0, "speed"), 2),
        _set(("name",), ""),
        _set(("reference",), "40"),
        _set(("problem",), "fjsp"),
        _set(("extra",), 1),
        _set(("schema_version",), 2),
        {"processors": 2},
    ],
)
def test_reader_and_schema_reject_the_same_documents(
    doc: dict[str, Any], instance_schema: jsonschema.Draft202012Validator
) -> None:
    assert not instance_schema.is_valid(doc)
    with pytest.raises(InstanceError):
        Instance.from_dict(doc)


def test_reader_and_schema_accept_the_optional_fields(
    instance_schema: jsonschema.Draft202012Validator,
) -> None:
    doc = {**BASE, "schema_version": 1, "reference": 12, "lower_bound": 10.5, "upper_bound": 13}
    instance_schema.validate(doc)
    assert Instance.from_dict(doc).lower_bound == 10.5
    minimal = {"processors": 1, "tasks": [{"times": [1.0]}]}
    instance_schema.validate(minimal)
    Instance.from_dict(minimal)
    matrix = {**BASE, "bandwidth": [[None, 3], [None, None]], "latency": [[0, 2], [1, 0]]}
    instance_schema.validate(matrix)
    assert Instance.from_dict(matrix).delay(4, 0, 1) == 2 + 2


def test_version_2_is_rejected_by_name(
    instance_schema: jsonschema.Draft202012Validator,
    solution_schema: jsonschema.Draft202012Validator,
) -> None:
    inst = generate(5, 2, seed=0)
    doc = {**inst.to_dict(), "schema_version": 2}
    assert not instance_schema.is_valid(doc)
    with pytest.raises(InstanceError, match=r"\$\.schema_version: .*not supported") as ei:
        Instance.from_dict(doc, source="v2.json")
    assert ei.value.path == "$.schema_version" and ei.value.file == "v2.json"
    sol = schedlab.solve(inst, "heft").solution
    assert sol is not None
    bad = {**sol, "schema_version": 2}
    assert not solution_schema.is_valid(bad)
    with pytest.raises(SolutionError, match=r"\$\.schema_version: .*not supported"):
        inst.check(bad)
