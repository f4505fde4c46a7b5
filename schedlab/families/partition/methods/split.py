"""``split``: one split point between two devices (Neurosurgeon / ParetoPipe style)."""

from __future__ import annotations

from ....core.errors import SolveError
from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ..model import Instance, Plan
from ._front import output


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
    help="One split point between two devices (Neurosurgeon / ParetoPipe style); constructive.",
)
def solve_split(inst: Instance, opts: SolveOptions, *, pick: str = "front") -> SolverOutput:
    """Every plan of one device, or two devices with one split point, on every ordered pair.

    ``pick="front"`` keeps the non-dominated ones (ParetoPipe's sweep of split points);
    ``"latency"`` keeps only the least-latency plan (Neurosurgeon); ``"period"`` only the
    least-period plan.
    """
    inst = inst.reduced  # at most L devices of each class of equal ones
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
