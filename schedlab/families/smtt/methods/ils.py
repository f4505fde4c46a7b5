"""``ils``: iterated local search with dynasearch moves (Congram, Potts & van de Velde 2002;
Grosso, Della Croce & Tadei 2004)."""

from __future__ import annotations

import numpy as np

from ....core import SolveError, SolveOptions, SolverOutput, Status, register
from ....engines import jit
from ..model import Instance
from ._ils import ils_kicks, ils_solve


def default_iterations(n: int) -> int:
    """The kicks (kick + dynasearch descent) run without a time limit when ``iterations`` is
    not given: 1000 up to 100 jobs, fewer beyond (a kick costs about n^2.5), never below 20
    (about 2 s at n = 100 and 5 s at n = 500 on one core)."""
    return max(20, min(1000, 10**7 // max(1, n) ** 2))


def _auto(inst: Instance, time_limit: float | None) -> float:
    # Stronger than ls on every size; exact outranks it where it can finish. Under a time
    # limit it starts from the best of EDD, WMDD and ATC after descent (see
    # _ils.timed_initial_sequence): measured with -t 2 (generated, TF 0.6, RDD 0.6,
    # weighted, seed 1; 2-core machine loaded by other jobs), n = 1000: ils 7.9M, atc
    # 8.2M, ls 8.2M (edd 27.6M); n = 5000: ils 247M, atc 248M, mdd 447M, ls 785M (edd 785M)
    # (before, from EDD/WMDD alone: 26M and 781M).
    return 40.0


def _warm_up() -> None:
    """Compile the timed path (its start from ATC, the kernels with a float deadline), which
    the family's samples, solved without a time limit, do not reach."""
    p = np.array([86, 64, 52, 27, 31, 5, 8, 2], dtype=np.int64)
    d = np.array([74, 145, 127, 156, 110, 122, 162, 135], dtype=np.int64)
    w = np.array([7, 6, 6, 10, 3, 9, 7, 1], dtype=np.int64)
    ils_solve(p, d, w, 0.05, 0)


@register(
    "smtt",
    "ils",
    exact=False,
    help=(
        "Iterated dynasearch (swap + insertion moves, random-swap kicks), seeded; "
        "until the time limit, or (without one) 1000 kicks, fewer beyond 100 jobs."
    ),
    auto=_auto,
    warmup=_warm_up,
    work="kicks (a random-swap kick and its dynasearch descent)",
)
def solve_ils(inst: Instance, opts: SolveOptions, *, iterations: int | None = None) -> SolverOutput:
    """Iterated dynasearch from the best of EDD and WMDD after descent (or the hint).

    Its budget: with a time limit, kicks until the limit; without one,
    :func:`default_iterations` kicks (1000 up to 100 jobs). A work limit is a number of
    kicks: it replaces that default (and, with a time limit too, the run stops at whichever
    comes first). ``iterations`` sets the number of kicks (stopping earlier at the time or
    work limit, if any); a seeded run of a given number of kicks repeats exactly whatever
    the machine's speed. The starting descent is not counted as a kick.
    """
    if iterations is not None and iterations < 0:
        raise SolveError(f"ils: iterations must be >= 0, got {iterations}")
    p, d, w = inst.arrays
    initial = None if opts.hint is None else list(opts.hint["sequence"])
    limit = opts.deadline.limit_for()
    work = opts.work.left()
    if limit is not None and iterations is None and work is None:
        seq = ils_solve(p, d, w, limit, opts.seed, log=opts.log, initial=initial)
        return SolverOutput(solution={"sequence": seq}, status=Status.FEASIBLE)
    if work is not None:
        kicks = int(work) if iterations is None else min(int(iterations), int(work))
    else:
        kicks = default_iterations(inst.n) if iterations is None else int(iterations)
    init = None if initial is None else np.asarray(initial, dtype=np.int64)
    # target 0: nothing beats a zero-tardiness sequence, so the run may stop there
    best, value, ran = ils_kicks(
        p, d, w, kicks, opts.seed, initial=init, target=0.0, deadline=jit.deadline(opts)
    )
    opts.work.spend(ran)
    opts.emit(f"ils: best cost {value} after {ran} of at most {kicks} kicks")
    return SolverOutput(
        solution={"sequence": [int(j) for j in best]},
        status=Status.FEASIBLE,
        params={"iterations": kicks},
        info={"kicks": ran},
    )
