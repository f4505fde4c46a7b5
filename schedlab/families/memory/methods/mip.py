"""``mip`` (mapping): HiGHS on the capacity relaxation, then a placement of its choice.

Every mapping keeps, at each moment, the buffers live in fast memory within the capacity;
dropping the offsets (the no-overlap in space) leaves a 0/1 program that HiGHS solves well
even for thousands of buffers:

    min  sum_s T_s
    T_s >= compute_s,   T_s >= slow_s - sum_b save_{s,b} y_b       (every step s)
    sum_{b live at t} size_b y_b <= capacity                         (every start time t)

Its optimum is a lower bound on every mapping's time. The chosen buffers are then placed at
offsets below the capacity (the greedy placements of allocation, then the ``exact`` search);
when they all fit, the mapping attains the bound and, with the program solved to optimality,
is proven optimal. When they do not, the buffers that do not fit stay in slow memory and the
others are added greedily; the marginal-benefit greedy is kept if it is better.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ....core import SolveError, SolveOptions, SolverOutput, Status, Work, register
from ....core.timing import clock
from ..model import Allocation, Buffer, Mapping, MemoryInstance
from ..msa import Msa
from ._common import FAMILY, hint_offsets, peak, require, solution
from ._mapping import MappingArrays, benefit_offsets, mapping_arrays, standalone_benefit
from ._placement import best_greedy, kernels, warm_sliced

#: Share of the time limit (and of the work budget) for HiGHS; the rest is for the placement.
_MIP_SHARE = 0.7
#: Search steps of the exact placement worth one unit of work (one HiGHS node).
STEPS_PER_UNIT = 1000
#: The unit of ``work_limit`` for ``mip``.
WORK_UNIT = (
    "HiGHS branch-and-bound nodes (at most 70 %); the exact placement that may follow "
    f"spends one per {STEPS_PER_UNIT} search steps"
)


#: Msa programs of up to this many steps go to ``mip`` under ``auto`` (cpsat beyond).
AUTO_MSA_STEPS = 3000


def _auto(inst: MemoryInstance, time_limit: float | None) -> float | None:
    if isinstance(inst, Msa):  # above cpsat's 50 (docs/auto.md)
        return 60.0 if len(inst.steps) <= AUTO_MSA_STEPS else None
    return 30.0 if isinstance(inst, Mapping) else None


def _model(inst: Mapping, ma: MappingArrays, deadline: float = math.inf) -> dict[str, Any] | None:
    """Columns (y per free buffer, T per step) and rows of the relaxation, row-wise (built
    with array operations; ``None`` if the ``deadline``, absolute ``perf_counter`` seconds,
    passes first)."""
    lo, up, sz, _al, fx = inst.arrays
    cap = int(inst.capacity or 0)
    n, ns = inst.n, len(inst.steps)
    fixed = fx >= 0
    # buffers that can never be in fast memory are left out
    free = ~fixed & (sz <= cap)
    col = -np.ones(n, np.int64)
    col[free] = np.arange(int(free.sum()))
    ny = int(free.sum())
    cost = np.concatenate([np.zeros(ny), np.ones(ns)])
    lower = np.concatenate([np.zeros(ny), ma.compute])
    upper = np.concatenate([np.ones(ny), np.full(ns, np.inf)])
    # time rows: T_s + sum save y >= slow_s, for the steps that can be memory-bound
    d = ma.inv_slow - ma.inv_fast
    step = np.repeat(np.arange(ns), np.diff(ma.step_ptr))
    bufs, nbytes = ma.step_buf, ma.step_bytes
    inv = np.where(fixed[bufs], ma.inv_fast, ma.inv_slow)
    slow = np.bincount(step, weights=nbytes * inv, minlength=ns)
    tight = slow > ma.compute
    acc = tight[step] & (col[bufs] >= 0)
    srow = np.concatenate([np.flatnonzero(tight), step[acc]])
    spos = np.concatenate([np.full(int(tight.sum()), -1), np.flatnonzero(acc)])
    sidx = np.concatenate([ny + np.flatnonzero(tight), col[bufs[acc]]])
    sval = np.concatenate([np.ones(int(tight.sum())), nbytes[acc] * d])
    o = np.lexsort((spos, srow))
    scount = np.bincount(step[acc], minlength=ns)[tight] + 1
    if clock() >= deadline:
        return None
    # capacity rows, scaled by the capacity; one per moment a buffer starts (where the
    # free buffers live then may exceed what the fixed ones leave)
    times = np.unique(lo)
    a = np.searchsorted(times, lo)
    e = np.searchsorted(times, up)
    cnt = e - a
    total = int(cnt.sum())
    who = np.repeat(np.arange(n), cnt)
    row = np.repeat(a, cnt) + np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    nt = len(times)

    def load(mask: np.ndarray) -> np.ndarray:  # exact integer loads at each start time
        diff = np.zeros(nt + 1, np.int64)
        np.add.at(diff, a[mask], sz[mask])
        np.add.at(diff, e[mask], -sz[mask])
        out: np.ndarray = np.cumsum(diff)[:nt]
        return out

    rest = cap - load(fixed)
    if (rest < 0).any():
        t = int(times[int(np.argmax(rest < 0))])
        raise SolveError(f"mip: the fixed buffers live at step {t} exceed the capacity")
    isfree = free[who]
    over = load(free) > rest
    keep = isfree & over[row]
    if clock() >= deadline:
        return None
    crow, cwho = row[keep], who[keep]
    oc = np.lexsort((cwho, crow))
    ccount = np.bincount(crow, minlength=nt)[over]
    scale = max(cap, 1)
    counts = np.concatenate([scount, ccount])
    starts = np.concatenate([[0], np.cumsum(counts)])
    index = np.concatenate([sidx[o], col[cwho[oc]]])
    value = np.concatenate([sval[o], sz[cwho[oc]] / scale])
    rlo = np.concatenate([slow[tight], np.full(int(over.sum()), -np.inf)])
    rup = np.concatenate([np.full(int(tight.sum()), np.inf), rest[over] / scale])
    return {
        "ny": ny,
        "col": col,
        "cost": cost,
        "lower": lower,
        "upper": upper,
        "starts": np.asarray(starts, np.int32),
        "index": np.asarray(index, np.int32),
        "value": np.asarray(value, np.float64),
        "rlo": np.asarray(rlo, np.float64),
        "rup": np.asarray(rup, np.float64),
    }


def _solve_relaxation(
    inst: Mapping, ma: MappingArrays, opts: SolveOptions, limit: float
) -> tuple[np.ndarray | None, float, str]:
    """HiGHS on the relaxation within ``limit`` seconds (``math.inf``: none): (chosen buffers
    or None, dual bound, model status)."""
    from ....engines import highs

    mdl = _model(inst, ma, opts.deadline.end)
    if mdl is None:
        return None, -math.inf, "Time limit reached while building the model"
    ny, ns = mdl["ny"], len(inst.steps)
    run = highs.solve_rowwise(
        opts,
        cost=mdl["cost"],
        lower=mdl["lower"],
        upper=mdl["upper"],
        row_lower=mdl["rlo"],
        row_upper=mdl["rup"],
        starts=mdl["starts"],
        index=mdl["index"],
        value=mdl["value"],
        integer=np.arange(ny + ns) < ny,
        share=_MIP_SHARE,
        limit=limit,
        options={"mip_rel_gap": 1e-9, "mip_abs_gap": 1e-9},
    )
    # the greedy mapping is compared afterwards (no MIP start: see solve_rowwise)
    if run.x is None:
        return None, run.bound, run.status
    y = run.x[:ny] > 0.5
    chosen = np.zeros(inst.n, dtype=bool)
    chosen[mdl["col"] >= 0] = y
    chosen[inst.arrays[4] >= 0] = True
    return chosen, run.bound, run.status


def _place(
    inst: Mapping, chosen: np.ndarray, deadline: float, work: Work | None = None
) -> np.ndarray | None:
    """Offsets below the capacity for exactly the ``chosen`` buffers, or ``None`` (also when
    the ``deadline``, absolute ``perf_counter`` seconds, passes first, or the ``work``
    budget, in search steps of the exact placement, is used up)."""
    lo, up, sz, al, fx = inst.arrays
    cap = int(inst.capacity or 0)
    idx = np.flatnonzero(chosen)
    sub = Allocation(
        buffers=tuple(
            Buffer(
                id=str(k),
                lower=int(lo[i]),
                upper=int(up[i]),
                size=int(sz[i]),
                alignment=int(al[i]),
                offset=None if fx[i] < 0 else int(fx[i]),
            )
            for k, i in enumerate(idx)
        ),
        capacity=cap,
    )
    off = -np.ones(inst.n, np.int64)
    if len(idx) == 0:
        return off
    if sub.max_load > cap:
        return None
    g, _ = best_greedy(sub, deadline)
    if g is None or peak(sub, g) > cap:
        from ._canonical import feasible, prepare  # numba: imported when needed

        g, _inf, _k = feasible(prepare(sub), cap, deadline, work=work)
        if g is None:
            return None
    off[idx] = g
    return off


def _repair(inst: Mapping, ma: MappingArrays, chosen: np.ndarray) -> np.ndarray:
    """A mapping from a choice that did not fit: the chosen buffers by size (what does not fit
    stays in slow memory), then the others by standalone benefit, each by best fit."""
    lo, up, sz, al, fx = inst.arrays
    ben = standalone_benefit(ma, inst.n)
    idx = np.arange(inst.n)
    first = np.lexsort((idx, -(up - lo), -sz))
    first = first[chosen[first]]
    rest = np.lexsort((idx, -ben / np.sqrt(np.maximum(sz, 1))))
    rest = rest[~chosen[rest] & (ben[rest] > 0)]
    order = np.concatenate([first, rest])
    out = kernels().place(order, lo, up, sz, al, fx, int(inst.capacity or 0), True, True)
    assert out is not None  # no deadline: the placement always finishes
    return out


def _warm() -> None:
    """:func:`warm_sliced`, and the canonical search that places a relaxation's choice
    (mapping and msa) when the greedy orders exceed the capacity: the family's samples do
    not reach it, and its compile (8.5 s) landed inside a 3 s limit on a 2000-step msa
    program."""
    from ._canonical import feasible, prepare  # numba

    warm_sliced()
    sizes = ((0, 2, 2), (2, 4, 2), (0, 4, 1), (1, 3, 1))  # the max load, 4, fits
    tiny = Allocation(buffers=tuple(Buffer(str(k), *b) for k, b in enumerate(sizes)), capacity=4)
    far = clock() + 1e9
    for work in (None, Work(1000)):
        found, _, _ = feasible(prepare(tiny), 4, far, work=work)
        assert found is not None


@register(
    FAMILY,
    "mip",
    exact=True,
    help="Mapping: HiGHS on the capacity relaxation (a bound), its choice placed at offsets; "
    "msa: HiGHS on a relaxation with copy windows (a bound), its choice as pieces and copies; "
    "no time limit: until proved.",
    engine="highs",
    auto=_auto,
    warmup=_warm,
    work=WORK_UNIT,
)
def solve_mip(inst: MemoryInstance, opts: SolveOptions) -> SolverOutput:
    """Solve the capacity relaxation of a mapping instance with HiGHS (its optimum is a lower
    bound), then place the chosen buffers; optimal when they all fit and HiGHS proved its
    program optimal. Without a time limit HiGHS runs until it has proved its optimum.

    A work limit is one budget for both stages: HiGHS may take 70 % of it in
    branch-and-bound nodes (``info["nodes"]``); the exact placement of the chosen buffers
    (when the greedy placements fail) takes what is left, one unit per
    :data:`STEPS_PER_UNIT` search steps; a placement stopped by the budget is repaired
    greedily. With one thread and no time limit the run repeats exactly. The hint (``hint=``, else the marginal-benefit greedy) is kept when the
    relaxation's mapping is not better.

    Msa: the relaxation of :mod:`._msa_mip` (copies in their windows, evictions and the
    memory a prefetch holds left out), its choice turned into pieces and copies and placed;
    optimal when the simulated time meets HiGHS's proven optimum."""
    if isinstance(inst, Msa):
        from ._msa_mip import solve_msa_mip

        return solve_msa_mip(inst, opts)
    mp = require(inst, Mapping, "mip", "exact or cpsat")
    dl = opts.deadline.end
    ma = mapping_arrays(mp)
    start = hint_offsets(mp, opts.hint)
    if start is None:
        # the greedy mapping may take at most the share of the time HiGHS leaves
        rem = opts.deadline.remaining()
        start = benefit_offsets(mp, clock() + rem * (1 - _MIP_SHARE), ma)
    start_cost = mp.total_time(start >= 0)
    lb = mp.lower_bound()
    rem = opts.deadline.remaining()
    limit = rem * _MIP_SHARE if math.isfinite(rem) else math.inf
    used = opts.work.used
    chosen, bound, status = _solve_relaxation(mp, ma, opts, limit)
    info: dict[str, Any] = {
        "highs_status": status,
        "relaxation_bound": bound,
        "nodes": int(opts.work.used - used),
    }
    bound = max(lb, bound) if math.isfinite(bound) else lb
    best, best_cost, origin = start, start_cost, "greedy"
    if chosen is not None:
        left = opts.work.left()
        steps = None if left is None else Work(left * STEPS_PER_UNIT)
        off = _place(mp, chosen, dl, steps)
        if steps is not None:
            opts.work.spend(steps.used / STEPS_PER_UNIT)
        info["placed"] = off is not None
        if off is None:
            off = _repair(mp, ma, chosen)
        cost = mp.total_time(off >= 0)
        if cost < best_cost:
            best, best_cost, origin = off, cost, "relaxation" if info["placed"] else "repair"
    info["origin"] = origin
    bound = min(bound, best_cost)
    close = best_cost - bound <= 1e-7 * max(1.0, abs(best_cost))
    return SolverOutput(
        solution=solution(mp, best),
        status=Status.OPTIMAL if close and status == "Optimal" else Status.FEASIBLE,
        bound=best_cost if close and status == "Optimal" else bound,
        info=info,
    )
