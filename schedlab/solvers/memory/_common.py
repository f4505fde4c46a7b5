"""Shared helpers of the memory methods: solutions, greedy orders, mapping cost arrays."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...models.memory import Instance
from . import _kernels


def solution(inst: Instance, offsets: np.ndarray) -> dict[str, Any]:
    """``{"offsets": {id: offset or None}}`` from an offsets array (-1: slow memory)."""
    return {
        "offsets": {
            b.id: (None if offsets[i] < 0 else int(offsets[i])) for i, b in enumerate(inst.buffers)
        }
    }


def hint_offsets(inst: Instance, hint: dict[str, Any] | None) -> np.ndarray | None:
    """A (checked) hint solution as an offsets array, or ``None``."""
    if not hint:
        return None
    offs = hint["offsets"]
    return np.array([-1 if offs[b.id] is None else int(offs[b.id]) for b in inst.buffers], np.int64)


def peak(inst: Instance, offsets: np.ndarray) -> int:
    """Highest end of a placed buffer (0 if none)."""
    sz = inst.arrays[2]
    m = offsets >= 0
    return int((offsets[m] + sz[m]).max()) if m.any() else 0


def order_by(inst: Instance, rule: str) -> np.ndarray:
    """A placement order: ``size`` (largest first, then longest), ``start`` (earliest start,
    then largest), ``breadth`` (TFLite: by the max load over the buffer's life, then size),
    ``area`` (size x lifetime), ``length`` (longest life first)."""
    lo, up, sz, _al, _fx = inst.arrays
    life = up - lo
    idx = np.arange(inst.n)
    if rule == "size":
        return np.lexsort((idx, lo, -life, -sz))
    if rule == "start":
        return np.lexsort((idx, -life, -sz, lo))
    if rule == "breadth":
        times = np.unique(np.concatenate([lo, up]))
        br = _kernels.breadth(lo, up, sz, times)
        return np.lexsort((idx, -sz, br[:, 1], -br[:, 0]))
    if rule == "area":
        return np.lexsort((idx, lo, -sz, -(sz * life)))
    if rule == "length":
        return np.lexsort((idx, -sz, lo, -life))
    raise ValueError(rule)


def greedy(
    inst: Instance, rule: str, best_fit: bool = True, skip: bool | None = None
) -> np.ndarray:
    """Offsets from one greedy order (``skip``: leave what exceeds the capacity in slow
    memory; default for mapping instances)."""
    lo, up, sz, al, fx = inst.arrays
    if skip is None:
        skip = inst.kind == "mapping"
    cap = inst.capacity if inst.capacity is not None else 0
    return _kernels.place(order_by(inst, rule), lo, up, sz, al, fx, cap, best_fit, skip)


#: Greedy variants tried by :func:`best_greedy`: (order, best fit?).
VARIANTS = (
    ("size", True),
    ("size", False),
    ("breadth", True),
    ("start", False),
    ("start", True),
    ("area", True),
    ("length", True),
)


def best_greedy(inst: Instance, deadline: Any = None) -> tuple[np.ndarray, str]:
    """The lowest-peak placement among the greedy variants (allocation). With a deadline,
    a variant starts only if the slowest one so far would still end in time (one placement
    cannot be interrupted); the first always runs."""
    best: tuple[int, np.ndarray, str] | None = None
    slowest = 0.0
    for rule, bf in VARIANTS:
        if best is not None and deadline is not None and deadline.remaining() < 1.2 * slowest:
            break
        t0 = time.perf_counter()
        off = greedy(inst, rule, bf, skip=False)
        slowest = max(slowest, time.perf_counter() - t0)
        p = peak(inst, off)
        if best is None or p < best[0]:
            best = (p, off, f"{rule}/{'best' if bf else 'first'}-fit")
    assert best is not None
    return best[1], best[2]


@dataclass(frozen=True)
class MappingArrays:
    """A mapping program as CSR arrays for the kernels."""

    step_ptr: np.ndarray  # step -> range into step_buf / step_bytes
    step_buf: np.ndarray
    step_bytes: np.ndarray
    buf_ptr: np.ndarray  # buffer -> range into buf_step / buf_bytes
    buf_step: np.ndarray
    buf_bytes: np.ndarray
    compute: np.ndarray
    inv_fast: float
    inv_slow: float


def mapping_arrays(inst: Instance) -> MappingArrays:
    """CSR form of the accesses (reads and writes of the same buffer merged per step)."""
    rows: list[tuple[int, int, int]] = []
    for s, st in enumerate(inst.steps):
        acc: dict[int, int] = {}
        for j, nbytes in (*st.reads, *st.writes):
            acc[j] = acc.get(j, 0) + nbytes
        rows.extend((s, j, v) for j, v in acc.items())
    arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
    ns, nb = len(inst.steps), inst.n
    step_ptr = np.zeros(ns + 1, np.int64)
    np.add.at(step_ptr, arr[:, 0] + 1, 1)
    step_ptr = np.cumsum(step_ptr)
    o = np.lexsort((arr[:, 1], arr[:, 0]))
    by_buf = np.lexsort((arr[:, 0], arr[:, 1]))
    buf_ptr = np.zeros(nb + 1, np.int64)
    np.add.at(buf_ptr, arr[:, 1] + 1, 1)
    buf_ptr = np.cumsum(buf_ptr)
    return MappingArrays(
        step_ptr=step_ptr,
        step_buf=arr[o, 1].copy(),
        step_bytes=arr[o, 2].copy(),
        buf_ptr=buf_ptr,
        buf_step=arr[by_buf, 0].copy(),
        buf_bytes=arr[by_buf, 2].copy(),
        compute=np.array([s.compute for s in inst.steps], dtype=np.float64),
        inv_fast=1.0 / float(inst.fast_bandwidth or 1.0),
        inv_slow=1.0 / float(inst.slow_bandwidth or 1.0),
    )


def mapping_cost(ma: MappingArrays, in_fast: np.ndarray) -> float:
    """Total time of a mapping (boolean "in fast memory" per buffer)."""
    per = np.where(in_fast[ma.step_buf], ma.inv_fast, ma.inv_slow) * ma.step_bytes
    mem = np.add.reduceat(per, ma.step_ptr[:-1]) if per.size else np.zeros(0)
    mem = np.where(np.diff(ma.step_ptr) > 0, mem, 0.0)
    return float(np.maximum(ma.compute, mem).sum())


def standalone_benefit(ma: MappingArrays, nb: int) -> np.ndarray:
    """Per buffer: time saved if it alone moves to fast memory (XLA's memory-boundedness)."""
    slow = np.zeros(nb, dtype=bool)
    per = ma.inv_slow * ma.step_bytes
    mem = np.add.reduceat(per, ma.step_ptr[:-1]) if per.size else np.zeros(0)
    mem = np.where(np.diff(ma.step_ptr) > 0, mem, 0.0)
    base = np.maximum(ma.compute, mem)
    del slow
    out = np.zeros(nb)
    for b in range(nb):
        a, e = ma.buf_ptr[b], ma.buf_ptr[b + 1]
        s = ma.buf_step[a:e]
        d = ma.buf_bytes[a:e] * (ma.inv_slow - ma.inv_fast)
        out[b] = float((base[s] - np.maximum(ma.compute[s], mem[s] - d)).sum())
    return out
