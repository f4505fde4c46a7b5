"""``ils``: iterated local search with dynasearch moves (Congram, Potts & van de Velde 2002;
Grosso, Della Croce & Tadei 2004)."""

from __future__ import annotations

import numpy as np

from ...core import SolveOptions, SolverOutput, Status, register
from ...models.smtt import Instance
from ._ils import ils_iterations, ils_solve

DEFAULT_TIME = 2.0


def _auto(inst: Instance, time_limit: float | None) -> float:
    return 40.0  # stronger than ls on every size; exact outranks it where it can finish


@register(
    "smtt",
    "ils",
    exact=False,
    help="Iterated dynasearch (swap + insertion moves, random-swap kicks), seeded.",
    auto=_auto,
    warmup=lambda: _warm_up(),
)
def solve_ils(
    inst: Instance,
    opts: SolveOptions,
    *,
    max_time: float = DEFAULT_TIME,
    iterations: int | None = None,
) -> SolverOutput:
    """Iterated dynasearch until the time limit (or ``max_time`` seconds without one).

    With ``iterations`` set, it runs exactly that many kicks instead (no clock), so that a
    seeded run repeats exactly whatever the machine's speed.
    """
    p, d, w = inst.arrays
    initial = None if opts.hint is None else list(opts.hint["sequence"])
    if iterations is not None:
        if iterations < 0:
            from ...core import SolveError

            raise SolveError(f"ils: iterations must be >= 0, got {iterations}")
        init = None if initial is None else np.asarray(initial, dtype=np.int64)
        seq, _ = ils_iterations(p, d, w, int(iterations), opts.seed, initial=init)
    else:
        limit = opts.deadline.limit_for()
        if limit is None:
            # without a time limit, max_time is search time: compile the numba kernels first
            # (a one-off per installation, cached afterwards) so that it does not eat it
            _warm_up()
        budget = max_time if limit is None else limit
        seq = ils_solve(p, d, w, float(budget), opts.seed, log=opts.log, initial=initial)
    return SolverOutput(solution={"sequence": [int(j) for j in seq]}, status=Status.FEASIBLE)


def _warm_up() -> None:
    tiny = np.array([3, 1, 2], dtype=np.int64)
    ils_solve(tiny, tiny, tiny, 0.01, 0, initial=None)
