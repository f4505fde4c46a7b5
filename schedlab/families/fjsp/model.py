"""The flexible job shop, FJc||C_max: instances, their JSON form and the checker.

``J`` jobs, each a chain of operations; every operation can run on any one of its eligible
machines, with a processing time that depends on the machine; each machine runs one
operation at a time, without preemption. Minimise the makespan.

A solution (all indices 0-based)::

    {"operations": [{"job": j, "op": k, "machine": m, "start": s, "end": e}, ...]}

JSON instance: ``{"problem": "fjsp", "name": ..., "machines": M, "jobs": [[[[m, p], ...],
...], ...]}`` (machines 0-based; ``"reference"`` and ``"lower_bound"`` optional). The
``.fjs`` files are read by :mod:`.formats`.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ...core.errors import InstanceError, SolutionError
from ...core.jsonio import check_keys, default_name

PROBLEM = "fjsp"

#: One operation: its eligible ``(machine, processing time)`` pairs (machines 0-based).
Operation = tuple[tuple[int, int], ...]
#: One job: its operations in precedence order.
Job = tuple[Operation, ...]
#: The keys of one row of a solution's ``"operations"``.
ROW_KEYS = ("job", "op", "machine", "start", "end")


def _is_int(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | np.integer):
        return True
    return isinstance(v, float | np.floating) and float(v).is_integer()


@dataclass(frozen=True)
class Instance:
    """One flexible job-shop instance; validates itself on construction.

    Attributes:
        jobs: per job, its operations in precedence order; per operation, its eligible
            ``(machine, processing time)`` pairs (machines 0-based, times positive integers,
            each machine at most once).
        machines: number of machines ``M`` (machines are ``0 .. M-1``).
        name: a name for reports.
        reference: the best-known makespan, if known.
        lower_bound: a proven lower bound on the makespan, if known.
    """

    problem: ClassVar[str] = PROBLEM
    sense: ClassVar[str] = "min"

    jobs: tuple[Job, ...]
    machines: int
    name: str = "fjsp"
    reference: float | None = None
    lower_bound: float | None = None
    source: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        src = self.source
        if not _is_int(self.machines) or int(self.machines) < 1:
            raise InstanceError(f"machines must be a positive integer, got {self.machines!r}", src)
        m_count = int(self.machines)
        object.__setattr__(self, "machines", m_count)
        if isinstance(self.jobs, str | bytes) or not hasattr(self.jobs, "__iter__"):
            raise InstanceError("jobs must be a list of jobs", src)
        jobs: list[Job] = []
        for j, job in enumerate(self.jobs):
            if isinstance(job, str | bytes) or not hasattr(job, "__iter__"):
                raise InstanceError(f"job {j} must be a list of operations", src)
            ops: list[Operation] = []
            for k, op in enumerate(job):
                if isinstance(op, str | bytes) or not hasattr(op, "__iter__"):
                    raise InstanceError(f"job {j}, operation {k}: must be a list of pairs", src)
                alts: list[tuple[int, int]] = []
                seen: set[int] = set()
                for pair in op:
                    if isinstance(pair, str | bytes) or len(pair) != 2:
                        raise InstanceError(
                            f"job {j}, operation {k}: expected [machine, time] pairs, got {pair!r}",
                            src,
                        )
                    m, p = pair
                    if not _is_int(m) or not 0 <= int(m) < m_count:
                        raise InstanceError(
                            f"job {j}, operation {k}: machine {m!r} out of range 0..{m_count - 1}",
                            src,
                        )
                    if not _is_int(p) or int(p) < 1:
                        raise InstanceError(
                            f"job {j}, operation {k}: processing time {p!r} must be a positive "
                            "integer",
                            src,
                        )
                    if int(m) in seen:
                        raise InstanceError(
                            f"job {j}, operation {k}: machine {int(m)} listed twice", src
                        )
                    seen.add(int(m))
                    alts.append((int(m), int(p)))
                if not alts:
                    raise InstanceError(f"job {j}, operation {k}: no eligible machine", src)
                ops.append(tuple(alts))
            if not ops:
                raise InstanceError(f"job {j} has no operations", src)
            jobs.append(tuple(ops))
        if not jobs:
            raise InstanceError("an instance needs at least one job", src)
        object.__setattr__(self, "jobs", tuple(jobs))
        if not isinstance(self.name, str) or not self.name:
            raise InstanceError("name must be a non-empty string", src)
        for attr in ("reference", "lower_bound"):
            v = getattr(self, attr)
            if v is not None:
                if isinstance(v, bool) or not isinstance(v, int | float):
                    raise InstanceError(f"{attr} must be a number, got {v!r}", src)
                object.__setattr__(self, attr, float(v))

    # -- derived data -------------------------------------------------------------------
    @property
    def n_jobs(self) -> int:
        """Number of jobs."""
        return len(self.jobs)

    @functools.cached_property
    def n_operations(self) -> int:
        """Total number of operations."""
        return sum(len(job) for job in self.jobs)

    @functools.cached_property
    def flexibility(self) -> float:
        """Mean number of eligible machines per operation."""
        return sum(len(op) for job in self.jobs for op in job) / self.n_operations

    def duration(self, job: int, op: int, machine: int) -> int | None:
        """Processing time of operation ``op`` of ``job`` on ``machine`` (``None`` if not
        eligible)."""
        for m, p in self.jobs[job][op]:
            if m == machine:
                return p
        return None

    @functools.cached_property
    def trivial_bound(self) -> int:
        """A simple lower bound: the longest job (minimum times) and the mean machine load."""
        longest = max(sum(min(p for _, p in op) for op in job) for job in self.jobs)
        work = sum(min(p for _, p in op) for job in self.jobs for op in job)
        return max(longest, -(-work // self.machines))

    # -- objective and check ------------------------------------------------------------
    def check(self, solution: dict[str, Any]) -> float:
        """Verify a solution from scratch and return its makespan.

        Every operation appears exactly once, on an eligible machine, with ``end - start``
        equal to that machine's processing time, starting at time 0 or later; the operations
        of a job run in order; no two operations overlap on a machine.
        """
        if not isinstance(solution, dict) or "operations" not in solution:
            raise SolutionError(
                'an fjsp solution is {"operations": [{"job", "op", "machine", "start", "end"}]}'
            )
        rows = solution["operations"]
        if not isinstance(rows, list | tuple):
            raise SolutionError("operations must be a list")
        placed: dict[tuple[int, int], tuple[int, int, int]] = {}
        by_machine: dict[int, list[tuple[int, int, int, int]]] = {}
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise SolutionError(f"operations[{i}] is not an object")
            vals = []
            for key in ROW_KEYS:
                v = row.get(key)
                if v is None or not _is_int(v):
                    raise SolutionError(f"operations[{i}]: {key!r} must be an integer, got {v!r}")
                vals.append(int(v))
            j, k, m, s, e = vals
            if not 0 <= j < self.n_jobs:
                raise SolutionError(f"operations[{i}]: job {j} out of range 0..{self.n_jobs - 1}")
            if not 0 <= k < len(self.jobs[j]):
                raise SolutionError(
                    f"operations[{i}]: job {j} has no operation {k} (it has {len(self.jobs[j])})"
                )
            if (j, k) in placed:
                raise SolutionError(f"operation {k} of job {j} appears twice")
            p = self.duration(j, k, m)
            if p is None:
                raise SolutionError(f"operation {k} of job {j}: machine {m} is not eligible")
            if s < 0:
                raise SolutionError(f"operation {k} of job {j} starts at {s} < 0")
            if e - s != p:
                raise SolutionError(
                    f"operation {k} of job {j} on machine {m}: end - start = {e - s}, "
                    f"but its processing time is {p}"
                )
            placed[(j, k)] = (m, s, e)
            by_machine.setdefault(m, []).append((s, e, j, k))
        if len(placed) != self.n_operations:
            for j, job in enumerate(self.jobs):
                for k in range(len(job)):
                    if (j, k) not in placed:
                        raise SolutionError(
                            f"{self.n_operations - len(placed)} operation(s) missing, "
                            f"e.g. operation {k} of job {j}"
                        )
        for j, job in enumerate(self.jobs):
            for k in range(1, len(job)):
                prev_end, start = placed[(j, k - 1)][2], placed[(j, k)][1]
                if start < prev_end:
                    raise SolutionError(
                        f"job {j}: operation {k} starts at {start} before operation {k - 1} "
                        f"ends at {prev_end}"
                    )
        for m, items in by_machine.items():
            items.sort()
            for a, b in zip(items, items[1:], strict=False):
                if b[0] < a[1]:
                    raise SolutionError(
                        f"machine {m}: operation {a[3]} of job {a[2]} [{a[0]}, {a[1]}) overlaps "
                        f"operation {b[3]} of job {b[2]} [{b[0]}, {b[1]})"
                    )
        return float(max(e for _, _, e in placed.values()))

    def describe(self, solution: dict[str, Any]) -> str:
        """A per-machine table: operations, busy time and utilisation up to the makespan."""
        cmax = self.check(solution)
        busy = [0] * self.machines
        cnt = [0] * self.machines
        for row in solution["operations"]:
            busy[row["machine"]] += row["end"] - row["start"]
            cnt[row["machine"]] += 1
        lines = ["machine  ops   busy   util"]
        for m in range(self.machines):
            util = busy[m] / cmax if cmax else 0.0
            lines.append(f"{m:7d}  {cnt[m]:3d}  {busy[m]:5d}  {100 * util:4.0f} %")
        return "\n".join(lines)

    # -- JSON ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The instance as JSON-ready data (machines 0-based)."""
        out: dict[str, Any] = {"problem": PROBLEM, "name": self.name, "machines": self.machines}
        out["jobs"] = [[[list(pair) for pair in op] for op in job] for job in self.jobs]
        if self.reference is not None:
            out["reference"] = self.reference
        if self.lower_bound is not None:
            out["lower_bound"] = self.lower_bound
        return out

    def to_json(self) -> str:
        """The instance as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Instance:
        """Build from JSON data (``"problem"`` must be ``"fjsp"`` if present)."""
        known = ("problem", "name", "machines", "jobs", "reference", "lower_bound")
        required = ("machines", "jobs")
        check_keys(data, PROBLEM, "an fjsp instance", known, source, required=required)
        name = data.get("name") or default_name(source, PROBLEM)
        return cls(
            jobs=data["jobs"],
            machines=data["machines"],
            name=str(name),
            reference=data.get("reference"),
            lower_bound=data.get("lower_bound"),
            source=source,
        )


# -- solutions ----------------------------------------------------------------------------
def make_solution(rows: list[tuple[int, int, int, int, int]]) -> dict[str, Any]:
    """A solution dict from ``(job, op, machine, start, end)`` rows, sorted by start."""
    rows = sorted(rows, key=lambda r: (r[3], r[2], r[0], r[1]))
    return {
        "operations": [
            {"job": int(j), "op": int(k), "machine": int(m), "start": int(s), "end": int(e)}
            for j, k, m, s, e in rows
        ]
    }


def is_solution(solution: Any) -> bool:
    """True for a dict in the fjsp solution form (plots without an instance use it)."""
    if not isinstance(solution, dict) or set(solution) != {"operations"}:
        return False
    ops = solution["operations"]
    return isinstance(ops, list) and all(
        isinstance(r, dict) and set(ROW_KEYS) <= set(r) for r in ops
    )
