"""``tabu``: a compiled tabu search on the disjunctive graph (see :mod:`._tabu`), beside
CP-SAT when it has two threads.

With one thread, an iteration limit, a work limit or no time limit, it is the tabu search
alone (one run per thread), from the best dispatching rule or the hint; without a time limit
each run does :data:`DEFAULT_ITERATIONS` iterations unless told otherwise. The unit of a work
limit is tabu iterations per thread: each run does that many (fewer if ``iterations`` says
so, or at the time limit if there is one), and ``info["work"]`` is the most one run did. With ``threads >= 2`` and a
time limit, the threads work in rounds of a few seconds around a shared best schedule (each
round starts from it when it beats the thread's own). The last thread starts with CP-SAT
(one worker) on the whole instance for a share of the time -- a lower bound, often a proof
on the easy instances -- and then runs CP-SAT large neighbourhood search
(:func:`._lns.improve`); the others run the tabu search with different seeds. A thread
switches to the other engine while that one is the one improving the best and its own has
not for two rounds: the tabu search is strong where machines are many and flexible (mk06,
mk10), CP-SAT where they are few (mk05, mk07).
"""

from __future__ import annotations

import math
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ....core.errors import SolveError
from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ._cp import Part, proven_bound, solve_part
from ._data import Flat, Schedule
from ._lns import improve
from ._start import start_schedule

#: The tabu tenure: a random number of iterations in this range.
TENURE = (10, 30)
#: Iterations of each run without a time limit (when ``iterations`` is ``None``).
DEFAULT_ITERATIONS = 50_000


@dataclass
class Arrays:
    """The kernel's view of an instance."""

    jp: np.ndarray  # job predecessor of each operation (-1: none)
    js: np.ndarray  # job successor
    pm: np.ndarray  # pm[o, m]: time of o on m (0: not eligible)
    alt_ptr: np.ndarray  # eligible machines of o: alt_m[alt_ptr[o]:alt_ptr[o + 1]]
    alt_m: np.ndarray

    @classmethod
    def of(cls, flat: Flat) -> Arrays:
        """Build from a flat instance."""
        n = flat.n
        jp = np.full(n, -1, dtype=np.int64)
        js = np.full(n, -1, dtype=np.int64)
        for o in range(n):
            if flat.pos[o] > 0:
                jp[o] = o - 1
                js[o - 1] = o
        pm = np.zeros((n, flat.machines), dtype=np.int64)
        ptr = [0]
        ms: list[int] = []
        for o, alts in enumerate(flat.alts):
            for m, p in alts:
                pm[o, m] = p
                ms.append(m)
            ptr.append(len(ms))
        return cls(jp, js, pm, np.array(ptr, dtype=np.int64), np.array(ms, dtype=np.int64))


def encode(flat: Flat, sched: Schedule) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(mach, seq, cnt)``: the machine assignment and machine sequences of a schedule."""
    seq = np.zeros((flat.machines, flat.n + 1), dtype=np.int64)
    cnt = np.zeros(flat.machines, dtype=np.int64)
    for m, s in enumerate(sched.sequences(flat)):
        seq[m, : len(s)] = s
        cnt[m] = len(s)
    return sched.machine.astype(np.int64).copy(), seq, cnt


def decode(arr: Arrays, mach: np.ndarray, seq: np.ndarray, cnt: np.ndarray) -> Schedule:
    """The semi-active schedule of a machine assignment and machine sequences."""
    from ._tabu import heads

    start = heads(arr.jp, arr.js, arr.pm, mach, seq, cnt)
    if start.size and start[0] < 0:
        raise RuntimeError("tabu: cyclic machine sequences")  # a bug, never expected
    return Schedule(mach.copy(), start)


def run(
    arr: Arrays,
    sched: Schedule,
    flat: Flat,
    *,
    lb: int,
    seed: int,
    iterations: int = -1,
    deadline: float = math.inf,
    stop: np.ndarray | None = None,
    tenure: tuple[int, int] = TENURE,
    stall: int = 20000,
    kick: int = 4,
) -> tuple[Schedule, int]:
    """One tabu search from ``sched``: ``(best schedule, iterations)``. ``iterations < 0``:
    no limit; ``deadline`` is a ``time.perf_counter`` value (``math.inf``: none, see
    :func:`schedlab.engines.jit.deadline`); ``stop`` is the kernel's ``[flag, bound]``."""
    from ._tabu import tabu_search

    mach, seq, cnt = encode(flat, sched)
    if stop is None:
        stop = np.array([0, -1], dtype=np.int64)
    _, its = tabu_search(
        arr.jp, arr.js, arr.pm, arr.alt_ptr, arr.alt_m, mach, seq, cnt, int(lb),
        int(iterations), float(deadline), int(seed), stop, int(tenure[0]),
        int(tenure[1] - tenure[0]), int(stall), int(kick),
    )  # fmt: skip
    return decode(arr, mach, seq, cnt), int(its)


class Shared:
    """The best schedule and bound found by any thread (guarded by a lock), and when each
    engine last improved the best."""

    def __init__(self, flat: Flat, sched: Schedule, lb: int) -> None:
        self.flat = flat
        self.lock = threading.Lock()
        self.sched = sched
        self.cmax = sched.makespan(flat)
        self.lb = lb
        self.stop = np.array([0, lb], dtype=np.int64)  # the kernels' [flag, bound]
        self.trajectory: list[tuple[float, int, str]] = []
        self.last = {"tabu": 0.0, "lns": 0.0}

    def offer(self, sched: Schedule, who: str, elapsed: float) -> None:
        """Keep ``sched`` if it beats the best."""
        cmax = sched.makespan(self.flat)
        with self.lock:
            if cmax < self.cmax:
                self.sched, self.cmax = sched.copy(), cmax
                self.trajectory.append((round(elapsed, 3), cmax, who))
                if who in self.last:
                    self.last[who] = elapsed
            if self.cmax <= self.lb:
                self.stop[0] = 1

    def raise_bound(self, lb: int) -> None:
        """A proven lower bound."""
        with self.lock:
            self.lb = max(self.lb, lb)
            self.stop[1] = self.lb
            if self.cmax <= self.lb:
                self.stop[0] = 1

    def best(self) -> tuple[int, Schedule]:
        """The current best ``(makespan, schedule)``."""
        with self.lock:
            return self.cmax, self.sched

    def done(self) -> bool:
        """True once the best meets the bound."""
        return bool(self.stop[0])

    def engine(self, default: str, now: float, patience: float) -> str:
        """``default``, unless the other engine improved the best more recently and
        ``default`` has not for ``patience`` seconds."""
        other = "lns" if default == "tabu" else "tabu"
        with self.lock:
            if self.last[other] > self.last[default] and now - self.last[default] > patience:
                return other
        return default


def _full_cp(flat: Flat, shared: Shared, opts: SolveOptions, cp_share: float) -> int | None:
    """CP-SAT (one worker) on the whole instance for ``cp_share`` of the time left: a bound
    and a schedule for the shared state; returns its makespan."""
    cmax0, sched = shared.best()
    out = solve_part(
        flat,
        Part(
            ops=list(range(flat.n)),
            ub=cmax0,
            lb=shared.lb,
            hint={o: (int(sched.machine[o]), int(sched.start[o])) for o in range(flat.n)},
        ),
        opts,
        time_limit=opts.deadline.limit_for(cp_share),
        threads=1,
    )
    if out.bounded:
        shared.raise_bound(proven_bound(out.bound, shared.lb))
    elif out.infeasible:  # nothing below the start's makespan
        shared.raise_bound(cmax0)
    if out.has_solution and out.makespan is not None:
        shared.offer(
            Schedule.from_dict(flat, out.machine, out.start), "cpsat", opts.deadline.elapsed()
        )
    return out.makespan


def _in_solve_thread(*args: Any) -> dict[str, object]:
    """:func:`_worker` bound to the solve's deadline (so that a cancel reaches its kernels)."""
    opts = args[4]
    with opts.deadline.active():
        return _worker(*args)


def _worker(
    k: int, arr: Arrays, flat: Flat, shared: Shared, opts: SolveOptions, default: str,
    cp_share: float, rnd: float, stall: int, kick: int,
) -> dict[str, object]:  # fmt: skip
    """One thread: rounds of ``rnd`` seconds of tabu search or CP-SAT LNS (``default``, or
    the other engine while it is the one improving), each from the shared best if that is
    better than the thread's own schedule. A thread whose default is LNS starts with CP-SAT
    on the whole instance."""
    dl = opts.deadline
    info: dict[str, object] = {}
    if default == "lns" and cp_share > 0:
        info["cpsat_makespan"] = _full_cp(flat, shared, opts, cp_share)
    rng = random.Random(opts.seed + 7919 * k)
    if k % 2:
        stall, kick = max(1, stall // 4), 2 * kick
    one = replace(opts, threads=1)
    size = 40
    rounds = {"tabu": 0, "lns": 0}
    tabu_its = 0
    _, cur = shared.best()
    while dl.remaining() > 0.1 and not shared.done():
        g_cmax, g = shared.best()
        if g_cmax < cur.makespan(flat):
            cur = g
        engine = shared.engine(default, dl.elapsed(), 2 * rnd)
        rounds[engine] += 1
        if engine == "tabu":
            end = time.perf_counter() + min(rnd, dl.remaining())
            cur, its = run(
                arr, cur, flat, lb=shared.lb, seed=rng.randrange(1 << 30), deadline=end,
                stop=shared.stop, stall=stall, kick=kick,
            )  # fmt: skip
            tabu_its += its
        else:
            cur, stats = improve(
                flat, cur, one, lb=shared.lb, rng=rng, sub_limit=0.5, size=size, compact=0.5,
                stop_at=dl.elapsed() + rnd,
            )  # fmt: skip
            size = stats["final_size"]
        shared.offer(cur, engine, dl.elapsed())
    info[f"thread{k}"] = {"tabu_rounds": rounds["tabu"], "lns_rounds": rounds["lns"],
                          "tabu_iterations": tabu_its}  # fmt: skip
    return info


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    # docs/auto.md: under a time limit, tabu beats cpsat and lns from mk04 (90 operations) to
    # 1000 (2-5 s with one thread; 60 s with two: 0.69 % above the best known on mk01-10
    # with mk10 at 193, cpsat 2.43 %); 1001-3000 operations below 20 s (rho from 20 s on); beyond 3000 from
    # 10 s on (5000 operations, 10 s: 4363, rho 4454, mwkr 4444; below 10 s, mwkr)
    n = inst.n_operations
    if time_limit is None or n <= 60:  # cpsat: it proves these at once
        return None
    if n <= 1000 or (n <= 3000 and time_limit < 20) or (n > 3000 and time_limit >= 10):
        return 55.0
    return None


@register(
    "fjsp",
    "tabu",
    exact=False,
    help="Tabu search (numba) on critical operations; with 2 threads and a time limit, beside "
    f"CP-SAT and LNS (without a time or work limit: {DEFAULT_ITERATIONS} iterations a thread).",
    engine="ortools",
    auto=_auto,
    work="tabu iterations per thread",
)
def solve_tabu(
    inst: Instance,
    opts: SolveOptions,
    *,
    iterations: int | None = None,
    cp_share: float = 0.15,
    rounds: float = 5.0,
    stall: int = 20000,
    kick: int = 4,
) -> SolverOutput:
    """Tabu search from the best dispatching rule (or the hint).

    With ``iterations``, a work limit, or without a time limit: one run per thread (seeds
    ``seed``, ``seed + 1``, ...) of that many iterations (the work limit, capped by
    ``iterations`` if given; :data:`DEFAULT_ITERATIONS` without either), stopping earlier at
    the time limit if there is one; a seeded run of a given number of iterations repeats
    exactly. Otherwise until the time limit; with two threads or more,
    one of them runs CP-SAT (``cp_share`` of the time), then CP-SAT LNS, and the threads
    share the best schedule every ``rounds`` seconds. ``stall`` iterations without a new
    best restart the search from the best schedule perturbed by ``kick`` random moves (in
    the timed runs on odd threads, a quarter of ``stall`` and twice ``kick``: a more restless
    search beside the patient one). Every run stops once the makespan meets the bound.
    """
    from ....engines import jit

    if iterations is not None and iterations < 0:
        raise SolveError(f"tabu: iterations must be >= 0, got {iterations}")
    if not 0 <= cp_share <= 1 or rounds <= 0 or stall < 1 or kick < 0:
        raise SolveError("tabu: need 0 <= cp_share <= 1, rounds > 0, stall >= 1, kick >= 0")
    budget = opts.work.count(default=-1)
    if budget >= 0:  # a work limit: that many iterations per thread (the hybrid is timed)
        iterations = budget if iterations is None else min(iterations, budget)
    elif iterations is None and opts.time_limit is None:
        iterations = DEFAULT_ITERATIONS
    flat = Flat.of(inst)
    arr = Arrays.of(flat)
    origin, sched = start_schedule(flat, opts)
    cmax0 = sched.makespan(flat)
    lb = inst.trivial_bound
    workers = max(1, opts.threads)
    info: dict[str, object] = {"start": origin, "start_makespan": cmax0}
    if iterations is not None:
        stop = np.array([0, lb], dtype=np.int64)
        deadline = jit.deadline(opts)
        its = iterations

        def one(k: int) -> tuple[Schedule, int]:
            with opts.deadline.active():  # a cancel reaches this thread's kernel too
                return run(
                    arr, sched, flat, lb=lb, seed=opts.seed + k, iterations=its,
                    deadline=deadline, stop=stop, stall=stall, kick=kick,
                )  # fmt: skip

        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(one, range(workers)))
        best = min(results, key=lambda t: t[0].makespan(flat))[0]
        info["iterations"] = [t[1] for t in results]
        opts.work.spend(max(t[1] for t in results))  # per thread: the longest run
    else:
        shared = Shared(flat, sched, lb)
        with ThreadPoolExecutor(workers) as pool:
            futs = [
                pool.submit(
                    _in_solve_thread,
                    k,
                    arr,
                    flat,
                    shared,
                    opts,
                    "lns" if workers >= 2 and k == workers - 1 else "tabu",
                    cp_share,
                    rounds,
                    stall,
                    kick,
                )  # fmt: skip
                for k in range(workers)
            ]
            for f in futs:
                info.update(f.result())
        lb = shared.lb
        best = shared.best()[1]
        info["trajectory"] = shared.trajectory
    cmax = best.makespan(flat)
    opts.emit(f"tabu: {origin} {cmax0} -> {cmax}, bound {lb}")
    return SolverOutput(
        solution=best.to_solution(flat),
        status=Status.OPTIMAL if cmax <= lb else Status.FEASIBLE,
        bound=float(min(lb, cmax)),
        objective=float(cmax),
        info=info,
    )
