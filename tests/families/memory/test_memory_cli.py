"""CLI: solve a MiniMalloc CSV, write the solved CSV, generate, check and plot."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from schedlab.cli.main import main

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "instances" / "memory" / "minimalloc" / "examples" / "input.12.csv"


def test_solve_check_and_csv(tmp_path: Path) -> None:
    r = CliRunner()
    out = tmp_path / "sol.json"
    res = r.invoke(main, ["solve", str(EXAMPLE), "-m", "exact", "-t", "10", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "optimal" in res.output and "max load" in res.output
    res = r.invoke(main, ["check", str(EXAMPLE), str(out)])
    assert res.exit_code == 0 and "objective 12" in res.output
    csv_out = tmp_path / "solved.csv"
    res = r.invoke(main, ["memory", "to-csv", str(EXAMPLE), str(out), "-o", str(csv_out)])
    assert res.exit_code == 0, res.output
    assert csv_out.read_text().startswith("id,lower,upper,size,offset")


def test_memory_solve_capacity_override(tmp_path: Path) -> None:
    r = CliRunner()
    csv_out = tmp_path / "o.csv"
    res = r.invoke(
        main,
        ["memory", "solve", str(EXAMPLE), "--capacity", "11", "-m", "exact", "-t", "5",
         "--out-csv", str(csv_out)],
    )  # fmt: skip
    assert res.exit_code == 0 and "infeasible" in res.output
    res = r.invoke(main, ["memory", "solve", str(EXAMPLE), "--out-csv", str(csv_out)])
    assert res.exit_code == 0 and csv_out.is_file()


def test_bad_csv_is_one_line_error(tmp_path: Path) -> None:
    p = tmp_path / "bad.10.csv"
    p.write_text("id,lower,upper,size\na,0,1,x\n")
    res = CliRunner().invoke(main, ["solve", str(p)])
    assert res.exit_code == 2 and "line 2" in res.output


def test_generate_and_plot(tmp_path: Path) -> None:
    r = CliRunner()
    inst = tmp_path / "m.json"
    res = r.invoke(main, ["generate", "memory", "--steps", "15", "--seed", "2", "-o", str(inst)])
    assert res.exit_code == 0, res.output
    assert json.loads(inst.read_text())["kind"] == "mapping"
    sol = tmp_path / "s.json"
    res = r.invoke(main, ["solve", str(inst), "-m", "benefit", "-o", str(sol)])
    assert res.exit_code == 0, res.output
    png = tmp_path / "p.png"
    res = r.invoke(main, ["plot", str(sol), "-i", str(inst), "-o", str(png)])
    assert res.exit_code == 0, res.output
    assert png.stat().st_size > 0
    alloc = tmp_path / "a.csv"
    res = r.invoke(
        main, ["generate", "memory", "--kind", "allocation", "--n", "12", "-o", str(alloc)]
    )
    assert res.exit_code == 0 and alloc.read_text().startswith("id,lower,upper,size")


def test_generate_mapping_variants_and_solve_with_mip(tmp_path: Path) -> None:
    r = CliRunner()
    inst = tmp_path / "v.json"
    args = ["generate", "memory", "--steps", "40", "--bandwidth-ratio", "3", "--weights",
            "parameter", "--intensity", "matmul=0.03-0.1", "-o", str(inst)]  # fmt: skip
    res = r.invoke(main, args)
    assert res.exit_code == 0, res.output
    data = json.loads(inst.read_text())
    assert data["name"].endswith("_bw3_m0.03-0.1_par")
    assert data["fast_bandwidth"] == 3 * data["slow_bandwidth"]
    res = r.invoke(main, ["solve", str(inst), "-m", "mip", "-t", "20"])
    assert res.exit_code == 0 and "optimal" in res.output, res.output
    assert not res.output.startswith("Running HiGHS")
    for bad in ("matmul=abc", "conv=0.1-0.2"):
        res = r.invoke(main, ["generate", "memory", "--intensity", bad])
        assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1, res.output


def test_memory_solve_takes_a_work_limit_and_pins() -> None:
    hard = ROOT / "instances" / "memory" / "minimalloc" / "challenging" / "E.1048576.csv"
    r = CliRunner()
    res = r.invoke(main, ["memory", "solve", str(hard), "-m", "exact", "--work-limit", "1000"])
    assert res.exit_code == 0 and "unknown" in res.output, res.output
    res = r.invoke(
        main, ["memory", "solve", str(EXAMPLE), "-m", "exact", "-p", 'pinned={"b5": 4}', "--json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["solution"]["offsets"]["b5"] == 4 and data["params"]["pinned"] == {"b5": 4}
