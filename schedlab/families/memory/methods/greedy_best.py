"""``greedy-best``: a portfolio of greedy placements of allocation (skyline, best and first
fit; several orders), keeping the lowest peak."""

from __future__ import annotations

from typing import Any

from ....core import SolveOptions, SolverOutput, register
from ....engines import jit
from ..model import Allocation, MemoryInstance
from ._common import FAMILY, finish, require
from ._placement import best_greedy


def _auto(inst: MemoryInstance, time_limit: float | None) -> float | None:
    return 10.0 if isinstance(inst, Allocation) else None


@register(
    FAMILY,
    "greedy-best",
    exact=False,
    help="Portfolio of greedy placements (skyline, best and first fit; several orders), "
    "lowest peak (allocation).",
    engine="numba",
    auto=_auto,
)
def solve_greedy_best(inst: MemoryInstance, opts: SolveOptions) -> SolverOutput:
    """Try the greedy variants (:data:`._placement.VARIANTS`) while time remains and keep
    the lowest peak; stops at the lower bound. Without a time limit every variant runs
    (the budget: the 13 variants, each one constructive pass)."""
    require(inst, Allocation, "greedy-best", "benefit")
    off, which = best_greedy(inst, jit.deadline(opts))
    info: dict[str, Any] = {"variant": which}
    if off is None:
        info["stopped"] = "time limit before the first placement finished"
    return finish(inst, off, info)
