"""Exact fronts: ``exhaustive`` (every plan), ``dp`` (a fixed device order) and ``exact``
(device selection and ordering, interchangeable devices as one class)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...core import SolveError, SolveOptions, SolverOutput, register
from ...models.partition import Instance, Plan, plans
from . import _kernels
from ._front import output, sweep

MAX_STATES = 20_000_000


# -- exhaustive -------------------------------------------------------------------------------
def _order_arg(inst: Instance, order: Any) -> list[int] | None:
    """``None`` (every order), or device indices from ``"instance"`` or a list of ids."""
    if order is None or order == "all":
        return None
    if order == "instance":
        return list(range(inst.n_devices))
    if isinstance(order, str):
        order = [s.strip() for s in order.split(",") if s.strip()]
    if not isinstance(order, list | tuple) or not order:
        raise SolveError('order must be "instance", "all" or a list of device ids')
    out = []
    for d in order:
        if d not in inst.device_index:
            raise SolveError(f"order: unknown device {d!r}")
        out.append(inst.device_index[d])
    if len(set(out)) != len(out):
        raise SolveError("order lists a device twice")
    return out


def count_plans(inst: Instance, order: Sequence[int] | None) -> int:
    """How many plans :func:`schedlab.models.partition.plans` enumerates."""
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
    help="Every plan, filtered (tiny cases; the tests' reference).",
)
def solve_exhaustive(
    inst: Instance, opts: SolveOptions, *, order: Any = None, max_plans: int = 300_000
) -> SolverOutput:
    """Enumerate every plan (with ``order``: devices taken as a subsequence of that order, a
    list of ids or ``"instance"``), check memory and filter the dominated ones."""
    idx = _order_arg(inst, order)
    n = count_plans(inst, idx)
    if n > max_plans:
        raise SolveError(f"exhaustive: {n} plans exceed max_plans={max_plans}")
    pts: list[tuple[float, float, Plan]] = []
    complete = True
    for k, plan in enumerate(plans(inst, idx)):
        if k % 2048 == 0 and opts.deadline.expired():
            complete = False
            break
        if inst.plan_errors(plan) is None:
            pts.append((*inst.evaluate(plan), plan))
    # with an order the front is that order's only: OPTIMAL needs every order
    return output(inst, pts, proven=complete and idx is None, info={"plans": n})


# -- dp: a fixed device order -----------------------------------------------------------------
def _order_run(inst: Instance, seq: Sequence[int]):
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


@register(
    "partition",
    "dp",
    exact=True,
    help="Exact front for a fixed device order (epsilon-constraint sweep of DPs, as Alpa).",
)
def solve_dp(inst: Instance, opts: SolveOptions, *, order: Any = "instance") -> SolverOutput:
    """Stages take devices as a subsequence of ``order`` (``"instance"``: the instance's
    device order; a list of ids; ``"all"``: every order up to interchangeable devices, whose
    union is the exact front). For each order, the sweep lowers the period bound below the
    last point's and solves min latency by DP over (layers done, last device position)."""
    idx = _order_arg(inst, order)
    orders = _class_orders(inst) if idx is None else [idx]
    pts: list[tuple[float, float, Plan]] = []
    complete = True
    steps = 0
    for seq in orders:
        got, done, n = sweep(inst, _order_run(inst, seq), opts)
        pts += got
        steps += n
        if not done:
            complete = False
            break
    # A fixed order's front is exact for that order only: OPTIMAL needs order="all".
    info = {"orders": len(orders), "steps": steps, "order_fronts_complete": complete}
    return output(inst, pts, proven=complete and idx is None, info=info)


# -- exact: device classes --------------------------------------------------------------------
def _class_tables(inst: Instance):
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
    return 100.0 if exact_states(inst) <= 2_000_000 else None


@register(
    "partition",
    "exact",
    exact=True,
    help="Exact front: sweep of DPs over (layers, multiset of device classes used), PipeEdge-style.",
    auto=_auto_exact,
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
    """
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

    pts, complete, steps = sweep(inst, run, opts)
    info = {"states": n, "classes": len(classes), "steps": steps}
    return output(inst, pts, proven=complete, partial_sweep=not complete, info=info)
