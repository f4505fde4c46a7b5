"""Reports and exports of a result store."""

from __future__ import annotations

import csv
import io
import math
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sweep_helpers import cli

from schedlab.sweep import ReportError, Store, plot_profile, report, summarize
from schedlab.sweep.report import load_rows, profile_curves, reference_gap


def test_summary_counts(small_sweep: dict[str, Any]) -> None:
    rows = load_rows(small_sweep["store"])
    table = summarize(rows, "method,set")
    assert [(t["method"], t["set"]) for t in table] == [
        ("edd", "tiny"),
        ("mdd", "tiny"),
        ("ls", "tiny"),
    ]
    for t in table:
        members = [r for r in rows if r["label"] == t["method"]]
        assert (t["runs"], t["solved"], t["optimal"], t["failed"]) == (4, 4, 0, 0)
        gaps = [reference_gap(r) for r in members]
        assert t["mean gap %"] == pytest.approx(100 * sum(gaps) / 4)
        assert t["at ref"] == sum(g == 0 for g in gaps)
        assert t["max time s"] >= t["mean time s"] >= 0
    assert [t["runs"] for t in summarize(rows, "seed")] == [6, 6]
    with pytest.raises(ReportError, match="cannot group by"):
        summarize(rows, "colour")


def test_reference_gap_edge_cases() -> None:
    assert reference_gap({"objective": 110.0, "reference": 100.0}) == pytest.approx(0.1)
    assert reference_gap({"objective": 90.0, "reference": 100.0, "sense": "max"}) == (
        pytest.approx(0.1)
    )
    assert reference_gap({"objective": 0.0, "reference": 0.0}) == 0.0
    assert reference_gap({"objective": 3.0, "reference": 0.0}) == math.inf
    assert reference_gap({"objective": None, "reference": 5.0}) is None


def test_markdown_csv_and_cli(small_sweep: dict[str, Any], tmp_path: Path) -> None:
    md = report(small_sweep["store"])
    assert md.splitlines()[0].startswith("| method | set | runs | solved | optimal |")
    assert len(md.splitlines()) == 2 + 3
    parsed = list(csv.DictReader(io.StringIO(report(small_sweep["store"], "method", "csv"))))
    assert [r["method"] for r in parsed] == ["edd", "mdd", "ls"]
    png = tmp_path / "profile.png"
    out = subprocess.run(
        cli("report", str(small_sweep["store"]), "--by", "method", "--plot", str(png)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("| method | runs |")
    assert png.stat().st_size > 1000
    missing = subprocess.run(
        cli("report", str(tmp_path / "nope.sqlite")), capture_output=True, text=True, timeout=60
    )
    assert missing.returncode == 2 and "no such store" in missing.stderr


def test_profiles(small_sweep: dict[str, Any], tmp_path: Path) -> None:
    rows = load_rows(small_sweep["store"])
    curves = profile_curves(rows, "gap")
    assert set(curves) == {"edd", "mdd", "ls"}
    for xs, ys in curves.values():
        assert xs == sorted(xs) and len(xs) == len(ys) and ys[-1] == 1.0
    for kind in ("gap", "time"):
        out = tmp_path / f"{kind}.png"
        fig = plot_profile(small_sweep["store"], kind=kind)
        assert fig.axes and fig.axes[0].get_xlabel()
        fig.savefig(out)
        assert out.stat().st_size > 1000


def test_export_csv_and_parquet(small_sweep: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "runs.csv"
    done = subprocess.run(
        cli("results", "export", str(small_sweep["store"]), "--out", str(out)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 12 and "result" not in rows[0] and rows[0]["key"]
    pq = pytest.importorskip("pyarrow.parquet")
    with Store(small_sweep["store"], create=False) as st:
        assert st.export(tmp_path / "runs.parquet", "parquet", with_result=True) == 12
    table = pq.read_table(tmp_path / "runs.parquet")
    assert table.num_rows == 12 and "result" in table.column_names
    assert table.schema.field("objective").type == "double"


def test_a_foreign_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    import sqlite3

    foreign = tmp_path / "other.sqlite"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE notes (x TEXT)")
    db.execute("INSERT INTO notes VALUES ('mine')")
    db.commit()
    db.close()
    before = foreign.read_bytes()
    for args in (("report", str(foreign)), ("results", "export", str(foreign), "--out", "x.csv")):
        out = subprocess.run(cli(*args), capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert out.returncode == 2, out.stderr
        assert "not a schedlab result store" in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1
    with pytest.raises(Exception, match="not a schedlab result store"):
        Store(foreign)
    assert foreign.read_bytes() == before
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    with pytest.raises(Exception, match="not a schedlab result store"):
        Store(text, create=False)
    assert text.read_text() == "hello\n"
