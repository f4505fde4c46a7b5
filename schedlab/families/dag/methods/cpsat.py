"""``cpsat``: CP-SAT on the whole task graph, warm-started from the best list heuristic (see
:mod:`._cp` for the models)."""

from __future__ import annotations

from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ._cp import Part, proven_bound, solve_part
from ._graph import Graph
from ._start import start_schedule

#: Without a time limit, ``auto`` prefers ``lns`` to ``cpsat`` above this many tasks (with one,
#: above 16: docs/auto.md).
LARGE = 300


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    # docs/auto.md: up to 16 tasks under any limit (proved at once), and up to LARGE without
    # a limit (until proved); under a limit lns is stronger from 20 tasks up (1-5 s)
    if inst.n <= 16 or (time_limit is None and inst.n <= LARGE):
        return 50.0
    return 10.0


@register(
    "dag",
    "cpsat",
    exact=True,
    help="CP-SAT: optional intervals per eligible processor, communication through the chosen "
    "processors (aggregated cumulative model without communication), hinted by the best list "
    "heuristic (exact; no time or work limit: until proved).",
    engine="ortools",
    auto=_auto,
    work="CP-SAT deterministic time",
)
def solve_cpsat(
    inst: Instance, opts: SolveOptions, *, symmetry: bool = True, aggregate: bool = True
) -> SolverOutput:
    """Solve the whole instance with CP-SAT, hinted by the best of HEFT, PEFT and CPOP (or
    the hint), whose makespan also caps the horizon; reports CP-SAT's bound and proves
    optimality where it can (without a time or work limit it runs until it has).
    ``symmetry`` orders exchangeable processors; ``aggregate`` uses the cumulative model
    over classes of identical processors when no edge has a communication delay."""
    g = Graph.of(inst)
    origin, sched = start_schedule(g, opts)
    cmax0 = sched.makespan(g)
    lb = inst.trivial_bound
    info: dict[str, object] = {"start": origin, "start_makespan": cmax0}
    bound: float | None = float(lb)
    if lb < cmax0 and not opts.deadline.expired():
        part = Part(ub=cmax0, lb=lb, hint=sched, symmetry=bool(symmetry), aggregate=bool(aggregate))
        out = solve_part(g, part, opts, log=True)
        info["cp_wall_s"] = round(out.wall, 3)
        if out.status.has_solution:
            bound = float(proven_bound(out.bound, lb))
        elif out.status is Status.INFEASIBLE:  # cannot happen: the start is feasible
            bound = float(cmax0)
        if out.schedule is not None and out.schedule.makespan(g) <= cmax0:
            sched = out.schedule
    cmax = sched.makespan(g)
    if bound is not None:
        bound = min(bound, float(cmax))
    status = Status.OPTIMAL if bound is not None and bound >= cmax else Status.FEASIBLE
    opts.emit(f"cpsat: {origin} {cmax0} -> {cmax}, bound {bound}")
    return SolverOutput(
        solution=sched.to_solution(g),
        status=status,
        bound=bound,
        objective=float(cmax),
        info=info,
    )
