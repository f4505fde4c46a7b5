"""Batch experiment sweeps: sweep files, a resumable SQLite result store, local and Dask
executors with a per-run watchdog, and reports.

::

    from schedlab.sweep import run_sweep, report
    summary = run_sweep("benchmarks/smtt.toml", "results.sqlite", workers=2)
    print(report("results.sqlite", by="method,set"))
"""

from .config import RunSpec, Sweep, SweepError, load_sweep, parse_sweep, run_key
from .executors import DaskExecutor, Executor, LocalExecutor, execute_run, make_executor
from .report import ReportError, plot_profile, report, summarize
from .runner import SweepInterrupted, SweepSummary, run_sweep
from .store import COLUMNS, Store, StoreError

__all__ = [
    "COLUMNS",
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "ReportError",
    "RunSpec",
    "Store",
    "StoreError",
    "Sweep",
    "SweepError",
    "SweepInterrupted",
    "SweepSummary",
    "execute_run",
    "load_sweep",
    "make_executor",
    "parse_sweep",
    "plot_profile",
    "report",
    "run_key",
    "run_sweep",
    "summarize",
]
