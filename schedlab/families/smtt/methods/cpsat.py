"""Exact CP-SAT interval model for 1||Σ w_j T_j, on the core left by the reductions of
:mod:`._reductions` (zero-length jobs first, never-tardy jobs last, dominance pairs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ....core import SolveOptions, SolverOutput, Status, register
from ..model import Instance
from ._reductions import Reduction, core_start, dominance_matrix, dominance_pairs, reduce_jobs

if TYPE_CHECKING:
    from ortools.sat.python import cp_model


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    # no time limit: CP-SAT may not close the gap at all, so auto leaves it out
    return 30.0 if inst.n <= 40 and time_limit is not None else None


def _start_only(red: Reduction, order: list[int], value: int, origin: str) -> SolverOutput:
    """The warm start, when the deadline passed before CP-SAT could run."""
    return SolverOutput(
        solution={"sequence": red.sequence(order)},
        status=Status.FEASIBLE,
        bound=float(red.offset),  # tardiness is never negative
        objective=float(value),
        info={"core_jobs": len(red.core), "start": origin, "cpsat_status": "not run"},
    )


def _trivial(red: Reduction, order: list[int], value: int) -> SolverOutput:
    return SolverOutput(
        solution={"sequence": red.sequence(order)},
        status=Status.OPTIMAL,
        bound=float(value),
        objective=float(value),
        info={"core_jobs": len(red.core), "trivial": True},
    )


@register(
    "smtt",
    "cpsat",
    exact=True,
    help="CP-SAT interval model with no-overlap and dominance constraints (exact).",
    engine="ortools",
    auto=_auto,
    work="CP-SAT deterministic time",
)
def solve_cpsat(inst: Instance, opts: SolveOptions) -> SolverOutput:
    """One interval per core job on one machine without idle time, tardiness
    T_j >= end_j - d_j, minimising Σ w_j T_j; warm-started from the hint or the best rule.

    Budget: the time limit and/or the work limit (CP-SAT's deterministic time, charged to
    the solve's work budget); without either it runs until CP-SAT proves the optimum. With a
    work limit, one worker and a seed, a run repeats exactly on any load."""
    p, d, w = inst.arrays
    red = reduce_jobs(inst)
    order, start_val, origin = core_start(inst, opts, red)
    if start_val == red.offset or len(red.core) <= 1:
        return _trivial(red, order, start_val)

    jobs = red.core
    horizon = int(sum(int(p[j]) for j in jobs))
    end = opts.deadline.end
    if opts.deadline.expired():
        opts.emit("cpsat: no time left after the warm start; returning it")
        return _start_only(red, order, start_val, origin)
    pairs = dominance_pairs(inst, jobs, end)
    if pairs is None or opts.deadline.expired():
        opts.emit("cpsat: the time limit passed in the dominance pairs; returning the warm start")
        return _start_only(red, order, start_val, origin)
    dom = dominance_matrix(inst, jobs)
    pc = p[np.asarray(jobs, dtype=np.int64)]
    before = dict(zip(jobs, (dom * pc[:, None]).sum(axis=0).tolist(), strict=True))
    after = dict(zip(jobs, (dom * pc[None, :]).sum(axis=1).tolist(), strict=True))
    from ....engines import cpsat  # imported here: loading the family loads no engine

    cp = cpsat.cp_model
    model = cp.CpModel()
    starts: dict[int, cp_model.IntVar] = {}
    ends: dict[int, cp_model.IntVar] = {}
    intervals = []
    terms: list[tuple[int, int, cp_model.IntVar, int]] = []  # (job, weight, var, constant)
    for k, j in enumerate(jobs):
        if k % 256 == 0 and opts.deadline.expired():
            opts.emit("cpsat: the time limit passed while building the model; returning the start")
            return _start_only(red, order, start_val, origin)
        pj = int(p[j])
        # all dominating jobs run before j, all dominated ones after it
        s = model.new_int_var(int(before[j]), horizon - pj - int(after[j]), f"s{j}")
        e = model.new_int_var(int(before[j]) + pj, horizon - int(after[j]), f"e{j}")
        intervals.append(model.new_interval_var(s, pj, e, f"i{j}"))
        starts[j], ends[j] = s, e
        dj = int(d[j])
        if w[j] == 0 or dj >= horizon - int(after[j]):
            continue
        if dj <= int(before[j]) + pj:  # always tardy: T_j = e_j - d_j exactly
            terms.append((j, int(w[j]), e, -dj))
        else:
            t = model.new_int_var(0, horizon - int(after[j]) - dj, f"t{j}")
            model.add(t >= e - dj)
            terms.append((j, int(w[j]), t, 0))
    model.add_no_overlap(intervals)
    # redundant: completion times are distinct, and the machine is busy until the horizon
    model.add_all_different(list(ends.values()))
    model.add_max_equality(model.new_int_var(horizon, horizon, "cmax"), list(ends.values()))
    for k, (i, j) in enumerate(pairs):
        if k % 1024 == 0 and opts.deadline.expired():
            opts.emit("cpsat: the time limit passed while building the model; returning the start")
            return _start_only(red, order, start_val, origin)
        model.add(ends[i] <= starts[j])
    const = sum(wj * c for _, wj, _, c in terms)
    model.minimize(sum(wj * v for _, wj, v, _ in terms) + const)

    hinted: set[int] = set()  # CP-SAT may share one variable between equal constants

    def hint(var: cp_model.IntVar, value: int) -> None:
        if var.index not in hinted:
            hinted.add(var.index)
            model.add_hint(var, value)

    done: dict[int, int] = {}
    clock = 0
    for j in order:
        hint(starts[j], clock)
        clock += int(p[j])
        hint(ends[j], clock)
        done[j] = clock
    for j, _, v, c in terms:
        if c == 0:
            hint(v, max(0, done[j] - int(d[j])))

    if opts.deadline.expired():
        opts.emit("cpsat: no time left after building the model; returning the warm start")
        return _start_only(red, order, start_val, origin)
    solver = cpsat.solver(opts)
    code = solver.solve(model)
    cpsat.charge(opts, solver)
    status_name = solver.status_name(code)
    opts.emit(
        f"cpsat: {status_name}, {len(jobs)} core jobs, {len(pairs)} dominance pairs, "
        f"start {origin} {start_val}"
    )

    best_order, best_val = order, start_val
    if cpsat.has_solution(code):
        cand = sorted(jobs, key=lambda j: (solver.value(starts[j]), j))
        val = inst.objective(red.sequence(cand))
        if val <= best_val:
            best_order, best_val = cand, val
    raw = cpsat.bound(solver)
    bound = float(red.offset)  # tardiness is never negative
    if raw is not None:
        bound = float(min(best_val, max(red.offset, raw + red.offset)))
    proved = code == cp.OPTIMAL and bound >= best_val
    return SolverOutput(
        solution={"sequence": red.sequence(best_order)},
        status=Status.OPTIMAL if proved else Status.FEASIBLE,
        bound=float(best_val) if proved else bound,
        objective=float(best_val),
        info={
            "cpsat_status": status_name,
            "core_jobs": len(jobs),
            "dominance_pairs": len(pairs),
            "start": origin,
            "start_objective": start_val,
            "branches": solver.num_branches,
            "conflicts": solver.num_conflicts,
            "wall_s": solver.wall_time,
            "deterministic_time": solver.deterministic_time,
        },
    )
