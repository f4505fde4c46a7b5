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
from ._common import (
    MIN_CPSAT_WORK,
    Hint,
    build_solution,
    is_plain,
    out_of_budget,
    plain_ii_limit,
    read_hint,
    static_infeasible,
)
from ._ims import run_ims
from ._joint import solve_joint
from ._modulo import solve_reduced


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    # docs/auto.md: up to 300 ops (it proves II and L; ims is as good from 300 ops up, in a
    # fraction of the limit cpsat uses); without a limit up to 3000 ops
    if inst.n <= 300 or (time_limit is None and inst.n <= 3000):
        return 50.0
    return None


@register(
    "pipelining",
    "cpsat",
    exact=True,
    help="CP-SAT: optimal II from MII up, then shortest L (joint warp assignment if warps); "
    "without a time limit, runs until both are proved; a hint's schedule is the incumbent.",
    engine="ortools",
    auto=_auto,
    work="CP-SAT deterministic time (seconds), shared by every CP-SAT solve of the II search "
    "and the L step",
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
    Status optimal only when II and L are both proven. With warps (warp-relevant op data or
    binding register / memory budgets, see :func:`._common.is_plain`) the joint problem of
    :mod:`._joint` is solved instead.

    Each II step takes half the time (and half the work budget) left (a retry of an
    undecided II, 70 %), the L step the rest; without a time limit every step runs until
    CP-SAT decides it. A work limit (``work_limit``) is in CP-SAT deterministic seconds,
    charged after every CP-SAT solve: the search stops once it is used (or less than
    0.001 is left), keeping the best schedule and the bound proved so far; with one thread
    and a seed the result then does not depend on the machine's load.

    Hint (``opts.hint``, a schedule in the solution form): a hint that passes the checker is
    the incumbent when it beats IMS's schedule, so the II search only tries the IIs below
    its II (still from MII up, so optimality is proved as without it) and the L step at its
    II starts from it as a CP-SAT hint (start times, and warps in the joint model); the
    result is never worse than the hint. A hint that does not pass the checker (a loop
    changed since) only hints CP-SAT at its II.

    Every model is built with deadline checks (a model the deadline overtakes is not solved,
    and its step stays undecided), and plain loops whose reduced model would hold more than
    :data:`._modulo.MAX_CLOSURE` longest paths are not modelled at all: IMS's schedule is
    then the answer (feasible), the MII the bound.

    A plain loop with no II feasible up to :func:`._common.plain_ii_limit` is infeasible
    at every II (proved); so is a loop with an op over a register or memory budget or too
    few warps for the producer rule (:func:`._common.static_infeasible`).

    Args:
        min_length: minimise L at the optimal II (else keep the first schedule found).
        copies: copies of the steady state the joint problem unrolls (default: the
            instance's ``copies``).
    """
    why = static_infeasible(inst)
    if why is not None:
        opts.emit(f"cpsat: infeasible at every II: {why}")
        return SolverOutput(
            solution=None,
            status=Status.INFEASIBLE,
            params={"min_length": min_length, "copies": copies},
            info={"mii": inst.mii_bound(), "infeasible": why},
        )
    hint = read_hint(inst, opts.hint)
    if not is_plain(inst):
        return solve_joint(
            inst, opts, min_length=min_length, copies=copies or inst.copies, hint=hint
        )
    mii = inst.mii_bound()
    cp = inst.critical_path()
    ims = run_ims(inst, opts, 3.0, None)
    info: dict[str, Any] = {"mii": mii}
    best_ii: int | None = None
    best_starts: list[int] | None = None
    if ims is not None:
        best_ii, best_starts = ims.ii, ims.starts
        info["ims_ii"] = best_ii
        opts.emit(f"cpsat: MII {mii}, IMS II {best_ii}")
    if hint is not None:
        info["hint_ii"] = hint.ii
        info["from_hint"] = False
        h_obj = hint.objective
        if h_obj is not None and (
            best_ii is None
            or best_starts is None
            or h_obj < objective(best_ii, build_solution(inst, best_ii, best_starts)["length"])
        ):
            best_ii, best_starts = hint.ii, hint.full_starts()
            info["from_hint"] = True
            opts.emit(f"cpsat: the hint (II {hint.ii}, L {hint.length}) is the incumbent")
    limit = plain_ii_limit(inst)
    infeasible: set[int] = set()
    unknown: list[int] = []
    ii = mii
    steps = 0
    too_large = False
    while (best_ii is None and ii <= limit) or (best_ii is not None and ii < best_ii):
        if out_of_budget(opts, MIN_CPSAT_WORK):
            break
        steps += 1
        r = solve_reduced(inst, ii, opts, 0.5, minimise_length=False, hint=_hint_at(hint, ii))
        opts.emit(f"cpsat: II {ii}: {r.status} ({r.wall:.2f} s, {r.work:.3g} det)")
        if r.too_large:  # so is every model of this loop: keep IMS's schedule
            too_large = True
            break
        if r.status == "infeasible":
            infeasible.add(ii)
        elif r.starts is not None:
            best_ii, best_starts = ii, r.starts
            if "from_hint" in info:
                info["from_hint"] = False
            break
        else:
            unknown.append(ii)
        ii += 1
    # leftover time: retry the undecided IIs below the best, lowest first
    for jj in unknown:
        if too_large or (best_ii is not None and jj >= best_ii):
            break
        if out_of_budget(opts, MIN_CPSAT_WORK):
            break
        steps += 1
        r = solve_reduced(inst, jj, opts, 0.7, minimise_length=False, hint=_hint_at(hint, jj))
        opts.emit(f"cpsat: II {jj} again: {r.status} ({r.wall:.2f} s, {r.work:.3g} det)")
        if r.status == "infeasible":
            infeasible.add(jj)
        elif r.starts is not None:
            best_ii, best_starts = jj, r.starts
            if "from_hint" in info:
                info["from_hint"] = False
            break
    lb = mii
    while lb in infeasible:
        lb += 1
    info["ii_steps"] = steps
    if too_large:
        info["too_large"] = True
    if best_ii is None or best_starts is None:
        if lb > limit:  # every II up to the limit proved infeasible: so is every II
            info["ii_limit"] = limit
            return SolverOutput(
                solution=None,
                status=Status.INFEASIBLE,
                params={"min_length": min_length, "copies": copies},
                info=info,
            )
        return SolverOutput(
            solution=None,
            status=Status.UNKNOWN,
            bound=objective(lb, cp),
            params={"min_length": min_length, "copies": copies},
            info=info,
        )
    ii_opt = lb >= best_ii
    starts = best_starts
    low = min(starts)
    length = max(starts[v] - low + inst.ops[v].span for v in range(inst.n))
    length_bound: int | None = None
    if min_length and not too_large and not out_of_budget(opts, MIN_CPSAT_WORK):
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
            if r.length < length and "from_hint" in info:
                info["from_hint"] = False
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


def _hint_at(hint: Hint | None, ii: int) -> list[int | None] | None:
    """A hint's starts for a CP-SAT solve at ``ii``: only at the hint's own II."""
    return hint.starts if hint is not None and hint.ii == ii else None
