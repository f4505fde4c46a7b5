"""``xla``: XLA's memory space assignment for mapping (its default heuristic)."""

from __future__ import annotations

from ....core import SolveOptions, SolverOutput, register
from ..model import Mapping, MemoryInstance
from ._common import FAMILY, finish, require
from ._mapping import xla_offsets


@register(
    FAMILY,
    "xla",
    exact=False,
    help="XLA memory space assignment (mapping): benefit/sqrt(size) order, best fit if it fits.",
    engine="numba",
)
def solve_xla(inst: MemoryInstance, opts: SolveOptions) -> SolverOutput:
    """XLA's default mapping heuristic (constructive: one pass, no time limit needed)."""
    mp = require(inst, Mapping, "xla", "greedy-best or exact")
    return finish(mp, xla_offsets(mp), {})
