"""Task graphs on heterogeneous processors: instances, their JSON form and the checker.

``n`` tasks with per-processor execution times (``None``: the task cannot run there),
precedence edges carrying a data volume, ``P`` processors with a name and a type, and a
communication cost between processors: an edge ``(i, j)`` with volume ``v`` whose tasks run
on processors ``p != q`` delays ``j`` by ``ceil(v / bandwidth[p][q]) + latency[p][q]`` after
``i`` ends (an infinite bandwidth, ``null`` in JSON, transfers in no time; the latency is
still paid); on the same processor the delay is zero. Non-preemptive; a processor runs one
task at a time (a task of time zero occupies no processor). Minimise the makespan. Identical
processors without communication (``P|prec|C_max``, the STG case) is the special case with
equal times and zero volumes.

A solution (indices 0-based)::

    {"tasks": [{"task": i, "processor": p, "start": s, "end": e}, ...]}

JSON instance::

    {"problem": "dag", "name": "x",
     "processors": [{"name": "P1", "type": "cpu"}, ...]   (or a count: identical processors),
     "tasks": [{"name": "n1", "times": [14, 16, null]}, ...],
     "edges": [{"from": 0, "to": 1, "volume": 18}, ...],
     "bandwidth": 1 (or a P x P matrix; null = infinite; default 1),
     "latency": 0 (or a P x P matrix; default 0)}

``"reference"`` (the optimum or best-known makespan), ``"lower_bound"``, ``"upper_bound"``
(published bounds of open instances) and ``"schema_version"`` are optional. Both documents
have JSON Schemas in ``schemas/``. The native formats (STG, DS3, WfFormat, DAX, the
Topcuoglu example) are read by :mod:`.formats`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ...core.errors import SolutionError
from ...core.jsonio import check_keys, default_name
from ...core.numbers import INT64_MAX, Where, int_error, is_list
from ...core.schema import stamp, unstamp

PROBLEM = "dag"

#: The largest value of a 64-bit integer.
#: ``(2 * tasks + processors + 2) * horizon`` must stay below this (the horizon: the sum of
#: the tasks' longest times and of the edges' longest delays), so that the CP-SAT models'
#: largest linear expressions and the kernels' int64 arithmetic cannot overflow.
HORIZON_CAP = 2**62
#: The most processors an instance may have (a count beyond it is refused before anything is
#: built from it).
MAX_PROCESSORS = 2**20
#: The keys of one row of a solution's ``"tasks"``.
ROW_KEYS = ("task", "processor", "start", "end")


class _Where(Where):
    """:class:`~schedlab.core.numbers.Where` with a string check, wording an integer below
    its minimum as such."""

    def out_of_range(self, what: str, v: int, lo: int, hi: int) -> str:
        if hi == INT64_MAX:
            return f"{what} must be at least {lo}, got {v}"
        return super().out_of_range(what, v, lo, hi)

    def string(self, v: Any, field_name: str, what: str) -> str:
        """``v`` as a non-empty string."""
        if not isinstance(v, str) or not v:
            raise self.fail(field_name, f"{what} must be a non-empty string, got {v!r}")
        return v


Matrix = tuple[tuple[int | None, ...], ...]


def _matrix(
    value: Any, P: int, key: str, where: _Where, *, lo: int, allow_none: bool, default: int
) -> Matrix:
    """A ``P x P`` matrix from a scalar or a matrix (the diagonal is ignored and stored as
    ``None`` for the bandwidth, 0 for the latency)."""
    diag: int | None = None if allow_none else 0
    what = "bandwidth" if allow_none else "latency"

    def cell(v: Any, at: str) -> int | None:
        if v is None:
            if allow_none:
                return None
            raise where.fail(at, f"{what} must be an integer, got None")
        return where.integer(v, at, what, lo)

    if value is None and not allow_none:
        value = default
    if value is None or not is_list(value):
        c = cell(value, key)
        return tuple(tuple(diag if p == q else c for q in range(P)) for p in range(P))
    if len(value) != P:
        raise where.fail(
            key, f"{what} must be a number or a {P} x {P} matrix (one row a processor)"
        )
    rows: list[tuple[int | None, ...]] = []
    for p, row in enumerate(value):
        if not is_list(row) or len(row) != P:
            raise where.fail(f"{key}[{p}]", f"{what} row {p} must hold {P} values")
        rows.append(
            tuple(diag if p == q else cell(v, f"{key}[{p}][{q}]") for q, v in enumerate(row))
        )
    return tuple(rows)


def _processors(value: Any, where: _Where) -> tuple[tuple[str, str], ...]:
    if isinstance(value, int | np.integer | float) and not isinstance(value, bool):
        P = where.integer(value, "processors", "processors", 1, MAX_PROCESSORS)
        return tuple((f"P{p}", "p") for p in range(P))
    if not is_list(value) or len(value) == 0:
        raise where.fail(
            "processors", "processors must be a count or a non-empty list of {name, type}"
        )
    if len(value) > MAX_PROCESSORS:
        raise where.fail("processors", f"at most {MAX_PROCESSORS} processors, got {len(value)}")
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for p, proc in enumerate(value):
        at = f"processors[{p}]"
        if not where.json and is_list(proc) and len(proc) == 2:
            proc = {"name": proc[0], "type": proc[1]}
        if not isinstance(proc, dict):
            raise where.fail(at, f"processor {p} must be an object {{name, type}}")
        unknown = set(proc) - {"name", "type"}
        if unknown:
            raise where.fail(at, f"processor {p}: unknown key(s) {', '.join(sorted(unknown))}")
        name = where.string(proc.get("name", f"P{p}"), f"{at}.name", f"processor {p}: name")
        ptype = where.string(proc.get("type", "p"), f"{at}.type", f"processor {p}: type")
        if name in seen:
            raise where.fail(f"{at}.name", f"processor name {name!r} given twice")
        seen.add(name)
        out.append((name, ptype))
    return tuple(out)


def _tasks(
    value: Any, P: int, where: _Where
) -> tuple[tuple[tuple[int | None, ...], ...], tuple[str, ...]]:
    if not is_list(value) or len(value) == 0:
        raise where.fail("tasks", "tasks must be a non-empty list of {name, times}")
    times: list[tuple[int | None, ...]] = []
    names: list[str] = []
    for i, task in enumerate(value):
        at = f"tasks[{i}]"
        if not where.json and is_list(task):
            task = {"times": task}
        if not isinstance(task, dict):
            raise where.fail(at, f"task {i} must be an object {{name, times}}")
        unknown = set(task) - {"name", "times"}
        if unknown:
            raise where.fail(at, f"task {i}: unknown key(s) {', '.join(sorted(unknown))}")
        if "times" not in task:
            raise where.fail(at, f'task {i}: missing key "times"')
        name = task.get("name", f"t{i}")
        names.append(where.string(name, f"{at}.name", f"task {i}: name"))
        row = task["times"]
        if not is_list(row) or len(row) != P:
            raise where.fail(
                f"{at}.times", f"task {i}: times must hold {P} values (one a processor)"
            )
        cells: list[int | None] = []
        for p, v in enumerate(row):
            if v is None:
                cells.append(None)
                continue
            cells.append(
                where.integer(v, f"{at}.times[{p}]", f"task {i}: time on processor {p}", 0)
            )
        if all(c is None for c in cells):
            raise where.fail(f"{at}.times", f"task {i} can run on no processor")
        times.append(tuple(cells))
    return tuple(times), tuple(names)


def _edges(value: Any, n: int, where: _Where) -> tuple[tuple[int, int, int], ...]:
    if value is None:
        return ()
    if not is_list(value):
        raise where.fail("edges", "edges must be a list of {from, to, volume}")
    out: list[tuple[int, int, int]] = []
    seen: set[tuple[int, int]] = set()
    for k, edge in enumerate(value):
        at = f"edges[{k}]"
        if not where.json and is_list(edge) and len(edge) in (2, 3):
            edge = dict(zip(("from", "to", "volume"), edge, strict=False))
        if not isinstance(edge, dict):
            raise where.fail(at, f"edge {k} must be an object {{from, to, volume}}")
        unknown = set(edge) - {"from", "to", "volume"}
        if unknown:
            raise where.fail(at, f"edge {k}: unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("from", "to"):
            if key not in edge:
                raise where.fail(at, f'edge {k}: missing key "{key}"')
        a = where.integer(edge["from"], f"{at}.from", f"edge {k}: from", 0, n - 1)
        b = where.integer(edge["to"], f"{at}.to", f"edge {k}: to", 0, n - 1)
        vol = where.integer(edge.get("volume", 0), f"{at}.volume", f"edge {k}: volume", 0)
        if a == b:
            raise where.fail(at, f"edge {k}: a task cannot precede itself ({a})")
        if (a, b) in seen:
            raise where.fail(at, f"edge {k}: edge {a} -> {b} given twice")
        seen.add((a, b))
        out.append((a, b, vol))
    return tuple(out)


def _topological(n: int, edges: Sequence[tuple[int, int, int]]) -> list[int] | None:
    """A topological order of the tasks (Kahn, smallest index first among the ready), or
    ``None`` if the edges form a cycle."""
    import heapq

    indeg = [0] * n
    succ: list[list[int]] = [[] for _ in range(n)]
    for a, b, _ in edges:
        indeg[b] += 1
        succ[a].append(b)
    ready = [i for i in range(n) if indeg[i] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for j in succ[i]:
            indeg[j] -= 1
            if indeg[j] == 0:
                heapq.heappush(ready, j)
    return order if len(order) == n else None


def transfer(volume: int, bandwidth: int | None, latency: int) -> int:
    """The delay of ``volume`` over a link: ``ceil(volume / bandwidth) + latency`` (an
    infinite bandwidth, ``None``, transfers in no time)."""
    t = 0 if bandwidth is None or volume == 0 else -(-volume // bandwidth)
    return t + latency


@dataclass(frozen=True)
class Instance:
    """One task-graph scheduling instance; validates itself on construction.

    A bad field raises :class:`InstanceError` naming it (``tasks[3].times[1]: ...``): times,
    volumes, bandwidths and latencies must be integers (not booleans or strings; integral
    floats are accepted) within the 64-bit range, every task needs an eligible processor,
    edges join two different tasks once and form no cycle, and
    ``(2 * tasks + processors + 2) * horizon`` stays below :data:`HORIZON_CAP`.

    Attributes:
        times: per task, its execution time on each processor (``None``: not eligible).
        edges: ``(from, to, volume)`` triples (0-based tasks).
        processors: ``(name, type)`` per processor, or a count (identical processors
            ``P0 .. P{k-1}`` of type ``"p"``).
        bandwidth: a number or a ``P x P`` matrix (``None``: infinite; the diagonal is
            ignored); default 1.
        latency: a number or a ``P x P`` matrix (the diagonal is ignored); default 0.
        task_names: a name per task (default ``t0, t1, ...``).
        name: a name for reports.
        reference: the optimum or best-known makespan, if known.
        lower_bound, upper_bound: published bounds of an open instance, if known.
    """

    problem: ClassVar[str] = PROBLEM
    sense: ClassVar[str] = "min"

    times: tuple[tuple[int | None, ...], ...]
    edges: tuple[tuple[int, int, int], ...] = ()
    processors: Any = None
    bandwidth: Any = 1
    latency: Any = 0
    task_names: tuple[str, ...] | None = None
    name: str = "dag"
    reference: float | None = None
    lower_bound: float | None = None
    upper_bound: float | None = None
    source: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        where = _Where(self.source, json=False)
        times = self.times
        procs = self.processors
        if procs is None:
            if not is_list(times) or not times or not is_list(times[0]):
                raise where.fail("times", "times must be a non-empty list of per-task rows")
            procs = len(times[0])
        if self.task_names is not None and (
            not is_list(self.task_names) or len(self.task_names) != len(times)
        ):
            raise where.fail("task_names", "task_names must hold one name a task")
        tasks = (
            times
            if self.task_names is None
            else [
                {"name": nm, "times": row} for nm, row in zip(self.task_names, times, strict=True)
            ]
        )
        fields_ = _normalize(
            tasks, self.edges, procs, self.bandwidth, self.latency, self.name, where
        )
        for key, value in fields_.items():
            object.__setattr__(self, key, value)
        for key in ("reference", "lower_bound", "upper_bound"):
            object.__setattr__(self, key, where.number(getattr(self, key), key))

    # -- derived data -------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of tasks."""
        return len(self.times)

    @property
    def n_processors(self) -> int:
        """Number of processors ``P``."""
        return len(self.processors)

    @functools.cached_property
    def order(self) -> tuple[int, ...]:
        """A topological order of the tasks (Kahn's, smallest index first)."""
        got = _topological(self.n, self.edges)
        assert got is not None  # validated
        return tuple(got)

    @functools.cached_property
    def preds(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        """Per task, its ``(predecessor, volume)`` pairs."""
        out: list[list[tuple[int, int]]] = [[] for _ in range(self.n)]
        for a, b, v in self.edges:
            out[b].append((a, v))
        return tuple(tuple(x) for x in out)

    @functools.cached_property
    def succs(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        """Per task, its ``(successor, volume)`` pairs."""
        out: list[list[tuple[int, int]]] = [[] for _ in range(self.n)]
        for a, b, v in self.edges:
            out[a].append((b, v))
        return tuple(tuple(x) for x in out)

    def delay(self, volume: int, p: int, q: int) -> int:
        """The communication delay of ``volume`` from processor ``p`` to ``q`` (0 if equal)."""
        if p == q:
            return 0
        return transfer(volume, self.bandwidth[p][q], self.latency[p][q])

    @functools.cached_property
    def has_communication(self) -> bool:
        """True if some edge may be delayed (a volume over a finite bandwidth, or a latency)."""
        P = self.n_processors
        if P == 1 or not self.edges:
            return False
        if any(self.latency[p][q] for p in range(P) for q in range(P) if p != q):
            return True
        finite = any(self.bandwidth[p][q] is not None for p in range(P) for q in range(P) if p != q)
        return finite and any(v > 0 for _, _, v in self.edges)

    @functools.cached_property
    def identical_processors(self) -> bool:
        """True if every task has the same time on every processor (and all are eligible)."""
        return all(row[0] is not None and all(t == row[0] for t in row) for row in self.times)

    @functools.cached_property
    def trivial_bound(self) -> int:
        """A simple lower bound: the critical path with minimum times (no communication)
        and the total minimum work over ``P``."""
        tmin = [min(t for t in row if t is not None) for row in self.times]
        head = [0] * self.n
        for i in self.order:
            for j, _ in self.succs[i]:
                head[j] = max(head[j], head[i] + tmin[i])
        cp = max(head[i] + tmin[i] for i in range(self.n))
        work = sum(tmin)
        return max(cp, -(-work // self.n_processors))

    # -- objective and check ------------------------------------------------------------
    def check(self, solution: dict[str, Any]) -> float:
        """Verify a solution from scratch and return its makespan.

        Every task appears exactly once, on an eligible processor, with ``end - start``
        equal to its time there, starting at 0 or later; every edge ``(i, j)`` has ``j``
        start at or after ``i``'s end plus the communication delay between their processors;
        no two tasks of positive time overlap on a processor. A ``"schema_version"`` key is
        accepted (an unknown version is rejected).
        """
        if isinstance(solution, dict):
            solution = unstamp(solution, "solution")
        if not isinstance(solution, dict) or "tasks" not in solution:
            raise SolutionError(
                'a dag solution is {"tasks": [{"task", "processor", "start", "end"}, ...]}'
            )
        rows = solution["tasks"]
        if not isinstance(rows, list | tuple):
            raise SolutionError("tasks must be a list")
        n, P = self.n, self.n_processors
        proc = [-1] * n
        start = [0] * n
        end = [0] * n
        for k, row in enumerate(rows):
            if not isinstance(row, dict):
                raise SolutionError(f"tasks[{k}] is not an object")
            vals: list[int] = []
            for key in ROW_KEYS:
                v = row.get(key)
                if v is None or int_error(v) is not None:
                    raise SolutionError(f"tasks[{k}]: {key!r} must be an integer, got {v!r}")
                vals.append(int(v))
            i, p, s, e = vals
            if not 0 <= i < n:
                raise SolutionError(f"tasks[{k}]: task {i} out of range 0..{n - 1}")
            if proc[i] >= 0:
                raise SolutionError(f"task {i} appears twice")
            if not 0 <= p < P:
                raise SolutionError(f"task {i}: processor {p} out of range 0..{P - 1}")
            t = self.times[i][p]
            if t is None:
                raise SolutionError(f"task {i} cannot run on processor {p} (not eligible)")
            if s < 0:
                raise SolutionError(f"task {i} starts at {s} < 0")
            if e - s != t:
                raise SolutionError(
                    f"task {i} on processor {p}: end - start = {e - s}, but its time there is {t}"
                )
            proc[i], start[i], end[i] = p, s, e
        if len(rows) != n:
            missing = next(i for i in range(n) if proc[i] < 0)
            raise SolutionError(f"{n - len(rows)} task(s) missing, e.g. task {missing}")
        for a, b, vol in self.edges:
            need = end[a] + self.delay(vol, proc[a], proc[b])
            if start[b] < need:
                where = (
                    "on the same processor"
                    if proc[a] == proc[b]
                    else f"plus the delay {need - end[a]} from processor {proc[a]} to {proc[b]}"
                )
                raise SolutionError(
                    f"edge {a} -> {b}: task {b} starts at {start[b]}, before task {a} ends at "
                    f"{end[a]} {where} (earliest {need})"
                )
        by_proc: list[list[tuple[int, int, int]]] = [[] for _ in range(P)]
        for i in range(n):
            if end[i] > start[i]:
                by_proc[proc[i]].append((start[i], end[i], i))
        for p, items in enumerate(by_proc):
            items.sort()
            for x, y in zip(items, items[1:], strict=False):
                if y[0] < x[1]:
                    raise SolutionError(
                        f"processor {p}: task {x[2]} [{x[0]}, {x[1]}) overlaps task {y[2]} "
                        f"[{y[0]}, {y[1]})"
                    )
        return float(max(end))

    def describe(self, solution: dict[str, Any]) -> str:
        """A per-processor table: tasks, busy time and utilisation up to the makespan."""
        cmax = self.check(solution)
        P = self.n_processors
        busy = [0] * P
        cnt = [0] * P
        for row in solution["tasks"]:
            busy[int(row["processor"])] += int(row["end"]) - int(row["start"])
            cnt[int(row["processor"])] += 1
        width = max(9, *(len(nm) for nm, _ in self.processors))
        lines = [f"{'processor':<{width}}  type        tasks     busy   util"]
        for p, (nm, ty) in enumerate(self.processors):
            util = busy[p] / cmax if cmax else 0.0
            lines.append(
                f"{nm:<{width}}  {ty[:10]:<10}  {cnt[p]:5d}  {busy[p]:7d}  {100 * util:4.0f} %"
            )
        return "\n".join(lines)

    # -- JSON ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The instance as JSON-ready data, with ``"schema_version"`` first (see
        ``schemas/instance.json``); a uniform bandwidth or latency is written as a number."""
        out: dict[str, Any] = {"problem": PROBLEM, "name": self.name}
        out["processors"] = [{"name": nm, "type": ty} for nm, ty in self.processors]
        out["tasks"] = [
            {"name": nm, "times": list(row)}
            for nm, row in zip(self.task_names, self.times, strict=True)  # type: ignore[arg-type]
        ]
        out["edges"] = [{"from": a, "to": b, "volume": v} for a, b, v in self.edges]
        out["bandwidth"] = _compact(self.bandwidth)
        out["latency"] = _compact(self.latency)
        for key in ("reference", "lower_bound", "upper_bound"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return stamp(out)

    def to_json(self) -> str:
        """The instance as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Instance:
        """Build from JSON data (``"problem"`` must be ``"dag"`` if present; a
        ``"schema_version"`` must be one this schedlab reads). A bad field raises
        :class:`InstanceError` naming its JSON path (``$.tasks[3].times[1]``)."""
        if isinstance(data, dict):
            data = unstamp(data, "instance", file=source)
        known = (
            "problem",
            "name",
            "processors",
            "tasks",
            "edges",
            "bandwidth",
            "latency",
            "reference",
            "lower_bound",
            "upper_bound",
        )
        check_keys(data, PROBLEM, "a dag instance", known, source, required=("processors", "tasks"))
        where = _Where(source, json=True)
        name = data.get("name")
        if name is None:
            name = default_name(source, PROBLEM)
        fields_ = _normalize(
            data["tasks"],
            data.get("edges", ()),
            data["processors"],
            data.get("bandwidth", 1),
            data.get("latency", 0),
            name,
            where,
        )
        bounds: dict[str, Any] = {
            key: where.number(data.get(key), key)
            for key in ("reference", "lower_bound", "upper_bound")
        }
        return cls(**fields_, **bounds, source=source)


def _compact(m: Matrix) -> Any:
    """A matrix as a number when its off-diagonal cells are all equal."""
    P = len(m)
    cells = {m[p][q] for p in range(P) for q in range(P) if p != q}
    if len(cells) <= 1:
        return next(iter(cells)) if cells else (m[0][0] if P else None)
    return [[m[p][q] if p != q else None for q in range(P)] for p in range(P)]


def _normalize(
    tasks: Any, edges: Any, processors: Any, bandwidth: Any, latency: Any, name: Any, where: _Where
) -> dict[str, Any]:
    """Validate an instance's fields; return them normalised (tuples and ints)."""
    procs = _processors(processors, where)
    P = len(procs)
    times, names = _tasks(tasks, P, where)
    n = len(times)
    edge_list = _edges(edges, n, where)
    bw = _matrix(bandwidth, P, "bandwidth", where, lo=1, allow_none=True, default=1)
    lat = _matrix(latency, P, "latency", where, lo=0, allow_none=False, default=0)
    if not isinstance(name, str) or not name:
        raise where.fail("name", f"name must be a non-empty string, got {name!r}")
    # the horizon: longest times plus the longest delay of every edge
    horizon = sum(max(t for t in row if t is not None) for row in times)
    finite = [b for r in bw for b in r if b is not None]
    min_bw = min(finite) if finite else None
    max_lat = max((x for r in lat for x in r if x is not None), default=0)
    for _, _, vol in edge_list:
        horizon += transfer(vol, min_bw, max_lat)
        if horizon >= HORIZON_CAP:
            break
    if (2 * n + P + 2) * horizon >= HORIZON_CAP:
        raise where.fail(
            "tasks",
            f"times or delays too large: the horizon (longest times plus longest delays) is "
            f"{horizon}; (2 * tasks + processors + 2) * horizon must stay below 2**62 for the "
            "solvers' 64-bit arithmetic",
        )
    if _topological(n, edge_list) is None:
        raise where.fail("edges", "the edges form a cycle: a task graph must be acyclic")
    return {
        "times": times,
        "edges": edge_list,
        "processors": procs,
        "bandwidth": bw,
        "latency": lat,
        "task_names": names,
        "name": name,
    }


# -- solutions ----------------------------------------------------------------------------
def make_solution(
    proc: Sequence[int], start: Sequence[int], times: Sequence[Sequence[Any]]
) -> dict[str, Any]:
    """A solution dict from per-task processors and starts (rows sorted by start)."""
    rows = sorted(range(len(proc)), key=lambda i: (int(start[i]), int(proc[i]), i))
    return {
        "tasks": [
            {
                "task": int(i),
                "processor": int(proc[i]),
                "start": int(start[i]),
                "end": int(start[i]) + int(times[i][int(proc[i])]),
            }
            for i in rows
        ]
    }


def is_solution(solution: Any) -> bool:
    """True for a dict in the dag solution form, ``"schema_version"`` allowed (plots without
    an instance use it)."""
    if not isinstance(solution, dict) or set(solution) - {"schema_version"} != {"tasks"}:
        return False
    rows = solution["tasks"]
    return isinstance(rows, list) and all(
        isinstance(r, dict) and set(ROW_KEYS) <= set(r) for r in rows
    )
