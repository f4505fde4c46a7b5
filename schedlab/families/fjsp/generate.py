"""Seeded random flexible job shops (the SD2 scheme of the rolling-horizon papers)."""

from __future__ import annotations

import numpy as np

from ...core.errors import InstanceError
from .model import Instance


def generate(
    jobs: int,
    machines: int,
    ops: int,
    seed: int = 0,
    p_low: int = 1,
    p_high: int = 99,
    name: str | None = None,
) -> Instance:
    """The SD2 scheme of the rolling-horizon papers: ``jobs`` x ``ops`` operations; each
    operation has ``U[1, machines]`` eligible machines (drawn without replacement), each with
    an independent processing time ``U[p_low, p_high]``."""
    if jobs < 1 or machines < 1 or ops < 1:
        raise InstanceError("jobs, machines and ops must be at least 1")
    if not 1 <= p_low <= p_high:
        raise InstanceError("processing times need 1 <= p_low <= p_high")
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(jobs):
        job = []
        for _ in range(ops):
            k = int(rng.integers(1, machines + 1))
            ms = sorted(int(m) for m in rng.choice(machines, size=k, replace=False))
            ps = rng.integers(p_low, p_high + 1, size=k)
            job.append(tuple((m, int(p)) for m, p in zip(ms, ps, strict=True)))
        out.append(tuple(job))
    label = name or f"fjsp_sd2_{jobs}x{machines}x{ops}_s{seed}"
    return Instance(jobs=tuple(out), machines=machines, name=label)
