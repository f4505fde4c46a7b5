"""Single-machine total (weighted) tardiness, 1||Σ w_j T_j: the instance and its checker.

``n`` jobs with integer processing times ``p``, due dates ``d`` (may be negative) and
optional weights ``w``; a solution is a processing order ``{"sequence": [0-based job
indices]}``; the machine never idles, so job ``j`` completes at ``C_j`` = sum of the
processing times up to and including it, and the objective is Σ w_j max(0, C_j - d_j)
(:func:`~schedlab.families.smtt.objective.total_tardiness`).

JSON: ``{"problem": "smtt", "name": ..., "p": [...], "d": [...], "w": [...]}`` (``w``
optional; ``"reference"`` optional). The text formats are read by
:mod:`schedlab.families.smtt.formats`.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ...core.errors import InstanceError, SolutionError
from ...core.jsonio import check_keys, default_name
from .objective import total_tardiness

PROBLEM = "smtt"


def _as_int_tuple(values: Any, what: str, source: str | None) -> tuple[int, ...]:
    if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
        raise InstanceError(f"{what} must be a list of integers", source)
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
            raise InstanceError(f"{what}[{i}] must be an integer, got {v!r}", source)
        if isinstance(v, float | np.floating) and not float(v).is_integer():
            raise InstanceError(f"{what}[{i}] must be an integer, got {v!r}", source)
        out.append(int(v))
    return tuple(out)


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
        src = self.source
        object.__setattr__(self, "p", _as_int_tuple(self.p, "p", src))
        object.__setattr__(self, "d", _as_int_tuple(self.d, "d", src))
        if self.w is not None:
            object.__setattr__(self, "w", _as_int_tuple(self.w, "w", src))
        n = len(self.p)
        if n == 0:
            raise InstanceError("an instance needs at least one job", src)
        if len(self.d) != n:
            raise InstanceError(f"{n} processing times but {len(self.d)} due dates", src)
        if self.w is not None and len(self.w) != n:
            raise InstanceError(f"{n} processing times but {len(self.w)} weights", src)
        for j, v in enumerate(self.p):
            if v < 0:
                raise InstanceError(f"job {j}: negative processing time {v}", src)
        for j, v in enumerate(self.w or ()):
            if v < 0:
                raise InstanceError(f"job {j}: negative weight {v}", src)
        if not isinstance(self.name, str) or not self.name:
            raise InstanceError("name must be a non-empty string", src)
        if self.reference is not None:
            if isinstance(self.reference, bool) or not isinstance(self.reference, int | float):
                raise InstanceError(f"reference must be a number, got {self.reference!r}", src)
            object.__setattr__(self, "reference", float(self.reference))

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
        """The instance as JSON-ready data."""
        out: dict[str, Any] = {"problem": PROBLEM, "name": self.name, "p": list(self.p)}
        out["d"] = list(self.d)
        if self.w is not None:
            out["w"] = list(self.w)
        if self.reference is not None:
            out["reference"] = self.reference
        return out

    def to_json(self) -> str:
        """The instance as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Instance:
        """Build from JSON data (``"problem"`` must be ``"smtt"`` if present)."""
        known = ("problem", "name", "p", "d", "w", "reference")
        check_keys(data, PROBLEM, "an smtt instance", known, source, required=("p", "d"))
        name = data.get("name") or default_name(source, PROBLEM)
        return cls(
            p=data["p"],
            d=data["d"],
            w=data.get("w"),
            name=str(name),
            reference=data.get("reference"),
            source=source,
        )


def is_solution(solution: dict[str, Any]) -> bool:
    """True for an smtt solution (``{"sequence": [...]}`` and nothing else)."""
    return isinstance(solution, dict) and set(solution) == {"sequence"}
