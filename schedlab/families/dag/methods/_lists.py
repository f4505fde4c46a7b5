"""List heuristics: HEFT's upward rank, CPOP's critical path, PEFT's optimistic cost table,
and the compiled list scheduler they share (:func:`._kernels.list_schedule`).

- HEFT (Topcuoglu, Hariri & Wu 2002): priority the upward rank ``rank_u`` (mean time over the
  eligible processors plus the largest mean delay plus successor rank), each task to the
  processor finishing it earliest, inserted in a gap when one fits.
- CPOP (same paper): priority ``rank_u + rank_d``; the tasks of the critical path all go to
  the processor that runs them fastest together (among those eligible for all of them); the
  others to the earliest finish.
- PEFT (Arabnejad & Barbosa 2014): the optimistic cost table ``OCT[t, p]``, the longest path
  from ``t`` to a sink with the best processor for every successor given ``t`` on ``p``
  (delays as the instance has them); priority the mean of ``OCT[t, :]``; each task to the
  processor minimising its finish time plus ``OCT[t, p]``.
"""

from __future__ import annotations

import numpy as np

from ._graph import Graph, Schedule
from ._watch import Expired, Watch


def upward_rank(g: Graph, watch: Watch | None = None) -> np.ndarray:
    """HEFT's ``rank_u``: mean time plus the longest mean-delay path to a sink."""
    rank = np.zeros(g.n)
    w, c = g.tmean, g.mean_comm
    for i in g.order[::-1]:
        if watch is not None:
            watch.tick()
        best = 0.0
        for k in g.succs(int(i)):
            v = c[g.succ_edge[k]] + rank[g.succ_idx[k]]
            if v > best:
                best = v
        rank[i] = w[i] + best
    return rank


def downward_rank(g: Graph, watch: Watch | None = None) -> np.ndarray:
    """CPOP's ``rank_d``: the longest mean path from a source to the task's start."""
    rank = np.zeros(g.n)
    w, c = g.tmean, g.mean_comm
    for i in g.order:
        if watch is not None:
            watch.tick()
        best = 0.0
        for k in g.preds(int(i)):
            a = g.pred_idx[k]
            v = rank[a] + w[a] + c[g.pred_edge[k]]
            if v > best:
                best = v
        rank[i] = best
    return rank


def optimistic_cost_table(g: Graph) -> np.ndarray:
    """PEFT's ``OCT[t, p]`` (``n x P``; ``inf`` where ``t`` is not eligible on ``p``), the
    compiled :func:`._kernels.optimistic_cost_table` (delays as the instance has them)."""
    from ._kernels import optimistic_cost_table as table

    return table(
        g.order,
        g.succ_ptr,
        g.succ_idx,
        g.succ_vol,
        g.times,
        g.eligible,
        g.bw,
        g.lat,
        bool(g.comm),
    )


def run(
    g: Graph,
    prio: np.ndarray,
    *,
    bias: np.ndarray | None = None,
    forced: np.ndarray | None = None,
    insertion: bool = True,
) -> Schedule:
    """The schedule of the list scheduler (see :func:`._kernels.list_schedule`)."""
    from ._kernels import list_schedule

    proc = np.full(g.n, -1, dtype=np.int64)
    start = np.zeros(g.n, dtype=np.int64)
    list_schedule(
        np.ascontiguousarray(prio, dtype=np.float64),
        g.times,
        g.pred_ptr,
        g.pred_idx,
        g.pred_vol,
        g.succ_ptr,
        g.succ_idx,
        g.bw,
        g.lat,
        np.zeros((g.n, g.P)) if bias is None else np.ascontiguousarray(bias, dtype=np.float64),
        np.full(g.n, -1, dtype=np.int64) if forced is None else forced.astype(np.int64),
        np.zeros(g.n, dtype=np.int64),
        insertion,
        proc,
        start,
    )
    return Schedule(proc, start)


def heft(g: Graph, insertion: bool = True) -> Schedule:
    """HEFT's schedule."""
    return run(g, upward_rank(g), insertion=insertion)


def critical_path(g: Graph, prio: np.ndarray) -> list[int]:
    """CPOP's critical path: from the source of highest priority, successors of (nearly)
    equal priority, up to a sink."""
    sources = [i for i in range(g.n) if g.pred_ptr[i] == g.pred_ptr[i + 1]]
    cp = max(prio[i] for i in sources)
    tol = 1e-9 * max(1.0, abs(cp))
    node = max(sources, key=lambda i: (prio[i], -i))
    path = [node]
    while g.succ_ptr[node] < g.succ_ptr[node + 1]:
        nxt = [int(g.succ_idx[k]) for k in g.succs(node) if abs(prio[g.succ_idx[k]] - cp) <= tol]
        if not nxt:
            break
        node = min(nxt)
        path.append(node)
    return path


def cpop(g: Graph, watch: Watch | None = None) -> Schedule:
    """CPOP's schedule (:class:`._watch.Expired` if ``watch`` runs out while ranking)."""
    prio = upward_rank(g, watch) + downward_rank(g, watch)
    path = critical_path(g, prio)
    forced = np.full(g.n, -1, dtype=np.int64)
    ok = g.eligible[path].all(axis=0)
    if ok.any():
        load = np.where(g.eligible[path], g.times[path], 0).sum(axis=0)
        load = np.where(ok, load, np.iinfo(np.int64).max)
        forced[path] = int(np.argmin(load))
    return run(g, prio, forced=forced)


def peft(g: Graph, watch: Watch | None = None) -> Schedule:
    """PEFT's schedule (its table is compiled: ``watch`` is only checked before)."""
    if watch is not None and watch.over():
        raise Expired
    table = optimistic_cost_table(g)
    finite = np.where(np.isfinite(table), table, 0.0)
    prio = finite.sum(axis=1) / g.eligible.sum(axis=1)
    return run(g, prio, bias=np.where(np.isfinite(table), table, 0.0))


#: The constructive heuristics by name.
HEURISTICS = {"heft": heft, "cpop": cpop, "peft": peft}


def best_heuristic(g: Graph, watch: Watch | None = None) -> tuple[str, Schedule]:
    """The best schedule of HEFT, PEFT and CPOP (ties: that order) as ``(name, schedule)``.
    HEFT always runs; PEFT and CPOP are skipped (or abandoned) once ``watch`` is over."""
    best = ("heft", heft(g))
    for name, fn in (("peft", peft), ("cpop", cpop)):
        if watch is not None and watch.over():
            break
        try:
            s = fn(g, watch)
        except Expired:
            break
        if s.makespan(g) < best[1].makespan(g):
            best = (name, s)
    return best


def topo_rank(g: Graph) -> np.ndarray:
    """Each task's position in the graph's topological order."""
    rank = np.empty(g.n, dtype=np.int64)
    rank[g.order] = np.arange(g.n)
    return rank


def left_shift(g: Graph, sched: Schedule) -> Schedule:
    """The schedule with every task as early as its processor's sequence allows."""
    from ._kernels import left_shift as shift

    out = sched.copy()
    shift(
        topo_rank(g),
        g.times,
        g.pred_ptr,
        g.pred_idx,
        g.pred_vol,
        g.bw,
        g.lat,
        np.zeros(g.n, dtype=np.int64),
        out.proc,
        out.start,
    )
    return out
