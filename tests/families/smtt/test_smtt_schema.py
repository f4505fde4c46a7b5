"""The smtt JSON Schemas: bundled and generated instances and every method's solution meet
them, documents carry schema_version 1, and version 2 is rejected with a clear error.

(Named test_smtt_schema.py, not test_schema.py: pytest imports test modules by their base
name, and tests/core/test_schema.py exists.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

import schedlab
from schedlab import InstanceError, SolutionError
from schedlab.families.smtt.generate import generate
from schedlab.families.smtt.model import Instance, is_solution

INSTANCES = Path(__file__).resolve().parents[3] / "instances" / "smtt"

#: every bundled instance file, a few instances of each
BUNDLED = [
    "wt40.txt#1",
    "wt40.txt#19",
    "wt40.txt#125",
    "wt100.txt#1",
    "wt100.txt#125",
    "data_100_200.txt#1",
    "data_100_200.txt#200",
    "data_200_200.txt#1",
    "data_20_800_new_.txt#1",
    "data_20_800_normal_solved.txt#800",
    "data_500_200.txt#1",
]


@pytest.fixture(scope="module")
def instance_validator() -> jsonschema.Draft202012Validator:
    schema = schedlab.schema("smtt", "instance")
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def solution_validator() -> jsonschema.Draft202012Validator:
    schema = schedlab.schema("smtt", "solution")
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _valid(validator: jsonschema.Draft202012Validator, doc: dict[str, Any]) -> None:
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    assert error is None, f"{error.json_path}: {error.message}"


def test_schema_ids_and_every_bundled_file_is_listed() -> None:
    for kind in ("instance", "solution"):
        schema = schedlab.schema("smtt", kind)
        assert schema["$id"] == f"https://schedlab.dev/schemas/v1/smtt/{kind}.json"
        assert schema["properties"]["schema_version"]["const"] == 1
        assert all("description" in prop for prop in schema["properties"].values())
    listed = {name.split("#")[0] for name in BUNDLED}
    files = {p.name for p in INSTANCES.glob("*.txt")} - {
        "wtopt40.txt",
        "wtbest100a.txt",
        "wtbest100b.txt",
        "wtinfo.txt",
    }
    assert files == listed


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_instances_meet_the_schema(
    name: str, instance_validator: jsonschema.Draft202012Validator
) -> None:
    inst = schedlab.read(f"{INSTANCES / name}")
    doc = inst.to_dict()
    assert next(iter(doc)) == "schema_version" and doc["schema_version"] == 1
    _valid(instance_validator, doc)
    assert Instance.from_dict(doc, source="x.json") == inst


def test_generated_instances_meet_the_schema(
    instance_validator: jsonschema.Draft202012Validator,
) -> None:
    for weighted in (False, True):
        for seed in range(3):
            inst = generate(12, 0.6, 0.4, weighted=weighted, seed=seed)
            _valid(instance_validator, inst.to_dict())
    odd = Instance(p=[0, 5], d=[-3, 10**12], w=[0, 7], name="odd", reference=35)
    _valid(instance_validator, odd.to_dict())


def test_every_method_s_solution_meets_the_schema(
    solution_validator: jsonschema.Draft202012Validator,
) -> None:
    inst = generate(8, 0.6, 0.4, weighted=True, seed=2)
    for m in schedlab.methods("smtt"):
        res = schedlab.solve(inst, m.name)
        assert res.solution is not None, m.name
        assert res.solution["schema_version"] == 1
        _valid(solution_validator, res.solution)
        # the checker and the family's solution test take the stamped solution as it is
        assert inst.check(res.solution) == res.objective
        assert is_solution(res.solution)


def test_the_schema_and_the_reader_reject_the_same_documents(
    instance_validator: jsonschema.Draft202012Validator,
) -> None:
    good = {"problem": "smtt", "p": [1, 2], "d": [0, 3]}
    _valid(instance_validator, good)
    for bad in (
        {**good, "p": [1, "2"]},
        {**good, "p": [1, -2]},
        {**good, "d": [0, 2**63]},
        {**good, "w": [1, True]},
        {**good, "extra": 1},
        {**good, "name": 3},
        {"problem": "smtt", "p": [1]},
        {**good, "p": []},
        {**good, "schema_version": 2},
    ):
        assert not instance_validator.is_valid(bad), bad
        with pytest.raises(InstanceError):
            Instance.from_dict(bad)


def test_version_2_is_rejected_with_a_clear_error() -> None:
    doc = generate(5, 0.6, 0.4, seed=1).to_dict()
    doc["schema_version"] = 2
    for load in (Instance.from_dict, schedlab.load):
        with pytest.raises(InstanceError) as e:
            load(doc)
        assert e.value.path == "$.schema_version" and "not supported" in str(e.value)
    inst = Instance(p=[1, 2], d=[0, 0])
    sol = {"schema_version": 2, "sequence": [0, 1]}
    for check in (inst.check, lambda s: schedlab.check(inst, s)):
        with pytest.raises(SolutionError, match=r"\$\.schema_version.*not supported"):
            check(sol)
    assert inst.check({"schema_version": 1, "sequence": [1, 0]}) == 2 + 3
    with pytest.raises(SolutionError, match="unknown solution key"):
        inst.check({"sequence": [1, 0], "order": [0, 1]})
