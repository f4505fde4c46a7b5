"""`schedlab sweep`, `schedlab results export` and `schedlab report`."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from .common import user_errors


@click.command()
@click.argument("sweep_file", metavar="FILE.toml", type=click.Path(dir_okay=False))
@click.option(
    "--store",
    "-s",
    type=click.Path(dir_okay=False),
    default=None,
    help="SQLite result store [default: the sweep file's `store`, else results.sqlite].",
)
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Runs at a time (local processes, or LocalCluster slots with --executor dask).",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local processes, or a Dask cluster (--scheduler, else a LocalCluster).",
)
@click.option("--scheduler", default=None, metavar="ADDR", help="Dask scheduler tcp://HOST:PORT.")
@click.option(
    "--margin",
    type=click.FloatRange(min=0),
    default=None,
    help="Watchdog margin in seconds beyond the time limit [default: the sweep file's, else 10].",
)
@click.option(
    "--first",
    type=click.IntRange(min=1),
    default=None,
    help="Only the first K instances of each set (a smoke run; the keys are the same).",
)
@click.option("--dry-run", is_flag=True, help="List the runs still to do, run nothing.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@user_errors
def sweep(
    sweep_file: str,
    store: str | None,
    workers: int,
    executor: str,
    scheduler: str | None,
    margin: float | None,
    first: int | None,
    dry_run: bool,
    no_progress: bool,
) -> None:
    """Run the sweep FILE.toml; runs already in the store are skipped, so rerunning resumes.

    Ctrl-C (SIGINT) or SIGTERM stops the sweep: the runs in progress are killed and not
    stored (a rerun runs them again), the finished ones stay in the store; one line says
    how many, and the exit status is 130."""
    from ..sweep import Store, SweepInterrupted, load_sweep, make_executor, run_sweep

    try:
        with _interruptible():
            sw = load_sweep(sweep_file)  # (reads or generates every instance)
    except KeyboardInterrupt:
        click.echo("interrupted while reading the sweep file; nothing was run", err=True)
        sys.exit(130)
    if margin is not None:
        sw.margin = margin
    sw.first = first
    path = store or sw.store or "results.sqlite"
    if dry_run:
        runs = sw.expand()
        done: set[str] = set()
        if Path(path).is_file():
            with Store(path, create=False) as st:
                done = st.keys()
        todo = [r for r in runs if r.key not in done]
        for r in todo:
            tl = "-" if r.time_limit is None else f"{r.time_limit:g}"
            click.echo(
                f"{r.key[:12]}  {r.set}  {r.instance_name}  {r.label}  "
                f"t={tl} seed={r.seed} threads={r.threads}"
            )
        click.echo(f"{len(runs)} runs, {len(runs) - len(todo)} stored, {len(todo)} to do")
        return
    ex = make_executor(executor, workers=workers, scheduler=scheduler)
    again = [sweep_file, "--store", path]
    if first is not None:
        again += ["--first", str(first)]
    if margin is not None:
        again += ["--margin", f"{margin:g}"]
    resume = "rerun to resume: schedlab sweep " + " ".join(shlex.quote(a) for a in again)

    def show(message: Any, *args: Any, **kwargs: Any) -> None:
        click.echo(f"warning: {message}", err=True)

    try:
        with warnings.catch_warnings(), _interruptible():
            warnings.simplefilter("always", RuntimeWarning)
            warnings.showwarning = show
            summary = run_sweep(sw, path, executor=ex, workers=workers, progress=not no_progress)
    except SweepInterrupted as e:
        so_far = e.summary
        click.echo(
            f"interrupted: {so_far.ran} runs done now, {so_far.stored} of {so_far.total} stored "
            f"(the runs in progress were stopped, not stored); {resume}",
            err=True,
        )
        sys.exit(130)
    except KeyboardInterrupt:  # before the runs started, or once they were all done
        click.echo(f"interrupted: the finished runs are stored; {resume}", err=True)
        sys.exit(130)
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(summary.statuses.items()))
    click.echo(
        f"{sw.name}: {summary.total} runs, {summary.skipped} already stored, "
        f"{summary.ran} run now ({summary.failed} failed) in {summary.elapsed_s:.1f} s"
        + (f" [{statuses}]" if statuses else "")
        + f"; store {path}"
    )


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`KeyboardInterrupt` once (the sweep then stops its
    runs and stores nothing more); a second signal, while it does so, exits at once after
    killing the worker processes."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread (a CLI run from a test thread)
        return
    seen = False

    def on_signal(signum: int, frame: Any) -> None:
        nonlocal seen
        if seen:
            from ..sweep.executors import kill_live_workers_now

            kill_live_workers_now()
            click.echo("error: interrupted twice; the runs in progress were not stored", err=True)
            os._exit(130)
        seen = True
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@click.group()
def results() -> None:
    """Result stores: export."""


@results.command("export")
@click.argument("store", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
)
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False), help="Output file.")
@click.option("--with-results", is_flag=True, help="Add a column with each full Result JSON.")
@user_errors
def export(store: str, fmt: str, out: str, with_results: bool) -> None:
    """Export every run of STORE to CSV or Parquet."""
    from ..sweep import Store

    with Store(store, create=False) as st:
        n = st.export(out, fmt, with_result=with_results)
    click.echo(f"wrote {n} runs to {out}")


@click.command()
@click.argument("store", type=click.Path(dir_okay=False))
@click.option(
    "--by",
    default="method,set",
    show_default=True,
    help="Group by these (comma-separated): method, set, time_limit, threads, seed, problem, ...",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "csv"]),
    default="markdown",
    show_default=True,
)
@click.option(
    "--plot",
    "plot_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also draw a performance profile per method (PNG/SVG/PDF).",
)
@click.option(
    "--profile",
    type=click.Choice(["gap", "time"]),
    default="gap",
    show_default=True,
    help="The plot: share of runs within a gap to the reference, or optimal within a time.",
)
@user_errors
def report(store: str, by: str, fmt: str, plot_file: str | None, profile: str) -> None:
    """Summarise STORE per method and instance set: runs, solved, proven optimal, gap to the
    reference, time."""
    from ..sweep import plot_profile
    from ..sweep import report as make_report
    from .plotting import check_image_path, save_figure

    if plot_file:
        check_image_path(plot_file)
    click.echo(make_report(store, by=by, fmt=fmt).rstrip("\n"))
    if plot_file:
        save_figure(plot_profile(store, kind=profile), plot_file)
        click.echo(f"wrote {plot_file}", err=True)


def register(main: click.Group) -> None:
    """Add `sweep`, `results` and `report` to the CLI."""
    main.add_command(sweep, "sweep")
    main.add_command(results, "results")
    main.add_command(report, "report")
