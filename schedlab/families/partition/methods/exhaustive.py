"""``exhaustive``: every plan, memory-checked and filtered (tiny cases; the tests' reference)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

from ....core.errors import SolveError
from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ..model import Instance, Plan, Point
from ._front import output
from ._orders import parse_order


def _plans(inst: Instance, order: Sequence[int] | None) -> Iterable[Plan]:
    """Every plan (valid or not as to memory): compositions of the layers into ``s`` stages
    times ordered choices of ``s`` distinct devices; with ``order``, only devices taken as a
    subsequence of that order."""
    L = inst.n_layers
    pool = list(range(inst.n_devices)) if order is None else list(order)
    for s in range(1, min(L, len(pool)) + 1):
        dev_seqs = list(
            itertools.permutations(pool, s) if order is None else itertools.combinations(pool, s)
        )
        for cuts in itertools.combinations(range(1, L), s - 1):
            bounds = (0, *cuts, L)
            for devs in dev_seqs:
                yield [(bounds[k] + 1, bounds[k + 1], devs[k]) for k in range(s)]


def count_plans(inst: Instance, order: Sequence[int] | None) -> int:
    """How many plans ``exhaustive`` enumerates (every order, or a subsequence of ``order``)."""
    L = inst.n_layers
    D = inst.n_devices if order is None else len(order)
    total = 0
    for s in range(1, min(L, D) + 1):
        devs = math.perm(D, s) if order is None else math.comb(D, s)
        total += math.comb(L - 1, s - 1) * devs
    return total


@register(
    "partition",
    "exhaustive",
    exact=True,
    help="Every plan, filtered (tiny cases; the tests' reference). Runs until every plan "
    "is enumerated.",
    work="plans enumerated",
)
def solve_exhaustive(
    inst: Instance, opts: SolveOptions, *, order: Any = None, max_plans: int = 300_000
) -> SolverOutput:
    """Enumerate every plan (with ``order``: devices taken as a subsequence of that order, a
    list of ids or ``"instance"``), check memory and filter the dominated ones.

    Refuses instances with more than ``max_plans`` plans. Without a time limit it runs until
    every plan is enumerated (OPTIMAL without ``order``); a time limit cuts the enumeration,
    and so does a work limit (a number of plans enumerated): the front of the plans seen so
    far is then returned, FEASIBLE without a bound.
    """
    if order is None or order == "all":  # any order: at most L devices of a class matter
        inst = inst.reduced
    idx = parse_order(inst, order)
    n = count_plans(inst, idx)
    if n > max_plans:
        raise SolveError(f"exhaustive: {n} plans exceed max_plans={max_plans}")
    pts: list[Point] = []
    complete = True
    budget = opts.work.count()
    seen = 0
    for k, plan in enumerate(_plans(inst, idx)):
        if (k % 2048 == 0 and opts.deadline.expired()) or 0 <= budget <= k:
            complete = False
            break
        seen += 1
        if inst.plan_errors(plan) is None:
            pts.append((*inst.evaluate(plan), plan))
    opts.work.spend(seen)
    # with an order the front is that order's only: OPTIMAL needs every order
    return output(inst, pts, proven=complete and idx is None, info={"plans": n, "plans_seen": seen})
