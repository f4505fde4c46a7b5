"""Seeded generators of memory instances: mapping programs and random allocations."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...core.errors import InstanceError
from .model import Allocation, Buffer, Mapping, Step, max_load
from .msa import Msa


def generate_mapping(
    steps: int = 200,
    structure: str = "mixed",
    capacity_fraction: float = 0.25,
    seed: int = 0,
    name: str | None = None,
    *,
    bandwidth_ratio: float = 8.0,
    intensity: dict[str, tuple[float, float]] | None = None,
    weights: str = "step",
) -> Mapping:
    """A realistic mapping program, seeded.

    ``structure``: ``"chain"`` (conv-like chain with skip connections every few layers),
    ``"transformer"`` (blocks of layer norm, q/k/v projections, attention, MLP and residual
    adds) or ``"mixed"`` (both, alternating by segment). Each op is one step: it reads its
    inputs (activations, and a weight buffer prefetched for that step) and writes its output;
    an activation lives from its producer to its last consumer. Compute time is FLOPs / peak
    (compute = bytes touched / slow bandwidth x an intensity drawn per op kind: element-wise
    ops stay memory-bound, matmuls become compute-bound once in fast memory). Sizes in bytes
    (multiples of 1 KiB). Capacity = ``capacity_fraction`` x the max load.

    Variants (the defaults give the bundled benchmark programs): ``bandwidth_ratio`` = fast
    / slow bandwidth (8); ``intensity`` replaces the (low, high) range of some op kinds
    (``eltwise`` 0.03-0.1, ``matmul`` 0.2-0.9, ``attention`` 0.1-0.4; e.g. matmuls of
    0.03-0.1 model batch-1 decoding, memory-bound throughout); ``weights``: ``"step"`` (a
    weight buffer lives on its step only) or ``"parameter"`` (from step 0 to its use, as XLA's
    liveness treats entry parameters).
    """
    if steps < 2:
        raise InstanceError("a program needs at least 2 steps")
    if structure not in ("chain", "transformer", "mixed"):
        raise InstanceError(f"structure must be chain, transformer or mixed, got {structure!r}")
    if not 0 < capacity_fraction <= 1:
        raise InstanceError("capacity_fraction must lie in (0, 1]")
    if not bandwidth_ratio >= 1:
        raise InstanceError(f"bandwidth_ratio must be at least 1, got {bandwidth_ratio}")
    if weights not in ("step", "parameter"):
        raise InstanceError(f"weights must be step or parameter, got {weights!r}")
    # arithmetic intensity: compute time / (bytes touched / slow bandwidth), per op kind
    kinds = {"eltwise": (0.03, 0.1), "matmul": (0.2, 0.9), "attention": (0.1, 0.4)}
    for kind, span in (intensity or {}).items():
        if kind not in kinds:
            raise InstanceError(f"intensity: unknown op kind {kind!r} (known: {', '.join(kinds)})")
        low, high = span
        if not 0 <= low <= high:
            raise InstanceError(f"intensity of {kind}: need 0 <= low <= high, got {span}")
        kinds[kind] = (float(low), float(high))
    rng = np.random.default_rng(seed)
    kib = 1024
    slow_bw = 64.0 * kib  # bytes per time unit
    fast_bw = slow_bw * float(bandwidth_ratio)

    # ops: (compute, inputs (op numbers), weight size or 0, output size)
    ops: list[tuple[float, list[int], int, int]] = []
    out_size: list[int] = []  # size of each op's output buffer, indexed by op number

    def add(kind: str, inputs: list[int], wsize: int, osize: int) -> int:
        touched = sum(out_size[j] for j in inputs) + wsize + osize
        lo, hi = kinds[kind]
        compute = touched / slow_bw * float(rng.uniform(lo, hi))
        ops.append((round(compute, 6), inputs, wsize, osize))
        out_size.append(osize)
        return len(ops) - 1

    def chain_segment(x: int, length: int) -> int:
        width = int(rng.choice([64, 128, 256, 512])) * kib
        skip = x
        for k in range(length):
            if len(ops) >= steps:
                break
            inp = [x] if x >= 0 else []
            if k % 4 == 3 and skip >= 0:
                x = add("eltwise", [x, skip], 0, out_size[x])  # residual add
                skip = x
            elif rng.random() < 0.55:
                w = int(rng.integers(16, 257)) * kib
                osz = max(kib, int(width * rng.choice([0.5, 1, 1, 2])))
                x = add("matmul", inp, w, osz)  # convolution
            else:
                x = add("eltwise", inp, 0, out_size[x] if x >= 0 else width)
        return x

    def transformer_block(x: int) -> int:
        h = int(rng.choice([128, 256, 384])) * kib
        w = int(rng.choice([64, 128, 192])) * kib
        res = x
        ln = add("eltwise", [x] if x >= 0 else [], 0, h)  # layer norm
        q, k, v = (add("matmul", [ln], w, h) for _ in range(3))
        s = add("attention", [q, k], 0, h // 2)  # scores
        s = add("eltwise", [s], 0, h // 2)  # softmax
        a = add("attention", [s, v], 0, h)
        p = add("matmul", [a], w, h)
        x = add("eltwise", [p, res] if res >= 0 else [p], 0, h)  # residual add
        res = x
        x = add("eltwise", [x], 0, h)  # layer norm
        u = add("matmul", [x], 2 * w, 4 * h)
        g = add("eltwise", [u], 0, 4 * h)  # gelu
        d = add("matmul", [g], 2 * w, h)
        return add("eltwise", [d, res], 0, h)  # residual add

    x = -1
    seg = 0
    while len(ops) < steps:
        use_tf = structure == "transformer" or (structure == "mixed" and seg % 2 == 1)
        x = transformer_block(x) if use_tf else chain_segment(x, int(rng.integers(8, 25)))
        seg += 1
    ops = ops[:steps]

    # buffers: one output per op (live from its step to its last reader + 1), one weight per
    # op that has one (on its step, or from step 0 to it)
    last_use = list(range(len(ops)))
    for i, (_c, inputs, _w, _o) in enumerate(ops):
        for j in inputs:
            last_use[j] = max(last_use[j], i)
    buffers: list[Buffer] = []
    out_buf: dict[int, int] = {}
    wbuf: dict[int, int] = {}
    for i, (_c, _inputs, wsize, osize) in enumerate(ops):
        if wsize:
            wbuf[i] = len(buffers)
            wlo = 0 if weights == "parameter" else i
            buffers.append(Buffer(id=f"w{i}", lower=wlo, upper=i + 1, size=wsize))
        out_buf[i] = len(buffers)
        buffers.append(Buffer(id=f"a{i}", lower=i, upper=last_use[i] + 1, size=osize))
    step_list = []
    for i, (compute, inputs, _w, _o) in enumerate(ops):
        reads = [(out_buf[j], buffers[out_buf[j]].size) for j in inputs]
        if i in wbuf:
            reads.append((wbuf[i], buffers[wbuf[i]].size))
        writes = [(out_buf[i], buffers[out_buf[i]].size)]
        step_list.append(Step(compute, tuple(reads), tuple(writes)))
    cap = int(capacity_fraction * max_load(buffers))
    variant = "" if bandwidth_ratio == 8 else f"_bw{bandwidth_ratio:g}"
    variant += "".join(f"_{k[0]}{lo:g}-{hi:g}" for k, (lo, hi) in (intensity or {}).items())
    variant += "_par" if weights == "parameter" else ""
    label = name or (
        f"map_{structure}_n{steps}_c{int(round(100 * capacity_fraction))}_s{seed}{variant}"
    )
    return Mapping(
        buffers=tuple(buffers),
        capacity=cap,
        steps=tuple(step_list),
        fast_bandwidth=fast_bw,
        slow_bandwidth=slow_bw,
        name=label,
    )


def generate_allocation(
    n: int = 50,
    horizon: int = 100,
    slack: float = 0.0,
    seed: int = 0,
    name: str | None = None,
    max_life: int | None = None,
) -> Allocation:
    """Random allocation instance: ``n`` buffers on ``[0, horizon)``, each live at most
    ``max_life`` (default ``max(2, horizon // 4)``; a small one keeps the overlap of a long
    trace realistic: each buffer overlaps about ``n * max_life / horizon`` others); capacity
    = max load x (1 + slack) (``slack < 0``: no capacity, minimum-peak version)."""
    if n < 1 or horizon < 2:
        raise InstanceError("need n >= 1 and horizon >= 2")
    if max_life is not None and max_life < 1:
        raise InstanceError(f"need max_life >= 1, got {max_life}")
    extra = max(2, horizon // 4) if max_life is None else max_life - 1  # beyond one unit
    rng = np.random.default_rng(seed)
    bufs = []
    for i in range(n):
        lo = int(rng.integers(0, horizon - 1))
        up = int(rng.integers(lo + 1, min(horizon, lo + 1 + extra) + 1))
        bufs.append(Buffer(id=str(i), lower=lo, upper=up, size=int(rng.integers(1, 33))))
    cap = None if slack < 0 else int(math.ceil(max_load(bufs) * (1 + slack)))
    return Allocation(buffers=tuple(bufs), capacity=cap, name=name or f"alloc_n{n}_s{seed}")


#: Height (capacity) of the zero-slack rectangle: MiniMalloc's challenging suite's 2**20.
ZERO_SLACK_HEIGHT = 2**20


def zero_slack_packing(
    pieces: int = 200,
    seed: int = 0,
    removed: float = 0.0,
    *,
    horizon: int | None = None,
    height: int = ZERO_SLACK_HEIGHT,
    name: str | None = None,
) -> tuple[Allocation, dict[str, Any]]:
    """A zero-slack allocation instance and its witness placement.

    A time x address rectangle ``[0, horizon) x [0, height)`` is cut recursively into
    ``pieces`` rectangles by random guillotine cuts; each rectangle is a buffer (its time
    extent its lifetime, its address extent its size, its bottom the witness offset). The
    piece to cut next is drawn with probability proportional to its area, relative to the
    whole rectangle's (so the pieces stay of comparable area); it is cut across time or
    across addresses with probabilities proportional to its extents relative to
    ``horizon`` and ``height`` (so it tends to stay square in those units), at a point drawn
    uniformly in the middle half of its extent (at least 1 unit from either side); a piece of
    extent 1 in one direction is cut in the other, and one of extent 1 in both is not cut.
    ``removed``: the fraction of the pieces then dropped at random (rounded to a whole
    number). The capacity is always ``height``: with ``removed = 0`` it equals the max load
    (every moment of ``[0, horizon)`` is covered exactly once): no slack at all.

    ``horizon`` defaults to ``4 * pieces`` (lifetimes of a few to a few dozen time units,
    ``height`` 2**20 as in MiniMalloc's challenging suite, sizes of a few thousand to a few
    hundred thousand). This is the classic "perfect packing by construction" scheme of
    rectangle packing benchmarks (guillotine cuts); neither MiniMalloc nor idealloc ships a
    zero-slack generator. Buffer ids are ``0 .. n-1`` in random order (the order says
    nothing about the witness)."""
    if isinstance(pieces, bool) or not isinstance(pieces, int) or pieces < 1:
        raise InstanceError(f"pieces must be a positive integer, got {pieces!r}")
    if not 0 <= removed < 1:
        raise InstanceError(f"removed must lie in [0, 1), got {removed}")
    h = 4 * pieces if horizon is None else horizon
    if h < 1 or height < 1:
        raise InstanceError(f"horizon and height must be positive, got {h} and {height}")
    if pieces > h * height:
        raise InstanceError(f"cannot cut a {h} x {height} rectangle into {pieces} pieces")
    rng = np.random.default_rng(seed)
    # pieces as rows [t0, t1, y0, y1]
    rects = [(0, h, 0, height)]
    while len(rects) < pieces:
        areas = np.array(
            [(t1 - t0) / h * ((y1 - y0) / height) for t0, t1, y0, y1 in rects], dtype=float
        )
        areas[[(t1 - t0) < 2 and (y1 - y0) < 2 for t0, t1, y0, y1 in rects]] = 0.0
        k = int(rng.choice(len(rects), p=areas / areas.sum()))
        t0, t1, y0, y1 = rects[k]
        wt, wy = (t1 - t0) / h, (y1 - y0) / height
        if t1 - t0 < 2:
            across_time = False
        elif y1 - y0 < 2:
            across_time = True
        else:
            across_time = bool(rng.random() < wt / (wt + wy))
        lo, hi = (t0, t1) if across_time else (y0, y1)
        span = hi - lo
        first = max(lo + 1, lo + span // 4)
        last = min(hi - 1, hi - span // 4)
        cut = int(rng.integers(first, last + 1))
        if across_time:
            rects[k : k + 1] = [(t0, cut, y0, y1), (cut, t1, y0, y1)]
        else:
            rects[k : k + 1] = [(t0, t1, y0, cut), (t0, t1, cut, y1)]
    drop = int(round(removed * len(rects)))
    order = rng.permutation(len(rects))[drop:]
    order = rng.permutation(order)
    bufs = []
    offsets: dict[str | int, int] = {}
    for i, k in enumerate(order):
        t0, t1, y0, y1 = rects[int(k)]
        bufs.append(Buffer(id=i, lower=t0, upper=t1, size=y1 - y0))
        offsets[i] = y0
    label = name or (f"zeroslack_p{pieces}" + (f"_r{removed:g}" if removed else "") + f"_s{seed}")
    inst = Allocation(buffers=tuple(bufs), capacity=height, name=label)
    return inst, {"offsets": offsets, "offset_list": [offsets[i] for i in range(len(bufs))]}


def generate_zero_slack(
    pieces: int = 200,
    seed: int = 0,
    removed: float = 0.0,
    *,
    horizon: int | None = None,
    height: int = ZERO_SLACK_HEIGHT,
    name: str | None = None,
) -> Allocation:
    """A zero-slack allocation instance: :func:`zero_slack_packing` without its witness
    (a rectangle cut into ``pieces`` buffers, ``removed`` of them dropped, capacity the
    rectangle's height)."""
    return zero_slack_packing(pieces, seed, removed, horizon=horizon, height=height, name=name)[0]


#: The default generator (sweeps, ``schedlab.generate("memory")``): a mapping program.
generate = generate_mapping


def generate_msa(
    steps: int = 200,
    structure: str = "mixed",
    capacity_fraction: float = 0.25,
    seed: int = 0,
    name: str | None = None,
    *,
    copy_ratio: float = 1.0,
    copy_engines: int = 1,
    max_outstanding_prefetches: int | None = None,
    evictions: bool = True,
    bandwidth_ratio: float = 8.0,
    intensity: dict[str, tuple[float, float]] | None = None,
    weights: str = "parameter",
) -> Msa:
    """A mapping program (:func:`generate_mapping`, weights live from step 0 by default: the
    entry parameters that prefetches bring in) with copies: ``copy_ratio`` = copy bandwidth
    / slow bandwidth, ``copy_engines`` (0: copies disabled), the outstanding-prefetch limit
    and whether evictions are allowed."""
    if not copy_ratio > 0:
        raise InstanceError(f"copy_ratio must be positive, got {copy_ratio}")
    if copy_engines < 0:
        raise InstanceError(f"copy_engines must be >= 0, got {copy_engines}")
    prog = generate_mapping(
        steps,
        structure,
        capacity_fraction,
        seed,
        bandwidth_ratio=bandwidth_ratio,
        intensity=intensity,
        weights=weights,
    )
    label = name or (
        prog.name.replace("map_", "msa_", 1)
        + f"_cp{copy_ratio:g}x{copy_engines}"
        + ("" if evictions else "_noev")
    )
    return Msa.from_mapping(
        prog,
        copy_bandwidth=prog.slow_bandwidth * copy_ratio,
        copy_engines=copy_engines,
        max_outstanding_prefetches=max_outstanding_prefetches,
        evictions=evictions,
        name=label,
    )
