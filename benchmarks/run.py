"""Run a benchmark sweep file and print its report.

The store goes to ``benchmarks/out/<name>.sqlite`` (git-ignored; resumable: rerunning skips
the runs already there), the report (per set and method) is printed as markdown and written
as CSV beside the store (``benchmarks/out/<name>.csv``), and with ``--plot`` a performance
profile is drawn. ``--out-dir DIR`` puts the store and the CSV in DIR instead (``--out-dir
benchmarks/results`` updates the tracked results); ``--store FILE`` names the store itself.

    python benchmarks/run.py benchmarks/smtt.toml --workers 2
    python benchmarks/run.py benchmarks/smtt.toml --first 3 --store /tmp/smoke.sqlite
    python benchmarks/run.py benchmarks/smtt.toml --out-dir benchmarks/results
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

import schedlab
from schedlab.sweep import load_sweep, make_executor, report, run_sweep
from schedlab.sweep.report import plot_profile

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # imported, not run as ``python benchmarks/run.py``
    sys.path.insert(0, str(HERE))
from _common import out_path  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run the sweep, print the report, write the CSV (and the plot)."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("sweep", help="a sweep file, e.g. benchmarks/smtt.toml")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--executor", choices=["local", "dask"], default="local")
    ap.add_argument("--scheduler", default=None, help="Dask scheduler tcp://HOST:PORT")
    ap.add_argument("--first", type=int, default=None, help="first K instances of each set")
    ap.add_argument("--out-dir", default=None, help="output folder (default: benchmarks/out)")
    ap.add_argument("--store", default=None, help="default: OUT_DIR/<name>.sqlite")
    ap.add_argument("--by", default="set,method")
    ap.add_argument("--plot", default=None, help="performance profile image (gap)")
    args = ap.parse_args(argv)

    sw = load_sweep(args.sweep)
    sw.first = args.first
    store = Path(args.store) if args.store else out_path(f"{sw.name}.sqlite", args.out_dir)
    print(
        f"machine: {platform.node()} {platform.machine()}, Python {platform.python_version()}, "
        f"schedlab {schedlab.__version__}, {args.workers} workers ({args.executor})",
        file=sys.stderr,
    )
    executor = make_executor(args.executor, workers=args.workers, scheduler=args.scheduler)
    # the sweep's bar only on a terminal: no carriage returns into a pipe or a log file
    summary = run_sweep(sw, store, executor=executor, progress=sys.stderr.isatty())
    print(
        f"{summary.total} runs: {summary.skipped} stored before, {summary.ran} run now "
        f"({summary.failed} failed) in {summary.elapsed_s:.0f} s; store {store}",
        file=sys.stderr,
    )
    print(report(store, by=args.by))
    csv_path = store.with_suffix(".csv")
    csv_path.write_text(report(store, by=args.by, fmt="csv"))
    print(f"\nCSV: {csv_path}", file=sys.stderr)
    if args.plot:
        fig = plot_profile(store, kind="gap", title=f"{sw.name}: gap to the reference")
        fig.savefig(args.plot, dpi=120)
        print(f"plot: {args.plot}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
