"""What every problem family provides.

A family is one module in :mod:`schedlab.models` (named after the family) exposing:

- ``PROBLEM``: the family name, as written in the ``"problem"`` key of its JSON.
- ``Instance``: a frozen dataclass satisfying :class:`Instance` below.
- ``sniff(path: str, head: str) -> bool``: whether a file (``head``: its first 4 KiB as
  text) is in one of the family's native formats.
- ``read(path: str, index: int | None) -> Instance``: read instance ``index`` (1-based;
  ``None`` for a single-instance file) from a native-format file; raises
  :class:`~schedlab.core.errors.InstanceError` with file and line.
- ``count(path: str) -> int`` (optional): number of instances in a multi-instance file.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable


@runtime_checkable
class Instance(Protocol):
    """The interface of an instance of any family."""

    problem: ClassVar[str]
    sense: ClassVar[str]  # "min" or "max"
    name: str
    reference: float | None

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
