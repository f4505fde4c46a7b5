"""Greedy baselines, one pass each: TFLite's greedy by size and by breadth (best fit), and
first fit by start time. Both kinds: a mapping leaves what exceeds the capacity in slow
memory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ....core import SolveOptions, SolverOutput, register
from ..model import MemoryInstance
from ._common import FAMILY, finish, objective, usable_hint
from ._pins import apply_pins
from ._placement import compact, greedy, needs_kernels, warm_sliced

#: What the greedy methods say about their parameters and the hint.
_DOC = (
    " Constructive: without a time limit it runs until every buffer is placed; with one, a "
    "placement that cannot finish in time returns no solution; a work limit does not apply "
    "(no search). ``pinned``: offsets of some buffers (a mapping id -> offset, or a solution "
    "with ``offsets``; in a mapping, ``None`` keeps a buffer in slow memory), kept as given "
    "while the rest is placed around them. With a hint (``hint=``), the hint pushed down "
    "(first fit in increasing hinted offsets: no buffer rises) is returned when its "
    "objective beats the rule's placement (``info['from_hint']``)."
)


def _greedy_method(name: str, rule: str, best_fit: bool, help: str) -> Callable[..., SolverOutput]:
    def run(inst: MemoryInstance, opts: SolveOptions, *, pinned: Any = None) -> SolverOutput:
        info: dict[str, Any] = {"order": rule, "fit": "best" if best_fit else "first"}
        pins = apply_pins(inst, pinned, name)
        work = inst if pins is None else pins.inst
        slow = None if pins is None else pins.slow
        if pins is not None:
            info["pinned"] = pins.count
        off = greedy(work, rule, best_fit, deadline=opts.deadline.end, exclude=slow)
        if off is None:
            info["stopped"] = "time limit before the placement finished"
        if opts.hint:
            hint = usable_hint(work, opts, info)
            if hint is not None:
                c = compact(work, hint, slow)
                if off is None or objective(inst, c) < objective(inst, off):
                    off = c
                    info["from_hint"] = True
        return finish(inst, off, info)

    run.__name__ = f"solve_{name.replace('-', '_')}"
    run.__doc__ = f"{help}{_DOC}"
    return register(
        FAMILY,
        name,
        exact=False,
        help=help,
        engine="numba",
        warmup=warm_sliced,
        needs_kernels=needs_kernels,
    )(run)


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
