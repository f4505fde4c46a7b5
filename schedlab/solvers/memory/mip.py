"""``mip`` (mapping): HiGHS on the capacity relaxation, then a placement of its choice.

Every mapping keeps, at each moment, the buffers live in fast memory within the capacity;
dropping the offsets (the no-overlap in space) leaves a 0/1 program that HiGHS solves well
even for thousands of buffers:

    min  sum_s T_s
    T_s >= compute_s,   T_s >= slow_s - sum_b save_{s,b} y_b       (every step s)
    sum_{b live at t} size_b y_b <= capacity                         (every start time t)

Its optimum is a lower bound on every mapping's time. The chosen buffers are then placed at
offsets below the capacity (the greedy placements of allocation, then the ``exact`` search);
when they all fit, the mapping attains the bound and, with the program solved to optimality,
is proven optimal. When they do not, the buffers that do not fit stay in slow memory and the
others are added greedily; the marginal-benefit greedy is kept if it is better.
"""

from __future__ import annotations

import math
import os
import sys
from typing import Any

import numpy as np

from ...core import SolveError, SolveOptions, SolverOutput, Status, register
from ...core.timing import Deadline
from ...models.memory import Buffer, Instance
from . import _common, _kernels
from .exact import feasible
from .greedy import benefit_offsets

#: Share of the time limit for HiGHS; the rest is for the placement.
_MIP_SHARE = 0.7


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    return 30.0 if inst.kind == "mapping" else None


def _model(inst: Instance, ma: _common.MappingArrays) -> dict[str, Any]:
    """Columns (y per free buffer, T per step) and rows of the relaxation, row-wise."""
    lo, up, sz, _al, fx = inst.arrays
    cap = int(inst.capacity or 0)
    n, ns = inst.n, len(inst.steps)
    fixed = fx >= 0
    # buffers that can never be in fast memory are left out
    free = ~fixed & (sz <= cap)
    col = -np.ones(n, np.int64)
    col[free] = np.arange(int(free.sum()))
    ny = int(free.sum())
    cost = np.concatenate([np.zeros(ny), np.ones(ns)])
    lower = np.concatenate([np.zeros(ny), ma.compute])
    upper = np.concatenate([np.ones(ny), np.full(ns, np.inf)])
    starts, index, value, rlo, rup = [0], [], [], [], []
    d = ma.inv_slow - ma.inv_fast
    for s in range(ns):
        a, e = ma.step_ptr[s], ma.step_ptr[s + 1]
        bufs, nbytes = ma.step_buf[a:e], ma.step_bytes[a:e]
        inv = np.where(fixed[bufs], ma.inv_fast, ma.inv_slow)
        slow = float((nbytes * inv).sum())
        if slow <= ma.compute[s]:
            continue  # compute-bound whatever the mapping
        keep = col[bufs] >= 0
        index.extend([ny + s, *col[bufs[keep]].tolist()])
        value.extend([1.0, *(nbytes[keep] * d).tolist()])
        starts.append(len(index))
        rlo.append(slow)
        rup.append(np.inf)
    # capacity rows, scaled by the capacity; one per moment a buffer starts
    for t in np.unique(lo):
        live = (lo <= t) & (t < up)
        rest = cap - int(sz[live & fixed].sum())
        members = np.flatnonzero(live & free)
        if rest < 0:
            raise SolveError(f"mip: the fixed buffers live at step {t} exceed the capacity")
        if int(sz[members].sum()) <= rest:
            continue
        index.extend(col[members].tolist())
        value.extend((sz[members] / max(cap, 1)).tolist())
        starts.append(len(index))
        rlo.append(-np.inf)
        rup.append(rest / max(cap, 1))
    return {
        "ny": ny,
        "col": col,
        "cost": cost,
        "lower": lower,
        "upper": upper,
        "starts": np.asarray(starts, np.int32),
        "index": np.asarray(index, np.int32),
        "value": np.asarray(value, np.float64),
        "rlo": np.asarray(rlo, np.float64),
        "rup": np.asarray(rup, np.float64),
    }


def _new_highs() -> Any:
    """A ``highspy.Highs``; its C++ constructor writes a banner to file descriptor 1 (once per
    process), which would land in the CLI's output, so descriptor 1 points at the null device
    meanwhile."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
        return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _solve_relaxation(
    inst: Instance, ma: _common.MappingArrays, opts: SolveOptions, limit: float
) -> tuple[np.ndarray | None, float, str]:
    """HiGHS on the relaxation: (chosen buffers or None, dual bound, model status)."""
    import highspy

    mdl = _model(inst, ma)
    ny, ns = mdl["ny"], len(inst.steps)
    lp = highspy.HighsLp()
    lp.num_col_ = ny + ns
    lp.num_row_ = len(mdl["rlo"])
    lp.col_cost_ = mdl["cost"]
    lp.col_lower_ = mdl["lower"]
    lp.col_upper_ = mdl["upper"]
    lp.row_lower_ = mdl["rlo"]
    lp.row_upper_ = mdl["rup"]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = mdl["starts"]
    lp.a_matrix_.index_ = mdl["index"]
    lp.a_matrix_.value_ = mdl["value"]
    lp.integrality_ = [highspy.HighsVarType.kInteger] * ny + [highspy.HighsVarType.kContinuous] * ns
    # HiGHS keeps one thread pool per process, sized by the first run's "threads"
    highspy.Highs.resetGlobalScheduler(True)
    h = _new_highs()
    h.setOptionValue("output_flag", opts.log is not None)
    h.setOptionValue("log_to_console", False)
    if opts.log is not None:
        h.cbLogging.subscribe(lambda e: opts.emit(str(e.message).rstrip()))
    h.setOptionValue("threads", int(opts.threads))
    h.setOptionValue("random_seed", int(opts.seed))
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.setOptionValue("mip_abs_gap", 1e-9)
    if math.isfinite(limit):
        h.setOptionValue("time_limit", float(max(0.05, limit)))
    h.passModel(lp)
    # no MIP start: with one (setSolution), HiGHS 1.16 reported the optimum's value but
    # returned the start's columns on a program its presolve reduced; the greedy mapping is
    # compared afterwards instead
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    bound = float(info.mip_dual_bound)
    if info.primal_solution_status != 2:  # no feasible solution
        return None, bound, status
    y = np.asarray(h.getSolution().col_value[:ny]) > 0.5
    chosen = np.zeros(inst.n, dtype=bool)
    chosen[mdl["col"] >= 0] = y
    chosen[inst.arrays[4] >= 0] = True
    return chosen, bound, status


def _place(inst: Instance, chosen: np.ndarray, deadline: Deadline) -> np.ndarray | None:
    """Offsets below the capacity for exactly the ``chosen`` buffers, or ``None``."""
    lo, up, sz, al, fx = inst.arrays
    cap = int(inst.capacity or 0)
    idx = np.flatnonzero(chosen)
    sub = Instance(
        buffers=tuple(
            Buffer(
                id=str(k),
                lower=int(lo[i]),
                upper=int(up[i]),
                size=int(sz[i]),
                alignment=int(al[i]),
                offset=None if fx[i] < 0 else int(fx[i]),
            )
            for k, i in enumerate(idx)
        ),
        capacity=cap,
    )
    off = -np.ones(inst.n, np.int64)
    if len(idx) == 0:
        return off
    if sub.max_load > cap:
        return None
    g, _ = _common.best_greedy(sub, deadline)
    if g is None or _common.peak(sub, g) > cap:
        g, _inf, _k = feasible(sub, cap, deadline)
        if g is None:
            return None
    off[idx] = g
    return off


def _repair(inst: Instance, ma: _common.MappingArrays, chosen: np.ndarray) -> np.ndarray:
    """A mapping from a choice that did not fit: the chosen buffers by size (what does not fit
    stays in slow memory), then the others by standalone benefit, each by best fit."""
    lo, up, sz, al, fx = inst.arrays
    ben = _common.standalone_benefit(ma, inst.n)
    idx = np.arange(inst.n)
    first = np.lexsort((idx, -(up - lo), -sz))
    first = first[chosen[first]]
    rest = np.lexsort((idx, -ben / np.sqrt(np.maximum(sz, 1))))
    rest = rest[~chosen[rest] & (ben[rest] > 0)]
    order = np.concatenate([first, rest])
    return _kernels.place(order, lo, up, sz, al, fx, int(inst.capacity or 0), True, True)


@register(
    "memory",
    "mip",
    exact=True,
    help="Mapping: HiGHS on the capacity relaxation (a bound), its choice placed at offsets.",
    engine="highs",
    auto=_auto,
    warmup=_common.warm_up,
)
def solve_mip(inst: Instance, opts: SolveOptions) -> SolverOutput:
    """Solve the capacity relaxation of a mapping instance with HiGHS (its optimum is a lower
    bound), then place the chosen buffers; optimal when they all fit and HiGHS proved its
    program optimal."""
    if inst.kind != "mapping":
        raise SolveError("mip is for mapping instances (allocation: use exact or cpsat)")
    dl = opts.deadline
    ma = _common.mapping_arrays(inst)
    start = _common.hint_offsets(inst, opts.hint)
    if start is None:
        start = benefit_offsets(inst)
    start_cost = _common.mapping_cost(ma, start >= 0)
    lb = inst.lower_bound()
    rem = dl.remaining()
    limit = rem * _MIP_SHARE if math.isfinite(rem) else math.inf
    chosen, bound, status = _solve_relaxation(inst, ma, opts, limit)
    info: dict[str, Any] = {"highs_status": status, "relaxation_bound": bound}
    bound = max(lb, bound) if math.isfinite(bound) else lb
    best, best_cost, origin = start, start_cost, "greedy"
    if chosen is not None:
        off = _place(inst, chosen, dl)
        info["placed"] = off is not None
        if off is None:
            off = _repair(inst, ma, chosen)
        cost = _common.mapping_cost(ma, off >= 0)
        if cost < best_cost:
            best, best_cost, origin = off, cost, "relaxation" if info["placed"] else "repair"
    info["origin"] = origin
    bound = min(bound, best_cost)
    close = best_cost - bound <= 1e-7 * max(1.0, abs(best_cost))
    return SolverOutput(
        solution=_common.solution(inst, best),
        status=Status.OPTIMAL if close and status == "Optimal" else Status.FEASIBLE,
        bound=best_cost if close and status == "Optimal" else bound,
        info=info,
    )
