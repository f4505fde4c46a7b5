"""The dag command line: generate, solve with --plot, plot, check, convert, online, errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from schedlab.cli.main import main

INSTANCES = Path(__file__).resolve().parents[3] / "instances" / "dag"


def test_generate(tmp_path: Path) -> None:
    r = CliRunner().invoke(
        main, ["generate", "dag", "--v", "30", "--processors", "4", "--seed", "2"]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert len(data["tasks"]) == 30 and len(data["processors"]) == 4
    out = tmp_path / "h.json"
    r = CliRunner().invoke(
        main, ["generate", "dag", "--scheme", "hoft", "--v", "12", "--gpus", "2", "-o", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert len(json.loads(out.read_text())["processors"]) == 9


def test_solve_plot_check(tmp_path: Path) -> None:
    sol, png, png2 = tmp_path / "s.json", tmp_path / "g.png", tmp_path / "g2.png"
    top = str(INSTANCES / "topcuoglu2002_fig2.json")
    r = CliRunner().invoke(
        main, ["solve", top, "-m", "cpsat", "-t", "20", "-o", str(sol), "--plot", str(png)]
    )
    assert r.exit_code == 0, r.output
    assert "objective  73" in r.output and "status     optimal" in r.output
    assert png.stat().st_size > 1000
    r = CliRunner().invoke(main, ["plot", str(sol), "--out", str(png2)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["check", top, str(sol)])
    assert r.exit_code == 0 and "objective 73" in r.output


def test_convert_stg(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    stg = str(INSTANCES / "stg" / "50" / "rand0000.stg")
    r = CliRunner().invoke(main, ["dag", "convert", stg, "-P", "2", "-o", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    assert data["reference"] == 131 and len(data["processors"]) == 2
    r = CliRunner().invoke(main, ["solve", str(out), "-m", "heft"])
    assert r.exit_code == 0 and "reference  131" in r.output


def test_online(tmp_path: Path) -> None:
    files = []
    for s in range(2):
        f = tmp_path / f"j{s}.json"
        r = CliRunner().invoke(
            main, ["generate", "dag", "--v", "6", "--seed", str(s), "-o", str(f)]
        )
        assert r.exit_code == 0, r.output
        files.append(str(f))
    r = CliRunner().invoke(
        main,
        ["dag", "online", *files, "-n", "5", "--load", "2", "--epoch-work", "0.02", "--json"],
    )
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert [x["policy"] for x in rows] == ["heft", "eft", "heft-plan", "cpsat"]


def test_bad_file_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.stg"
    bad.write_text("2\n0 0 0\n1 3 1 0\n2 4 1 9\n3 0 1 2\n")
    r = CliRunner().invoke(main, ["solve", str(bad), "-m", "heft"])
    assert r.exit_code == 2
    assert f"{bad}, line 4: task 2: predecessor 9 out of range" in r.output
