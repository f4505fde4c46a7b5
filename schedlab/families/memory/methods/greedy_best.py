"""``greedy-best``: a portfolio of greedy placements of allocation (skyline, best and first
fit; several orders), keeping the lowest peak."""

from __future__ import annotations

from typing import Any

from ....core import SolveOptions, SolverOutput, register
from ..model import Allocation, MemoryInstance
from ._common import FAMILY, finish, require, usable_hint
from ._pins import apply_pins
from ._placement import best_greedy, compact, warm_sliced


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
    warmup=warm_sliced,
)
def solve_greedy_best(
    inst: MemoryInstance, opts: SolveOptions, *, pinned: Any = None
) -> SolverOutput:
    """Try the greedy variants (:data:`._placement.VARIANTS`) while time remains and keep
    the lowest peak; stops at the lower bound. Without a time limit every variant runs
    (the budget: the 13 variants, each one constructive pass); a work limit does not apply
    (no search). ``pinned``: offsets of some buffers (a mapping id -> offset, or a solution
    with ``offsets``), kept as given while the rest is placed around them. With a hint
    (``hint=``), the hint pushed down (first fit in increasing hinted offsets: no buffer
    rises) is the placement to beat (``info["variant"]`` is ``"hint"`` if none does)."""
    alloc = require(inst, Allocation, "greedy-best", "benefit")
    info: dict[str, Any] = {}
    pins = apply_pins(alloc, pinned, "greedy-best")
    work = alloc if pins is None else pins.inst
    if pins is not None:
        info["pinned"] = pins.count
    hint = usable_hint(work, opts, info)
    start = None if hint is None else compact(work, hint)
    off, which = best_greedy(work, opts.deadline.end, start)
    info["variant"] = which
    if off is None:
        info["stopped"] = "time limit before the first placement finished"
    return finish(alloc, off, info)
