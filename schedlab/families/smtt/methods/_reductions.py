"""The reductions the exact models (``cpsat``, ``mip``) share: :func:`reduce_jobs`,
:func:`dominance_matrix`, :func:`dominance_pairs`, :func:`repair_order`, :func:`core_start`,
each valid in the sense that some optimal schedule survives it:

- zero-length jobs go first (they finish at 0, the earliest possible, and delay nobody);
- a job whose due date is at least the total processing time of the jobs not yet placed at
  the end never becomes tardy if placed last among them, and moving it there delays nobody:
  such jobs are peeled off the end, repeatedly (a decomposition of the instance);
- Rinnooy Kan, Lageweg & Lenstra's (1975) weighted extension of Emmons' rule: if
  p_i <= p_j, w_i >= w_j and d_i <= d_j (ties broken by job index) some optimal schedule
  runs i before j, for all such pairs at once (an inverted pair can be swapped without
  raising the cost, and every swap lowers the number of inversions against the linear
  extension ordered by (p, -w, d, index)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ....core import SolveOptions
from ....engines.jit import NO_DEADLINE, clock
from ..model import Instance
from ._rules import best_rule


@dataclass(frozen=True)
class Reduction:
    """An instance split into a fixed head, a core to optimise and a fixed tail.

    Attributes:
        head: zero-length jobs, scheduled first.
        core: the jobs left to sequence (original indices, increasing).
        tail: jobs that are never tardy at the end, in processing order.
        offset: the weighted tardiness of the head jobs (a constant).
    """

    head: tuple[int, ...]
    core: tuple[int, ...]
    tail: tuple[int, ...]
    offset: int

    def sequence(self, core_order: list[int]) -> list[int]:
        """The full processing order around an order of the core jobs."""
        return [*self.head, *core_order, *self.tail]


def reduce_jobs(inst: Instance) -> Reduction:
    """Split off zero-length jobs (first) and never-tardy jobs (last); see the module doc."""
    p, d, w = inst.arrays
    head = [j for j in range(inst.n) if p[j] == 0]
    offset = int(sum(int(w[j]) * max(0, -int(d[j])) for j in head))
    left = [j for j in range(inst.n) if p[j] > 0]
    horizon = int(sum(int(p[j]) for j in left))
    blocks: list[list[int]] = []
    while left:
        late = [j for j in left if d[j] >= horizon]
        if not late:
            break
        blocks.append(late)
        left = [j for j in left if d[j] < horizon]
        horizon -= int(sum(int(p[j]) for j in late))
    tail = [j for block in reversed(blocks) for j in block]
    return Reduction(tuple(head), tuple(left), tuple(tail), offset)


def dominance_matrix(inst: Instance, jobs: tuple[int, ...] | list[int]) -> np.ndarray:
    """``D[a, b]`` true when some optimal schedule runs ``jobs[a]`` before ``jobs[b]``
    (p <= , w >= , d <= , ties by index): a strict partial order, hence transitive."""
    p, d, w = inst.arrays
    js = np.asarray(jobs, dtype=np.int64)
    pp, dd, ww = p[js][:, None], d[js][:, None], w[js][:, None]
    idx = np.arange(len(js))
    same = (pp == pp.T) & (ww == ww.T) & (dd == dd.T)
    dom = (pp <= pp.T) & (ww >= ww.T) & (dd <= dd.T) & (~same | (idx[:, None] < idx[None, :]))
    return np.asarray(dom, dtype=bool)


#: Rows of the dominance matrix squared at a time by :func:`dominance_pairs` (the deadline is
#: checked between blocks).
PAIR_BLOCK = 256


def dominance_pairs(
    inst: Instance, jobs: tuple[int, ...] | list[int], deadline: float = NO_DEADLINE
) -> list[tuple[int, int]] | None:
    """Pairs (i, j) of ``jobs`` such that some optimal schedule runs i before j (see
    :func:`dominance_matrix`), transitively reduced; ``None`` when ``deadline`` (a
    ``perf_counter`` value) passes first (checked between blocks of :data:`PAIR_BLOCK` rows
    of the two-step product, a float32 matrix product: exact, the counts stay below 2^24)."""
    if len(jobs) < 2:
        return []
    if len(jobs) >= 2**24:
        raise ValueError("dominance_pairs: too many jobs for an exact float32 product")
    dom = dominance_matrix(inst, jobs)
    domf = dom.astype(np.float32)
    keep = np.empty_like(dom)
    for lo in range(0, len(jobs), PAIR_BLOCK):
        if deadline != NO_DEADLINE and clock() >= deadline:
            return None
        hi = min(len(jobs), lo + PAIR_BLOCK)
        keep[lo:hi] = dom[lo:hi] & ~((domf[lo:hi] @ domf) > 0)
    return [(int(jobs[a]), int(jobs[b])) for a, b in zip(*np.nonzero(keep), strict=True)]


def repair_order(inst: Instance, order: list[int], deadline: float = NO_DEADLINE) -> list[int]:
    """Swap dominance-violating pairs (see :func:`dominance_pairs`) until none is left (or,
    with a ``deadline``, until it passes: checked at each position, the order is then
    repaired up to there); never raises the weighted tardiness of the order."""
    p, d, w = inst.arrays
    seq = list(order)
    arr = np.asarray(seq, dtype=np.int64)
    for a in range(len(seq) - 1):
        if deadline != NO_DEADLINE and a % 16 == 0 and clock() >= deadline:
            break
        while True:
            j = seq[a]
            rest = arr[a + 1 :]
            dom = (p[rest] <= p[j]) & (w[rest] >= w[j]) & (d[rest] <= d[j])
            tie = (p[rest] == p[j]) & (w[rest] == w[j]) & (d[rest] == d[j])
            dom &= ~tie | (rest < j)
            if not dom.any():
                break
            cand = np.nonzero(dom)[0]
            # the earliest job in the linear extension (p, -w, d, index) among the dominators
            keys = np.lexsort((rest[cand], d[rest[cand]], -w[rest[cand]], p[rest[cand]]))
            b = a + 1 + int(cand[keys[0]])
            seq[a], seq[b] = seq[b], seq[a]
            arr[a], arr[b] = arr[b], arr[a]
    return seq


#: The share of the time left that :func:`core_start` may take under a time limit.
START_SHARE = 0.25


def core_start(inst: Instance, opts: SolveOptions, red: Reduction) -> tuple[list[int], int, str]:
    """The warm start restricted to the core: (core order, its full objective, origin).

    The hint (if any, already checked by the core) or the best dispatching rule, whichever
    is better, with the head and tail jobs taken out (which never raises its cost) and
    dominance-violating pairs swapped (neither). Under a time limit the rules and the
    repair take at most :data:`START_SHARE` of the time left (see
    :func:`._rules.best_rule`)."""
    p, d, w = inst.arrays
    rem = opts.deadline.remaining()
    deadline = clock() + START_SHARE * rem if rem < NO_DEADLINE else NO_DEADLINE
    origin, seq, _ = best_rule(p, d, w, deadline)
    if opts.hint is not None:
        hinted = [int(j) for j in opts.hint["sequence"]]
        if inst.objective(hinted) <= inst.objective(seq):
            origin, seq = "hint", hinted
    core = set(red.core)
    order = repair_order(inst, [int(j) for j in seq if int(j) in core], deadline)
    return order, inst.objective(red.sequence(order)), origin
