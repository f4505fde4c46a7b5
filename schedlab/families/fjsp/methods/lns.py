"""``lns``: large neighbourhood search on top of CP-SAT.

A first CP-SAT run on the whole instance (a share of the time) gives a schedule and a bound
(and may prove optimality). Then, until the time limit, the neighbourhood search of
:mod:`._lns` re-optimises parts of the schedule with CP-SAT sub-problems.

Without a time limit, the first run gets :data:`CP_WORK` units of CP-SAT's deterministic
time and the search solves ``iterations`` sub-problems (default :data:`DEFAULT_ITERATIONS`).

Work limit: CP-SAT's deterministic time, over the first run and every sub-problem together
(each is charged; a sub-problem counts at least :data:`._lns.SUB_MIN_WORK`). The first run
gets ``cp_share`` of the budget, each sub-problem at most ``sub_work`` units, and the search
stops when the budget is used; without a time limit, the budget replaces the default one
(``iterations`` then caps the sub-problems only if given). With one thread and a seed, such
a run repeats exactly: no wall-clock limit or stall watch steers it.
"""

from __future__ import annotations

import random

from ....core.errors import SolveError
from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ._cp import Part, proven_bound, solve_part
from ._data import Flat, Schedule
from ._lns import SUB_WORK, improve
from ._start import start_schedule

#: Sub-problems solved without a time limit (when ``iterations`` is ``None``).
DEFAULT_ITERATIONS = 100
#: Units of CP-SAT's deterministic time for the first run without a time limit.
CP_WORK = 1.0


@register(
    "fjsp",
    "lns",
    exact=False,
    help="CP-SAT, then large neighbourhood search with CP-SAT sub-problems (until the time "
    f"or work limit; without either, CP-SAT for {CP_WORK:g} deterministic-time unit(s), then "
    f"{DEFAULT_ITERATIONS} sub-problems).",
    engine="ortools",
    work="CP-SAT deterministic time (first run and sub-problems together)",
)
def solve_lns(
    inst: Instance,
    opts: SolveOptions,
    *,
    cp_share: float = 0.15,
    sub_limit: float = 0.5,
    sub_work: float = SUB_WORK,
    size: int = 40,
    compact: float = 0.5,
    stall: float | None = None,
    iterations: int | None = None,
) -> SolverOutput:
    """``cp_share`` of the time for CP-SAT on the whole instance (bound, maybe a proof),
    the rest for the neighbourhood search: ``size`` free operations to start with,
    ``sub_limit`` seconds per sub-problem (with a time limit), ``sub_work`` units of CP-SAT
    deterministic time per sub-problem (with a work limit), ``compact`` the share of sub-problems whose objective also
    minimises the sum of end times (a tie-breaker that compacts schedules), ``stall``
    seconds without a better solution stop a sub-problem (not with a work limit alone).

    Its budget: with a time limit, until the limit (``iterations`` sub-problems at most, if
    given); with a work limit (CP-SAT deterministic time), ``cp_share`` of it for the first
    run and the rest for the sub-problems, until it is used (and the time limit, if any;
    ``iterations`` sub-problems at most, if given); without either, :data:`CP_WORK` units of
    CP-SAT's deterministic time for the first run (none if ``cp_share`` is 0), then
    ``iterations`` sub-problems (default :data:`DEFAULT_ITERATIONS`). The search also stops
    once the makespan meets the bound.
    """
    if not 0 <= cp_share <= 1:
        raise SolveError(f"lns: cp_share must lie in [0, 1], got {cp_share}")
    if not sub_limit > 0 or not sub_work > 0 or size < 2:
        raise SolveError("lns: sub_limit and sub_work must be positive and size at least 2")
    if iterations is not None and iterations < 0:
        raise SolveError(f"lns: iterations must be >= 0, got {iterations}")
    unlimited = opts.time_limit is None and opts.work_limit is None
    if unlimited and iterations is None:
        iterations = DEFAULT_ITERATIONS
    flat = Flat.of(inst)
    rng = random.Random(opts.seed)
    origin, sched = start_schedule(flat, opts)
    cmax0 = sched.makespan(flat)
    lb = inst.trivial_bound
    bound = float(lb)
    trajectory = [(round(opts.deadline.elapsed(), 3), cmax0)]
    tl = opts.deadline.limit_for(cp_share)
    cp_work = CP_WORK if unlimited else opts.work.left(cp_share)
    if cp_share > 0:
        out = solve_part(
            flat,
            Part(
                ops=list(range(flat.n)),
                ub=cmax0,
                lb=lb,
                hint={o: (int(sched.machine[o]), int(sched.start[o])) for o in range(flat.n)},
            ),
            opts,
            time_limit=tl,
            work=cp_work,
        )
        if out.bounded:
            bound = float(proven_bound(out.bound, lb))
        if out.has_solution and out.makespan is not None and out.makespan <= cmax0:
            sched = Schedule.from_dict(flat, out.machine, out.start)
            trajectory.append((round(opts.deadline.elapsed(), 3), sched.makespan(flat)))
    cmax1 = sched.makespan(flat)
    opts.emit(f"lns: {origin} {cmax0}, cp-sat {cmax1}, bound {bound:g}")
    sched, stats = improve(
        flat,
        sched,
        opts,
        lb=int(bound),
        rng=rng,
        sub_limit=sub_limit,
        sub_work=sub_work,
        size=size,
        compact=compact,
        stall=stall,
        iterations=iterations,
        trajectory=trajectory,
    )
    cmax = sched.makespan(flat)
    bound = min(bound, float(cmax))
    status = Status.OPTIMAL if bound >= cmax else Status.FEASIBLE
    return SolverOutput(
        solution=sched.to_solution(flat),
        status=status,
        bound=bound,
        objective=float(cmax),
        info={
            "start": origin,
            "start_makespan": cmax0,
            "cpsat_makespan": cmax1,
            **stats,
            "trajectory": trajectory,
        },
    )
