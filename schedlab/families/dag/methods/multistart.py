"""``random``: a random-priority multistart of the list scheduler."""

from __future__ import annotations

import time

import numpy as np

from ....core.errors import SolveError
from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ....core.status import Status
from ..model import Instance
from ._graph import Graph
from ._lists import optimistic_cost_table, run, upward_rank

#: Passes without a work limit (when ``iterations`` is ``None``).
DEFAULT_PASSES = 200


@register(
    "dag",
    "random",
    exact=False,
    help=f"Random-priority multistart: HEFT and PEFT with randomly perturbed priorities, "
    f"`iterations` passes (default {DEFAULT_PASSES}; with a work limit, that many passes) or "
    "until the time limit; keeps the best (seeded).",
    work="list-scheduling passes",
)
def solve_random(
    inst: Instance, opts: SolveOptions, *, iterations: int | None = None, noise: float = 0.3
) -> SolverOutput:
    """Repeat the list scheduler with priorities multiplied by ``exp(noise * N(0, 1))``:
    even passes perturb HEFT's upward rank (earliest finish), odd passes PEFT's (finish plus
    optimistic cost); the first two are plain HEFT and PEFT. ``iterations`` passes
    (:data:`DEFAULT_PASSES` if ``None``; a work limit counts passes and replaces the default,
    capped by ``iterations`` if given); the time limit, if any, stops it earlier (at least
    one pass runs; a pass starts only while the time left exceeds the longest pass so far:
    on large graphs a pass takes a good part of a second)."""
    if iterations is not None and (
        isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1
    ):
        raise SolveError(f"random: iterations must be an integer >= 1, got {iterations!r}")
    if isinstance(noise, bool) or not isinstance(noise, int | float) or not 0 <= noise <= 10:
        raise SolveError(f"random: noise must be a number in [0, 10], got {noise!r}")
    passes = DEFAULT_PASSES if iterations is None else iterations
    budget = opts.work.count(default=-1)
    if budget >= 0:
        passes = max(1, budget if iterations is None else min(iterations, budget))
    g = Graph.of(inst)
    rng = np.random.default_rng(opts.seed)
    rank = upward_rank(g)
    table = optimistic_cost_table(g)
    bias = np.where(np.isfinite(table), table, 0.0)
    oct_rank = bias.sum(axis=1) / g.eligible.sum(axis=1)
    best = None
    done = 0
    timed = opts.time_limit is not None  # without a time limit, never read the clock
    longest = 0.0  # the longest pass so far (timed runs only)
    for k in range(passes):
        if done and (opts.deadline.expired() or (timed and opts.deadline.remaining() <= longest)):
            break
        t0 = time.perf_counter() if timed else 0.0
        factor = np.ones(g.n) if k < 2 else np.exp(noise * rng.standard_normal(g.n))
        even = k % 2 == 0
        sched = run(g, rank * factor) if even else run(g, oct_rank * factor, bias=bias)
        done += 1
        if timed:
            longest = max(longest, time.perf_counter() - t0)
        cmax = sched.makespan(g)
        if best is None or cmax < best[0]:
            best = (cmax, sched)
    assert best is not None
    opts.work.spend(done)
    opts.emit(f"random: best makespan {best[0]} over {done} passes")
    return SolverOutput(
        solution=best[1].to_solution(g),
        status=Status.FEASIBLE,
        objective=float(best[0]),
        info={"passes": done},
    )
