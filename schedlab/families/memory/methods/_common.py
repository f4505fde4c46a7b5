"""Shared helpers of the memory methods: solutions from offset arrays, hints, the peak,
the kind check, and the output of a placement."""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from ....core import SolveError, SolverOutput, Status
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
    """``{"offsets": {id: offset or None}}`` from an offsets array (-1: slow memory)."""
    return {
        "offsets": {
            b.id: (None if offsets[i] < 0 else int(offsets[i])) for i, b in enumerate(inst.buffers)
        }
    }


def hint_offsets(inst: MemoryInstance, hint: dict[str, Any] | None) -> np.ndarray | None:
    """A (checked) hint solution as an offsets array, or ``None``."""
    if not hint:
        return None
    offs = hint["offsets"]
    return np.array([-1 if offs[b.id] is None else int(offs[b.id]) for b in inst.buffers], np.int64)


def peak(inst: MemoryInstance, offsets: np.ndarray) -> int:
    """Highest end of a placed buffer (0 if none)."""
    sz = inst.arrays[2]
    m = offsets >= 0
    return int((offsets[m] + sz[m]).max()) if m.any() else 0


def finish(
    inst: MemoryInstance,
    offsets: np.ndarray | None,
    info: dict[str, Any],
    proven: float | None = None,
) -> SolverOutput:
    """Build the output: allocation solutions above the capacity are dropped (the peak goes
    to ``info``); status OPTIMAL when the objective meets the lower bound (or ``proven``)."""
    bound = inst.lower_bound()
    if proven is not None:
        bound = max(bound, proven)
    if offsets is None:
        return SolverOutput(solution=None, status=Status.UNKNOWN, bound=bound, info=info)
    if isinstance(inst, Mapping):
        obj = inst.total_time(offsets >= 0)
    else:
        p = peak(inst, offsets)
        info = {**info, "peak": p, "peak_over_lb": p / bound if bound else 1.0}
        if inst.capacity is not None and p > inst.capacity:
            return SolverOutput(solution=None, status=Status.UNKNOWN, bound=bound, info=info)
        obj = float(p)
    status = Status.OPTIMAL if obj <= bound * (1 + 1e-9) else Status.FEASIBLE
    if status is Status.OPTIMAL:
        bound = obj
    return SolverOutput(solution=solution(inst, offsets), status=status, bound=bound, info=info)
