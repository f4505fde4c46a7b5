"""Deadlines: one clock for a whole solve, shared by every stage of a method."""

from __future__ import annotations

import math
import time


class Deadline:
    """A wall-clock deadline; ``Deadline(None)`` never expires."""

    def __init__(self, time_limit: float | None) -> None:
        self.start = time.perf_counter()
        self.time_limit = time_limit
        self.end = math.inf if time_limit is None else self.start + float(time_limit)

    def elapsed(self) -> float:
        """Seconds since the deadline was set."""
        return time.perf_counter() - self.start

    def remaining(self) -> float:
        """Seconds left (``math.inf`` without a limit, never negative)."""
        return max(0.0, self.end - time.perf_counter())

    def expired(self) -> bool:
        """True once the time limit has passed."""
        return time.perf_counter() >= self.end

    def limit_for(self, share: float = 1.0, floor: float = 0.01) -> float | None:
        """A float time limit for a sub-solver: ``share`` of the time left, at least ``floor``.

        Returns ``None`` when there is no deadline (HiGHS rejects integer limits, so this is
        always a float otherwise).
        """
        rem = self.remaining()
        if math.isinf(rem):
            return None
        return float(max(floor, rem * share))
