"""Large neighbourhood search with CP-SAT sub-problems (used by ``lns``, ``rho``'s polish
and ``tabu``'s hybrid).

From a schedule: free a neighbourhood of operations (a time window, a few jobs, a few
machines, or the critical path and its surroundings), keep the machine and the machine order
of every other operation, and re-optimise with CP-SAT under a short limit, hinted by the
current schedule; accept any schedule that is no worse. The neighbourhood size adapts: it
grows when the sub-problems are solved to optimality and shrinks when they time out.

With a work budget (``opts.work_limit``, CP-SAT deterministic time), each sub-problem may use
at most ``sub_work`` units of it (split between the sub-problems solved at once) and counts
at least :data:`SUB_MIN_WORK`; the search stops when the budget is used. Every choice (the
neighbourhood kinds, the operations freed, the sub-problems' seeds) comes from the seeded
``rng``.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ....core.options import SolveOptions
from ._cp import CpOutcome, Part, by_work, solve_part
from ._data import Flat, Schedule, critical_set, left_shift

#: The kinds of neighbourhood, drawn at random for each sub-problem.
KINDS = ("window", "jobs", "machines", "critical")
#: Above this many operations, sub-problems are cut to a time slice and then left-shifted.
LONG = 1000
#: CP-SAT parameters of the sub-problems (the linear relaxation does not pay there).
SUB_PARAMS: dict[str, object] = {"linearization_level": 0, "cp_model_presolve": False}
#: The least work (deterministic time) a sub-problem counts: building a sub-problem costs
#: time that CP-SAT's deterministic clock does not see, so tiny sub-problems must not be free.
SUB_MIN_WORK = 0.001
#: Deterministic time a sub-problem may use by default with a work budget (about what a
#: sub-problem of half a second does on the Brandimarte instances).
SUB_WORK = 0.02


def neighbourhood(
    flat: Flat, sched: Schedule, kind: str, size: int, rng: random.Random
) -> set[int]:
    """About ``size`` operations to free, of neighbourhood ``kind`` (one of :data:`KINDS`)."""
    n = flat.n
    size = max(2, min(size, n))
    if kind == "window":
        order = np.argsort(sched.start, kind="stable")
        lo = rng.randrange(max(1, n - size + 1))
        return {int(o) for o in order[lo : lo + size]}
    if kind == "jobs":
        free: set[int] = set()
        jobs = list(range(len(flat.first)))
        rng.shuffle(jobs)
        for j in jobs:
            if len(free) >= size:
                break
            free.update(range(flat.first[j], flat.first[j] + flat.length[j]))
        return free
    if kind == "machines":
        seqs = sched.sequences(flat)
        ms = list(range(flat.machines))
        rng.shuffle(ms)
        free = set()
        # a time slice on a few machines, so that the part stays near ``size``
        cmax = sched.makespan(flat)
        span = max(1, int(cmax * min(1.0, size / n * flat.machines / 2)))
        t0 = rng.randrange(max(1, cmax - span + 1))
        for m in ms:
            if len(free) >= size:
                break
            free.update(o for o in seqs[m] if t0 <= sched.start[o] < t0 + span)
        return free
    # critical: the zero-slack operations around a random time, topped up by time neighbours
    crit = sorted(critical_set(flat, sched), key=lambda o: int(sched.start[o]))
    if len(crit) > size // 2:
        lo = rng.randrange(len(crit) - size // 2 + 1)
        crit = crit[lo : lo + size // 2]
    free = set(crit)
    if crit:
        t_lo = int(sched.start[crit[0]])
        t_hi = int(sched.start[crit[-1]])
        near = [o for o in range(n) if o not in free and t_lo <= sched.start[o] <= t_hi]
        rng.shuffle(near)
        free.update(near[: size - len(free)])
    return free


def sub_problem(
    flat: Flat, cur: Schedule, free: set[int], cmax: int, lb: int, compact: int, cut: bool = False
) -> Part:
    """The sub-problem: ``free`` operations open, the others on their machine and in their
    machine order. Operations that start before every free one stay where they are: they
    leave the model, as busy intervals on their machines and release times of their jobs.
    With ``cut``, so do those starting after every free one ends (busy intervals and
    deadlines), and the objective becomes the sum of end times (the caller left-shifts)."""
    t_lo = min(int(cur.start[o]) for o in free) if free else 0
    end = cur.end(flat)
    prefix = {o for o in range(flat.n) if o not in free and cur.start[o] < t_lo}
    suffix: set[int] = set()
    deadline: dict[int, int] = {}
    cap = cmax
    if cut and free:
        t_hi = max(int(end[o]) for o in free)
        cap = t_hi + max(max(p for _, p in a) for a in flat.alts)
        suffix = {
            o for o in range(flat.n) if o not in free and o not in prefix and cur.start[o] >= t_hi
        }
        for o in range(flat.n):
            if o not in prefix and o not in suffix:
                nxt = o + 1
                if nxt < flat.n and flat.job[nxt] == flat.job[o] and nxt in suffix:
                    deadline[o] = int(cur.start[nxt])
        compact = -1
    ops = [o for o in range(flat.n) if o not in prefix and o not in suffix]
    job_release: dict[int, int] = {}
    for o in prefix:
        j = flat.job[o]
        job_release[j] = max(job_release.get(j, 0), int(end[o]))
    t_min = min((job_release.get(flat.job[o], 0) for o in ops), default=0)
    busy: dict[int, list[tuple[int, int]]] = {}
    for o in prefix:
        if end[o] > t_min:
            busy.setdefault(int(cur.machine[o]), []).append((int(cur.start[o]), int(end[o])))
    for o in suffix:
        if cur.start[o] < cap:
            busy.setdefault(int(cur.machine[o]), []).append((int(cur.start[o]), int(end[o])))
    fix = {o: int(cur.machine[o]) for o in ops if o not in free}
    arcs: list[tuple[int, int]] = []
    for seq in cur.sequences(flat):
        fixed = [o for o in seq if o in fix]
        arcs += list(zip(fixed, fixed[1:], strict=False))
    return Part(
        ops=ops,
        job_release=job_release,
        busy=busy,
        fix_machine=fix,
        arcs=arcs,
        ub=cap,
        lb=lb if not suffix else 0,
        deadline=deadline,
        hint={o: (int(cur.machine[o]), int(cur.start[o])) for o in ops},
        compact=compact,
        redundant=False,
        symmetry=False,
    )


def improve(
    flat: Flat,
    sched: Schedule,
    opts: SolveOptions,
    *,
    lb: int,
    rng: random.Random,
    sub_limit: float,
    size: int,
    compact: float,
    sub_work: float = SUB_WORK,
    stall: float | None = None,
    stop_at: float | None = None,
    iterations: int | None = None,
    trajectory: list[tuple[float, int]] | None = None,
) -> tuple[Schedule, dict[str, int]]:
    """Run the neighbourhood search from ``sched`` until the deadline of ``opts`` (or
    ``stop_at``, a :meth:`Deadline.elapsed` value), until ``iterations`` sub-problems have
    been solved (``None``: no such budget; ``opts.threads`` sub-problems are solved at a
    time), until the work budget of ``opts`` is used (each sub-problem then gets at most
    ``sub_work`` units of CP-SAT deterministic time too), or until the makespan reaches
    ``lb``. When :func:`._cp.by_work`, no wall-clock limit steers it (``stop_at`` is for
    timed runs)."""
    cur = sched.copy()
    cmax = cur.makespan(flat)
    size_f = float(size)
    stats = {"iterations": 0, "improvements": 0, "accepted": 0}
    dl = opts.deadline
    budget = opts.work
    timed = not by_work(opts)
    # whole jobs span the horizon: on long instances, only neighbourhoods local in time
    kinds = KINDS if flat.n <= LONG else tuple(k for k in KINDS if k != "jobs")
    cut = flat.n > LONG
    workers = max(1, opts.threads)
    pool = ThreadPoolExecutor(workers) if workers > 1 else None
    try:
        while not dl.expired() and cmax > lb and not budget.exhausted:
            if timed and stop_at is not None and dl.elapsed() >= stop_at:
                break
            if iterations is not None and stats["iterations"] >= iterations:
                break
            limit = min(sub_limit, dl.remaining())
            if limit < 0.05:
                break
            left = budget.left()
            work = None if left is None else min(sub_work, left / workers)
            jobs = []
            for _ in range(workers):
                kind = rng.choice(kinds)
                free = neighbourhood(flat, cur, kind, int(size_f), rng)
                part = sub_problem(
                    flat, cur, free, cmax, lb, 1 if rng.random() < compact else 0, cut=cut
                )
                jobs.append((kind, free, part, rng.randrange(1 << 30)))

            def run(
                job: tuple[str, set[int], Part, int],
                limit: float = limit,
                work: float | None = work,
            ) -> CpOutcome:
                return solve_part(
                    flat,
                    job[2],
                    opts,
                    time_limit=limit,
                    threads=1,
                    seed=job[3],
                    params=SUB_PARAMS,
                    stall=stall,
                    work=work,
                    charge=pool is None,
                )

            outs = list(pool.map(run, jobs)) if pool is not None else [run(jobs[0])]
            for out in outs:  # one thread spends what the sub-problems used
                budget.spend(max(SUB_MIN_WORK, out.work) - (out.work if pool is None else 0.0))
            best: tuple[int, Schedule, str, int] | None = None
            for job, out in zip(jobs, outs, strict=True):
                stats["iterations"] += 1
                if out.optimal:
                    size_f = min(flat.n, size_f * 1.03 + 0.5)
                else:
                    size_f = max(8.0, size_f * 0.97)
                if out.has_solution and out.makespan is not None and (cut or out.makespan <= cmax):
                    machine = {o: int(cur.machine[o]) for o in range(flat.n)}
                    start = {o: int(cur.start[o]) for o in range(flat.n)}
                    machine.update(out.machine)
                    start.update(out.start)
                    new = Schedule.from_dict(flat, machine, start)
                    if cut:
                        new = left_shift(flat, new.machine, new.sequences(flat))
                    new_cmax = new.makespan(flat)
                    if new_cmax <= cmax and (best is None or new_cmax < best[0]):
                        best = (new_cmax, new, job[0], len(job[1]))
            if best is not None:
                new_cmax, new, kind, n_free = best
                stats["accepted"] += 1
                if new_cmax < cmax:
                    stats["improvements"] += 1
                    opts.emit(
                        f"lns: {cmax} -> {new_cmax} ({kind}, {n_free} free, t={dl.elapsed():.1f}s)"
                    )
                    if trajectory is not None:
                        trajectory.append((round(dl.elapsed(), 3), new_cmax))
                cur, cmax = new, new_cmax
    finally:
        if pool is not None:
            pool.shutdown()
    stats["final_size"] = int(size_f)
    return cur, stats
