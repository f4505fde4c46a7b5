"""A toy family from another distribution: order the vertices of a directed graph so that
as few edges as possible point backwards. Its file format is an edge list, one ``u v`` pair a
line: the same text as smtt's ``p d`` pairs, so reading such a file needs ``--family``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from schedlab.core import Family, InstanceError, Reader, SolutionError

_PAIR = re.compile(r"\s*\d+\s+\d+\s*")


@dataclass(frozen=True)
class Graph:
    """A directed graph on vertices 0..n-1."""

    problem: ClassVar[str] = "toy"
    sense: ClassVar[str] = "min"
    name: str
    n: int
    edges: tuple[tuple[int, int], ...]
    reference: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"problem": "toy", "name": self.name, "n": self.n, "edges": list(self.edges)}

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Graph:
        """From JSON."""
        try:
            edges = tuple((int(u), int(v)) for u, v in data["edges"])
            return cls(str(data.get("name", "toy")), int(data["n"]), edges)
        except (KeyError, TypeError, ValueError) as e:
            raise InstanceError(f"bad toy instance: {e}", source) from None

    def check(self, solution: dict[str, Any]) -> float:
        """Backward edges of the order."""
        order = solution.get("order")
        if not isinstance(order, list) or sorted(order) != list(range(self.n)):
            raise SolutionError("order must be a permutation of the vertices")
        pos = {v: i for i, v in enumerate(order)}
        return float(sum(pos[u] > pos[v] for u, v in self.edges))


def _accepts(path: str, head: str) -> bool:
    lines = [ln for ln in head.splitlines() if ln.strip()]
    return bool(lines) and all(_PAIR.fullmatch(ln) for ln in lines)


def _read(path: str, index: int | None) -> Graph:
    edges = []
    with open(path) as fh:
        for lineno, line in enumerate(fh, 1):
            if line.strip():
                if not _PAIR.fullmatch(line.rstrip("\n")):
                    raise InstanceError("expected 'u v'", path, lineno)
                u, v = line.split()
                edges.append((int(u), int(v)))
    n = 1 + max((max(e) for e in edges), default=-1)
    return Graph(path.rsplit("/", 1)[-1], n, tuple(edges))


family = Family(
    name="toy",
    description="toy: order a digraph's vertices with few backward edges",
    instance_type=Graph,
    methods_package="toyfam.methods",
    readers=(Reader("edges", "an edge list, one 'u v' a line", _accepts, _read),),
    samples=lambda: [Graph("s", 2, ((0, 1),))],
)
