"""Starting schedules for the search methods: the best list heuristic, or the hint if it is
at least as good."""

from __future__ import annotations

import time

from ....core.options import SolveOptions
from ._graph import Graph, Schedule
from ._lists import best_heuristic
from ._watch import Watch

#: The share of the time left for the start's heuristics (with a time limit).
HEURISTIC_SHARE = 0.5


def start_schedule(g: Graph, opts: SolveOptions) -> tuple[str, Schedule]:
    """``(origin, schedule)``: the hint (already checked by the core) if it is at least as
    good as the best of HEFT, PEFT and CPOP, else that heuristic's schedule. With a time
    limit, the three get half the time left (on large graphs PEFT's table takes seconds):
    HEFT always runs, PEFT and CPOP only while that half lasts."""
    cap = None
    if opts.time_limit is not None:  # without one, never read the clock
        cap = time.perf_counter() + HEURISTIC_SHARE * opts.deadline.remaining()
    name, sched = best_heuristic(g, Watch(opts.deadline, cap))
    if opts.hint is not None:
        hinted = Schedule.from_solution(g, opts.hint)
        if hinted.makespan(g) <= sched.makespan(g):
            return "hint", hinted
    return name, sched
