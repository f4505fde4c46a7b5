"""Deadline checks inside the long loops of dag's builders and heuristics.

A :class:`Watch` reads the clock every few ticks, and only while its end is finite: without a
time limit (work-limit runs included) it never reads the clock, so those runs stay
deterministic; a cancelled deadline (its end ``-inf``) stops it at the next check.
"""

from __future__ import annotations

import math
import time

from ....core.timing import Deadline


class Expired(Exception):
    """Raised by :meth:`Watch.tick` once the time is gone."""


class Watch:
    """The end of a phase: ``deadline``'s end (read live, so that a cancel is seen), capped by
    ``cap`` (an absolute ``time.perf_counter()`` value) if given; checked every ``every``
    ticks. ``reserve`` keeps that share of the time spent since the watch was made for
    undoing the work (a half-built model takes a while to free): the watch is over once
    ``now + reserve * (now - made) >= end``."""

    def __init__(
        self,
        deadline: Deadline | None,
        cap: float | None = None,
        every: int = 32,
        reserve: float = 0.0,
    ):
        self.deadline = deadline
        self.cap = cap
        self.every = every
        self.reserve = reserve
        self._k = 0
        self._made = time.perf_counter() if reserve and self.end != math.inf else 0.0

    @property
    def end(self) -> float:
        """The ``time.perf_counter()`` value at which the phase must stop (``inf``: never)."""
        end = math.inf if self.deadline is None else self.deadline.end
        return end if self.cap is None else min(end, self.cap)

    def over(self) -> bool:
        """True once the end has passed (the clock is read only when the end is finite)."""
        end = self.end
        if end == math.inf:
            return False
        if end == -math.inf:
            return True
        now = time.perf_counter()
        return now + self.reserve * (now - self._made) >= end

    def tick(self) -> None:
        """Count one step of a loop; every ``every`` steps, raise :class:`Expired` if over."""
        self._k += 1
        if self._k >= self.every:
            self._k = 0
            if self.over():
                raise Expired
