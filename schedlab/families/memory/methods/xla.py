"""``xla``: XLA's memory space assignment: for mapping its whole-life heuristic, for msa its
greedy with prefetches and evictions (:mod:`._msa`)."""

from __future__ import annotations

from ....core import SolveOptions, SolverOutput, register
from ..model import Mapping, MemoryInstance
from ..msa import Msa
from ._common import FAMILY, finish, require
from ._mapping import xla_offsets
from ._msa import MAX_RATIO, MIN_RATIO, PREFERRED_RATIO, msa_output, xla_msa


@register(
    FAMILY,
    "xla",
    exact=False,
    help="XLA memory space assignment (mapping: benefit/sqrt(size) order, best fit if it "
    "fits; msa: XLA's greedy with prefetches and evictions).",
    engine="numba",
)
def solve_xla(
    inst: MemoryInstance,
    opts: SolveOptions,
    *,
    min_ratio: float = MIN_RATIO,
    preferred_ratio: float = PREFERRED_RATIO,
    max_ratio: float = MAX_RATIO,
    order: str = "preferred",
) -> SolverOutput:
    """XLA's default heuristic (constructive: one pass; under a time limit the msa greedy
    leaves the buffers it has not reached in slow memory). Mapping: the
    whole-life assignment in XLA's order. Msa: the greedy of :func:`._msa.xla_msa`, whose
    parameters are the prefetch interval picker's ratios (``min_ratio``,
    ``preferred_ratio``, ``max_ratio``; ignored for mapping) and the order of the prefetch
    starts tried (``"preferred"`` as XLA, or ``"latest"`` first)."""
    if isinstance(inst, Msa):
        if order not in ("preferred", "latest"):
            from ....core import SolveError

            raise SolveError(f"xla: order must be preferred or latest, got {order!r}")
        sol = xla_msa(
            inst,
            min_ratio=min_ratio,
            preferred_ratio=preferred_ratio,
            max_ratio=max_ratio,
            order=order,
            deadline=opts.deadline.end,
        )
        return msa_output(inst, sol, {"order": order}, edf=False)
    mp = require(inst, Mapping, "xla", "greedy-best or exact")
    return finish(mp, xla_offsets(mp), {})
