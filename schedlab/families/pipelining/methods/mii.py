"""``mii``: the MII lower bound (ResMII, RecMII), a bound-only method."""

from __future__ import annotations

from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ..simulate import objective


@register(
    "pipelining",
    "mii",
    exact=False,
    help="Lower bound only: MII = max(ResMII, RecMII) (no schedule).",
)
def solve_mii(inst: Instance, opts: SolveOptions) -> SolverOutput:
    """ResMII = max over limited unit kinds of ceil(busy / capacity); RecMII = the smallest II
    without a positive-weight dependence cycle. The bound is ``MII * OBJ_SCALE + Lcp`` with
    ``Lcp`` the longest distance-0 path (a lower bound on L at any II)."""
    res, rec = inst.res_mii(), inst.rec_mii()
    mii = max(1, res, rec)
    cp = inst.critical_path()
    opts.emit(f"mii: ResMII {res}, RecMII {rec}, MII {mii}, critical path {cp}")
    return SolverOutput(
        solution=None,
        status=Status.UNKNOWN,
        bound=objective(mii, cp),
        info={"mii": mii, "res_mii": res, "rec_mii": rec, "critical_path": cp},
    )
