"""The outcome of a solve: a checked, self-validating record with its provenance."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from typing import Any

from .schema import SCHEMA_VERSION, version_error
from .status import Status

_TOL = 1e-6


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= _TOL * max(1.0, abs(a), abs(b))


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """Relative gap ``|objective - bound| / |objective|`` (0 when both are 0)."""
    if objective is None or bound is None:
        return None
    if _close(objective, bound):
        return 0.0
    if objective == 0:
        return math.inf
    return abs(objective - bound) / abs(objective)


@dataclass(frozen=True)
class Result:
    """A solve's outcome.

    ``objective`` is always recomputed by the model's checker from ``solution``, never taken
    from a solver. The constructor rejects impossible values: a negative runtime, an optimal
    status whose bound differs from the objective, an objective on the wrong side of the bound,
    a solution without a solution status, and so on.

    Attributes:
        problem: the family name.
        instance: instance name.
        method: method name.
        status: :class:`Status`.
        objective: checked objective value, or ``None`` without a solution.
        bound: proven bound on the optimum (lower for minimisation), or ``None``.
        gap: relative gap between objective and bound, or ``None``.
        runtime_s: wall-clock seconds of the solve.
        solution: the solution in the family's JSON form, or ``None``.
        params: method parameters as used.
        seed, threads, time_limit, work_limit: the common options.
        versions: versions of schedlab and of the engines.
        sense: ``"min"`` or ``"max"``.
        reference: the instance's reference (best-known) value, if any.
        info: method-specific extra figures (e.g. nodes, iterations).
    """

    problem: str
    instance: str
    method: str
    status: Status
    objective: float | None
    bound: float | None
    runtime_s: float
    solution: dict[str, Any] | None
    params: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    threads: int = 1
    time_limit: float | None = None
    work_limit: float | None = None
    versions: dict[str, str] = field(default_factory=dict)
    sense: str = "min"
    reference: float | None = None
    info: dict[str, Any] = field(default_factory=dict)
    gap: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        if self.sense not in ("min", "max"):
            raise ValueError(f"sense must be 'min' or 'max', got {self.sense!r}")
        if not (isinstance(self.runtime_s, int | float) and self.runtime_s >= 0):
            raise ValueError(f"runtime_s must be a non-negative number, got {self.runtime_s!r}")
        if self.status.has_solution:
            if self.solution is None or self.objective is None:
                raise ValueError(f"status {self.status} needs a solution and an objective")
        elif self.solution is not None or self.objective is not None:
            raise ValueError(f"status {self.status} cannot carry a solution")
        for name in ("objective", "bound"):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, int | float) or math.isnan(v)):
                raise ValueError(f"{name} must be a number or None, got {v!r}")
        if self.objective is not None and self.bound is not None:
            worse = (
                self.objective < self.bound and not _close(self.objective, self.bound)
                if self.sense == "min"
                else self.objective > self.bound and not _close(self.objective, self.bound)
            )
            if worse:
                raise ValueError(
                    f"objective {self.objective} beats the proven bound {self.bound} "
                    f"({self.sense}imisation)"
                )
        if self.status is Status.OPTIMAL and (
            self.bound is None or self.objective is None or not _close(self.bound, self.objective)
        ):
            raise ValueError(
                f"status optimal needs bound == objective (objective {self.objective}, "
                f"bound {self.bound})"
            )
        gap = relative_gap(self.objective, self.bound)
        if self.gap is not None and gap is not None and not _close(self.gap, gap):
            raise ValueError(f"gap {self.gap} does not match objective and bound ({gap})")
        object.__setattr__(self, "gap", gap)

    @property
    def reference_gap(self) -> float | None:
        """Relative gap of the objective to the reference value (``None`` if unknown).

        Positive when worse than the reference. With a zero reference the gap is the
        objective itself (0 when matched).
        """
        if self.objective is None or self.reference is None:
            return None
        diff = self.objective - self.reference
        if self.sense == "max":
            diff = -diff
        if self.reference == 0:
            return float(diff)
        return diff / abs(self.reference)

    def to_dict(self, copy: bool = True) -> dict[str, Any]:
        """A plain dict (JSON-ready), with ``schema_version`` first (see ``schedlab schema``).

        With ``copy=False`` the solution, parameters and info are the result's own objects,
        not copies (for encoding at once, e.g. by the service; do not modify them)."""
        d: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        if copy:
            d.update((name, _copy_json(getattr(self, name))) for name in _FIELDS)
        else:
            d.update((name, getattr(self, name)) for name in _FIELDS)
        d["status"] = str(self.status)
        if d["gap"] is not None and math.isinf(d["gap"]):
            d["gap"] = None
        return d

    def to_json(self, indent: int | None = None) -> str:
        """The result as JSON."""
        return json.dumps(self.to_dict(), indent=indent, sort_keys=False, allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        """Rebuild a result from :meth:`to_dict` output (validates again)."""
        d = dict(data)
        d.pop("gap", None)
        if "schema_version" in d:
            msg = version_error(d.pop("schema_version"))
            if msg is not None:
                raise ValueError(msg)
        return cls(**d)

    @classmethod
    def from_json(cls, text: str) -> Result:
        """Rebuild a result from :meth:`to_json` output (validates again)."""
        return cls.from_dict(json.loads(text))


_FIELDS = tuple(f.name for f in fields(Result))


def _copy_json(x: Any) -> Any:
    """A copy of JSON-like data (dicts and lists copied, tuples as lists, scalars shared)."""
    if isinstance(x, dict):
        return {k: _copy_json(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_copy_json(v) for v in x]
    return x
