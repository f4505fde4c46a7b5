"""Baselines: ``split`` (one split point between two devices) and ``greedy`` (balanced
stages on the fastest devices)."""

from __future__ import annotations

from ...core import SolveError, SolveOptions, SolverOutput, register
from ...models.partition import Instance, Plan
from ._front import output


def _auto_greedy(inst: Instance, time_limit: float | None) -> float | None:
    return 10.0


def _candidates(inst: Instance) -> list[int]:
    """One device of each class, plus a second one where a class has two (for pairs)."""
    out: list[int] = []
    for c in inst.device_classes:
        out += c[:2]
    return out


@register(
    "partition",
    "split",
    exact=False,
    help="One split point between two devices (Neurosurgeon / ParetoPipe style).",
)
def solve_split(inst: Instance, opts: SolveOptions, *, pick: str = "front") -> SolverOutput:
    """Every plan of one device, or two devices with one split point, on every ordered pair.

    ``pick="front"`` keeps the non-dominated ones (ParetoPipe's sweep of split points);
    ``"latency"`` keeps only the least-latency plan (Neurosurgeon); ``"period"`` only the
    least-period plan.
    """
    if pick not in ("front", "latency", "period"):
        raise SolveError('split: pick must be "front", "latency" or "period"')
    L = inst.n_layers
    cand = _candidates(inst)
    plans: list[Plan] = [[(1, L, d)] for d in cand]
    for u in cand:
        for v in cand:
            if u != v:
                plans += [[(1, s, u), (s + 1, L, v)] for s in range(1, L)]
    pts = [(*inst.evaluate(p), p) for p in plans if inst.plan_errors(p) is None]
    if pick == "latency" and pts:
        pts = [min(pts, key=lambda t: (t[0], t[1]))]
    elif pick == "period" and pts:
        pts = [min(pts, key=lambda t: (t[1], t[0]))]
    return output(inst, pts, proven=False, info={"plans": len(plans)}, params={"pick": pick})


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
    help="For k = 1..#devices: the k fastest devices, stages filled greedily to a bisected period.",
    auto=_auto_greedy,
)
def solve_greedy(inst: Instance, opts: SolveOptions, *, iterations: int = 50) -> SolverOutput:
    """For each number of stages ``k``, take the ``k`` fastest devices (whole-model time,
    fastest first) and bisect the smallest compute bound under which a greedy fill (each
    stage the longest run of layers within the bound that fits in memory) covers the model;
    keep the non-dominated plans. Link times are not considered while filling."""
    a = inst.arrays
    pre = a["pre"]
    L = inst.n_layers
    speed = sorted(range(inst.n_devices), key=lambda d: (pre[d, L], -inst.device_mem(d), d))
    pts = []
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
