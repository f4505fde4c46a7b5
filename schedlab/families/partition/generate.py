"""Seeded random partition instances."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ...core.errors import InstanceError
from .hardware import Device, DeviceType
from .model import Instance


def generate(
    layers: int,
    types: int = 2,
    devices: int = 3,
    seed: int = 0,
    *,
    mem_tightness: float = 0.6,
    name: str | None = None,
) -> Instance:
    """A random instance: per-type speed factors times per-layer work, random activation
    sizes and bandwidths, and device memories ``mem_tightness`` x the model's total (so that
    memory binds for values below 1). Devices are spread round-robin over the types."""
    for key, v in (("layers", layers), ("types", types), ("devices", devices), ("seed", seed)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer):
            raise InstanceError(f"{key} must be an integer, got {v!r}")
    if layers < 1 or types < 1 or devices < 1:
        raise InstanceError("layers, types and devices must be at least 1")
    if seed < 0:
        raise InstanceError(f"seed must be non-negative, got {seed}")
    if (
        isinstance(mem_tightness, bool)
        or not isinstance(mem_tightness, int | float | np.integer | np.floating)
        or not math.isfinite(mem_tightness)
        or not mem_tightness > 0
    ):
        raise InstanceError(f"mem_tightness must be a positive number, got {mem_tightness!r}")
    rng = np.random.default_rng(seed)
    work = rng.uniform(0.05, 1.0, layers)
    mem = rng.uniform(5.0, 50.0, layers).round(3)
    outs = rng.integers(1_000, 400_000, layers)
    total_mem = float(mem.sum())
    tlist = []
    for k in range(types):
        speed = rng.uniform(0.5, 2.0)
        noise = rng.uniform(0.8, 1.25, layers)
        tlist.append(
            DeviceType(
                name=f"type{k}",
                time_s=tuple((work * noise / speed).round(6).tolist()),
                mem_MB=round(total_mem * mem_tightness * rng.uniform(0.7, 1.6), 3),
                bw_Mbps=float(rng.choice([100.0, 300.0, 1000.0])),
            )
        )
    devs = tuple(Device(f"d{k}", f"type{k % types}") for k in range(devices))
    used = {d.type for d in devs}
    inst = Instance(
        mem_MB=tuple(mem.tolist()),
        out_elems=tuple(int(x) for x in outs),
        in_elems=int(rng.integers(1_000, 200_000)),
        types=tuple(t for t in tlist if t.name in used),
        devices=devs,
        name=name or f"partition_L{layers}_t{types}_d{devices}_s{seed}",
    )
    # Memories drawn for a few large layers may fit no plan: raise them (every type by the
    # same factor, 1.25 a step) until one does; a device holding the whole model ends it.
    while feasible(inst) is False:
        inst = dataclasses.replace(
            inst,
            types=tuple(
                dataclasses.replace(t, mem_MB=round(t.mem_MB * 1.25 + 0.001, 3)) for t in inst.types
            ),
        )
    return inst


#: Most DP states :func:`feasible` explores before giving up (answering ``None``).
MAX_FEASIBLE_STATES = 1_000_000


def feasible(inst: Instance) -> bool | None:
    """Whether some plan fits the devices' memories: a search over (layers done, devices
    used of each memory size), stages taking the next layers; ``None`` when that would take
    more than :data:`MAX_FEASIBLE_STATES` states."""
    L = inst.n_layers
    caps = sorted({inst.device_mem(d) for d in range(inst.n_devices)})
    count = dict.fromkeys(caps, 0)
    for d in range(inst.n_devices):
        count[inst.device_mem(d)] += 1
    limit = [min(count[c], L) for c in caps]
    if math.prod(n + 1 for n in limit) * (L + 1) > MAX_FEASIBLE_STATES:
        return None
    start = (0, (0,) * len(caps))
    seen = {start}
    todo = [start]
    while todo:
        done, used = todo.pop()
        for last in range(done + 1, L + 1):
            need = inst.stage_memory(done + 1, last)
            for k, cap in enumerate(caps):
                if used[k] < limit[k] and need <= cap:
                    if last == L:
                        return True
                    state = (last, used[:k] + (used[k] + 1,) + used[k + 1 :])
                    if state not in seen:
                        seen.add(state)
                        todo.append(state)
    return False
