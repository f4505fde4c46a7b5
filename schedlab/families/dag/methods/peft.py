"""``peft``: Predict Earliest Finish Time (Arabnejad & Barbosa 2014), the optimistic cost table."""

from __future__ import annotations

from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ._graph import Graph
from ._lists import peft


@register(
    "dag",
    "peft",
    exact=False,
    help="PEFT: priority the mean optimistic cost, each task on the processor minimising its "
    "finish time plus its optimistic cost there (constructive).",
)
def solve_peft(inst: Instance, opts: SolveOptions) -> SolverOutput:
    """PEFT's schedule (see :mod:`._lists`)."""
    g = Graph.of(inst)
    sched = peft(g)
    return SolverOutput(
        solution=sched.to_solution(g), status=Status.FEASIBLE, objective=float(sched.makespan(g))
    )
