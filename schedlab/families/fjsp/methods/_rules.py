"""Dispatching rules: an operation priority combined with the earliest-finishing machine.

At each step, every job's next operation is a candidate, placed on the eligible machine
that finishes it earliest (ties: shorter time, then lower machine). Among the candidates
that could start before the earliest of their finish times (the Giffler-Thompson conflict
set, so the schedules are active), the rule's priority picks the one to schedule.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import numpy as np

from ....core.timing import clock
from ._data import Flat, Schedule

#: No deadline (as :data:`schedlab.engines.jit.NO_DEADLINE`, without importing numba:
#: loading the family and running a rule loads no engine).
NO_DEADLINE = math.inf

#: priority key of a candidate (smaller first): (flat, op, start, time, job_ready, remaining work)
Key = Callable[[Flat, int, int, int, int, float], float]


def mean_work(flat: Flat) -> list[float]:
    """Remaining mean work of each operation's job, from that operation on."""
    mean = [sum(p for _, p in a) / len(a) for a in flat.alts]
    rem = [0.0] * flat.n
    for j, f in enumerate(flat.first):
        acc = 0.0
        for o in reversed(range(f, f + flat.length[j])):
            acc += mean[o]
            rem[o] = acc
    return rem


RULES: dict[str, tuple[str, Key]] = {
    "spt": ("shortest processing time", lambda f, o, s, p, r, w: p),
    "mor": ("most operations remaining", lambda f, o, s, p, r, w: -(f.length[f.job[o]] - f.pos[o])),
    "mwkr": ("most work remaining", lambda f, o, s, p, r, w: -w),
    "lwkr": ("least work remaining", lambda f, o, s, p, r, w: w),
    "fifo": ("first in, first out (earliest job ready time)", lambda f, o, s, p, r, w: r),
}


#: Steps of :func:`dispatch` between two looks at the deadline.
CHECK_EVERY = 32


def dispatch(
    flat: Flat,
    rule: str | None,
    rng: random.Random | None = None,
    deadline: float = NO_DEADLINE,
) -> Schedule:
    """Build an active schedule with priority ``rule`` (a key of :data:`RULES`); with
    ``rule=None``, a uniformly random candidate of the conflict set each step (``rng``).

    ``deadline`` (an absolute ``time.perf_counter()`` value) is checked every
    :data:`CHECK_EVERY` steps: once it has passed, the operations not yet scheduled are
    appended cheaply (see :func:`complete`), so the schedule is still complete and
    feasible."""
    key = RULES[rule][1] if rule is not None else None
    work = mean_work(flat)
    n_jobs = len(flat.first)
    nxt = list(flat.first)
    last = [f + ln for f, ln in zip(flat.first, flat.length, strict=True)]
    job_ready = [0] * n_jobs
    mach_ready = [0] * flat.machines
    machine = np.zeros(flat.n, dtype=np.int64)
    start = np.zeros(flat.n, dtype=np.int64)
    # candidate cache per job: (op, machine, start, finish, time); refreshed when stale
    cand: list[tuple[int, int, int, int, int] | None] = [None] * n_jobs

    def best_machine(j: int) -> tuple[int, int, int, int, int]:
        o = nxt[j]
        r = job_ready[j]
        best = None
        for m, p in flat.alts[o]:
            s = max(r, mach_ready[m])
            c = (s + p, p, m, s)
            if best is None or c < best:
                best = c
        assert best is not None
        return (o, best[2], best[3], best[0], best[1])

    for j in range(n_jobs):
        cand[j] = best_machine(j)
    timed = deadline != NO_DEADLINE
    for step in range(flat.n):
        if timed and step % CHECK_EVERY == 0 and clock() >= deadline:
            complete(flat, nxt, last, job_ready, mach_ready, machine, start)
            break
        live = [c for c in cand if c is not None]
        t_star = min(c[3] for c in live)
        conflict = [c for c in live if c[2] < t_star]
        if rng is not None and key is None:
            pick = conflict[rng.randrange(len(conflict))]
        else:
            assert key is not None
            pick = min(
                conflict,
                key=lambda c: (
                    key(flat, c[0], c[2], c[4], job_ready[flat.job[c[0]]], work[c[0]]),
                    c[2],
                    c[0],
                ),
            )
        o, m, s, e, _ = pick
        j = flat.job[o]
        machine[o] = m
        start[o] = s
        job_ready[j] = e
        mach_ready[m] = e
        nxt[j] += 1
        cand[j] = best_machine(j) if nxt[j] < last[j] else None
        for i in range(n_jobs):
            c = cand[i]
            if c is not None and i != j and m in flat.ptime[c[0]]:
                cand[i] = best_machine(i)
    return Schedule(machine, start)


def complete(
    flat: Flat,
    nxt: list[int],
    last: list[int],
    job_ready: list[int],
    mach_ready: list[int],
    machine: np.ndarray,
    start: np.ndarray,
) -> None:
    """Append the operations not yet scheduled (``nxt[j]`` up to ``last[j]`` of each job j),
    by position in their job then by job (round robin), each on the machine finishing it
    earliest after the machine's and the job's ready times (in place; linear work)."""
    rest = [o for j in range(len(nxt)) for o in range(nxt[j], last[j])]
    rest.sort(key=lambda o: (flat.pos[o], flat.job[o]))
    for o in rest:
        j = flat.job[o]
        r = job_ready[j]
        best = None
        for m, p in flat.alts[o]:
            s = max(r, mach_ready[m])
            c = (s + p, p, m, s)
            if best is None or c < best:
                best = c
        assert best is not None
        e, _, m, s = best
        machine[o] = m
        start[o] = s
        job_ready[j] = e
        mach_ready[m] = e
        nxt[j] = o + 1


def best_rule(flat: Flat, deadline: float = NO_DEADLINE) -> tuple[str, Schedule]:
    """The best of the deterministic rules (ties: the first in :data:`RULES`). With a
    ``deadline``, the rules run in turn while it has not passed (at least one: a rule cut
    by the deadline completes its schedule cheaply, see :func:`dispatch`)."""
    best: tuple[int, str, Schedule] | None = None
    for name in RULES:
        if best is not None and deadline != NO_DEADLINE and clock() >= deadline:
            break
        sched = dispatch(flat, name, deadline=deadline)
        cmax = sched.makespan(flat)
        if best is None or cmax < best[0]:
            best = (cmax, name, sched)
    assert best is not None
    return best[1], best[2]
