"""HiGHS through highspy, configured from the options; Pyomo models are solved by HiGHS here
too (:func:`solve_pyomo`), never through Pyomo's solver interfaces, which redirect the
process's file descriptors while they run.

HiGHS writes a banner to file descriptor 1 the first time a ``Highs`` object is set up with
console output on, once per process. Redirecting the descriptor would hide the host's own
output from every other thread, so instead the first ``Highs`` of the process is set up with
``log_to_console`` off: the banner is then written to no console, and HiGHS does not write it
again. Logs reach ``opts.log`` through HiGHS's logging callback.
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from ..core.options import SolveOptions

__all__ = [
    "MipRun",
    "PyomoRun",
    "highspy",
    "new",
    "quiet_banner",
    "solve_pyomo",
    "solve_rowwise",
]

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


@dataclass(frozen=True)
class MipRun:
    """What :func:`solve_rowwise` found: the column values (``None`` without a feasible
    solution), HiGHS's dual bound and its model status."""

    x: np.ndarray | None
    bound: float
    status: str


def solve_rowwise(
    opts: SolveOptions,
    *,
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    starts: np.ndarray,
    index: np.ndarray,
    value: np.ndarray,
    integer: np.ndarray,
    share: float,
    limit: float,
    options: dict[str, Any] | None = None,
) -> MipRun:
    """Solve ``min cost x`` with ``row_lower <= A x <= row_upper`` and ``lower <= x <=
    upper`` (``A`` row-wise: ``starts``, ``index``, ``value``; ``integer``: a boolean per
    column) with a :func:`new` HiGHS of ``share`` of the time left, within ``limit``
    seconds (``math.inf``: none) and its further ``options``; the branch-and-bound nodes it
    used are spent on the options' work budget. No MIP start is passed: with one
    (``setSolution``), HiGHS 1.16 reported the optimum's value but returned the start's
    columns on a program its presolve reduced. When the options' deadline has passed
    (a long build), HiGHS is not started: its presolve of a large model alone can take
    seconds whatever its time limit."""
    if opts.deadline.expired():
        return MipRun(None, -math.inf, "Time limit reached")
    lp = highspy.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = len(row_lower)
    lp.col_cost_ = np.asarray(cost, np.float64)
    lp.col_lower_ = np.asarray(lower, np.float64)
    lp.col_upper_ = np.asarray(upper, np.float64)
    lp.row_lower_ = np.asarray(row_lower, np.float64)
    lp.row_upper_ = np.asarray(row_upper, np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.asarray(starts, np.int32)
    lp.a_matrix_.index_ = np.asarray(index, np.int32)
    lp.a_matrix_.value_ = np.asarray(value, np.float64)
    kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
    lp.integrality_ = [kinds[int(i)] for i in integer]
    # the limit caps the share of the time left now (after the model's build), never
    # replaces it: a long build must not extend the deadline
    h = new(opts, share=share, time_limit=float(max(0.05, limit)) if math.isfinite(limit) else None)
    for key, val in (options or {}).items():
        h.setOptionValue(key, val)
    h.passModel(lp)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    opts.work.spend(int(info.mip_node_count))
    bound = float(info.mip_dual_bound)
    if info.primal_solution_status != 2:  # no feasible solution
        return MipRun(None, bound, status)
    return MipRun(np.asarray(h.getSolution().col_value), bound, status)


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


@dataclass
class PyomoRun:
    """The outcome of :func:`solve_pyomo`.

    Attributes:
        status: ``"optimal"``, ``"infeasible"`` (both proved), ``"feasible"`` (stopped with a
            solution: limits, cancel) or ``"unknown"`` (stopped without one).
        objective: the objective of the solution found (constant terms included), or ``None``.
        bound: HiGHS's proven bound on the objective (MIP dual bound), or ``None``.
        nodes: branch-and-bound nodes explored (already spent on the work budget).
        highs_status: HiGHS's model status, by name (for the record).
    """

    status: str
    objective: float | None
    bound: float | None
    nodes: int
    highs_status: str


def solve_pyomo(
    model: Any,
    opts: SolveOptions,
    *,
    share: float = 1.0,
    time_limit: float | None = None,
    threads: int | None = None,
    warm_start: bool = False,
    options: dict[str, Any] | None = None,
) -> PyomoRun:
    """Solve a Pyomo model with HiGHS in this thread, touching no file descriptor.

    Pyomo's own HiGHS interfaces redirect the process's file descriptors 1 and 2 while they
    run (``capture_output(capture_fd=True)``), which hides the host's output from every other
    thread and breaks when two threads solve at once. Here Pyomo only writes the model (its
    LP writer, into a temporary file); HiGHS reads it and runs as :func:`new` sets it up (the
    options' limits, work budget in nodes, threads, seed, log and cancel); the values of the
    solution found are loaded back into the model's variables (``var.set_value``).
    ``warm_start`` passes the variables' current values as a MIP start; ``options`` are
    further HiGHS options by name.
    """
    import os
    import tempfile

    from pyomo.repn.plugins.lp_writer import LPWriter

    with tempfile.TemporaryDirectory(prefix="schedlab-") as folder:
        path = os.path.join(folder, "model.lp")
        with open(path, "w", encoding="ascii") as fh:
            written = LPWriter().write(model, fh, symbolic_solver_labels=False)
        h = new(opts, share=share, time_limit=time_limit, threads=threads)
        if options:
            for key, value in options.items():
                h.setOptionValue(key, value)
        h.readModel(path)
    by_name = written.symbol_map.bySymbol
    names = list(h.getLp().col_names_)
    cols = [by_name.get(name) for name in names]
    if warm_start:
        sol = highspy.HighsSolution()
        sol.col_value = [float(v.value) if v is not None and v.value is not None else 0.0
                         for v in cols]  # fmt: skip
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    info = h.getInfo()
    nodes = max(0, int(info.mip_node_count))
    opts.work.spend(nodes)
    model_status = h.getModelStatus()
    name = h.modelStatusToString(model_status)
    has_solution = int(info.primal_solution_status) == 2
    if model_status == highspy.HighsModelStatus.kOptimal:
        status = "optimal"
    elif model_status == highspy.HighsModelStatus.kInfeasible:
        status = "infeasible"
    else:
        status = "feasible" if has_solution else "unknown"
    objective = bound = None
    if has_solution:
        values = h.getSolution().col_value
        for var, value in zip(cols, values, strict=True):
            if var is not None and hasattr(var, "set_value"):
                var.set_value(value, skip_validation=True)
        objective = float(info.objective_function_value)
    raw = (
        float(info.mip_dual_bound) if model_status != highspy.HighsModelStatus.kInfeasible else None
    )
    if raw is not None and math.isfinite(raw):
        bound = raw
    elif status == "optimal" and objective is not None:
        bound = objective  # an LP, or a MIP solved at the root
    return PyomoRun(status, objective, bound, nodes, name)
