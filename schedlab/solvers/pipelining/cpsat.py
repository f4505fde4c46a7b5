"""Optimal modulo scheduling with CP-SAT: I from MII upward, then the shortest L; with warps,
the joint problem (modulo schedule + warp assignment over copies of the steady state).

Plain loops are solved on a reduced model (:class:`Reduced`): the ops on unlimited units are
projected out exactly (longest paths through them), starts are confined to windows that hold
for the least schedule of every residue assignment (so infeasibility proofs need no horizon),
feasibility at an II pins the largest strongly connected component (a schedule shifted by one
cycle stays feasible), and capacity-1 units get a domain constraint per op pair (the start
difference avoids the clashing residues). This proves the optimal II of loops with hundreds of
ops on which the full model stalls."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from ...core import SolveOptions, SolverOutput, Status, register
from ...models.pipelining import Instance, _longest_paths
from ._common import build_solution, edge_weights, horizon, is_plain, objective
from .ims import run_ims


@dataclass
class StepResult:
    """Outcome of one CP-SAT solve at a fixed II."""

    status: str  # "feasible", "optimal", "infeasible", "unknown"
    starts: list[int] | None = None
    warps: list[list[int]] | None = None
    length: int | None = None
    length_bound: int | None = None
    wall: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)


def _solver(opts: SolveOptions, limit: float | None) -> cp_model.CpSolver:
    s = cp_model.CpSolver()
    if limit is not None:
        s.parameters.max_time_in_seconds = max(0.01, float(limit))
    s.parameters.num_workers = opts.threads
    s.parameters.random_seed = opts.seed
    if opts.log is not None:
        s.parameters.log_search_progress = True
        s.log_callback = opts.emit
    return s


def modulo_model(
    inst: Instance,
    ii: int,
    *,
    minimise_length: bool,
    length_cap: int | None = None,
    max_start: int | None = None,
) -> tuple[cp_model.CpModel, list[cp_model.IntVar], cp_model.IntVar]:
    """The modulo-scheduling CP-SAT model at ``ii`` (no warps): starts in [asap, H], modulo
    reservation table by residue booleans, dependences; returns (model, starts, L)."""
    m = cp_model.CpModel()
    asap = inst.asap(ii)
    if asap is None:
        raise ValueError(f"ii {ii} is below RecMII")
    hz = horizon(inst, ii)
    if max_start is not None:  # a heuristic restriction: no infeasibility proof under it
        hz = min(hz, max_start)
    span = [o.span for o in inst.ops]
    lmax = hz + max(span)
    if length_cap is not None:
        lmax = min(lmax, length_cap)
    rev = [(d, s, w) for s, d, w in edge_weights(inst, ii)]
    tail = _longest_paths(inst.n, rev) or [0] * inst.n  # longest path from v onwards
    t = [
        m.new_int_var(asap[v], max(asap[v], min(hz - tail[v], lmax - span[v])), f"t{v}")
        for v in range(inst.n)
    ]
    for s, d, w in edge_weights(inst, ii):
        if s == d:
            continue  # self loops: w <= 0 holds for ii >= RecMII
        m.add(t[d] - t[s] >= w)
    _add_modulo_resources(m, inst, ii, t, hz)
    length = m.new_int_var(max(asap[v] + span[v] for v in range(inst.n)), lmax, "L")
    for v in range(inst.n):
        m.add(length >= t[v] + span[v])
    if minimise_length:
        m.minimize(length)
    return m, t, length


def _add_modulo_resources(
    m: cp_model.CpModel, inst: Instance, ii: int, t: list[cp_model.IntVar], tmax: int
) -> None:
    by_unit: dict[str, list[tuple[int, int, int]]] = {}
    for v, o in enumerate(inst.ops):
        for off, u, a in o.table:
            if inst.machine.capacity(u) is not None:
                by_unit.setdefault(u, []).append((v, off, a))
    if ii == 1:
        for u, uses in by_unit.items():
            cap = inst.machine.capacity(u)
            if sum(a for _, _, a in uses) > (cap or 0):
                m.add_bool_or([])  # infeasible
        return
    res: dict[int, cp_model.IntVar] = {}
    x: dict[int, list[cp_model.IntVar]] = {}
    limited = sorted({v for uses in by_unit.values() for v, _, _ in uses})
    for v in limited:
        r = m.new_int_var(0, ii - 1, f"r{v}")
        q = m.new_int_var(0, tmax // ii + 1, f"q{v}")
        m.add(t[v] == ii * q + r)
        xs = [m.new_bool_var(f"x{v}_{k}") for k in range(ii)]
        m.add_exactly_one(xs)
        m.add(sum(k * xs[k] for k in range(ii)) == r)
        res[v], x[v] = r, xs
    for u, uses in by_unit.items():
        cap = inst.machine.capacity(u)
        assert cap is not None
        ops_u = {v for v, _, _ in uses}
        single = all(off == 0 and a == 1 for _, off, a in uses) and len(ops_u) == len(uses)
        if single and cap == 1:
            m.add_all_different([res[v] for v in sorted(ops_u)])
            continue
        total = sum(a for _, _, a in uses)
        if total <= cap:
            continue
        for k in range(ii):
            m.add(sum(a * x[v][(k - off) % ii] for v, off, a in uses) <= cap)


def solve_step(
    inst: Instance,
    ii: int,
    opts: SolveOptions,
    limit: float | None,
    *,
    minimise_length: bool,
    hint: list[int] | None = None,
    length_cap: int | None = None,
    max_start: int | None = None,
) -> StepResult:
    """One CP-SAT solve at ``ii``: feasibility, or the shortest length (at most
    ``length_cap``, which a known schedule of that length makes safe)."""
    try:
        m, t, length = modulo_model(
            inst, ii, minimise_length=minimise_length, length_cap=length_cap, max_start=max_start
        )
    except ValueError:
        return StepResult("infeasible")
    if hint is not None:
        low = min(hint)
        for v in range(inst.n):
            m.add_hint(t[v], hint[v] - low)
    solver = _solver(opts, limit)
    st = solver.solve(m)
    out = StepResult("unknown", wall=solver.wall_time)
    if st == cp_model.INFEASIBLE:
        out.status = "infeasible"
    elif st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        out.starts = [int(solver.value(x)) for x in t]
        out.length = int(solver.value(length))
        out.status = "optimal" if st == cp_model.OPTIMAL else "feasible"
        if minimise_length:
            out.length_bound = int(math.ceil(solver.best_objective_bound - 1e-9))
    return out


# -- the reduced model: resource-limited ops only --------------------------------------------
_NEG = -(1 << 40)


def _closure(n: int, edges: list[tuple[int, int, int]], sources: list[int], absorb: bool) -> Any:
    """Longest path lengths (rows: sources, columns: all ops; ``_NEG`` when unreachable).
    With ``absorb``, paths stop at the other sources (their intermediate ops are unlisted)."""
    dist = np.full((len(sources), n), _NEG, dtype=np.int64)
    rows = np.arange(len(sources))
    dist[rows, sources] = 0
    if not edges:
        return dist
    e = np.asarray(edges, dtype=np.int64)
    src, dst, w = e[:, 0], e[:, 1], e[:, 2]
    stop = None
    if absorb:
        stop = np.zeros((len(sources), n), dtype=bool)
        stop[:, sources] = True
        stop[rows, sources] = False
        stop = stop[:, src]
    for _ in range(n + 1):
        base = dist[:, src]
        cand = np.where(base > _NEG // 2, base + w, _NEG)
        if stop is not None:
            cand[stop] = _NEG
        new = dist.copy()
        np.maximum.at(new.T, dst, cand.T)
        if np.array_equal(new, dist):
            return dist
        dist = new
    raise ValueError("positive cycle")  # pragma: no cover - ii >= RecMII


@dataclass
class Reduced:
    """The modulo-scheduling problem at ``ii`` projected onto its resource-limited ops.

    Ops on unlimited units only are eliminated (Fourier-Motzkin on difference constraints:
    the kept ops ``a, b`` get ``t_b - t_a >= E[a, b]``, the longest path through eliminated
    ops), exactly: any kept starts satisfying the projected constraints extend to all ops
    (each eliminated op at its longest path from the source and the kept ops).

    Start windows ``[lb, ub]`` hold for the *least* schedule of every residue assignment (each
    op at the smallest start of its residue allowed by its predecessors; minimal in every
    start, hence in L): for a strongly connected component ``S`` of the kept ops, some
    ``s`` in ``S`` starts within ``ii - 1`` of its bound ``b_s`` from outside ``S`` (else
    shifting ``S`` down by ``ii`` would keep the schedule feasible), and every ``i`` in
    ``S`` starts at most ``-D(i, s)`` after it; components in topological order.
    """

    ii: int
    kept: list[int]
    pairs: list[tuple[int, int, int]]  # (a, b, E[a, b]) between kept ops
    dist: Any  # K x n longest paths from the kept ops
    asap: list[int]
    lb: list[int]
    ub: list[int]
    comp: list[int]  # component of each kept op
    comps: list[list[int]]
    order: list[int]  # components in topological order
    tail: list[int]  # longest path from each kept op to the end (incl. span)
    base_length: int  # L lower bound from the eliminated ops alone


def reduce_plain(inst: Instance, ii: int) -> Reduced | None:
    """The :class:`Reduced` problem at ``ii``, or ``None`` below RecMII."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    asap = inst.asap(ii)
    if asap is None:
        return None
    cap = inst.machine.capacity
    kept = [v for v, o in enumerate(inst.ops) if any(cap(u) is not None for _, u, _ in o.table)]
    k = len(kept)
    span = [o.span for o in inst.ops]
    ew: dict[tuple[int, int], int] = {}
    for s, d, w in edge_weights(inst, ii):
        if s != d:
            ew[(s, d)] = max(w, ew.get((s, d), _NEG))
    edges = [(s, d, w) for (s, d), w in ew.items()]
    dist = _closure(inst.n, edges, kept, absorb=False)
    proj = _closure(inst.n, edges, kept, absorb=True)[:, kept]
    dk = dist[:, kept]
    pairs = [
        (int(a), int(b), int(proj[a, b]))
        for a, b in zip(*np.nonzero(proj > _NEG // 2), strict=True)
        if a != b
    ]
    reach_end = np.where(dist > _NEG // 2, dist + np.asarray(span)[None, :], _NEG)
    tail = [int(x) for x in reach_end.max(axis=1)] if k else []
    # L from ops not reachable from any kept op: their asap start
    reached = (dist > _NEG // 2).any(axis=0) if k else np.zeros(inst.n, dtype=bool)
    base = max([asap[v] + span[v] for v in range(inst.n) if not reached[v]] + [0])
    for a, v in enumerate(kept):
        base = max(base, asap[v] + tail[a])
    if k:
        g = csr_matrix(
            (np.ones(len(pairs)), ([a for a, _, _ in pairs], [b for _, b, _ in pairs])),
            shape=(k, k),
        )
        _, lab = connected_components(g, directed=True, connection="strong")
        comp = [int(x) for x in lab]
    else:
        comp = []
    comps: list[list[int]] = [[] for _ in range(max(comp, default=-1) + 1)]
    for a, c in enumerate(comp):
        comps[c].append(a)
    reach = dk > _NEG // 2
    n_anc = [int(reach[:, cs[0]].sum()) for cs in comps]
    order = sorted(range(len(comps)), key=lambda c: n_anc[c])
    lb = [asap[v] for v in kept]
    red = Reduced(ii, kept, pairs, dist, asap, lb, [0] * k, comp, comps, order, tail, base)
    red.ub = _least_ub(red, {})
    return red


def _least_ub(red: Reduced, pinned: dict[int, int]) -> list[int]:
    """Upper start bounds of least schedules (components in topological order), with the
    kept ops of ``pinned`` (kept index -> upper bound) fixed in place."""
    ii, k = red.ii, len(red.kept)
    preds: list[list[tuple[int, int]]] = [[] for _ in range(k)]
    for a, b, w in red.pairs:
        preds[b].append((a, w))
    dk = red.dist[:, red.kept]
    ub = [0] * k
    for c in red.order:
        cs = red.comps[c]
        if all(a in pinned for a in cs):
            for a in cs:
                ub[a] = pinned[a]
            continue
        inside = set(cs)
        bnd = {}
        for s in cs:
            b = red.asap[red.kept[s]]
            for p, w in preds[s]:
                if p not in inside:
                    b = max(b, ub[p] + w)
            bnd[s] = b
        for i in cs:
            ub[i] = max(bnd[s] - (int(dk[i, s]) if i != s else 0) for s in cs) + ii - 1
    return ub


def _forbidden_domain(lo: int, hi: int, ii: int, bad: set[int]) -> list[list[int]] | None:
    """``[lo, hi]`` minus the values whose residue mod ``ii`` is in ``bad``, as intervals
    (``None`` when too fragmented to be worth a constraint)."""
    if lo > hi:
        return []
    if (hi - lo + 1) > 64 * ii:
        return None
    out: list[list[int]] = []
    cur = lo
    res = sorted(bad)
    for blk in range(lo // ii, hi // ii + 1):
        for b in res:
            x = blk * ii + b
            if x < lo or x > hi:
                continue
            if cur <= x - 1:
                out.append([cur, x - 1])
            cur = x + 1
    if cur <= hi:
        out.append([cur, hi])
    return out if len(out) <= 256 else None


def reduced_model(
    inst: Instance,
    red: Reduced,
    *,
    anchor: bool,
    minimise_length: bool = False,
    length_cap: int | None = None,
) -> tuple[cp_model.CpModel, list[Any], Any]:
    """CP-SAT model on the kept ops; returns (model, kept starts, L or None).

    With ``anchor`` (feasibility only; schedules are invariant under a shift of every start
    by one cycle, which rotates the residues): the largest component is pinned with one of
    its ops at its least-schedule upper bound ``A`` (shift a least schedule up until it is
    there), its other ops in ``[A + D(a, i), A - D(i, a)]``; the least-schedule cuts and
    bounds then hold for every other component (shift them down by ``ii`` while possible).
    """
    ii, kept = red.ii, red.kept
    k = len(kept)
    m = cp_model.CpModel()
    lb, ub = list(red.lb), list(red.ub)
    dk = red.dist[:, kept]
    pinned_comp = -1
    if anchor and k:
        pinned_comp = max(range(len(red.comps)), key=lambda c: len(red.comps[c]))
        cs = red.comps[pinned_comp]
        reach = dk[np.ix_(cs, cs)] > _NEG // 2
        a0 = cs[int(np.argmax(reach.sum(axis=1)))]
        big_a = red.ub[a0]
        pins = {i: big_a - (int(dk[i, a0]) if i != a0 else 0) for i in cs}
        ub = _least_ub(red, pins)
        for i in range(k):
            if dk[a0, i] > _NEG // 2:
                lb[i] = max(lb[i], big_a + (int(dk[a0, i]) if i != a0 else 0))
    if any(lb[i] > ub[i] for i in range(k)):
        m.add_bool_or([])
        ub = [max(lb[i], ub[i]) for i in range(k)]
    if length_cap is not None and not anchor:
        for i in range(k):
            ub[i] = min(ub[i], max(lb[i], length_cap - red.tail[i]))
    t = [m.new_int_var(lb[i], ub[i], f"t{kept[i]}") for i in range(k)]
    for a, b, w in red.pairs:
        m.add(t[b] - t[a] >= w)
    # least-schedule cuts: per component (but the pinned one), some op within ii - 1 of its
    # bound from outside the component
    preds: list[list[tuple[int, int]]] = [[] for _ in range(k)]
    for a, b, w in red.pairs:
        preds[b].append((a, w))
    for c, cs in enumerate(red.comps):
        if c == pinned_comp:
            continue
        inside = set(cs)
        terms = []
        for s in cs:
            low = red.asap[kept[s]]
            ext = [t[p] + w for p, w in preds[s] if p not in inside]
            if ext:
                b = m.new_int_var(low, max(low, ub[s]) + 10 * ii, f"b{s}")
                m.add_max_equality(b, [*ext, low])
                terms.append(t[s] - b)
            else:
                terms.append(t[s] - low)
        if len(terms) == 1:
            m.add(terms[0] <= ii - 1)
        else:
            mn = m.new_int_var(-10 * max(ub, default=1) - 10 * ii, ii - 1, f"mn{c}")
            m.add_min_equality(mn, terms)
    _reduced_resources(m, inst, red, t, lb, ub)
    length = None
    if not anchor:
        hi = max([red.base_length] + [ub[i] + red.tail[i] for i in range(k)])
        if length_cap is not None:
            hi = min(hi, max(length_cap, red.base_length))
        length = m.new_int_var(red.base_length, max(hi, red.base_length), "L")
        for i in range(k):
            m.add(length >= t[i] + red.tail[i])
        if minimise_length:
            m.minimize(length)
    return m, t, length


def _reduced_resources(
    m: cp_model.CpModel, inst: Instance, red: Reduced, t: list[Any], lb: list[int], ub: list[int]
) -> None:
    """Modulo reservation on the kept ops: residues; per unit all-different (capacity 1,
    one cycle per op), a cumulative over residues (one cycle each) or per-residue Booleans
    (general tables); for capacity-1 units, every pair's start difference avoids the
    clashing residues (a domain constraint: strong propagation on small windows)."""
    ii, kept = red.ii, red.kept
    cap = inst.machine.capacity
    by_unit: dict[str, list[tuple[int, int, int]]] = {}
    for i, v in enumerate(kept):
        for off, u, a in inst.ops[v].table:
            if cap(u) is not None:
                by_unit.setdefault(u, []).append((i, off, a))
    busy = {u: uses for u, uses in by_unit.items() if sum(a for *_, a in uses) > (cap(u) or 0)}
    if not busy:
        return
    if ii == 1:
        m.add_bool_or([])
        return
    res: dict[int, Any] = {}
    for i in sorted({i for uses in busy.values() for i, _, _ in uses}):
        r = m.new_int_var(0, ii - 1, f"r{i}")
        q = m.new_int_var(lb[i] // ii, ub[i] // ii, f"q{i}")
        m.add(t[i] == ii * q + r)
        res[i] = r
    xs: dict[int, list[Any]] = {}

    def bools(i: int) -> list[Any]:
        if i not in xs:
            xs[i] = [m.new_bool_var(f"x{i}_{j}") for j in range(ii)]
            m.add_exactly_one(xs[i])
            m.add(sum(j * x for j, x in enumerate(xs[i])) == res[i])
        return xs[i]

    for u, uses in busy.items():
        c = cap(u)
        assert c is not None
        ops_u = [i for i, _, _ in uses]
        one_row = len(set(ops_u)) == len(uses) and all(off == 0 for _, off, _ in uses)
        if one_row and c == 1:
            m.add_all_different([res[i] for i in ops_u])
        elif one_row:
            ivs = [m.new_fixed_size_interval_var(res[i], 1, f"iv{u}{i}") for i in ops_u]
            m.add_cumulative(ivs, [a for *_, a in uses], c)
        else:
            for j in range(ii):
                m.add(sum(a * bools(i)[(j - off) % ii] for i, off, a in uses) <= c)
        if c == 1:
            offs: dict[int, set[int]] = {}
            for i, off, _ in uses:
                offs.setdefault(i, set()).add(off % ii)
            items = sorted(offs)
            for x in range(len(items)):
                for y in range(x + 1, len(items)):
                    i, j = items[x], items[y]
                    lo, hi = lb[j] - ub[i], ub[j] - lb[i]
                    bad = {(oi - oj) % ii for oi in offs[i] for oj in offs[j]}
                    dom = _forbidden_domain(lo, hi, ii, bad)
                    if dom is None:
                        continue
                    m.add_linear_expression_in_domain(
                        t[j] - t[i], cp_model.Domain.from_intervals(dom)
                    )


def expand(red: Reduced, kept_starts: list[int]) -> list[int]:
    """All starts from the kept ones: every eliminated op at its longest path from the
    source and the kept ops."""
    out = np.asarray(red.asap, dtype=np.int64).copy()
    if red.kept:
        ts = np.asarray(kept_starts, dtype=np.int64)[:, None]
        cand = np.where(red.dist > _NEG // 2, red.dist + ts, _NEG).max(axis=0)
        out = np.maximum(out, cand)
    return [int(x) for x in out]


def solve_reduced(
    inst: Instance,
    ii: int,
    opts: SolveOptions,
    limit: float | None,
    *,
    minimise_length: bool,
    hint: list[int] | None = None,
    length_cap: int | None = None,
) -> StepResult:
    """One CP-SAT solve of the reduced model at ``ii``: feasibility (anchored) or the
    shortest length (at most ``length_cap``)."""
    red = reduce_plain(inst, ii)
    if red is None:
        return StepResult("infeasible")
    m, t, length = reduced_model(
        inst,
        red,
        anchor=not minimise_length,
        minimise_length=minimise_length,
        length_cap=length_cap,
    )
    if hint is not None:
        low = min(hint)
        for i, v in enumerate(red.kept):
            m.add_hint(t[i], hint[v] - low)
    solver = _solver(opts, limit)
    st = solver.solve(m)
    out = StepResult("unknown", wall=solver.wall_time)
    if st == cp_model.INFEASIBLE:
        out.status = "infeasible"
    elif st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        starts = expand(red, [int(solver.value(x)) for x in t])
        out.starts = starts
        out.length = max(starts[v] + inst.ops[v].span for v in range(inst.n)) - min(starts)
        out.status = "optimal" if st == cp_model.OPTIMAL else "feasible"
        if minimise_length:
            out.length_bound = int(math.ceil(solver.best_objective_bound - 1e-9))
    return out


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    return 50.0 if inst.n <= 3000 else None


@register(
    "pipelining",
    "cpsat",
    exact=True,
    help="CP-SAT: optimal II from MII up, then shortest L (joint warp assignment if warps).",
    engine="ortools",
    auto=_auto,
)
def solve_cpsat(
    inst: Instance,
    opts: SolveOptions,
    *,
    min_length: bool = True,
    copies: int | None = None,
) -> SolverOutput:
    """Optimal modulo scheduling: IMS gives an upper II; for II = MII, MII + 1, ... below it
    CP-SAT proves infeasibility or finds a schedule; at the first feasible II it minimises L.
    Status optimal only when II and L are both proven. With warps (``machine.warps > 1`` and
    warp-relevant op data) the joint problem of :mod:`._joint` is solved instead."""
    if not is_plain(inst):
        from ._joint import solve_joint

        return solve_joint(inst, opts, min_length=min_length, copies=copies or inst.copies)
    dl = opts.deadline
    mii = inst.mii_bound()
    cp = inst.critical_path()
    ims = run_ims(inst, opts, 3.0, None)
    info: dict[str, Any] = {"mii": mii}
    best_ii: int | None = None
    best_starts: list[int] | None = None
    if ims is not None:
        best_ii, best_starts = ims[0], ims[1]
        info["ims_ii"] = best_ii
        opts.emit(f"cpsat: MII {mii}, IMS II {best_ii}")
    infeasible: set[int] = set()
    unknown: list[int] = []
    ii = mii
    steps = 0
    while best_ii is None or ii < best_ii:
        if dl.expired():
            break
        steps += 1
        r = solve_reduced(inst, ii, opts, dl.limit_for(0.5), minimise_length=False)
        opts.emit(f"cpsat: II {ii}: {r.status} ({r.wall:.2f} s)")
        if r.status == "infeasible":
            infeasible.add(ii)
        elif r.starts is not None:
            best_ii, best_starts = ii, r.starts
            break
        else:
            unknown.append(ii)
        ii += 1
    # leftover time: retry the undecided IIs below the best, lowest first
    for jj in unknown:
        if best_ii is not None and jj >= best_ii:
            break
        if dl.expired():
            break
        steps += 1
        r = solve_reduced(inst, jj, opts, dl.limit_for(0.7), minimise_length=False)
        opts.emit(f"cpsat: II {jj} again: {r.status} ({r.wall:.2f} s)")
        if r.status == "infeasible":
            infeasible.add(jj)
        elif r.starts is not None:
            best_ii, best_starts = jj, r.starts
            break
    lb = mii
    while lb in infeasible:
        lb += 1
    info["ii_steps"] = steps
    if best_ii is None or best_starts is None:
        return SolverOutput(
            solution=None,
            status=Status.UNKNOWN,
            bound=objective(lb, cp),
            info=info,
        )
    ii_opt = lb >= best_ii
    starts = best_starts
    low = min(starts)
    length = max(starts[v] - low + inst.ops[v].span for v in range(inst.n))
    length_bound: int | None = None
    if min_length and not dl.expired():
        r = solve_reduced(
            inst,
            best_ii,
            opts,
            dl.limit_for(1.0),
            minimise_length=True,
            hint=[x - low for x in starts],
            length_cap=length,
        )
        opts.emit(f"cpsat: L at II {best_ii}: {r.status} L {r.length} bound {r.length_bound}")
        if r.starts is not None and r.length is not None and r.length <= length:
            starts, length = r.starts, r.length
        length_bound = r.length_bound
    sol = build_solution(inst, best_ii, starts)
    length = sol["length"]
    l_opt = length_bound is not None and length_bound >= length
    if ii_opt:
        bound = objective(best_ii, max(cp, min(length_bound or cp, length)))
    else:
        bound = objective(lb, cp)
    info.update({"ii": best_ii, "length": length, "ii_optimal": ii_opt, "length_optimal": l_opt})
    status = Status.OPTIMAL if ii_opt and l_opt else Status.FEASIBLE
    return SolverOutput(
        solution=sol,
        status=status,
        bound=bound,
        objective=objective(best_ii, length),
        params={"min_length": min_length, "copies": copies},
        info=info,
    )
