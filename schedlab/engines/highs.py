"""HiGHS through highspy (and through Pyomo's appsi interface), configured from the options.

HiGHS writes a banner to file descriptor 1 the first time a ``Highs`` object is set up with
console output on, once per process. Redirecting the descriptor would hide the host's own
output from every other thread, so instead the first ``Highs`` of the process is set up with
``log_to_console`` off: the banner is then written to no console, and HiGHS does not write it
again (Pyomo's solvers included). Logs reach ``opts.log`` through HiGHS's logging callback.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import highspy

from ..core.options import SolveOptions

__all__ = ["highspy", "new", "pyomo_nodes", "pyomo_solver", "quiet_banner"]

_lock = threading.Lock()
_quieted = False


def quiet_banner() -> None:
    """Let HiGHS write its banner nowhere, once per process (see the module's docstring)."""
    global _quieted
    if _quieted:
        return
    with _lock:
        if _quieted:
            return
        try:  # highspy.Highs.__init__ enables callbacks, which writes the banner
            from highspy.highs import (
                HighsCallback,
                _Highs,
                cb,
            )

            h: Any = highspy.Highs.__new__(highspy.Highs)
            _Highs.__init__(h)
            h.setOptionValue("log_to_console", False)
            h.callbacks = [
                HighsCallback(cb.HighsCallbackType(i), h)
                for i in range(int(cb.HighsCallbackType.kCallbackMax) + 1)
            ]
            h.enableCallbacks()
        except (ImportError, AttributeError, TypeError):  # pragma: no cover - other highspy
            pass
        _quieted = True


def _limit(
    opts: SolveOptions, share: float, time_limit: float | None, floor: float = 0.01
) -> float | None:
    limit = opts.deadline.limit_for(share, floor=floor)
    if time_limit is not None:
        limit = float(time_limit) if limit is None else min(limit, float(time_limit))
    return None if limit is None else max(floor, float(limit))


def new(
    opts: SolveOptions,
    *,
    share: float = 1.0,
    time_limit: float | None = None,
    threads: int | None = None,
    floor: float = 0.01,
) -> highspy.Highs:
    """A silent ``highspy.Highs`` with the options' time limit (a float, as HiGHS wants it),
    seed, threads and log callback; cancelling the options' deadline stops its run. The time
    limit is ``share`` of the time left (at least ``floor`` seconds), capped by ``time_limit``.
    With a work budget (``opts.work_limit``) its unit is branch-and-bound nodes
    (``mip_max_nodes``); spend what a run used with ``opts.work.spend(h.getInfo().mip_node_count)``.

    HiGHS keeps one thread pool per process, sized by the first run; it is resized here when
    the thread count differs from the last one set.
    """
    quiet_banner()
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", opts.log is not None)
    h.setOptionValue("log_to_console", False)
    if opts.log is not None:
        emit = opts.emit
        h.cbLogging.subscribe(lambda e: emit(str(e.message).rstrip("\n")))
    limit = _limit(opts, share, time_limit, floor)
    if limit is not None:
        h.setOptionValue("time_limit", limit)
    h.setOptionValue("random_seed", int(opts.seed))
    nodes = opts.work.left(share)
    if nodes is not None:
        h.setOptionValue("mip_max_nodes", max(1, int(nodes)))
    _threads(h, int(threads if threads is not None else opts.threads))
    ref = weakref.ref(h)
    opts.deadline.on_cancel(lambda: _stop(ref))
    return h


def _stop(ref: weakref.ref[highspy.Highs]) -> None:
    h = ref()
    if h is not None:
        h.cancelSolve()  # type: ignore[no-untyped-call]


_pool_threads: int | None = None


def _resize_pool(n: int) -> None:
    """Size HiGHS's process-wide thread pool for ``n`` threads (a no-op when it already is)."""
    global _pool_threads
    with _lock:
        if _pool_threads != n:
            highspy.Highs.resetGlobalScheduler(True)
            _pool_threads = n


def _threads(h: highspy.Highs, n: int) -> None:
    _resize_pool(n)
    h.setOptionValue("threads", n)


def pyomo_solver(
    opts: SolveOptions,
    *,
    share: float = 1.0,
    time_limit: float | None = None,
    threads: int | None = None,
) -> Any:
    """Pyomo's appsi HiGHS solver with the options' time limit, work limit (branch-and-bound
    nodes), seed, threads and log.

    Pyomo's config has no thread count: HiGHS's ``threads`` option is set, and its process-wide
    pool resized as :func:`new` does. It raises on infeasible models unless
    ``config.load_solution`` is off, which is set here: read ``results.termination_condition``
    before loading a solution. :func:`pyomo_nodes` reads the nodes a run used.
    """
    quiet_banner()
    from pyomo.contrib.appsi.solvers import Highs

    s = Highs()
    s.config.load_solution = False
    s.config.stream_solver = False
    limit = _limit(opts, share, time_limit)
    if limit is not None:
        s.config.time_limit = limit
    s.highs_options["random_seed"] = int(opts.seed)
    nodes = opts.work.left(share)
    if nodes is not None:  # the work unit of HiGHS MIPs: branch-and-bound nodes
        s.highs_options["mip_max_nodes"] = max(1, int(nodes))
    n = int(threads if threads is not None else opts.threads)
    _resize_pool(n)
    s.highs_options["threads"] = n
    if opts.log is not None:
        s.config.log_level = 10
    return s


def pyomo_nodes(solver: Any) -> int:
    """Branch-and-bound nodes of the last run of a :func:`pyomo_solver` (0 when it explored
    none, e.g. solved by presolve); spend them on the work budget with ``opts.work.spend``."""
    h = getattr(solver, "_solver_model", None)  # appsi's highspy.Highs (no public accessor)
    if h is None:
        return 0
    return max(0, int(h.getInfo().mip_node_count))
