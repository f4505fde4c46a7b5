"""Starting schedules for the search methods: the best list heuristic, or the hint if it is
at least as good."""

from __future__ import annotations

from ....core.options import SolveOptions
from ._graph import Graph, Schedule
from ._lists import best_heuristic


def start_schedule(g: Graph, opts: SolveOptions) -> tuple[str, Schedule]:
    """``(origin, schedule)``: the hint (already checked by the core) if it is at least as
    good as the best of HEFT, PEFT and CPOP, else that heuristic's schedule."""
    name, sched = best_heuristic(g)
    if opts.hint is not None:
        hinted = Schedule.from_solution(g, opts.hint)
        if hinted.makespan(g) <= sched.makespan(g):
            return "hint", hinted
    return name, sched
