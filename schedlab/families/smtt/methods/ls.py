"""Local search (swap and insertion) from the best dispatching rule."""

from __future__ import annotations

import math

import numpy as np

from ....core import SolveOptions, SolverOutput, Status, register
from ....engines.jit import clock
from ..model import Instance
from ._kernels import ls_pass, total_tardiness
from ._rules import best_rule

#: The share of the time left that the starting rules may take under a time limit.
START_SHARE = 0.3


def start_sequence(inst: Instance, opts: SolveOptions) -> tuple[np.ndarray, str]:
    """The hint if given (already checked by the core), else the best dispatching rule."""
    p, d, w = inst.arrays
    # the rules get a share of the time left, the search the rest
    rem = opts.deadline.remaining()
    rule, seq, _ = best_rule(p, d, w, clock() + START_SHARE * rem if rem < math.inf else math.inf)
    if opts.hint is not None:
        hinted = np.asarray(opts.hint["sequence"], dtype=np.int64)
        if total_tardiness(p, d, w, hinted) <= total_tardiness(p, d, w, np.asarray(seq)):
            return hinted, "hint"
    return np.asarray(seq, dtype=np.int64), rule


def _auto(inst: Instance, time_limit: float | None) -> float:
    return 10.0  # always fits: the fallback when no exact method can finish


@register(
    "smtt",
    "ls",
    exact=False,
    help="Swap/insertion local search from the best rule, to a local optimum.",
    auto=_auto,
    work="passes (first-improvement scans, each ending at its first improving move)",
)
def solve_ls(inst: Instance, opts: SolveOptions) -> SolverOutput:
    """First-improvement local search over swap and insertion moves, the scan starting at a
    seeded random position each pass; stops at a local optimum (its own end, without a time
    or work limit), at the time limit, or when the work limit's passes are done (a pass is
    one scan, ending at its first improving move; the last scan, which finds none, counts as
    one too). A seeded run with a work limit repeats exactly on any load."""
    p, d, w = inst.arrays
    seq, origin = start_sequence(inst, opts)
    rng = np.random.default_rng(opts.seed)
    start_val = int(total_tardiness(p, d, w, seq))
    passes = 0
    local_opt = False
    while not opts.deadline.expired() and not opts.work.exhausted:
        passes += 1
        improved = ls_pass(p, d, w, seq, int(rng.integers(inst.n)), opts.deadline.end)
        opts.work.spend(1)
        if improved < 0:  # cut by the deadline
            break
        if improved == 0:
            local_opt = True
            break
    val = int(total_tardiness(p, d, w, seq))
    opts.emit(f"ls: {origin} {start_val} -> {val} after {passes} improving passes")
    return SolverOutput(
        solution={"sequence": seq.tolist()},
        status=Status.FEASIBLE,
        objective=float(val),
        info={
            "start": origin,
            "start_objective": start_val,
            "moves": passes,
            "local_optimum": local_opt,
        },
    )
