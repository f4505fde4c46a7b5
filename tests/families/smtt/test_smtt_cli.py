"""`schedlab generate smtt` and the README's first command."""

from __future__ import annotations

import json

from click.testing import CliRunner

import schedlab
from schedlab.cli.main import main


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_generate_json_is_seeded():
    a = run("generate", "smtt", "--n", "12", "--weighted", "--seed", "5")
    assert a.exit_code == 0, a.output
    data = json.loads(a.output)
    assert data["problem"] == "smtt" and len(data["p"]) == 12 and len(data["w"]) == 12
    assert run("generate", "smtt", "--n", "12", "--weighted", "--seed", "5").output == a.output


def test_generate_orlib_layout(tmp_path):
    out = tmp_path / "wt6_gen.txt"
    r = run("generate", "smtt", "--n", "6", "--count", "3", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert schedlab.count(str(out)) == 3
    r = run("generate", "smtt", "--n", "6", "--count", "2")
    assert r.exit_code == 2 and "OR-Library" in r.output


def test_solve_wt40_first_instance(instances_dir):
    r = run("solve", f"{instances_dir}/smtt/wt40.txt#1")
    assert r.exit_code == 0, r.output
    assert "optimal" in r.output and "913" in r.output
