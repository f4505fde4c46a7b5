"""Deadlines: one clock for a whole solve, shared by every stage of a method, and the
cancellation that ends it early (a service's ``cancel``, Ctrl-C)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

#: The deadline of the solve each thread is running (see :meth:`Deadline.active`).
_ACTIVE: dict[int, Deadline] = {}


def clock() -> float:
    """``time.perf_counter()``, or ``inf`` once the calling thread's solve is cancelled: a
    loop that compares this clock with its deadline float stops on a cancel too (compiled
    kernels read it through :func:`schedlab.engines.jit.now`)."""
    d = _ACTIVE.get(threading.get_ident())
    if d is not None and d.cancelled:
        return math.inf
    return time.perf_counter()


class Deadline:
    """A wall-clock deadline; ``Deadline(None)`` never expires unless cancelled.

    :meth:`cancel` ends it at once: :meth:`expired` turns true, :meth:`remaining` zero, and
    every callback registered with :meth:`on_cancel` runs (an engine's "stop search").
    """

    def __init__(self, time_limit: float | None) -> None:
        self.start = time.perf_counter()
        self.time_limit = time_limit
        #: the end as a one-element array: compiled kernels read ``cell[0]`` while they run,
        #: so a cancel reaches them too
        self.cell = np.array([math.inf if time_limit is None else self.start + float(time_limit)])
        self.cancelled = False
        self._callbacks: list[Callable[[], object]] = []
        self._lock = threading.Lock()

    @property
    def end(self) -> float:
        """The ``time.perf_counter()`` value at which the deadline expires (``-inf`` once
        cancelled, ``inf`` without a limit)."""
        return float(self.cell[0])

    def elapsed(self) -> float:
        """Seconds since the deadline was set."""
        return time.perf_counter() - self.start

    def remaining(self) -> float:
        """Seconds left (``math.inf`` without a limit, never negative)."""
        return max(0.0, self.end - time.perf_counter())

    def expired(self) -> bool:
        """True once the time limit has passed or the solve was cancelled."""
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

    def cancel(self) -> None:
        """End the deadline now and tell the engines registered with :meth:`on_cancel`."""
        with self._lock:
            self.cancelled = True
            self.cell[0] = -math.inf
            callbacks = list(self._callbacks)
        for cb in callbacks:
            cb()

    @contextmanager
    def active(self) -> Iterator[Deadline]:
        """Make this the calling thread's deadline for :func:`clock` while the block runs."""
        tid = threading.get_ident()
        previous = _ACTIVE.get(tid)
        _ACTIVE[tid] = self
        try:
            yield self
        finally:
            if previous is None:
                _ACTIVE.pop(tid, None)
            else:
                _ACTIVE[tid] = previous

    def on_cancel(self, callback: Callable[[], object]) -> Callable[[], None]:
        """Call ``callback`` when the deadline is cancelled (at once if it already is);
        return a function that unregisters it."""
        with self._lock:
            already = self.cancelled
            if not already:
                self._callbacks.append(callback)
        if already:
            callback()

        def remove() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return remove


class CancelToken:
    """Cancels the solves it is passed to (``schedlab.solve(..., cancel=token)``), from
    another thread or a signal handler; a solve started after the cancel ends at once."""

    def __init__(self) -> None:
        self.cancelled = False
        self._deadlines: list[Deadline] = []
        self._lock = threading.Lock()

    def cancel(self) -> None:
        """Cancel every solve using this token, now and later."""
        with self._lock:
            self.cancelled = True
            deadlines = list(self._deadlines)
        for d in deadlines:
            d.cancel()

    def attach(self, deadline: Deadline) -> None:
        """Let this token cancel ``deadline``."""
        with self._lock:
            self._deadlines.append(deadline)
            now = self.cancelled
        if now:
            deadline.cancel()


class Work:
    """A deterministic work budget shared by the stages of one solve (``SolveOptions.work``).

    The unit is the method's own (``Method.work``): CP-SAT deterministic time, search nodes,
    iterations. Stages ask :meth:`left` for what they may use and :meth:`spend` what they used.
    ``Work(None)`` is no budget: :meth:`left` is ``None`` and nothing is ever exhausted.
    """

    def __init__(self, limit: float | None) -> None:
        self.limit = None if limit is None else float(limit)
        self.used = 0.0

    def left(self, share: float = 1.0) -> float | None:
        """``share`` of the budget left (never negative), or ``None`` without a budget."""
        if self.limit is None:
            return None
        return max(0.0, self.limit - self.used) * share

    def spend(self, amount: float) -> None:
        """Record ``amount`` units of work done."""
        self.used += float(amount)

    @property
    def exhausted(self) -> bool:
        """True once a budget is set and used up."""
        return self.limit is not None and self.used >= self.limit

    def count(self, default: int = -1) -> int:
        """The budget left as a whole count for a compiled kernel (``default``, usually
        ``-1`` for "none", without a budget)."""
        left = self.left()
        return default if left is None else int(left)
