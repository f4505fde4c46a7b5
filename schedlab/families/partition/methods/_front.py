"""The epsilon-constraint sweep shared by the exact methods, and turning fronts into outputs."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ....core.options import SolveOptions
from ....core.registry import SolverOutput
from ....core.status import Status
from ..model import Instance, Plan, Point
from ..pareto import TOL, pareto_filter

#: ``run(plim)``: a plan of least latency (then period) whose stages and links all take at
#: most ``plim``, or ``None``.
PlanFn = Callable[[float], Plan | None]


def next_limit(period: float) -> float:
    """The largest period bound that excludes ``period`` (and values equal up to ``TOL``)."""
    return period - TOL * max(1.0, abs(period))


def sweep(
    inst: Instance, run: PlanFn, opts: SolveOptions, step_work: int = 1
) -> tuple[list[Point], bool, int]:
    """Epsilon-constraint sweep: ``run(plim)`` returns a plan of least latency (then least
    period) among those whose every stage and link takes at most ``plim``, or ``None``.

    Starting from ``plim = inf``, each step bounds the period strictly below the last point's,
    so the steps visit the finite set of candidate periods that matter, one front point each.
    Each step costs ``step_work`` units of the options' work budget (its DP's states): a step
    that would go beyond the work left is not started, so the sweep stops there, as at the
    deadline. Returns ``(points, complete, steps)`` with points ``(latency, period, plan)``.
    """
    pts: list[Point] = []
    plim = math.inf
    steps = 0
    while True:
        if opts.deadline.expired():
            return pts, False, steps
        left = opts.work.left()
        if left is not None and left < step_work:
            opts.emit(f"sweep: {steps} step(s) done, the work left ({left:g}) is short of a step")
            return pts, False, steps
        plan = run(plim)
        opts.work.spend(step_work)
        steps += 1
        if plan is None:
            return pts, True, steps
        lat, per = inst.evaluate(plan)
        pts.append((lat, per, plan))
        opts.emit(f"step {steps}: latency {lat:.6g} s, period {per:.6g} s")
        plim = next_limit(per)


def output(
    inst: Instance,
    pts: Sequence[Point],
    *,
    proven: bool,
    partial_sweep: bool = False,
    info: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
) -> SolverOutput:
    """A :class:`SolverOutput` for the front of ``pts``.

    ``proven``: the points are the whole exact front (status OPTIMAL, bound = hypervolume;
    INFEASIBLE when there are none). ``partial_sweep``: the points are the low-latency part of
    the exact front found by an interrupted sweep, whose bound adds the box that the missing
    points could still cover (period below the last point's, latency above it).
    """
    info = dict(info or {})
    front = pareto_filter(pts)
    if not front:
        status = Status.INFEASIBLE if proven else Status.UNKNOWN
        return SolverOutput(None, status, info=info, params=params or {})
    solution = inst.front_solution(front)
    hv = inst.front_hypervolume([(lat, per) for lat, per, _ in front])
    info["points"] = len(front)
    if proven:
        return SolverOutput(
            solution, Status.OPTIMAL, bound=hv, objective=hv, info=info, params=params or {}
        )
    bound = None
    if partial_sweep:
        (z_lat, z_per), (r_lat, r_per) = inst.hv_box
        box = (r_lat - z_lat) * (r_per - z_per)
        lat, per, _ = front[-1]
        extra = max(0.0, r_lat - lat) * max(0.0, per - z_per)
        bound = min(1.0, hv + extra / box) if box > 0 else 1.0
        bound = max(bound, hv)
    return SolverOutput(
        solution, Status.FEASIBLE, bound=bound, objective=hv, info=info, params=params or {}
    )
