"""Mapping helpers of the methods: the program as CSR arrays, XLA's memory-boundedness
benefit, the standalone benefit of a buffer, and the greedy mappings (XLA's order and the
marginal-benefit greedy) that ``xla``, ``benefit``, ``cpsat`` and ``mip`` share.

The objective of a mapping is :meth:`~schedlab.families.memory.model.Mapping.total_time`,
the checker's own function.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ....core.timing import clock
from ..model import Mapping
from ._placement import kernels

#: No deadline (:data:`schedlab.engines.jit.NO_DEADLINE`).
NO_DEADLINE = math.inf

#: Exponents of the lazy marginal-benefit greedy tried by :func:`benefit_offsets`.
GAMMAS = (0.5, 1.0)


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


def mapping_arrays(inst: Mapping) -> MappingArrays:
    """CSR form of the accesses (reads and writes of the same buffer merged per step)."""
    step, buf, nbytes, _compute = inst.accesses
    # merge repeated (step, buffer) accesses, each at its first position in the step
    key = np.lexsort((np.arange(step.shape[0]), buf, step))
    ks, kb = step[key], buf[key]
    new = np.ones(key.shape[0], dtype=bool)
    new[1:] = (ks[1:] != ks[:-1]) | (kb[1:] != kb[:-1])
    group = np.cumsum(new) - 1
    total = np.zeros(int(new.sum()), np.int64)
    np.add.at(total, group, nbytes[key])
    first = key[new]
    keep = np.argsort(first, kind="stable")
    arr = np.stack([step[first[keep]], buf[first[keep]], total[keep]], axis=1).reshape(-1, 3)
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


def per_step(ma: MappingArrays, values: np.ndarray) -> np.ndarray:
    """Sum of per-access ``values`` for each step (0 for a step without accesses)."""
    ns = ma.step_ptr.shape[0] - 1
    step = np.repeat(np.arange(ns), np.diff(ma.step_ptr))
    return np.bincount(step, weights=values, minlength=ns).astype(np.float64)


def xla_memory_boundedness(inst: Mapping, ma: MappingArrays) -> np.ndarray:
    """Per buffer, XLA's memory-boundedness benefit (``CostAnalysis::GetMemoryBoundedness``,
    before its division by sqrt(size)): at each access step with everything else in slow
    memory, a memory-bound step gains its memory time saved by this buffer alone (not capped
    at the compute time), a compute-bound one scores ``memory - compute`` (<= 0); the
    defining (first writing) step starts the sum, each use adds its gain when both are
    positive and otherwise the larger one is kept. A buffer never written (a parameter)
    starts at 0."""
    d = ma.inv_slow - ma.inv_fast
    mem = per_step(ma, ma.inv_slow * ma.step_bytes)

    def gain(s: int, nbytes: int) -> float:
        if mem[s] > ma.compute[s]:
            return float(nbytes * d)
        return float(mem[s] - ma.compute[s])

    defined: dict[int, float] = {}
    uses: dict[int, list[float]] = {}
    for s, st in enumerate(inst.steps):
        for j, nbytes in st.writes:
            if j in defined:
                uses.setdefault(j, []).append(gain(s, nbytes))
            else:
                defined[j] = gain(s, nbytes)
        for j, nbytes in st.reads:
            uses.setdefault(j, []).append(gain(s, nbytes))
    out = np.zeros(inst.n)
    for j in range(inst.n):
        ben = defined.get(j, 0.0)
        for u in uses.get(j, ()):
            ben = ben + u if ben > 0 and u > 0 else max(ben, u)
        out[j] = ben
    return out


def standalone_benefit(ma: MappingArrays, nb: int) -> np.ndarray:
    """Per buffer: time saved if it alone moves to fast memory (each step's gain capped at
    its compute time, unlike :func:`xla_memory_boundedness`)."""
    mem = per_step(ma, ma.inv_slow * ma.step_bytes)
    base = np.maximum(ma.compute, mem)
    out = np.zeros(nb)
    for b in range(nb):
        a, e = ma.buf_ptr[b], ma.buf_ptr[b + 1]
        s = ma.buf_step[a:e]
        d = ma.buf_bytes[a:e] * (ma.inv_slow - ma.inv_fast)
        out[b] = float((base[s] - np.maximum(ma.compute[s], mem[s] - d)).sum())
    return out


def xla_offsets(inst: Mapping, ma: MappingArrays | None = None) -> np.ndarray:
    """XLA memory-space-assignment order: memory-boundedness benefit / sqrt(size)
    (:func:`xla_memory_boundedness`), then size, then live-range length (all descending);
    best fit if it fits, else slow memory."""
    if ma is None:
        ma = mapping_arrays(inst)
    lo, up, sz, al, fx = inst.arrays
    ben = xla_memory_boundedness(inst, ma)
    key = ben / np.sqrt(np.maximum(sz, 1))
    order = np.lexsort((np.arange(inst.n), -(up - lo), -sz, -key))
    order = order[ben[order] > 0]
    cap = int(inst.capacity or 0)
    out = kernels().place(order, lo, up, sz, al, fx, cap, True, True)
    assert out is not None  # no deadline: the placement always finishes
    return out


def benefit_offsets(
    inst: Mapping, deadline: float = NO_DEADLINE, ma: MappingArrays | None = None
) -> np.ndarray:
    """Best of the lazy marginal-benefit greedies (exponents :data:`GAMMAS`, with and
    without the lifetime) and of XLA's order. Under a ``deadline`` (absolute
    ``perf_counter`` seconds) the greedies still to run are skipped once it passes, and one
    it interrupts keeps the buffers chosen so far (XLA's order always runs: the mapping
    returned is complete and valid)."""
    if ma is None:
        ma = mapping_arrays(inst)
    lo, up, sz, al, fx = inst.arrays
    cap = int(inst.capacity or 0)
    best = xla_offsets(inst, ma)
    best_cost = inst.total_time(best >= 0)
    for g in GAMMAS:
        for life in (True, False):
            if clock() >= deadline:
                return best
            off = kernels().map_greedy(
                lo, up, sz, al, fx, cap, ma.step_ptr, ma.step_buf, ma.step_bytes, ma.buf_ptr,
                ma.buf_step, ma.buf_bytes, ma.compute, ma.inv_fast, ma.inv_slow, g, life,
                float(deadline),
            )  # fmt: skip
            c = inst.total_time(off >= 0)
            if c < best_cost - 1e-9:
                best, best_cost = off, c
    return best
