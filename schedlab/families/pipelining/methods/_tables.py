"""Reservation tables as runs, folded modulo II: what keeps the models' sizes independent of
how many cycles an op keeps a unit busy.

A run ``(off, cycles, amount)`` is an op using ``amount`` units of one kind at the offsets
``off .. off + cycles - 1`` of its table (an op ``busy`` for 10,000 cycles is one run, not
10,000 rows). Modulo ``ii`` the run uses every residue ``cycles // ii`` times (a constant
load), plus once more the ``cycles % ii`` residues from ``(start + off) mod ii`` on, an arc
of the circle of period ``ii``: the models state one arc a run, whatever its length.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..model import Instance
from ..simulate import table_runs

#: ``(op, off, cycles, amount)``: op ``op`` uses ``amount`` units at offsets
#: ``off .. off + cycles - 1`` of its table.
Run = tuple[int, int, int, int]


def op_runs(table: Sequence[tuple[int, str, int]]) -> dict[str, list[tuple[int, int, int]]]:
    """The runs ``(off, cycles, amount)`` of a reservation table, per unit kind (the model's
    :func:`..simulate.table_runs`, which the checker counts by)."""
    return table_runs(table)


def unit_runs(inst: Instance, ops: Iterable[int] | None = None) -> dict[str, list[Run]]:
    """The runs of the ops (all, or those given) on each unit kind of limited capacity."""
    cap = inst.machine.capacity
    out: dict[str, list[Run]] = {}
    for v in range(inst.n) if ops is None else ops:
        for u, runs in inst.ops[v].runs.items():
            if cap(u) is not None:
                out.setdefault(u, []).extend((v, off, c, a) for off, c, a in runs)
    return out


def binding_units(inst: Instance, runs: dict[str, list[Run]]) -> dict[str, list[Run]]:
    """The units whose total use over one iteration exceeds their capacity (the others can
    never be over it at any II)."""
    out = {}
    for u, uses in runs.items():
        cap = inst.machine.capacity(u)
        if cap is not None and sum(c * a for _, _, c, a in uses) > cap:
            out[u] = uses
    return out


def fold(uses: list[Run], ii: int) -> tuple[int, list[Run]]:
    """The runs of one unit folded modulo ``ii``: the constant load on every residue (full
    turns of the circle) and the arcs ``(op, off, cycles % ii, amount)`` left (non-empty)."""
    base = sum(a * (c // ii) for _, _, c, a in uses)
    return base, [(v, off, c % ii, a) for v, off, c, a in uses if c % ii]


def clash_arcs(
    runs_i: list[tuple[int, int]], runs_j: list[tuple[int, int]], ii: int
) -> list[tuple[int, int]] | None:
    """The residues of ``t_j - t_i`` mod ``ii`` at which two ops whose runs on a unit are
    ``(off, cycles)`` use it in a common cycle modulo ``ii``, as sorted disjoint ranges
    ``[a, b]`` of ``0 .. ii - 1``; ``None`` when every residue clashes."""
    arcs: list[tuple[int, int]] = []
    for oi, li in runs_i:
        for oj, lj in runs_j:
            width = li + lj - 1  # t_j - t_i = oi - oj + x - y, -(lj - 1) <= x - y <= li - 1
            if width >= ii:
                return None
            a = (oi - oj - (lj - 1)) % ii
            b = a + width - 1
            if b < ii:
                arcs.append((a, b))
            else:
                arcs.append((a, ii - 1))
                arcs.append((0, b - ii))
    arcs.sort()
    merged: list[tuple[int, int]] = []
    for a, b in arcs:
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    if merged and merged[0] == (0, ii - 1):
        return None
    return merged
