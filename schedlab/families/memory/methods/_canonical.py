"""The canonical search of ``exact`` (and of ``mip``'s placement), driven from Python: a
MiniMalloc-style depth-first search over canonical partial solutions (the kernel is
:mod:`._search`), one resumable run per static preorder, taking turns in slices that never
outlast the deadline (absolute ``perf_counter`` seconds, :mod:`schedlab.engines.jit`'s
convention).
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass

import numpy as np

from ....core.timing import Work
from ....engines.jit import NO_DEADLINE, clock
from ..model import Allocation, Buffer, MemoryInstance
from . import _search

#: Static preorders (MiniMalloc's): keys compared in turn, all descending; T = the largest
#: section total over the buffer's life, W = width (lifetime), A = area, Z = size.
RANKS = ("WAT", "TAW", "TWA")
_KEY = {"T": 0, "W": 1, "A": 2, "Z": 3}
#: Initial size of the trail of overlaps of a search (grown on demand).
_POOL = 1 << 16


@dataclass
class Prep:
    """Static arrays of an allocation instance for the search (zero-size buffers left out)."""

    n_all: int
    keep: np.ndarray
    fixed: np.ndarray
    a: np.ndarray
    e: np.ndarray
    sz: np.ndarray
    al: np.ndarray
    width: np.ndarray
    area: np.ndarray
    ovp: np.ndarray
    ovl: np.ndarray
    secp: np.ndarray
    secl: np.ndarray
    bys: np.ndarray
    sstart: np.ndarray
    total: np.ndarray
    cuts: np.ndarray
    tops: np.ndarray
    maxdeg: int
    maxspan: int

    @property
    def n(self) -> int:
        """Buffers searched (of positive size)."""
        return int(self.a.shape[0])

    @property
    def ns(self) -> int:
        """Time sections."""
        return int(self.total.shape[0])


def prepare(inst: MemoryInstance) -> Prep:
    """Sections, overlaps, section contents, cuts and the initial partitions (zero-size
    buffers left out)."""
    lo, up, sz0, al0, fx0 = inst.arrays
    keep = np.flatnonzero(sz0 > 0)
    lo, up, sz, al = lo[keep], up[keep], sz0[keep], al0[keep]
    times = np.unique(np.concatenate([lo, up]))
    a = np.searchsorted(times, lo).astype(np.int64)
    e = np.searchsorted(times, up).astype(np.int64)
    ns = max(0, len(times) - 1)
    n = len(keep)
    bys = np.argsort(a, kind="mergesort").astype(np.int64)
    sstart = np.searchsorted(a[bys], np.arange(ns + 1)).astype(np.int64)
    ovp, ovl = _search.overlaps(a, e, bys)
    span = e - a
    secl = np.repeat(np.arange(n, dtype=np.int64), span)
    secs = (
        np.concatenate([np.arange(x, y) for x, y in zip(a, e, strict=True)]) if n else np.zeros(0)
    )
    o = np.argsort(secs, kind="mergesort")
    secl = secl[o]
    secp = np.searchsorted(secs[o], np.arange(ns + 1)).astype(np.int64)
    diff = np.zeros(ns + 1, np.int64)
    np.add.at(diff, a, sz)
    np.add.at(diff, e, -sz)
    total = np.cumsum(diff)[:ns].astype(np.int64)
    # cuts[s]: buffers crossing the boundary between sections s and s + 1
    cdiff = np.zeros(ns + 1, np.int64)
    np.add.at(cdiff, a, 1)
    np.add.at(cdiff, np.maximum(e - 1, a), -1)
    cuts = np.cumsum(cdiff)[:ns].astype(np.int64)
    bounds = [0, *(int(s) + 1 for s in np.flatnonzero(cuts[: max(0, ns - 1)] == 0)), ns]
    tops = np.array([(x, y) for x, y in zip(bounds[:-1], bounds[1:], strict=True) if y > x])
    width = (up - lo).astype(np.int64)
    # size x lifetime, a preorder key only: saturated (exact below 2**53) where it would
    # overflow int64
    area = np.minimum(width.astype(np.float64) * sz, 2.0**62).astype(np.int64)
    return Prep(
        n_all=len(sz0), keep=keep, fixed=fx0[keep].astype(np.int64), a=a, e=e, sz=sz.astype(np.int64), al=al.astype(np.int64), width=width,
        area=area, ovp=ovp, ovl=ovl, secp=secp, secl=secl.astype(np.int64), bys=bys,
        sstart=sstart, total=total, cuts=cuts, tops=tops.reshape(-1, 2).astype(np.int64),
        maxdeg=int(np.diff(ovp).max()) if n else 0, maxspan=int(span.max()) if n else 0,
    )  # fmt: skip


class Run:
    """One resumable search at a capacity with one static preorder."""

    #: Its ``-1`` proves that there is no placement.
    complete = True

    def __init__(self, p: Prep, heur: str, cap: int) -> None:
        self.p, self.cap = p, int(cap)
        n, ns = p.n, p.ns
        self.heur = np.array([_KEY[c] for c in heur], np.int64)
        self.st = np.zeros(_search.NSTATE, np.int64)
        self.nd = np.zeros((n + 2, _search.NCOLS), np.int64)
        self.off = np.full(n, -1, np.int64)
        self.minoff = np.maximum(p.fixed, 0)
        self.floor = np.zeros(ns, np.int64)
        self.total = p.total.copy()
        self.cuts = p.cuts.copy()
        self.mark = np.zeros(ns, np.int64)
        self.bmark = np.zeros(n, np.int64)
        self.cb = np.zeros(8 * n + 64, np.int64)
        self.cr = np.zeros(8 * n + 64, np.int64)
        # the trails start small and grow as the search asks (the search itself is the same
        # whatever their size): sized from the overlaps up front, a few thousand buffers
        # that each overlap hundreds would take hundreds of MB before the first step
        self.tmb = np.zeros(min(4 * int(p.ovl.shape[0]), _POOL) + p.maxdeg + 64, np.int64)
        self.tmv = np.zeros_like(self.tmb)
        self.tfs = np.zeros(4 * n + 4 * ns + p.maxspan + 64, np.int64)
        self.tfv = np.zeros_like(self.tfs)
        nt = len(p.tops)
        self.rlo = np.zeros(nt + 4 * ns + 8, np.int64)
        self.rhi = np.zeros_like(self.rlo)
        self.rlo[:nt], self.rhi[:nt] = p.tops[:, 0], p.tops[:, 1]
        self.st[_search.S_NTOP] = nt
        self.st[_search.S_RTOP] = nt
        self.result = 0 if nt else 1
        if nt:
            _search.set_root(self.nd, 0, self.rlo[0], self.rhi[0], -1)

    @staticmethod
    def _grow(x: np.ndarray) -> np.ndarray:
        y = np.zeros(2 * x.shape[0], x.dtype)
        y[: x.shape[0]] = x
        return y

    def _grow_short(self) -> None:
        """Double the pools the search found too short (the kernel's own tests; the
        candidate pools when none of the others is)."""
        p, st = self.p, self.st
        short = []
        if st[_search.S_TMTOP] + p.maxdeg > self.tmb.shape[0]:
            short += ["tmb", "tmv"]
        if st[_search.S_TFTOP] + p.maxspan + p.ns > self.tfs.shape[0]:
            short += ["tfs", "tfv"]
        if st[_search.S_RTOP] + p.ns + 2 > self.rlo.shape[0]:
            short += ["rlo", "rhi"]
        for name in short or ["cb", "cr"]:
            setattr(self, name, self._grow(getattr(self, name)))

    def step(self, budget: int) -> int:
        """Run up to ``budget`` more search steps (growing the pools as the kernel asks):
        1 found (offsets in ``off``), -1 proven infeasible, 0 budget spent."""
        p = self.p
        end = self.steps + int(budget)
        while self.result == 0:
            budget = end - self.steps
            if budget <= 0:
                break
            r = int(
                _search.run(
                    p.a,
                    p.e,
                    p.sz,
                    p.al,
                    p.fixed,
                    p.width,
                    p.area,
                    self.heur,
                    p.ovp,
                    p.ovl,
                    p.secp,
                    p.secl,
                    p.bys,
                    p.sstart,
                    self.cap,
                    p.maxdeg,
                    p.maxspan,
                    self.st,
                    self.nd,
                    self.off,
                    self.minoff,
                    self.floor,
                    self.total,
                    self.cuts,
                    self.mark,
                    self.bmark,
                    self.cb,
                    self.cr,
                    self.tmb,
                    self.tmv,
                    self.tfs,
                    self.tfv,
                    self.rlo,
                    self.rhi,
                    int(budget),
                )  # fmt: skip
            )
            if r != 2:
                self.result = r
                break
            self._grow_short()
        return self.result

    @property
    def nodes(self) -> int:
        """Nodes entered so far."""
        return int(self.st[_search.S_NODES])

    @property
    def steps(self) -> int:
        """Search steps taken so far (nodes entered plus placements tried): the work."""
        return int(self.st[_search.S_STEPS])


class FillRun:
    """The skyline fill search (:func:`._search.fill`) at a capacity, resumable, with the
    interface of :class:`Run` (``step``, ``nodes``, ``steps``, ``off``). Incomplete: its
    ``-1`` proves nothing. Its runs are heavy-tailed, so it restarts (Luby's sequence, in
    units of :data:`FILL_UNIT` steps per buffer), each restart with its candidates ordered
    by size times a random factor in [1, 2) (seeded: deterministic)."""

    complete = False

    def __init__(self, p: Prep, cap: int, seed: int = 0) -> None:
        self.p, self.cap = p, int(cap)
        n, ns = p.n, p.ns
        self.st = np.zeros(_search.NFSTATE, np.int64)
        self.floor = np.zeros(ns, np.int64)
        self.total = p.total.copy()
        self.off = np.full(n, -1, np.int64)
        depth = 2 * (n + ns) + 16
        self.stack = np.zeros((7, depth), np.int64)  # per depth: see _search.fill
        self.cand = np.zeros(8 * n + 64, np.int64)
        self.reach = np.zeros(ns + 1, np.int64)
        self.prio = p.sz.copy()
        self.result = 0
        self.rng = np.random.default_rng(seed)
        self.restarts = 0
        self.restart_end = FILL_UNIT * max(1, n) * _luby(1)

    def step(self, budget: int) -> int:
        """Up to ``budget`` more steps: 1 found, -1 exhausted (nothing proved), 0 spent."""
        end = self.steps + int(budget)
        while self.result == 0:
            if self.steps >= self.restart_end:
                self._restart()
            left = min(end, self.restart_end) - self.steps
            if left <= 0:
                break
            ds, dy, dh, dch, dlo, dhi, didx = self.stack
            r = int(
                _search.fill(
                    self.p.a,
                    self.p.e,
                    self.p.sz,
                    self.p.bys,
                    self.p.sstart,
                    self.cap,
                    self.st,
                    self.floor,
                    self.total,
                    self.off,
                    ds,
                    dy,
                    dh,
                    dch,
                    dlo,
                    dhi,
                    didx,
                    self.cand,
                    self.prio,
                    self.reach,
                    int(left),
                )  # fmt: skip
            )
            if r == 2:
                if self.st[_search.F_D] + 1 >= self.stack.shape[1]:
                    grown = np.zeros((7, 2 * self.stack.shape[1]), np.int64)
                    grown[:, : self.stack.shape[1]] = self.stack
                    self.stack = grown
                else:
                    self.cand = Run._grow(self.cand)
                continue
            self.result = r
        return self.result

    def _restart(self) -> None:
        """Start again from the empty placement, with a new candidate order."""
        st = self.st
        st[_search.F_D] = 0
        st[_search.F_MODE] = _search.ENTER
        st[_search.F_CTOP] = 0
        st[_search.F_PLACED] = 0
        self.floor[:] = 0
        self.total[:] = self.p.total
        self.off[:] = -1
        self.restarts += 1
        self.prio = (self.p.sz * (1.0 + self.rng.random(self.p.n))).astype(np.int64)
        self.restart_end = self.steps + FILL_UNIT * max(1, self.p.n) * _luby(self.restarts + 1)

    @property
    def nodes(self) -> int:
        """Nodes entered so far."""
        return int(self.st[_search.F_NODES])

    @property
    def steps(self) -> int:
        """Steps taken so far (nodes entered plus placements tried)."""
        return int(self.st[_search.F_STEPS])


#: :func:`merged` is searched only when it has at most this share of the buffers.
MERGE_SHARE = 0.9


def merged(p: Prep) -> tuple[Prep, list[list[tuple[int, int]]]] | None:
    """A restriction of ``p`` with fewer, larger buffers, as in a guillotine packing (the
    zero-slack instances are cut so): buffers of one lifetime *stacked* (one on another, in
    decreasing size), and a buffer *joined* with the one of its size that starts when it
    ends, when there is exactly one, at the same offset; both again on the merged buffers
    until neither applies. Every placement of the restriction is one of ``p`` (each member
    at the merged buffer's offset plus its own), but the restriction may have none when
    ``p`` has: a search of it proves nothing. Returns the restriction and, per merged
    buffer, its members ``(index in p, offset within)``; ``None`` when it keeps more than
    :data:`MERGE_SHARE` of the buffers (or when alignments or fixed offsets forbid it)."""
    if p.n < 2 or not bool((p.al == 1).all()) or not bool((p.fixed < 0).all()):
        return None
    items = [
        (int(x), int(y), int(z), [(i, 0)])
        for i, (x, y, z) in enumerate(zip(p.a.tolist(), p.e.tolist(), p.sz.tolist(), strict=True))
    ]
    changed = True
    while changed:
        changed = False
        groups: dict[tuple[int, int], list[tuple[int, int, int, list[tuple[int, int]]]]] = {}
        for it in items:
            groups.setdefault((it[0], it[1]), []).append(it)
        items = []
        for (lo, up), g in groups.items():
            if len(g) == 1:
                items.append(g[0])
                continue
            changed = True
            members: list[tuple[int, int]] = []
            h = 0
            for it in sorted(g, key=lambda it: -it[2]):
                members += [(i, r + h) for i, r in it[3]]
                h += it[2]
            items.append((lo, up, h, members))
        starting: dict[tuple[int, int], list[int]] = {}
        for k, it in enumerate(items):
            starting.setdefault((it[0], it[2]), []).append(k)
        used: set[int] = set()
        joined = []
        for k, it in enumerate(items):
            if k in used:
                continue
            nxt = [j for j in starting.get((it[1], it[2]), ()) if j not in used and j != k]
            if len(nxt) == 1:
                j = nxt[0]
                used.update((j, k))
                joined.append((it[0], items[j][1], it[2], it[3] + items[j][3]))
        if joined:
            changed = True
            items = joined + [it for k, it in enumerate(items) if k not in used]
    if len(items) > MERGE_SHARE * p.n:
        return None
    inst = Allocation(  # a merged buffer's size is a load: at most the max load
        buffers=tuple(
            Buffer(id=k, lower=lo, upper=up, size=z) for k, (lo, up, z, _m) in enumerate(items)
        ),
        capacity=int(p.total.max()),
        name="merged",
    )
    return prepare(inst), [m for *_x, m in items]


#: :class:`RestartRun`: its preorder (area first), the random factor of the areas (in
#: ``[1, 1 + RESTART_JITTER)``) and its unit of restarts (steps per buffer).
RESTART_RANK = "AWT"
RESTART_JITTER = 3.0
RESTART_UNIT = 20


class RestartRun:
    """A canonical search (:class:`Run`) restarted on Luby's sequence (units of
    :data:`RESTART_UNIT` steps per buffer), each restart with the preorder of
    :data:`RESTART_RANK` on areas times a random factor (seeded: deterministic). The
    static preorders' runs are heavy-tailed on tight restrictions (:func:`merged`): on the
    restrictions of two zero-slack instances of 600 pieces (10 % removed), the restarts
    placed in 1-5 s what none of the static preorders had placed in 10 s.
    Incomplete: a restart that exhausts its space returns -1 (a proof of infeasibility,
    but the run only takes restrictions)."""

    complete = False

    def __init__(self, p: Prep, cap: int, seed: int = 0) -> None:
        self.p, self.cap = p, int(cap)
        self.rng = np.random.default_rng(seed)
        self.restarts = 0
        self.result = 0
        self._nodes = self._steps = 0  # of the restarts before the current one
        self.end = 0
        self.cur = self._fresh()

    def _fresh(self) -> Run:
        """The next restart's search (and where it ends)."""
        self.restarts += 1
        jitter = 1.0 + RESTART_JITTER * self.rng.random(self.p.n)
        q = dataclasses.replace(self.p, area=(self.p.area * jitter).astype(np.int64))
        self.end = self._steps + RESTART_UNIT * max(1, self.p.n) * _luby(self.restarts)
        return Run(q, RESTART_RANK, self.cap)

    def step(self, budget: int) -> int:
        """As :meth:`Run.step` (restarting as its sequence says)."""
        end = self.steps + int(budget)
        while self.result == 0:
            if self.steps >= self.end:
                self._nodes += self.cur.nodes
                self._steps += self.cur.steps
                self.cur = self._fresh()
            left = min(end, self.end) - self.steps
            if left <= 0:
                break
            self.result = self.cur.step(left)
        return self.result

    @property
    def off(self) -> np.ndarray:
        """The offsets of the current restart (its placement once found)."""
        return self.cur.off

    @property
    def nodes(self) -> int:
        """Nodes entered so far (every restart)."""
        return self._nodes + self.cur.nodes

    @property
    def steps(self) -> int:
        """Steps taken so far (every restart)."""
        return self._steps + self.cur.steps


class MergedRun:
    """A search (:class:`Run` or :class:`FillRun`) of :func:`merged`'s restriction with the
    interface of :class:`Run` on the original: ``off`` its placement unfolded. Incomplete:
    its ``-1`` proves nothing about the original."""

    complete = False

    def __init__(
        self, run: Run | FillRun | RestartRun, members: list[list[tuple[int, int]]], n: int
    ) -> None:
        self.run, self.members, self.n = run, members, n

    def step(self, budget: int) -> int:
        """As :meth:`Run.step` on the restriction."""
        return self.run.step(budget)

    @property
    def off(self) -> np.ndarray:
        """The original buffers' offsets (-1 while not found)."""
        out = np.full(self.n, -1, np.int64)
        if self.run.result == 1:
            for o, ms in zip(self.run.off.tolist(), self.members, strict=True):
                for i, r in ms:
                    out[i] = o + r
        return out

    @property
    def nodes(self) -> int:
        """Nodes entered so far."""
        return self.run.nodes

    @property
    def steps(self) -> int:
        """Steps taken so far."""
        return self.run.steps


#: Steps per buffer of a unit of :class:`FillRun`'s restarts.
FILL_UNIT = 50


def _luby(i: int) -> int:
    """The ``i``-th term (from 1) of Luby's sequence 1, 1, 2, 1, 1, 2, 4, 1, ..."""
    k = 1
    while (1 << k) - 1 < i:
        k += 1
    while True:
        if i == (1 << k) - 1:
            return 1 << (k - 1)
        i -= (1 << (k - 1)) - 1
        k = 1
        while (1 << k) - 1 < i:
            k += 1


def feasible(
    p: Prep,
    cap: int,
    deadline: float = NO_DEADLINE,
    speed: dict[str, float] | None = None,
    work: Work | None = None,
    fill: bool = False,
) -> tuple[np.ndarray | None, bool, int]:
    """Search for a placement of ``p`` (from :func:`prepare`) with peak <= ``cap``.
    Returns ``(offsets or None, proven infeasible, nodes)``. The preorders of :data:`RANKS`
    take turns (MiniMalloc's round robin) in slices that double, each resuming where it
    stopped; with ``fill`` (and no alignment or fixed offset), the skyline fill search
    (:class:`FillRun`, for tight instances such as zero-slack ones) takes its turn too,
    until it finds a placement or exhausts its (incomplete) space, and so do three searches
    of the restriction of :func:`merged`, when it has one (the first preorder, the
    restarted one of :class:`RestartRun` and the fill; :class:`MergedRun`: what they
    exhaust proves nothing either).

    Limits: a slice never runs past the ``deadline`` (absolute ``perf_counter`` seconds;
    sized from the measured search speed, kept in ``speed`` across calls when given), nor
    past the ``work`` budget (search steps, spent as they are taken: the search stops, with
    ``(None, False, nodes)``, once it is used up). Without a deadline the slices are
    deterministic (doubling, capped by the budget left), so a run under a work budget
    repeats exactly whatever the machine's load."""
    offsets = np.zeros(p.n_all, np.int64)
    if p.n == 0:
        return offsets, False, 0
    if int(p.total.max(initial=0)) > cap or int((p.sz + p.fixed).max()) > cap:
        return None, True, 0
    runs: list[Run | FillRun | MergedRun] = [Run(p, r, cap) for r in RANKS]
    if fill and bool((p.al == 1).all()) and bool((p.fixed < 0).all()):
        runs.append(FillRun(p, cap))
        restriction = merged(p)
        if restriction is not None:
            q, members = restriction
            runs += [
                MergedRun(search, members, p.n)
                for search in (Run(q, RANKS[0], cap), RestartRun(q, cap), FillRun(q, cap))
            ]
    budget = 2 * p.n
    speed = {} if speed is None else speed
    rate = speed.get("rate", 0.0)  # search steps per second, measured
    budgeted = work is not None and work.limit is not None
    while True:
        for run in runs:
            b = budget
            if budgeted:
                assert work is not None
                left = work.count()
                if left <= 0:
                    return None, False, sum(r.nodes for r in runs)
                b = min(b, left)
            rem = max(0.0, deadline - time.perf_counter()) if math.isfinite(deadline) else math.inf
            if math.isfinite(rem):
                # a slice never outlasts the remaining time (numba cannot read the clock);
                # short slices (~0.2 s at the measured speed) bound the overshoot when the
                # cost of a step varies
                b = min(b, max(16, int(rate * min(rem * 0.8, 0.2)))) if rate > 0 else min(b, 64)
            k0 = run.steps
            t0 = time.perf_counter()
            res = run.step(b)
            dt = time.perf_counter() - t0
            k = run.steps - k0
            if work is not None:
                work.spend(k)
            if k > 0 and dt > 1e-4:
                r = k / dt
                rate = r if rate == 0 else min(r, 2 * rate)
                speed["rate"] = rate
            total = sum(r.nodes for r in runs)
            if res == 1:
                offsets[p.keep] = run.off
                return offsets, False, total
            if res == -1:
                if not run.complete:  # proves nothing, drops out
                    runs.remove(run)
                    break
                return None, True, total
            if clock() >= deadline:
                return None, False, total
        budget *= 2
