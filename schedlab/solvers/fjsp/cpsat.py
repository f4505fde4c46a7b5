"""CP-SAT on the whole flexible job shop, warm-started from the best dispatching rule."""

from __future__ import annotations

import math

from ortools.sat.python import cp_model

from ...core import SolveOptions, SolverOutput, Status, register
from ...models.fjsp import Instance
from ._cp import Part, solve_part
from ._data import Flat, Schedule
from ._start import start_schedule

#: above this many operations, ``auto`` prefers the rolling horizon
LARGE = 1000


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    return 50.0 if inst.n_operations <= LARGE else 10.0


def lower_bound(inst: Instance) -> int:
    """The instance's simple bound, or its known lower bound if higher."""
    lb = inst.trivial_bound
    if inst.lower_bound is not None:
        lb = max(lb, int(math.ceil(inst.lower_bound - 1e-9)))
    return lb


def proven_bound(value: float, lb: int) -> int:
    """CP-SAT's objective bound rounded up (the makespan is integer), never below ``lb``."""
    return max(lb, int(math.ceil(value - 1e-6)))


@register(
    "fjsp",
    "cpsat",
    exact=True,
    help="CP-SAT: optional intervals per eligible machine, redundant cumulative, hinted.",
    engine="ortools",
    auto=_auto,
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
    can. ``redundant`` adds the cumulative and energy constraints, ``symmetry`` orders
    identical jobs."""
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
    out = solve_part(
        flat,
        part,
        time_limit=opts.deadline.limit_for(1.0),
        threads=opts.threads,
        seed=opts.seed,
        log=opts.emit if opts.log is not None else None,
    )
    info = {"start": origin, "start_makespan": cmax0, "cp_wall_s": round(out.wall, 3)}
    bound = None
    if out.status in (cp_model.FEASIBLE, cp_model.OPTIMAL):
        bound = float(proven_bound(out.bound, lb))
    elif out.status == cp_model.INFEASIBLE:  # nothing at or below the start's makespan
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
