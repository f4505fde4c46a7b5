"""``heft``: Heterogeneous Earliest Finish Time (Topcuoglu, Hariri & Wu 2002), insertion-based."""

from __future__ import annotations

from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ._graph import Graph
from ._lists import heft


@register(
    "dag",
    "heft",
    exact=False,
    help="HEFT: upward rank (mean times and delays), each task on the processor finishing it "
    "earliest, in a gap when it fits (constructive).",
)
def solve_heft(inst: Instance, opts: SolveOptions, *, insertion: bool = True) -> SolverOutput:
    """HEFT's schedule: tasks by decreasing upward rank (among the ready ones), each on the
    processor of earliest finish; ``insertion`` lets a task fill a gap between placed tasks
    (the published HEFT; ``False``: only after the last one)."""
    g = Graph.of(inst)
    sched = heft(g, insertion=bool(insertion))
    return SolverOutput(
        solution=sched.to_solution(g), status=Status.FEASIBLE, objective=float(sched.makespan(g))
    )
