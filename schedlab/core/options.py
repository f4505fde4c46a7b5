"""Options common to every method."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import SolveError
from .timing import CancelToken, Deadline, Work

LogFn = Callable[[str], None]


@dataclass(frozen=True)
class SolveOptions:
    """What every method accepts.

    Attributes:
        time_limit: wall-clock seconds for the whole solve. Methods return within it plus a
            small margin, with the best solution found. ``None`` (the default) means no
            wall-clock limit, for every method alike: the method runs to its own end, an
            exact method until it has proved the optimum (or infeasibility), a constructive
            one when its solution is built, and an improvement search after its default
            budget of work (a parameter of the method, documented in its help).
        work_limit: a deterministic budget of work, in the method's own unit (CP-SAT
            deterministic time, search nodes, iterations: ``Method.work`` names it; see
            ``schedlab methods``). With a work limit, one thread and a seed, a run repeats
            exactly on any load. It may be combined with ``time_limit`` (the first reached
            ends the solve). Constructive methods, which do no search, ignore it.
        threads: worker threads a method may use (CP-SAT workers, HiGHS threads).
        seed: random seed; with ``threads=1`` a run repeats exactly.
        log: a callback that receives log lines, or ``None`` (nothing is printed).
        hint: an initial solution in the family's solution JSON form, used as a warm start
            where the method can.
        cancel: a :class:`CancelToken` that ends the solve early from another thread (the
            method returns its best solution so far, as at its time limit).
    """

    time_limit: float | None = None
    work_limit: float | None = None
    threads: int = 1
    seed: int = 0
    log: LogFn | None = None
    hint: dict[str, Any] | None = None
    cancel: CancelToken | None = field(default=None, compare=False, repr=False)
    deadline: Deadline = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    work: Work = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.time_limit is not None:
            try:
                tl = float(self.time_limit)
            except (TypeError, ValueError):
                raise SolveError(f"time_limit must be a number, got {self.time_limit!r}") from None
            if not tl > 0:
                raise SolveError(f"time_limit must be positive, got {self.time_limit!r}")
            object.__setattr__(self, "time_limit", tl)
        if self.work_limit is not None:
            wl = self.work_limit
            if isinstance(wl, bool) or not isinstance(wl, int | float) or not wl > 0:
                raise SolveError(f"work_limit must be a positive number, got {wl!r}")
            if wl != wl or wl == float("inf"):
                raise SolveError(f"work_limit must be a positive number, got {wl!r}")
        if not isinstance(self.threads, int) or isinstance(self.threads, bool) or self.threads < 1:
            raise SolveError(f"threads must be a positive integer, got {self.threads!r}")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise SolveError(f"seed must be a non-negative integer, got {self.seed!r}")
        if self.log is not None and not callable(self.log):
            raise SolveError("log must be a callable taking one string, or None")
        if self.hint is not None and not isinstance(self.hint, dict):
            raise SolveError("hint must be a solution dict (the family's solution JSON)")
        if self.deadline is None:
            object.__setattr__(self, "deadline", Deadline(self.time_limit))
        if self.work is None:
            object.__setattr__(self, "work", Work(self.work_limit))
        if self.cancel is not None:
            self.cancel.attach(self.deadline)

    def emit(self, message: str) -> None:
        """Send one log line to the callback, if any."""
        if self.log is not None:
            self.log(message)
