"""``exact``: a MiniMalloc-style search over canonical solutions (allocation; see
:mod:`._canonical` and :mod:`._search`)."""

from __future__ import annotations

import math

import numpy as np

from ....core import SolveError, SolveOptions, SolverOutput, Status, register
from ....engines import jit
from ..model import Allocation, MemoryInstance
from ._canonical import feasible, prepare
from ._common import FAMILY, finish, peak, require
from ._placement import best_greedy

#: Largest instance the search takes on.
MAX_BUFFERS = 4000


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
)
def solve_exact(
    inst: MemoryInstance, opts: SolveOptions, *, minimize: bool = False
) -> SolverOutput:
    """With a capacity: find a placement within it (``minimize``: then lower the peak as far
    as time allows). Without: minimise the peak, from the best greedy down to the max load,
    proving optimality when the search space of a lower capacity is exhausted. Without a
    time limit it runs until it has found (or proved) what it looks for."""
    require(inst, Allocation, "exact", "cpsat or mip")
    if inst.n > MAX_BUFFERS:
        raise SolveError(f"exact handles at most {MAX_BUFFERS} buffers; use greedy-best")
    dl = jit.deadline(opts)
    lb = int(inst.lower_bound())
    nodes = 0
    best: np.ndarray | None = None
    best_peak = math.inf
    proven = lb  # the optimum is >= proven
    infeasible = False
    prep = prepare(inst)
    speed: dict[str, float] = {}
    if inst.capacity is not None:
        off, inf, k = feasible(prep, inst.capacity, dl, speed=speed)
        nodes += k
        if off is not None:
            best, best_peak = off, peak(inst, off)
        elif inf:
            infeasible = True
        if best is None or not minimize:
            if infeasible:
                opts.emit(f"exact: no placement within {inst.capacity} ({nodes} nodes)")
                return SolverOutput(solution=None, status=Status.INFEASIBLE, info={"nodes": nodes})
            return finish(inst, best, {"nodes": nodes})
    else:
        g, which = best_greedy(inst, dl)
        if g is None:
            opts.emit("exact: the time limit expired before the first greedy placement")
            return finish(inst, None, {"nodes": nodes})
        best, best_peak = g, peak(inst, g)
        opts.emit(f"exact: greedy {which} peak {best_peak}, max load {lb}")
    # minimise: try the lower bound first, then bisect between bound and incumbent
    target = lb
    while best_peak > proven and not opts.deadline.expired():
        off, inf, k = feasible(prep, target, dl, speed=speed)
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
    return finish(inst, best, {"nodes": nodes}, proven=float(min(proven, best_peak)))
