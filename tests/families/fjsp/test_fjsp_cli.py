"""The fjsp command line: generate, solve with --plot, plot, check, errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from schedlab.cli.main import main

MK = Path(__file__).resolve().parents[3] / "instances" / "fjsp"


def test_generate_counts_operations(tmp_path: Path) -> None:
    r = CliRunner().invoke(
        main, ["generate", "fjsp", "--jobs", "20", "--machines", "10", "--ops", "100"]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert sum(len(j) for j in data["jobs"]) == 2000
    out = tmp_path / "g.fjs"
    r = CliRunner().invoke(
        main, ["generate", "fjsp", "--jobs", "3", "--machines", "2", "--ops", "4", "-o", str(out)]
    )
    assert r.exit_code == 0 and out.read_text().startswith("3 2 ")


def test_solve_plot_check(tmp_path: Path) -> None:
    sol, png, png2 = tmp_path / "s.json", tmp_path / "g.png", tmp_path / "g2.png"
    r = CliRunner().invoke(
        main,
        ["solve", str(MK / "mk01.fjs"), "-t", "20", "--threads", "2", "-o", str(sol),
         "--plot", str(png)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "objective  40" in r.output and png.stat().st_size > 1000
    r = CliRunner().invoke(main, ["plot", str(sol), "--out", str(png2)])
    assert r.exit_code == 0, r.output
    assert png2.stat().st_size > 1000
    r = CliRunner().invoke(main, ["check", str(MK / "mk01.fjs"), str(sol)])
    assert r.exit_code == 0 and "objective 40" in r.output


def test_bad_file_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.fjs"
    bad.write_text("2 2 1\n1 1 1 3\n1 1 9 5\n")
    r = CliRunner().invoke(main, ["solve", str(bad), "-m", "spt"])
    assert r.exit_code == 2
    assert f"{bad}, line 3: job 2, operation 1: machine 9 out of range" in r.output
