"""The flexible job shop, FJc||C_max: instances, their JSON form and the checker.

``J`` jobs, each a chain of operations; every operation can run on any one of its eligible
machines, with a processing time that depends on the machine; each machine runs one
operation at a time, without preemption. Minimise the makespan.

A solution (all indices 0-based)::

    {"operations": [{"job": j, "op": k, "machine": m, "start": s, "end": e}, ...]}

JSON instance: ``{"problem": "fjsp", "name": ..., "machines": M, "jobs": [[[[m, p], ...],
...], ...]}`` (machines 0-based; ``"reference"``, ``"lower_bound"`` and ``"schema_version"``
optional). Both documents have JSON Schemas in ``schemas/`` (``instance.json``,
``solution.json``). The ``.fjs`` files are read by :mod:`.formats`.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ...core.errors import SolutionError
from ...core.jsonio import check_keys, default_name
from ...core.numbers import INT64_MAX, Where, is_list
from ...core.schema import stamp, unstamp

PROBLEM = "fjsp"

#: One operation: its eligible ``(machine, processing time)`` pairs (machines 0-based).
Operation = tuple[tuple[int, int], ...]
#: One job: its operations in precedence order.
Job = tuple[Operation, ...]
#: The keys of one row of a solution's ``"operations"``.
ROW_KEYS = ("job", "op", "machine", "start", "end")


#: The largest value of a 64-bit integer: counts, machine indices and processing times stay at
#: or below it.
#: ``(2 * operations + machines + 2) * horizon`` must stay below this (the horizon: the sum
#: over the operations of their longest processing time). The CP-SAT models' largest linear
#: expressions (``(n + 1) * makespan + sum(ends) + sum(machine ends)`` in the windows of
#: ``rho``, ``machines * makespan`` in the energy bound) and the tabu search's int64 arithmetic
#: then cannot overflow.
HORIZON_CAP = 2**62


def _is_int(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | np.integer):
        return True
    return isinstance(v, float | np.floating) and float(v).is_integer()


class _Where(Where):
    """:class:`~schedlab.core.numbers.Where`, wording a count below 1 as not positive."""

    def out_of_range(self, what: str, v: int, lo: int, hi: int) -> str:
        if hi == INT64_MAX and lo == 1:
            return f"{what} must be a positive integer, got {v}"
        return super().out_of_range(what, v, lo, hi)


def _normalize(
    jobs: Any, machines: Any, name: Any, reference: Any, lower_bound: Any, where: _Where
) -> tuple[tuple[Job, ...], int, str, float | None, float | None]:
    """Validate an instance's fields; return them normalised (tuples, ints, floats)."""
    m_count = where.integer(machines, "machines", "machines", 1)
    if not is_list(jobs):
        raise where.fail("jobs", f"jobs must be a list of jobs, got {type(jobs).__name__}")
    out: list[Job] = []
    horizon = 0
    n_ops = 0
    for j, job in enumerate(jobs):
        if not is_list(job):
            raise where.fail(f"jobs[{j}]", f"job {j} must be a list of operations")
        ops: list[Operation] = []
        for k, op in enumerate(job):
            at = f"jobs[{j}][{k}]"
            if not is_list(op):
                raise where.fail(at, f"job {j}, operation {k}: must be a list of [machine, time]")
            alts: list[tuple[int, int]] = []
            seen: set[int] = set()
            for a, pair in enumerate(op):
                if not is_list(pair) or len(pair) != 2:
                    raise where.fail(
                        f"{at}[{a}]",
                        f"job {j}, operation {k}: expected a [machine, time] pair, got {pair!r}",
                    )
                m = where.integer(
                    pair[0], f"{at}[{a}][0]", f"job {j}, operation {k}: machine", 0, m_count - 1
                )
                p = where.integer(
                    pair[1], f"{at}[{a}][1]", f"job {j}, operation {k}: processing time", 1
                )
                if m in seen:
                    raise where.fail(
                        f"{at}[{a}][0]", f"job {j}, operation {k}: machine {m} listed twice"
                    )
                seen.add(m)
                alts.append((m, p))
            if not alts:
                raise where.fail(at, f"job {j}, operation {k}: no eligible machine")
            ops.append(tuple(alts))
            horizon += max(p for _, p in alts)
        if not ops:
            raise where.fail(f"jobs[{j}]", f"job {j} has no operations")
        n_ops += len(ops)
        out.append(tuple(ops))
    if not out:
        raise where.fail("jobs", "an instance needs at least one job")
    if (2 * n_ops + m_count + 2) * horizon >= HORIZON_CAP:
        raise where.fail(
            "jobs",
            f"processing times too large: the horizon (the sum over the operations of their "
            f"longest time) is {horizon}; (2 * operations + machines + 2) * horizon must stay "
            "below 2**62 for the solvers' 64-bit arithmetic",
        )
    if not isinstance(name, str) or not name:
        raise where.fail("name", f"name must be a non-empty string, got {name!r}")
    return (
        tuple(out),
        m_count,
        name,
        where.number(reference, "reference"),
        where.number(lower_bound, "lower_bound"),
    )


@dataclass(frozen=True)
class Instance:
    """One flexible job-shop instance; validates itself on construction.

    A bad field raises :class:`InstanceError` naming it (``jobs[0][1][0][1]: ...``): counts,
    machine indices and times must be integers (not booleans or strings; integral floats are
    accepted) within the 64-bit range, the bounds finite numbers, and
    ``(2 * operations + machines + 2) * horizon`` below :data:`HORIZON_CAP` (the horizon: the
    sum over the operations of their longest time), so that no solver overflows.

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
        jobs, machines, name, reference, lower_bound = _normalize(
            self.jobs,
            self.machines,
            self.name,
            self.reference,
            self.lower_bound,
            _Where(self.source, json=False),
        )
        object.__setattr__(self, "jobs", jobs)
        object.__setattr__(self, "machines", machines)
        object.__setattr__(self, "reference", reference)
        object.__setattr__(self, "lower_bound", lower_bound)

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
        of a job run in order; no two operations overlap on a machine. A ``"schema_version"``
        key is accepted (an unknown version is rejected).
        """
        if isinstance(solution, dict):
            solution = unstamp(solution, "solution")
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
        """The instance as JSON-ready data (machines 0-based), with ``"schema_version"``
        first (see ``schemas/instance.json``)."""
        out: dict[str, Any] = {"problem": PROBLEM, "name": self.name, "machines": self.machines}
        out["jobs"] = [[[list(pair) for pair in op] for op in job] for job in self.jobs]
        if self.reference is not None:
            out["reference"] = self.reference
        if self.lower_bound is not None:
            out["lower_bound"] = self.lower_bound
        return stamp(out)

    def to_json(self) -> str:
        """The instance as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Instance:
        """Build from JSON data (``"problem"`` must be ``"fjsp"`` if present; a
        ``"schema_version"`` must be one this schedlab reads). A bad field raises
        :class:`InstanceError` naming its JSON path (``$.jobs[0][1][0][1]``)."""
        if isinstance(data, dict):
            data = unstamp(data, "instance", file=source)
        known = ("problem", "name", "machines", "jobs", "reference", "lower_bound")
        required = ("machines", "jobs")
        check_keys(data, PROBLEM, "an fjsp instance", known, source, required=required)
        name = data.get("name")
        if name is None:
            name = default_name(source, PROBLEM)
        jobs, machines, name, reference, lower_bound = _normalize(
            data["jobs"],
            data["machines"],
            name,
            data.get("reference"),
            data.get("lower_bound"),
            _Where(source, json=True),
        )
        return cls(
            jobs=jobs,
            machines=machines,
            name=name,
            reference=reference,
            lower_bound=lower_bound,
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
    """True for a dict in the fjsp solution form, ``"schema_version"`` allowed (plots
    without an instance use it)."""
    if not isinstance(solution, dict) or set(solution) - {"schema_version"} != {"operations"}:
        return False
    ops = solution["operations"]
    return isinstance(ops, list) and all(
        isinstance(r, dict) and set(ROW_KEYS) <= set(r) for r in ops
    )
