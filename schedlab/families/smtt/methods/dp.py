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
)
def solve_dp(inst: Instance, opts: SolveOptions) -> SolverOutput:
    """Bitmask DP f(S) = min_j f(S - j) + w_j T_j(P(S)); proves optimality."""
    if inst.n > MAX_JOBS:
        raise SolveError(
            f"dp handles at most {MAX_JOBS} jobs (2^n states); this instance has {inst.n}"
        )
    est = (2**inst.n) * inst.n / _STATES_PER_SECOND
    if opts.time_limit is not None and est > opts.time_limit:
        opts.emit(f"dp: estimated {est:.1f} s exceeds the time limit; not started")
        return SolverOutput(solution=None, status=Status.UNKNOWN, info={"estimated_s": est})
    p, d, w = inst.arrays
    value, order = subset_dp(p, d, w)
    seq = [int(j) for j in order]
    opts.emit(f"dp: optimum {int(value)} over {2**inst.n} states")
    return SolverOutput(
        solution={"sequence": seq},
        status=Status.OPTIMAL,
        bound=float(value),
        objective=float(value),
        info={"states": 2**inst.n, "log2_states": math.log2(2**inst.n)},
    )
