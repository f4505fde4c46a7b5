"""``benefit``: the lazy marginal-benefit greedy for mapping."""

from __future__ import annotations

from ....core import SolveOptions, SolverOutput, register
from ..model import Mapping, MemoryInstance
from ._common import FAMILY, finish, require
from ._mapping import benefit_offsets


def _auto(inst: MemoryInstance, time_limit: float | None) -> float | None:
    return 10.0 if isinstance(inst, Mapping) else None


@register(
    FAMILY,
    "benefit",
    exact=False,
    help="Mapping: lazy greedy on marginal time saved per (size x lifetime)^g, best fit.",
    engine="numba",
    auto=_auto,
)
def solve_benefit(inst: MemoryInstance, opts: SolveOptions) -> SolverOutput:
    """Marginal-benefit greedy for mapping (keeps XLA's result if that is better);
    constructive: four greedy passes and XLA's, no time limit needed. Under a time limit,
    the passes still to run when it expires are skipped, and the one running keeps the
    buffers it chose so far (XLA's pass always completes)."""
    mp = require(inst, Mapping, "benefit", "greedy-best or exact")
    return finish(mp, benefit_offsets(mp, opts.deadline.end), {})
