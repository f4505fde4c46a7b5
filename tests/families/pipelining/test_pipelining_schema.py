"""The pipelining JSON Schemas (draft 2020-12) against what the reader and the methods write,
and schema versions.

(Named ``test_pipelining_schema.py``: ``tests/families/memory/test_schema.py`` already takes the
module name ``test_schema`` in this package-less test tree.)"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import schedlab
from schedlab.core import InstanceError, SolutionError
from schedlab.core.schema import stamp
from schedlab.families.pipelining.bundled import bundled_loops, bundled_path, running_example
from schedlab.families.pipelining.generate import generate
from schedlab.families.pipelining.model import Instance

ROOT = Path(__file__).resolve().parents[3] / "instances" / "pipelining"


def _schema(kind: str) -> dict[str, Any]:
    text = (
        resources.files("schedlab.families.pipelining")
        .joinpath("schemas", f"{kind}.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"https://schedlab.dev/schemas/v1/pipelining/{kind}.json"
    assert schema["properties"]["schema_version"] == {
        "const": 1,
        "description": schema["properties"]["schema_version"]["description"],
    }
    return schema


@pytest.fixture(scope="module")
def instance_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_schema("instance"))


@pytest.fixture(scope="module")
def solution_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_schema("solution"))


def _bundled_files() -> list[Path]:
    files = sorted(ROOT.glob("*.json"))
    graphs = sorted((ROOT / "hatschet").rglob("*.graphml"))
    return files + graphs[::40] + [ROOT / "hatschet/Programs/vanDongen/vanDongen.graphml"]


def test_every_property_is_described() -> None:
    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                assert "description" in sub, f"{where}.{name}"
            for key, sub in node.items():
                walk(sub, f"{where}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}[{i}]")

    for kind in ("instance", "solution"):
        walk(_schema(kind), kind)


def test_bundled_instances_validate(instance_validator: jsonschema.Draft202012Validator) -> None:
    files = _bundled_files()
    assert len(files) > 10
    for f in files:
        inst = schedlab.read(str(f))
        doc = inst.to_dict()
        assert next(iter(doc)) == "schema_version" and doc["schema_version"] == 1
        instance_validator.validate(doc)
        assert Instance.from_dict(doc).to_dict() == doc
    for name in bundled_loops():  # the package's copies, machines given by name
        raw = json.loads(Path(bundled_path(name)).read_text())
        instance_validator.validate(raw)


def test_generated_instances_validate(instance_validator: jsonschema.Draft202012Validator) -> None:
    for seed in range(5):
        instance_validator.validate(generate(8 + 3 * seed, units=1 + seed % 3, seed=seed).to_dict())


def test_edges_as_arrays_and_indices_validate(
    instance_validator: jsonschema.Draft202012Validator,
) -> None:
    doc = running_example().to_dict()
    doc["edges"] = [["S", "P", 1], [1, 2, 1, 0], {"src": 2, "dst": "O", "delay": 1, "distance": 1}]
    instance_validator.validate(doc)
    assert Instance.from_dict(doc).to_dict()["edges"] == running_example().to_dict()["edges"]
    for bad in (["S"], ["S", "P", 1, 0, 9], {"src": "S"}, {"src": "S", "dst": -1}):
        doc["edges"] = [bad]
        assert not instance_validator.is_valid(doc)
        with pytest.raises(InstanceError, match=r"\$\.edges\[0\]"):
            Instance.from_dict(doc)


def test_schema_rejects_what_the_reader_rejects(
    instance_validator: jsonschema.Draft202012Validator,
) -> None:
    base = running_example().to_dict()
    for mutate in (
        lambda d: d["ops"][0].update(latency="3"),
        lambda d: d["ops"][0].update(latency=True),
        lambda d: d["ops"][0].update(latency=2**63),
        lambda d: d["ops"][0].update(blocking="yes"),
        lambda d: d["ops"][0].update(table=[[0, "tensor", 1]]),  # busy and table
        lambda d: d["machine"]["units"].update(tensor=0),
        lambda d: d["machine"].update(warps=0),
        lambda d: d.update(copies=0),
        lambda d: d.update(schema_version=2),
        lambda d: d.update(extra=1),
    ):
        doc = json.loads(json.dumps(base))
        mutate(doc)
        assert not instance_validator.is_valid(doc), doc
        with pytest.raises(InstanceError):
            Instance.from_dict(doc)


def test_every_method_solution_validates(
    solution_validator: jsonschema.Draft202012Validator,
) -> None:
    plain, warped = schedlab.family("pipelining").samples()
    for inst in (plain, warped):
        for m in schedlab.methods("pipelining"):
            if m.name == "mip" and inst is warped:
                continue  # mip declines warp rules
            res = schedlab.solve(inst, m.name, threads=1)
            if res.solution is None:
                assert m.name == "mii"
                continue
            solution_validator.validate(res.solution)
            stamped = stamp(res.solution)
            solution_validator.validate(stamped)
            assert inst.check(stamped) == res.objective


def test_version_two_is_rejected() -> None:
    inst = running_example()
    doc = dict(inst.to_dict(), schema_version=2)
    with pytest.raises(InstanceError, match=r"\$\.schema_version.*not supported") as e:
        Instance.from_dict(doc, source="loop.json")
    assert e.value.path == "$.schema_version" and e.value.file == "loop.json"
    sol = schedlab.solve(inst, "ims").solution
    assert inst.check(dict(sol, schema_version=1)) == inst.check(sol)
    with pytest.raises(SolutionError, match=r"\$\.schema_version"):
        inst.check(dict(sol, schema_version=2))
    with pytest.raises(SolutionError, match="unknown solution key"):
        inst.check(dict(sol, warps=[0]))
