"""The flexible job shop, FJc||C_max.

``J`` jobs, each a chain of operations; every operation can run on any one of its eligible
machines, with a processing time that depends on the machine; each machine runs one
operation at a time, without preemption. Minimise the makespan.

A solution (all indices 0-based)::

    {"operations": [{"job": j, "op": k, "machine": m, "start": s, "end": e}, ...]}

File formats (:func:`read` picks one from the file):

- ``.fjs`` (Brandimarte, Hurink, Behnke & Geiger, ...): a header ``J M [F]`` (``F``, the
  mean number of eligible machines, may be fractional and is ignored), then per job the
  number of operations and, per operation, the number of eligible machines ``k`` followed by
  ``k`` pairs ``machine time`` (machines 1-based). Parsed as a token stream: line breaks, tabs,
  CRLF and trailing spaces do not matter. The reference (best-known makespan) and lower bound
  come from a ``bounds.csv`` beside the file (columns ``instance``, ``best_ub``, ``best_lb``).
- JSON: ``{"problem": "fjsp", "name": ..., "machines": M, "jobs": [[[[m, p], ...], ...], ...]}``
  (machines 0-based; ``"reference"`` and ``"lower_bound"`` optional).
"""

from __future__ import annotations

import csv
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..core.errors import InstanceError, SolutionError
from ._json import check_keys, default_name
from ._text import read_text

PROBLEM = "fjsp"

#: One operation: its eligible ``(machine, processing time)`` pairs (machines 0-based).
Operation = tuple[tuple[int, int], ...]
Job = tuple[Operation, ...]

_NUM = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INT = re.compile(r"[+-]?\d+")


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
            for key in ("job", "op", "machine", "start", "end"):
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


# -- the .fjs format ----------------------------------------------------------------------
def _tokens(text: str) -> list[tuple[str, int]]:
    return [(tok, ln) for ln, line in enumerate(text.splitlines(), 1) for tok in line.split()]


def _sniff_content(head: str) -> bool:
    """A ``J M F`` header (F a number between 1 and M) and a first job line that parses
    exactly as one job with 1-based machines."""
    lines = [ln for ln in head.splitlines() if ln.strip()]
    if len(lines) < 2:
        return False
    hdr = lines[0].split()
    if len(hdr) != 3 or not all(_INT.fullmatch(t) for t in hdr[:2]) or not _NUM.fullmatch(hdr[2]):
        return False
    n_jobs, n_mach, flex = int(hdr[0]), int(hdr[1]), float(hdr[2])
    if n_jobs < 1 or n_mach < 1 or not 1 <= flex <= n_mach:
        return False
    toks = lines[1].split()
    if not toks or not all(_INT.fullmatch(t) for t in toks):
        return False
    vals = [int(t) for t in toks]
    pos = 1
    for _ in range(vals[0]):
        if pos >= len(vals) or not 1 <= vals[pos] <= n_mach:
            return False
        k = vals[pos]
        pairs = vals[pos + 1 : pos + 1 + 2 * k]
        if len(pairs) != 2 * k or not all(1 <= m <= n_mach for m in pairs[::2]):
            return False
        pos += 1 + 2 * k
    return vals[0] >= 1 and pos == len(vals)


def sniff(path: str, head: str) -> bool:
    """True for a ``.fjs`` file (by extension), or a file whose content has the ``.fjs``
    layout (a ``J M F`` header and a job line that parses exactly)."""
    if Path(path).suffix.lower() == ".fjs":
        return True
    return _sniff_content(head)


def _bounds(path: str, stem: str) -> tuple[float | None, float | None]:
    """``(best_ub, best_lb)`` of ``stem`` from a ``bounds.csv`` beside the file."""
    csv_path = Path(path).parent / "bounds.csv"
    if not csv_path.is_file():
        return None, None
    try:
        with csv_path.open(newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("instance") == stem:
                    ub = row.get("best_ub") or None
                    lb = row.get("best_lb") or None
                    return (None if ub is None else float(ub)), (None if lb is None else float(lb))
    except (OSError, ValueError, csv.Error) as e:
        raise InstanceError(f"cannot read bounds: {e}", str(csv_path)) from None
    return None, None


def parse_fjs(text: str, path: str = "<text>", name: str | None = None) -> Instance:
    """Parse ``.fjs`` text (a token stream; machines 1-based in the file)."""
    toks = _tokens(text)
    if not toks:
        raise InstanceError("empty file", path, 1)
    last_line = toks[-1][1]
    it = iter(toks)
    cur = [toks[0][1]]

    def take(what: str, lo: int | None = None, hi: int | None = None) -> int:
        try:
            tok, ln = next(it)
        except StopIteration:
            raise InstanceError(
                f"truncated: expected {what}, found end of file", path, last_line
            ) from None
        if not _INT.fullmatch(tok):
            raise InstanceError(f"{what}: expected an integer, found {tok!r}", path, ln)
        cur[0] = ln
        v = int(tok)
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            rng = f"{lo}..{hi}" if hi is not None else f">= {lo}"
            raise InstanceError(f"{what} {v} out of range {rng}", path, ln)
        return v

    first_line = toks[0][1]
    header = [t for t, ln in toks if ln == first_line]
    if len(header) not in (2, 3):
        raise InstanceError(
            f"header must be 'jobs machines [mean flexibility]', found {len(header)} fields",
            path,
            first_line,
        )
    n_jobs = take("number of jobs", 1)
    n_mach = take("number of machines", 1)
    if len(header) == 3:
        tok, ln = next(it)
        if not _NUM.fullmatch(tok):
            raise InstanceError(f"mean flexibility: expected a number, found {tok!r}", path, ln)
    jobs: list[list[list[tuple[int, int]]]] = []
    for j in range(n_jobs):
        n_ops = take(f"job {j + 1}: number of operations", 1)
        ops: list[list[tuple[int, int]]] = []
        for k in range(n_ops):
            where = f"job {j + 1}, operation {k + 1}"
            n_alt = take(f"{where}: number of machines", 1, n_mach)
            alts: list[tuple[int, int]] = []
            for _ in range(n_alt):
                m = take(f"{where}: machine", 1, n_mach)
                p = take(f"{where}: processing time", 1)
                if any(m - 1 == a for a, _ in alts):
                    raise InstanceError(f"{where}: machine {m} listed twice", path, cur[0])
                alts.append((m - 1, p))
            ops.append(alts)
        jobs.append(ops)
    rest = next(it, None)
    if rest is not None:
        raise InstanceError(f"unexpected data after the {n_jobs} jobs: {rest[0]!r}", path, rest[1])
    stem = name or Path(path).stem
    ub, lb = _bounds(path, stem) if not path.startswith("<") else (None, None)
    return Instance(
        jobs=jobs,  # type: ignore[arg-type]
        machines=n_mach,
        name=stem,
        reference=ub,
        lower_bound=lb,
        source=path,
    )


def read(path: str, index: int | None = None) -> Instance:
    """Read an ``.fjs`` file (one instance a file)."""
    if index not in (None, 1):
        raise InstanceError(f"instance #{index} out of range: the file holds 1", path)
    return parse_fjs(read_text(path), path)


def count(path: str) -> int:
    """Number of instances in an ``.fjs`` file (always 1)."""
    return 1


def write_fjs(inst: Instance, path: str | None = None) -> str:
    """The instance in ``.fjs`` layout (machines 1-based); also written to ``path`` if given."""
    lines = [f"{inst.n_jobs} {inst.machines} {inst.flexibility:.2f}"]
    for job in inst.jobs:
        toks = [str(len(job))]
        for op in job:
            toks.append(str(len(op)))
            for m, p in op:
                toks += [str(m + 1), str(p)]
        lines.append(" ".join(toks))
    text = "\n".join(lines) + "\n"
    if path is not None:
        Path(path).write_text(text)
    return text


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


def write_solution(solution: dict[str, Any], path: str) -> None:
    """Write a solution as JSON, one operation a line."""
    ops = solution["operations"]
    body = ",\n".join("  " + json.dumps(row) for row in ops)
    Path(path).write_text('{"operations": [\n' + body + "\n]}\n")


# -- generator ----------------------------------------------------------------------------
def generate(
    jobs: int,
    machines: int,
    ops: int,
    seed: int = 0,
    p_low: int = 1,
    p_high: int = 99,
    name: str | None = None,
) -> Instance:
    """The SD2 scheme of the rolling-horizon papers: ``jobs`` x ``ops`` operations; each
    operation has ``U[1, machines]`` eligible machines (drawn without replacement), each with
    an independent processing time ``U[p_low, p_high]``."""
    if jobs < 1 or machines < 1 or ops < 1:
        raise InstanceError("jobs, machines and ops must be at least 1")
    if not 1 <= p_low <= p_high:
        raise InstanceError("processing times need 1 <= p_low <= p_high")
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(jobs):
        job = []
        for _ in range(ops):
            k = int(rng.integers(1, machines + 1))
            ms = sorted(int(m) for m in rng.choice(machines, size=k, replace=False))
            ps = rng.integers(p_low, p_high + 1, size=k)
            job.append(tuple((m, int(p)) for m, p in zip(ms, ps, strict=True)))
        out.append(tuple(job))
    label = name or f"fjsp_sd2_{jobs}x{machines}x{ops}_s{seed}"
    return Instance(jobs=tuple(out), machines=machines, name=label)
