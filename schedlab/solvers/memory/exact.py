"""``exact``: a MiniMalloc-style search over canonical solutions (see :mod:`._search`)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ...core import SolveError, SolveOptions, SolverOutput, Status, register
from ...core.timing import Deadline
from ...models.memory import Instance
from . import _common, _kernels, _search
from .greedy import finish

#: Largest instance the search takes on (its candidate table is n x n).
MAX_BUFFERS = 4000
#: Static tie-break orders, tried in turn (a one-thread portfolio).
RANKS = ("TWA", "WAT", "TAW")


def _rank(inst: Instance, rule: str, br: np.ndarray) -> np.ndarray:
    lo, up, sz, _al, _fx = inst.arrays
    life = up - lo
    idx = np.arange(inst.n)
    keys = {"T": -br[:, 0], "W": -life, "A": -(sz * life)}
    if sorted(rule) != ["A", "T", "W"]:
        raise ValueError(rule)
    # static preorder: by max section total (T), width (W) and area (A), in the rule's order
    order = np.lexsort((idx, keys[rule[2]], keys[rule[1]], keys[rule[0]]))
    rank = np.empty(inst.n, dtype=np.int64)
    rank[order] = np.arange(inst.n)
    return rank


@dataclass
class _Run:
    """One resumable search at a capacity with one static rank."""

    a: np.ndarray
    e: np.ndarray
    sz: np.ndarray
    al: np.ndarray
    rank: np.ndarray
    cap: int
    state: np.ndarray = field(default_factory=lambda: np.zeros(4, np.int64))
    result: int = 0

    def __post_init__(self) -> None:
        n = self.a.shape[0]
        ns = int(self.e.max()) if n else 0
        self.off = np.full(n, -1, np.int64)
        self.floor = np.zeros(ns, np.int64)
        diff = np.zeros(ns + 1, np.int64)
        np.add.at(diff, self.a, self.sz)
        np.add.at(diff, self.e, -self.sz)
        self.rem = np.cumsum(diff)[:ns]
        self.cand = np.zeros((n + 1, max(n, 1)), np.int64)
        self.ncand = np.zeros(n + 1, np.int64)
        self.nexti = np.zeros(n + 1, np.int64)
        self.chosen = np.zeros(n + 1, np.int64)
        self.levels = np.zeros(n + 2, np.int64)
        self.saved = np.zeros(int((self.e - self.a).sum()) + 1, np.int64)
        self.sptr = np.zeros(n + 2, np.int64)

    def step(self, budget: int) -> int:
        if self.result == 0:
            self.result = int(
                _search.search(
                    self.a,
                    self.e,
                    self.sz,
                    self.al,
                    self.rank,
                    self.cap,
                    self.state,
                    self.off,
                    self.floor,
                    self.rem,
                    self.cand,
                    self.ncand,
                    self.nexti,
                    self.chosen,
                    self.levels,
                    self.saved,
                    self.sptr,
                    budget,
                )  # fmt: skip
            )
        return self.result

    @property
    def nodes(self) -> int:
        return int(self.state[2])


def feasible(
    inst: Instance,
    cap: int,
    deadline: Deadline,
    ranks: tuple[str, ...] = RANKS,
    slice_nodes: int = 20000,
    max_nodes: int | None = None,
) -> tuple[np.ndarray | None, bool, int]:
    """Search for a placement with peak <= ``cap``. Returns ``(offsets or None, proven
    infeasible, nodes)``: the rank orders take turns in slices of ``slice_nodes`` nodes."""
    lo, up, sz, al, _fx = inst.arrays
    times = np.unique(np.concatenate([lo, up]))
    a = np.searchsorted(times, lo).astype(np.int64)
    e = np.searchsorted(times, up).astype(np.int64)
    br = _kernels.breadth(lo, up, sz, times)
    ranks_ = [_rank(inst, r, br) for r in ranks]
    total = 0
    budget = slice_nodes
    rate = 0.0  # nodes per second, measured, to end the last slice near the deadline
    while True:
        for rank in ranks_:
            run = budget
            rem = deadline.remaining()
            if rate > 0 and math.isfinite(rem):
                run = max(1000, min(budget, int(rate * rem)))
            t0 = time.perf_counter()
            status, off, k = _search.solve(a, e, sz, al, rank, int(cap), run)
            dt = time.perf_counter() - t0
            if k > 1000 and dt > 0:
                rate = k / dt
            total += int(k)
            if status == 1:
                return off, False, total
            if status == 0:
                return None, True, total
            if deadline.expired() or (max_nodes is not None and total >= max_nodes):
                return None, False, total
        budget *= 2


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    if inst.kind != "allocation" or inst.n > MAX_BUFFERS:
        return None
    if any(b.offset is not None for b in inst.buffers):
        return None
    return 40.0


@register(
    "memory",
    "exact",
    exact=True,
    help="MiniMalloc-style search over canonical solutions with section inference (allocation).",
    auto=_auto,
)
def solve_exact(inst: Instance, opts: SolveOptions, *, minimize: bool = False) -> SolverOutput:
    """With a capacity: find a placement within it (``minimize``: then lower the peak as far
    as time allows). Without: minimise the peak, from the best greedy down to the max load,
    proving optimality when the search space of a lower capacity is exhausted."""
    if inst.kind != "allocation":
        raise SolveError("exact is for allocation instances (mapping: use cpsat)")
    if any(b.offset is not None for b in inst.buffers):
        raise SolveError("exact does not handle fixed offsets: use cpsat")
    if inst.n > MAX_BUFFERS:
        raise SolveError(f"exact handles at most {MAX_BUFFERS} buffers; use greedy-best")
    dl = opts.deadline
    lb = int(inst.lower_bound())
    nodes = 0
    best: np.ndarray | None = None
    best_peak = math.inf
    proven = lb  # the optimum is >= proven
    infeasible = False
    if inst.capacity is not None:
        off, inf, k = feasible(inst, inst.capacity, dl)
        nodes += k
        if off is not None:
            best, best_peak = off, _common.peak(inst, off)
        elif inf:
            infeasible = True
        if best is None or not minimize:
            if infeasible:
                opts.emit(f"exact: no placement within {inst.capacity} ({nodes} nodes)")
                return SolverOutput(solution=None, status=Status.INFEASIBLE, info={"nodes": nodes})
            return finish(inst, best, {"nodes": nodes})
    else:
        g, which = _common.best_greedy(inst, dl)
        best, best_peak = g, _common.peak(inst, g)
        opts.emit(f"exact: greedy {which} peak {best_peak}, max load {lb}")
    # minimise: try the lower bound first, then bisect between bound and incumbent
    target = lb
    while best_peak > proven and not dl.expired():
        off, inf, k = feasible(inst, target, dl)
        nodes += k
        if off is not None:
            best, best_peak = off, _common.peak(inst, off)
            opts.emit(f"exact: peak {best_peak} ({nodes} nodes)")
        elif inf:
            proven = target + 1
            opts.emit(f"exact: no placement within {target}; bound {proven}")
        else:
            break
        target = (proven + int(best_peak) - 1) // 2
    return finish(inst, best, {"nodes": nodes}, proven=float(min(proven, best_peak)))
