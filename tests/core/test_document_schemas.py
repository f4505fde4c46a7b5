"""Versioned JSON Schemas: every family ships valid ones, documents carry their version, and
a version this schedlab cannot read is rejected by name."""

from __future__ import annotations

import json

import jsonschema
import pytest
from click.testing import CliRunner

import schedlab
from schedlab.cli.main import main
from schedlab.core.schema import SCHEMA_VERSION, stamp, unstamp

KINDS = ("instance", "solution", "result")


@pytest.mark.parametrize("family", schedlab.family_names())
@pytest.mark.parametrize("kind", KINDS)
def test_every_family_ships_valid_schemas(family: str, kind: str) -> None:
    schema = schedlab.schema(family, kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert f"/v{SCHEMA_VERSION}/" in schema["$id"]
    assert schema["properties"]["schema_version"] == {"const": SCHEMA_VERSION} or (
        schema["properties"]["schema_version"].get("const") == SCHEMA_VERSION
    )


@pytest.mark.parametrize("family", schedlab.family_names())
def test_sample_instances_and_results_carry_and_meet_their_schema(family: str) -> None:
    inst = schedlab.family(family).sample_instances()[0]
    doc = inst.to_dict()
    assert doc["schema_version"] == SCHEMA_VERSION
    jsonschema.validate(doc, schedlab.schema(family, "instance"))
    assert schedlab.load(json.loads(json.dumps(doc))).to_dict() == doc
    for m in schedlab.methods(family):
        try:
            res = schedlab.solve(
                inst, m.name, **schedlab.family(family).warmup_params.get(m.name, {})
            )
        except schedlab.SchedlabError:
            continue  # a kind of instance the method does not solve
        if res.solution is not None:
            break
    data = res.to_dict()
    assert data["schema_version"] == SCHEMA_VERSION
    jsonschema.validate(data, schedlab.schema(family, "result"))
    assert res.solution is not None and res.solution["schema_version"] == SCHEMA_VERSION
    jsonschema.validate(res.solution, schedlab.schema(family, "solution"))
    assert schedlab.check(inst, res.solution) == res.objective
    assert schedlab.Result.from_dict(data).to_dict() == data


def test_unknown_versions_are_rejected_by_name() -> None:
    inst = schedlab.generate("smtt", n=5, tf=0.6, rdd=0.6, seed=1)
    doc = inst.to_dict()
    doc["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(schedlab.InstanceError, match=r"\$\.schema_version.*not supported"):
        schedlab.load(doc)
    res = schedlab.solve(inst, "edd")
    assert res.solution is not None
    bad = {**res.solution, "schema_version": "1"}
    with pytest.raises(schedlab.SolutionError, match=r"schema_version must be an integer"):
        schedlab.check(inst, bad)
    data = res.to_dict()
    data["schema_version"] = 99
    with pytest.raises(ValueError, match="not supported"):
        schedlab.Result.from_dict(data)


def test_stamp_and_unstamp() -> None:
    d = {"a": 1}
    s = stamp(d)
    assert list(s) == ["schema_version", "a"] and d == {"a": 1}
    assert unstamp(s) == {"a": 1}
    assert unstamp(d) is d


def test_cli_prints_schemas_and_rejects_unknown_kinds() -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["schema", "memory", "result"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == schedlab.schema("memory", "result")
    out = runner.invoke(main, ["schema", "memory"])
    assert json.loads(out.output)["$id"].endswith("/memory/instance.json")
    bad = runner.invoke(main, ["schema", "memory", "plan"])
    assert bad.exit_code == 2
    bad = runner.invoke(main, ["schema", "nosuch"])
    assert bad.exit_code == 2 and "unknown family" in bad.output
