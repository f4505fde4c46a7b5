"""``lns`` (msa): large-neighbourhood search, CP-SAT re-deciding windows of steps, for
programs too big to prove (:mod:`._msa_lns`)."""

from __future__ import annotations

from ....core import SolveOptions, SolverOutput, register
from ..model import MemoryInstance
from ..msa import Msa
from ._common import FAMILY, require
from .cpsat import WORK_UNIT


@register(
    FAMILY,
    "lns",
    exact=False,
    help="Msa: large-neighbourhood search from the best greedy start (or the hint), CP-SAT "
    "re-deciding the pieces of the buffers of a window of steps; until the time limit.",
    engine="ortools",
    work=WORK_UNIT,
)
def solve_lns(
    inst: MemoryInstance,
    opts: SolveOptions,
    *,
    windows: int | None = None,
    width: int = 12,
    max_free: int = 24,
    max_lead: int = 8,
    window_work: float = 2.0,
) -> SolverOutput:
    """The search of :func:`._msa_lns.solve_msa_lns`: ``windows`` windows (``None``: until
    the time or work limit, 30 without either) of ``width`` steps, up to ``max_free`` of
    their buffers re-decided with prefetches at most ``max_lead`` steps ahead, each window
    at most ``window_work`` of CP-SAT's deterministic time. With one worker, a seed and a
    work limit the run repeats exactly. Its bound is the instance's lower bound (the
    ``mip`` relaxation's is stronger)."""
    msa = require(inst, Msa, "lns", "exact, cpsat or mip")
    from ._msa_lns import solve_msa_lns

    return solve_msa_lns(
        msa,
        opts,
        windows=windows,
        width=width,
        max_free=max_free,
        max_lead=max_lead,
        window_work=window_work,
    )
