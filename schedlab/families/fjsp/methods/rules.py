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


def _rule_method(name: str, label: str) -> None:
    help_text = f"Dispatching: {label}, on the machine finishing it earliest (constructive)."

    def run(inst: Instance, opts: SolveOptions) -> SolverOutput:
        flat = Flat.of(inst)
        sched = dispatch(flat, name)
        cmax = sched.makespan(flat)
        return SolverOutput(
            solution=sched.to_solution(flat), status=Status.FEASIBLE, objective=float(cmax)
        )

    run.__name__ = f"solve_{name}"
    run.__doc__ = help_text
    register("fjsp", name, exact=False, help=help_text)(run)


for _name, (_label, _) in RULES.items():
    _rule_method(_name, _label)


@register(
    "fjsp",
    "random",
    exact=False,
    help="Randomised dispatching (seeded), repeated `iterations` times (default 100) or "
    "until the time limit; keeps the best.",
)
def solve_random(inst: Instance, opts: SolveOptions, *, iterations: int = 100) -> SolverOutput:
    """Repeat a dispatching pass that picks a uniformly random operation of the conflict set
    each step, ``iterations`` times (stopping earlier at the time limit, if any; at least one
    pass); keep the best schedule."""
    if iterations < 1:
        raise SolveError(f"random: iterations must be at least 1, got {iterations}")
    flat = Flat.of(inst)
    rng = random.Random(opts.seed)
    best = None
    done = 0
    for _ in range(iterations):
        if done and opts.deadline.expired():
            break
        sched = dispatch(flat, None, rng)
        done += 1
        cmax = sched.makespan(flat)
        if best is None or cmax < best[0]:
            best = (cmax, sched)
    assert best is not None
    opts.emit(f"random: best makespan {best[0]} over {done} passes")
    return SolverOutput(
        solution=best[1].to_solution(flat),
        status=Status.FEASIBLE,
        objective=float(best[0]),
        info={"passes": done},
    )
