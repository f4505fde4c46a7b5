"""What every instance provides, whatever its family (see :class:`~schedlab.core.family.Family`
for what a family declares)."""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable


@runtime_checkable
class Instance(Protocol):
    """The interface of an instance of any family (typically a frozen dataclass)."""

    problem: ClassVar[str]
    sense: ClassVar[str]  # "min" or "max"

    @property
    def name(self) -> str:
        """The instance's name (from the file or the JSON)."""
        ...

    @property
    def reference(self) -> float | None:
        """The best-known value, or ``None``."""
        ...

    def to_dict(self) -> dict[str, Any]:
        """The instance as JSON-ready data, with ``"problem"`` set."""
        ...

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Instance:
        """Build and validate from JSON data; ``source`` names the file for errors."""
        ...

    def check(self, solution: dict[str, Any]) -> float:
        """Verify ``solution`` (the family's solution JSON) from scratch and return its
        objective, recomputed; raise :class:`~schedlab.core.errors.SolutionError` if it is
        malformed or infeasible."""
        ...
