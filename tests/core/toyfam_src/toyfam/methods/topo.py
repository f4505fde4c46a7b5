"""Kahn's topological order (optimal on an acyclic graph: no backward edge)."""

from __future__ import annotations

from typing import Any

from schedlab.core import SolveOptions, SolverOutput, Status, register


@register("toy", "topo", exact=False, help="Kahn's topological order.", auto=lambda i, t: 1.0)
def solve_topo(inst: Any, opts: SolveOptions) -> SolverOutput:
    """Topological order; a cycle's vertices are appended in index order."""
    indeg = [0] * inst.n
    for _, v in inst.edges:
        indeg[v] += 1
    ready = [v for v in range(inst.n) if indeg[v] == 0]
    order: list[int] = []
    while ready:
        u = ready.pop(0)
        order.append(u)
        for a, b in inst.edges:
            if a == u:
                indeg[b] -= 1
                if indeg[b] == 0:
                    ready.append(b)
    order += [v for v in range(inst.n) if v not in order]
    back = inst.check({"order": order})
    if back == 0:  # no edge can do better than none
        return SolverOutput({"order": order}, Status.OPTIMAL, bound=0.0)
    return SolverOutput({"order": order}, Status.FEASIBLE, bound=0.0)
