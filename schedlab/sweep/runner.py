"""The sweep driver: expand, skip what is stored, run the rest, stream results to the store."""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import RunSpec, Sweep, load_sweep
from .executors import Executor, LocalExecutor
from .store import Store


@dataclass
class SweepSummary:
    """What a call to :func:`run_sweep` did.

    Attributes:
        total: runs in the sweep.
        skipped: runs already in the store (not run again).
        ran: runs carried out now and stored.
        failed: of those, runs that ended in ``timeout`` or ``error``.
        duplicates: outcomes the store already had (another writer got there first).
        elapsed_s: wall-clock seconds of the call.
        statuses: count of each stored status among the runs carried out now.
    """

    total: int = 0
    skipped: int = 0
    ran: int = 0
    failed: int = 0
    duplicates: int = 0
    elapsed_s: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    #: True when the call was interrupted (see :class:`SweepInterrupted`).
    interrupted: bool = False
    #: Runs of the sweep in the store when the call ended (stored now or before; not
    #: counting those whose worker died, which a resume runs again).
    stored: int = 0


class SweepInterrupted(KeyboardInterrupt):
    """:func:`run_sweep` was interrupted (Ctrl-C, or SIGTERM turned into one by the CLI).

    A :class:`KeyboardInterrupt`, so that code catching that still does; ``summary`` says
    what was done before. The runs in progress were stopped and not stored: calling
    :func:`run_sweep` again runs them (and the ones never started) from the start.
    """

    def __init__(self, summary: SweepSummary) -> None:
        super().__init__(f"sweep interrupted after {summary.ran} runs")
        self.summary = summary


class _Progress:
    """A tqdm bar (done / failed / remaining, with tqdm's time-left estimate)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar: Any = None
        if enabled and total:
            try:
                from tqdm import tqdm
            except ImportError:  # pragma: no cover - tqdm is a dependency
                return
            self.bar = tqdm(total=total, unit="run", dynamic_ncols=True, file=sys.stderr)
        self.total = total
        self.done = 0
        self.failed = 0

    def update(self, failed: bool) -> None:
        self.done += 1
        self.failed += int(failed)
        if self.bar is not None:
            self.bar.set_postfix(
                done=self.done, failed=self.failed, remaining=self.total - self.done, refresh=False
            )
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def cpu_count() -> int:
    """CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_sweep(
    sweep: Sweep | str | os.PathLike[str],
    store: str | os.PathLike[str] | None = None,
    *,
    executor: Executor | None = None,
    workers: int = 1,
    margin: float | None = None,
    progress: bool = True,
    on_result: Callable[[RunSpec, dict[str, Any]], None] | None = None,
) -> SweepSummary:
    """Run every run of a sweep that the store does not hold yet.

    Args:
        sweep: a :class:`Sweep` or the path of a sweep file.
        store: the SQLite store (default: the sweep's ``store``, else ``results.sqlite``).
        executor: where runs happen (default: :class:`LocalExecutor` with ``workers``).
        workers: parallel runs of the default local executor.
        margin: watchdog margin in seconds, overriding the sweep file's.
        progress: show a progress bar on stderr.
        on_result: called with each run and its outcome after it is stored.

    Results are stored as they finish, one transaction each, so the call can be
    interrupted at any point and resumed by calling it again.

    Raises:
        SweepInterrupted: on a :class:`KeyboardInterrupt` while runs are carried out. The
            executor is closed first: runs not started are dropped and the worker processes
            of the runs in progress are killed, none of them stored (a resume runs them);
            the finished runs stay in the store.
    """
    t0 = time.perf_counter()
    sw = sweep if isinstance(sweep, Sweep) else load_sweep(sweep)
    if margin is not None:
        sw.margin = float(margin)
    path = Path(store) if store is not None else Path(sw.store or "results.sqlite")
    runs = sw.expand()
    ex: Executor = executor if executor is not None else LocalExecutor(workers)
    slots = int(getattr(ex, "workers", workers))
    summary = SweepSummary(total=len(runs))
    with Store(path) as st:
        # a run whose worker died (killed, out of memory, the machine went down) is run again
        done = st.keys() - st.killed_keys()
        pending = [r for r in runs if r.key not in done]
        st.forget({r.key for r in pending} & st.killed_keys())
    most_threads = max((r.threads for r in pending), default=1)
    if pending and getattr(ex, "name", "") == "local" and slots * most_threads > cpu_count():
        warnings.warn(
            f"{slots} workers x {most_threads} threads per run exceed the "
            f"{cpu_count()} available cores: runs will compete for CPU and time out early",
            RuntimeWarning,
            stacklevel=2,
        )
    with Store(path) as st:
        summary.skipped = len(runs) - len(pending)
        by_key = {r.key: r for r in pending}
        bar = _Progress(len(pending), progress)
        name = str(getattr(ex, "name", type(ex).__name__))
        outcomes = ex(pending)
        try:
            for outcome in outcomes:
                spec = by_key[outcome["key"]]
                inserted = st.add(spec, outcome, executor=name)
                failed = outcome["status"] in ("timeout", "error")
                if inserted:
                    summary.ran += 1
                    summary.failed += int(failed)
                    status = str(outcome["status"])
                    summary.statuses[status] = summary.statuses.get(status, 0) + 1
                else:
                    summary.duplicates += 1
                bar.update(failed)
                if on_result is not None:
                    on_result(spec, outcome)
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            # stop the executor now (not whenever the generator is collected): on an
            # interrupt this kills the runs in progress before anything else happens
            close = getattr(outcomes, "close", None)
            if close is not None:
                close()
            bar.close()
        summary.stored = len((st.keys() - st.killed_keys()) & {r.key for r in runs})
    summary.elapsed_s = time.perf_counter() - t0
    if summary.interrupted:
        raise SweepInterrupted(summary)
    return summary
