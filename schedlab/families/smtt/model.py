"""Single-machine total (weighted) tardiness, 1||Σ w_j T_j: the instance and its checker.

``n`` jobs with integer processing times ``p``, due dates ``d`` (may be negative) and
optional weights ``w``; a solution is a processing order ``{"sequence": [0-based job
indices]}``; the machine never idles, so job ``j`` completes at ``C_j`` = sum of the
processing times up to and including it, and the objective is Σ w_j max(0, C_j - d_j)
(:func:`~schedlab.families.smtt.objective.total_tardiness`).

JSON: ``{"schema_version": 1, "problem": "smtt", "name": ..., "p": [...], "d": [...],
"w": [...]}`` (``w``, ``"reference"`` and ``"schema_version"`` optional; the schemas are
``schemas/instance.json`` and ``schemas/solution.json``, ``schedlab schema smtt``). Numbers
are integers with |x| < 2^63, and the sums the solvers form must fit their int64 arithmetic
(:func:`validate`). The text formats are read by :mod:`schedlab.families.smtt.formats`.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ...core.errors import InstanceError, SolutionError
from ...core.jsonio import check_keys, default_name
from ...core.schema import stamp, unstamp
from .objective import total_tardiness

PROBLEM = "smtt"


#: Numbers must satisfy |x| < 2^63 (the kernels' int64 arithmetic).
INT64_LIMIT = 2**63
#: The worst total weighted tardiness of any sequence, Σ w_j max(0, Σp - d_j), must stay
#: below 2^62: the local searches add and subtract objectives and their parts in int64.
MAX_OBJECTIVE = 2**62


def _error(message: str, field: str, source: str | None, json_path: bool) -> InstanceError:
    """An :class:`InstanceError` naming ``field``: by its JSON path (``$.p[3]``) for a JSON
    document, by its name (``p[3]``) for a constructor's argument."""
    if json_path:
        return InstanceError(message, source, path=f"$.{field}")
    return InstanceError(f"{field}: {message}", source)


def _integer(v: Any, field: str, source: str | None, json_path: bool) -> int:
    """``v`` as a Python int: an int or an integral float with |v| < 2^63 (no bool, string,
    NaN or infinity)."""
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        raise _error(f"must be an integer, got {v!r}", field, source, json_path)
    if isinstance(v, float | np.floating):
        if not math.isfinite(float(v)):
            raise _error(f"must be a finite integer, got {v!r}", field, source, json_path)
        if not float(v).is_integer():
            raise _error(f"must be an integer, got {v!r}", field, source, json_path)
    out = int(v)
    if abs(out) >= INT64_LIMIT:
        raise _error(
            f"{out} is beyond the 64-bit integer range (|x| < 2^63)", field, source, json_path
        )
    return out


def _int_tuple(values: Any, field: str, source: str | None, json_path: bool) -> tuple[int, ...]:
    if isinstance(values, str | bytes | dict) or not hasattr(values, "__iter__"):
        raise _error("must be a list of integers", field, source, json_path)
    return tuple(_integer(v, f"{field}[{i}]", source, json_path) for i, v in enumerate(values))


def validate(
    p: Any,
    d: Any,
    w: Any,
    name: Any,
    reference: Any,
    source: str | None = None,
    json_path: bool = False,
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...] | None, str, float | None]:
    """Check and normalise an instance's fields; returns ``(p, d, w, name, reference)``.

    Raises :class:`InstanceError` naming the bad field by its JSON path (``$.p[3]``) when
    ``json_path`` (a JSON document), by its name (``p[3]``) otherwise: a value that is not an
    integer (a bool, a string, a non-integral float, NaN, infinity), beyond the 64-bit range,
    a negative processing time or weight, lists of different lengths, and instances whose
    sums the solvers' int64 arithmetic would overflow (the total processing time, the
    lateness of a job finishing last, the worst total weighted tardiness, see
    :data:`MAX_OBJECTIVE`).
    """
    pt = _int_tuple(p, "p", source, json_path)
    dt = _int_tuple(d, "d", source, json_path)
    wt = None if w is None else _int_tuple(w, "w", source, json_path)
    n = len(pt)
    if n == 0:
        raise _error("an instance needs at least one job", "p", source, json_path)
    if len(dt) != n:
        raise _error(f"{n} processing times but {len(dt)} due dates", "d", source, json_path)
    if wt is not None and len(wt) != n:
        raise _error(f"{n} processing times but {len(wt)} weights", "w", source, json_path)
    for j, v in enumerate(pt):
        if v < 0:
            raise _error(f"negative processing time {v}", f"p[{j}]", source, json_path)
    for j, v in enumerate(wt or ()):
        if v < 0:
            raise _error(f"negative weight {v}", f"w[{j}]", source, json_path)
    total = sum(pt)
    if total >= INT64_LIMIT:
        raise _error(
            f"the total processing time {total} is beyond the 64-bit range of the solvers",
            "p",
            source,
            json_path,
        )
    j_min = min(range(n), key=lambda j: dt[j])
    if total - dt[j_min] >= INT64_LIMIT:
        raise _error(
            f"due date {dt[j_min]} with a total processing time of {total}: a tardiness "
            "beyond the 64-bit range of the solvers",
            f"d[{j_min}]",
            source,
            json_path,
        )
    weights = wt if wt is not None else (1,) * n
    worst = sum(wj * max(0, total - dj) for wj, dj in zip(weights, dt, strict=True))
    if worst >= MAX_OBJECTIVE:
        raise _error(
            f"the total weighted tardiness can reach {worst}, beyond 2^62 (the solvers add "
            "and subtract objectives in 64-bit integers)",
            "w" if wt is not None else "d",
            source,
            json_path,
        )
    if not isinstance(name, str) or not name:
        raise _error(f"must be a non-empty string, got {name!r}", "name", source, json_path)
    ref = None
    if reference is not None:
        if isinstance(reference, bool) or not isinstance(
            reference, int | float | np.integer | np.floating
        ):
            raise _error(f"must be a number, got {reference!r}", "reference", source, json_path)
        ref = float(reference)
        if not math.isfinite(ref) or abs(ref) >= INT64_LIMIT:
            raise _error(
                f"must be a finite number below 2^63, got {reference!r}",
                "reference",
                source,
                json_path,
            )
    return pt, dt, wt, name, ref


@dataclass(frozen=True)
class Instance:
    """One single-machine tardiness instance; validates itself on construction.

    Attributes:
        p: processing times (non-negative integers).
        d: due dates (integers, may be negative).
        w: weights (non-negative integers), or ``None`` for the unweighted problem.
        name: a name for reports.
        reference: a reference value (optimum or best known), if known.
    """

    problem: ClassVar[str] = PROBLEM
    sense: ClassVar[str] = "min"

    p: tuple[int, ...]
    d: tuple[int, ...]
    w: tuple[int, ...] | None = None
    name: str = "smtt"
    reference: float | None = None
    source: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        p, d, w, name, ref = validate(
            self.p, self.d, self.w, self.name, self.reference, self.source
        )
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "d", d)
        object.__setattr__(self, "w", w)
        object.__setattr__(self, "reference", ref)

    # -- derived data -------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of jobs."""
        return len(self.p)

    @property
    def weighted(self) -> bool:
        """True if the instance has weights that are not all 1."""
        return self.w is not None and any(x != 1 for x in self.w)

    @functools.cached_property
    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(p, d, w)`` as int64 numpy arrays (``w`` all ones when unweighted)."""
        p = np.asarray(self.p, dtype=np.int64)
        d = np.asarray(self.d, dtype=np.int64)
        w = np.ones(self.n, dtype=np.int64) if self.w is None else np.asarray(self.w, np.int64)
        return p, d, w

    @property
    def weights(self) -> tuple[int, ...]:
        """Weights, all 1 when unweighted."""
        return self.w if self.w is not None else (1,) * self.n

    # -- objective and check ------------------------------------------------------------
    def objective(self, sequence: list[int] | tuple[int, ...] | np.ndarray) -> int:
        """Total weighted tardiness of a processing order (assumed to be a permutation)."""
        seq = [int(j) for j in sequence]
        return int(total_tardiness(self.p, self.d, self.weights, seq))

    def check(self, solution: dict[str, Any]) -> float:
        """Verify ``{"sequence": [...]}`` is a permutation of the jobs; return its objective,
        recomputed from the solution alone in exact integer arithmetic."""
        if not isinstance(solution, dict) or "sequence" not in solution:
            raise SolutionError('an smtt solution is {"sequence": [0-based job indices]}')
        solution = unstamp(solution, "solution")
        extra = set(solution) - {"sequence"}
        if extra:
            raise SolutionError(f"unknown solution key(s) {', '.join(sorted(extra))}")
        seq = solution["sequence"]
        if not isinstance(seq, list | tuple):
            raise SolutionError("sequence must be a list of job indices")
        n = self.n
        seen = [False] * n
        for pos, j in enumerate(seq):
            if isinstance(j, bool) or not isinstance(j, int | np.integer):
                raise SolutionError(f"sequence[{pos}] is not a job index: {j!r}")
            if not 0 <= j < n:
                raise SolutionError(f"sequence[{pos}] = {j} is out of range 0..{n - 1}")
            if seen[j]:
                raise SolutionError(f"job {j} appears twice in the sequence")
            seen[j] = True
        if len(seq) != n:
            missing = [j for j in range(n) if not seen[j]]
            raise SolutionError(f"sequence misses {len(missing)} job(s), e.g. job {missing[0]}")
        return float(total_tardiness(self.p, self.d, self.weights, [int(j) for j in seq]))

    # -- JSON ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The instance as JSON-ready data, with ``"schema_version"`` first (see
        ``schedlab schema smtt``)."""
        out: dict[str, Any] = {"problem": PROBLEM, "name": self.name, "p": list(self.p)}
        out["d"] = list(self.d)
        if self.w is not None:
            out["w"] = list(self.w)
        if self.reference is not None:
            out["reference"] = self.reference
        return stamp(out)

    def to_json(self) -> str:
        """The instance as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Instance:
        """Build from JSON data (``"problem"`` must be ``"smtt"`` if present; a
        ``"schema_version"`` other than 1 is rejected). A bad field raises
        :class:`InstanceError` naming its JSON path (``$.p[3]``)."""
        if isinstance(data, dict):
            data = unstamp(data, "instance", file=source)
        known = ("problem", "name", "p", "d", "w", "reference")
        check_keys(data, PROBLEM, "an smtt instance", known, source, required=("p", "d"))
        name = data["name"] if data.get("name") is not None else default_name(source, PROBLEM)
        p, d, w, name, ref = validate(
            data["p"], data["d"], data.get("w"), name, data.get("reference"), source, True
        )
        return cls(p=p, d=d, w=w, name=name, reference=ref, source=source)


def is_solution(solution: dict[str, Any]) -> bool:
    """True for an smtt solution (``{"sequence": [...]}`` and nothing else but a
    ``"schema_version"``)."""
    return isinstance(solution, dict) and set(solution) - {"schema_version"} == {"sequence"}
