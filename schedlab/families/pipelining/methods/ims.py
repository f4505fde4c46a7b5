"""``ims``: Rau's iterative modulo scheduling (the baseline), with a greedy warp assignment."""

from __future__ import annotations

from typing import Any

from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ..simulate import objective
from ._common import build_solution
from ._ims import run_ims


@register(
    "pipelining",
    "ims",
    exact=False,
    help="Rau's iterative modulo scheduling from MII up (+ greedy warp assignment); "
    "budget_ratio * n placement steps per II, done at the first II it schedules.",
    auto=lambda inst, tl: 10.0,
)
def solve_ims(inst: Instance, opts: SolveOptions, *, budget_ratio: float = 3.0) -> SolverOutput:
    """Iterative modulo scheduling (Rau 1994): height-based priority, each op placed in the
    first conflict-free slot of ``[Estart, Estart + II - 1]``, else forced with eviction of the
    conflicting and of the dependence-violating ops, within ``budget_ratio * n`` steps; on
    failure II + 1. Warps: variable-latency ops on the producer warp, others greedily.

    Constructive: it ends at the first II it schedules (each II costs at most
    ``budget_ratio * n`` placement steps); a time limit only stops it between IIs."""
    got = run_ims(inst, opts, budget_ratio)
    mii = inst.mii_bound()
    info: dict[str, Any] = {"mii": mii}
    if got is None:
        return SolverOutput(solution=None, status=Status.UNKNOWN, info=info)
    ii, starts, warps, attempts = got
    sol = build_solution(inst, ii, starts, warps)
    info.update({"ii": ii, "length": sol["length"], "attempts": attempts})
    opts.emit(f"ims: II {ii} (MII {mii}) after {attempts} attempt(s), L {sol['length']}")
    return SolverOutput(
        solution=sol,
        status=Status.FEASIBLE,
        objective=objective(ii, sol["length"]),
        params={"budget_ratio": budget_ratio},
        info=info,
    )
