"""The command line on partition instances."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from schedlab.cli.main import main

ROOT = Path(__file__).resolve().parents[3] / "instances" / "partition"


def test_solve_prints_front_table_and_check(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "sol.json"
    res = runner.invoke(
        main, ["solve", str(ROOT / "vit_base_8dev.json"), "-m", "exact", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "status     optimal" in res.output
    assert "latency s" in res.output and "items/s" in res.output
    res = runner.invoke(main, ["check", str(ROOT / "vit_base_8dev.json"), str(out)])
    assert res.exit_code == 0 and res.output.startswith("feasible; objective")
    sol = json.loads(out.read_text())
    sol["front"][0]["period"] *= 0.5
    out.write_text(json.dumps(sol))
    res = runner.invoke(main, ["check", str(ROOT / "vit_base_8dev.json"), str(out)])
    assert res.exit_code == 2 and "period" in res.output


def test_generate_and_plot(tmp_path: Path) -> None:
    runner = CliRunner()
    inst = tmp_path / "inst.json"
    res = runner.invoke(main, ["generate", "partition", "--layers", "6", "-o", str(inst)])
    assert res.exit_code == 0, res.output
    sol = tmp_path / "sol.json"
    res = runner.invoke(main, ["solve", str(inst), "-o", str(sol), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["method"] == "exact"
    png = tmp_path / "front.png"
    res = runner.invoke(main, ["plot", str(sol), "-i", str(inst), "-o", str(png)])
    assert res.exit_code == 0, res.output
    assert png.stat().st_size > 1000


def test_pipeedge_yaml_and_bad_scenario(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(
        main, ["solve", str(ROOT / "pipeedge" / "models.yml") + "#1", "-m", "split"]
    )
    assert res.exit_code == 0, res.output
    assert "rcc-0" in res.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"problem": "partition", "profiles": {"models": "nope.yml"}}))
    res = runner.invoke(main, ["solve", str(bad)])
    assert res.exit_code == 2 and "device_types" in res.output
