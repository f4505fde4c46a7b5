"""``exact``: a MiniMalloc-style search over canonical solutions (allocation; see
:mod:`._canonical` and :mod:`._search`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ....core import SolveError, SolveOptions, SolverOutput, Status, register
from ..model import Allocation, MemoryInstance
from ._common import FAMILY, finish, int_bound, peak, require, unpin, usable_hint
from ._pins import apply_pins
from ._placement import best_greedy, compact, warm_sliced

#: Largest instance the search takes on.
MAX_BUFFERS = 4000
#: The unit of ``work_limit`` for ``exact``.
WORK_UNIT = "search steps (nodes entered plus placements tried by the canonical search)"


def _auto(inst: MemoryInstance, time_limit: float | None) -> float | None:
    if not isinstance(inst, Allocation) or inst.n > MAX_BUFFERS:
        return None
    return 40.0


@register(
    FAMILY,
    "exact",
    exact=True,
    help="MiniMalloc-style search over canonical solutions with section inference "
    "(allocation); no time limit: until proved.",
    engine="numba",
    auto=_auto,
    warmup=warm_sliced,
    work=WORK_UNIT,
)
def solve_exact(
    inst: MemoryInstance, opts: SolveOptions, *, minimize: bool = False, pinned: Any = None
) -> SolverOutput:
    """With a capacity: find a placement within it (``minimize``: then lower the peak as far
    as the limits allow); the canonical search's preorders take turns with a skyline fill
    search with restarts (incomplete, for capacities with little or no slack, such as the
    zero-slack instances of ``generate_zero_slack``: see :class:`._canonical.FillRun`), and
    with three searches of a restriction with fewer buffers, when there is one: buffers of
    one lifetime stacked, a buffer and the one of its size that starts when it ends joined,
    as in a guillotine packing (incomplete too: :func:`._canonical.merged`).
    Without: minimise the peak, from the best greedy down to the max load, proving
    optimality when the search space of a lower capacity is exhausted.

    Limits: without a time limit it runs until it has found (or proved) what it looks for.
    A work limit (``work_limit``) counts search steps (nodes entered plus placements tried,
    ``info["steps"]``) over every stage (the capacity's search, then each capacity of the
    bisection); the search stops when it is used up, and with no time limit the run is
    deterministic (it repeats exactly on any load). Stopping on a limit never claims
    optimality or infeasibility that was not proved.

    ``pinned``: offsets of some buffers (a mapping id -> offset, or a solution with
    ``offsets``), fixed as given while the search places the rest around them. The search
    then solves the pinned problem, whose optimum need not be the original's: the result is
    OPTIMAL only when its peak meets the original's lower bound (the max load), FEASIBLE
    otherwise with that bound, and ``info["pinned_optimal"]`` says whether the pinned
    problem was solved to optimality (a pinned problem without a placement within the
    capacity leaves the status UNKNOWN, ``info["pinned_infeasible"]``).

    ``hint``: the hint pushed down (first fit in increasing hinted offsets, so its peak
    never rises) is the first incumbent: with a capacity it is the placement found (the
    search then only lowers it, with ``minimize``); without, the upper bound the bisection
    starts from when it beats the best greedy."""
    alloc = require(inst, Allocation, "exact", "cpsat or mip")
    if alloc.n > MAX_BUFFERS:
        raise SolveError(f"exact handles at most {MAX_BUFFERS} buffers; use greedy-best")
    info: dict[str, Any] = {}
    pins = apply_pins(alloc, pinned, "exact")
    if pins is None:
        return _search(alloc, opts, minimize, info)
    info["pinned"] = pins.count
    return unpin(alloc, _search(pins.inst, opts, minimize, info))


def _search(
    inst: MemoryInstance, opts: SolveOptions, minimize: bool, info: dict[str, Any]
) -> SolverOutput:
    """The search of :func:`solve_exact` on ``inst`` (pinned or not)."""
    from ._canonical import feasible, prepare  # numba: imported when a search runs

    dl = opts.deadline.end
    lb = int_bound(inst)
    work = opts.work
    nodes = 0
    steps0 = work.used
    best: np.ndarray | None = None
    best_peak: float = math.inf
    proven = lb  # the optimum is >= proven
    prep = prepare(inst)
    speed: dict[str, float] = {}
    hint = usable_hint(inst, opts, info)
    if hint is not None:
        best = compact(inst, hint)
        best_peak = peak(inst, best)
        info["hint_peak"] = best_peak

    def done(out: SolverOutput) -> SolverOutput:
        out.info.update(nodes=nodes, steps=int(work.used - steps0))
        return out

    if inst.capacity is not None:
        if best is None:
            # the skyline fill search takes turns too: a capacity without slack (or hardly
            # any) is where the canonical search struggles
            off, inf, k = feasible(prep, inst.capacity, dl, speed=speed, work=work, fill=True)
            nodes += k
            if off is not None:
                best, best_peak = off, peak(inst, off)
            elif inf:
                opts.emit(f"exact: no placement within {inst.capacity} ({nodes} nodes)")
                return done(SolverOutput(solution=None, status=Status.INFEASIBLE, info=info))
        if best is None or not minimize:
            return done(finish(inst, best, info))
    elif best_peak > lb:
        g, which = best_greedy(inst, dl)
        if g is not None and peak(inst, g) < best_peak:
            best, best_peak = g, peak(inst, g)
            opts.emit(f"exact: greedy {which} peak {best_peak}, max load {lb}")
        if best is None:
            opts.emit("exact: the time limit expired before the first greedy placement")
            return done(finish(inst, None, info))
    # minimise: try the lower bound first, then bisect between bound and incumbent
    target = lb
    while best_peak > proven and not opts.deadline.expired() and not work.exhausted:
        off, inf, k = feasible(prep, target, dl, speed=speed, work=work)
        nodes += k
        if off is not None:
            best, best_peak = off, peak(inst, off)
            opts.emit(f"exact: peak {best_peak} ({nodes} nodes)")
        elif inf:
            proven = target + 1
            opts.emit(f"exact: no placement within {target}; bound {proven}")
        else:
            break
        target = (proven + int(best_peak) - 1) // 2
    return done(finish(inst, best, info, proven=min(proven, int(best_peak))))
