"""``greedy``: balanced stages on the fastest devices, filled greedily to a bisected period."""

from __future__ import annotations

from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ..model import Instance, Plan, Point
from ._front import output


def _auto_greedy(inst: Instance, time_limit: float | None) -> float | None:
    """``auto`` falls back to ``greedy`` (below ``exact`` and ``dp``) on any instance: the
    choice when neither sweep is expected to end within half of the limit (docs/auto.md)."""
    return 10.0


def _fill(inst: Instance, seq: list[int], plim: float) -> Plan | None:
    """Greedy fill: each stage takes the longest run of layers whose compute is within
    ``plim`` and that fits in memory; ``None`` if the layers do not all fit."""
    a = inst.arrays
    pre, fit = a["pre"], a["fit"]
    L = inst.n_layers
    i = 0
    plan: Plan = []
    for d in seq:
        best = -1
        for j in range(i + 1, L + 1):
            if pre[d, j] - pre[d, i] > plim:
                break
            if fit[d, i, j]:
                best = j
        if best < 0:
            return None
        plan.append((i + 1, best, d))
        i = best
        if i == L:
            return plan
    return None


@register(
    "partition",
    "greedy",
    exact=False,
    help="For k = 1..#devices: the k fastest devices, stages filled greedily to a bisected "
    "period (at most `iterations` bisection steps each); constructive.",
    auto=_auto_greedy,
)
def solve_greedy(inst: Instance, opts: SolveOptions, *, iterations: int = 50) -> SolverOutput:
    """For each number of stages ``k``, take the ``k`` fastest devices (whole-model time,
    fastest first) and bisect the smallest compute bound under which a greedy fill (each
    stage the longest run of layers within the bound that fits in memory) covers the model;
    keep the non-dominated plans. Link times are not considered while filling. ``iterations``
    bounds the bisection steps of each ``k``; a time limit stops before the next ``k``."""
    inst = inst.reduced  # at most L devices of each class of equal ones
    a = inst.arrays
    pre = a["pre"]
    L = inst.n_layers
    speed = sorted(range(inst.n_devices), key=lambda d: (pre[d, L], -inst.device_mem(d), d))
    pts: list[Point] = []
    for k in range(1, inst.max_stages + 1):
        if opts.deadline.expired():
            break
        seq = speed[:k]
        hi = max(pre[d, L] for d in seq)
        if _fill(inst, seq, hi) is None:
            continue
        lo = 0.0
        for _ in range(iterations):
            mid = 0.5 * (lo + hi)
            if _fill(inst, seq, mid) is None:
                lo = mid
            else:
                hi = mid
            if hi - lo <= 1e-9 * max(1.0, hi):
                break
        plan = _fill(inst, seq, hi)
        if plan is not None and inst.plan_errors(plan) is None:
            pts.append((*inst.evaluate(plan), plan))
    return output(inst, pts, proven=False, params={"iterations": iterations})
