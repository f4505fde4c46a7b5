"""Shared helpers of the memory methods: solutions, greedy orders, mapping cost arrays."""

from __future__ import annotations

import functools
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


def _cover(inst: Instance, frac: float) -> np.ndarray:
    """Buffers live over the whole critical window: the time around the (first) moment of
    max load where the load stays at least ``frac`` x max load."""
    lo, up, sz, _al, _fx = inst.arrays
    times = np.unique(np.concatenate([lo, up]))
    a = np.searchsorted(times, lo)
    e = np.searchsorted(times, up)
    ns = max(1, len(times) - 1)
    diff = np.zeros(ns + 1, np.int64)
    np.add.at(diff, a, sz)
    np.add.at(diff, e, -sz)
    load = np.cumsum(diff)[:ns]
    t = int(np.argmax(load))
    high = load >= frac * load[t]
    low = np.flatnonzero(~high[:t])
    w0 = int(low[-1]) + 1 if low.size else 0
    low = np.flatnonzero(~high[t:])
    w1 = t + int(low[0]) if low.size else ns
    return (a <= w0) & (e >= w1)


def order_by(inst: Instance, rule: str) -> np.ndarray:
    """A placement order: ``size`` (largest first, then longest), ``start`` (earliest start,
    then largest), ``breadth`` (TFLite: by the max load over the buffer's life, then size),
    ``area`` (size x lifetime), ``length`` (longest life first); ``coverNN-<rule>``: the
    buffers live over the whole critical window (where the load stays >= NN % of the max
    load, around its peak) first, each group in ``<rule>`` order. Putting those first
    stacks them contiguously at the bottom, as an optimal placement of the window can."""
    lo, up, sz, _al, _fx = inst.arrays
    life = up - lo
    idx = np.arange(inst.n)
    if rule.startswith("cover"):
        head, _, rest = rule.partition("-")
        cov = _cover(inst, int(head[5:]) / 100.0)
        base = np.empty(inst.n, np.int64)
        base[order_by(inst, rest)] = idx
        return np.lexsort((base, ~cov))
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
    inst: Instance,
    rule: str,
    best_fit: bool = True,
    skip: bool | None = None,
    deadline: Any = None,
) -> np.ndarray | None:
    """Offsets from one greedy order (``skip``: leave what exceeds the capacity in slow
    memory; default for mapping instances). ``None`` if the ``deadline`` expires first."""
    lo, up, sz, al, fx = inst.arrays
    if skip is None:
        skip = inst.kind == "mapping"
    cap = inst.capacity if inst.capacity is not None else 0
    return _kernels.place(
        order_by(inst, rule), lo, up, sz, al, fx, cap, best_fit, skip, deadline=deadline
    )


def skyline(inst: Instance, rule: str, deadline: Any = None) -> np.ndarray | None:
    """Offsets from the bottom-up greedy (:func:`._kernels.skyline`), ties of the lowest
    offset broken by the ``rule`` order (allocation; the capacity is not enforced).
    ``None`` if the ``deadline`` expires first."""
    lo, up, sz, al, fx = inst.arrays
    rank = np.empty(inst.n, np.int64)
    rank[order_by(inst, rule)] = np.arange(inst.n)
    return _kernels.skyline(rank, lo, up, sz, al, fx, deadline=deadline)


#: Greedy variants tried by :func:`best_greedy`, cheap and strong ones first: (placement,
#: order); placement ``best``/``first`` (fit into gaps, :func:`greedy`) or ``skyline``.
VARIANTS = (
    ("skyline", "area"),
    ("skyline", "cover90-size"),
    ("best", "breadth"),
    ("best", "size"),
    ("skyline", "size"),
    ("skyline", "cover95-area"),
    ("skyline", "cover90-area"),
    ("skyline", "cover80-size"),
    ("first", "size"),
    ("first", "start"),
    ("best", "start"),
    ("best", "area"),
    ("best", "length"),
)


def run_variant(inst: Instance, fit: str, rule: str, deadline: Any = None) -> np.ndarray | None:
    """Offsets of one variant of :data:`VARIANTS` (allocation, overflow kept); ``None`` if
    the ``deadline`` expires first."""
    if fit == "skyline":
        return skyline(inst, rule, deadline)
    return greedy(inst, rule, fit == "best", skip=False, deadline=deadline)


def best_greedy(inst: Instance, deadline: Any = None) -> tuple[np.ndarray | None, str]:
    """The lowest-peak placement among the greedy variants (allocation), in the order of
    :data:`VARIANTS`; stops early at the lower bound. Every variant checks the ``deadline``
    as it runs and is dropped when it expires: ``(None, "")`` if not even the first one
    finished in time."""
    best: tuple[int, np.ndarray, str] | None = None
    lb = inst.lower_bound()
    for fit, rule in VARIANTS:
        if best is not None and (best[0] <= lb or (deadline is not None and deadline.expired())):
            break
        off = run_variant(inst, fit, rule, deadline)
        if off is None:
            break
        p = peak(inst, off)
        if best is None or p < best[0]:
            name = f"{rule}/skyline" if fit == "skyline" else f"{rule}/{fit}-fit"
            best = (p, off, name)
    if best is None:
        return None, ""
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


def per_step(ma: MappingArrays, values: np.ndarray) -> np.ndarray:
    """Sum of per-access ``values`` for each step (0 for a step without accesses)."""
    ns = ma.step_ptr.shape[0] - 1
    step = np.repeat(np.arange(ns), np.diff(ma.step_ptr))
    return np.bincount(step, weights=values, minlength=ns).astype(np.float64)


def step_times(ma: MappingArrays, in_fast: np.ndarray) -> np.ndarray:
    """Each step's time in a mapping (boolean "in fast memory" per buffer)."""
    per = np.where(in_fast[ma.step_buf], ma.inv_fast, ma.inv_slow) * ma.step_bytes
    return np.maximum(ma.compute, per_step(ma, per))


def mapping_cost(ma: MappingArrays, in_fast: np.ndarray) -> float:
    """Total time of a mapping (boolean "in fast memory" per buffer)."""
    return float(step_times(ma, in_fast).sum())


def xla_memory_boundedness(inst: Instance, ma: MappingArrays) -> np.ndarray:
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


@functools.cache
def warm_up() -> None:
    """Compile the memory kernels (placements, skyline, breadth, the mapping greedy and the
    canonical search) on tiny instances, once per process."""
    from ...core.timing import Deadline
    from ...models.memory import generate_allocation, generate_mapping
    from . import exact
    from .greedy import benefit_offsets

    alloc = generate_allocation(n=12, horizon=10, slack=0.0, seed=1)
    best_greedy(alloc, Deadline(60.0))
    for rule in ("size", "breadth", "start"):
        greedy(alloc, rule, True, skip=False, deadline=Deadline(60.0))
    exact.feasible(alloc, int(alloc.capacity or 0), Deadline(60.0))
    benefit_offsets(generate_mapping(12, seed=1))
