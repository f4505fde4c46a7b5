"""``cpsat``: CP-SAT on the whole flexible job shop, warm-started from the best dispatching
rule (see :mod:`._cp` for the model)."""

from __future__ import annotations

from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ._cp import LARGE, Part, proven_bound, solve_part
from ._data import Flat, Schedule
from ._start import start_schedule


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    # docs/auto.md: up to 60 operations under any limit (it proves mk01, 55 operations, in
    # 0.3 s), and without a limit up to LARGE (until proved); else tabu, rho or mwkr win
    n = inst.n_operations
    if n <= 60 or (time_limit is None and n <= LARGE):
        return 50.0
    return 10.0


@register(
    "fjsp",
    "cpsat",
    exact=True,
    help="CP-SAT: optional intervals per eligible machine, redundant cumulative, hinted "
    "(exact; no time or work limit: until proved).",
    engine="ortools",
    auto=_auto,
    work="CP-SAT deterministic time",
)
def solve_cpsat(
    inst: Instance,
    opts: SolveOptions,
    *,
    redundant: bool = True,
    symmetry: bool = True,
) -> SolverOutput:
    """Solve the whole instance with CP-SAT, hinted by the best rule (or the hint) whose
    makespan also caps the horizon; reports CP-SAT's bound and proves optimality where it
    can (without a time or work limit it runs until it has). A work limit is in CP-SAT's
    deterministic time: with one thread and a seed the run then repeats exactly, and it is
    optimal only where CP-SAT proved it within the budget. ``redundant`` adds the cumulative
    and energy constraints, ``symmetry`` orders identical jobs."""
    flat = Flat.of(inst)
    origin, sched = start_schedule(flat, opts)
    cmax0 = sched.makespan(flat)
    lb = inst.trivial_bound
    part = Part(
        ops=list(range(flat.n)),
        ub=cmax0,
        lb=lb,
        hint={o: (int(sched.machine[o]), int(sched.start[o])) for o in range(flat.n)},
        redundant=redundant,
        symmetry=symmetry,
    )
    out = solve_part(flat, part, opts, log=True)
    info = {"start": origin, "start_makespan": cmax0, "cp_wall_s": round(out.wall, 3)}
    bound = None
    if out.bounded:
        bound = float(proven_bound(out.bound, lb))
    elif out.infeasible:  # nothing at or below the start's makespan
        bound = float(cmax0)
    if out.has_solution and out.makespan is not None and out.makespan <= cmax0:
        sched = Schedule.from_dict(flat, out.machine, out.start)
    cmax = sched.makespan(flat)
    if bound is not None:
        bound = min(bound, float(cmax))
    status = Status.OPTIMAL if bound is not None and bound >= cmax else Status.FEASIBLE
    opts.emit(f"cpsat: {origin} {cmax0} -> {cmax}, bound {bound}")
    return SolverOutput(
        solution=sched.to_solution(flat),
        status=status,
        bound=bound,
        objective=float(cmax),
        info=info,
    )
