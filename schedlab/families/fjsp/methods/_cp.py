"""The CP-SAT model of the flexible job shop, for the whole instance or a part of it.

One interval per operation (its duration a variable over the eligible times) and one
optional fixed-size interval per eligible machine sharing the operation's start, exactly one
chosen; a no-overlap per machine; the job chains; the makespan above every job's last end.
Redundant: a cumulative of capacity M over the operation intervals, an energy bound
``M * makespan >= total work``, start windows from the heads and tails of minimum times, and
the first operations of identical jobs ordered (symmetry).

The same builder serves the sub-problems of ``lns`` (some machines fixed, some machine
orders kept as arcs) and of ``rho`` (a window of operations with job and machine release
times). The solver comes from :func:`schedlab.engines.cpsat.solver`, imported when a model
is solved (so that importing this module loads no engine).

Work limits: every solve is capped by the options' work budget (CP-SAT's deterministic time)
and charged to it. When the budget alone bounds the solve (a work limit and no time limit,
see :func:`by_work`), the wall-clock caps of a sub-solve (``time_limit``, ``stall``) are off,
so that a seeded one-worker run repeats exactly on any load.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ....core.options import SolveOptions
from ....core.status import Status
from ._data import Flat

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

#: Above this many operations, ``auto`` prefers the rolling horizon (``rho``) to ``cpsat``.
LARGE = 1000

#: Operations added to a model between two looks at the deadline: a model whose building
#: outlasts the deadline (or the solve's ``time_limit``) is given up, without a solution.
BUILD_CHECK = 256

#: The whole model's building time over that of its intervals (measured about 2 on a
#: 5000-operation instance): a model whose first :data:`BUILD_CHECK` operations show that
#: it cannot be built by the deadline is given up at once.
BUILD_FACTOR = 2.5

#: Seconds kept back from CP-SAT's time limit per variable or constraint of the model, at
#: most :data:`RESERVE_SHARE` of the time left (measured: a 5000-operation, 20-machine model
#: of about 120,000 items overran a 2 s limit by 0.5 s without it); below
#: :data:`MIN_SOLVE` seconds left after it, the model is not solved.
SOLVE_RESERVE_PER_ITEM = 5e-6
RESERVE_SHARE = 0.4
MIN_SOLVE = 0.02


def by_work(opts: SolveOptions) -> bool:
    """True when a work limit and no time limit bound the solve: then nothing that steers it
    may read the wall clock (sub-solves get deterministic-time caps instead of seconds)."""
    return opts.work_limit is not None and opts.time_limit is None


def proven_bound(value: float, lb: int) -> int:
    """CP-SAT's objective bound rounded up (the makespan is integer), never below ``lb``."""
    return max(lb, int(math.ceil(value - 1e-6)))


@dataclass
class Part:
    """What to model: a subset of the operations and what is fixed around it.

    Attributes:
        ops: the operations, each job's forming a contiguous run of its chain.
        job_release: earliest start of a job's first operation in ``ops`` (default 0).
        fix_machine: operations whose machine is fixed.
        arcs: pairs ``(a, b)``: ``b`` starts after ``a`` ends.
        ub: makespan upper bound (inclusive), if known.
        lb: makespan lower bound.
        busy: per machine, fixed ``(start, end)`` intervals no operation may overlap.
        deadline: latest end of some operations.
        hint: ``op -> (machine, start)`` to warm-start from.
        compact: weight of the sum of end times beside the makespan in the objective
            ``W * makespan + compact * sum(ends)`` (0: the makespan alone).
        tail: per job, work left after its last operation in ``ops``: the makespan variable
            lies above each such end plus the job's tail (default: no tails).
        load: if positive, each machine gets an end variable (above its busy intervals and
            the operations on it) and the objective adds ``load * sum(machine ends)``; the
            makespan variable then also lies above ``(sum(machine ends) + rest) / M``.
        rest: work outside the part still to be scheduled (with ``load``).
        redundant: add the redundant constraints.
        symmetry: order identical jobs.
    """

    ops: list[int]
    job_release: dict[int, int] = field(default_factory=dict)
    fix_machine: dict[int, int] = field(default_factory=dict)
    arcs: list[tuple[int, int]] = field(default_factory=list)
    ub: int | None = None
    lb: int = 0
    busy: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    deadline: dict[int, int] = field(default_factory=dict)
    hint: dict[int, tuple[int, int]] | None = None
    compact: int = 0
    tail: dict[int, int] = field(default_factory=dict)
    load: int = 0
    rest: int = 0
    redundant: bool = True
    symmetry: bool = True


@dataclass
class CpOutcome:
    """What a solve of a :class:`Part` gave.

    Attributes:
        status: CP-SAT's answer.
        machine: ``op -> machine`` of the solution (empty without one).
        start: ``op -> start`` of the solution (empty without one).
        makespan: the makespan variable's value, or ``None`` without a solution.
        bound: CP-SAT's objective bound (the part's ``lb`` when the objective is not the
            makespan alone).
        wall: seconds spent building and solving.
        work: CP-SAT's deterministic time of the solve.
    """

    status: Status
    machine: dict[int, int]
    start: dict[int, int]
    makespan: int | None
    bound: float
    wall: float
    work: float = 0.0

    @property
    def has_solution(self) -> bool:
        """True if a feasible assignment came back."""
        return self.makespan is not None

    @property
    def optimal(self) -> bool:
        """True if CP-SAT proved the sub-problem optimal."""
        return self.status is Status.OPTIMAL

    @property
    def infeasible(self) -> bool:
        """True if CP-SAT proved the sub-problem infeasible (e.g. nothing below ``ub``)."""
        return self.status is Status.INFEASIBLE

    @property
    def bounded(self) -> bool:
        """True if :attr:`bound` is CP-SAT's proven bound (a solution came back)."""
        return self.status.has_solution


def _horizon(flat: Flat, part: Part) -> int:
    rel = max(part.job_release.values(), default=0)
    total = sum(max(p for _, p in flat.alts[o]) for o in part.ops)
    return rel + total


def solve_part(
    flat: Flat,
    part: Part,
    opts: SolveOptions,
    *,
    time_limit: float | None = None,
    threads: int | None = None,
    seed: int | None = None,
    log: bool = False,
    stall: float | None = None,
    params: dict[str, Any] | None = None,
    work: float | None = None,
    charge: bool = True,
) -> CpOutcome:
    """Build and solve the model of ``part`` with CP-SAT, within the deadline and the work
    budget of ``opts``.

    Args:
        flat: the instance.
        part: what to model.
        opts: the solve's options (its deadline and work budget cap the solve).
        time_limit: a further cap in seconds, model building included (``None``: the
            deadline alone; ignored when :func:`by_work`).
        threads: CP-SAT workers (default ``opts.threads``).
        seed: CP-SAT's random seed (default ``opts.seed``).
        log: send CP-SAT's log to ``opts.log`` (sub-problems stay silent).
        stall: stop the search after that many seconds without a better solution (ignored
            when :func:`by_work`: a wall-clock watch would make runs differ).
        params: further CP-SAT parameters, by name.
        work: a further cap in CP-SAT deterministic time (``None``: the budget alone).
        charge: spend the solve's deterministic time on ``opts.work`` (callers that solve
            on several threads at once pass ``False`` and spend :attr:`CpOutcome.work`).
    """
    from ....engines import cpsat

    cp_model = cpsat.cp_model
    t0 = time.perf_counter()
    model = cp_model.CpModel()
    ops = part.ops
    in_part = set(ops)
    ub = part.ub if part.ub is not None else _horizon(flat, part)
    lb = part.lb
    # earliest starts and tails within the part
    est: dict[int, int] = {}
    tail: dict[int, int] = {}
    for o in ops:
        if o - 1 in in_part and flat.job[o - 1] == flat.job[o]:
            est[o] = est[o - 1] + flat.pmin[o - 1]
        else:
            est[o] = part.job_release.get(flat.job[o], 0)
    for o in reversed(ops):
        nxt = o + 1
        if nxt in in_part and flat.job[nxt] == flat.job[o]:
            tail[o] = tail[nxt] + flat.pmin[nxt]
        else:
            tail[o] = 0
    starts: dict[int, cp_model.IntVar] = {}
    ends: dict[int, Any] = {}  # linear expressions
    lits: dict[int, dict[int, cp_model.IntVar | None]] = {}
    dvars: dict[int, tuple[cp_model.IntVar, cp_model.IntVar]] = {}
    per_machine: list[list[cp_model.IntervalVar]] = [[] for _ in range(flat.machines)]
    main: list[cp_model.IntervalVar] = []
    durs: list[Any] = []  # linear expressions
    cap = math.inf if time_limit is None or by_work(opts) else t0 + time_limit

    def late() -> bool:
        """The deadline (or ``time_limit``) passed while building: give up, no solution."""
        return opts.deadline.expired() or time.perf_counter() >= cap

    def cap_or_deadline() -> float:
        return min(cap, opts.deadline.end)

    def gave_up() -> CpOutcome:
        return CpOutcome(
            status=Status.UNKNOWN,
            machine={},
            start={},
            makespan=None,
            bound=float(lb),
            wall=time.perf_counter() - t0,
        )

    t_build = time.perf_counter()
    for k, o in enumerate(ops):
        if k % BUILD_CHECK == 0:
            if late():
                return gave_up()
            if k and cap_or_deadline() < math.inf:
                # the model's other parts take about as long again as its intervals
                # (BUILD_FACTOR in all): give up now if it cannot be built in time
                rate = (time.perf_counter() - t_build) / k
                if rate * len(ops) * BUILD_FACTOR > cap_or_deadline() - t_build:
                    return gave_up()
        alts = flat.alts[o]
        if o in part.fix_machine:
            m = part.fix_machine[o]
            alts = [(m, flat.ptime[o][m])]
        lo_m = est[o]
        hi = ub - tail[o] - min(p for _, p in alts)
        if o in part.deadline:
            hi = min(hi, part.deadline[o] - min(p for _, p in alts))
        s = model.new_int_var(lo_m, max(lo_m, hi), f"s{o}")
        starts[o] = s
        if len(alts) == 1:
            m, p = alts[0]
            iv = model.new_fixed_size_interval_var(s, p, f"i{o}")
            per_machine[m].append(iv)
            ends[o] = s + p
            main.append(iv)
            durs.append(p)
            lits[o] = {m: None}
            continue
        ps = sorted({p for _, p in alts})
        d = model.new_int_var_from_domain(cp_model.Domain.from_values(ps), f"d{o}")
        e = model.new_int_var(lo_m + ps[0], max(lo_m + ps[0], hi + ps[-1]), f"e{o}")
        iv = model.new_interval_var(s, d, e, f"i{o}")
        main.append(iv)
        durs.append(d)
        ends[o] = e
        lo_lits: dict[int, cp_model.IntVar] = {}
        for m, p in alts:
            lit = model.new_bool_var(f"x{o}_{m}")
            lo_lits[m] = lit
            per_machine[m].append(
                model.new_optional_fixed_size_interval_var(s, p, lit, f"a{o}_{m}")
            )
        model.add_exactly_one(lo_lits.values())
        model.add(d == sum(p * lo_lits[m] for m, p in alts))
        lits[o] = {m: x for m, x in lo_lits.items()}
        dvars[o] = (d, e)
    for m, spans in part.busy.items():
        for b0, b1 in spans:
            per_machine[m].append(model.new_fixed_size_interval_var(b0, b1 - b0, f"b{m}_{b0}"))
    if late():
        return gave_up()
    for ivs in per_machine:
        if len(ivs) > 1:
            model.add_no_overlap(ivs)
    makespan = model.new_int_var(max(lb, 0), max(lb, ub), "makespan")
    for k, o in enumerate(ops):
        if k % BUILD_CHECK == 0 and late():
            return gave_up()
        nxt = o + 1
        if nxt in in_part and flat.job[nxt] == flat.job[o]:
            model.add(starts[nxt] >= ends[o])
        else:
            model.add(makespan >= ends[o] + part.tail.get(flat.job[o], 0))
    mend: list[cp_model.IntVar] = []
    if part.load:
        mend = _machine_ends(flat, part, model, ops, lits, ends, ub)
        model.add(flat.machines * makespan >= sum(mend) + part.rest)
    for a, b in part.arcs:
        model.add(starts[b] >= ends[a])
    for o, t in part.deadline.items():
        model.add(ends[o] <= t)
    if part.redundant:
        if any(len(v) > 1 for v in lits.values()):
            model.add_cumulative(main, [1] * len(main), flat.machines)
        model.add(flat.machines * makespan >= sum(durs))
    if late():
        return gave_up()
    if part.symmetry:
        _order_identical_jobs(flat, part, model, starts)
    extra: Any = part.load * sum(mend) if mend else 0
    if part.compact < 0:
        model.minimize(sum(ends.values()) + extra)
    elif part.compact:
        weight = len(ops) + 1
        model.minimize(weight * makespan + part.compact * sum(ends.values()) + extra)
    else:
        model.minimize(makespan + extra)
    if late():
        return gave_up()
    if part.hint and all(o in part.hint for o in ops):
        hint_cmax = 0
        for k, o in enumerate(ops):
            if k % BUILD_CHECK == 0 and late():
                return gave_up()
            m, st = part.hint[o]
            p = flat.ptime[o][m]
            hint_cmax = max(hint_cmax, st + p)
            model.add_hint(starts[o], st)
            if o in dvars:
                model.add_hint(dvars[o][0], p)
                model.add_hint(dvars[o][1], st + p)
            for mm, x in lits[o].items():
                if x is not None:
                    model.add_hint(x, mm == m)
        if part.tail or mend:
            hint_cmax = 0
            m_hint: list[int] = [int(mv.proto.domain[0]) for mv in mend]
            for o in ops:
                m, st = part.hint[o]
                end = st + flat.ptime[o][m]
                if not (o + 1 in in_part and flat.job[o + 1] == flat.job[o]):
                    hint_cmax = max(hint_cmax, end + part.tail.get(flat.job[o], 0))
                if mend:
                    m_hint[m] = max(m_hint[m], end)
            for mv, h in zip(mend, m_hint, strict=True):
                model.add_hint(mv, h)
            if mend:
                hint_cmax = max(hint_cmax, -(-(sum(m_hint) + part.rest) // flat.machines))
        model.add_hint(makespan, hint_cmax)
    if late():
        return gave_up()
    run_opts = replace(
        opts, seed=opts.seed if seed is None else seed, log=opts.log if log else None
    )
    if by_work(opts):
        time_limit = stall = None
    limit = None if time_limit is None else time_limit - (time.perf_counter() - t0)
    if not by_work(opts) and opts.deadline.time_limit is not None:
        # CP-SAT loads a large model before it looks at its clock, and reading the solution
        # back takes time too: keep SOLVE_RESERVE_PER_ITEM seconds a variable or constraint
        # (at most RESERVE_SHARE of the time left) out of its limit
        proto = model.proto
        size = len(proto.variables) + len(proto.constraints)
        rem = opts.deadline.remaining()
        reserve = min(RESERVE_SHARE * rem, SOLVE_RESERVE_PER_ITEM * size)
        if rem - reserve < MIN_SOLVE:
            return gave_up()
        limit = rem - reserve if limit is None else min(limit, rem - reserve)
    solver = cpsat.solver(run_opts, time_limit=limit, work=work, threads=threads, params=params)
    if stall is not None:
        watcher = _stall_watch_class()(solver, stall)
        code = solver.solve(model, watcher)
        watcher.stop()
    else:
        code = solver.solve(model)
    used = cpsat.charge(run_opts, solver) if charge else float(solver.deterministic_time)
    status = cpsat.status(code)
    machine: dict[int, int] = {}
    start: dict[int, int] = {}
    cmax = None
    if status.has_solution:
        for o in ops:
            start[o] = int(solver.value(starts[o]))
            if o in part.fix_machine:
                machine[o] = part.fix_machine[o]
                continue
            for m, x in lits[o].items():
                if x is None or solver.boolean_value(x):
                    machine[o] = m
                    break
        cmax = int(solver.value(makespan))
    bound = solver.best_objective_bound
    if part.compact or mend:
        bound = float(lb)
    return CpOutcome(
        status=status,
        machine=machine,
        start=start,
        makespan=cmax,
        bound=float(bound),
        wall=time.perf_counter() - t0,
        work=used,
    )


def _machine_ends(
    flat: Flat,
    part: Part,
    model: cp_model.CpModel,
    ops: list[int],
    lits: dict[int, dict[int, cp_model.IntVar | None]],
    ends: dict[int, Any],
    ub: int,
) -> list[cp_model.IntVar]:
    """One end variable per machine: above its busy intervals and the end of every operation
    placed on it."""
    lo = [0] * flat.machines
    for m, spans in part.busy.items():
        for _, b1 in spans:
            lo[m] = max(lo[m], b1)
    top = max(ub, max(lo))
    mend = [model.new_int_var(lo[m], max(lo[m], top), f"mend{m}") for m in range(flat.machines)]
    for o in ops:
        if o in part.fix_machine:
            model.add(mend[part.fix_machine[o]] >= ends[o])
            continue
        for m, lit in lits[o].items():
            if lit is None:
                model.add(mend[m] >= ends[o])
            else:
                model.add(mend[m] >= ends[o]).only_enforce_if(lit)
    return mend


def _order_identical_jobs(
    flat: Flat, part: Part, model: cp_model.CpModel, starts: dict[int, cp_model.IntVar]
) -> None:
    """Identical jobs wholly inside the part, with equal release and nothing fixed: their
    first operations start in job order."""
    if part.fix_machine or part.arcs:
        return
    in_part = set(part.ops)
    groups: dict[tuple[object, ...], list[int]] = {}
    for j, f in enumerate(flat.first):
        run = range(f, f + flat.length[j])
        if not all(o in in_part for o in run):
            continue
        key = (part.job_release.get(j, 0), tuple(tuple(flat.alts[o]) for o in run))
        groups.setdefault(key, []).append(j)
    for js in groups.values():
        for a, b in zip(js, js[1:], strict=False):
            model.add(starts[flat.first[a]] <= starts[flat.first[b]])


@functools.cache
def _stall_watch_class() -> Any:
    """The stall watcher's class (a CP-SAT solution callback; built on first use so that
    importing this module loads no engine)."""
    from ....engines.cpsat import cp_model

    class StallWatch(cp_model.CpSolverSolutionCallback):
        """Stops the search when no better solution came for ``stall`` seconds."""

        def __init__(self, solver: cp_model.CpSolver, stall: float) -> None:
            super().__init__()
            self._solver = solver
            self._stall = stall
            self._last: float | None = None
            self._done = threading.Event()
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()

        def on_solution_callback(self) -> None:
            self._last = time.perf_counter()

        def _watch(self) -> None:
            while not self._done.wait(0.05):
                if self._last is not None and time.perf_counter() - self._last > self._stall:
                    self._solver.stop_search()
                    return

        def stop(self) -> None:
            """End the watcher thread."""
            self._done.set()
            self._thread.join()

    return StallWatch
