"""``cpsat``: no-overlap-2D with fixed-size intervals in time and space (optional in
mapping), hinted from the best greedy."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ....core import SolveOptions, SolverOutput, Status, register
from ....core.timing import clock
from ..model import Mapping, MemoryInstance
from ..msa import Msa
from ._common import FAMILY, hint_offsets, int_bound, peak, solution
from ._mapping import benefit_offsets, mapping_arrays, per_step
from ._placement import best_greedy, warm_sliced

#: Scale of mapping times in the integer model: the slowest step is worth this many units.
_TIME_UNITS = 1e8
#: The unit of ``work_limit`` for ``cpsat``.
WORK_UNIT = "CP-SAT deterministic time (seconds of CP-SAT's work clock)"


def _auto(inst: MemoryInstance, time_limit: float | None) -> float | None:
    if isinstance(inst, Msa):  # below mip's 60 on programs mip takes (docs/auto.md)
        return 50.0
    if isinstance(inst, Mapping):
        return 20.0 if inst.n <= 400 else None
    if any(b.offset is not None for b in inst.buffers):
        return 30.0
    return None


@register(
    FAMILY,
    "cpsat",
    exact=True,
    help="CP-SAT no-overlap-2D (allocation: min peak or feasibility; mapping: min time; msa: "
    "pieces and copies, the lns search beyond 50,000 candidates); no time limit: until proved.",
    engine="ortools",
    auto=_auto,
    warmup=warm_sliced,
    work=WORK_UNIT,
)
def solve_cpsat(
    inst: MemoryInstance,
    opts: SolveOptions,
    *,
    minimize: bool = True,
    windows: int | None = None,
    width: int = 12,
) -> SolverOutput:
    """Allocation: minimise the peak (with a capacity and ``minimize=False``: any placement
    within it). Mapping: minimise the total time, step times linearised with times scaled
    to integers and rounded down (so the bound stays valid). Without a time limit CP-SAT
    runs until it has proved its answer. A work limit caps CP-SAT's deterministic time (one
    CP-SAT solve; the greedy start and the model build are not counted); with one worker,
    a seed and no time limit, the run repeats exactly. The hint (``hint=``, else the best
    greedy) is CP-SAT's solution hint, and the answer when CP-SAT finds none. Msa: the
    model of :func:`._msa_cpsat.solve_msa_cpsat` (candidate pieces, copies on the engines),
    hinted by ``xla`` or the whole-life greedy; when the full model would be too large, the
    large-neighbourhood search of the ``lns`` method instead (``windows`` windows of
    ``width`` steps, each re-decided by CP-SAT; ``None``: until the limit). ``windows`` and
    ``width`` are for msa only."""
    if isinstance(inst, Msa):
        from ._msa_cpsat import solve_msa_cpsat

        return solve_msa_cpsat(inst, opts, windows=windows, width=width)
    from ....engines import cpsat as engine

    cp_model = engine.cp_model
    lo, up, sz, al, fx = inst.arrays
    n = inst.n
    mapping = isinstance(inst, Mapping)
    hint = hint_offsets(inst, opts.hint)
    if hint is None:
        # the greedy start may take at most a third of the time (all of it without limit)
        third = clock() + opts.deadline.remaining() / 3
        if isinstance(inst, Mapping):
            hint = benefit_offsets(inst, third)
        else:
            hint, _ = best_greedy(inst, third)
            if hint is not None and inst.capacity is not None and peak(inst, hint) > inst.capacity:
                hint = None
    lb = inst.lower_bound()
    # no placement needs to go above every buffer stacked (on top of the fixed ones): the
    # domains stay within what CP-SAT's 64-bit arithmetic handles (the instance keeps that
    # below 2**62)
    stacked = inst.fixed_top + int((sz + al - 1).sum())
    if mapping or inst.capacity is not None:
        top = min(int(inst.capacity or 0), stacked)
    else:
        top = peak(inst, hint) if hint is not None else stacked
    # time only matters by its order: ranks keep the interval arithmetic small
    times = np.unique(np.concatenate([lo, up]))
    lo, up = np.searchsorted(times, lo), np.searchsorted(times, up)
    dl = opts.deadline

    def timed_out() -> SolverOutput:
        """The build outlasted the time limit: the hint if any, else nothing."""
        info = {"cp_status": "NOT_SOLVED (time limit during the model build)"}
        if hint is not None:
            return _out(inst, hint, lb, info, None)
        return SolverOutput(solution=None, status=Status.UNKNOWN, bound=lb, info=info)

    m = cp_model.CpModel()
    xs: list[Any] = []
    present: list[Any] = []  # mapping: presence literal of a free buffer, else None
    tiv: list[Any] = []
    siv: list[Any] = []
    for i in range(n):
        if i % 256 == 255 and dl.expired():
            return timed_out()
        s, a = int(sz[i]), int(al[i])
        if fx[i] >= 0:
            x = m.new_constant(int(fx[i]))
        elif a > 1:
            mult = m.new_int_var(0, max(0, (top - s) // a), f"k{i}")
            x = m.new_int_var(0, max(0, top - s), f"x{i}")
            m.add(x == a * mult)
        else:
            x = m.new_int_var(0, max(0, top - s), f"x{i}")
        xs.append(x)
        if mapping and fx[i] < 0:
            p = m.new_bool_var(f"p{i}")
            present.append(p)
            if top - s < 0:
                m.add(p == 0)
            tiv.append(
                m.new_optional_fixed_size_interval_var(int(lo[i]), int(up[i] - lo[i]), p, f"t{i}")
            )
            siv.append(m.new_optional_fixed_size_interval_var(x, s, p, f"s{i}"))
        else:
            present.append(None)
            tiv.append(m.new_fixed_size_interval_var(int(lo[i]), int(up[i] - lo[i]), f"t{i}"))
            siv.append(m.new_fixed_size_interval_var(x, s, f"s{i}"))
    m.add_no_overlap_2d(tiv, siv)
    if mapping or inst.capacity is not None:
        # redundant: at every moment the live buffers in memory fit in the capacity
        m.add_cumulative(tiv, [int(v) for v in sz], top)
        if mapping:
            # and as linear constraints, one per moment a buffer starts (for the LP bound)
            free = np.array([p is not None for p in present], dtype=bool)
            for k, t in enumerate(np.unique(lo)):
                if k % 64 == 63 and dl.expired():
                    return timed_out()
                live = np.flatnonzero((lo <= t) & (t < up) & free)
                if int(sz[live].sum()) > top:
                    m.add(sum(int(sz[i]) * present[i] for i in live) <= top)
    scale = 1.0
    peak_var = None
    if isinstance(inst, Mapping):
        ma = mapping_arrays(inst)
        per = ma.step_bytes * ma.inv_slow
        slow_step = np.maximum(ma.compute, per_step(ma, per))
        scale = _TIME_UNITS / max(1e-12, float(slow_step.max()))
        terms = []
        for s in range(len(inst.steps)):
            if s % 256 == 255 and dl.expired():
                return timed_out()
            c = int(math.floor(ma.compute[s] * scale))
            t = m.new_int_var(c, max(c, int(math.ceil(slow_step[s] * scale))), f"T{s}")
            expr = []
            const = 0
            for k in range(ma.step_ptr[s], ma.step_ptr[s + 1]):
                b, nbytes = int(ma.step_buf[k]), int(ma.step_bytes[k])
                const += int(math.floor(nbytes * ma.inv_slow * scale))
                save = int(math.ceil(nbytes * (ma.inv_slow - ma.inv_fast) * scale))
                if present[b] is not None:
                    expr.append(save * present[b])
                elif fx[b] >= 0:
                    const -= save
            m.add(t >= const - sum(expr))
            terms.append(t)
        m.minimize(sum(terms))
    elif minimize or inst.capacity is None:
        peak_var = m.new_int_var(int_bound(inst), max(int_bound(inst), top), "peak")
        for i in range(n):
            m.add(peak_var >= xs[i] + int(sz[i]))
        m.minimize(peak_var)
    if dl.expired():
        return timed_out()
    if hint is not None:
        for i in range(n):
            if fx[i] >= 0:
                continue
            if present[i] is not None:
                m.add_hint(present[i], bool(hint[i] >= 0))
            if hint[i] >= 0:
                m.add_hint(xs[i], int(hint[i]))
    solver = engine.solver(opts)
    st = solver.solve(m)
    engine.charge(opts, solver)
    info = {
        "cp_status": solver.status_name(st),
        "wall_time": solver.wall_time,
        "deterministic_time": solver.deterministic_time,
    }
    if not engine.has_solution(st):
        if st == cp_model.INFEASIBLE and not mapping:
            return SolverOutput(solution=None, status=Status.INFEASIBLE, info=info)
        if hint is not None:
            return _out(inst, hint, lb, info, None)
        return SolverOutput(solution=None, status=Status.UNKNOWN, bound=lb, info=info)
    off = np.array(
        [
            -1
            if present[i] is not None and not solver.boolean_value(present[i])
            else int(solver.value(xs[i]))
            for i in range(n)
        ],
        dtype=np.int64,
    )
    if mapping:
        bound = max(lb, solver.best_objective_bound / scale * (1 - 1e-12))
    elif peak_var is not None:
        bound = max(lb, float(solver.best_objective_bound))
    else:
        bound = lb
    proven = st == cp_model.OPTIMAL and peak_var is not None
    return _out(inst, off, bound, info, float(peak(inst, off)) if proven else None)


def _below(x: float) -> int:
    """An integer at most ``x``, a bound read from a float: beyond 2**53 a float is not
    exact, so one unit in the last place is taken off."""
    v = math.floor(x)
    return int(v - math.ulp(x)) if abs(x) >= 2.0**53 else int(v)


def _out(
    inst: MemoryInstance, off: np.ndarray, bound: float, info: dict[str, Any], proven: float | None
) -> SolverOutput:
    """The output of a placement: a mapping is OPTIMAL when its time meets ``bound``; an
    allocation when CP-SAT proved its peak (``proven``) or the peak meets the bound (compared
    as exact integers, peaks reaching 2**62)."""
    if isinstance(inst, Mapping):
        obj = inst.total_time(off >= 0)
        bound = min(bound, obj)
        close = obj - bound <= 1e-7 * max(1.0, abs(obj))
        return SolverOutput(
            solution=solution(inst, off),
            status=Status.OPTIMAL if close else Status.FEASIBLE,
            bound=obj if close else bound,
            info=info,
        )
    p = peak(inst, off)
    b = max(int_bound(inst), _below(bound))
    status = Status.OPTIMAL if proven is not None or p <= b else Status.FEASIBLE
    return SolverOutput(
        solution=solution(inst, off),
        status=status,
        bound=float(p) if status is Status.OPTIMAL else float(min(b, p)),
        info={**info, "peak": p},
    )
