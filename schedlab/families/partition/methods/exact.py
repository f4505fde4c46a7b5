"""``exact``: the exact latency/period front with device selection and ordering (an
epsilon-constraint sweep of DPs over device classes, as PipeEdge's scheduler)."""

from __future__ import annotations

import math

import numpy as np

from ....core.errors import SolveError
from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ..model import Instance, Plan
from . import _kernels
from ._front import output, sweep

#: Default ``max_states``: larger DPs are refused (each state takes 24 bytes of tables).
MAX_STATES = 20_000_000


def _class_tables(
    inst: Instance,
) -> tuple[list[list[int]], np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """The kernel's tables, one row a device class (its first device represents it)."""
    classes = inst.device_classes
    a = inst.arrays
    L = inst.n_layers
    reps = np.array([c[0] for c in classes], dtype=np.int64)
    counts = np.array([min(len(c), L) for c in classes], dtype=np.int64)
    C = len(classes)
    radix = np.ones(C, dtype=np.int64)
    for c in range(1, C):
        radix[c] = radix[c - 1] * (counts[c - 1] + 1)
    n_sets = int(radix[-1] * (counts[-1] + 1))
    pre = np.ascontiguousarray(a["pre"][reps])
    fit = np.ascontiguousarray(a["fit"][reps])
    link = np.zeros((C, C, L + 1))
    for x in range(C):
        for y in range(C):
            if x != y:
                link[x, y] = a["link"][reps[x], reps[y]]
            elif len(classes[x]) > 1:
                link[x, y] = a["link"][classes[x][0], classes[x][1]]
    return classes, pre, fit, link, counts, radix, n_sets


def exact_states(inst: Instance) -> int:
    """Number of DP states of ``exact``: (L+1) x sets of classes x classes."""
    L = inst.n_layers
    classes = inst.device_classes
    sets = math.prod(min(len(c), L) + 1 for c in classes)
    return (L + 1) * sets * len(classes)


def _auto_exact(inst: Instance, time_limit: float | None) -> float | None:
    """``auto`` picks ``exact`` when its DP has at most 2 million states and, under a time
    limit, when its sweep is expected to end within half of it: about states x layers^2 /
    5e8 seconds (measured: 0.4-1.9e9 a second on a loaded 2-core machine; docs/auto.md).
    Cut off, its partial front is below ``dp``'s and ``greedy``'s (300 layers, 3 classes,
    16 devices, 1 s: 0.805 against 0.970 and 0.973)."""
    states = exact_states(inst)
    if states > 2_000_000:
        return None
    if time_limit is not None and states * inst.n_layers**2 / 5e8 > time_limit / 2:
        return None
    return 100.0


@register(
    "partition",
    "exact",
    exact=True,
    help="Exact front: sweep of DPs over (layers, multiset of device classes used), "
    "PipeEdge-style. Runs until the front is proved.",
    engine="numba",
    auto=_auto_exact,
    work="DP states (each sweep step is one DP over all its states)",
)
def solve_exact(
    inst: Instance, opts: SolveOptions, *, max_states: int = MAX_STATES
) -> SolverOutput:
    """The exact latency/period front with device selection and order.

    Devices with the same type, memory, bandwidth and latency (and no per-link override) are
    interchangeable, so a plan is a sequence of device *classes*; each sweep step is a DP
    over (layers done, how many devices of each class are used, class of the last stage)
    minimising latency then period with every stage and link at most the period bound, and
    the next bound is just below the point found, so each step yields one front point.
    Without a time limit the sweep runs until the whole front is proved; refuses instances
    with more than ``max_states`` DP states. A work limit counts DP states: each step costs
    :func:`exact_states`, and a step that would go beyond the limit is not started; the
    points found so far are then returned, FEASIBLE with the partial sweep's bound (the
    same on any machine).
    """
    inst = inst.reduced  # at most L devices of each class of equal ones
    n = exact_states(inst)
    if n > max_states:
        raise SolveError(
            f"exact: {n} DP states exceed max_states={max_states} "
            f"({len(inst.device_classes)} device classes)"
        )
    classes, pre, fit, link, counts, radix, n_sets = _class_tables(inst)
    eps = 1e-12 * max(1.0, inst.hv_box[1][0])

    def run(plim: float) -> Plan | None:
        lat, _, st = _kernels.class_dp(pre, fit, link, counts, radix, n_sets, plim, eps)
        if lat >= _kernels.INF:
            return None
        used = [0] * len(classes)
        plan = []
        for i, j, c in st:
            c = int(c)
            plan.append((int(i) + 1, int(j), classes[c][used[c]]))
            used[c] += 1
        return plan

    pts, complete, steps = sweep(inst, run, opts, step_work=n)
    info = {"states": n, "classes": len(classes), "steps": steps}
    return output(inst, pts, proven=complete, partial_sweep=not complete, info=info)
