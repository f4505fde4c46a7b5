"""Rolling-horizon optimisation (RHO) for long horizons.

Operations are ordered by their relative position in their job (``k / n_j``, ties by job).
Each step takes a window of the next ``window`` (H) operations not yet committed, solves it
with CP-SAT from the current job release times and machine occupation (the committed
operations stay as busy intervals; the window may fill their gaps), commits the ``step``
(S) operations that start earliest, and moves on.

The window objective is the simple lower bound of the final makespan that the window's
schedule leaves: the larger of each job's last end in the window plus the minimum work left
in the job, and the machine load bound ``(sum of the machine end times + minimum work of the
operations beyond the window) / M``; then the sum of the machine end times (capacity used,
idle included) and of the window's end times. A window that only minimised its own makespan
would pick fast-finishing but long machine options and leave the later windows short of
capacity.

Each window is hinted by the best, under that objective, of: the previous window's
schedule for the shared operations with an earliest-finish placement of the new ones; two
Giffler-Thompson passes (most work remaining first, each operation on the machine
minimising ``finish + lam * time``), with and without the shared operations kept; and the
start schedule (the best dispatching rule, or the user's hint) restricted to the window,
in its machine assignment and order, shifted to the release times.

In the overlap with the previous window, the machine of every operation off that window's
critical path (zero slack) is kept: the critical-path-aware rule that needs no learning.

The result is never worse than the start schedule (it stays the incumbent if the pass does
not beat it). With time left after the pass, ``polish`` improves the incumbent until the
time limit: ``passes - 1`` further rolling passes hinted by it (off by default: on the SD2
instances they did no better than a fresh pass), then the neighbourhood search of ``lns``.
Without a time limit, each window gets ``window_limit`` seconds (default 3 s), the later
passes run and the neighbourhood search is skipped.

Work limit: CP-SAT's deterministic time over every window, later pass and the polish
together. Each window gets a share of the budget left (the pass's share divided among the
windows left, at most ``window_work`` units), a later pass runs while the
budget left exceeds 1.2 times what the first pass used, and the polish spends the rest.
With a work limit and no time limit nothing is timed in seconds (no wall-clock window
limits, no stall watch), so a seeded one-thread run repeats exactly.

``info["trajectory"]`` lists ``(seconds, makespan)`` at the end of the first pass (the
incumbent then) and at each later improvement; ``info["pass_makespan"]`` is the first
pass's own makespan.
"""

from __future__ import annotations

import random

import numpy as np

from ....core.errors import SolveError
from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ._cp import LARGE, Part, by_work, solve_part
from ._data import Flat, Schedule
from ._lns import improve
from ._rules import complete, mean_work
from ._start import start_schedule

#: CP-SAT parameters of the windows: presolve and the linear relaxation cost more than they
#: give within the short window limits
WINDOW_PARAMS: dict[str, object] = {"linearization_level": 0, "cp_model_presolve": False}
#: machine-choice weights of the later passes, relative to ``lam``
LAM_FACTORS = (1.0, 1.0, 0.5, 2.0)
#: The most seconds a window may take by default.
WINDOW_CAP = 3.0
#: The most deterministic time a window may take by default with a work limit (about what
#: CP-SAT does in :data:`WINDOW_CAP` seconds on these windows).
WINDOW_WORK = 0.1
#: Deterministic time of a polish sub-problem with a work limit (its time limit is 1 s).
POLISH_SUB_WORK = 0.04


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    # docs/auto.md: above LARGE operations without a limit, and from 1001 to 3000 operations
    # from 20 s on (2000 operations: rho 5144 vs tabu 5197 at 20 s, 5104 vs 5176 at 60 s;
    # 5 s: tabu 5201, rho 5371); beyond 3000 tabu or mwkr is stronger
    n = inst.n_operations
    if n <= LARGE:
        return None
    if time_limit is None:
        return 60.0
    return 60.0 if n <= 3000 and time_limit >= 20 else None


def rolling_order(flat: Flat) -> list[int]:
    """Operations by relative position in their job, ties by job index."""
    return sorted(
        range(flat.n), key=lambda o: (flat.pos[o] / flat.length[flat.job[o]], flat.job[o])
    )


def _earliest(spans: list[tuple[int, int]], ready: int, p: int) -> int:
    """Earliest start ``>= ready`` of a length-``p`` job between sorted busy ``spans``."""
    t = ready
    for b0, b1 in spans:
        if t + p <= b0:
            return t
        t = max(t, b1)
    return t


def _place_fixed(
    flat: Flat,
    ops: list[int],
    job_ready: list[int],
    busy: dict[int, list[tuple[int, int]]],
    fixed: dict[int, tuple[int, int]],
) -> tuple[list[int], dict[int, list[tuple[int, int]]], dict[int, tuple[int, int]]]:
    """The operations of ``ops`` in ``fixed`` at their ``(machine, start)``: returns the job
    ready times, the busy intervals per machine (sorted) and the placements so far."""
    jr = list(job_ready)
    spans = {m: sorted(v) for m, v in busy.items()}
    out: dict[int, tuple[int, int]] = {}
    for o in ops:
        if o in fixed:
            m, s = fixed[o]
            e = s + flat.ptime[o][m]
            out[o] = (m, s)
            jr[flat.job[o]] = max(jr[flat.job[o]], e)
            spans.setdefault(m, []).append((s, e))
    for v in spans.values():
        v.sort()
    return jr, spans, out


def _greedy(
    flat: Flat,
    ops: list[int],
    job_ready: list[int],
    busy: dict[int, list[tuple[int, int]]],
    fixed: dict[int, tuple[int, int]],
) -> dict[int, tuple[int, int]]:
    """Place ``ops`` (in order) on their earliest-finishing machines, in the gaps of the
    ``busy`` intervals; operations in ``fixed`` keep their ``(machine, start)``."""
    jr, spans, out = _place_fixed(flat, ops, job_ready, busy, fixed)
    for o in ops:
        if o in fixed:
            continue
        j = flat.job[o]
        best = None
        for m, p in flat.alts[o]:
            s = _earliest(spans.get(m, []), jr[j], p)
            c = (s + p, p, m, s)
            if best is None or c < best:
                best = c
        assert best is not None
        e, _, m, s = best
        out[o] = (m, s)
        jr[j] = e
        lst = spans.setdefault(m, [])
        lst.append((s, e))
        lst.sort()
    return out


def _dispatch(
    flat: Flat,
    ops: list[int],
    job_ready: list[int],
    busy: dict[int, list[tuple[int, int]]],
    fixed: dict[int, tuple[int, int]],
    rem: list[float],
    lam: float,
) -> dict[int, tuple[int, int]]:
    """A Giffler-Thompson pass over ``ops`` from the current release times: each job's next
    operation goes to the machine minimising ``finish + lam * time`` (in the gaps of
    ``busy``); among those that could start before the earliest such finish, the one with
    the most remaining work (``rem``) goes first. Operations in ``fixed`` keep their
    ``(machine, start)`` (they form a prefix of their job's run)."""
    jr, spans, out = _place_fixed(flat, ops, job_ready, busy, fixed)
    runs: dict[int, list[int]] = {}
    for o in ops:
        if o not in fixed:
            runs.setdefault(flat.job[o], []).append(o)
    nxt = {j: 0 for j in runs}

    def best(j: int) -> tuple[float, int, int, int, int]:
        o = runs[j][nxt[j]]
        b = None
        for m, p in flat.alts[o]:
            st = _earliest(spans.get(m, []), jr[j], p)
            c = (st + p + lam * p, st + p, p, m, st)
            if b is None or c < b:
                b = c
        assert b is not None
        return b

    cand = {j: best(j) for j in runs}
    while cand:
        t_star = min(c[1] for c in cand.values())
        pick = min(
            (j for j, c in cand.items() if c[4] < t_star or c[1] == t_star),
            key=lambda j: (-rem[runs[j][nxt[j]]], cand[j][4], j),
        )
        _, e, _, m, st = cand[pick]
        o = runs[pick][nxt[pick]]
        out[o] = (m, st)
        jr[pick] = e
        lst = spans.setdefault(m, [])
        lst.append((st, e))
        lst.sort()
        nxt[pick] += 1
        if nxt[pick] == len(runs[pick]):
            del cand[pick]
        for j in cand:
            cand[j] = best(j)
    return out


def _follow(
    flat: Flat,
    ops: list[int],
    job_ready: list[int],
    busy: dict[int, list[tuple[int, int]]],
    fixed: dict[int, tuple[int, int]],
    ref: Schedule,
) -> dict[int, tuple[int, int]]:
    """``ref`` restricted to ``ops`` and shifted to the release times: in ``ref``'s start
    order, each operation on ``ref``'s machine, as early as its job and the gaps of ``busy``
    allow; operations in ``fixed`` keep their ``(machine, start)``."""
    jr, spans, out = _place_fixed(flat, ops, job_ready, busy, fixed)
    for o in sorted((o for o in ops if o not in fixed), key=lambda o: (int(ref.start[o]), o)):
        j = flat.job[o]
        m = int(ref.machine[o])
        p = flat.ptime[o][m]
        s = _earliest(spans.get(m, []), jr[j], p)
        out[o] = (m, s)
        jr[j] = s + p
        lst = spans.setdefault(m, [])
        lst.append((s, s + p))
        lst.sort()
    return out


def window_score(
    flat: Flat,
    sol: dict[int, tuple[int, int]],
    tail: dict[int, int],
    rest: int,
    mlo: list[int],
) -> tuple[int, int]:
    """``(objective, makespan variable)`` of a window schedule ``sol`` as the window model
    counts them: ``(n + 1) * makespan + sum(ends) + sum(machine ends)``, the makespan above
    each job's last end plus its ``tail`` and above ``(sum(machine ends) + rest) / M``;
    machine ends start from ``mlo``."""
    ends = {o: s + flat.ptime[o][m] for o, (m, s) in sol.items()}
    cmax = max(
        e + tail.get(flat.job[o], 0)
        for o, e in ends.items()
        if not (o + 1 in sol and flat.job[o + 1] == flat.job[o])
    )
    mend = list(mlo)
    for o, e in ends.items():
        mend[sol[o][0]] = max(mend[sol[o][0]], e)
    cmax = max(cmax, -(-(sum(mend) + rest) // flat.machines))
    obj = sum(ends.values()) + sum(mend)
    return (len(sol) + 1) * cmax + obj, cmax


def _critical(flat: Flat, sol: dict[int, tuple[int, int]]) -> set[int]:
    """Zero-slack operations of a window schedule (job and machine arcs inside it)."""
    ends = {o: s + flat.ptime[o][m] for o, (m, s) in sol.items()}
    cmax = max(ends.values())
    by_m: dict[int, list[int]] = {}
    for o in sorted(sol, key=lambda o: sol[o][1]):
        by_m.setdefault(sol[o][0], []).append(o)
    msucc: dict[int, int] = {}
    for seq in by_m.values():
        for a, b in zip(seq, seq[1:], strict=False):
            msucc[a] = b
    late: dict[int, int] = {}
    for o in sorted(sol, key=lambda o: -sol[o][1]):
        lim = cmax
        for q in (
            o + 1 if (o + 1) in sol and flat.job[o + 1] == flat.job[o] else -1,
            msucc.get(o, -1),
        ):
            if q >= 0:
                lim = min(lim, late[q] - flat.ptime[q][sol[q][0]])
        late[o] = lim
    return {o for o in sol if late[o] == ends[o]}


@register(
    "fjsp",
    "rho",
    exact=False,
    help="Rolling horizon: CP-SAT on windows of H operations, commit S, move on (long "
    "horizons); the time or work left polishes with lns (without either limit: windows of "
    "at most 3 s, no lns polish).",
    engine="ortools",
    auto=_auto,
    work="CP-SAT deterministic time (all windows and the polish together)",
)
def solve_rho(
    inst: Instance,
    opts: SolveOptions,
    *,
    window: int = 80,
    step: int = 30,
    window_limit: float | None = None,
    window_work: float = WINDOW_WORK,
    stall: float | None = 0.5,
    lam: float = 1.0,
    passes: int = 1,
    polish: bool = True,
) -> SolverOutput:
    """Rolling-horizon optimisation: windows of ``window`` (H) operations, ``step`` (S)
    committed per window, ``window_limit`` seconds per window (default: a share of the time
    left, at most 3 s; 3 s without a time limit), ``stall`` seconds without a better window
    schedule stop a window, ``lam`` the weight of the processing time in the machine choice
    of the dispatching hints, ``polish`` to spend the time left improving: up to
    ``passes - 1`` further rolling passes hinted by the incumbent (while the time left
    exceeds the first pass's duration, or all of them without a time limit; on the SD2
    20 x 10 x 100 instances they did not beat the neighbourhood search, hence one pass by
    default), then, with a time limit, the neighbourhood search of ``lns`` until it.

    With a work limit (CP-SAT deterministic time), each window also gets at most a share of
    the budget left (``window_work`` units at most), later passes run while the budget left
    exceeds 1.2 times the first pass's work, and the polish runs until the budget is used.
    With a work limit and no time limit, ``window_limit`` and ``stall`` (seconds) are off:
    nothing reads the wall clock."""
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise SolveError(f"rho: window (H) must be a positive integer, got {window!r}")
    if isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= window:
        raise SolveError(
            f"rho: step (S) must be an integer with 1 <= step <= window, "
            f"got window={window!r}, step={step!r}"
        )
    if window_limit is not None and not window_limit > 0:
        raise SolveError(f"rho: window_limit must be positive, got {window_limit!r}")
    if not window_work > 0:
        raise SolveError(f"rho: window_work must be positive, got {window_work!r}")
    if stall is not None and not stall > 0:
        raise SolveError(f"rho: stall must be positive, got {stall!r}")
    if not lam >= 0:
        raise SolveError(f"rho: lam must be non-negative, got {lam!r}")
    if isinstance(passes, bool) or not isinstance(passes, int) or passes < 1:
        raise SolveError(f"rho: passes must be a positive integer, got {passes!r}")
    flat = Flat.of(inst)
    dl = opts.deadline
    origin, start = start_schedule(flat, opts)
    cmax0 = start.makespan(flat)
    t0 = dl.elapsed()
    opts.emit(f"rho: start {origin} {cmax0} after {t0:.1f} s")

    def rolling_pass(ref: Schedule, lam: float, seed: int) -> tuple[Schedule, dict[str, int]]:
        return _rolling_pass(
            flat, opts, ref, window=window, step=step, window_limit=window_limit,
            window_work=window_work, stall=stall, lam=lam, share=0.35 if polish else 0.9,
            seed=seed,
        )  # fmt: skip

    sched, stats = rolling_pass(start, lam, opts.seed)
    cmax_pass = sched.makespan(flat)
    if cmax_pass > cmax0:
        sched = start
    cmax = cmax_roll = min(cmax_pass, cmax0)
    t_roll = dl.elapsed()
    opts.emit(f"rho: {stats['windows']} windows, makespan {cmax_pass} after {t_roll:.1f} s")
    trajectory = [(round(t_roll, 3), cmax_roll)]
    pass_makespans = [cmax_pass]
    pass_work = opts.work.used

    def room() -> bool:
        """Time and work left for another pass (1.2 times what the first one took)."""
        if dl.time_limit is not None and not dl.remaining() > 1.2 * (t_roll - t0):
            return False
        left = opts.work.left()
        return left is None or left > 1.2 * pass_work

    # later passes: the incumbent hints every window; other machine-choice weights
    while polish and len(pass_makespans) < passes and room():
        k = len(pass_makespans)
        new, st = rolling_pass(sched, lam * LAM_FACTORS[k % len(LAM_FACTORS)], opts.seed + k)
        stats["windows"] += st["windows"]
        c = new.makespan(flat)
        pass_makespans.append(c)
        opts.emit(f"rho: pass {k + 1}, makespan {c} after {dl.elapsed():.1f} s")
        if c < cmax:
            sched, cmax = new, c
            trajectory.append((round(dl.elapsed(), 3), c))
    polish_stats: dict[str, int] = {}
    limited = dl.time_limit is not None or opts.work_limit is not None
    if polish and limited and not dl.expired() and not opts.work.exhausted:
        sched, polish_stats = improve(
            flat,
            sched,
            opts,
            lb=inst.trivial_bound,
            rng=random.Random(opts.seed),
            sub_limit=1.0,
            sub_work=POLISH_SUB_WORK,
            size=60,
            compact=0.5,
            trajectory=trajectory,
        )
    cmax = sched.makespan(flat)
    return SolverOutput(
        solution=sched.to_solution(flat),
        status=Status.FEASIBLE,
        bound=float(inst.trivial_bound),
        objective=float(cmax),
        info={
            "start": origin,
            "start_makespan": cmax0,
            "start_s": round(t0, 3),
            **stats,
            "pass_makespan": cmax_pass,
            "pass_makespans": pass_makespans,
            "rolling_makespan": cmax_roll,
            "rolling_s": round(t_roll, 3),
            "polish": polish_stats,
            "trajectory": trajectory,
        },
    )


def _rolling_pass(
    flat: Flat,
    opts: SolveOptions,
    ref: Schedule,
    *,
    window: int,
    step: int,
    window_limit: float | None,
    window_work: float,
    stall: float | None,
    lam: float,
    share: float,
    seed: int,
) -> tuple[Schedule, dict[str, int]]:
    """One rolling pass over all operations; ``ref`` (a complete schedule) is one of the
    window hints. ``share`` is the part of the time (and of the work budget) left the pass
    may spend."""
    dl = opts.deadline
    timeless = by_work(opts)  # no wall-clock window limits
    rem = mean_work(flat)
    order = rolling_order(flat)
    committed: dict[int, tuple[int, int]] = {}
    job_ready = [0] * len(flat.first)
    busy: dict[int, list[tuple[int, int]]] = {}
    prev: dict[int, tuple[int, int]] = {}
    prev_crit: set[int] = set()
    pos = 0
    stats = {"windows": 0, "optimal_windows": 0, "fixed_machines": 0, "cp_better_windows": 0}
    while pos < flat.n:
        if not timeless and dl.expired():
            # out of time: the operations left follow cheaply (see _finish)
            stats["cut"] = 1
            break
        ops_w = [o for o in order[pos:] if o not in committed][:window]
        ops_w.sort()
        left = max(1, -(-(flat.n - pos - len(ops_w)) // step) + 1)
        limit: float | None = None
        if not timeless:
            if window_limit is not None:
                limit = window_limit
            elif dl.time_limit is None:
                limit = WINDOW_CAP
            else:
                limit = min(WINDOW_CAP, max(0.05, share * dl.remaining() / left))
            if dl.time_limit is not None:
                limit = min(limit, max(0.05, dl.remaining()))
        budget = opts.work.left()
        work = None
        if budget is not None:
            work = min(window_work, share * budget / left)
        keep = {o: prev[o] for o in ops_w if o in prev}
        t_min = min(job_ready[flat.job[o]] for o in ops_w)
        near = {m: [b for b in v if b[1] > t_min] for m, v in busy.items()}
        # the window's bound on the final makespan: job tails, and the work left beyond
        last_in = {flat.job[o]: o for o in ops_w}
        tail = {j: flat.tail[o] for j, o in last_in.items()}
        in_w = set(ops_w)
        rest = sum(flat.pmin[o] for o in order[pos:] if o not in committed and o not in in_w)
        mlo = [0] * flat.machines
        for m, v in near.items():
            mlo[m] = max((b1 for _, b1 in v), default=0)
        hints = [
            _greedy(flat, ops_w, job_ready, near, keep),
            _dispatch(flat, ops_w, job_ready, near, keep, rem, lam),
            _dispatch(flat, ops_w, job_ready, near, {}, rem, lam),
            _follow(flat, ops_w, job_ready, near, keep, ref),
        ]
        scored = [(window_score(flat, h, tail, rest, mlo), k) for k, h in enumerate(hints)]
        (hint_obj, hint_cmax), k = min(scored)
        hint = hints[k]
        fix_m: dict[int, int] = {}
        if prev:
            fix_m = {o: hint[o][0] for o in keep if o not in prev_crit}
            stats["fixed_machines"] += len(fix_m)
        part = Part(
            ops=ops_w,
            job_release={flat.job[o]: job_ready[flat.job[o]] for o in ops_w},
            busy=near,
            fix_machine=fix_m,
            ub=hint_cmax,
            hint=hint,
            compact=1,
            tail=tail,
            load=1,
            rest=rest,
            symmetry=False,
        )
        sol = hint
        if not dl.expired() and not opts.work.exhausted:
            out = solve_part(
                flat,
                part,
                opts,
                time_limit=limit,
                threads=opts.threads,
                seed=seed,
                stall=stall,
                params=WINDOW_PARAMS,
                work=work,
            )
            if out.has_solution:
                cand = {o: (out.machine[o], out.start[o]) for o in ops_w}
                obj = window_score(flat, cand, tail, rest, mlo)[0]
                if obj <= hint_obj:
                    sol = cand
                    stats["cp_better_windows"] += int(obj < hint_obj)
                stats["optimal_windows"] += int(out.optimal)
            opts.emit(
                f"rho: window {stats['windows'] + 1} ({len(ops_w)} ops, {len(fix_m)} fixed): "
                f"hint {hint_cmax} ({k}), cp-sat {out.makespan} in {out.wall:.2f} s"
            )
        stats["windows"] += 1
        last = pos + len(ops_w) >= flat.n
        by_start = sorted(ops_w, key=lambda o: (sol[o][1], o))
        commit = by_start if last else by_start[:step]
        for o in commit:
            m, s = sol[o]
            e = s + flat.ptime[o][m]
            committed[o] = (m, s)
            j = flat.job[o]
            job_ready[j] = max(job_ready[j], e)
            busy.setdefault(m, []).append((s, e))
        while pos < flat.n and order[pos] in committed:
            pos += 1
        prev = {o: sol[o] for o in ops_w if o not in committed}
        prev_crit = _critical(flat, sol)
    if len(committed) < flat.n:
        return _finish(flat, committed), stats
    sched = Schedule.from_dict(
        flat, {o: v[0] for o, v in committed.items()}, {o: v[1] for o, v in committed.items()}
    )
    return sched, stats


def _finish(flat: Flat, committed: dict[int, tuple[int, int]]) -> Schedule:
    """A complete schedule from a pass cut by the deadline: the committed operations (a
    prefix of each job: a window holds a job's operations in order and commits the earliest
    starts) as they are, the others appended by :func:`._rules.complete` after the last
    committed operation of each machine (linear work)."""
    machine = np.zeros(flat.n, dtype=np.int64)
    start = np.zeros(flat.n, dtype=np.int64)
    job_ready = [0] * len(flat.first)
    mach_ready = [0] * flat.machines
    nxt = list(flat.first)
    last = [f + ln for f, ln in zip(flat.first, flat.length, strict=True)]
    for o, (m, s) in committed.items():
        machine[o], start[o] = m, s
        e = s + flat.ptime[o][m]
        j = flat.job[o]
        job_ready[j] = max(job_ready[j], e)
        mach_ready[m] = max(mach_ready[m], e)
        nxt[j] = max(nxt[j], o + 1)
    complete(flat, nxt, last, job_ready, mach_ready, machine, start)
    return Schedule(machine, start)
