"""``mip``: the modulo-scheduling step as a Pyomo MIP solved by HiGHS (a cross-check of
``cpsat``)."""

from __future__ import annotations

import math
from typing import Any

from ....core.errors import SolveError
from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ..simulate import edge_weights, objective
from ._common import (
    build_solution,
    horizon,
    is_plain,
    out_of_budget,
    plain_ii_limit,
    static_infeasible,
)
from ._ims import run_ims


def _mip_at(
    inst: Instance, ii: int, opts: SolveOptions, share: float, length_cap: int | None
) -> tuple[str, list[int] | None, float | None]:
    """Minimise L at ``ii`` within ``share`` of the time (and of the node budget) left:
    ``t_v = ii q_v + sum_r r x_vr``, one residue per limited op, modulo capacities per
    residue, dependences. Returns (status, starts, bound on L); the branch-and-bound nodes
    HiGHS used are spent on ``opts.work``."""
    import pyomo.environ as pyo

    from ....engines import highs

    asap = inst.asap(ii)
    if asap is None:
        return "infeasible", None, None
    hz = horizon(inst, ii)
    span = [o.span for o in inst.ops]
    cap_l = length_cap if length_cap is not None else hz + max(span)
    m = pyo.ConcreteModel()
    n = inst.n
    m.t = pyo.Var(
        range(n),
        domain=pyo.Integers,
        bounds=lambda _, v: (asap[v], max(asap[v], min(hz, cap_l - span[v]))),
    )
    m.L = pyo.Var(domain=pyo.Integers, bounds=(0, cap_l))
    m.c = pyo.ConstraintList()
    for s, d, w in edge_weights(inst, ii):
        if s != d:
            m.c.add(m.t[d] - m.t[s] >= w)
    for v in range(n):
        m.c.add(m.t[v] + span[v] <= m.L)
    limited = [
        v
        for v, o in enumerate(inst.ops)
        if any(inst.machine.capacity(u) is not None for _, u, _ in o.table)
    ]
    if limited and ii > 1:
        m.x = pyo.Var([(v, r) for v in limited for r in range(ii)], domain=pyo.Binary)
        m.q = pyo.Var(limited, domain=pyo.NonNegativeIntegers, bounds=(0, hz // ii + 1))
        for v in limited:
            m.c.add(sum(m.x[v, r] for r in range(ii)) == 1)
            m.c.add(m.t[v] == ii * m.q[v] + sum(r * m.x[v, r] for r in range(ii)))
        units = {
            u
            for v in limited
            for _, u, _ in inst.ops[v].table
            if inst.machine.capacity(u) is not None
        }
        for u in units:
            uses = [(v, off, a) for v in limited for off, uu, a in inst.ops[v].table if uu == u]
            cap = inst.machine.capacity(u)
            assert cap is not None
            if sum(a for *_, a in uses) <= cap:
                continue
            for r in range(ii):
                m.c.add(sum(a * m.x[v, (r - off) % ii] for v, off, a in uses) <= cap)
    elif limited:
        for u in {u for v in limited for _, u, _ in inst.ops[v].table}:
            cap = inst.machine.capacity(u)
            if (
                cap is not None
                and sum(a for o in inst.ops for _, uu, a in o.table if uu == u) > cap
            ):
                return "infeasible", None, None
    m.obj = pyo.Objective(expr=m.L, sense=pyo.minimize)
    run = highs.solve_pyomo(m, opts, share=share)  # nodes spent on opts.work
    opts.work.spend(1 if run.nodes == 0 else 0)  # at least one unit a MIP
    if run.status == "infeasible":
        return "infeasible", None, None
    if run.objective is None:
        return "unknown", None, None
    starts = [int(round(pyo.value(m.t[v]))) for v in range(n)]
    return run.status, starts, run.bound


@register(
    "pipelining",
    "mip",
    exact=True,
    help="Pyomo + HiGHS MIP: optimal II from MII up, then shortest L (no warps); without a "
    "time limit, runs until both are proved.",
    engine="highs",
    work="HiGHS branch-and-bound nodes, summed over the MIPs of the II search",
)
def solve_mip(inst: Instance, opts: SolveOptions) -> SolverOutput:
    """The same search as ``cpsat`` (IMS upper II, then II = MII, MII + 1, ... proved
    infeasible or solved) with each step a time-indexed-residue MIP minimising L. Each step
    below the IMS II takes half the time left, the step at it the rest; without a time limit
    every step runs until HiGHS decides it. A work limit (``work_limit``) is in HiGHS
    branch-and-bound nodes over all the MIPs (each MIP gets half of the nodes left, the
    last one all of them); the search stops when they are used.

    A plain loop with no II feasible up to :func:`._common.plain_ii_limit` is infeasible at
    every II (proved), as is one failing :func:`._common.static_infeasible`."""
    if not is_plain(inst):
        raise SolveError("mip handles plain modulo scheduling only (no warp rules): use cpsat")
    mii, cp = inst.mii_bound(), inst.critical_path()
    why = static_infeasible(inst)
    if why is not None:
        return SolverOutput(
            solution=None, status=Status.INFEASIBLE, info={"mii": mii, "infeasible": why}
        )
    ims = run_ims(inst, opts, 3.0, None)
    ub = ims.ii if ims is not None else None
    info: dict[str, Any] = {"mii": mii, "ims_ii": ub}
    limit = ub if ub is not None else plain_ii_limit(inst)
    lb, proven, ii = mii, True, mii
    best: tuple[int, list[int], float | None, str] | None = None
    while not out_of_budget(opts) and ii <= limit:
        cap = None
        if ub is not None and ii == ub and ims is not None:
            cap = build_solution(inst, ii, ims.starts)["length"]
        st, starts, bnd = _mip_at(inst, ii, opts, 0.5 if ii < limit else 1.0, cap)
        opts.emit(f"mip: II {ii}: {st}")
        if starts is not None:
            best = (ii, starts, bnd, st)
            break
        if st == "infeasible":
            if proven:
                lb = ii + 1
        else:
            proven = False
        ii += 1
    if best is None and ims is not None:
        best = (ims.ii, ims.starts, None, "feasible")
    if best is None:
        if ub is None and lb > limit:  # every II up to the limit proved infeasible
            info["ii_limit"] = limit
            return SolverOutput(solution=None, status=Status.INFEASIBLE, info=info)
        return SolverOutput(
            solution=None, status=Status.UNKNOWN, bound=objective(lb, cp), info=info
        )
    ii, starts, bnd, st = best
    sol = build_solution(inst, ii, starts)
    length = sol["length"]
    ii_opt = lb >= ii
    lbound = None if bnd is None else int(math.ceil(bnd - 1e-6))
    l_opt = st == "optimal" or (lbound is not None and lbound >= length)
    bound = objective(ii, max(cp, min(lbound or cp, length))) if ii_opt else objective(lb, cp)
    if ii_opt and l_opt:
        bound = objective(ii, length)
    info.update({"ii": ii, "length": length, "ii_optimal": ii_opt, "length_optimal": l_opt})
    return SolverOutput(
        solution=sol,
        status=Status.OPTIMAL if ii_opt and l_opt else Status.FEASIBLE,
        bound=bound,
        objective=objective(ii, length),
        info=info,
    )
