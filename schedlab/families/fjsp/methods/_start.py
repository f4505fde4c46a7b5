"""Starting schedules for the search methods: the best rule, or the hint if better."""

from __future__ import annotations

from ....core.options import SolveOptions
from ....core.timing import clock
from ._data import Flat, Schedule
from ._rules import NO_DEADLINE, best_rule

#: The share of the time left that the starting rules may take under a time limit.
START_SHARE = 0.25


def start_schedule(
    flat: Flat, opts: SolveOptions, share: float = START_SHARE
) -> tuple[str, Schedule]:
    """``(origin, schedule)``: the hint (already checked by the core) if it is at least as
    good as the best dispatching rule, else that rule's schedule. Under a time limit the
    rules take at most ``share`` of the time left (see :func:`._rules.best_rule`)."""
    rem = opts.deadline.remaining()
    rule, sched = best_rule(flat, clock() + share * rem if rem < NO_DEADLINE else NO_DEADLINE)
    if opts.hint is not None:
        hinted = Schedule.from_solution(flat, opts.hint)
        if hinted.makespan(flat) <= sched.makespan(flat):
            return "hint", hinted
    return rule, sched
