"""Greedy baselines: TFLite's greedy by size and by breadth, first fit by start time, a
portfolio of them and of bottom-up (skyline) placements, XLA's memory-space-assignment order
for mapping, and a marginal-benefit greedy for mapping."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...core import SolveError, SolveOptions, SolverOutput, Status, register
from ...models.memory import Instance
from . import _common, _kernels


def finish(
    inst: Instance, offsets: np.ndarray | None, info: dict[str, Any], proven: float | None = None
) -> SolverOutput:
    """Build the output: allocation solutions above the capacity are dropped (the peak goes
    to ``info``); status OPTIMAL when the objective meets the lower bound (or ``proven``)."""
    bound = inst.lower_bound()
    if proven is not None:
        bound = max(bound, proven)
    if offsets is None:
        return SolverOutput(solution=None, status=Status.UNKNOWN, bound=bound, info=info)
    if inst.kind == "allocation":
        p = _common.peak(inst, offsets)
        info = {**info, "peak": p, "peak_over_lb": p / bound if bound else 1.0}
        if inst.capacity is not None and p > inst.capacity:
            return SolverOutput(solution=None, status=Status.UNKNOWN, bound=bound, info=info)
        obj = float(p)
    else:
        obj = _common.mapping_cost(_common.mapping_arrays(inst), offsets >= 0)
    status = Status.OPTIMAL if obj <= bound * (1 + 1e-9) else Status.FEASIBLE
    if status is Status.OPTIMAL:
        bound = obj
    return SolverOutput(
        solution=_common.solution(inst, offsets), status=status, bound=bound, info=info
    )


def _greedy_method(name: str, rule: str, best_fit: bool, help: str) -> None:
    def run(inst: Instance, opts: SolveOptions) -> SolverOutput:
        off = _common.greedy(inst, rule, best_fit, deadline=opts.deadline)
        info = {"order": rule, "fit": "best" if best_fit else "first"}
        if off is None:
            info["stopped"] = "time limit before the placement finished"
        return finish(inst, off, info)

    run.__name__ = f"solve_{name.replace('-', '_')}"
    run.__doc__ = help
    register("memory", name, exact=False, help=help, warmup=_common.warm_up)(run)


_greedy_method(
    "greedy-size",
    "size",
    True,
    "TFLite greedy by size: largest first, into the best-fitting gap among overlapping buffers.",
)
_greedy_method(
    "greedy-breadth",
    "breadth",
    True,
    "TFLite greedy by breadth: buffers of the busiest moments first, by size, best fit.",
)
_greedy_method(
    "first-fit", "start", False, "First fit by start time: earliest first, into the lowest gap."
)


@register(
    "memory",
    "greedy-best",
    exact=False,
    help="Portfolio of greedy placements (skyline, best and first fit; several orders), "
    "lowest peak (allocation).",
    auto=lambda inst, tl: 10.0 if inst.kind == "allocation" else None,
    warmup=_common.warm_up,
)
def solve_greedy_best(inst: Instance, opts: SolveOptions) -> SolverOutput:
    """Try the greedy variants (:data:`._common.VARIANTS`) while time remains and keep the
    lowest peak; stops at the lower bound."""
    if inst.kind != "allocation":
        raise SolveError("greedy-best is for allocation instances (mapping: use benefit)")
    off, which = _common.best_greedy(inst, opts.deadline)
    info: dict[str, Any] = {"variant": which}
    if off is None:
        info["stopped"] = "time limit before the first placement finished"
    return finish(inst, off, info)


def _need_mapping(inst: Instance, name: str) -> None:
    if inst.kind != "mapping":
        raise SolveError(f"{name} is for mapping instances (kind 'mapping'), not allocation")


def xla_offsets(inst: Instance) -> np.ndarray:
    """XLA memory-space-assignment order: memory-boundedness benefit / sqrt(size)
    (:func:`._common.xla_memory_boundedness`), then size, then live-range length (all
    descending); best fit if it fits, else slow memory."""
    ma = _common.mapping_arrays(inst)
    lo, up, sz, al, fx = inst.arrays
    ben = _common.xla_memory_boundedness(inst, ma)
    key = ben / np.sqrt(np.maximum(sz, 1))
    order = np.lexsort((np.arange(inst.n), -(up - lo), -sz, -key))
    order = order[ben[order] > 0]
    cap = int(inst.capacity or 0)
    return _kernels.place(order, lo, up, sz, al, fx, cap, True, True)


@register(
    "memory",
    "xla",
    exact=False,
    help="XLA memory space assignment (mapping): benefit/sqrt(size) order, best fit if it fits.",
    warmup=_common.warm_up,
)
def solve_xla(inst: Instance, opts: SolveOptions) -> SolverOutput:
    """XLA's default mapping heuristic."""
    _need_mapping(inst, "xla")
    return finish(inst, xla_offsets(inst), {})


def benefit_offsets(inst: Instance, gammas: tuple[float, ...] = (0.5, 1.0)) -> np.ndarray:
    """Best of the lazy marginal-benefit greedies (and XLA's) over the given exponents."""
    ma = _common.mapping_arrays(inst)
    lo, up, sz, al, fx = inst.arrays
    cap = int(inst.capacity or 0)
    best = xla_offsets(inst)
    best_cost = _common.mapping_cost(ma, best >= 0)
    for g in gammas:
        for life in (True, False):
            off = _kernels.map_greedy(
                lo, up, sz, al, fx, cap, ma.step_ptr, ma.step_buf, ma.step_bytes, ma.buf_ptr,
                ma.buf_step, ma.buf_bytes, ma.compute, ma.inv_fast, ma.inv_slow, g, life,
            )  # fmt: skip
            c = _common.mapping_cost(ma, off >= 0)
            if c < best_cost - 1e-9:
                best, best_cost = off, c
    return best


@register(
    "memory",
    "benefit",
    exact=False,
    help="Mapping: lazy greedy on marginal time saved per (size x lifetime)^g, best fit.",
    auto=lambda inst, tl: 10.0 if inst.kind == "mapping" else None,
    warmup=_common.warm_up,
)
def solve_benefit(inst: Instance, opts: SolveOptions) -> SolverOutput:
    """Marginal-benefit greedy for mapping (keeps XLA's result if that is better)."""
    _need_mapping(inst, "benefit")
    return finish(inst, benefit_offsets(inst), {})
