"""Running sweeps: expected rows, resume, SIGKILL safety, watchdog, Dask parity."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from sweep_helpers import PLUGIN, SMALL_SWEEP, cli, write_instances, write_sweep

import schedlab
from schedlab.sweep import DaskExecutor, Store, run_key, run_sweep


def _rows(store: Path) -> list[dict[str, Any]]:
    with Store(store, create=False) as st:
        return st.rows()


def test_small_sweep_rows_are_exactly_the_runs(small_sweep: dict[str, Any]) -> None:
    summary = small_sweep["summary"]
    assert (summary.total, summary.skipped, summary.ran, summary.failed) == (12, 0, 12, 0)
    rows = _rows(small_sweep["store"])
    assert len(rows) == 12
    got = {(r["instance"], r["method"], r["seed"]) for r in rows}
    want = {(f"tiny{k}", m, s) for k in (0, 1) for m in ("edd", "mdd", "ls") for s in (0, 1)}
    assert got == want
    for path in small_sweep["files"]:
        inst = schedlab.read(path)
        for method in ("edd", "mdd", "ls"):
            for seed in (0, 1):
                key = run_key(inst.to_dict(), method, {}, 5.0, seed, 1)
                (row,) = [r for r in rows if r["key"] == key]
                assert row["status"] == "feasible"
                assert row["exit_reason"] == "finished"
                assert row["set_name"] == "tiny" and row["sweep"] == "small"
                assert row["objective"] == schedlab.solve(inst, method, seed=seed).objective
                assert row["reference"] == inst.reference
                assert row["schedlab_version"] == schedlab.__version__
                assert row["host"] and row["started_at"] and row["wall_s"] > 0
    with Store(small_sweep["store"], create=False) as st:
        full = st.rows(with_result=True)
    res = schedlab.Result.from_json(full[0]["result"])
    assert res.objective == full[0]["objective"]


def test_rerun_runs_nothing(small_sweep: dict[str, Any]) -> None:
    again = run_sweep(small_sweep["sweep_file"], small_sweep["store"], progress=False)
    assert (again.total, again.skipped, again.ran) == (12, 12, 0)
    assert len(_rows(small_sweep["store"])) == 12


def test_sigkill_then_resume_stores_every_run_once(tmp_path: Path) -> None:
    write_instances(tmp_path / "inst", count=2)
    sweep = write_sweep(
        tmp_path / "k.toml",
        SMALL_SWEEP.replace('name = "small"', 'name = "killed"')
        .replace("seeds = [0, 1]", "seeds = [0, 1, 2]")
        .replace('"edd", "mdd", "ls"', '"edd", "mdd"'),
    )
    store = tmp_path / "k.sqlite"
    args = cli("sweep", str(sweep), "--store", str(store), "--workers", "2", "--no-progress")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        stored = 0
        while time.monotonic() < deadline and proc.poll() is None:
            if store.exists():
                with sqlite3.connect(store, timeout=30) as db:
                    try:
                        stored = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
                    except sqlite3.OperationalError:
                        stored = 0
                if stored >= 2:
                    break
            time.sleep(0.05)
        assert proc.poll() is None, "the sweep finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    before = len(_rows(store))
    assert 2 <= before < 12
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{before} already stored" in done.stdout
    rows = _rows(store)
    assert len(rows) == 12
    assert len({r["key"] for r in rows}) == 12
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_hang_crash_and_error_are_recorded_and_the_rest_finish(tmp_path: Path) -> None:
    write_instances(tmp_path / "inst", count=1)
    sweep = write_sweep(
        tmp_path / "w.toml",
        f"""
time_limit = 0.5
margin = 2.0
plugins = ["{PLUGIN}"]
methods = ["hang", "boom", "die", "edd"]
[sets]
tiny = ["inst/tiny0.json"]
""",
    )
    store = tmp_path / "w.sqlite"
    t0 = time.monotonic()
    done = subprocess.run(
        cli("sweep", str(sweep), "--store", str(store), "--workers", "2", "--no-progress"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - t0 < 60
    rows = {r["method"]: r for r in _rows(store)}
    assert set(rows) == {"hang", "boom", "die", "edd"}
    hang = rows["hang"]
    assert hang["status"] == "timeout" and hang["exit_reason"] == "timeout"
    assert "watchdog" in hang["error"] and 2.5 <= hang["wall_s"] < 15
    assert rows["boom"]["status"] == "error" and "boom: solver bug" in rows["boom"]["error"]
    assert rows["die"]["status"] == "error" and rows["die"]["exit_reason"] == "killed"
    assert "code 9" in rows["die"]["error"]
    assert rows["edd"]["status"] == "feasible"
    assert "4 run now (3 failed)" in done.stdout
    # on resume, only the run whose worker died runs again
    again = subprocess.run(
        cli("sweep", str(sweep), "--store", str(store), "--workers", "2", "--no-progress"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert "3 already stored, 1 run now (1 failed)" in again.stdout
    rows = {r["method"]: r for r in _rows(store)}
    assert len(rows) == 4 and rows["die"]["exit_reason"] == "killed"


def test_dask_local_cluster_matches_the_local_executor(
    small_sweep: dict[str, Any], tmp_path: Path
) -> None:
    pytest.importorskip("distributed")
    store = tmp_path / "dask.sqlite"
    summary = run_sweep(
        small_sweep["sweep_file"], store, executor=DaskExecutor(workers=2), progress=False
    )
    assert summary.ran == 12 and summary.failed == 0
    local = {r["key"]: r["objective"] for r in _rows(small_sweep["store"])}
    dask = _rows(store)
    assert {r["key"]: r["objective"] for r in dask} == local
    assert {r["executor"] for r in dask} == {"dask"}


def test_warm_up_is_not_counted_by_the_watchdog(tmp_path: Path) -> None:
    """A method's JIT warm-up runs before the watchdog starts (a cold first call after an
    installation would otherwise be recorded as a timeout)."""
    write_instances(tmp_path / "inst", count=1)
    sweep = write_sweep(
        tmp_path / "w.toml",
        f"""
time_limit = 0.5
margin = 1.0
plugins = ["{PLUGIN}"]
methods = ["slowjit"]
[sets]
tiny = ["inst/tiny0.json"]
""",
    )
    store = tmp_path / "w.sqlite"
    done = subprocess.run(
        cli("sweep", str(sweep), "--store", str(store), "--no-progress"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (row,) = _rows(store)
    assert row["status"] == "feasible", row["error"]
    assert row["wall_s"] >= 3.0


@pytest.mark.parametrize("method", ["mip", "cpsat"])
def test_engine_methods_finish_inside_a_worker(tmp_path: Path, method: str) -> None:
    """Engines that capture their own output (Pyomo's tee around HiGHS, CP-SAT's log) must
    not deadlock on the worker's redirected standard output (a regression: every ``mip``
    run of the smtt benchmark was killed by the watchdog)."""
    from schedlab.sweep.executors import execute_run

    (path,) = write_instances(tmp_path / "inst", count=1)
    spec = {
        "key": "k",
        "instance": json.loads(path.read_text()),
        "method": method,
        "params": {},
        "time_limit": 5.0,
        "seed": 0,
        "threads": 1,
        "watchdog": 15.0,
    }
    out = execute_run(spec)
    assert out["exit_reason"] == "finished", out["error"]
    res = schedlab.Result.from_json(out["result"])
    assert res.objective == json.loads(path.read_text())["reference"]


def test_a_worker_starts_without_a_runtime_warning() -> None:
    from schedlab.sweep.executors import WORKER_COMMAND

    done = subprocess.run(WORKER_COMMAND, input="{}", capture_output=True, text=True, timeout=60)
    assert "READY" in done.stdout
    assert "Warning" not in done.stderr, done.stderr
