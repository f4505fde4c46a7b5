"""``cpop``: Critical Path On a Processor (Topcuoglu, Hariri & Wu 2002)."""

from __future__ import annotations

from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ._graph import Graph
from ._lists import cpop


@register(
    "dag",
    "cpop",
    exact=False,
    help="CPOP: priority upward + downward rank; the critical path on the processor running "
    "it fastest, the other tasks at their earliest finish (constructive).",
)
def solve_cpop(inst: Instance, opts: SolveOptions) -> SolverOutput:
    """CPOP's schedule (see :mod:`._lists`)."""
    g = Graph.of(inst)
    sched = cpop(g)
    return SolverOutput(
        solution=sched.to_solution(g), status=Status.FEASIBLE, objective=float(sched.makespan(g))
    )
