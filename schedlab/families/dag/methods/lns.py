"""``lns``: large neighbourhood search with CP-SAT windows, for large task graphs.

A first CP-SAT run on the whole graph (a share of the time) gives a schedule and a bound
(and may prove optimality); then, until the time limit, the neighbourhood search of
:mod:`._lns` re-optimises windows of the schedule with CP-SAT. Without a time limit, the
first run gets :data:`CP_WORK` units of CP-SAT's deterministic time and the search solves
``iterations`` sub-problems (default :data:`DEFAULT_ITERATIONS`).

Work limit: CP-SAT's deterministic time, over the first run and every sub-problem together
(the first run gets ``cp_share`` of the budget, each sub-problem at most ``sub_work`` units);
with one thread and a seed such a run repeats exactly.
"""

from __future__ import annotations

import random

from ....core.errors import SolveError
from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ._cp import Part, proven_bound, solve_part
from ._graph import Graph
from ._lists import left_shift
from ._lns import SUB_WORK, improve
from ._start import start_schedule

#: Sub-problems solved without a time or work limit (when ``iterations`` is ``None``).
DEFAULT_ITERATIONS = 100
#: Units of CP-SAT's deterministic time for the first run without a time or work limit.
CP_WORK = 1.0


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    # docs/auto.md: under a time limit from 17 tasks up (20 tasks, 1 s: 544 vs cpsat 545; 100
    # tasks, 2 s: 1402 vs 1418; 300 tasks: 3629 vs 3640); without one above 300 tasks
    if time_limit is None:
        return 40.0 if inst.n > 300 else None
    return 55.0 if inst.n > 16 else None


@register(
    "dag",
    "lns",
    exact=False,
    help="Large neighbourhood search for large graphs: CP-SAT on the whole graph for a share "
    "of the time, then CP-SAT windows (start-time windows, the critical chain, pairs of "
    f"processors) until the time or work limit (without either: {CP_WORK:g} deterministic-time "
    f"unit(s), then {DEFAULT_ITERATIONS} windows).",
    engine="ortools",
    auto=_auto,
    work="CP-SAT deterministic time (first run and windows together)",
)
def solve_lns(
    inst: Instance,
    opts: SolveOptions,
    *,
    cp_share: float = 0.1,
    size: int = 30,
    sub_limit: float = 0.3,
    sub_work: float = SUB_WORK,
    iterations: int | None = None,
) -> SolverOutput:
    """``cp_share`` of the time for CP-SAT on the whole graph (a bound, maybe a proof), the
    rest for windows: ``size`` free tasks to start with (adapted), ``sub_limit`` seconds per
    window (with a time limit), ``sub_work`` units of CP-SAT deterministic time per window
    (with a work limit); ``iterations`` windows at most, if given. Starts from the best of
    HEFT, PEFT and CPOP (or the hint). Stops early once the makespan meets the bound."""
    if not 0 <= cp_share <= 1:
        raise SolveError(f"lns: cp_share must lie in [0, 1], got {cp_share}")
    if not sub_limit > 0 or not sub_work > 0 or not isinstance(size, int) or size < 2:
        raise SolveError("lns: sub_limit and sub_work must be positive and size an integer >= 2")
    if iterations is not None and (not isinstance(iterations, int) or iterations < 0):
        raise SolveError(f"lns: iterations must be an integer >= 0, got {iterations!r}")
    unlimited = opts.time_limit is None and opts.work_limit is None
    if unlimited and iterations is None:
        iterations = DEFAULT_ITERATIONS
    g = Graph.of(inst)
    rng = random.Random(opts.seed)
    origin, sched = start_schedule(g, opts)
    sched = left_shift(g, sched)
    cmax0 = sched.makespan(g)
    lb = inst.trivial_bound
    bound = float(lb)
    trajectory = [(round(opts.deadline.elapsed(), 3), cmax0)]
    cp_cmax = None
    if cp_share > 0 and lb < cmax0 and not opts.deadline.expired():
        out = solve_part(
            g,
            Part(ub=cmax0, lb=lb, hint=sched),
            opts,
            time_limit=opts.deadline.limit_for(cp_share),
            work=CP_WORK if unlimited else opts.work.left(cp_share),
            cap_build=True,
        )
        if out.status.has_solution:
            bound = float(proven_bound(out.bound, lb))
        if out.schedule is not None and out.schedule.makespan(g) <= cmax0:
            sched = left_shift(g, out.schedule)
            cp_cmax = sched.makespan(g)
            trajectory.append((round(opts.deadline.elapsed(), 3), cp_cmax))
    opts.emit(f"lns: {origin} {cmax0}, cp-sat {cp_cmax}, bound {bound:g}")
    sched, stats = improve(
        g,
        sched,
        opts,
        lb=int(bound),
        rng=rng,
        size=size,
        sub_limit=sub_limit,
        sub_work=sub_work,
        iterations=iterations,
        trajectory=trajectory,
    )
    cmax = sched.makespan(g)
    bound = min(bound, float(cmax))
    status = Status.OPTIMAL if bound >= cmax else Status.FEASIBLE
    return SolverOutput(
        solution=sched.to_solution(g),
        status=status,
        bound=bound,
        objective=float(cmax),
        info={
            "start": origin,
            "start_makespan": cmax0,
            "cpsat_makespan": cp_cmax,
            **stats,
            "trajectory": trajectory,
        },
    )
