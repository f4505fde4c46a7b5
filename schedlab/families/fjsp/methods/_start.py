"""Starting schedules for the search methods: the best rule, or the hint if better."""

from __future__ import annotations

from ....core.options import SolveOptions
from ._data import Flat, Schedule
from ._rules import best_rule


def start_schedule(flat: Flat, opts: SolveOptions) -> tuple[str, Schedule]:
    """``(origin, schedule)``: the hint (already checked by the core) if it is at least as
    good as the best dispatching rule, else that rule's schedule."""
    rule, sched = best_rule(flat)
    if opts.hint is not None:
        hinted = Schedule.from_solution(flat, opts.hint)
        if hinted.makespan(flat) <= sched.makespan(flat):
            return "hint", hinted
    return rule, sched
