"""The CP-SAT modulo-scheduling model of plain loops, reduced to its resource-limited ops.

Plain loops are solved on a reduced model (:class:`Reduced`): the ops on unlimited units are
projected out exactly (longest paths through them), starts are confined to windows that hold
for the least schedule of every residue assignment (so infeasibility proofs need no horizon),
feasibility at an II pins the largest strongly connected component (a schedule shifted by one
cycle stays feasible), and capacity-1 units get a domain constraint per op pair (the start
difference avoids the clashing residues). :func:`add_modulo_resources` is the plain modulo
reservation table the joint (warp) model uses.

Both state a unit's use with one or two intervals a run of busy cycles folded modulo II
(:func:`add_folded_unit`, :mod:`._tables`), never a variable or constraint a cycle or a
residue: an op busy 10,000 cycles, or an II of 10,000, costs what one cycle costs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ....core.options import SolveOptions
from ..model import Instance
from ..simulate import edge_weights
from ._tables import Run, binding_units, clash_arcs, fold, unit_runs

if TYPE_CHECKING:
    from ortools.sat.python import cp_model


@dataclass
class StepResult:
    """Outcome of one CP-SAT solve at a fixed II."""

    status: str  # "feasible", "optimal", "infeasible", "unknown"
    starts: list[int] | None = None
    length: int | None = None
    length_bound: int | None = None
    wall: float = 0.0
    work: float = 0.0  # CP-SAT deterministic time, charged to the solve's work budget
    too_large: bool = False  # the model was not built: too large (see MAX_CLOSURE)


def add_modulo_resources(
    m: cp_model.CpModel, inst: Instance, ii: int, t: list[cp_model.IntVar], tmax: int
) -> None:
    """The modulo reservation table at ``ii`` on starts ``t`` (from 0 to ``tmax``): per unit
    whose use can exceed its capacity, an all-different on the residues (capacity 1, one
    cycle per op) or the folded runs of :func:`add_folded_unit` (a size independent of the
    cycle counts)."""
    binding = binding_units(inst, unit_runs(inst))
    if not binding:
        return
    if ii == 1:
        m.add_bool_or([])  # a binding unit is over its capacity at every cycle
        return
    n = len(t)
    lb, ub = [0] * n, [tmax] * n
    cache: dict[tuple[int, int], Any] = {}
    for u, uses in binding.items():
        cap = inst.machine.capacity(u)
        assert cap is not None
        ops_u = [v for v, *_ in uses]
        if (
            cap == 1
            and len(set(ops_u)) == len(uses)
            and all(off == 0 and c == 1 and a == 1 for _, off, c, a in uses)
        ):
            m.add_all_different([residue(m, t, v, 0, ii, lb, ub, cache) for v in ops_u])
            continue
        add_folded_unit(m, ii, cap, uses, t, lb, ub, cache)


def residue(
    m: cp_model.CpModel,
    t: list[Any],
    i: int,
    off: int,
    ii: int,
    lb: list[int],
    ub: list[int],
    cache: dict[tuple[int, int], Any],
) -> Any:
    """``(t[i] + off) mod ii`` as a variable (one per op and ``off mod ii``, kept in
    ``cache``), with ``t[i]`` in ``[lb[i], ub[i]]``."""
    o = off % ii
    key = (i, o)
    if key not in cache:
        r = m.new_int_var(0, ii - 1, f"r{i}_{o}" if o else f"r{i}")
        q = m.new_int_var((lb[i] + o) // ii, (ub[i] + o) // ii, f"q{i}_{o}" if o else f"q{i}")
        m.add(t[i] + o == ii * q + r)
        cache[key] = r
    return cache[key]


def add_folded_unit(
    m: cp_model.CpModel,
    ii: int,
    cap: int,
    uses: list[Run],
    t: list[Any],
    lb: list[int],
    ub: list[int],
    cache: dict[tuple[int, int], Any],
) -> None:
    """One unit of capacity ``cap`` used by the runs ``uses`` (``(i, off, cycles, amount)``,
    ``i`` an index into ``t``), folded modulo ``ii`` (``ii >= 2``): full turns of the circle
    take a constant share of the capacity; each arc left, of ``c < ii`` cycles from the
    residue ``rho`` of ``t[i] + off``, is two intervals ``[rho, rho + c)`` and
    ``[rho - ii, rho - ii + c)`` (one if ``c == 1``) in one cumulative (a no-overlap at
    capacity 1 and amounts 1). On ``[0, ii)`` the intervals are the arcs exactly, and the
    load at any point outside is at most the load one period in: the constraint is the
    modulo reservation table, with one or two intervals a run whatever its cycles."""
    base, arcs = fold(uses, ii)
    left = cap - base
    if left < 0 or (left == 0 and arcs):
        m.add_bool_or([])
        return
    if sum(a for *_, a in arcs) <= left:
        return
    ivs: list[Any] = []
    demands: list[int] = []
    for i, off, c, a in arcs:
        rho = residue(m, t, i, off, ii, lb, ub, cache)
        ivs.append(m.new_fixed_size_interval_var(rho, c, f"iv{i}_{off}"))
        demands.append(a)
        if c > 1:
            ivs.append(m.new_fixed_size_interval_var(rho - ii, c, f"iw{i}_{off}"))
            demands.append(a)
    if left == 1 and all(a == 1 for a in demands):
        m.add_no_overlap(ivs)
    else:
        m.add_cumulative(ivs, demands, left)


# -- the reduced model: resource-limited ops only --------------------------------------------
_NEG = -(1 << 40)


class Expired(Exception):
    """The deadline passed while a model was being built."""


class TooLarge(Expired):
    """The model would exceed :data:`MAX_CLOSURE`: it is not built (at any time limit)."""


#: The most entries (kept ops x ops) the reduced model's longest-path matrices may hold
#: (160 MB an int64 matrix): beyond it the model is not built.
MAX_CLOSURE = 20_000_000
#: Entries (rows x edges) of one block of the longest-path rounds.
CHUNK = 1 << 20
#: The most pairwise start-difference domains a model states (they only strengthen it).
MAX_PAIRS = 20_000


def _closure(
    n: int,
    edges: list[tuple[int, int, int]],
    sources: list[int],
    absorb: bool,
    opts: SolveOptions | None = None,
) -> Any:
    """Longest path lengths (rows: sources, columns: all ops; ``_NEG`` when unreachable).
    With ``absorb``, paths stop at the other sources (their intermediate ops are unlisted).
    Raises :class:`Expired` when ``opts``' deadline passes between rounds."""
    dist = np.full((len(sources), n), _NEG, dtype=np.int64)
    rows = np.arange(len(sources))
    dist[rows, sources] = 0
    if not edges:
        return dist
    e = np.asarray(edges, dtype=np.int64)
    e = e[np.argsort(e[:, 1], kind="stable")]  # by destination: one reduceat a round
    src, dst, w = e[:, 0], e[:, 1], e[:, 2]
    heads, first = np.unique(dst, return_index=True)
    src_set = np.zeros(n, dtype=bool)
    src_set[sources] = True
    # rows are independent single-source problems: solved in blocks of about CHUNK entries
    # (kept ops x edges), so temporaries stay small and the deadline is checked often
    step = max(1, CHUNK // max(1, len(src)))
    for lo in range(0, len(sources), step):
        blk = dist[lo : lo + step]
        stop = None
        if absorb:  # paths leave a source only from the row's own source
            stop = np.broadcast_to(src_set[src], (len(blk), len(src))).copy()
            own = np.asarray(sources[lo : lo + step], dtype=np.int64)
            stop &= src[None, :] != own[:, None]
        for _ in range(n + 1):
            if opts is not None and opts.deadline.expired():
                raise Expired
            base = blk[:, src]
            cand = np.where(base > _NEG // 2, base + w, _NEG)
            if stop is not None:
                cand[stop] = _NEG
            best = np.maximum.reduceat(cand, first, axis=1)
            cur = blk[:, heads]
            if not (best > cur).any():
                break
            blk[:, heads] = np.maximum(cur, best)
        else:
            raise ValueError("positive cycle")  # pragma: no cover - ii >= RecMII
    return dist


def strong_components(k: int, pairs: list[tuple[int, int, int]]) -> list[int]:
    """The strongly connected component of each of ``k`` nodes under the arcs ``(a, b, _)``
    (given sorted), numbered in the order Tarjan's search closes them, roots taken by index
    and each node's successors from the highest index down. The numbering decides which
    component :func:`reduced_model` anchors (the first of the largest), so it is kept stable.
    """
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(range(k))
    g.add_edges_from(sorted(((a, b) for a, b, _ in pairs), key=lambda p: (p[0], -p[1])))
    comp = [0] * k
    for c, members in enumerate(nx.strongly_connected_components(g)):
        for a in members:
            comp[a] = c
    return comp


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


def reduce_plain(inst: Instance, ii: int, opts: SolveOptions | None = None) -> Reduced | None:
    """The :class:`Reduced` problem at ``ii``, or ``None`` below RecMII. Raises
    :class:`Expired` when ``opts``' deadline passes while it is computed, or when its
    matrices would exceed :data:`MAX_CLOSURE` entries."""
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
    if k * inst.n > MAX_CLOSURE:
        raise TooLarge(f"{k} x {inst.n} longest paths: too large a model")
    dist = _closure(inst.n, edges, kept, absorb=False, opts=opts)
    proj = _closure(inst.n, edges, kept, absorb=True, opts=opts)[:, kept]
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
    comp = strong_components(k, pairs)
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


def _forbidden_domain(
    lo: int, hi: int, ii: int, bad: list[tuple[int, int]]
) -> list[list[int]] | None:
    """``[lo, hi]`` minus the values whose residue mod ``ii`` is in one of the ranges ``bad``
    (sorted, disjoint ``[a, b]`` within ``0 .. ii - 1``), as intervals (``None`` when too
    fragmented to be worth a constraint)."""
    if lo > hi:
        return []
    if (hi - lo + 1) > 64 * ii:
        return None
    out: list[list[int]] = []
    cur = lo
    for blk in range(lo // ii, hi // ii + 1):
        for a, b in bad:
            xa, xb = max(lo, blk * ii + a), min(hi, blk * ii + b)
            if xa > xb:
                continue
            if cur <= xa - 1:
                out.append([cur, xa - 1])
                if len(out) > 256:
                    return None
            cur = xb + 1
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
    opts: SolveOptions | None = None,
) -> tuple[cp_model.CpModel, list[Any], Any]:
    """CP-SAT model on the kept ops; returns (model, kept starts, L or None). Raises
    :class:`Expired` when ``opts``' deadline passes while it is built.

    With ``anchor`` (feasibility only; schedules are invariant under a shift of every start
    by one cycle, which rotates the residues): the largest component is pinned with one of
    its ops at its least-schedule upper bound ``A`` (shift a least schedule up until it is
    there), its other ops in ``[A + D(a, i), A - D(i, a)]``; the least-schedule cuts and
    bounds then hold for every other component (shift them down by ``ii`` while possible).
    """
    ii, kept = red.ii, red.kept
    k = len(kept)
    from ....engines.cpsat import cp_model

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
                bnd = m.new_int_var(low, max(low, ub[s]) + 10 * ii, f"b{s}")
                m.add_max_equality(bnd, [*ext, low])
                terms.append(t[s] - bnd)
            else:
                terms.append(t[s] - low)
        if len(terms) == 1:
            m.add(terms[0] <= ii - 1)
        else:
            mn = m.new_int_var(-10 * max(ub, default=1) - 10 * ii, ii - 1, f"mn{c}")
            m.add_min_equality(mn, terms)
    if opts is not None and opts.deadline.expired():
        raise Expired
    _reduced_resources(m, inst, red, t, lb, ub, opts)
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
    m: cp_model.CpModel,
    inst: Instance,
    red: Reduced,
    t: list[Any],
    lb: list[int],
    ub: list[int],
    opts: SolveOptions | None = None,
) -> None:
    """Modulo reservation on the kept ops: per unit whose use can exceed its capacity, an
    all-different on the residues (capacity 1, one cycle per op) or the folded runs of
    :func:`add_folded_unit` (one or two intervals a run of busy cycles, in a cumulative or a
    no-overlap); for capacity-1 units, every pair's start difference avoids the clashing
    residues (a domain constraint: strong propagation on small windows; at most
    :data:`MAX_PAIRS` of them, among the ops with the narrowest windows). Raises
    :class:`Expired` when ``opts``' deadline passes."""
    from ....engines.cpsat import cp_model

    ii, kept = red.ii, red.kept
    pos = {v: i for i, v in enumerate(kept)}
    busy = {
        u: [(pos[v], off, c, a) for v, off, c, a in uses]
        for u, uses in binding_units(inst, unit_runs(inst, kept)).items()
    }
    if not busy:
        return
    if ii == 1:
        m.add_bool_or([])
        return
    cache: dict[tuple[int, int], Any] = {}
    pairs_left = MAX_PAIRS
    for u, uses in busy.items():
        if opts is not None and opts.deadline.expired():
            raise Expired
        c = inst.machine.capacity(u)
        assert c is not None
        ops_u = [i for i, *_ in uses]
        if (
            c == 1
            and len(set(ops_u)) == len(uses)
            and all(off == 0 and ln == 1 and a == 1 for _, off, ln, a in uses)
        ):
            m.add_all_different([residue(m, t, i, 0, ii, lb, ub, cache) for i in ops_u])
        else:
            add_folded_unit(m, ii, c, uses, t, lb, ub, cache)
        if c == 1:
            runs: dict[int, list[tuple[int, int]]] = {}
            for i, off, ln, _ in uses:
                runs.setdefault(i, []).append((off, ln))
            items = sorted(runs)
            if len(items) * (len(items) - 1) // 2 > pairs_left:
                # the ops with the narrowest windows, all pairs among them
                keep = int((1 + math.isqrt(1 + 8 * pairs_left)) // 2)
                while keep > 1 and keep * (keep - 1) // 2 > pairs_left:
                    keep -= 1
                items = sorted(sorted(items, key=lambda i: (ub[i] - lb[i], i))[:keep])
            pairs_left -= len(items) * (len(items) - 1) // 2
            done = 0
            for x in range(len(items)):
                for y in range(x + 1, len(items)):
                    done += 1
                    if done % 1024 == 0 and opts is not None and opts.deadline.expired():
                        raise Expired
                    i, j = items[x], items[y]
                    lo, hi = lb[j] - ub[i], ub[j] - lb[i]
                    bad = clash_arcs(runs[i], runs[j], ii)
                    dom = [] if bad is None else _forbidden_domain(lo, hi, ii, bad)
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
    share: float,
    *,
    minimise_length: bool,
    hint: list[int | None] | None = None,
    length_cap: int | None = None,
) -> StepResult:
    """One CP-SAT solve of the reduced model at ``ii`` within ``share`` of the time (and of
    the work budget) left: feasibility (anchored) or the shortest length (at most
    ``length_cap``), hinted with ``hint`` (starts, ``None`` for no hint). The deterministic
    time used is charged to ``opts.work``."""
    from ....engines import cpsat as engine
    from ....engines.cpsat import cp_model

    try:
        red = reduce_plain(inst, ii, opts)
        if red is None:
            return StepResult("infeasible")
        m, t, length = reduced_model(
            inst,
            red,
            anchor=not minimise_length,
            minimise_length=minimise_length,
            length_cap=length_cap,
            opts=opts,
        )
    except Expired as e:
        opts.emit(f"cpsat: II {ii}: model not built ({e or 'the deadline passed'})")
        return StepResult("unknown", too_large=isinstance(e, TooLarge))
    if opts.deadline.expired():
        return StepResult("unknown")
    if hint is not None and any(x is not None for x in hint):
        low = min(x for x in hint if x is not None)
        for i, v in enumerate(red.kept):
            hv = hint[v]
            if hv is not None:
                m.add_hint(t[i], hv - low)
    solver = engine.solver(opts, share=share)
    st = solver.solve(m)
    used = engine.charge(opts, solver)
    out = StepResult("unknown", wall=solver.wall_time, work=used)
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
