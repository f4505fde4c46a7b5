"""CP-SAT for msa: candidate pieces as optional intervals (see :func:`solve_msa_cpsat`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ....core import SolutionError, SolveOptions, SolverOutput, Status
from ....core.timing import clock
from ..msa import Msa, piece_dict
from ._msa import best_start, msa_output, slow_elapsed

#: The largest step (all slow) is worth this many integer time units.
TIME_UNITS = 1e9
#: At most this many candidate pieces (more: a SolveError).
MAX_CANDIDATES = 50_000
#: Models of more candidate pieces are solved without CP-SAT's presolve (see :func:`run_model`).
PRESOLVE_MAX = 4_000


@dataclass(frozen=True)
class Cand:
    """A candidate piece: buffer, fast steps ``[first, end)``, prefetch issue step or None,
    eviction ``(start, done)`` or None, and the steps whose memory it holds."""

    buffer: int
    first: int
    end: int
    prefetch: int | None
    eviction: tuple[int, int] | None
    occ: tuple[int, int]


def candidates(
    inst: Msa,
    buffers: list[int] | None = None,
    max_lead: int | None = None,
    *,
    limit: int | None = None,
    deadline: float = math.inf,
) -> list[Cand] | None:
    """Every piece that can be part of an optimal solution: a piece ends right after an
    access and starts at one (or at ``lower`` without a copy), an eviction is issued as
    early as allowed (its copy time is free; its done step and a prefetch's issue step are
    choices). ``buffers``: only theirs; ``max_lead``: prefetches issued at most this many
    steps before the piece's first step. ``limit``: stop once there are more than this
    many (the list returned is then cut short, ``limit + 1`` long). ``None`` once the
    ``deadline`` (absolute :func:`~schedlab.core.timing.clock` seconds; none by default,
    and then the clock is never read) has passed."""
    lo, up, _sz, _al, _fx = inst.arrays
    cap = int(inst.capacity or 0)
    copies = inst.copies_enabled
    timed = deadline < math.inf
    over = math.inf if limit is None else limit
    out: list[Cand] = []
    for j in range(inst.n) if buffers is None else buffers:
        if len(out) > over:
            return out[: int(over) + 1]
        if timed and clock() >= deadline:
            return None
        acc, writes = inst.access_steps[j], inst.write_steps[j]
        if not acc or int(inst.arrays[2][j]) > cap:
            continue
        low, upp = int(lo[j]), int(up[j])
        starts: list[tuple[int, int | None]] = [(low, None)]
        if copies:
            for a in acc:
                stop = low if max_lead is None else max(low, a - max_lead)
                for s in range(a - 1, stop - 1, -1):
                    if s in writes:
                        break
                    starts.append((a, s))
        for a, pf in starts:
            if len(out) > over:
                break
            if timed and clock() >= deadline:
                return None
            for v in acc:
                if v < a:
                    continue
                e = v + 1
                later = [x for x in acc if e <= x < upp]
                wr = [x for x in writes if a <= x < e]
                need = bool(later) and (pf is None or bool(wr))
                occ0 = a if pf is None else pf
                if not need:
                    out.append(Cand(j, a, e, pf, None, (occ0, e)))
                    continue
                if not (copies and inst.evictions):
                    continue
                es = max([a] + [x + 1 for x in wr])
                for d in range(es + 1, later[0] + 1):
                    out.append(Cand(j, a, e, pf, (es, d), (occ0, max(e, d))))
    if not inst.evictions:
        out = [c for c in out if c.eviction is None]
    return out


def solve_msa_cpsat(inst: Msa, opts: SolveOptions, **lns_params: Any) -> SolverOutput:
    """Minimise the total time of an msa instance with CP-SAT.

    One Boolean per candidate piece (:func:`candidates`), at most one piece of a buffer
    holding memory at each step; the pieces chosen are optional intervals (steps x
    addresses) in a no-overlap-2D; the steps are chained (each starts after the previous
    one and after the copies done before it) with durations ``max(compute, memory time)``
    of the pieces chosen; the copies are optional intervals that begin once their issue
    step is reached, on a cumulative of ``copy_engines``; the outstanding prefetches are
    counted per step. Times are integers (:data:`TIME_UNITS` for the slowest step), every
    duration rounded up, so that the model's schedule is feasible in real time (the copy
    times it gives are checked as such); the bound read back is lowered by the rounding
    that a real schedule could gain (one unit per step, access and copy), so it is valid.

    Hinted by the better of ``xla`` and the whole-life marginal-benefit greedy (or by
    ``opts.hint``); without a time limit it runs until proved; a work
    limit caps CP-SAT's deterministic time. With more than :data:`MAX_CANDIDATES`
    candidates, the large-neighbourhood search of :func:`._msa_lns.solve_msa_lns` (the
    ``lns`` method) instead (``lns_params``: its parameters).

    Deadline: the candidates (counted up to ``MAX_CANDIDATES + 1``) may take a third of the
    time left, the greedy start a third of what is then left, the model build checks it
    as it goes; when one of them runs out, the start (or the hint) is the answer."""
    end = opts.deadline.end
    timed = end < math.inf
    # the candidates may take a third of the time: then the greedy start only
    cands = candidates(
        inst,
        limit=MAX_CANDIDATES,
        deadline=clock() + opts.deadline.remaining() / 3 if timed else end,
    )
    if cands is not None and len(cands) > MAX_CANDIDATES:
        from ._msa_lns import solve_msa_lns

        out = solve_msa_lns(inst, opts, **lns_params)
        out.info["candidates"] = len(cands)  # counted up to MAX_CANDIDATES + 1
        return out
    third = clock() + opts.deadline.remaining() / 3 if timed else end
    if cands is None:  # no time for the model: the greedy start with what is left
        third = end
    hint_sol: dict[str, Any] = opts.hint if opts.hint else best_start(inst, third)
    try:
        inst.check(hint_sol)
    except SolutionError:  # a hint of another instance: ignored
        hint_sol = best_start(inst, third)
    if cands is None:
        info0 = {"cp_status": "NOT_SOLVED (time limit while listing the candidates)"}
        return msa_output(inst, hint_sol, {**info0, "origin": "hint"})
    sol, proved, bound, info = run_model(inst, opts, cands, hint_sol)
    info["candidates"] = len(cands)
    if sol is None:
        return msa_output(inst, hint_sol, {**info, "origin": "hint"}, bound=bound)
    obj = inst.check(sol)
    hobj = inst.check(hint_sol)
    if hobj < obj:
        sol, info["origin"] = hint_sol, "hint"
    proven = proved and min(obj, hobj) - bound <= 1e-6 * max(1.0, abs(obj))
    return _output(inst, sol, info, bound, proven)


def run_model(
    inst: Msa,
    opts: SolveOptions,
    cands: list[Cand],
    hint_sol: dict[str, Any] | None,
    fixed: dict[int, int] | None = None,
    share: float = 1.0,
    work: float | None = None,
) -> tuple[dict[str, Any] | None, bool, float, dict[str, Any]]:
    """Build and solve the model over ``cands`` (those of ``fixed``, candidate -> offset,
    chosen at that offset): ``(solution or None, proved optimal, bound, info)``; the
    solution's copies carry CP-SAT's times."""
    from ....engines import cpsat as engine

    cp_model = engine.cp_model
    dl = opts.deadline
    late: dict[str, Any] = {"cp_status": "NOT_SOLVED (time limit during the build)"}
    ns = len(inst.steps)
    lo, up, sz, al, _fx = inst.arrays
    cap = int(inst.capacity or 0)
    el = slow_elapsed(inst)
    scale = TIME_UNITS / max(1e-12, float(el.max()) if ns else 1.0)
    ctime = [
        math.ceil(inst.copy_time(int(sz[c.buffer])) * scale - 1e-9) if inst.copies_enabled else 0
        for c in cands
    ]
    horizon = int(math.ceil(float(el.sum()) * scale)) + ns + 2 * sum(ctime) + 10
    m = cp_model.CpModel()
    lit = [m.new_bool_var(f"p{k}") for k in range(len(cands))]
    # at most one piece of a buffer holds memory at each step
    hold: dict[tuple[int, int], list[Any]] = {}
    cover: dict[tuple[int, int], list[Any]] = {}
    xs = []
    tiv, siv, dem = [], [], []
    for k, c in enumerate(cands):
        if k % 32 == 31 and dl.expired():
            return None, False, -math.inf, late
        for t in range(c.occ[0], c.occ[1]):
            hold.setdefault((c.buffer, t), []).append(lit[k])
        for t in range(c.first, c.end):
            cover.setdefault((c.buffer, t), []).append(lit[k])
        s, a = int(sz[c.buffer]), int(al[c.buffer])
        top = cap - s
        if a > 1:
            q = m.new_int_var(0, top // a, f"q{k}")
            x = m.new_int_var(0, top, f"x{k}")
            m.add(x == a * q)
        else:
            x = m.new_int_var(0, top, f"x{k}")
        xs.append(x)
        if s > 0:
            tiv.append(
                m.new_optional_fixed_size_interval_var(
                    c.occ[0], c.occ[1] - c.occ[0], lit[k], f"t{k}"
                )
            )
            siv.append(m.new_optional_fixed_size_interval_var(x, s, lit[k], f"s{k}"))
            dem.append(s)
    for group in hold.values():
        if len(group) > 1:
            m.add_at_most_one(group)
    if not inst.evictions:
        per: dict[int, list[Any]] = {}
        for k, c in enumerate(cands):
            per.setdefault(c.buffer, []).append(lit[k])
        for group in per.values():
            m.add_at_most_one(group)
    if tiv:
        m.add_no_overlap_2d(tiv, siv)
        m.add_cumulative(tiv, dem, cap)
    if inst.max_outstanding_prefetches is not None:
        out: dict[int, list[Any]] = {}
        for k, c in enumerate(cands):
            if c.prefetch is not None:
                for t in range(c.prefetch, c.first):
                    out.setdefault(t, []).append(lit[k])
        for group in out.values():
            if len(group) > inst.max_outstanding_prefetches:
                m.add(sum(group) <= inst.max_outstanding_prefetches)
    # the steps
    prog = inst.program
    step, buf, nbytes, compute = prog.accesses
    inv_s, inv_f = 1.0 / prog.slow_bandwidth, 1.0 / prog.fast_bandwidth
    B = [m.new_int_var(0, horizon, f"B{i}") for i in range(ns)]
    E = [m.new_int_var(0, horizon, f"E{i}") for i in range(ns)]
    slow_t = np.zeros(ns)
    np.add.at(slow_t, step, nbytes * inv_s)
    saves: dict[int, list[tuple[int, int]]] = {}
    for s, j, v in zip(step.tolist(), buf.tolist(), nbytes.tolist(), strict=True):
        saves.setdefault(s, []).append((j, v))
    for i in range(ns):
        if i % 256 == 255 and dl.expired():
            return None, False, -math.inf, late
        c_i = math.ceil(float(compute[i]) * scale - 1e-9)
        m.add(E[i] >= B[i] + c_i)
        terms = []
        for j, v in saves.get(i, ()):
            sv = math.floor(v * (inv_s - inv_f) * scale)
            if sv > 0:
                for p in cover.get((j, i), ()):
                    terms.append(sv * p)
        m.add(E[i] >= B[i] + math.ceil(float(slow_t[i]) * scale + 1e-9) - sum(terms))
        if i > 0:
            m.add(B[i] >= E[i - 1])
    # the copies
    civ = []
    begins: dict[tuple[int, str], Any] = {}
    for k, c in enumerate(cands):
        if k % 32 == 31 and dl.expired():
            return None, False, -math.inf, late
        for kind, issue, done in (
            ("prefetch", c.prefetch, c.first),
            ("eviction", *(c.eviction or (None, None))),
        ):
            if issue is None or done is None:
                continue
            b = m.new_int_var(0, horizon, f"c{k}{kind[0]}")
            civ.append(
                m.new_optional_fixed_size_interval_var(b, ctime[k], lit[k], f"ci{k}{kind[0]}")
            )
            if issue > 0:
                m.add(b >= E[issue - 1]).only_enforce_if(lit[k])
            m.add(B[done] >= b + ctime[k]).only_enforce_if(lit[k])
            begins[(k, kind)] = b
    # a prefetch issued when the eviction of the buffer's previous piece is done may only
    # begin once that eviction has ended (later issues are ready after it anyway)
    by_done: dict[tuple[int, int], list[int]] = {}
    for k, c in enumerate(cands):
        if c.eviction is not None:
            by_done.setdefault((c.buffer, c.eviction[1]), []).append(k)
    for kq, c in enumerate(cands):
        if c.prefetch is None:
            continue
        for kp in by_done.get((c.buffer, c.prefetch), ()):
            m.add(begins[(kq, "prefetch")] >= begins[(kp, "eviction")] + ctime[kp]).only_enforce_if(
                [lit[kp], lit[kq]]
            )
    if civ:
        m.add_cumulative(civ, [1] * len(civ), inst.copy_engines)
    m.minimize(E[ns - 1])
    if dl.expired():  # the build outlasted the time limit
        return None, False, -math.inf, late
    for k, o in (fixed or {}).items():
        m.add(lit[k] == 1)
        m.add(xs[k] == o)
    # the hint
    if hint_sol is not None:
        chosen = _match(inst, cands, hint_sol)
        for k in range(len(cands)):
            m.add_hint(lit[k], k in chosen)
            if k in chosen:
                m.add_hint(xs[k], chosen[k])
    # no feasibility jump: on the larger models its first-solution run ignores the time
    # limit (a 60 s limit ran 98 s on a 1,000-step program, the jump alone 62 s); nor
    # presolve on the largest, where one of its loops can outlast the limit many times over
    # (53 s against 10 s on an lns window of bert_base)
    params: dict[str, Any] = {"use_feasibility_jump": False}
    if len(cands) > PRESOLVE_MAX:
        params["cp_model_presolve"] = False
    solver = engine.solver(opts, share=share, work=work, params=params)
    st = solver.solve(m)
    engine.charge(opts, solver)
    info: dict[str, Any] = {
        "cp_status": solver.status_name(st),
        "wall_time": solver.wall_time,
        "deterministic_time": solver.deterministic_time,
    }
    slack = 1 + 2 * ns + step.shape[0] + 2 * len(civ)
    bound = (float(solver.best_objective_bound) - slack) / scale
    if not engine.has_solution(st):
        return None, False, bound, info
    fast: dict[Any, list[dict[str, Any]]] = {}
    rows = sorted(
        (k for k in range(len(cands)) if solver.boolean_value(lit[k])),
        key=lambda k: (cands[k].buffer, cands[k].occ[0]),
    )
    for k in rows:
        c = cands[k]
        d = piece_dict(int(solver.value(xs[k])), c.first, c.end, c.prefetch, c.eviction)
        for kind in ("prefetch", "eviction"):
            if (k, kind) in begins:
                b0 = solver.value(begins[(k, kind)]) / scale
                d[kind]["begin"] = b0
                d[kind]["end"] = b0 + inst.copy_time(int(sz[c.buffer]))
        fast.setdefault(inst.ids[c.buffer], []).append(d)
    return {"fast": fast}, st == cp_model.OPTIMAL, bound, info


def _output(
    inst: Msa, sol: dict[str, Any], info: dict[str, Any], bound: float, proven: bool
) -> SolverOutput:
    """The output, copy times as given (CP-SAT's) or filled in (a hint)."""
    obj = inst.check(sol)
    has_times = any(
        "begin" in (p.get(k) or {})
        for ps in sol["fast"].values()
        for p in ps
        for k in ("prefetch", "eviction")
    )
    if not has_times:
        return msa_output(inst, sol, info, bound=bound, proven=proven)
    lb = min(max(bound, inst.lower_bound()), obj)
    if proven:
        return SolverOutput(sol, Status.OPTIMAL, bound=obj, info=info)
    return SolverOutput(sol, Status.FEASIBLE, bound=lb, info=info)


def _match(inst: Msa, cands: list[Cand], sol: dict[str, Any]) -> dict[int, int]:
    """Candidate index -> offset of the pieces of ``sol``."""
    key = {(c.buffer, c.first, c.end, c.prefetch, c.eviction): k for k, c in enumerate(cands)}
    out: dict[int, int] = {}
    for j, ps in enumerate(inst.pieces(sol)):
        for p in ps:
            ev = (
                None
                if p.evict_start is None or p.evict_done is None
                else (p.evict_start, p.evict_done)
            )
            k = key.get((j, p.first, p.end, p.prefetch, ev))
            if k is not None:
                out[k] = p.offset
    return out
