"""Rau's iterative modulo scheduling (IMS) with a greedy warp assignment: the ``ims`` method,
and the upper bound on II that ``cpsat`` and ``mip`` start from."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from ....core.errors import SolutionError
from ....core.options import SolveOptions
from ....core.timing import Work, clock
from ..model import Edge, Instance
from ..simulate import edge_weights, longest_paths
from ._common import Hint, build_solution, is_plain

#: Ops using more (unit, residue) pairs than this look for a slot with numpy.
_DENSE = 64
#: Starts a sparse op tries one by one before it looks at the rest of its window with numpy.
_SCAN = 16
#: Seconds past the deadline after which an IMS attempt is given up: an attempt takes
#: milliseconds but for loops busy for thousands of cycles, so this only bounds those.
GRACE = 0.25


def heights(inst: Instance, ii: int) -> list[int]:
    """Height-based priority: the longest path from each op to the end of the iteration
    (edge weights ``latency + delay - distance * ii``), plus the op's own span."""
    rev = [(d, s, w) for s, d, w in edge_weights(inst, ii)]
    h = longest_paths(inst.n, rev)
    if h is None:
        raise ValueError(f"ii {ii} is below RecMII")
    return [h[v] + inst.ops[v].span for v in range(inst.n)]


def ims_schedule(
    inst: Instance,
    ii: int,
    budget: int,
    init: list[int | None] | None = None,
    stop: float = math.inf,
) -> tuple[list[int] | None, int]:
    """One IMS attempt at ``ii`` with at most ``budget`` placement steps, given up (``None``)
    at the ``core.timing.clock()`` time ``stop``; returns the starts (or ``None``) and the
    steps used.

    ``init`` (a hinted schedule) places ops before the search, free of steps: in the order of
    their hinted starts, each at its hinted start when its units are free there and its
    dependences with the ops already placed hold; IMS then places the others (and evicts as
    usual)."""
    n = inst.n
    try:
        prio = heights(inst, ii)
    except ValueError:
        return None, 0
    succ: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    pred: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for s, d, w in edge_weights(inst, ii):
        if s != d:
            succ[s].append((d, w))
            pred[d].append((s, w))
    caps: dict[str, int] = {}
    # each op's use of the limited units folded modulo ii: (unit, residue offset, amount),
    # at most ii entries a unit however many cycles the op is busy
    rows: list[list[tuple[str, int, int]]] = []
    for o in inst.ops:
        fold: dict[tuple[str, int], int] = {}
        for off, u, a in o.table:
            cap = inst.machine.capacity(u)
            if cap is not None:
                caps[u] = cap
                fold[(u, off % ii)] = fold.get((u, off % ii), 0) + a
        rows.append([(u, r, a) for (u, r), a in fold.items()])
    count = {u: np.zeros(ii, dtype=np.int64) for u in caps}
    slot: dict[str, list[list[int]]] = {u: [[] for _ in range(ii)] for u in caps}
    sched: list[int | None] = [None] * n
    prev: list[int | None] = [None] * n
    # ops with long folded rows look for a slot with numpy: (unit, residue offsets, amounts)
    dense: dict[int, list[tuple[str, np.ndarray, np.ndarray]]] = {}
    for v in range(n):
        if len(rows[v]) > _DENSE:
            for u in dict.fromkeys(u for u, _, _ in rows[v]):
                offs = np.array([r for uu, r, _ in rows[v] if uu == u], dtype=np.int64)
                amounts = np.array([a for uu, _, a in rows[v] if uu == u], dtype=np.int64)
                dense.setdefault(v, []).append((u, offs, amounts))

    def demand(v: int, t: int) -> dict[tuple[str, int], int]:
        return {(u, (t + r) % ii): a for u, r, a in rows[v]}

    def fits(v: int, t: int) -> bool:
        return all(count[u][(t + r) % ii] + a <= caps[u] for u, r, a in rows[v])

    def first_fit(v: int, estart: int) -> int | None:
        """The first start in ``[estart, estart + ii)`` where ``v`` fits, else ``None``."""
        if v not in dense:
            for cand in range(estart, estart + min(ii, _SCAN)):
                if fits(v, cand):
                    return cand
            if ii <= _SCAN:
                return None
            # the rest of the window at once: residues where every entry fits
            ok = np.ones(ii, dtype=bool)
            for u, r, a in rows[v]:
                ok &= np.roll(count[u] + a <= caps[u], -r)
            ok = np.roll(ok, -(estart % ii))
            at = int(np.argmax(ok))
            return estart + at if ok[at] else None
        slacks = {u: caps[u] - np.asarray(count[u], dtype=np.int64) for u, _, _ in dense[v]}
        if all(np.all(a <= slacks[u][(r + estart) % ii]) for u, r, a in dense[v]):
            return estart
        # the starts (mod ii) where some entry (r, a) meets a residue with less than a free:
        # a cyclic cross-correlation of the entries with the blocked residues, by FFT (of a
        # power-of-two size: the blocked residues twice over, so that no product wraps)
        bad = np.zeros(ii, dtype=bool)
        size = 1 << (2 * ii - 1).bit_length()
        for u, offs, amounts in dense[v]:
            for amt in np.unique(amounts):
                blocked = slacks[u] < amt
                if not blocked.any():
                    continue
                pat = np.zeros(ii)
                pat[offs[amounts == amt]] = 1.0
                twice = np.tile(blocked.astype(float), 2)
                spec = np.conj(np.fft.rfft(pat, size)) * np.fft.rfft(twice, size)
                bad |= np.fft.irfft(spec, size)[:ii] > 0.5
        free = np.flatnonzero(~np.roll(bad, -(estart % ii)))
        return estart + int(free[0]) if len(free) else None

    def place(v: int, t: int) -> None:
        for (u, r), a in demand(v, t).items():
            count[u][r] += a
            slot[u][r].append(v)
        sched[v] = t
        prev[v] = t

    def unplace(x: int) -> None:
        t = sched[x]
        assert t is not None
        for (u, r), a in demand(x, t).items():
            count[u][r] -= a
            slot[u][r].remove(x)
        sched[x] = None
        heapq.heappush(heap, (-prio[x], x))

    if init is not None:
        for th, v in sorted((th, v) for v, th in enumerate(init) if th is not None):
            ok = fits(v, th)
            for p, w in pred[v]:
                tp = sched[p]
                ok = ok and (tp is None or th >= tp + w)
            for d, w in succ[v]:
                td = sched[d]
                ok = ok and (td is None or td >= th + w)
            if ok:
                place(v, th)
    heap = [(-prio[v], v) for v in range(n) if sched[v] is None]
    heapq.heapify(heap)
    steps = 0
    while heap:
        _, v = heapq.heappop(heap)
        if sched[v] is not None:
            continue
        if steps >= budget or (stop < math.inf and clock() >= stop):
            return None, steps
        steps += 1
        estart = 0
        for p, w in pred[v]:
            tp = sched[p]
            if tp is not None:
                estart = max(estart, tp + w)
        t: int | None = None
        if not rows[v]:
            t = estart
        else:
            t = first_fit(v, estart)
            if t is None:
                pv = prev[v]
                t = estart if pv is None or estart > pv else pv + 1
                for (u, r), a in demand(v, t).items():
                    while count[u][r] + a > caps[u]:
                        unplace(slot[u][r][0])
        place(v, t)
        for s, w in succ[v]:
            ts = sched[s]
            if ts is not None and ts < t + w:
                unplace(s)
    return [int(t) for t in sched], steps  # type: ignore[arg-type]


def greedy_warps(
    inst: Instance, ii: int, starts: list[int], stop: float = math.inf
) -> list[list[int]] | None:
    """Greedy warp assignment on top of a modulo schedule (one copy): variable-latency ops on
    warp 0 (the producer); every other op, in issue order, on the first warp that keeps the
    warp rules for the ops placed so far, trying first the warps of its predecessors.
    ``None`` when the ``core.timing.clock()`` time ``stop`` passes first."""
    m = inst.machine
    has_var = any(o.variable_latency for o in inst.ops)
    warp = [0 if o.variable_latency else -1 for o in inst.ops]
    first_free = 1 if has_var else 0
    preds: list[list[int]] = [[] for _ in inst.ops]
    for e in inst.edges:
        if e.src != e.dst:
            preds[e.dst].append(e.src)
    for v in sorted(range(inst.n), key=lambda v: (starts[v], v)):
        if warp[v] >= 0:
            continue
        liked = [warp[u] for u in preds[v] if warp[u] >= first_free]
        cands = list(dict.fromkeys(liked + list(range(first_free, m.warps))))
        choice = None
        for w in cands:
            if stop < math.inf and clock() >= stop:
                return None
            warp[v] = w
            if _partial_ok(inst, ii, starts, warp):
                choice = w
                break
        warp[v] = choice if choice is not None else (liked[0] if liked else first_free)
    return [[w] for w in warp]


def with_spills(inst: Instance) -> Instance:
    """The instance with every edge delayed by its source's spill cost, so that a schedule of
    it stays valid whatever the warp assignment."""
    if not any(o.spill for o in inst.ops):
        return inst
    edges = tuple(
        Edge(e.src, e.dst, e.delay + (inst.ops[e.src].spill if e.src != e.dst else 0), e.distance)
        for e in inst.edges
    )
    return Instance(
        machine=inst.machine, ops=inst.ops, edges=edges, name=inst.name, copies=inst.copies
    )


def _partial_ok(inst: Instance, ii: int, starts: list[int], warp: list[int]) -> bool:
    """Whether the ops assigned so far keep the warp rules (unassigned ops ignored)."""
    keep = [v for v in range(inst.n) if warp[v] >= 0]
    sub_idx = {v: i for i, v in enumerate(keep)}
    sub = Instance(
        machine=inst.machine,
        ops=tuple(inst.ops[v] for v in keep),
        edges=tuple(
            Edge(sub_idx[e.src], sub_idx[e.dst], e.delay, e.distance)
            for e in inst.edges
            if e.src in sub_idx and e.dst in sub_idx
        ),
        name=inst.name,
    )
    # lifetimes must use the full graph's consumers: approximate by the sub-graph
    sol = build_solution(sub, ii, [starts[v] for v in keep], [[warp[v]] for v in keep])
    sol["length"] = max(s["start"] + sub.ops[i].span for i, s in enumerate(sol["ops"]))
    try:
        sub.simulate(sol)
    except SolutionError:
        return False
    return True


@dataclass
class ImsRun:
    """What :func:`run_ims` found.

    Attributes:
        ii: the II of the schedule.
        starts: the starts.
        warps: the warps (one list per op) when warps matter, else ``None``.
        attempts: IMS attempts made (IIs tried).
        steps: placement steps used over all attempts.
        from_hint: the schedule is the hint itself (it passed the checker).
    """

    ii: int
    starts: list[int]
    warps: list[list[int]] | None
    attempts: int
    steps: int
    from_hint: bool = False


def run_ims(
    inst: Instance,
    opts: SolveOptions,
    budget_ratio: float,
    max_ii: int | None = None,
    *,
    work: Work | None = None,
    hint: Hint | None = None,
) -> ImsRun | None:
    """IMS from MII upward (with a greedy warp assignment when warps matter), each II with at
    most ``budget_ratio * n`` placement steps; ``None`` if no II up to the limit was
    scheduled (or the deadline or ``work`` ran out first; an attempt still running
    :data:`GRACE` seconds after the deadline is given up).

    ``work`` (a budget in placement steps) caps the steps over all IIs and is charged with
    them. A ``hint`` is tried first: an exact one (it passes the checker) is the incumbent
    at once, free of steps; another seeds the attempt at its II (its starts as the initial
    placement). IIs below the hint's are then tried from MII up; the first scheduled one
    replaces it."""
    mii = inst.mii_bound()
    plain = is_plain(inst)
    sched_inst = inst if plain else with_spills(inst)
    per_ii = max(10, int(budget_ratio * inst.n))
    limit = max_ii or (
        mii
        + sum(max(1, o.span) for o in inst.ops)
        + sum(max(0, e.delay) for e in inst.edges)
        + inst.n
    )
    attempts = steps = 0
    stop = opts.deadline.end + GRACE

    def attempt(ii: int, init: list[int | None] | None) -> ImsRun | None:
        nonlocal attempts, steps
        budget = per_ii
        left = None if work is None else work.left()
        if left is not None:
            budget = min(budget, int(left))
        if budget <= 0:
            return None
        attempts += 1
        starts, used = ims_schedule(sched_inst, ii, budget, init, stop)
        steps += used
        if work is not None:
            work.spend(used)
        if starts is None:
            return None
        if plain:
            return ImsRun(ii, starts, None, attempts, steps)
        warps = greedy_warps(inst, ii, starts, stop)
        if warps is None:
            return None
        try:
            inst.simulate(build_solution(inst, ii, starts, warps))
        except SolutionError:
            return None
        return ImsRun(ii, starts, warps, attempts, steps)

    best: ImsRun | None = None
    if hint is not None:
        if hint.exact:
            warps = None if plain else hint.full_warps()
            best = ImsRun(hint.ii, hint.full_starts(), warps, 0, 0, from_hint=True)
        else:
            best = attempt(max(hint.ii, mii), hint.starts)
    top = limit if best is None else min(limit, best.ii - 1)
    for ii in range(mii, top + 1):
        if opts.deadline.expired() and attempts:
            break
        if work is not None and work.count(default=per_ii) < 1:  # not one step left
            break
        got = attempt(ii, None)
        if got is not None:
            return got
    if best is not None:
        best.attempts, best.steps = attempts, steps
    return best
