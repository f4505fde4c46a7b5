"""Seeded random task graphs: Topcuoglu, Hariri & Wu's generator (2002, section 5.1) and the
HOFT CPU/GPU cost scheme (McSweeney, Walton & Zounon 2020).

**Topcuoglu** (:func:`generate`): ``v`` tasks in levels (the height about ``sqrt(v) /
alpha``, each level's width uniform with mean ``alpha * sqrt(v)``); every task but the
first level's has a parent in the level above, and every task but the last level's has
about ``out_degree`` children (uniform in ``1 .. 2 * out_degree - 1``), in the next level or
later. A task's mean time ``w_i`` is uniform in ``[1, 2 * w_dag]``, its time on each
processor uniform in ``w_i * [1 - beta / 2, 1 + beta / 2]`` (at least 1; ``beta`` is the
heterogeneity); an edge's volume is uniform in ``[0, 2 * ccr * w_dag]`` (rounded), over a
unit bandwidth, so that ``ccr`` is the ratio of mean communication to mean computation.

**HOFT** (:func:`generate_hoft`): the same topologies on ``cpus`` CPU and ``gpus`` GPU
processors; a task's GPU time uniform in ``1 .. 99``, its CPU time that times an
acceleration ratio ``Gamma(1, acceleration)`` (5: "low", 50: "high"; at least 1). ``ccr``
is HOFT's, computation over communication: the communication budget
``(E / ccr) * P^2 / (2 * P_C * P_G + P_G * (P_G - 1))`` (``E`` the mean computation over the
processors, summed over the tasks) is shared evenly by the tasks and each task's share by its
out-edges; an edge's volume is exponential with that mean. Two CPUs communicate through
shared memory (an infinite bandwidth); every other pair at unit bandwidth. (HOFT draws
separate costs for CPU-GPU, GPU-CPU and GPU-GPU; here one volume an edge serves all three.)
"""

from __future__ import annotations

import math

import numpy as np

from ...core.errors import InstanceError
from .model import Instance


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise InstanceError(message)


def topology(
    v: int, alpha: float, out_degree: float, rng: np.random.Generator
) -> list[tuple[int, int]]:
    """The edges of a layered random DAG of ``v`` tasks (see the module's docstring)."""
    width_mean = max(1.0, alpha * math.sqrt(v))
    levels: list[list[int]] = []
    k = 0
    while k < v:
        w = int(rng.integers(1, max(2, int(round(2 * width_mean - 1))) + 1))
        w = min(w, v - k)
        levels.append(list(range(k, k + w)))
        k += w
    edges: set[tuple[int, int]] = set()
    for li in range(1, len(levels)):
        for t in levels[li]:
            p = int(rng.choice(levels[li - 1]))
            edges.add((p, t))
    for li in range(len(levels) - 1):
        later = [t for lv in levels[li + 1 :] for t in lv]
        nxt = levels[li + 1]
        hi = max(1, int(round(2 * out_degree - 1)))
        for t in levels[li]:
            want = int(rng.integers(1, hi + 1))
            for _ in range(want):
                pool = nxt if rng.random() < 0.7 else later
                edges.add((t, int(rng.choice(pool))))
    return sorted(edges)


def generate(
    v: int = 20,
    processors: int = 3,
    ccr: float = 1.0,
    alpha: float = 1.0,
    beta: float = 0.5,
    out_degree: float = 2.0,
    w_dag: int = 50,
    seed: int = 0,
    name: str | None = None,
) -> Instance:
    """A random task graph after Topcuoglu et al. (see the module's docstring)."""
    _check(isinstance(v, int) and v >= 1, f"v must be a positive integer, got {v!r}")
    _check(
        isinstance(processors, int) and 1 <= processors <= 4096,
        f"processors must be an integer in 1..4096, got {processors!r}",
    )
    _check(0 <= ccr <= 1e6, f"ccr must be in [0, 1e6], got {ccr!r}")
    _check(0 < alpha <= 100, f"alpha must be in (0, 100], got {alpha!r}")
    _check(0 <= beta <= 2, f"beta must be in [0, 2], got {beta!r}")
    _check(1 <= out_degree <= v + 1, f"out_degree must be in [1, v + 1], got {out_degree!r}")
    _check(isinstance(w_dag, int) and 1 <= w_dag <= 10**9, f"w_dag must be 1..1e9, got {w_dag!r}")
    rng = np.random.default_rng(seed)
    edges = topology(v, alpha, out_degree, rng)
    mean = rng.uniform(1, 2 * w_dag, size=v)
    lo = np.maximum(mean * (1 - beta / 2), 0)
    hi = mean * (1 + beta / 2)
    times = np.maximum(1, np.rint(rng.uniform(lo[:, None], hi[:, None], size=(v, processors))))
    vols = np.rint(rng.uniform(0, 2 * ccr * w_dag, size=len(edges))).astype(np.int64)
    label = name or f"topcuoglu_v{v}_p{processors}_ccr{ccr:g}_a{alpha:g}_b{beta:g}_s{seed}"
    return Instance(
        times=tuple(tuple(int(t) for t in row) for row in times),
        edges=tuple((a, b, int(c)) for (a, b), c in zip(edges, vols, strict=True)),
        processors=tuple((f"P{p}", "p") for p in range(processors)),
        name=label,
    )


def generate_hoft(
    v: int = 50,
    cpus: int = 7,
    gpus: int = 1,
    acceleration: float = 5.0,
    ccr: float = 10.0,
    alpha: float = 1.0,
    out_degree: float = 2.0,
    seed: int = 0,
    name: str | None = None,
) -> Instance:
    """A CPU/GPU task graph with HOFT's cost scheme (see the module's docstring)."""
    _check(isinstance(v, int) and v >= 1, f"v must be a positive integer, got {v!r}")
    _check(isinstance(cpus, int) and 0 <= cpus <= 4096, f"cpus must be 0..4096, got {cpus!r}")
    _check(isinstance(gpus, int) and 0 <= gpus <= 4096, f"gpus must be 0..4096, got {gpus!r}")
    _check(cpus + gpus >= 1, "a platform needs a processor")
    _check(0 < acceleration <= 1e4, f"acceleration must be in (0, 1e4], got {acceleration!r}")
    _check(0 < ccr <= 1e6, f"ccr must be in (0, 1e6], got {ccr!r}")
    _check(0 < alpha <= 100, f"alpha must be in (0, 100], got {alpha!r}")
    _check(1 <= out_degree <= v + 1, f"out_degree must be in [1, v + 1], got {out_degree!r}")
    rng = np.random.default_rng(seed)
    edges = topology(v, alpha, out_degree, rng)
    gpu = rng.integers(1, 100, size=v)
    ratio = rng.gamma(1.0, acceleration, size=v)
    cpu = np.maximum(1, np.rint(gpu * ratio)).astype(np.int64)
    P = cpus + gpus
    mean_comp = float((cpu.sum() * cpus + gpu.sum() * gpus) / P)
    pairs = 2 * cpus * gpus + gpus * (gpus - 1)
    outdeg = np.zeros(v, dtype=np.int64)
    for a, _ in edges:
        outdeg[a] += 1
    vols = []
    budget = (mean_comp / ccr) * P * P / pairs if pairs else 0.0
    for a, _ in edges:
        m = budget / v / outdeg[a]
        vols.append(int(round(rng.exponential(m))) if m > 0 else 0)
    procs = tuple(
        [(f"CPU{k}", "cpu") for k in range(cpus)] + [(f"GPU{k}", "gpu") for k in range(gpus)]
    )
    bw = [[None if (p < cpus and q < cpus) else 1 for q in range(P)] for p in range(P)]
    times = tuple(tuple([int(cpu[i])] * cpus + [int(gpu[i])] * gpus) for i in range(v))
    label = name or f"hoft_v{v}_c{cpus}g{gpus}_acc{acceleration:g}_ccr{ccr:g}_s{seed}"
    return Instance(
        times=times,
        edges=tuple((a, b, c) for (a, b), c in zip(edges, vols, strict=True)),
        processors=procs,
        bandwidth=bw,
        name=label,
    )
