"""Greedy placements of allocation: placement orders, best/first fit into gaps, bottom-up
(skyline) placement, and the portfolio of variants (:func:`best_greedy`).

Deadlines are absolute ``perf_counter`` seconds (:mod:`schedlab.engines.jit`'s convention;
``NO_DEADLINE`` for none): every placement runs in slices and gives up when it passes.

The compiled kernels (:mod:`._kernels`) are imported on first use: until a method's warm-up
(:func:`warm_sliced`) has loaded them, a small instance (:data:`._pyplace.SMALL` buffers) is
placed by the same algorithm in Python (:mod:`._pyplace`), so that a fresh process answers a
small placement without loading numba at all.
"""

from __future__ import annotations

import math
import sys
from types import ModuleType

import numpy as np

from ....core.timing import clock
from ..model import Mapping, MemoryInstance
from . import _pyplace
from ._common import peak

#: No deadline (:data:`schedlab.engines.jit.NO_DEADLINE`).
NO_DEADLINE = math.inf

_READY = False


def kernels() -> ModuleType:
    """The compiled kernels' module (imported, and numba with it, on first call)."""
    from . import _kernels

    return _kernels


def in_python(inst: MemoryInstance) -> bool:
    """Whether a placement of ``inst`` runs in Python: a small instance while the kernels
    are not loaded (see the module's docstring)."""
    return not _READY and inst.n <= _pyplace.SMALL


def needs_kernels(inst: MemoryInstance) -> bool:
    """For ``Method.needs_kernels`` of the greedy rules: a warm-up is needed unless the
    instance is small enough for the Python placement and numba is not loaded yet (a fresh
    process; once numba is in, as in a service, loading the kernels is cheap and they are
    faster)."""
    return inst.n > _pyplace.SMALL or "numba" in sys.modules


def _cover(inst: MemoryInstance, frac: float) -> np.ndarray:
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
    result: np.ndarray = (a <= w0) & (e >= w1)
    return result


def order_by(inst: MemoryInstance, rule: str) -> np.ndarray:
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
        br = (_pyplace if in_python(inst) else kernels()).breadth(lo, up, sz, times)
        return np.lexsort((idx, -sz, br[:, 1], -br[:, 0]))
    if rule == "area":
        return np.lexsort((idx, lo, -sz, -(sz * life)))
    if rule == "length":
        return np.lexsort((idx, -sz, lo, -life))
    raise ValueError(rule)


def greedy(
    inst: MemoryInstance,
    rule: str,
    best_fit: bool = True,
    skip: bool | None = None,
    deadline: float = NO_DEADLINE,
    exclude: np.ndarray | None = None,
) -> np.ndarray | None:
    """Offsets from one greedy order (``skip``: leave what exceeds the capacity in slow
    memory; default for mapping instances; ``exclude``: a mask of buffers left out, in
    slow memory). ``None`` if the ``deadline`` passes first."""
    lo, up, sz, al, fx = inst.arrays
    if skip is None:
        skip = isinstance(inst, Mapping)
    cap = inst.capacity if inst.capacity is not None else 0
    order = order_by(inst, rule)
    if exclude is not None:
        order = order[~exclude[order]]
    if in_python(inst):
        return _pyplace.place(order, lo, up, sz, al, fx, cap, best_fit, skip)
    return kernels().place(order, lo, up, sz, al, fx, cap, best_fit, skip, deadline=deadline)


def compact(
    inst: MemoryInstance, hint: np.ndarray, exclude: np.ndarray | None = None
) -> np.ndarray:
    """A feasible placement (``hint``: offsets, -1 for slow memory) pushed down: first fit
    in increasing hinted offsets (fixed buffers first). Each buffer lands at or below its
    hinted offset (the buffers placed before it end at or below that offset, or are fixed
    where the hint has them), so the peak never rises, and the buffers in memory stay those
    of the hint (minus ``exclude``)."""
    lo, up, sz, al, fx = inst.arrays
    keep = (hint >= 0) & (fx < 0)
    if exclude is not None:
        keep &= ~exclude
    idx = np.flatnonzero(keep)
    order = idx[np.lexsort((idx, hint[idx]))]
    cap = inst.capacity if inst.capacity is not None else 0
    if in_python(inst):
        return _pyplace.place(order, lo, up, sz, al, fx, cap, False, False)
    out = kernels().place(order, lo, up, sz, al, fx, cap, False, False)
    assert out is not None  # no deadline: the placement always finishes
    return out


def skyline(inst: MemoryInstance, rule: str, deadline: float = NO_DEADLINE) -> np.ndarray | None:
    """Offsets from the bottom-up greedy (:func:`._kernels.skyline`), ties of the lowest
    offset broken by the ``rule`` order (allocation; the capacity is not enforced).
    ``None`` if the ``deadline`` passes first."""
    lo, up, sz, al, fx = inst.arrays
    rank = np.empty(inst.n, np.int64)
    rank[order_by(inst, rule)] = np.arange(inst.n)
    return kernels().skyline(rank, lo, up, sz, al, fx, deadline=deadline)


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


#: Buffers above which ``best_greedy`` under a time limit starts with greedy-size.
LARGE_TRACE = 50_000


def run_variant(
    inst: MemoryInstance, fit: str, rule: str, deadline: float = NO_DEADLINE
) -> np.ndarray | None:
    """Offsets of one variant of :data:`VARIANTS` (allocation, overflow kept); ``None`` if
    the ``deadline`` passes first."""
    if fit == "skyline":
        return skyline(inst, rule, deadline)
    return greedy(inst, rule, fit == "best", skip=False, deadline=deadline)


def best_greedy(
    inst: MemoryInstance, deadline: float = NO_DEADLINE, start: np.ndarray | None = None
) -> tuple[np.ndarray | None, str]:
    """The lowest-peak placement among the greedy variants (allocation), in the order of
    :data:`VARIANTS`; stops early at the lower bound. Every variant checks the ``deadline``
    as it runs and is dropped when it passes: ``(None, "")`` if not even the first one
    finished in time. ``start``: a placement to beat (e.g. a compacted hint), named
    ``"hint"`` when no variant does better."""
    best: tuple[int, np.ndarray, str] | None = None
    if start is not None:
        best = (peak(inst, start), start, "hint")
    lb = max(inst.max_load, inst.fixed_top)
    variants: tuple[tuple[str, str], ...] = VARIANTS
    if deadline != NO_DEADLINE and inst.n > LARGE_TRACE:
        # under a time limit on a large trace, the variant measured fastest on dense ones
        # (greedy-size: 12 s for 200,000 buffers of a real trace, where the skylines and
        # first fit do not end in 30 s) goes first, so that a placement is kept
        variants = (("best", "size"), *(v for v in VARIANTS if v != ("best", "size")))
    for fit, rule in variants:
        if best is not None and (best[0] <= lb or clock() >= deadline):
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


def warm_sliced() -> None:
    """Compile the placement in slices (a solve under a time limit), which the family's
    samples, solved without one, do not reach (they place in one kernel call): the
    ``warmup`` of every method that places greedily. From then on every placement uses the
    kernels."""
    global _READY
    _kernels = kernels()
    lo = np.array([0, 1, 0], np.int64)
    up = np.array([2, 3, 3], np.int64)
    sz = np.array([4, 4, 2], np.int64)
    al = np.ones(3, np.int64)
    fx = np.full(3, -1, np.int64)
    order = np.arange(3, dtype=np.int64)
    far = clock() + 1e9
    for best_fit, skip in ((True, False), (False, True)):
        _kernels.place(order, lo, up, sz, al, fx, 0, best_fit, skip, deadline=far)
    _kernels.warm_place()  # both ways of placing (by the density of an instance)
    _kernels.breadth(lo, up, sz, np.unique(np.concatenate([lo, up])))  # small ones: Python
    _READY = True
