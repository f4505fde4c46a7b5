"""`schedlab solve` / `check` / `plot` on pipelining instances."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from schedlab.cli.main import main
from schedlab.families.pipelining.bundled import bundled_path
from schedlab.families.pipelining.generate import generate
from schedlab.families.pipelining.model import Instance


def test_solve_prints_schedule_table(tmp_path: Path) -> None:
    path = bundled_path("flash_fwd_hopper")
    out = tmp_path / "sol.json"
    r = CliRunner().invoke(main, ["solve", path, "-m", "cpsat", "-t", "20", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "II 16   L 24" in r.output and "MII 16" in r.output
    assert "warp 0:" in r.output and "steady" in r.output
    r = CliRunner().invoke(main, ["check", path, str(out)])
    assert r.exit_code == 0 and "feasible" in r.output
    png = tmp_path / "s.png"
    r = CliRunner().invoke(main, ["plot", str(out), "-i", path, "-o", str(png)])
    assert r.exit_code == 0, r.output
    assert png.stat().st_size > 1000


def test_solve_running_example_json_stdout(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["solve", bundled_path("running_example"), "--json"])
    assert r.exit_code == 0
    res = json.loads(r.output)
    assert res["solution"]["ii"] == 2 and res["solution"]["length"] == 4
    assert res["status"] == "optimal"


def test_generate_pipelining(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["generate", "pipelining", "--n", "8", "--seed", "4"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["problem"] == "pipelining" and len(data["ops"]) == 8
    assert Instance.from_dict(data).to_dict() == generate(8, 2, 4).to_dict()
    r = CliRunner().invoke(
        main,
        [
            "generate",
            "pipelining",
            "--n",
            "6",
            "--count",
            "2",
            "-o",
            str(tmp_path / "g{seed}.json"),
        ],
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "g0.json").is_file() and (tmp_path / "g1.json").is_file()
    r = CliRunner().invoke(main, ["solve", str(tmp_path / "g1.json"), "-m", "cpsat", "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["status"] == "optimal"
    r = CliRunner().invoke(main, ["generate", "pipelining", "--n", "0"])
    assert r.exit_code == 2 and "error" in r.output
