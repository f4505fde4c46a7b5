"""Solve status."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Outcome of a solve.

    ``OPTIMAL`` only where the method proved it; ``FEASIBLE`` with a checked solution but no
    proof; ``INFEASIBLE`` where the method proved no solution exists; ``UNKNOWN`` otherwise.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"

    @property
    def has_solution(self) -> bool:
        """True where the result carries a solution."""
        return self in (Status.OPTIMAL, Status.FEASIBLE)
