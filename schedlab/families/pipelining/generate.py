"""Seeded random loop bodies for modulo scheduling."""

from __future__ import annotations

import numpy as np

from ...core.errors import InstanceError
from .model import Edge, Instance, Machine, Op

__all__ = ["generate"]


def generate(n: int = 10, units: int = 2, seed: int = 0, name: str | None = None) -> Instance:
    """A random loop body: ``n`` ops on ``units`` unit kinds (capacity 1 or 2), a random DAG
    of distance-0 edges plus a few loop-carried back edges."""
    if n < 1:
        raise InstanceError("n must be at least 1")
    rng = np.random.default_rng(seed)
    kinds = {f"u{j}": int(rng.integers(1, 3)) for j in range(units)}
    kinds["alu"] = -1
    ops = []
    for i in range(n):
        u = str(rng.choice(list(kinds)))
        busy = 1 if u == "alu" else int(rng.integers(1, 3))
        ops.append(
            Op(
                name=f"op{i}",
                table=tuple((o, u, 1) for o in range(busy)),
                latency=int(rng.integers(0, 4)),
                unit=u,
            )
        )
    edges = []
    for j in range(1, n):
        for i in rng.choice(j, size=min(j, int(rng.integers(1, 3))), replace=False):
            edges.append(Edge(int(i), j, int(rng.integers(0, 2)), 0))
    for _ in range(max(1, n // 5)):
        i, j = sorted(int(x) for x in rng.integers(0, n, size=2))
        edges.append(Edge(j, i, 0, int(rng.integers(1, 3))))
    return Instance(
        machine=Machine(name="random", units=kinds),
        ops=tuple(ops),
        edges=tuple(edges),
        name=name or f"pipelining_n{n}_s{seed}",
    )
