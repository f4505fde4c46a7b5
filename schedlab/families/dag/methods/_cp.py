"""The CP-SAT models of dag, for the whole instance or a part of it.

**Disjunctive model** (any instance): per task a start, a duration and an end; per eligible
processor a literal and an optional fixed-size interval sharing the start, exactly one
chosen; a no-overlap per processor (tasks of time zero occupy none). An edge ``(a, b)``
with communication: ``b`` on ``q`` starts after ``a``'s end plus ``sum_p delay(p, q) x[a,
p]`` (exact, since exactly one ``x[a, p]`` holds); with one side's processor known, one
linear constraint. Redundant: a cumulative of capacity ``P`` over the tasks, the energy
bound ``P * makespan >= sum of durations``, heads and tails of least times in the start
domains and the makespan above every end plus its tail; processors that are exchangeable
(equal times, symmetric communication) are used in order of their lowest task
(symmetry).

**Aggregated model** (no communication delay at all): processors are grouped into classes
of identical ones; a task chooses a class, and a cumulative of the class's size replaces the
per-processor no-overlap. Any such schedule is turned into one per processor (an interval
graph of at most ``k`` overlapping tasks is ``k``-colourable), so the model is exact and far
stronger on ``P|prec|C_max`` (the STG set); its solves turn CP-SAT's timetable edge finding in
cumulatives on (it proves most of the STG instances the published table leaves open within
seconds). Per-processor (or per-class) load constraints give the LP bound of ``R||C_max``.

The same builder serves the sub-problems of ``lns`` (tasks with a fixed processor and kept
sequences, tasks frozen in time) and the rolling re-optimisation of the online simulator
(release times, frozen started tasks, the sum of job completion times as objective).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ....core.options import SolveOptions
from ....core.status import Status
from ._graph import Graph, Schedule
from ._watch import Expired, Watch


def by_work(opts: SolveOptions) -> bool:
    """True when a work limit and no time limit bound the solve (nothing steering it may
    read the wall clock then)."""
    return opts.work_limit is not None and opts.time_limit is None


def classes(g: Graph) -> list[list[int]]:
    """Processors grouped into classes of exchangeable ones: equal times for every task and
    swapping two of them leaves every delay unchanged."""
    out: list[list[int]] = []
    for p in range(g.P):
        for cls in out:
            q = cls[0]
            if _swappable(g, p, q):
                cls.append(p)
                break
        else:
            out.append([p])
    return out


def _swappable(g: Graph, p: int, q: int) -> bool:
    if not np.array_equal(g.times[:, p], g.times[:, q]):
        return False
    if not g.comm:
        return True
    others = [r for r in range(g.P) if r not in (p, q)]
    for m in (g.bw, g.lat):
        if m[p, q] != m[q, p]:
            return False
        if others and (
            not np.array_equal(m[p, others], m[q, others])
            or not np.array_equal(m[others, p], m[others, q])
        ):
            return False
    return True


@dataclass
class Part:
    """What to model.

    Attributes:
        free: tasks whose processor is free (``None``: every task not fixed or frozen).
        proc: each task's processor where it is fixed (``-1``: free); a fixed task keeps
            that processor.
        frozen: tasks fixed in time too (at ``start``): constants.
        start: starts of the frozen tasks (and of every task, for a hint).
        arcs: pairs ``(a, b)``: ``b`` starts after ``a`` ends (kept sequences).
        release: earliest start of each task (default 0).
        ub: makespan upper bound (inclusive), if known.
        lb: makespan lower bound.
        hint: a schedule to warm-start from (every task).
        jobs: with the objective ``"jobs"``: each task's job (``-1``: none) and the jobs'
            weights: minimise ``sum of weight * completion`` over the jobs.
        compact: weight of the sum of the free tasks' ends beside the makespan (0: none).
        symmetry: order exchangeable processors.
        aggregate: use the aggregated model when there is no communication.
    """

    free: np.ndarray | None = None
    proc: np.ndarray | None = None
    frozen: np.ndarray | None = None
    start: np.ndarray | None = None
    arcs: list[tuple[int, int]] = field(default_factory=list)
    release: np.ndarray | None = None
    ub: int | None = None
    lb: int = 0
    hint: Schedule | None = None
    jobs: tuple[np.ndarray, np.ndarray] | None = None
    compact: int = 0
    symmetry: bool = True
    aggregate: bool = True


@dataclass
class CpOutcome:
    """What a solve gave: CP-SAT's status, the schedule (``None`` without one), the
    makespan variable's value, CP-SAT's objective bound, seconds (building included) and
    deterministic time, and the seconds inside CP-SAT's solve alone."""

    status: Status
    schedule: Schedule | None
    makespan: int | None
    bound: float
    objective: float | None
    wall: float
    work: float = 0.0
    solve_s: float = 0.0

    @property
    def has_solution(self) -> bool:
        """True if a schedule came back."""
        return self.schedule is not None


def horizon(g: Graph) -> int:
    """An upper bound on any sensible makespan: every task at its longest time, one after
    the other, each edge at its longest delay."""
    longest = int(np.where(g.eligible, g.times, 0).max(axis=1).sum())
    if g.comm and len(g.vol):
        finite = g.bw[g.bw > 0]
        bmin = int(finite.min()) if finite.size else 0
        lat = int(g.lat.max())
        t = -(-g.vol // bmin) if bmin else np.zeros_like(g.vol)
        longest += int(t.sum()) + lat * len(g.vol)
    return longest


def solve_part(
    g: Graph,
    part: Part,
    opts: SolveOptions,
    *,
    time_limit: float | None = None,
    work: float | None = None,
    threads: int | None = None,
    log: bool = False,
    params: dict[str, Any] | None = None,
    cap_build: bool = False,
) -> CpOutcome:
    """Build and solve the model of ``part`` within the deadline and the work budget of
    ``opts`` (``time_limit``: a further cap in seconds, model building included, ignored
    when :func:`by_work`; ``work``: a further cap in deterministic time). The solve's
    deterministic time is charged to ``opts.work``.

    The build checks the deadline (and, with ``cap_build`` and a time limit in ``opts``,
    ``time_limit`` too) as it goes: when the time is gone it stops, and the outcome is
    ``UNKNOWN`` without a schedule (bound ``part.lb``). CP-SAT gets what the build left."""
    from ....engines import cpsat

    t0 = time.perf_counter()
    cap = None
    if cap_build and time_limit is not None and opts.time_limit is not None:
        cap = t0 + time_limit
    try:
        # a tenth of the build's time is kept for freeing a model abandoned at the deadline
        model, vars_ = build(g, part, watch=Watch(opts.deadline, cap, reserve=0.1))
    except Expired:
        return CpOutcome(Status.UNKNOWN, None, None, float(part.lb), None, time.perf_counter() - t0)
    run_opts = replace(opts, log=opts.log if log else None)
    if by_work(opts):
        time_limit = None
    limit = None if time_limit is None else max(0.01, time_limit - (time.perf_counter() - t0))
    if opts.deadline.expired():
        return CpOutcome(Status.UNKNOWN, None, None, float(part.lb), None, time.perf_counter() - t0)
    # the aggregated model: timetable edge finding in its cumulatives closes most open STG
    # instances at once (on the disjunctive model it slows the search down)
    prm = dict(params or {})
    if vars_.groups is not None:
        prm.setdefault("use_timetable_edge_finding_in_cumulative", True)
    solver = cpsat.solver(run_opts, time_limit=limit, work=work, threads=threads, params=prm)
    t1 = time.perf_counter()
    code = solver.solve(model)
    solve_s = time.perf_counter() - t1
    used = cpsat.charge(run_opts, solver)
    status = cpsat.status(code)
    sched = None
    cmax = None
    objective = None
    if status.has_solution:
        sched = vars_.extract(solver)
        cmax = int(solver.value(vars_.makespan))
        objective = float(solver.objective_value)
    return CpOutcome(
        status=status,
        schedule=sched,
        makespan=cmax,
        bound=float(solver.best_objective_bound),
        objective=objective,
        wall=time.perf_counter() - t0,
        work=used,
        solve_s=solve_s,
    )


@dataclass
class _Vars:
    g: Graph
    part: Part
    starts: dict[int, Any]
    lits: dict[int, dict[int, Any]]  # task -> processor (or class) -> literal (None: sure)
    fixed_proc: np.ndarray
    frozen: np.ndarray
    makespan: Any
    groups: list[list[int]] | None  # aggregated: the classes

    def extract(self, solver: Any) -> Schedule:
        g = self.g
        proc = self.fixed_proc.copy()
        start = np.zeros(g.n, dtype=np.int64)
        if self.part.start is not None:
            start[self.frozen] = self.part.start[self.frozen]
        for i, s in self.starts.items():
            start[i] = int(solver.value(s))
        for i, lits in self.lits.items():
            for key, x in lits.items():
                if x is None or solver.boolean_value(x):
                    proc[i] = key
                    break
        if self.groups is not None:
            proc = _colour(g, self.groups, proc, start, self.fixed_proc)
        return Schedule(proc, start)


def _colour(
    g: Graph, groups: list[list[int]], cls: np.ndarray, start: np.ndarray, fixed: np.ndarray
) -> np.ndarray:
    """Processors for an aggregated solution: in each class, tasks by start, each on a free
    processor of the class (the one free the longest); tasks with a fixed processor keep it."""
    proc = np.full(g.n, -1, dtype=np.int64)
    for c, members in enumerate(groups):
        tasks = [i for i in range(g.n) if cls[i] == c]
        tasks.sort(key=lambda i: (int(start[i]), i))
        free_at = dict.fromkeys(members, 0)
        for i in tasks:
            dur = int(g.times[i, members[0]])
            if fixed[i] >= 0:
                p = int(fixed[i])
            else:
                avail = [p for p in members if free_at[p] <= start[i]]
                p = min(avail, key=lambda q: (free_at[q], q)) if avail else members[0]
            proc[i] = p
            if dur > 0:
                free_at[p] = int(start[i]) + dur
    return proc


def build(g: Graph, part: Part, watch: Watch | None = None) -> tuple[Any, _Vars]:
    """The CP-SAT model of ``part`` and its variables (:class:`._watch.Expired` once
    ``watch`` is over: its loops check it as they go)."""
    from ....engines.cpsat import cp_model

    tick = watch.tick if watch is not None else _no_tick

    n, P = g.n, g.P
    model = cp_model.CpModel()
    fixed_proc = (
        np.full(n, -1, dtype=np.int64) if part.proc is None else part.proc.astype(np.int64).copy()
    )
    frozen = np.zeros(n, dtype=bool) if part.frozen is None else part.frozen.astype(bool)
    if part.free is not None:
        fixed_free = np.ones(n, dtype=bool)
        fixed_free[np.asarray(part.free, dtype=np.int64)] = False
        # a task neither free nor given a processor keeps the hint's
        if part.hint is not None:
            miss = fixed_free & (fixed_proc < 0)
            fixed_proc[miss] = part.hint.proc[miss]
        for i in np.asarray(part.free, dtype=np.int64):
            fixed_proc[i] = -1
    for i in np.nonzero(frozen)[0]:
        assert fixed_proc[i] >= 0 and part.start is not None
    release = np.zeros(n, dtype=np.int64) if part.release is None else part.release
    ub = part.ub if part.ub is not None else int(release.max()) + horizon(g)
    lb = part.lb
    aggregate = (
        part.aggregate
        and not g.comm
        and part.proc is None
        and part.free is None
        and not frozen.any()
    )
    groups = classes(g) if aggregate else None
    if groups is not None and all(len(c) == 1 for c in groups):
        groups = None  # nothing to aggregate
    key_of = np.arange(P)
    if groups is not None:
        for c, members in enumerate(groups):
            key_of[members] = c
    # earliest starts (heads from releases and frozen ends, least times, no communication)
    tmin = g.tmin
    est = release.astype(np.int64).copy()
    for i in g.order:
        tick()
        if frozen[i]:
            est[i] = part.start[i]  # type: ignore[index]
            e_i = est[i] + g.times[i, fixed_proc[i]]
        else:
            e_i = est[i] + (g.times[i, fixed_proc[i]] if fixed_proc[i] >= 0 else tmin[i])
        for k in g.succs(int(i)):
            j = g.succ_idx[k]
            if e_i > est[j]:
                est[j] = e_i
    tails = g.tails
    starts: dict[int, Any] = {}
    ends: dict[int, Any] = {}
    lits: dict[int, dict[int, Any]] = {}
    durs: list[Any] = []
    per_key: dict[int, list[Any]] = {}
    main: list[Any] = []
    const_end: dict[int, int] = {}
    loads: dict[int, list[Any]] = {}  # per processor (or class): time * literal of its tasks
    const_load: dict[int, int] = {}  # per processor: the time of frozen tasks on it
    for i in range(n):
        tick()
        if frozen[i]:
            s0 = int(part.start[i])  # type: ignore[index]
            dur = int(g.times[i, fixed_proc[i]])
            const_end[i] = s0 + dur
            if dur > 0:
                key = int(key_of[fixed_proc[i]])
                const_load[key] = const_load.get(key, 0) + dur
                per_key.setdefault(key, []).append(
                    model.new_fixed_size_interval_var(s0, dur, f"f{i}")
                )
            continue
        if fixed_proc[i] >= 0:
            options = [(int(fixed_proc[i]), int(g.times[i, fixed_proc[i]]))]
        else:
            options = [(p, int(g.times[i, p])) for p in range(P) if g.eligible[i, p]]
        if groups is not None:
            seen: dict[int, int] = {}
            for p, t in options:
                seen.setdefault(int(key_of[p]), t)
            keyed = list(seen.items())
        else:
            keyed = options
        lo = int(est[i])
        tmin_i = min(t for _, t in keyed)
        tmax_i = max(t for _, t in keyed)
        hi = max(lo, ub - int(tails[i]) - tmin_i)
        s = model.new_int_var(lo, hi, f"s{i}")
        starts[i] = s
        if len(keyed) == 1:
            key, t = keyed[0]
            ends[i] = s + t
            durs.append(t)
            lits[i] = {key: None}
            loads.setdefault(key, []).append(t)
            if t > 0:
                iv = model.new_fixed_size_interval_var(s, t, f"i{i}")
                per_key.setdefault(key, []).append(iv)
                main.append((iv, 1))
            continue
        ts = sorted({t for _, t in keyed})
        d = model.new_int_var_from_domain(cp_model.Domain.from_values(ts), f"d{i}")
        e = model.new_int_var(lo + tmin_i, hi + tmax_i, f"e{i}")
        model.add(e == s + d)
        ends[i] = e
        durs.append(d)
        row: dict[int, Any] = {}
        for key, t in keyed:
            x = model.new_bool_var(f"x{i}_{key}")
            row[key] = x
            if t > 0:
                loads.setdefault(key, []).append(t * x)
                per_key.setdefault(key, []).append(
                    model.new_optional_fixed_size_interval_var(s, t, x, f"a{i}_{key}")
                )
        model.add_exactly_one(row.values())
        model.add(d == sum(t * row[key] for key, t in keyed))
        lits[i] = row
        if tmin_i > 0:
            main.append((model.new_interval_var(s, d, e, f"m{i}"), 1))

    def end_of(i: int) -> Any:
        return const_end[i] if i in const_end else ends[i]

    # resources
    for key, ivs in per_key.items():
        cap = len(groups[key]) if groups is not None else 1
        if len(ivs) > cap:
            if cap == 1:
                model.add_no_overlap(ivs)
            else:
                model.add_cumulative(ivs, [1] * len(ivs), cap)
    # precedence
    for e_idx in range(len(g.src)):
        tick()
        a, b, vol = int(g.src[e_idx]), int(g.dst[e_idx]), int(g.vol[e_idx])
        if frozen[b]:
            if frozen[a]:
                continue
            sb = int(part.start[b])  # type: ignore[index]
        else:
            sb = starts[b]
        ea = end_of(a)
        if not g.comm or groups is not None:
            model.add(ea <= sb)
            continue
        pa, pb = int(fixed_proc[a]), int(fixed_proc[b])
        dm = g.delay_matrix(vol)
        if pa >= 0 and pb >= 0:
            model.add(ea + int(dm[pa, pb]) <= sb)
        elif pa >= 0:
            row = lits[b]
            if len(row) == 1:
                (q,) = row
                model.add(ea + int(dm[pa, q]) <= sb)
            else:
                model.add(ea + sum(int(dm[pa, q]) * x for q, x in row.items()) <= sb)
        elif pb >= 0:
            row = lits[a]
            if len(row) == 1:
                (p,) = row
                model.add(ea + int(dm[p, pb]) <= sb)
            else:
                model.add(ea + sum(int(dm[p, pb]) * x for p, x in row.items()) <= sb)
        else:
            ra, rb = lits[a], lits[b]
            if len(ra) == 1:
                (p,) = ra
                if len(rb) == 1:
                    (q,) = rb
                    model.add(ea + int(dm[p, q]) <= sb)
                else:
                    model.add(ea + sum(int(dm[p, q]) * x for q, x in rb.items()) <= sb)
                continue
            pairs = [(p, q) for p in ra for q in rb]
            if not any(dm[p, q] for p, q in pairs):
                model.add(ea <= sb)
                continue
            model.add(ea + min(int(dm[p, q]) for p, q in pairs) <= sb)
            for q, xq in rb.items():
                terms = [(int(dm[p, q]), xa) for p, xa in ra.items() if dm[p, q]]
                if not terms:
                    continue
                ct = model.add(ea + sum(c_ * x for c_, x in terms) <= sb)
                if xq is not None:
                    ct.only_enforce_if(xq)
    for a, b in part.arcs:
        if not frozen[b]:
            model.add(starts[b] >= end_of(a))
    # makespan
    top = max(lb, ub)
    makespan = model.new_int_var(max(lb, 0), top, "makespan")
    for i in range(n):
        tick()
        if i in const_end:
            model.add(makespan >= const_end[i])
        else:
            model.add(makespan >= ends[i] + int(tails[i]))
    if groups is None and len(main) > 1 and P > 1 and any(len(r) > 1 for r in lits.values()):
        model.add_cumulative([iv for iv, _ in main], [1] * len(main), P)
    if durs:
        model.add(P * makespan >= sum(durs) + sum(int(x) for x in const_load.values()))
    # each processor's (or class's) load fits below the makespan: the LP bound of R||C_max
    for key, load in loads.items():
        cap = len(groups[key]) if groups is not None else 1
        if len(load) > 1:
            model.add(cap * makespan >= sum(load) + const_load.get(key, 0))
    if part.symmetry and part.free is None and part.proc is None and not frozen.any():
        _order_exchangeable(g, model, lits, groups, tick)
    # objective
    if part.jobs is not None:
        job, weight = part.jobs
        by_job: dict[int, list[int]] = {}
        for i in range(n):
            if job[i] >= 0:
                by_job.setdefault(int(job[i]), []).append(i)
        comp = []
        for j, members in sorted(by_job.items()):
            cj = model.new_int_var(0, top, f"c{j}")
            for i in members:
                model.add(cj >= end_of(i))
            comp.append(int(weight[j]) * cj)
        model.minimize(sum(comp))
    elif part.compact:
        big = n + 1
        chosen = ends if part.free is None else {i: ends[i] for i in part.free if i in ends}
        model.minimize(big * makespan + part.compact * sum(chosen.values()))
    else:
        model.minimize(makespan)
    if part.hint is not None:
        _hint(g, model, part, starts, lits, makespan, key_of, tick)
    return model, _Vars(g, part, starts, lits, fixed_proc, frozen, makespan, groups)


def _no_tick() -> None:
    pass


def _hint(
    g: Graph,
    model: Any,
    part: Part,
    starts: dict[int, Any],
    lits: dict[int, dict[int, Any]],
    makespan: Any,
    key_of: np.ndarray,
    tick: Any,
) -> None:
    h = part.hint
    assert h is not None
    cmax = 0
    for i, s in starts.items():
        tick()
        p = int(h.proc[i])
        t = int(g.times[i, p])
        model.add_hint(s, int(h.start[i]))
        cmax = max(cmax, int(h.start[i]) + t)
        row = lits[i]
        if len(row) > 1:
            key = int(key_of[p])
            for k, x in row.items():
                model.add_hint(x, k == key)
    ends_all = h.start + g.times[np.arange(g.n), h.proc]
    cmax = max(cmax, int(ends_all.max()) if g.n else 0)
    if part.jobs is None and not part.compact:
        model.add_hint(makespan, cmax)


def _order_exchangeable(
    g: Graph,
    model: Any,
    lits: dict[int, dict[int, Any]],
    groups: list[list[int]] | None,
    tick: Any = _no_tick,
) -> None:
    """In each class of exchangeable processors ``c_0, c_1, ...``, processor ``c_{k+1}``
    runs task ``i`` only if ``c_k`` runs a task of lower index (processors relabelled by
    their lowest task). The aggregated model has no processor to order."""
    if groups is not None:
        return
    for cls in classes(g):
        for pk, pn in zip(cls, cls[1:], strict=False):
            used = None  # pk runs one of the tasks before i
            for i in range(g.n):
                tick()
                row = lits.get(i)
                xk = row.get(pk) if row else None
                xn = row.get(pn) if row else None
                if xn is not None:
                    if used is None:
                        model.add(xn == 0)
                    else:
                        model.add_implication(xn, used)
                if xk is not None:
                    if used is None:
                        used = xk
                    else:
                        u = model.new_bool_var(f"u{pk}_{i}")
                        model.add_bool_or([used, xk]).only_enforce_if(u)
                        model.add_implication(used, u)
                        model.add_implication(xk, u)
                        used = u


def proven_bound(value: float, lb: int) -> int:
    """CP-SAT's objective bound rounded up (the makespan is integer), never below ``lb``."""
    if not math.isfinite(value):
        return lb
    return max(lb, int(math.ceil(value - 1e-6)))
