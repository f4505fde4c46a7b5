"""Exact dynamic programming over subsets of jobs: the reference for small n."""

from __future__ import annotations

import math

from ....core import SolveError, SolveOptions, SolverOutput, Status, register
from ..model import Instance
from ._kernels import subset_dp

MAX_JOBS = 25
_STATES_PER_SECOND = 2.0e7  # measured order of magnitude (states x jobs per second)


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    if inst.n > 20:
        return None
    est = (2**inst.n) * inst.n / _STATES_PER_SECOND
    return 50.0 if time_limit is None or est < 0.5 * time_limit else None


@register(
    "smtt",
    "dp",
    exact=True,
    help="Dynamic programming over job subsets (exact, n <= 25).",
    auto=_auto,
    work="DP states (job subsets evaluated)",
)
def solve_dp(inst: Instance, opts: SolveOptions) -> SolverOutput:
    """Bitmask DP f(S) = min_j f(S - j) + w_j T_j(P(S)) over the 2^n - 1 non-empty subsets;
    proves optimality.

    Budget: its work is 2^n - 1 states (subsets), known before it starts; a partial table
    gives neither a sequence nor a bound, so when the work limit (or the time limit, by an
    estimate) cannot cover them all it does not start and returns no solution (status
    unknown, no work spent)."""
    if inst.n > MAX_JOBS:
        raise SolveError(
            f"dp handles at most {MAX_JOBS} jobs (2^n states); this instance has {inst.n}"
        )
    states = 2**inst.n - 1
    est = (2**inst.n) * inst.n / _STATES_PER_SECOND
    if opts.time_limit is not None and est > opts.time_limit:
        opts.emit(f"dp: estimated {est:.1f} s exceeds the time limit; not started")
        return SolverOutput(solution=None, status=Status.UNKNOWN, info={"estimated_s": est})
    left = opts.work.left()
    if left is not None and states > left:
        opts.emit(f"dp: {states} states exceed the work left ({left:g}); not started")
        return SolverOutput(solution=None, status=Status.UNKNOWN, info={"states_needed": states})
    p, d, w = inst.arrays
    value, order, done = subset_dp(p, d, w, opts.work.count())
    opts.work.spend(done)
    if done < states:  # cannot happen: the budget was checked above
        return SolverOutput(solution=None, status=Status.UNKNOWN, info={"states": int(done)})
    seq = [int(j) for j in order]
    opts.emit(f"dp: optimum {int(value)} over {states} states")
    return SolverOutput(
        solution={"sequence": seq},
        status=Status.OPTIMAL,
        bound=float(value),
        objective=float(value),
        info={"states": states, "log2_states": math.log2(2**inst.n)},
    )
