"""Helpers shared by the pipelining methods: horizons, limits on II, solution building,
plain instances, static infeasibility, hints and the budget check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ....core.errors import SolutionError
from ....core.options import SolveOptions
from ..model import Instance
from ..simulate import edge_weights, longest_paths, objective, parse_solution


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
    """True when only dependences and units matter: no op occupies a warp, blocks, waits on
    unknown barriers, has a spill cost or a variable latency, and no register or memory
    budget can bind (every op then runs on warp 0, whatever the machine's warp count)."""
    m = inst.machine
    if any(
        o.warp_cycles or o.blocking or o.unknown_wait or o.spill or o.variable_latency
        for o in inst.ops
    ):
        return False
    reg_budgets = [b for b in (m.regs_per_warp, m.regs_per_sm, m.producer_regs) if b is not None]
    if reg_budgets and (any(o.regs for o in inst.ops) or m.reg_base > min(reg_budgets)):
        return False
    return not (m.smem is not None and any(o.mem for o in inst.ops))


def static_infeasible(inst: Instance) -> str | None:
    """Why no schedule at any II passes the checker, for reasons that hold at every II (an
    op's registers or memory over a budget, warps too few for the producer and unknown-wait
    rules), or ``None``: a proof of infeasibility when not ``None``."""
    m = inst.machine
    ops = inst.ops
    var = [o for o in ops if o.variable_latency]
    other = [o for o in ops if not o.variable_latency]
    fixed = [o for o in other if o.warp_cycles or o.blocking]
    waits = [o for o in other if o.unknown_wait]
    for o in ops:
        if o.unknown_wait and (o.warp_cycles or o.blocking):
            return f"op {o.name} waits on unknown barriers and is fixed-time work on its own warp"
    if any(o.unknown_wait for o in var) and any(o.warp_cycles or o.blocking for o in var):
        return "the producer warp would run fixed-time work beside an unknown wait"
    need = (1 if var else 0) + (1 if fixed else 0) + (1 if waits else 0)
    if not fixed and not waits and other:
        need += 1
    if need > m.warps:
        return f"the producer and unknown-wait rules need {need} warps, the machine has {m.warps}"
    prod_budget = m.producer_regs if m.producer_regs is not None else m.regs_per_warp
    for o in ops:
        budget = prod_budget if o.variable_latency and var else m.regs_per_warp
        if budget is not None and m.reg_base + o.regs > budget:
            return f"op {o.name} needs {m.reg_base + o.regs} registers on its warp, budget {budget}"
        if m.smem is not None and o.mem > m.smem:
            return f"op {o.name} needs {o.mem} shared memory, capacity {m.smem}"
    used = (1 if var else 0) + (1 if other else 0)
    if m.regs_per_sm is not None:
        low = used * m.reg_base + max(o.regs for o in ops)
        if low > m.regs_per_sm:
            return f"the used warps need at least {low} registers, SM budget {m.regs_per_sm}"
    return None


def plain_ii_limit(inst: Instance) -> int:
    """An II at and above which a plain loop (:func:`is_plain`) is feasible if it is at any II:
    the first feasible II is at most this.

    A schedule at any II contains a schedule of one iteration alone (the dependences of
    distance 0, no unit over its capacity at any cycle). If one iteration can be scheduled,
    it can within ``B = sum_v max(1, span_v, longest distance-0 out-edge weight of v)``
    cycles of starts (close every gap no op is busy or waiting across: the RCPSP/max horizon
    argument), so in a length ``L <= B + max span``; at any ``II >= L + max edge weight``
    the iterations do not overlap and every loop-carried dependence holds.
    """
    out = [0] * inst.n
    for s, _, w in edge_weights(inst, None):
        out[s] = max(out[s], w)
    b = sum(max(1, o.span, out[v]) for v, o in enumerate(inst.ops))
    w_max = max([0] + [inst.ops[e.src].latency + e.delay for e in inst.edges])
    return max(inst.mii_bound(), b + max(o.span for o in inst.ops) + w_max)


def joint_ii_limit(inst: Instance) -> int:
    """Where the joint (warp) II search stops: :func:`plain_ii_limit` with every spill and
    warp occupation laid end to end on top. Unlike the plain case, an II above it is not
    proved useless (registers and blocking waits scale with II), so a search that reaches it
    without a schedule answers unknown."""
    extra = sum(o.spill + o.warp_cycles for o in inst.ops)
    return plain_ii_limit(inst) + extra


@dataclass
class Hint:
    """A schedule given as a hint (``opts.hint``, the solution JSON form), mapped onto the
    instance by op name.

    Attributes:
        ii: its initiation interval.
        starts: each op's start (``None`` for an op the hint does not name).
        warps: each op's warps, one per copy (``None`` where not given).
        exact: the hint names every op and passes the checker (a feasible schedule).
        length: its length L when exact, else ``None``.
    """

    ii: int
    starts: list[int | None]
    warps: list[list[int] | None]
    exact: bool
    length: int | None = None

    @property
    def objective(self) -> float | None:
        """The hint's objective ``ii * OBJ_SCALE + length`` when it is exact, else ``None``."""
        return None if self.length is None else objective(self.ii, self.length)

    def full_starts(self) -> list[int]:
        """Every op's start (an exact hint has them all; a missing one reads 0)."""
        return [0 if s is None else s for s in self.starts]

    def full_warps(self) -> list[list[int]]:
        """Every op's warps, one list per op (warp 0 where the hint gives none)."""
        return [list(w) if w else [0] for w in self.warps]


def read_hint(inst: Instance, hint: dict[str, Any] | None) -> Hint | None:
    """The options' hint as a :class:`Hint`, or ``None`` when there is none or it has no
    usable II. A hint from a slightly different loop (ops renamed, added or removed) is
    kept for the ops it names (``exact`` false)."""
    if not isinstance(hint, dict):
        return None
    try:
        ii, length, st, wl = parse_solution(inst, hint)
        inst.simulate(hint)
    except SolutionError:
        pass
    else:
        return Hint(ii, list(st), [list(w) for w in wl], True, length)
    ii_raw = hint.get("ii")
    rows = hint.get("ops")
    if isinstance(ii_raw, bool) or not isinstance(ii_raw, int) or ii_raw < 1:
        return None
    starts: list[int | None] = [None] * inst.n
    warps: list[list[int] | None] = [None] * inst.n
    names = {o.name: v for v, o in enumerate(inst.ops)}
    for r in rows if isinstance(rows, list) else []:
        if not isinstance(r, dict) or r.get("name") not in names:
            continue
        v = names[r["name"]]
        s = r.get("start")
        if isinstance(s, int) and not isinstance(s, bool) and s >= 0:
            starts[v] = s
        w = r.get("warp", 0)
        ws = w if isinstance(w, list) else [w]
        if ws and all(
            isinstance(x, int) and not isinstance(x, bool) and 0 <= x < inst.machine.warps
            for x in ws
        ):
            warps[v] = list(ws)
    if all(s is None for s in starts):
        return None
    return Hint(ii_raw, starts, warps, False)


#: The smallest share of a CP-SAT work budget (deterministic seconds) worth another solve.
MIN_CPSAT_WORK = 1e-3


def out_of_budget(opts: SolveOptions, min_work: float = 0.0) -> bool:
    """True once the solve's deadline has passed (or it was cancelled), or its work budget is
    used up (less than ``min_work`` left)."""
    if opts.deadline.expired() or opts.work.exhausted:
        return True
    left = opts.work.left()
    return left is not None and left < min_work
