"""engines.highs: the row-wise solve keeps the options' limits."""

from __future__ import annotations

import math
import time

import numpy as np

from schedlab.core import SolveOptions
from schedlab.engines import highs


def _knapsack(opts: SolveOptions) -> highs.MipRun:
    """max 3 x0 + 2 x1 + 2 x2 with 2 x0 + x1 + x2 <= 2, binary (as a minimisation)."""
    return highs.solve_rowwise(
        opts,
        cost=np.array([-3.0, -2.0, -2.0]),
        lower=np.zeros(3),
        upper=np.ones(3),
        row_lower=np.array([-math.inf]),
        row_upper=np.array([2.0]),
        starts=np.array([0, 3]),
        index=np.array([0, 1, 2]),
        value=np.array([2.0, 1.0, 1.0]),
        integer=np.ones(3, dtype=bool),
        share=1.0,
        limit=math.inf,
    )


def test_solves_a_small_program() -> None:
    run = _knapsack(SolveOptions(time_limit=10))
    assert run.status == "Optimal"
    assert run.x is not None and np.allclose(run.x, [0, 1, 1])
    assert math.isclose(run.bound, -4.0)


def test_past_its_deadline_highs_is_not_started() -> None:
    opts = SolveOptions(time_limit=0.01)
    time.sleep(0.05)  # a model build that outlasted the limit
    run = _knapsack(opts)
    assert run.x is None and run.status == "Time limit reached"
    assert run.bound == -math.inf
