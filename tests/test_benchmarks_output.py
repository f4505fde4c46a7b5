"""The benchmark scripts write into the git-ignored benchmarks/out/ (or --out-dir), never into
the tracked benchmarks/results/, and draw no carriage-return progress into a pipe."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
RESULTS = BENCH / "results"


def _common() -> ModuleType:
    """benchmarks/_common.py, loaded from its file (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("_bench_common", BENCH / "_common.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _git(*args: str) -> subprocess.CompletedProcess[str] | None:
    """``git -C ROOT args``, or None without git or outside a checkout."""
    if shutil.which("git") is None:
        return None
    inside = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
    )
    if inside.returncode != 0:
        return None
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)


def _results_state() -> dict[str, tuple[int, int]]:
    """Size and modification time of every file in benchmarks/results."""
    return {
        str(p.relative_to(RESULTS)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(RESULTS.rglob("*"))
        if p.is_file()
    }


def test_smtt_script_writes_to_out_dir_and_no_carriage_returns(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    env = dict(os.environ)
    # the benchmarks package from the checkout; schedlab as this process imported it
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH"), str(ROOT)]))
    status_before = _git("status", "--porcelain", "--", "benchmarks/results")
    files_before = _results_state()
    cmd = [sys.executable, str(BENCH / "smtt.py"), "--sets", "wt40", "--first", "1"]
    cmd += ["--methods", "edd", "--out-dir", str(out_dir)]
    # bytes, not text: text mode would turn a '\r' into '\n'
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, timeout=120)
    stdout, stderr = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 0, stderr
    assert "| set | method | instances |" in stdout
    assert "|---|" in stdout
    assert "| wt40 | edd | 1 |" in stdout
    assert b"\r" not in proc.stderr, stderr
    assert b"\r" not in proc.stdout
    csvs = sorted(out_dir.glob("*.csv"))
    assert [p.name for p in csvs] == ["smtt_runs.csv"]
    lines = csvs[0].read_text().splitlines()
    assert lines[0].startswith("set,instance,n,method,") and len(lines) == 2
    assert list(cwd.iterdir()) == []
    assert _results_state() == files_before
    status_after = _git("status", "--porcelain", "--", "benchmarks/results")
    if status_before is not None and status_after is not None:
        assert status_after.returncode == 0
        assert status_after.stdout == status_before.stdout


def test_default_out_path_is_git_ignored(tmp_path: Path) -> None:
    common = _common()
    path = common.out_path("smtt_runs.csv", None)
    assert path.parent == BENCH / "out"
    assert path.parent.is_dir()
    assert common.out_path("x.csv", str(tmp_path / "d")) == tmp_path / "d" / "x.csv"
    assert (tmp_path / "d").is_dir()
    ignored = _git("check-ignore", "-q", str(path))
    if ignored is None:
        pytest.skip("git is absent")
    assert ignored.returncode == 0, f"{path} is not git-ignored"


def test_progress_draws_nothing_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    common = _common()
    assert list(common.progress(range(5), "x")) == list(range(5))
    assert capsys.readouterr().err == ""
