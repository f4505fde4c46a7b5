"""Greedy baselines, one pass each: TFLite's greedy by size and by breadth (best fit), and
first fit by start time. Both kinds: a mapping leaves what exceeds the capacity in slow
memory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ....core import SolveOptions, SolverOutput, register
from ....engines import jit
from ..model import MemoryInstance
from ._common import FAMILY, finish
from ._placement import greedy


def _greedy_method(name: str, rule: str, best_fit: bool, help: str) -> Callable[..., SolverOutput]:
    def run(inst: MemoryInstance, opts: SolveOptions) -> SolverOutput:
        off = greedy(inst, rule, best_fit, deadline=jit.deadline(opts))
        info: dict[str, Any] = {"order": rule, "fit": "best" if best_fit else "first"}
        if off is None:
            info["stopped"] = "time limit before the placement finished"
        return finish(inst, off, info)

    run.__name__ = f"solve_{name.replace('-', '_')}"
    run.__doc__ = (
        f"{help} Constructive: without a time limit it runs until every buffer is placed; "
        "with one, a placement that cannot finish in time returns no solution."
    )
    return register(FAMILY, name, exact=False, help=help, engine="numba")(run)


solve_greedy_size = _greedy_method(
    "greedy-size",
    "size",
    True,
    "TFLite greedy by size: largest first, into the best-fitting gap among overlapping buffers.",
)
solve_greedy_breadth = _greedy_method(
    "greedy-breadth",
    "breadth",
    True,
    "TFLite greedy by breadth: buffers of the busiest moments first, by size, best fit.",
)
solve_first_fit = _greedy_method(
    "first-fit", "start", False, "First fit by start time: earliest first, into the lowest gap."
)
