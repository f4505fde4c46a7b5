"""``cpsat``: optimal modulo scheduling with CP-SAT: II from MII upward, then the shortest L;
with warps, the joint problem (modulo schedule + warp assignment over copies of the steady
state, :mod:`._joint`).

Plain loops are solved on the reduced model of :mod:`._modulo`, which proves the optimal II
of loops with hundreds of ops on which the full model stalls.
"""

from __future__ import annotations

from typing import Any

from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ..simulate import objective
from ._common import build_solution, is_plain
from ._ims import run_ims
from ._joint import solve_joint
from ._modulo import solve_reduced


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    return 50.0 if inst.n <= 3000 else None


@register(
    "pipelining",
    "cpsat",
    exact=True,
    help="CP-SAT: optimal II from MII up, then shortest L (joint warp assignment if warps); "
    "without a time limit, runs until both are proved.",
    engine="ortools",
    auto=_auto,
)
def solve_cpsat(
    inst: Instance,
    opts: SolveOptions,
    *,
    min_length: bool = True,
    copies: int | None = None,
) -> SolverOutput:
    """Optimal modulo scheduling: IMS gives an upper II; for II = MII, MII + 1, ... below it
    CP-SAT proves infeasibility or finds a schedule; at the first feasible II it minimises L.
    Status optimal only when II and L are both proven. With warps (``machine.warps > 1`` and
    warp-relevant op data) the joint problem of :mod:`._joint` is solved instead.

    Each II step takes half the time left (a retry of an undecided II, 70 %), the L step the
    rest; without a time limit every step runs until CP-SAT decides it.

    Args:
        min_length: minimise L at the optimal II (else keep the first schedule found).
        copies: copies of the steady state the joint problem unrolls (default: the
            instance's ``copies``).
    """
    if not is_plain(inst):
        return solve_joint(inst, opts, min_length=min_length, copies=copies or inst.copies)
    dl = opts.deadline
    mii = inst.mii_bound()
    cp = inst.critical_path()
    ims = run_ims(inst, opts, 3.0, None)
    info: dict[str, Any] = {"mii": mii}
    best_ii: int | None = None
    best_starts: list[int] | None = None
    if ims is not None:
        best_ii, best_starts = ims[0], ims[1]
        info["ims_ii"] = best_ii
        opts.emit(f"cpsat: MII {mii}, IMS II {best_ii}")
    infeasible: set[int] = set()
    unknown: list[int] = []
    ii = mii
    steps = 0
    while best_ii is None or ii < best_ii:
        if dl.expired():
            break
        steps += 1
        r = solve_reduced(inst, ii, opts, 0.5, minimise_length=False)
        opts.emit(f"cpsat: II {ii}: {r.status} ({r.wall:.2f} s)")
        if r.status == "infeasible":
            infeasible.add(ii)
        elif r.starts is not None:
            best_ii, best_starts = ii, r.starts
            break
        else:
            unknown.append(ii)
        ii += 1
    # leftover time: retry the undecided IIs below the best, lowest first
    for jj in unknown:
        if best_ii is not None and jj >= best_ii:
            break
        if dl.expired():
            break
        steps += 1
        r = solve_reduced(inst, jj, opts, 0.7, minimise_length=False)
        opts.emit(f"cpsat: II {jj} again: {r.status} ({r.wall:.2f} s)")
        if r.status == "infeasible":
            infeasible.add(jj)
        elif r.starts is not None:
            best_ii, best_starts = jj, r.starts
            break
    lb = mii
    while lb in infeasible:
        lb += 1
    info["ii_steps"] = steps
    if best_ii is None or best_starts is None:
        return SolverOutput(
            solution=None,
            status=Status.UNKNOWN,
            bound=objective(lb, cp),
            info=info,
        )
    ii_opt = lb >= best_ii
    starts = best_starts
    low = min(starts)
    length = max(starts[v] - low + inst.ops[v].span for v in range(inst.n))
    length_bound: int | None = None
    if min_length and not dl.expired():
        r = solve_reduced(
            inst,
            best_ii,
            opts,
            1.0,
            minimise_length=True,
            hint=[x - low for x in starts],
            length_cap=length,
        )
        opts.emit(f"cpsat: L at II {best_ii}: {r.status} L {r.length} bound {r.length_bound}")
        if r.starts is not None and r.length is not None and r.length <= length:
            starts, length = r.starts, r.length
        length_bound = r.length_bound
    sol = build_solution(inst, best_ii, starts)
    length = sol["length"]
    l_opt = length_bound is not None and length_bound >= length
    if ii_opt:
        bound = objective(best_ii, max(cp, min(length_bound or cp, length)))
    else:
        bound = objective(lb, cp)
    info.update({"ii": best_ii, "length": length, "ii_optimal": ii_opt, "length_optimal": l_opt})
    status = Status.OPTIMAL if ii_opt and l_opt else Status.FEASIBLE
    return SolverOutput(
        solution=sol,
        status=status,
        bound=bound,
        objective=objective(best_ii, length),
        params={"min_length": min_length, "copies": copies},
        info=info,
    )
