"""``mip``: the modulo-scheduling step as a Pyomo MIP solved by HiGHS (a cross-check of
``cpsat``)."""

from __future__ import annotations

import math
import time
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
from ._tables import binding_units, fold, unit_runs


def _mip_at(
    inst: Instance, ii: int, opts: SolveOptions, share: float, length_cap: int | None
) -> tuple[str, list[int] | None, float | None]:
    """Minimise L at ``ii`` within ``share`` of the time (and of the node budget) left:
    ``t_v = ii q_v + rho_v``, the residue ``rho_v`` of each op on a binding unit written with
    step variables ``y_vr = [rho_v <= r]`` (``rho_v = ii - 1 - sum_r y_vr``), modulo
    capacities per residue, dependences. Each run of busy cycles (:mod:`._tables`) folds
    into a constant load plus one arc of residues, and an arc covers residue ``r`` exactly
    when ``rho_v`` lies in a cyclic window, a difference of two step variables: per residue
    two terms a run, whatever its cycles. Returns (status, starts, bound on L), ``unknown``
    when the deadline passes while the model is built; the branch-and-bound nodes HiGHS
    used are spent on ``opts.work``."""
    import pyomo.environ as pyo

    from ....engines import highs

    asap = inst.asap(ii)
    if asap is None:
        return "infeasible", None, None
    binding = binding_units(inst, unit_runs(inst))
    if binding and ii == 1:  # a binding unit is over its capacity at every cycle
        return "infeasible", None, None
    folded = {u: fold(uses, ii) for u, uses in binding.items()}
    for u, (base, _) in folded.items():
        cap = inst.machine.capacity(u)
        if cap is not None and base > cap:  # full turns alone over the capacity
            return "infeasible", None, None
    built = time.perf_counter()
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
    limited = sorted({v for uses in binding.values() for v, *_ in uses})
    y: dict[int, Any] = {}
    if limited:
        m.q = pyo.Var(limited, domain=pyo.NonNegativeIntegers, bounds=(0, hz // ii + 1))
    for v in limited:  # one block of step variables an op, the deadline checked in between
        if opts.deadline.expired():
            return "unknown", None, None
        y[v] = pyo.Var(range(ii - 1), domain=pyo.Binary)
        m.add_component(f"y{v}", y[v])
        for r in range(ii - 2):
            if opts.deadline.expired():
                return "unknown", None, None
            m.c.add(y[v][r] <= y[v][r + 1])
        rho = ii - 1 - pyo.quicksum(y[v][r] for r in range(ii - 1))
        m.c.add(m.t[v] == ii * m.q[v] + rho)

    def step(v: int, r: int) -> Any:
        """``[rho_v <= r]`` for ``-1 <= r <= ii - 1``."""
        return 0 if r < 0 else 1 if r >= ii - 1 else y[v][r]

    for u, (base, arcs) in folded.items():
        cap = inst.machine.capacity(u)
        assert cap is not None
        if sum(a for *_, a in arcs) <= cap - base:
            continue
        for r in range(ii):
            if opts.deadline.expired():
                return "unknown", None, None
            load: Any = base
            for v, off, c, a in arcs:
                lo, hi = (r - off - c + 1) % ii, (r - off) % ii  # rho_v in [lo, hi] (cyclic)
                cover = step(v, hi) - step(v, lo - 1) + (1 if lo > hi else 0)
                load = load + a * cover
            m.c.add(load <= cap)
    # writing the model for HiGHS takes about as long as building it and cannot be stopped:
    # give up now if what is left would not cover it
    if opts.deadline.remaining() < 2.0 * (time.perf_counter() - built) + 0.1:
        return "unknown", None, None
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
