"""OR-Tools CP-SAT, configured from the solve options.

A method builds its ``cp_model.CpModel`` and calls :func:`solver` for a ``CpSolver`` whose
time limit, workers, seed and log follow the options; :func:`status` maps CP-SAT's answer to
a :class:`~schedlab.core.status.Status`, :func:`bound` reads the proven bound.
"""

from __future__ import annotations

import math
import weakref
from typing import Any

from ortools.sat.python import cp_model

from ..core.errors import SolveError
from ..core.options import SolveOptions
from ..core.status import Status

__all__ = ["bound", "charge", "cp_model", "has_solution", "solver", "status"]

#: The smallest time limit handed to CP-SAT (zero means "no time" to it, not "no limit").
MIN_LIMIT = 0.01


def solver(
    opts: SolveOptions,
    *,
    share: float = 1.0,
    time_limit: float | None = None,
    work: float | None = None,
    threads: int | None = None,
    params: dict[str, Any] | None = None,
) -> cp_model.CpSolver:
    """A ``CpSolver`` for one solve of a method.

    Args:
        opts: the solve options: seed, threads, log callback and the shared deadline.
        share: the fraction of the time (and of the work budget) left this solve may take.
        time_limit: a further cap in seconds (e.g. a window's own limit), or ``None``.
        work: a further cap in CP-SAT deterministic time, or ``None``.
        threads: workers, if not ``opts.threads`` (CP-SAT with several workers is not
            deterministic; use one worker for runs that must repeat exactly).
        params: further ``SatParameters`` fields, by name.

    The log goes to ``opts.log`` through CP-SAT's log callback, never to stdout. Cancelling
    the options' deadline stops the search (it returns its best solution so far). With a work
    budget (``opts.work_limit``), CP-SAT's deterministic time is capped by ``share`` of what
    is left; call :func:`charge` after the solve to spend what it used.
    """
    s = cp_model.CpSolver()
    prm = s.parameters
    limit = opts.deadline.limit_for(share, floor=MIN_LIMIT)
    if time_limit is not None:
        limit = max(MIN_LIMIT, float(time_limit)) if limit is None else min(limit, time_limit)
        limit = max(MIN_LIMIT, limit)
    if limit is not None:
        prm.max_time_in_seconds = float(limit)
    det = opts.work.left(share)
    if work is not None:
        det = float(work) if det is None else min(det, float(work))
    if det is not None:
        prm.max_deterministic_time = max(1e-6, float(det))
    prm.num_workers = int(threads if threads is not None else opts.threads)
    prm.random_seed = int(opts.seed)
    prm.log_to_stdout = False
    prm.log_search_progress = opts.log is not None
    if opts.log is not None:
        s.log_callback = opts.emit
    for key, value in (params or {}).items():
        setattr(prm, key, value)
    ref = weakref.ref(s)
    opts.deadline.on_cancel(lambda: _stop(ref))
    return s


def _stop(ref: weakref.ref[cp_model.CpSolver]) -> None:
    s = ref()
    if s is not None:
        s.stop_search()


def charge(opts: SolveOptions, s: cp_model.CpSolver) -> float:
    """Spend the deterministic time of ``s``'s last solve on the options' work budget; returns
    it (every CP-SAT solve of a method should be charged, so that stages share one budget)."""
    used = float(s.deterministic_time)
    opts.work.spend(used)
    return used


def has_solution(code: Any) -> bool:
    """True if CP-SAT's status code comes with a solution."""
    return code in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def status(code: Any) -> Status:
    """CP-SAT's status code as a :class:`Status` (``MODEL_INVALID`` is a bug: an error)."""
    if code == cp_model.OPTIMAL:
        return Status.OPTIMAL
    if code == cp_model.FEASIBLE:
        return Status.FEASIBLE
    if code == cp_model.INFEASIBLE:
        return Status.INFEASIBLE
    if code == cp_model.MODEL_INVALID:
        raise SolveError("CP-SAT rejected the model as invalid (a bug in the method)")
    return Status.UNKNOWN


def bound(s: cp_model.CpSolver, *, integral: bool = True, maximize: bool = False) -> float | None:
    """The proven bound on the objective after a solve (``None`` if CP-SAT has none).

    With ``integral`` (an integer objective) a fractional bound is rounded towards the
    feasible side: up when minimising, down when maximising.
    """
    raw = float(s.best_objective_bound)
    if not math.isfinite(raw):
        return None
    if not integral:
        return raw
    return float(math.floor(raw + 1e-6)) if maximize else float(math.ceil(raw - 1e-6))
