"""Rolling-horizon optimisation (RHO) for long horizons.

Operations are ordered by their relative position in their job (``k / n_j``, ties by job).
Each step takes a window of the next ``window`` (H) operations not yet committed, solves it
with CP-SAT from the current job and machine release times (objective: the window's
makespan, then the sum of its end times, so that the window stays compact), and commits the
``step`` (S) operations that start earliest; then it moves on. The window is hinted by the
previous window's schedule for the operations they share and by an earliest-finish greedy
placement for the new ones.

``fix="critical"`` keeps, in the overlap with the previous window, the machine of every
operation off that window's critical path (zero slack): the critical-path-aware rule that
needs no learning. ``fix="none"`` re-optimises the overlap freely.

With time left after the pass, ``polish`` runs the neighbourhood search of ``lns`` on the
whole schedule until the time limit.
"""

from __future__ import annotations

import random

from ...core import SolveError, SolveOptions, SolverOutput, Status, register
from ...models.fjsp import Instance
from ._cp import Part, solve_part
from ._data import Flat, Schedule
from .cpsat import LARGE
from .lns import improve

#: CP-SAT parameters of the windows: presolve and the linear relaxation cost more than they
#: give within the short window limits
WINDOW_PARAMS: dict[str, object] = {"linearization_level": 0, "cp_model_presolve": False}


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    return 60.0 if inst.n_operations > LARGE else None


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


def _greedy(
    flat: Flat,
    ops: list[int],
    job_ready: list[int],
    busy: dict[int, list[tuple[int, int]]],
    fixed: dict[int, tuple[int, int]],
) -> dict[int, tuple[int, int]]:
    """Place ``ops`` (in order) on their earliest-finishing machines, in the gaps of the
    ``busy`` intervals; operations in ``fixed`` keep their ``(machine, start)``."""
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
    help="Rolling horizon: CP-SAT on windows of H operations, commit S, move on (long horizons).",
    engine="ortools",
    auto=_auto,
)
def solve_rho(
    inst: Instance,
    opts: SolveOptions,
    *,
    window: int = 80,
    step: int = 30,
    window_limit: float | None = None,
    stall: float | None = 0.5,
    fix: str = "critical",
    polish: bool = True,
    compact: int = 1,
) -> SolverOutput:
    """Rolling-horizon optimisation: windows of ``window`` (H) operations, ``step`` (S)
    committed per window, ``window_limit`` seconds per window (default: a share of the time
    left, at most 3 s), ``stall`` seconds without a better window schedule stop a window,
    ``fix`` ("critical" or "none") what to keep from the previous window in the overlap,
    ``polish`` to spend the time left on the neighbourhood search."""
    if window < 1 or not 1 <= step <= window:
        raise SolveError(f"rho: need 1 <= step <= window, got window={window}, step={step}")
    if fix not in ("critical", "none"):
        raise SolveError(f"rho: fix must be 'critical' or 'none', got {fix!r}")
    if window_limit is not None and window_limit <= 0:
        raise SolveError("rho: window_limit must be positive")
    flat = Flat.of(inst)
    dl = opts.deadline
    order = rolling_order(flat)
    committed: dict[int, tuple[int, int]] = {}
    job_ready = [0] * len(flat.first)
    busy: dict[int, list[tuple[int, int]]] = {}
    prev: dict[int, tuple[int, int]] = {}
    prev_crit: set[int] = set()
    pos = 0
    windows = 0
    optimal_windows = 0
    fixed_total = 0
    while pos < flat.n:
        ops_w = [o for o in order[pos:] if o not in committed][:window]
        ops_w.sort()
        left = max(1, -(-(flat.n - pos - len(ops_w)) // step) + 1)
        if window_limit is not None:
            limit = window_limit
        elif dl.time_limit is None:
            limit = 3.0
        else:
            limit = min(3.0, max(0.05, (0.35 if polish else 0.9) * dl.remaining() / left))
        if dl.time_limit is not None:
            limit = min(limit, max(0.05, dl.remaining()))
        keep = {o: prev[o] for o in ops_w if o in prev}
        t_min = min(job_ready[flat.job[o]] for o in ops_w)
        near = {m: [b for b in v if b[1] > t_min] for m, v in busy.items()}
        hint = _greedy(flat, ops_w, job_ready, near, keep)
        fix_m: dict[int, int] = {}
        if fix == "critical" and prev:
            fix_m = {o: keep[o][0] for o in keep if o not in prev_crit}
            fixed_total += len(fix_m)
        hint_cmax = max(s + flat.ptime[o][m] for o, (m, s) in hint.items())
        part = Part(
            ops=ops_w,
            job_release={flat.job[o]: job_ready[flat.job[o]] for o in ops_w},
            busy=near,
            fix_machine=fix_m,
            ub=hint_cmax,
            hint=hint,
            compact=compact,
            symmetry=False,
        )
        sol = hint
        if not dl.expired():
            out = solve_part(
                flat,
                part,
                time_limit=limit,
                threads=opts.threads,
                seed=opts.seed,
                stall=stall,
                params=WINDOW_PARAMS,
            )
            if out.has_solution:
                sol = {o: (out.machine[o], out.start[o]) for o in ops_w}
                optimal_windows += int(out.optimal)
            opts.emit(
                f"rho: window {windows + 1} ({len(ops_w)} ops, {len(fix_m)} fixed): "
                f"greedy {hint_cmax}, cp-sat {out.makespan} in {out.wall:.2f} s"
            )
        windows += 1
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
        prev_crit = _critical(flat, sol) if fix == "critical" else set()
    sched = Schedule.from_dict(
        flat, {o: v[0] for o, v in committed.items()}, {o: v[1] for o, v in committed.items()}
    )
    cmax_roll = sched.makespan(flat)
    t_roll = dl.elapsed()
    opts.emit(f"rho: {windows} windows, makespan {cmax_roll} after {t_roll:.1f} s")
    trajectory = [(round(t_roll, 3), cmax_roll)]
    stats: dict[str, int] = {}
    if polish and dl.time_limit is not None and not dl.expired():
        sched, stats = improve(
            flat,
            sched,
            opts,
            lb=inst.trivial_bound,
            rng=random.Random(opts.seed),
            sub_limit=1.0,
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
            "windows": windows,
            "optimal_windows": optimal_windows,
            "fixed_machines": fixed_total,
            "rolling_makespan": cmax_roll,
            "rolling_s": round(t_roll, 3),
            "polish": stats,
            "trajectory": trajectory,
        },
    )
