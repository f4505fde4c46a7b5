"""Helpers shared by the pipelining methods: horizons, solution building, plain instances."""

from __future__ import annotations

from typing import Any

from ..model import Instance
from ..simulate import edge_weights, longest_paths


def horizon(inst: Instance, ii: int) -> int:
    """An upper bound on the starts of some schedule at ``ii`` minimal in every start (hence
    in L), if any schedule at ``ii`` exists.

    With the residues ``r_v`` of a feasible schedule fixed, the stage numbers ``q_v`` satisfy
    difference constraints ``q_dst - q_src >= ceil((w + r_src - r_dst) / ii)``; their least
    solution is a longest path whose edge weights are at most ``ceil((w + ii - 1) / ii)``: the
    longest path under those weights when it exists, else at most ``n - 1`` edges, each from a
    distinct op, bounded by the op's heaviest out-edge.
    """
    ub = [(s, d, -(-(w + ii - 1) // ii)) for s, d, w in edge_weights(inst, ii)]
    q = longest_paths(inst.n, ub)
    if q is not None:  # no positive cycle under the rounded-up weights: their longest path
        return ii * (max(q) + 1) - 1
    best_out = [0] * inst.n
    for s, _, w in ub:
        best_out[s] = max(best_out[s], w)
    return ii * (sum(best_out) + 1) - 1


def build_solution(
    inst: Instance, ii: int, starts: list[int], warps: list[list[int]] | None = None
) -> dict[str, Any]:
    """The solution JSON from starts (shifted so the earliest is 0) and optional warps
    (one list of copies per op)."""
    low = min(starts)
    st = [s - low for s in starts]
    length = max(st[v] + inst.ops[v].span for v in range(inst.n))
    rows = []
    for v, o in enumerate(inst.ops):
        w: int | list[int] = 0
        if warps is not None:
            w = warps[v][0] if len(set(warps[v])) == 1 and len(warps[v]) == 1 else list(warps[v])
        rows.append({"name": o.name, "start": st[v], "stage": st[v] // ii, "warp": w})
    return {"ii": ii, "length": length, "ops": rows}


def is_plain(inst: Instance) -> bool:
    """True when warps play no role: one warp, or nothing that occupies a warp, holds
    registers or memory, or has a spill cost."""
    if inst.machine.warps == 1:
        return True
    return not any(
        o.warp_cycles
        or o.blocking
        or o.unknown_wait
        or o.regs
        or o.mem
        or o.spill
        or o.variable_latency
        for o in inst.ops
    )
