"""Shared helpers of the memory methods: solutions from offset arrays, hints, the peak,
the kind check, and the output of a placement (pinned or not)."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

import numpy as np

from ....core import SolutionError, SolveError, SolveOptions, SolverOutput, Status
from ..model import Mapping, MemoryInstance

#: The family's name, as methods register under it.
FAMILY = "memory"

K = TypeVar("K", bound=MemoryInstance)


def require(inst: MemoryInstance, kind: type[K], method: str, other: str) -> K:
    """``inst`` as the ``kind`` the method solves; a :class:`SolveError` for the other kind
    (``other``: the methods to use for it)."""
    if not isinstance(inst, kind):
        raise SolveError(
            f"{method} is for {kind.kind} instances, not {inst.kind} ({inst.kind}: use {other})"
        )
    return inst


def solution(inst: MemoryInstance, offsets: np.ndarray) -> dict[str, Any]:
    """``{"offsets": {id: offset or None}, "offset_list": [...]}`` from an offsets array
    (-1: slow memory): keyed by the buffers' ids as given, and in buffer order."""
    lst: list[Any] = offsets.tolist()
    if inst.slow_memory and (offsets < 0).any():
        lst = [None if o < 0 else o for o in lst]
    return {"offsets": dict(zip(inst.ids, lst, strict=True)), "offset_list": lst}


def hint_offsets(inst: MemoryInstance, hint: dict[str, Any] | None) -> np.ndarray | None:
    """A (checked) hint solution as an offsets array (-1: slow memory), or ``None``."""
    if not hint:
        return None
    return np.array([-1 if o is None else o for o in inst.offset_list(hint)], np.int64)


def usable_hint(
    inst: MemoryInstance, opts: SolveOptions, info: dict[str, Any]
) -> np.ndarray | None:
    """The options' hint as offsets, if it is a solution of ``inst`` (a pinned instance may
    reject a hint of the original: it is then ignored, and ``info["hint"]`` says why)."""
    if not opts.hint:
        return None
    try:
        inst.check(opts.hint)
    except SolutionError as e:
        info["hint"] = f"ignored: {e}"
        opts.emit(f"hint ignored: {e}")
        return None
    return hint_offsets(inst, opts.hint)


def peak(inst: MemoryInstance, offsets: np.ndarray) -> int:
    """Highest end of a placed buffer (0 if none)."""
    sz = inst.arrays[2]
    m = offsets >= 0
    if m.all():
        return int((offsets + sz).max()) if offsets.shape[0] else 0
    return int((offsets[m] + sz[m]).max()) if m.any() else 0


def objective(inst: MemoryInstance, offsets: np.ndarray) -> float:
    """The objective of an offsets array (-1: slow memory): the total time of a mapping,
    the peak of an allocation."""
    if isinstance(inst, Mapping):
        return inst.total_time(offsets >= 0)
    return float(peak(inst, offsets))


def int_bound(inst: MemoryInstance) -> int:
    """An allocation's lower bound as an exact integer (max load, highest fixed end): the
    peaks are compared with it exactly, never through floats (sizes reach 2**62)."""
    return max(inst.max_load, inst.fixed_top)


def finish(
    inst: MemoryInstance,
    offsets: np.ndarray | None,
    info: dict[str, Any],
    proven: float | None = None,
) -> SolverOutput:
    """Build the output: allocation solutions above the capacity are dropped (the peak goes
    to ``info``); status OPTIMAL when the objective meets the lower bound (or ``proven``,
    an integer for an allocation)."""
    if inst.kind == "msa":
        raise SolveError("this method places whole-life buffers; msa instances: use xla or cpsat")
    if isinstance(inst, Mapping):
        bound = inst.lower_bound()
        if proven is not None:
            bound = max(bound, proven)
        if offsets is None:
            return SolverOutput(solution=None, status=Status.UNKNOWN, bound=bound, info=info)
        obj = inst.total_time(offsets >= 0)
        if obj <= bound * (1 + 1e-9):
            return SolverOutput(solution(inst, offsets), Status.OPTIMAL, bound=obj, info=info)
        return SolverOutput(solution(inst, offsets), Status.FEASIBLE, bound=bound, info=info)
    lb = int_bound(inst)
    if proven is not None:
        lb = max(lb, int(proven))
    if offsets is None:
        return SolverOutput(solution=None, status=Status.UNKNOWN, bound=float(lb), info=info)
    # every buffer of an allocation is placed
    p = int((offsets + inst.arrays[2]).max()) if offsets.shape[0] else 0
    info["peak"] = p
    info["peak_over_lb"] = p / lb if lb else 1.0
    if inst.capacity is not None and p > inst.capacity:
        return SolverOutput(solution=None, status=Status.UNKNOWN, bound=float(lb), info=info)
    if p <= lb:
        return SolverOutput(solution(inst, offsets), Status.OPTIMAL, bound=float(p), info=info)
    return SolverOutput(solution(inst, offsets), Status.FEASIBLE, bound=float(lb), info=info)


def unpin(inst: MemoryInstance, out: SolverOutput) -> SolverOutput:
    """The output of a search of the pinned problem, restated for the original ``inst``: the
    pinned problem's optimum is not the original's, so OPTIMAL only where the objective meets
    a lower bound of the original (its own); otherwise FEASIBLE with that bound, and
    ``info["pinned_optimal"]`` says whether the pinned problem was solved to optimality. A
    pinned problem proved infeasible leaves the original UNKNOWN
    (``info["pinned_infeasible"]``)."""
    info = dict(out.info)
    lb = inst.lower_bound()
    if out.status is Status.INFEASIBLE:
        info["pinned_infeasible"] = True
        return dataclasses.replace(out, status=Status.UNKNOWN, bound=lb, info=info)
    info["pinned_optimal"] = out.status is Status.OPTIMAL
    if out.solution is None:
        return dataclasses.replace(out, status=Status.UNKNOWN, bound=lb, info=info)
    off = np.array([-1 if o is None else o for o in out.solution["offset_list"]], np.int64)
    if isinstance(inst, Mapping):
        obj = inst.total_time(off >= 0)
        met = obj <= lb * (1 + 1e-9)
    else:
        obj = peak(inst, off)
        met = obj <= int_bound(inst)
    if met:
        return dataclasses.replace(out, status=Status.OPTIMAL, bound=float(obj), info=info)
    return dataclasses.replace(out, status=Status.FEASIBLE, bound=lb, info=info)
