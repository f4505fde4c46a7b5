"""``exact``: successive sublimation dynamic programming for 1||Σ w_j T_j.

Tanaka, Fujikuma & Araki's scheme (J. Scheduling 2009): a Lagrangian relaxation of the
"every job exactly once" constraints solved by dynamic programming over time, tightened by
adjacent-pair dominance and then by successively memorising which of a growing set of jobs
has been processed, until the bound meets the incumbent (from iterated dynasearch). It returns
a valid lower bound whenever it stops early; see :mod:`schedlab.solvers.smtt._ssdp`.
Unweighted instances (every w_j = 1) go to Lawler's decomposition with memorisation instead
(:mod:`schedlab.solvers.smtt._bam`), falling back to SSDP when it runs out of time.
"""

from __future__ import annotations

from ...core import SolveOptions, SolverOutput, Status, register
from ...models.smtt import Instance
from ._ssdp import exact_solve


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    # Measured (benchmarks/smtt_scale_probe.py): n = 40 in well under a second, most n = 100
    # weighted instances in seconds.  Unweighted n = 500 (data_500_200): a 10-instance sample
    # was all proven, median ~0.1 s but up to ~25 s, so it is not offered for large n here.
    if inst.n <= 40 or (time_limit is not None and time_limit >= 5 and inst.n <= 150):
        return 60.0
    return None


@register(
    "smtt",
    "exact",
    exact=True,
    help="Successive sublimation DP (Tanaka et al. 2009): proves optima, or a lower bound.",
    auto=_auto,
)
def solve_exact(inst: Instance, opts: SolveOptions) -> SolverOutput:
    """SSDP; OPTIMAL when the bound closes, else FEASIBLE with a valid lower bound."""
    p, d, w = inst.arrays
    seq, value, bound, proven = exact_solve(p, d, w, opts.deadline.limit_for(), log=opts.log)
    if seq is None:
        return SolverOutput(solution=None, status=Status.UNKNOWN, bound=float(bound))
    return SolverOutput(
        solution={"sequence": [int(j) for j in seq]},
        status=Status.OPTIMAL if proven else Status.FEASIBLE,
        bound=float(value) if proven else float(bound),
        objective=float(value),
    )
