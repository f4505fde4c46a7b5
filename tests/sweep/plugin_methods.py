"""Test-only smtt methods, loaded by sweep files through ``plugins = [...]`` (never by the
library): one that hangs, one that raises, one whose process dies, one with a slow warm-up,
one that naps."""

from __future__ import annotations

import os
import time

from schedlab.core import SolveOptions, SolverOutput, Status, register


@register("smtt", "hang", exact=False, help="Test only: never returns.")
def solve_hang(inst: object, opts: SolveOptions) -> SolverOutput:
    """Sleeps forever, ignoring the time limit."""
    while True:
        time.sleep(0.5)


@register("smtt", "boom", exact=False, help="Test only: raises.")
def solve_boom(inst: object, opts: SolveOptions) -> SolverOutput:
    """Raises a plain exception."""
    raise RuntimeError("boom: solver bug")


@register("smtt", "die", exact=False, help="Test only: the process exits abruptly.")
def solve_die(inst: object, opts: SolveOptions) -> SolverOutput:
    """Exits the worker process without a word."""
    os._exit(9)


def _slow_warmup() -> None:
    time.sleep(3.0)  # stands for a long JIT compilation


@register("smtt", "slowjit", exact=False, help="Test only: 3 s warm-up.", warmup=_slow_warmup)
def solve_slowjit(inst: object, opts: SolveOptions) -> SolverOutput:
    """The identity sequence, at once."""
    n = len(inst.p)  # type: ignore[attr-defined]
    return SolverOutput(solution={"sequence": list(range(n))}, status=Status.FEASIBLE)


@register("smtt", "nap", exact=False, help="Test only: naps, then the identity sequence.")
def solve_nap(inst: object, opts: SolveOptions, *, seconds: float = 2.0) -> SolverOutput:
    """Sleeps ``seconds`` (in short naps, stopping early when the deadline expires), then
    returns the identity sequence: a run that stays in progress for a while."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not opts.deadline.expired():
        time.sleep(0.05)
    n = len(inst.p)  # type: ignore[attr-defined]
    return SolverOutput(solution={"sequence": list(range(n))}, status=Status.FEASIBLE)
