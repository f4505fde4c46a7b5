"""Flat views of an fjsp instance and schedules, shared by the fjsp methods.

Operations are numbered globally ``0 .. n-1`` job by job; a schedule is two integer arrays,
``machine[o]`` and ``start[o]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model import Instance, make_solution


@dataclass
class Flat:
    """An instance as flat per-operation lists."""

    n: int
    machines: int
    job: list[int]  # job of each operation
    pos: list[int]  # position of each operation in its job
    first: list[int]  # global index of each job's first operation
    length: list[int]  # number of operations of each job
    alts: list[list[tuple[int, int]]]  # eligible (machine, time) pairs per operation
    ptime: list[dict[int, int]]  # machine -> time per operation
    pmin: list[int]
    tail: list[int]  # sum of minimum times of the job's successors

    @classmethod
    def of(cls, inst: Instance) -> Flat:
        """Flatten ``inst``."""
        job: list[int] = []
        pos: list[int] = []
        first: list[int] = []
        length: list[int] = []
        alts: list[list[tuple[int, int]]] = []
        for j, ops in enumerate(inst.jobs):
            first.append(len(job))
            length.append(len(ops))
            for k, op in enumerate(ops):
                job.append(j)
                pos.append(k)
                alts.append(list(op))
        pmin = [min(p for _, p in a) for a in alts]
        tail = [0] * len(job)
        for j in range(len(first)):
            acc = 0
            for o in reversed(range(first[j], first[j] + length[j])):
                tail[o] = acc
                acc += pmin[o]
        return cls(
            n=len(job),
            machines=inst.machines,
            job=job,
            pos=pos,
            first=first,
            length=length,
            alts=alts,
            ptime=[dict(a) for a in alts],
            pmin=pmin,
            tail=tail,
        )

    def is_last(self, o: int) -> bool:
        """True for the last operation of its job."""
        return self.pos[o] == self.length[self.job[o]] - 1


@dataclass
class Schedule:
    """Machine and start time of every operation."""

    machine: np.ndarray
    start: np.ndarray

    def end(self, flat: Flat) -> np.ndarray:
        """End time of every operation."""
        p = np.array([flat.ptime[o][int(self.machine[o])] for o in range(flat.n)], dtype=np.int64)
        return self.start + p

    def makespan(self, flat: Flat) -> int:
        """Largest end time."""
        return int(self.end(flat).max())

    def copy(self) -> Schedule:
        """An independent copy."""
        return Schedule(self.machine.copy(), self.start.copy())

    def to_solution(self, flat: Flat) -> dict[str, Any]:
        """The family's solution JSON."""
        end = self.end(flat)
        return make_solution(
            [
                (flat.job[o], flat.pos[o], int(self.machine[o]), int(self.start[o]), int(end[o]))
                for o in range(flat.n)
            ]
        )

    @classmethod
    def from_solution(cls, flat: Flat, solution: dict[str, Any]) -> Schedule:
        """From a (checked) solution JSON."""
        machine = np.zeros(flat.n, dtype=np.int64)
        start = np.zeros(flat.n, dtype=np.int64)
        for row in solution["operations"]:
            o = flat.first[row["job"]] + row["op"]
            machine[o] = row["machine"]
            start[o] = row["start"]
        return cls(machine, start)

    @classmethod
    def from_dict(cls, flat: Flat, machine: dict[int, int], start: dict[int, int]) -> Schedule:
        """From ``op -> machine`` and ``op -> start`` maps covering every operation."""
        return cls(
            np.array([machine[o] for o in range(flat.n)], dtype=np.int64),
            np.array([start[o] for o in range(flat.n)], dtype=np.int64),
        )

    def sequences(self, flat: Flat) -> list[list[int]]:
        """Operations on each machine, in start order."""
        seqs: list[list[int]] = [[] for _ in range(flat.machines)]
        for o in np.argsort(self.start, kind="stable"):
            seqs[int(self.machine[o])].append(int(o))
        return seqs


def left_shift(flat: Flat, machine: np.ndarray, seqs: list[list[int]]) -> Schedule:
    """The semi-active schedule of a machine assignment and machine sequences (each
    operation as early as its job and machine predecessors allow)."""
    n = flat.n
    mpred = [-1] * n
    for seq in seqs:
        for a, b in zip(seq, seq[1:], strict=False):
            mpred[b] = a
    start = np.zeros(n, dtype=np.int64)
    end = np.zeros(n, dtype=np.int64)
    done = [False] * n
    indeg = [0] * n
    succ: list[list[int]] = [[] for _ in range(n)]
    for o in range(n):
        if flat.pos[o] > 0:
            indeg[o] += 1
            succ[o - 1].append(o)
        if mpred[o] >= 0:
            indeg[o] += 1
            succ[mpred[o]].append(o)
    stack = [o for o in range(n) if indeg[o] == 0]
    while stack:
        o = stack.pop()
        s = 0
        if flat.pos[o] > 0:
            s = int(end[o - 1])
        if mpred[o] >= 0:
            s = max(s, int(end[mpred[o]]))
        start[o] = s
        end[o] = s + flat.ptime[o][int(machine[o])]
        done[o] = True
        for q in succ[o]:
            indeg[q] -= 1
            if indeg[q] == 0:
                stack.append(q)
    if not all(done):
        raise ValueError("machine sequences are cyclic with the job order")
    return Schedule(machine.copy(), start)


def critical_set(flat: Flat, sched: Schedule) -> set[int]:
    """All operations with zero total slack (on some longest path), by a forward and a
    backward pass over the job and machine precedences of the schedule."""
    end = sched.end(flat)
    cmax = int(end.max())
    seqs = sched.sequences(flat)
    msucc = [-1] * flat.n
    for seq in seqs:
        for a, b in zip(seq, seq[1:], strict=False):
            msucc[a] = b
    # latest end without delaying the makespan, processed in decreasing start order
    late_end = np.full(flat.n, cmax, dtype=np.int64)
    for o in np.argsort(-sched.start, kind="stable"):
        o = int(o)
        lim = cmax
        if not flat.is_last(o):
            q = o + 1
            lim = min(lim, int(late_end[q] - (end[q] - sched.start[q])))
        if msucc[o] >= 0:
            q = msucc[o]
            lim = min(lim, int(late_end[q] - (end[q] - sched.start[q])))
        late_end[o] = lim
    return {o for o in range(flat.n) if late_end[o] == end[o]}
