"""Seeded random partition instances."""

from __future__ import annotations

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
    return Instance(
        mem_MB=tuple(mem.tolist()),
        out_elems=tuple(int(x) for x in outs),
        in_elems=int(rng.integers(1_000, 200_000)),
        types=tuple(t for t in tlist if t.name in used),
        devices=devs,
        name=name or f"partition_L{layers}_t{types}_d{devices}_s{seed}",
    )
