"""``dp``: the exact front for a fixed device order (an epsilon-constraint sweep of DPs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ....core.errors import SolveError
from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ..model import Instance, Plan, Point
from . import _kernels
from ._front import PlanFn, output, sweep
from ._orders import parse_order

#: Largest link table (devices^2 x (layers + 1) floats, 8 bytes each) a fixed order builds.
MAX_LINK_ENTRIES = 50_000_000


def _order_run(inst: Instance, seq: Sequence[int]) -> PlanFn:
    """The sweep step for devices taken as a subsequence of ``seq``."""
    a = inst.arrays
    ix = np.asarray(seq, dtype=np.int64)
    pre = np.ascontiguousarray(a["pre"][ix])
    fit = np.ascontiguousarray(a["fit"][ix])
    link = np.ascontiguousarray(a["link"][np.ix_(ix, ix)])
    eps = 1e-12 * max(1.0, inst.hv_box[1][0])

    def run(plim: float) -> Plan | None:
        lat, _, st = _kernels.order_dp(pre, fit, link, plim, eps)
        if lat >= _kernels.INF:
            return None
        return [(int(i) + 1, int(j), int(seq[int(k)])) for i, j, k in st]

    return run


def _class_orders(inst: Instance) -> list[list[int]]:
    """Every distinct device order up to interchangeable devices (multiset permutations of
    the classes; the k-th use of a class takes its k-th device)."""
    classes = inst.device_classes
    counts = [len(c) for c in classes]
    n = sum(counts)
    out: list[list[int]] = []
    seq: list[int] = []

    def rec() -> None:
        if len(seq) == n:
            used = [0] * len(classes)
            devs = []
            for c in seq:
                devs.append(classes[c][used[c]])
                used[c] += 1
            out.append(devs)
            return
        for c in range(len(classes)):
            if counts[c]:
                counts[c] -= 1
                seq.append(c)
                rec()
                seq.pop()
                counts[c] += 1

    rec()
    return out


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    """``auto`` picks ``dp`` (the exact front for the instance's device order) where
    ``exact`` does not fit and the sweep is expected to end within half of the limit (30 s
    without one): about (layers + 1) x devices x layers^2 / 6e8 seconds (docs/auto.md). Its
    front is above ``greedy``'s on every measured instance it finishes (300 layers, 3
    classes, 16 devices, 5 s: 0.977 against 0.973)."""
    L, D = inst.n_layers, inst.n_devices
    if D * D * (L + 1) > MAX_LINK_ENTRIES:
        return None
    seconds = (L + 1) * D * L**2 / 6e8
    if seconds > (30.0 if time_limit is None else time_limit / 2):
        return None
    return 50.0


@register(
    "partition",
    "dp",
    exact=True,
    help="Exact front for a fixed device order (epsilon-constraint sweep of DPs, as Alpa). "
    "Runs until the sweep ends.",
    engine="numba",
    auto=_auto,
    work="DP states (each sweep step is one DP over (layers done, last device position))",
)
def solve_dp(inst: Instance, opts: SolveOptions, *, order: Any = "instance") -> SolverOutput:
    """Stages take devices as a subsequence of ``order`` (``"instance"``: the instance's
    device order; a list of ids; ``"all"``: every order up to interchangeable devices, whose
    union is the exact front). For each order, the sweep lowers the period bound below the
    last point's and solves min latency by DP over (layers done, last device position).
    Without a time limit every sweep runs to its end. A work limit counts DP states: each
    step costs (L + 1) x #devices of the order, and a step that would go beyond the limit is
    not started (the points found so far are returned, never as OPTIMAL)."""
    if order is None or order == "all":  # any order: at most L devices of a class matter
        inst = inst.reduced
    idx = parse_order(inst, order)
    if idx is not None and inst.n_devices**2 * (inst.n_layers + 1) > MAX_LINK_ENTRIES:
        raise SolveError(
            f"dp: a fixed order over {inst.n_devices} devices needs link tables of "
            f"devices^2 x (layers + 1) > {MAX_LINK_ENTRIES:,} entries; use order='all' "
            "(which keeps at most L interchangeable devices of a kind), exact or greedy"
        )
    orders = _class_orders(inst) if idx is None else [idx]
    pts: list[Point] = []
    complete = True
    steps = 0
    for seq in orders:
        step = (inst.n_layers + 1) * len(seq)
        got, done, n = sweep(inst, _order_run(inst, seq), opts, step_work=step)
        pts += got
        steps += n
        if not done:
            complete = False
            break
    # A fixed order's front is exact for that order only: OPTIMAL needs order="all".
    info = {"orders": len(orders), "steps": steps, "order_fronts_complete": complete}
    return output(inst, pts, proven=complete and idx is None, info=info)
