"""Large neighbourhood search with CP-SAT windows, for graphs of hundreds to thousands of tasks.

Each step frees a set of tasks (their processors and starts), keeps every other task on its
processor and in its processor's sequence (its start still free to move), freezes the tasks
that end before the freed ones could start (constants), and lets CP-SAT minimise the makespan
(with the sum of ends as a tie-breaker on every other step, which compacts the schedule), hinted
by the current schedule. A better or equal schedule, left-shifted, replaces the current one.

Neighbourhoods, in turn: a **window** (the tasks starting from a random time on, in start
order), the **critical chain** (the tasks that set the makespan, traced back through the
edges and processor sequences that bind them, with their neighbours in time), the **tail**
(the last tasks to start, where the processors' loads are balanced) and a **pair of
processors** (their tasks in a random window). The window's size adapts: up when CP-SAT
proves a sub-problem optimal, down when it runs out of time or work.
"""

from __future__ import annotations

import random
import time
from typing import Any

import numpy as np

from ....core.options import SolveOptions
from ._cp import Part, by_work, solve_part
from ._graph import Graph, Schedule
from ._lists import left_shift

#: Deterministic-time units a sub-problem may use at most (with a work limit).
SUB_WORK = 2.0
#: Window sizes (free tasks) the adaptation stays within.
MIN_SIZE, MAX_SIZE = 6, 400


def sequences(g: Graph, sched: Schedule) -> list[list[int]]:
    """Each processor's tasks of positive time, by start."""
    out: list[list[int]] = [[] for _ in range(g.P)]
    dur = g.times[np.arange(g.n), sched.proc]
    for i in np.lexsort((np.arange(g.n), sched.start)):
        if dur[i] > 0:
            out[int(sched.proc[i])].append(int(i))
    return out


def critical_chain(g: Graph, sched: Schedule) -> list[int]:
    """The tasks that set the makespan: from a task ending last, back through the
    predecessor (edge plus delay, or the previous task on the processor) that ends exactly
    when it may start, to a task starting at 0."""
    end = sched.end(g)
    seqs = sequences(g, sched)
    prev = np.full(g.n, -1, dtype=np.int64)
    for seq in seqs:
        for a, b in zip(seq, seq[1:], strict=False):
            prev[b] = a
    i = int(np.argmax(end))
    chain = [i]
    seen = {i}
    while sched.start[i] > 0:
        nxt = -1
        for k in g.preds(i):
            a = int(g.pred_idx[k])
            if (
                end[a] + g.delay(int(g.pred_vol[k]), int(sched.proc[a]), int(sched.proc[i]))
                == sched.start[i]
            ):
                nxt = a
                break
        if nxt < 0 and prev[i] >= 0 and end[prev[i]] == sched.start[i]:
            nxt = int(prev[i])
        if nxt < 0 or nxt in seen:
            break
        chain.append(nxt)
        seen.add(nxt)
        i = nxt
    return chain[::-1]


def neighbourhood(g: Graph, sched: Schedule, kind: str, size: int, rng: random.Random) -> list[int]:
    """The tasks to free (see the module's docstring)."""
    by_start = [int(i) for i in np.lexsort((np.arange(g.n), sched.start))]
    if size >= g.n:
        return by_start
    if kind == "critical":
        chain = critical_chain(g, sched)
        pos = {t: k for k, t in enumerate(by_start)}
        if len(chain) > size:
            a = rng.randrange(len(chain) - size + 1)
            chain = chain[a : a + size]
        free = set(chain)
        anchors = sorted(pos[t] for t in chain)
        lo, hi = anchors[0], anchors[-1]
        while len(free) < size and (lo > 0 or hi < g.n - 1):
            if hi < g.n - 1 and (lo == 0 or rng.random() < 0.5):
                hi += 1
                free.add(by_start[hi])
            elif lo > 0:
                lo -= 1
                free.add(by_start[lo])
        return sorted(free)
    if kind == "processors" and g.P > 2:
        ps = set(rng.sample(range(g.P), 2))
        mine = [t for t in by_start if int(sched.proc[t]) in ps]
        if len(mine) > size:
            a = rng.randrange(len(mine) - size + 1)
            mine = mine[a : a + size]
        return mine
    if kind == "tail":
        return by_start[g.n - size :]
    a = rng.randrange(g.n - size + 1)
    return by_start[a : a + size]


def step(
    g: Graph,
    sched: Schedule,
    free: list[int],
    opts: SolveOptions,
    *,
    lb: int,
    compact: bool,
    time_limit: float | None,
    work: float | None,
) -> tuple[Schedule | None, bool, float]:
    """Re-optimise ``free`` in ``sched``; returns ``(schedule or None, proved optimal,
    seconds inside CP-SAT's solve)``."""
    free_set = set(free)
    t_lo = int(min(sched.start[t] for t in free))
    end = sched.end(g)
    frozen = (end <= t_lo) & ~np.isin(np.arange(g.n), free)
    for i in g.order:  # frozen tasks have frozen predecessors only
        if frozen[i] and any(not frozen[g.pred_idx[k]] for k in g.preds(int(i))):
            frozen[i] = False
    arcs: list[tuple[int, int]] = []
    for seq in sequences(g, sched):
        kept = [t for t in seq if t not in free_set]
        arcs.extend(zip(kept, kept[1:], strict=False))
    part = Part(
        free=np.array(sorted(free_set), dtype=np.int64),
        proc=sched.proc,
        frozen=frozen,
        start=sched.start,
        arcs=arcs,
        ub=sched.makespan(g),
        lb=lb,
        hint=sched,
        compact=1 if compact else 0,
        symmetry=False,
        aggregate=False,
    )
    # the build stops at the window's limit too: CP-SAT gets what the build leaves of it
    out = solve_part(g, part, opts, time_limit=time_limit, work=work, threads=1, cap_build=True)
    return out.schedule, out.status.name == "OPTIMAL", out.solve_s


def improve(
    g: Graph,
    sched: Schedule,
    opts: SolveOptions,
    *,
    lb: int,
    rng: random.Random,
    size: int,
    sub_limit: float,
    sub_work: float,
    iterations: int | None,
    trajectory: list[tuple[float, int]],
) -> tuple[Schedule, dict[str, Any]]:
    """The search loop: until the deadline, the work budget or ``iterations`` steps, or the
    makespan meets ``lb``. With a time limit, a step starts only while the time left exceeds
    the longest time a step has spent outside CP-SAT's solve so far (choosing the tasks,
    building the model, shifting the answer): large graphs make that the costly part, and the
    build stops at the deadline anyway. Without a time limit the clock is never read here."""
    kinds = ["window", "critical", "tail", "processors"]
    best = left_shift(g, sched)
    cmax = best.makespan(g)
    done = improved = proved = 0
    t_start = time.perf_counter()
    deterministic = by_work(opts)
    timed = opts.time_limit is not None
    overhead = 0.0  # the longest time a step spent outside CP-SAT's solve (timed runs only)
    while cmax > lb:
        if iterations is not None and done >= iterations:
            break
        if opts.deadline.expired() or opts.work.exhausted:
            break
        if timed and opts.deadline.remaining() <= overhead:
            break  # too little time left for another step's build
        w0 = time.perf_counter() if timed else 0.0
        kind = kinds[done % len(kinds)]
        free = neighbourhood(g, best, kind, min(size, g.n), rng)
        if not free:
            done += 1
            continue
        limit = None if deterministic else min(sub_limit, max(0.01, opts.deadline.remaining()))
        new, optimal, solve_s = step(
            g,
            best,
            free,
            opts,
            lb=lb,
            compact=done % 2 == 1,
            time_limit=limit,
            work=sub_work if opts.work_limit is not None else None,
        )
        done += 1
        if optimal:
            proved += 1
            size = min(MAX_SIZE, int(size * 1.25) + 1)
        else:
            size = max(MIN_SIZE, int(size * 0.8))
        if new is not None:
            new = left_shift(g, new)
        if timed:
            overhead = max(overhead, time.perf_counter() - w0 - solve_s)
        if new is None:
            continue
        new_cmax = new.makespan(g)
        if new_cmax <= cmax:
            if new_cmax < cmax:
                improved += 1
                trajectory.append((round(opts.deadline.elapsed(), 3), new_cmax))
                opts.emit(f"lns: {kind} step {done}: makespan {new_cmax}")
            best, cmax = new, new_cmax
    stats = {
        "iterations": done,
        "improvements": improved,
        "subproblems_optimal": proved,
        "final_size": size,
        "step_overhead_s": round(overhead, 3),
        "search_s": round(time.perf_counter() - t_start, 3),
    }
    return best, stats
