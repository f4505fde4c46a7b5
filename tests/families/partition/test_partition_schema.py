"""The partition JSON Schemas: bundled and generated instances (inline and scenario forms)
and every method's front meet them, documents carry schema_version 1, and version 2 is
rejected with a clear error.

(Named test_partition_schema.py, not test_schema.py: pytest imports test modules by their
base name, and tests/core/test_schema.py exists.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import schedlab
from schedlab import InstanceError, SolutionError
from schedlab.families.partition import samples
from schedlab.families.partition.generate import generate
from schedlab.families.partition.model import Instance, is_solution

ROOT = Path(__file__).resolve().parents[3] / "instances" / "partition"
SCENARIOS = [
    "vit_base_8dev.json",
    "vit_base_16dev.json",
    "vit_large_8dev.json",
    "vit_large_16dev.json",
]
NATIVE = [
    "pipeedge/models.yml#1",
    "pipeedge/models.yml#2",
    "pipeedge/vit_base_layers.csv",
    "pipeedge/vit_large_layers.csv",
]


@pytest.fixture(scope="module")
def instance_validator() -> jsonschema.Draft202012Validator:
    schema = schedlab.schema("partition", "instance")
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def solution_validator() -> jsonschema.Draft202012Validator:
    schema = schedlab.schema("partition", "solution")
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _valid(validator: jsonschema.Draft202012Validator, doc: dict[str, Any]) -> None:
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    assert error is None, f"{error.json_path}: {error.message}"


def test_schema_ids_and_every_bundled_file_is_listed() -> None:
    for kind in ("instance", "solution"):
        schema = schedlab.schema("partition", kind)
        assert schema["$id"] == f"https://schedlab.dev/schemas/v1/partition/{kind}.json"
        assert schema["properties"]["schema_version"]["const"] == 1
        assert all("description" in prop for prop in schema["properties"].values())
    assert {p.name for p in ROOT.glob("*.json")} == set(SCENARIOS)
    native = {p.name for p in (ROOT / "pipeedge").glob("*") if p.suffix in (".csv", ".yml")}
    assert native - {"device_types.yml", "devices.yml"} == {
        n.split("/")[1].split("#")[0] for n in NATIVE
    }


@pytest.mark.parametrize("name", SCENARIOS + NATIVE)
def test_bundled_instances_meet_the_schema(
    name: str, instance_validator: jsonschema.Draft202012Validator
) -> None:
    if name.endswith(".json"):  # the scenario file itself is an instance document too
        _valid(instance_validator, json.loads((ROOT / name).read_text()))
    inst = schedlab.read(f"{ROOT / name}")
    doc = inst.to_dict()
    assert next(iter(doc)) == "schema_version" and doc["schema_version"] == 1
    _valid(instance_validator, doc)
    assert Instance.from_dict(doc) == inst


def test_generated_and_sample_instances_meet_the_schema(
    instance_validator: jsonschema.Draft202012Validator,
) -> None:
    for seed in range(3):
        _valid(instance_validator, generate(7, 3, 4, seed=seed).to_dict())
    for inst in samples():
        _valid(instance_validator, inst.to_dict())
    doc = generate(5, 1, 3, seed=5).to_dict()
    doc["devices"][1]["latency_s"] = 0.05
    doc["links"] = [{"a": "d0", "b": "d2", "bw_Mbps": 5.0, "latency_s": 0.2}]
    doc["batch"] = 64
    _valid(instance_validator, Instance.from_dict(doc).to_dict())


def test_every_method_s_front_meets_the_schema(
    solution_validator: jsonschema.Draft202012Validator,
) -> None:
    inst = samples()[0]
    params = schedlab.family("partition").warmup_params
    for m in schedlab.methods("partition"):
        if m.name == "nsga2":
            pytest.importorskip("pymoo")
        res = schedlab.solve(inst, m.name, **params.get(m.name, {}))
        assert res.solution is not None, m.name
        assert res.solution["schema_version"] == 1
        _valid(solution_validator, res.solution)
        assert inst.check(res.solution) == pytest.approx(res.objective)
        assert is_solution(res.solution)


def test_the_schema_and_the_reader_reject_the_same_documents(
    instance_validator: jsonschema.Draft202012Validator,
) -> None:
    good = generate(3, 1, 2, seed=1).to_dict()
    _valid(instance_validator, good)
    scenario = json.loads((ROOT / "vit_base_8dev.json").read_text())
    bads = [
        {**good, "microbatch": "8"},
        {**good, "microbatch": 0},
        {**good, "layers": {**good["layers"], "mem_MB": [1.0, -2.0, 3.0]}},
        {**good, "layers": {**good["layers"], "out_elems": [1, 2.5, 3]}},
        {**good, "reference": True},
        {**good, "extra": 1},
        {**good, "profiles": scenario["profiles"]},
        {k: v for k, v in good.items() if k != "devices"},
        {**good, "schema_version": 2},
    ]
    for bad in bads:
        assert not instance_validator.is_valid(bad), bad
        with pytest.raises(InstanceError):
            Instance.from_dict(bad, source=str(ROOT / "x.json"))


def test_version_2_is_rejected_with_a_clear_error() -> None:
    inst = generate(4, 2, 3, seed=2, mem_tightness=2.0)
    doc = inst.to_dict()
    doc["schema_version"] = 2
    for load in (Instance.from_dict, schedlab.load):
        with pytest.raises(InstanceError) as e:
            load(doc)
        assert e.value.path == "$.schema_version" and "not supported" in str(e.value)
    sol = schedlab.solve(inst, "exact").solution
    assert sol is not None and sol["schema_version"] == 1
    for check in (inst.check, lambda s: schedlab.check(inst, s)):
        with pytest.raises(SolutionError, match=r"\$\.schema_version.*not supported"):
            check({**sol, "schema_version": 2})
    assert inst.check(sol) == inst.check({k: v for k, v in sol.items() if k != "schema_version"})
    assert inst.describe(sol).startswith("front of")
