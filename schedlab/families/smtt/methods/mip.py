"""Exact MIP models of 1||Σ w_j T_j, built in Pyomo and solved by HiGHS
(:func:`schedlab.engines.highs.solve_pyomo`).

``formulation="positional"``: the positional date and assignment formulation compared by
Keha, Khowala & Fowler (2009) and used by Çetinkaya et al. (2025): x[j,k] = 1 when job j is in
position k, C[k] the completion time of position k (no idle time: C[k] = C[k-1] + Σ_j p_j
x[j,k]), tardiness linked by big-M (T_j >= C[k] - d_j - M_jk (1 - x[j,k])) or, unweighted,
per position without big-M (U[k] >= C[k] - Σ_j d_j x[j,k]). The valid inequality: position
k cannot complete before the k shortest jobs nor after the k longest (C[k] between the SPT
and LPT prefix sums).

``formulation="time-indexed"``: x[j,t] = 1 when job j starts at t, written in cumulative
form y[j,t] = Σ_{s<=t} x[j,s] (same LP bound, two non-zeros per machine-slot and job instead
of p_j); every unit slot of the horizon Σp is busy exactly once. Only for short horizons.

Both work on the core left by :func:`._reductions.reduce_jobs` (zero-length jobs first,
never-tardy jobs last) and fix x from the dominance pairs of
:func:`._reductions.dominance_matrix` (a job preceded by a jobs and followed by b jobs in some
optimal schedule lies in a position of [a, m-1-b]). ``reductions=False``
keeps only the zero-length jobs step, for the formulation as published.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ....core import SolveError, SolveOptions, SolverOutput, Status, register
from ..model import Instance
from ._reductions import Reduction, core_start, dominance_matrix, reduce_jobs

#: the time-indexed model refuses horizons beyond this many time units (n x H variables)
MAX_HORIZON = 5000
FORMULATIONS = ("positional", "time-indexed")


#: measured Pyomo build + translation cost per variable (on a loaded 2-core machine)
_BUILD_SECONDS_PER_VAR = {"positional": 6e-4, "time-indexed": 2.5e-4}


#: Seconds per job pair of the dominance matrix (numpy, several n x n temporaries; an order
#: of magnitude on a loaded machine).
DOMINANCE_SECONDS_PER_PAIR = 1e-7


def _count_variables(formulation: str, p: np.ndarray, dom: np.ndarray | None) -> int:
    """Free binary variables of a formulation (after dominance fixing)."""
    m = len(p)
    if dom is None:
        before = after = np.zeros(m, dtype=np.int64)
        pb = pa = np.zeros(m, dtype=np.int64)
    else:
        before, after = dom.sum(axis=0), dom.sum(axis=1)
        pb, pa = (dom * p[:, None]).sum(axis=0), (dom * p[None, :]).sum(axis=1)
    if formulation == "positional":
        return int(np.maximum(0, m - before - after).sum())
    return int(np.maximum(0, int(p.sum()) - p - pb - pa).sum())


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    return 20.0 if inst.n <= 15 and time_limit is not None else None


def _positional(
    pyo: Any, p: np.ndarray, d: np.ndarray, w: np.ndarray, dom: np.ndarray | None
) -> tuple[Any, Any]:
    """The positional model over jobs 0..m-1 (core-local indices); returns (model, x)."""
    m = len(p)
    weighted = bool(np.any(w != 1))
    spt = np.cumsum(np.sort(p))
    lpt = np.cumsum(np.sort(p)[::-1])
    horizon = int(spt[-1])
    jobs, pos = range(m), range(m)
    mdl = pyo.ConcreteModel()
    mdl.x = pyo.Var(jobs, pos, domain=pyo.Binary)
    # valid inequality as bounds: SPT prefix <= C[k] <= LPT prefix
    mdl.C = pyo.Var(pos, bounds=lambda _, k: (float(spt[k]), float(lpt[k])))
    mdl.job = pyo.Constraint(jobs, rule=lambda mm, j: sum(mm.x[j, k] for k in pos) == 1)
    mdl.slot = pyo.Constraint(pos, rule=lambda mm, k: sum(mm.x[j, k] for j in jobs) == 1)

    def chain(mm: Any, k: int) -> Any:
        prev = mm.C[k - 1] if k > 0 else 0
        return mm.C[k] == prev + sum(int(p[j]) * mm.x[j, k] for j in jobs)

    mdl.chain = pyo.Constraint(pos, rule=chain)
    if dom is not None:
        before, after = dom.sum(axis=0), dom.sum(axis=1)
        for j in jobs:
            for k in pos:
                if k < before[j] or k > m - 1 - after[j]:
                    mdl.x[j, k].fix(0)
    if weighted:
        mdl.T = pyo.Var(jobs, bounds=lambda _, j: (0.0, float(max(0, horizon - int(d[j])))))
        mdl.link = pyo.ConstraintList()
        for j in jobs:
            for k in pos:
                big_m = int(lpt[k]) - int(d[j])  # C[k] - d_j when x[j,k] = 0
                if big_m <= 0 or mdl.x[j, k].fixed:
                    continue  # the constraint can never bind
                mdl.link.add(mdl.T[j] >= mdl.C[k] - int(d[j]) - big_m * (1 - mdl.x[j, k]))
        mdl.obj = pyo.Objective(expr=sum(int(w[j]) * mdl.T[j] for j in jobs))
    else:
        mdl.U = pyo.Var(pos, bounds=(0.0, None))
        mdl.link = pyo.Constraint(
            pos, rule=lambda mm, k: mm.U[k] >= mm.C[k] - sum(int(d[j]) * mm.x[j, k] for j in jobs)
        )
        mdl.obj = pyo.Objective(expr=sum(mdl.U[k] for k in pos))
    return mdl, mdl.x


def _positional_start(mdl: Any, order: list[int], p: np.ndarray, d: np.ndarray) -> None:
    for v in mdl.x.values():
        if not v.fixed:
            v.set_value(0)
    t = 0
    for k, j in enumerate(order):
        if not mdl.x[j, k].fixed:
            mdl.x[j, k].set_value(1)
        t += int(p[j])
        mdl.C[k].set_value(t)
        if hasattr(mdl, "U"):
            mdl.U[k].set_value(max(0, t - int(d[j])))
        else:
            mdl.T[j].set_value(max(0, t - int(d[j])))


def _positional_decode(mdl: Any, m: int) -> list[int] | None:
    order = []
    for k in range(m):
        vals = [mdl.x[j, k].value or 0.0 for j in range(m)]
        order.append(int(np.argmax(vals)))
    return order if sorted(order) == list(range(m)) else None


def _time_indexed(
    pyo: Any, p: np.ndarray, d: np.ndarray, w: np.ndarray, dom: np.ndarray | None
) -> tuple[Any, Any]:
    """The cumulative time-indexed model over core-local jobs; returns (model, y)."""
    m = len(p)
    horizon = int(p.sum())
    lo = np.zeros(m, dtype=np.int64)
    hi = horizon - p
    if dom is not None:  # dominating jobs run before, dominated ones after
        lo = (dom * p[:, None]).sum(axis=0)
        hi = horizon - p - (dom * p[None, :]).sum(axis=1)
    idx = [(j, t) for j in range(m) for t in range(int(lo[j]), int(hi[j]) + 1)]
    mdl = pyo.ConcreteModel()
    mdl.y = pyo.Var(idx, domain=pyo.Binary)  # y[j,t]: job j has started by time t
    y = mdl.y
    for j in range(m):
        y[j, int(hi[j])].fix(1)
    mdl.mono = pyo.Constraint(
        [(j, t) for j, t in idx if t > lo[j]], rule=lambda mm, j, t: mm.y[j, t - 1] <= mm.y[j, t]
    )

    def started(j: int, t: int) -> Any:
        if t < lo[j]:
            return 0
        if t >= hi[j]:
            return 1
        return y[j, t]

    def busy(mm: Any, s: int) -> Any:
        # job j occupies slot [s, s+1) iff it started in [s - p_j + 1, s]
        terms = [started(j, s) - started(j, s - int(p[j])) for j in range(m)]
        variable = [t for t in terms if not isinstance(t, int)]
        if not variable:
            return pyo.Constraint.Skip
        return sum(variable) == 1 - sum(t for t in terms if isinstance(t, int))

    slots = range(horizon)
    mdl.busy = pyo.Constraint(slots, rule=busy)
    # Σ_t c(t) x[j,t] with x[j,t] = y[j,t] - y[j,t-1] and c(t) = w max(0, t + p - d),
    # non-decreasing in t: c(hi) - Σ_{t<hi} (c(t+1) - c(t)) y[j,t]
    obj = 0
    const = 0
    for j in range(m):
        wj, pj, dj = int(w[j]), int(p[j]), int(d[j])

        def cost(t: int, wj: int = wj, pj: int = pj, dj: int = dj) -> int:
            return wj * max(0, t + pj - dj)

        const += cost(int(hi[j]))
        for t in range(int(lo[j]), int(hi[j])):
            step = cost(t + 1) - cost(t)
            if step:
                obj = obj - step * y[j, t]
    mdl.obj = pyo.Objective(expr=obj + const)
    return mdl, y


def _time_indexed_start(mdl: Any, order: list[int], p: np.ndarray) -> None:
    start = {}
    t = 0
    for j in order:
        start[j] = t
        t += int(p[j])
    for (j, t), v in mdl.y.items():
        if not v.fixed:
            v.set_value(1 if t >= start[j] else 0)


def _time_indexed_decode(mdl: Any, m: int) -> list[int] | None:
    first: dict[int, int] = {}
    for (j, t), v in mdl.y.items():
        if (v.value or 0.0) > 0.5 and (j not in first or t < first[j]):
            first[j] = t
    if len(first) != m:
        return None
    return sorted(range(m), key=lambda j: (first[j], j))


@register(
    "smtt",
    "mip",
    exact=True,
    help="Positional (Keha et al. 2009) or time-indexed MIP solved by HiGHS (exact).",
    engine="highs",
    auto=_auto,
    work="HiGHS branch-and-bound nodes",
)
def solve_mip(
    inst: Instance,
    opts: SolveOptions,
    *,
    formulation: str = "positional",
    reductions: bool = True,
) -> SolverOutput:
    """Solve a MIP model with HiGHS, warm-started from the hint or the best dispatching rule.

    Args:
        inst: the instance.
        opts: common options (time limit, threads, seed, log, hint).
        formulation: ``"positional"`` or ``"time-indexed"`` (refused when the horizon Σp of
            the jobs to sequence exceeds :data:`MAX_HORIZON`).
        reductions: peel never-tardy jobs off the end and fix positions by dominance.

    Budget: the time limit and/or the work limit (HiGHS branch-and-bound nodes,
    ``mip_max_nodes``, the nodes used charged to the solve's work budget); without either it
    runs until HiGHS proves the optimum. Building the model is not counted as work.
    """
    if formulation not in FORMULATIONS:
        raise SolveError(
            f"mip: unknown formulation {formulation!r} (known: {', '.join(FORMULATIONS)})"
        )
    p_all, d_all, w_all = inst.arrays
    red = reduce_jobs(inst)
    if not reductions:
        head = tuple(j for j in range(inst.n) if p_all[j] == 0)
        rest = tuple(j for j in range(inst.n) if p_all[j] > 0)
        red = Reduction(head, rest, (), red.offset)
    jobs = np.asarray(red.core, dtype=np.int64)
    horizon = int(p_all[jobs].sum()) if len(jobs) else 0
    if formulation == "time-indexed" and horizon > MAX_HORIZON:
        raise SolveError(
            f"mip: the time-indexed formulation needs one variable per job and time unit; "
            f"horizon {horizon} > {MAX_HORIZON} (use formulation=positional)"
        )
    params = {"formulation": formulation, "reductions": reductions}
    order, start_val, origin = core_start(inst, opts, red)
    info: dict[str, Any] = {"core_jobs": len(jobs), "start": origin, "start_objective": start_val}
    # if even the reductions' n x n dominance matrix cannot be built in the time left (let
    # alone the model: see the estimate below), stop with the start
    if len(jobs) > 1 and (
        opts.deadline.expired()
        or DOMINANCE_SECONDS_PER_PAIR * len(jobs) ** 2 > opts.deadline.remaining()
    ):
        opts.emit("mip: no time to build the reductions and the model; returning the warm start")
        info["highs_status"] = "not run"
        return SolverOutput(
            solution={"sequence": red.sequence(order)},
            status=Status.FEASIBLE,
            bound=float(red.offset),
            objective=float(start_val),
            params=params,
            info=info,
        )
    dom = dominance_matrix(inst, red.core) if reductions and len(jobs) > 1 else None
    if dom is not None and int(dom.sum()) == len(jobs) * (len(jobs) - 1) // 2:
        # the dominance pairs order every pair: the order they define is optimal
        order = [int(jobs[a]) for a in np.argsort(dom.sum(axis=0), kind="stable")]
        start_val = inst.objective(red.sequence(order))
        origin = "dominance"
    info.update(start=origin, start_objective=start_val)
    if len(jobs) <= 1 or start_val == red.offset or origin == "dominance":
        return SolverOutput(
            solution={"sequence": red.sequence(order)},
            status=Status.OPTIMAL,
            bound=float(start_val),
            objective=float(start_val),
            params=params,
            info={**info, "trivial": True},
        )

    n_vars = _count_variables(formulation, p_all[jobs], dom)
    info["variables"] = n_vars
    est = n_vars * _BUILD_SECONDS_PER_VAR[formulation]
    if est > opts.deadline.remaining():
        opts.emit(
            f"mip: building {n_vars} variables would take about {est:.1f} s, more than the "
            f"time left; returning the warm start"
        )
        info["highs_status"] = "not run"
        return SolverOutput(
            solution={"sequence": red.sequence(order)},
            status=Status.FEASIBLE,
            bound=float(red.offset),
            objective=float(start_val),
            params=params,
            info=info,
        )

    import pyomo.environ as pyo  # deferred: Pyomo takes about half a second to import

    from ....engines import highs

    local = {int(j): a for a, j in enumerate(jobs)}
    p, d, w = p_all[jobs], d_all[jobs], w_all[jobs]
    local_order = [local[j] for j in order]
    if formulation == "positional":
        mdl, _ = _positional(pyo, p, d, w, dom)
        _positional_start(mdl, local_order, p, d)
    else:
        mdl, _ = _time_indexed(pyo, p, d, w, dom)
        _time_indexed_start(mdl, local_order, p)

    best_order, best_val = order, start_val
    bound = float(red.offset)  # tardiness is never negative
    limit = opts.deadline.limit_for(floor=0.0)
    if limit is not None and limit < 0.05:
        opts.emit("mip: no time left after building the model; returning the warm start")
        info["highs_status"] = "not run"
    else:
        # HiGHS reads the model written by Pyomo and runs in this thread; the log reaches
        # opts.log through HiGHS's callback (no file descriptor is redirected)
        run = highs.solve_pyomo(
            mdl,
            opts,
            warm_start=True,
            options={"mip_rel_gap": 0.0, "mip_abs_gap": 1.0 - 1e-6},  # integer objectives
        )
        term = run.highs_status
        info["highs_status"] = term
        info["nodes"] = run.nodes
        if run.objective is not None:
            cand_local = (
                _positional_decode(mdl, len(jobs))
                if formulation == "positional"
                else _time_indexed_decode(mdl, len(jobs))
            )
            if cand_local is not None:
                cand = [int(jobs[a]) for a in cand_local]
                val = inst.objective(red.sequence(cand))
                if val <= best_val:
                    best_order, best_val = cand, val
        raw = run.bound
        if raw is not None and math.isfinite(raw):
            tol = 1e-6 * max(1.0, abs(raw))
            bound = float(min(best_val, max(red.offset, math.ceil(raw - tol) + red.offset)))
        opts.emit(
            f"mip ({formulation}): HiGHS {term}, objective {best_val}, bound {bound}, "
            f"start {origin} {start_val}"
        )
    proved = bound >= best_val
    return SolverOutput(
        solution={"sequence": red.sequence(best_order)},
        status=Status.OPTIMAL if proved else Status.FEASIBLE,
        bound=bound,
        objective=float(best_val),
        params=params,
        info=info,
    )
