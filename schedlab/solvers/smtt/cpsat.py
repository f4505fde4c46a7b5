"""Exact CP-SAT interval model for 1||Σ w_j T_j, with provably valid reductions.

Also home of the reductions the exact models share (:func:`reduce_jobs`,
:func:`dominance_pairs`, :func:`repair_order`, :func:`core_start`), each valid in the sense
that some optimal schedule survives it:

- zero-length jobs go first (they finish at 0, the earliest possible, and delay nobody);
- a job whose due date is at least the total processing time of the jobs not yet placed at
  the end never becomes tardy if placed last among them, and moving it there delays nobody:
  such jobs are peeled off the end, repeatedly (a decomposition of the instance);
- Rinnooy Kan, Lageweg & Lenstra's (1975) weighted extension of Emmons' rule: if
  p_i <= p_j, w_i >= w_j and d_i <= d_j (ties broken by job index) some optimal schedule
  runs i before j, for all such pairs at once (an inverted pair can be swapped without
  raising the cost, and every swap lowers the number of inversions against the linear
  extension ordered by (p, -w, d, index)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ...core import SolveOptions, SolverOutput, Status, register
from ...models.smtt import Instance
from ._rules import best_rule

if TYPE_CHECKING:
    from ortools.sat.python import cp_model


@dataclass(frozen=True)
class Reduction:
    """An instance split into a fixed head, a core to optimise and a fixed tail.

    Attributes:
        head: zero-length jobs, scheduled first.
        core: the jobs left to sequence (original indices, increasing).
        tail: jobs that are never tardy at the end, in processing order.
        offset: the weighted tardiness of the head jobs (a constant).
    """

    head: tuple[int, ...]
    core: tuple[int, ...]
    tail: tuple[int, ...]
    offset: int

    def sequence(self, core_order: list[int]) -> list[int]:
        """The full processing order around an order of the core jobs."""
        return [*self.head, *core_order, *self.tail]


def reduce_jobs(inst: Instance) -> Reduction:
    """Split off zero-length jobs (first) and never-tardy jobs (last); see the module doc."""
    p, d, w = inst.arrays
    head = [j for j in range(inst.n) if p[j] == 0]
    offset = int(sum(int(w[j]) * max(0, -int(d[j])) for j in head))
    left = [j for j in range(inst.n) if p[j] > 0]
    horizon = int(sum(int(p[j]) for j in left))
    blocks: list[list[int]] = []
    while left:
        late = [j for j in left if d[j] >= horizon]
        if not late:
            break
        blocks.append(late)
        left = [j for j in left if d[j] < horizon]
        horizon -= int(sum(int(p[j]) for j in late))
    tail = [j for block in reversed(blocks) for j in block]
    return Reduction(tuple(head), tuple(left), tuple(tail), offset)


def dominance_matrix(inst: Instance, jobs: tuple[int, ...] | list[int]) -> np.ndarray:
    """``D[a, b]`` true when some optimal schedule runs ``jobs[a]`` before ``jobs[b]``
    (p <= , w >= , d <= , ties by index): a strict partial order, hence transitive."""
    p, d, w = inst.arrays
    js = np.asarray(jobs, dtype=np.int64)
    pp, dd, ww = p[js][:, None], d[js][:, None], w[js][:, None]
    idx = np.arange(len(js))
    same = (pp == pp.T) & (ww == ww.T) & (dd == dd.T)
    return (pp <= pp.T) & (ww >= ww.T) & (dd <= dd.T) & (~same | (idx[:, None] < idx[None, :]))


def dominance_pairs(inst: Instance, jobs: tuple[int, ...] | list[int]) -> list[tuple[int, int]]:
    """Pairs (i, j) of ``jobs`` such that some optimal schedule runs i before j (see
    :func:`dominance_matrix`), transitively reduced."""
    if len(jobs) < 2:
        return []
    dom = dominance_matrix(inst, jobs)
    two_step = (dom.astype(np.int32) @ dom.astype(np.int32)) > 0
    keep = dom & ~two_step
    return [(int(jobs[a]), int(jobs[b])) for a, b in zip(*np.nonzero(keep), strict=True)]


def repair_order(inst: Instance, order: list[int]) -> list[int]:
    """Swap dominance-violating pairs (see :func:`dominance_pairs`) until none is left; never
    raises the weighted tardiness of the order."""
    p, d, w = inst.arrays
    seq = list(order)
    arr = np.asarray(seq, dtype=np.int64)
    for a in range(len(seq) - 1):
        while True:
            j = seq[a]
            rest = arr[a + 1 :]
            dom = (p[rest] <= p[j]) & (w[rest] >= w[j]) & (d[rest] <= d[j])
            tie = (p[rest] == p[j]) & (w[rest] == w[j]) & (d[rest] == d[j])
            dom &= ~tie | (rest < j)
            if not dom.any():
                break
            cand = np.nonzero(dom)[0]
            # the earliest job in the linear extension (p, -w, d, index) among the dominators
            keys = np.lexsort((rest[cand], d[rest[cand]], -w[rest[cand]], p[rest[cand]]))
            b = a + 1 + int(cand[keys[0]])
            seq[a], seq[b] = seq[b], seq[a]
            arr[a], arr[b] = arr[b], arr[a]
    return seq


def core_start(inst: Instance, opts: SolveOptions, red: Reduction) -> tuple[list[int], int, str]:
    """The warm start restricted to the core: (core order, its full objective, origin).

    The hint (if any, already checked by the core) or the best dispatching rule, whichever
    is better, with the head and tail jobs taken out (which never raises its cost) and
    dominance-violating pairs swapped (neither)."""
    p, d, w = inst.arrays
    origin, seq, _ = best_rule(p, d, w)
    if opts.hint is not None:
        hinted = [int(j) for j in opts.hint["sequence"]]
        if inst.objective(hinted) <= inst.objective(seq):
            origin, seq = "hint", hinted
    core = set(red.core)
    order = repair_order(inst, [int(j) for j in seq if int(j) in core])
    return order, inst.objective(red.sequence(order)), origin


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    # no time limit: CP-SAT may not close the gap at all, so auto leaves it out
    return 30.0 if inst.n <= 40 and time_limit is not None else None


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
)
def solve_cpsat(inst: Instance, opts: SolveOptions) -> SolverOutput:
    """One interval per core job on one machine without idle time, tardiness
    T_j >= end_j - d_j, minimising Σ w_j T_j; warm-started from the hint or the best rule."""
    p, d, w = inst.arrays
    red = reduce_jobs(inst)
    order, start_val, origin = core_start(inst, opts, red)
    if start_val == red.offset or len(red.core) <= 1:
        return _trivial(red, order, start_val)

    jobs = red.core
    horizon = int(sum(int(p[j]) for j in jobs))
    dom = dominance_matrix(inst, jobs)
    pc = p[np.asarray(jobs, dtype=np.int64)]
    before = dict(zip(jobs, (dom * pc[:, None]).sum(axis=0).tolist(), strict=True))
    after = dict(zip(jobs, (dom * pc[None, :]).sum(axis=1).tolist(), strict=True))
    from ortools.sat.python import cp_model  # imported here: a sweep worker that runs
    # another method need not pay for it

    model = cp_model.CpModel()
    starts: dict[int, cp_model.IntVar] = {}
    ends: dict[int, cp_model.IntVar] = {}
    intervals = []
    terms: list[tuple[int, int, cp_model.IntVar, int]] = []  # (job, weight, var, constant)
    for j in jobs:
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
    pairs = dominance_pairs(inst, jobs)
    for i, j in pairs:
        model.add(ends[i] <= starts[j])
    const = sum(wj * c for _, wj, _, c in terms)
    model.minimize(sum(wj * v for _, wj, v, _ in terms) + const)

    hinted: set[int] = set()  # CP-SAT may share one variable between equal constants

    def hint(var: cp_model.IntVar, value: int) -> None:
        if var.index not in hinted:
            hinted.add(var.index)
            model.add_hint(var, value)

    done: dict[int, int] = {}
    t = 0
    for j in order:
        hint(starts[j], t)
        t += int(p[j])
        hint(ends[j], t)
        done[j] = t
    for j, _, v, c in terms:
        if c == 0:
            hint(v, max(0, done[j] - int(d[j])))

    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = opts.threads
    prm.random_seed = opts.seed
    limit = opts.deadline.limit_for()
    if limit is not None:
        prm.max_time_in_seconds = limit
    prm.log_search_progress = opts.log is not None
    prm.log_to_stdout = False
    if opts.log is not None:
        solver.log_callback = opts.emit
    code = solver.solve(model)
    status_name = solver.status_name(code)
    opts.emit(
        f"cpsat: {status_name}, {len(jobs)} core jobs, {len(pairs)} dominance pairs, "
        f"start {origin} {start_val}"
    )

    best_order, best_val = order, start_val
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        cand = sorted(jobs, key=lambda j: (solver.value(starts[j]), j))
        val = inst.objective(red.sequence(cand))
        if val <= best_val:
            best_order, best_val = cand, val
    raw = solver.best_objective_bound
    bound = float(red.offset)  # tardiness is never negative
    if math.isfinite(raw):
        bound = float(min(best_val, max(red.offset, math.ceil(raw - 1e-6) + red.offset)))
    proved = code == cp_model.OPTIMAL and bound >= best_val
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
        },
    )
