"""``exact``: successive sublimation dynamic programming for 1||Σ w_j T_j.

Tanaka, Fujikuma & Araki's scheme (J. Scheduling 2009): a Lagrangian relaxation of the
"every job exactly once" constraints solved by dynamic programming over time, tightened by
adjacent-pair dominance and then by successively memorising which of a growing set of jobs
has been processed, until the bound meets the incumbent (from iterated dynasearch). It returns
a valid lower bound whenever it stops early; see :mod:`._ssdp`. Unweighted instances (every
w_j = 1) go to Lawler's decomposition with memorisation instead (:mod:`._bam`), falling back
to SSDP when it runs out of time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ....core import SolveError, SolveOptions, SolverOutput, Status, register
from ....engines import jit
from ..model import Instance
from . import _bam, _ssdp

#: SSDP's labels are floats: costs must stay exact in a double (the Lawler decomposition's
#: values, below its 2^60 sentinel, are covered as well).
MAX_EXACT_COST = 2**53


def worst_cost(inst: Instance) -> int:
    """The largest total weighted tardiness any sequence can have, Σ w_j max(0, Σp - d_j)
    (exact integers)."""
    total = sum(inst.p)
    return sum(wj * max(0, total - dj) for wj, dj in zip(inst.weights, inst.d, strict=True))


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    if worst_cost(inst) >= MAX_EXACT_COST:
        return None
    # Measured (benchmarks/smtt_scale_probe.py, 1 thread): every OR-Library n = 40 instance in
    # under 0.5 s and n = 100 within 5 s; unweighted n = 500 (data_500_200): all 200 proven,
    # median 0.3 s, max 11 s on a loaded machine.
    unweighted = bool(np.all(inst.arrays[2] == 1))
    if inst.n <= 40:
        return 60.0
    long_enough = time_limit is not None and time_limit >= 5
    if long_enough and (inst.n <= 150 or (unweighted and inst.n <= 500)):
        return 60.0
    # Very large instances under a limit: exact's own upper bound beats ils (docs/auto.md:
    # n = 5000, weighted, 2 s: 246.67M vs 247.07M, also at 5 s and 20 s; n = 3000, 2 s and
    # 5 s: 88.14M vs 88.44M); at n = 1000-2000 ils is as good or better on most.
    if time_limit is not None and inst.n >= 3000:
        return 60.0
    return None


def _warm_up() -> None:
    """Compile what the family's small samples do not reach: SSDP's stages 2 and 3 (small
    instances are settled by stage 1) and the unweighted point search (the fallback of the
    range search)."""
    _ssdp.warm_up()
    _bam.warm_up_point_search()


@register(
    "smtt",
    "exact",
    exact=True,
    help="Successive sublimation DP (Tanaka et al. 2009): proves optima, or a lower bound.",
    auto=_auto,
    warmup=_warm_up,
    work="DP labels (nodes of the time-indexed network or sublimation states a pass labels)",
)
def solve_exact(inst: Instance, opts: SolveOptions) -> SolverOutput:
    """SSDP; OPTIMAL when the bound closes, else FEASIBLE with a valid lower bound. Without
    a time or work limit it runs until it proves the optimum (or reaches its memory limits:
    then ``info["memory"]`` says which, and the best sequence and bound are returned).

    The work limit counts DP labels: one per node (t, j) of the time-indexed network or
    state of a sublimation stage that a DP pass labels (on unweighted instances, one per
    value Lawler's decomposition stores or subproblem it solves). The run stops as on a
    time-out once the labels reach the limit (at most one pass beyond it) and returns the
    lower bound proven so far; the upper-bound heuristic (a fixed number of dynasearch
    kicks) is not counted. With a work limit and no time limit, the run repeats exactly on
    any load.

    Raises:
        SolveError: when the worst total weighted tardiness reaches 2^53 (SSDP's labels
            are doubles, exact only below).
    """
    p, d, w = inst.arrays
    worst = worst_cost(inst)
    if worst >= MAX_EXACT_COST:
        raise SolveError(
            f"exact: the total weighted tardiness can reach {worst}, beyond 2^53, where its "
            "floating-point labels are no longer exact; use cpsat, mip or ils"
        )
    wk = np.array([0, opts.work.count()], dtype=np.int64)
    info: dict[str, Any] = {}
    seq, value, bound, proven = _ssdp.exact_solve(
        p, d, w, jit.deadline(opts), log=opts.log, work=wk, info=info
    )
    opts.work.spend(int(wk[0]))
    return SolverOutput(
        solution={"sequence": [int(j) for j in seq]},
        status=Status.OPTIMAL if proven else Status.FEASIBLE,
        bound=float(value) if proven else float(bound),
        objective=float(value),
        info={"labels": int(wk[0]), **info},
    )
