"""fjsp's JSON Schemas (draft 2020-12): valid schemas; every bundled and generated instance
and every method's solution meets them; the reader and the schema agree on bad documents;
a version this schedlab does not know is rejected by name.

(Named ``test_fjsp_schema.py``, after the folder's convention: a second ``test_schema.py``
beside ``tests/core/test_schema.py`` would clash under pytest's default import mode.)"""

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
from schedlab.families.fjsp.generate import generate
from schedlab.families.fjsp.model import Instance

MK = Path(__file__).resolve().parents[3] / "instances" / "fjsp"
#: a small budget per method, so that every method's solution is validated quickly
BUDGETS: dict[str, dict[str, Any]] = {
    "random": {"iterations": 5},
    "cpsat": {"work_limit": 0.005},
    "lns": {"work_limit": 0.01},
    "rho": {"work_limit": 0.01, "window": 10, "step": 5},
    "tabu": {"iterations": 50},
}


def _validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = family_schema("schedlab.families.fjsp", "fjsp", kind)
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
    schema = family_schema("schedlab.families.fjsp", "fjsp", kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://schedlab.dev/schemas/v{SCHEMA_VERSION}/fjsp/{kind}.json"
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert "schema_version" not in schema["required"]
    assert schema["title"] and all(p.get("description") for p in schema["properties"].values()), (
        "every property is described"
    )


@pytest.mark.parametrize("k", range(1, 11))
def test_bundled_instances_meet_the_schema(
    k: int, instance_schema: jsonschema.Draft202012Validator
) -> None:
    inst = schedlab.read(MK / f"mk{k:02d}.fjs")
    doc = json.loads(json.dumps(inst.to_dict()))
    assert next(iter(doc)) == "schema_version" and doc["schema_version"] == SCHEMA_VERSION
    instance_schema.validate(doc)
    assert Instance.from_dict(doc) == inst


@pytest.mark.parametrize(
    "args", [(3, 2, 3, 0), (6, 4, 12, 3), (10, 5, 30, 1), (4, 10, 20, 7)], ids=str
)
def test_generated_instances_meet_the_schema(
    args: tuple[int, int, int, int], instance_schema: jsonschema.Draft202012Validator
) -> None:
    jobs, machines, ops, seed = args
    inst = generate(jobs, machines, ops, seed=seed)
    instance_schema.validate(inst.to_dict())
    instance_schema.validate(Instance(jobs=inst.jobs, machines=inst.machines).to_dict())


@pytest.mark.parametrize("method", [m.name for m in schedlab.methods("fjsp")])
def test_every_method_solution_meets_the_schema(
    method: str, solution_schema: jsonschema.Draft202012Validator
) -> None:
    inst = generate(4, 3, 4, seed=2)
    res = schedlab.solve(inst, method, **BUDGETS.get(method, {}))
    assert res.solution is not None
    solution_schema.validate(res.solution)
    solution_schema.validate(stamp(res.solution))
    assert inst.check(stamp(res.solution)) == res.objective


BASE = {"problem": "fjsp", "name": "b", "machines": 2, "jobs": [[[[0, 3], [1, 4]]], [[[1, 5]]]]}


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
        _set(("jobs", 0, 0, 1, 1), 0),
        _set(("jobs", 0, 0, 1, 1), "4"),
        _set(("jobs", 0, 0, 1, 1), True),
        _set(("jobs", 0, 0, 1, 1), 2.5),
        _set(("jobs", 0, 0, 1, 1), 2**63),
        _set(("jobs", 0, 0, 1, 0), -1),
        _set(("jobs", 0, 0, 1), [1, 4, 0]),
        _set(("jobs", 0, 0), []),
        _set(("jobs", 1), []),
        _set(("jobs",), []),
        _set(("machines",), 0),
        _set(("machines",), "2"),
        _set(("name",), ""),
        _set(("reference",), "40"),
        _set(("problem",), "smtt"),
        _set(("extra",), 1),
        _set(("schema_version",), 2),
        {"machines": 2},
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
    doc = {**BASE, "schema_version": 1, "reference": 12, "lower_bound": 10.5}
    instance_schema.validate(doc)
    instance_schema.validate({"machines": 1, "jobs": [[[[0, 1.0]]]]})
    instance_schema.validate({**BASE, "reference": None})
    assert Instance.from_dict(doc).lower_bound == 10.5


def test_version_2_is_rejected_by_name(
    instance_schema: jsonschema.Draft202012Validator,
    solution_schema: jsonschema.Draft202012Validator,
) -> None:
    inst = generate(3, 2, 3, seed=0)
    doc = {**inst.to_dict(), "schema_version": 2}
    assert not instance_schema.is_valid(doc)
    with pytest.raises(InstanceError, match=r"\$\.schema_version: .*not supported") as ei:
        Instance.from_dict(doc, source="v2.json")
    assert ei.value.path == "$.schema_version" and ei.value.file == "v2.json"
    with pytest.raises(InstanceError, match=r"\$\.schema_version"):
        schedlab.load(json.dumps(doc))
    sol = schedlab.solve(inst, "mwkr").solution
    assert sol is not None
    bad = {**sol, "schema_version": 2}
    assert not solution_schema.is_valid(bad)
    with pytest.raises(SolutionError, match=r"\$\.schema_version: .*not supported"):
        inst.check(bad)
