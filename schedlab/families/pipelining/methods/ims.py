"""``ims``: Rau's iterative modulo scheduling (the baseline), with a greedy warp assignment."""

from __future__ import annotations

from typing import Any

from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ..simulate import objective
from ._common import build_solution, read_hint, static_infeasible
from ._ims import run_ims


@register(
    "pipelining",
    "ims",
    exact=False,
    help="Rau's iterative modulo scheduling from MII up (+ greedy warp assignment); "
    "budget_ratio * n placement steps per II, done at the first II it schedules; a hint's "
    "schedule is the incumbent (or seeds its II), then lower IIs are tried.",
    auto=lambda inst, tl: 10.0,
    work="placement steps (over all IIs; each II still at most budget_ratio * n)",
)
def solve_ims(inst: Instance, opts: SolveOptions, *, budget_ratio: float = 3.0) -> SolverOutput:
    """Iterative modulo scheduling (Rau 1994): height-based priority, each op placed in the
    first conflict-free slot of ``[Estart, Estart + II - 1]``, else forced with eviction of the
    conflicting and of the dependence-violating ops, within ``budget_ratio * n`` steps; on
    failure II + 1. Warps: variable-latency ops on the producer warp, others greedily.

    Constructive: it ends at the first II it schedules (each II costs at most
    ``budget_ratio * n`` placement steps); a time limit stops it between IIs, and stops an
    attempt still running 0.25 s after it (``_ims.GRACE``; attempts take milliseconds but on
    loops busy for thousands of cycles), with no schedule if none was found by then. A work
    limit (``work_limit``, in placement steps) caps the steps over all IIs: the search stops
    when they are used, with no schedule if none was found by then.

    Hint (``opts.hint``, a schedule in the solution form, e.g. the previous schedule of a
    loop being recompiled): its II is tried first. A hint that passes the checker is the
    incumbent as it is; one that does not (ops added, removed or changed since) seeds the
    attempt at its II, each op it names placed at its hinted start where that still fits.
    IIs from MII up to below the hint's are then tried; the first scheduled one replaces the
    incumbent, so the result is never worse than a feasible hint.

    A loop infeasible at every II for a reason that does not depend on II (an op over a
    register or memory budget, too few warps for the producer rule) is answered
    ``infeasible`` (proved)."""
    mii = inst.mii_bound()
    info: dict[str, Any] = {"mii": mii}
    why = static_infeasible(inst)
    if why is not None:
        info["infeasible"] = why
        opts.emit(f"ims: infeasible at every II: {why}")
        return SolverOutput(solution=None, status=Status.INFEASIBLE, info=info)
    hint = read_hint(inst, opts.hint)
    if hint is not None:
        info["hint_ii"] = hint.ii
    got = run_ims(inst, opts, budget_ratio, work=opts.work, hint=hint)
    if got is None:
        return SolverOutput(solution=None, status=Status.UNKNOWN, info=info)
    sol = build_solution(inst, got.ii, got.starts, got.warps)
    info.update(
        {
            "ii": got.ii,
            "length": sol["length"],
            "attempts": got.attempts,
            "steps": got.steps,
            "from_hint": got.from_hint,
        }
    )
    opts.emit(
        f"ims: II {got.ii} (MII {mii}) after {got.attempts} attempt(s), L {sol['length']}"
        + (" (the hint)" if got.from_hint else "")
    )
    return SolverOutput(
        solution=sol,
        status=Status.FEASIBLE,
        objective=objective(got.ii, sol["length"]),
        params={"budget_ratio": budget_ratio},
        info=info,
    )
