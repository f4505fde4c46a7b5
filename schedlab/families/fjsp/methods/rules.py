"""Dispatching rules for fjsp: SPT, MOR, MWKR, LWKR, FIFO and a seeded random variant."""

from __future__ import annotations

import random

from ....core.errors import SolveError
from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ._data import Flat
from ._rules import RULES, dispatch


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    # docs/auto.md: above 3000 operations under a limit below 10 s, the best rule on average
    # (mwkr) beats every search: 5000 operations, 5 s: mwkr 4444, rho 4833, tabu 5640
    if time_limit is None or inst.n_operations <= 3000 or time_limit >= 10:
        return None
    return 60.0


def _rule_method(name: str, label: str) -> None:
    help_text = f"Dispatching: {label}, on the machine finishing it earliest (constructive)."
    # under a time limit, the operations left at the deadline are appended cheaply
    # (see _rules.dispatch), so the rule returns a complete schedule in time

    def run(inst: Instance, opts: SolveOptions) -> SolverOutput:
        flat = Flat.of(inst)
        sched = dispatch(flat, name, deadline=opts.deadline.end)
        cmax = sched.makespan(flat)
        return SolverOutput(
            solution=sched.to_solution(flat), status=Status.FEASIBLE, objective=float(cmax)
        )

    run.__name__ = f"solve_{name}"
    run.__doc__ = help_text
    register("fjsp", name, exact=False, help=help_text, auto=_auto if name == "mwkr" else None)(run)


for _name, (_label, _) in RULES.items():
    _rule_method(_name, _label)


#: Passes of ``random`` without a work limit (when ``iterations`` is ``None``).
DEFAULT_PASSES = 100


@register(
    "fjsp",
    "random",
    exact=False,
    help=f"Randomised dispatching (seeded), repeated `iterations` times (default "
    f"{DEFAULT_PASSES}; with a work limit, that many passes) or until the time limit; keeps "
    "the best.",
    work="dispatching passes",
)
def solve_random(
    inst: Instance, opts: SolveOptions, *, iterations: int | None = None
) -> SolverOutput:
    """Repeat a dispatching pass that picks a uniformly random operation of the conflict set
    each step, ``iterations`` times (:data:`DEFAULT_PASSES` if ``None``), keeping the best
    schedule. A work limit counts passes: it replaces the default (capped by ``iterations``
    if given). The time limit, if any, stops it earlier; at least one pass runs."""
    if iterations is not None and (
        isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1
    ):
        raise SolveError(f"random: iterations must be an integer >= 1, got {iterations!r}")
    passes = DEFAULT_PASSES if iterations is None else iterations
    budget = opts.work.count(default=-1)
    if budget >= 0:
        passes = max(1, budget if iterations is None else min(iterations, budget))
    flat = Flat.of(inst)
    rng = random.Random(opts.seed)
    best = None
    done = 0
    for _ in range(passes):
        if done and opts.deadline.expired():
            break
        sched = dispatch(flat, None, rng, deadline=opts.deadline.end)
        done += 1
        cmax = sched.makespan(flat)
        if best is None or cmax < best[0]:
            best = (cmax, sched)
    assert best is not None
    opts.work.spend(done)
    opts.emit(f"random: best makespan {best[0]} over {done} passes")
    return SolverOutput(
        solution=best[1].to_solution(flat),
        status=Status.FEASIBLE,
        objective=float(best[0]),
        info={"passes": done},
    )
