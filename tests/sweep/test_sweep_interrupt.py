"""Ctrl-C (SIGINT) and SIGTERM stop `schedlab sweep`: the runs in progress are killed and
not stored, the finished ones stay, one line says how to resume, the exit status is 130,
no worker process is left behind, and a rerun completes the sweep."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sweep_helpers import PLUGIN, write_instances, write_sweep

from schedlab.sweep import DaskExecutor, LocalExecutor, Store, SweepInterrupted, run_sweep

# edd finishes at once; nap stays in progress for 2.5 s (a run in progress at the signal)
SWEEP = f"""
name = "interrupted"
time_limit = 30
seeds = [0, 1]
margin = 20
plugins = ["{PLUGIN}"]
methods = ["edd", {{ method = "nap", params = {{ seconds = 2.5 }} }}]

[sets]
tiny = ["inst/tiny0.json"]
"""
TOTAL = 4


def _command(sweep: Path, store: Path) -> list[str]:
    return [sys.executable, "-m", "schedlab.cli.main", "sweep", str(sweep), "--store",
            str(store), "--workers", "2", "--no-progress"]  # fmt: skip


def _stored(store: Path) -> int:
    if not store.exists():
        return 0
    with sqlite3.connect(store, timeout=30) as db:
        try:
            return int(db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
        except sqlite3.OperationalError:  # the tables are not created yet
            return 0


def _workers_of(pid: int) -> set[int]:
    """Processes carrying the sweep's pid in their environment: its worker processes and
    anything they started."""
    mark = f"SCHEDLAB_SWEEP_PARENT={pid}".encode()
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
        except OSError:
            continue
        if mark in env.split(b"\0"):
            found.add(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(
    "sig",
    [pytest.param(signal.SIGINT, marks=pytest.mark.slow), signal.SIGTERM],
    ids=["SIGINT", "SIGTERM"],
)
def test_a_signal_stops_the_sweep_and_a_rerun_resumes(tmp_path: Path, sig: int) -> None:
    write_instances(tmp_path / "inst", count=1)
    sweep = write_sweep(tmp_path / "i.toml", SWEEP)
    store = tmp_path / "i.sqlite"
    proc = subprocess.Popen(
        _command(sweep, store), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and _stored(store) < 1:
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        # a run is in progress now (the second edd, or a nap)
        while time.monotonic() < deadline and not seen:
            seen = _workers_of(proc.pid)
            time.sleep(0.02)
        assert seen, "no worker process in progress"
        t0 = time.monotonic()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
        stopped_in = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    (line,) = lines
    stored = _stored(store)
    assert 1 <= stored < TOTAL
    assert line.startswith("interrupted: ") and f"{stored} of {TOTAL} stored" in line
    assert f"rerun to resume: schedlab sweep {sweep} --store {store}" in line
    # the runs in progress were killed, not waited for (a nap lasts 2.5 s)
    assert stopped_in < 2.0
    time.sleep(0.2)
    assert not _workers_of(proc.pid), "a worker process outlived the sweep"
    with Store(store, create=False) as st:
        rows = st.rows()
    assert len(rows) == stored and all(r["exit_reason"] == "finished" for r in rows)
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # the rerun runs what was left, and only that
    again = subprocess.run(_command(sweep, store), capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert f"{TOTAL} runs, {stored} already stored, {TOTAL - stored} run now (0 failed)" in (
        again.stdout
    )
    with Store(store, create=False) as st:
        rows = st.rows()
    assert len(rows) == TOTAL == len({r["key"] for r in rows})
    assert {(r["method"], r["seed"]) for r in rows} == {
        (m, s) for m in ("edd", "nap") for s in (0, 1)
    }
    assert all(r["status"] == "feasible" for r in rows)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("kind", ["local", pytest.param("dask", marks=pytest.mark.slow)])
def test_run_sweep_interrupted_raises_with_its_summary(tmp_path: Path, kind: str) -> None:
    """A KeyboardInterrupt in the driver (here from ``on_result``, after the first run)
    closes the executor: the runs in progress are killed, not stored, and run_sweep raises
    SweepInterrupted (a KeyboardInterrupt) with what it did."""
    if kind == "dask":
        pytest.importorskip("distributed")
    write_instances(tmp_path / "inst", count=1)
    sweep = write_sweep(tmp_path / "i.toml", SWEEP)
    store = tmp_path / "i.sqlite"

    def stop(spec: object, outcome: object) -> None:
        raise KeyboardInterrupt

    ex = LocalExecutor(2) if kind == "local" else DaskExecutor(workers=2)
    t0 = time.monotonic()
    with pytest.raises(SweepInterrupted) as err:
        run_sweep(sweep, store, executor=ex, progress=False, on_result=stop)
    assert isinstance(err.value, KeyboardInterrupt)
    summary = err.value.summary
    assert summary.interrupted and summary.total == TOTAL
    assert summary.ran == summary.stored == _stored(store) == 1
    assert time.monotonic() - t0 < 30
    assert not _workers_of(os.getpid()), "a worker process outlived the interrupted sweep"
    done = run_sweep(sweep, store, executor=LocalExecutor(2), progress=False)
    assert (done.skipped, done.ran, done.failed) == (1, TOTAL - 1, 0)
