"""An instance as flat numpy arrays, and schedules as two integer arrays, shared by the dag
methods and the online simulator.

Times are an ``n x P`` int64 array with ``-1`` where a task is not eligible; predecessors and
successors are in CSR form with the edges' volumes; the bandwidth is a ``P x P`` int64 array
with ``0`` for an infinite bandwidth (a transfer in no time), the latency a ``P x P`` array.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model import Instance, make_solution

#: The graphs of the instances seen lately (a solve and its warm start share one).
_CACHE: dict[int, tuple[Instance, Graph]] = {}


@dataclass(frozen=True)
class Graph:
    """The arrays of one instance (see the module's docstring)."""

    n: int
    P: int
    times: np.ndarray  # (n, P) int64, -1 = not eligible
    eligible: np.ndarray  # (n, P) bool
    src: np.ndarray  # (E,) int64
    dst: np.ndarray  # (E,) int64
    vol: np.ndarray  # (E,) int64
    pred_ptr: np.ndarray  # (n + 1,) CSR over edges sorted by dst
    pred_idx: np.ndarray  # predecessor task
    pred_vol: np.ndarray
    pred_edge: np.ndarray  # edge index
    succ_ptr: np.ndarray
    succ_idx: np.ndarray
    succ_vol: np.ndarray
    succ_edge: np.ndarray
    bw: np.ndarray  # (P, P) int64, 0 = infinite
    lat: np.ndarray  # (P, P) int64
    order: np.ndarray  # a topological order
    comm: bool  # some edge may be delayed

    @staticmethod
    def of(inst: Instance) -> Graph:
        """The arrays of ``inst`` (cached for the last few instances)."""
        hit = _CACHE.get(id(inst))
        if hit is not None and hit[0] is inst:
            return hit[1]
        g = Graph._build(inst)
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[id(inst)] = (inst, g)
        return g

    @staticmethod
    def _build(inst: Instance) -> Graph:
        n, P = inst.n, inst.n_processors
        times = np.array(
            [[-1 if t is None else t for t in row] for row in inst.times], dtype=np.int64
        ).reshape(n, P)
        E = len(inst.edges)
        arr = np.array(inst.edges, dtype=np.int64).reshape(E, 3)
        src, dst, vol = arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy()

        def csr(key: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, ...]:
            perm = np.argsort(key, kind="stable")
            ptr = np.zeros(n + 1, dtype=np.int64)
            np.add.at(ptr, key + 1, 1)
            return np.cumsum(ptr), other[perm].copy(), vol[perm].copy(), perm.astype(np.int64)

        pp, pi, pv, pe = csr(dst, src)
        sp, si, sv, se = csr(src, dst)
        bw = np.array(
            [[0 if b is None else b for b in row] for row in inst.bandwidth], dtype=np.int64
        ).reshape(P, P)
        lat = np.array(inst.latency, dtype=np.int64).reshape(P, P)
        np.fill_diagonal(bw, 0)
        np.fill_diagonal(lat, 0)
        return Graph(
            n=n,
            P=P,
            times=times,
            eligible=times >= 0,
            src=src,
            dst=dst,
            vol=vol,
            pred_ptr=pp,
            pred_idx=pi,
            pred_vol=pv,
            pred_edge=pe,
            succ_ptr=sp,
            succ_idx=si,
            succ_vol=sv,
            succ_edge=se,
            bw=bw,
            lat=lat,
            order=np.array(inst.order, dtype=np.int64),
            comm=inst.has_communication,
        )

    def preds(self, i: int) -> range:
        """The CSR positions of task ``i``'s incoming edges."""
        return range(int(self.pred_ptr[i]), int(self.pred_ptr[i + 1]))

    def succs(self, i: int) -> range:
        """The CSR positions of task ``i``'s outgoing edges."""
        return range(int(self.succ_ptr[i]), int(self.succ_ptr[i + 1]))

    def delay(self, vol: int, p: int, q: int) -> int:
        """The communication delay of ``vol`` from processor ``p`` to ``q``."""
        if p == q:
            return 0
        b = int(self.bw[p, q])
        t = 0 if b == 0 or vol == 0 else -(-int(vol) // b)
        return t + int(self.lat[p, q])

    def delay_matrix(self, vol: int) -> np.ndarray:
        """The ``P x P`` delays of ``vol`` (zero on the diagonal)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(self.bw > 0, -(-int(vol) // np.maximum(self.bw, 1)), 0)
        d = t + self.lat
        np.fill_diagonal(d, 0)
        return d.astype(np.int64)

    @functools.cached_property
    def tmin(self) -> np.ndarray:
        """Each task's least time."""
        return np.where(self.eligible, self.times, np.iinfo(np.int64).max).min(axis=1)

    @functools.cached_property
    def tmean(self) -> np.ndarray:
        """Each task's mean time over its eligible processors."""
        t = np.where(self.eligible, self.times, 0).sum(axis=1)
        return t / self.eligible.sum(axis=1)

    @functools.cached_property
    def mean_comm(self) -> np.ndarray:
        """Each edge's mean delay over the pairs of different eligible processors of its
        ends (HEFT's average communication cost; 0 without such a pair)."""
        E = len(self.vol)
        out = np.zeros(E)
        if E == 0 or not self.comm:
            return out
        P = self.P
        off_bw = self.bw[~np.eye(P, dtype=bool)]
        off_lat = self.lat[~np.eye(P, dtype=bool)]
        if (off_bw == off_bw[0]).all() and (off_lat == off_lat[0]).all():
            # one link for every pair: the delay wherever the ends can be apart
            b, lat = int(off_bw[0]), int(off_lat[0])
            t = np.where(self.vol > 0, -(-self.vol // b), 0) if b > 0 else np.zeros(E)
            ea, eb = self.eligible[self.src], self.eligible[self.dst]
            apart = ea.sum(axis=1) * eb.sum(axis=1) - (ea & eb).sum(axis=1) > 0
            return np.where(apart, t + lat, 0).astype(float)
        off = ~np.eye(P, dtype=bool)
        step = max(1, 4_000_000 // (P * P))
        for lo in range(0, E, step):
            hi = min(E, lo + step)
            v = self.vol[lo:hi, None, None]
            t = np.where(self.bw[None] > 0, -(-v // np.maximum(self.bw, 1)[None]), 0)
            d = (t + self.lat[None]).astype(float)
            mask = (
                self.eligible[self.src[lo:hi]][:, :, None]
                & self.eligible[self.dst[lo:hi]][:, None, :]
                & off[None]
            )
            cnt = mask.sum(axis=(1, 2))
            tot = (d * mask).sum(axis=(1, 2))
            out[lo:hi] = np.where(cnt > 0, tot / np.maximum(cnt, 1), 0.0)
        return out

    @functools.cached_property
    def tails(self) -> np.ndarray:
        """Each task's longest path to a sink after its end, with least times and no
        communication (a lower bound on the time the schedule needs after it)."""
        tail = np.zeros(self.n, dtype=np.int64)
        tmin = self.tmin
        for i in self.order[::-1]:
            best = 0
            for k in self.succs(int(i)):
                j = int(self.succ_idx[k])
                best = max(best, int(tmin[j] + tail[j]))
            tail[i] = best
        return tail

    @functools.cached_property
    def heads(self) -> np.ndarray:
        """Each task's longest path from a source before its start (least times, no
        communication)."""
        head = np.zeros(self.n, dtype=np.int64)
        tmin = self.tmin
        for i in self.order:
            for k in self.succs(int(i)):
                j = int(self.succ_idx[k])
                head[j] = max(head[j], head[i] + tmin[i])
        return head


@dataclass
class Schedule:
    """Processor and start time of every task."""

    proc: np.ndarray
    start: np.ndarray

    def end(self, g: Graph) -> np.ndarray:
        """End time of every task."""
        return self.start + g.times[np.arange(g.n), self.proc]

    def makespan(self, g: Graph) -> int:
        """The largest end."""
        return int(self.end(g).max()) if g.n else 0

    def copy(self) -> Schedule:
        """A copy."""
        return Schedule(self.proc.copy(), self.start.copy())

    def to_solution(self, g: Graph) -> dict[str, Any]:
        """The solution dict (rows by start)."""
        return make_solution(self.proc.tolist(), self.start.tolist(), g.times.tolist())

    @staticmethod
    def from_solution(g: Graph, solution: dict[str, Any]) -> Schedule:
        """The schedule of a (checked) solution dict."""
        proc = np.zeros(g.n, dtype=np.int64)
        start = np.zeros(g.n, dtype=np.int64)
        for row in solution["tasks"]:
            proc[int(row["task"])] = int(row["processor"])
            start[int(row["task"])] = int(row["start"])
        return Schedule(proc, start)
