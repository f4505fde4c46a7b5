"""The joint problem: modulo schedule + warp assignment over ``K`` copies of the steady state.

At a fixed II the CP-SAT model has, besides the modulo reservation table of
:func:`._modulo.add_modulo_resources`:

- ``x[v, c, w]``: copy ``c`` of op ``v`` (iterations ``k = c mod K``) runs on warp ``w``;
  variable-latency ops on warp 0, the producer (warps are interchangeable, so naming the
  producer costs nothing), and no other op there;
- spill: an edge whose two instances run on different warps waits ``spill(src)`` more;
- warp occupancy: each occupying op copy is an arc ``[a, t + warp_cycles)`` on a circle of
  period ``P = K * II`` (``a = t``, or for a blocking op the issue of its latest input); arcs
  on one warp never overlap, and no asynchronous op issues strictly inside one (in-order
  issue); in doubled time, arcs ``[2a + 1, 2b)`` and issue points ``[2t, 2t + 1)`` in one
  cumulative per warp where arcs take the whole capacity;
- registers: a value lives ``life_v`` cycles (to its last consumer's issue, at least
  ``max(1, span)``), so copy ``c`` has at most ``ceil(life_v / P)`` live instances; per warp
  ``reg_base + sum regs * ceil(life / P)`` within ``regs_per_warp`` (``producer_regs`` for
  the producer), the sum over used warps within ``regs_per_sm``;
- shared memory: ``sum mem * ceil(life / II)`` within ``smem``;
- unknown waits: a warp running an ``unknown_wait`` op copy runs no op with warp cycles or
  blocking.

Every bound is an upper bound on what the simulator measures, so its solutions always pass the
checker; starts are limited to a horizon ``H`` (documented in the result's info), so the
optimality proofs hold for schedules within it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ....core.options import SolveOptions
from ....core.registry import SolverOutput
from ....core.status import Status
from ..model import Instance
from ..simulate import edge_weights, objective
from ._common import (
    MIN_CPSAT_WORK,
    Hint,
    build_solution,
    joint_ii_limit,
    out_of_budget,
)
from ._ims import run_ims
from ._modulo import add_modulo_resources

if TYPE_CHECKING:
    from ortools.sat.python import cp_model


def joint_horizon(inst: Instance, ii: int, copies: int) -> int:
    """The starts' horizon of the joint model: every span, delay, spill and warp occupation
    laid end to end, plus ``copies * ii`` per op."""
    return (
        sum(max(1, o.span) + o.spill + o.warp_cycles for o in inst.ops)
        + sum(max(0, e.delay) for e in inst.edges)
        + inst.n * copies * ii
    )


def joint_model(
    inst: Instance, ii: int, copies: int, *, length_cap: int | None = None
) -> tuple[cp_model.CpModel, list[Any], list[list[list[Any]]], Any, int]:
    """Build the joint CP-SAT model at ``ii``; returns (model, starts, x, L, horizon)."""
    from ....engines.cpsat import cp_model

    m = cp_model.CpModel()
    n, k_c = inst.n, copies
    mach = inst.machine
    W = mach.warps
    P = k_c * ii
    asap = inst.asap(ii)
    if asap is None:
        raise ValueError(f"ii {ii} is below RecMII")
    hz = joint_horizon(inst, ii, copies)
    # how far back a loop-carried edge reaches (a value lives, a blocking op waits) at ii
    reach = max([0] + [e.distance for e in inst.edges]) * ii
    span = [o.span for o in inst.ops]
    lmax = hz + max(span) if length_cap is None else length_cap
    t = [m.new_int_var(asap[v], max(asap[v], min(hz, lmax - span[v])), f"t{v}") for v in range(n)]
    add_modulo_resources(m, inst, ii, t, hz)
    length = m.new_int_var(0, lmax, "L")
    for v in range(n):
        m.add(length >= t[v] + span[v])
    # warp assignment
    var_ops = [v for v, o in enumerate(inst.ops) if o.variable_latency]
    x = [
        [[m.new_bool_var(f"x{v}_{c}_{w}") for w in range(W)] for c in range(k_c)] for v in range(n)
    ]
    for v in range(n):
        for c in range(k_c):
            m.add_exactly_one(x[v][c])
            if var_ops:
                m.add(x[v][c][0] == (1 if inst.ops[v].variable_latency else 0))
    used = [m.new_bool_var(f"used{w}") for w in range(W)]
    for w in range(W):
        lits = [x[v][c][w] for v in range(n) for c in range(k_c)]
        m.add_max_equality(used[w], lits)
    # symmetry: consumer warps used in order
    first = 1 if var_ops else 0
    for w in range(first + 1, W):
        m.add_implication(used[w], used[w - 1])
    # unknown waits: a warp where some op waits on barriers of unknown flip time runs no
    # fixed-time work (warp cycles or blocking)
    if any(o.unknown_wait for o in inst.ops):
        waits = [m.new_bool_var(f"waits{w}") for w in range(W)]
        for v, o in enumerate(inst.ops):
            for c in range(k_c):
                for w in range(W):
                    if o.unknown_wait:
                        m.add_implication(x[v][c][w], waits[w])
                    elif o.warp_cycles or o.blocking:
                        m.add_implication(x[v][c][w], waits[w].Not())
    # dependences with spill
    for e, (s, d, w_e) in zip(inst.edges, edge_weights(inst, ii), strict=True):
        sp = inst.ops[s].spill
        if sp == 0 or (s == d and e.distance % k_c == 0):
            if s != d:
                m.add(t[d] - t[s] >= w_e)
            continue
        for c in range(k_c):
            cu = (c - e.distance) % k_c
            diff = m.new_bool_var(f"diff{s}_{d}_{c}")
            for w in range(W):
                m.add(diff >= x[s][cu][w] - x[d][c][w])
            m.add(t[d] - t[s] >= w_e + sp * diff)
    # warp occupancy on the circle of period P, in doubled time: an occupation [a, b) is the
    # arc [2a + 1, 2b), an asynchronous issue at t the point [2t, 2t + 1); arcs exclude each
    # other and every point strictly inside them, points may coincide (cumulative, capacity C)
    preds: list[list[Any]] = [[] for _ in range(n)]
    for e in inst.edges:
        preds[e.dst].append(e)
    P2 = 2 * P
    arcs: list[list[Any]] = [[] for _ in range(W)]
    points: list[list[Any]] = [[] for _ in range(W)]
    for v, o in enumerate(inst.ops):
        occupying = o.warp_cycles > 0 or o.blocking
        if o.blocking and preds[v]:
            mx = m.new_int_var(-hz * 2 - reach, hz, f"mx{v}")
            m.add_max_equality(mx, [t[e.src] - e.distance * ii for e in preds[v]])
            a = m.new_int_var(-hz * 2 - reach, hz, f"a{v}")
            m.add_min_equality(a, [t[v], mx])
        else:
            a = t[v]
        if occupying:
            size = m.new_int_var(0, P, f"occ{v}")
            m.add(size == t[v] + o.warp_cycles - a)
            sd = m.new_int_var(0, P2, f"occ2{v}")
            m.add_max_equality(sd, [0, 2 * size - 1])
        for c in range(k_c):
            rho = m.new_int_var(0, P - 1, f"rho{v}_{c}")
            z = m.new_int_var(-(4 * hz + reach) // P - 4, 4 * hz // P + 4, f"z{v}_{c}")
            m.add((a if occupying else t[v]) + c * ii == P * z + rho)
            for w in range(W):
                lit = x[v][c][w]
                if occupying:
                    end = m.new_int_var(0, 2 * P2, f"end{v}_{c}_{w}")
                    m.add(end == 2 * rho + 1 + sd)
                    arcs[w].append(
                        m.new_optional_interval_var(2 * rho + 1, sd, end, lit, f"i{v}_{c}_{w}")
                    )
                    arcs[w].append(
                        m.new_optional_interval_var(
                            2 * rho + 1 - P2, sd, end - P2, lit, f"j{v}_{c}_{w}"
                        )
                    )
                else:
                    points[w].append(
                        m.new_optional_fixed_size_interval_var(2 * rho, 1, lit, f"p{v}_{c}_{w}")
                    )
    for w in range(W):
        if not arcs[w]:
            continue
        cap = len(points[w]) + 1
        ivs = arcs[w] + points[w]
        m.add_cumulative(ivs, [cap] * len(arcs[w]) + [1] * len(points[w]), cap)
    # lifetimes (only where a register or memory budget can bind)
    reg_caps = [b for b in (mach.regs_per_warp, mach.regs_per_sm) if b is not None]
    if var_ops and mach.producer_regs is not None:
        reg_caps.append(mach.producer_regs)
    reg_cap = max(reg_caps) if reg_caps else None  # None: no register budget binds
    cons: list[list[Any]] = [[] for _ in range(n)]
    for e in inst.edges:
        cons[e.src].append(t[e.dst] + e.distance * ii - t[e.src])
    need_life = [
        v
        for v, o in enumerate(inst.ops)
        if (o.regs and reg_cap is not None) or (o.mem and mach.smem is not None)
    ]
    life_hi = 2 * hz + P + reach
    ceil_p: dict[int, Any] = {}
    ceil_i: dict[int, Any] = {}
    for v in need_life:
        life = m.new_int_var(max(1, span[v]), life_hi, f"life{v}")
        m.add_max_equality(life, [max(1, span[v])] + cons[v])
        if inst.ops[v].regs and reg_cap is not None:
            q = m.new_int_var(1, life_hi // P + 1, f"cp{v}")
            m.add(life <= P * q)
            m.add(life >= P * (q - 1) + 1)
            ceil_p[v] = q
        if inst.ops[v].mem and mach.smem is not None:
            # live instances beyond smem // mem cannot fit: bounded so no sum can overflow
            q2 = m.new_int_var(
                1, max(1, min(life_hi // ii + 1, mach.smem // inst.ops[v].mem)), f"ci{v}"
            )
            m.add(life <= ii * q2)
            m.add(life >= ii * (q2 - 1) + 1)
            ceil_i[v] = q2
    # registers, per warp with a budget (every warp under an SM budget); y is bounded by
    # what the warp's budget allows, so no sum can overflow
    regs_w = []
    for w in range(W):
        budget = mach.regs_per_warp
        if w == 0 and var_ops and mach.producer_regs is not None:
            budget = mach.producer_regs
        caps_w = [b for b in (budget, mach.regs_per_sm) if b is not None]
        if not caps_w:
            continue
        cap_w = min(caps_w)
        terms = []
        for v in ceil_p:
            big = min(life_hi // P + 1, cap_w // inst.ops[v].regs)
            for c in range(k_c):
                y = m.new_int_var(0, big, f"y{v}_{c}_{w}")
                m.add(y >= ceil_p[v] - big * (1 - x[v][c][w]))
                terms.append(inst.ops[v].regs * y)
        rw = m.new_int_var(0, cap_w, f"regs{w}")
        m.add(rw == mach.reg_base * used[w] + sum(terms))
        regs_w.append(rw)
    if mach.regs_per_sm is not None:
        m.add(sum(regs_w) <= mach.regs_per_sm)
    if mach.smem is not None and ceil_i:
        m.add(sum(inst.ops[v].mem * q for v, q in ceil_i.items()) <= mach.smem)
    return m, t, x, length, hz


def _used_vars(m: cp_model.CpModel, inst: Instance, x: list[list[list[Any]]]) -> list[Any]:
    """One Boolean per warp, true when some op copy runs on it."""
    out = []
    for w in range(inst.machine.warps):
        u = m.new_bool_var(f"u{w}")
        m.add_max_equality(u, [xc[w] for xv in x for xc in xv])
        out.append(u)
    return out


def _extract(
    solver: cp_model.CpSolver, t: list[Any], x: list[list[list[Any]]]
) -> tuple[list[int], list[list[int]]]:
    starts = [int(solver.value(tv)) for tv in t]
    warps = [
        [next(w for w, lit in enumerate(xc) if solver.boolean_value(lit)) for xc in xv] for xv in x
    ]
    return starts, warps


def solve_joint(
    inst: Instance,
    opts: SolveOptions,
    *,
    min_length: bool,
    copies: int,
    hint: Hint | None = None,
) -> SolverOutput:
    """II from MII upward: the first II where the joint model is feasible is optimal (within
    the horizon); then the shortest L at that II, ties broken by fewer warps.

    The incumbent is IMS's schedule, or an exact ``hint`` when it is better: the II search
    then stops below the hint's II and the L step starts from the hint (CP-SAT hints on
    start times and warps). Without an incumbent the search stops at
    :func:`._common.joint_ii_limit` (unknown: an II above it is not proved useless). Each
    CP-SAT solve takes half the time and work left (the L step all of it) and is charged
    to ``opts.work``."""
    from ....engines import cpsat as engine
    from ....engines.cpsat import cp_model

    mii = inst.mii_bound()
    cp = inst.critical_path()
    info: dict[str, Any] = {"mii": mii, "copies": copies, "warps": inst.machine.warps}
    ims = run_ims(inst, opts, 3.0, mii + 64)
    ub = ims.ii if ims is not None else None
    if ims is not None:
        info["ims_ii"] = ub
    incumbent: tuple[int, list[int], list[list[int]]] | None = None
    if ims is not None and ims.warps is not None:
        incumbent = (ims.ii, ims.starts, ims.warps)
    stop = ub if ub is not None else joint_ii_limit(inst)
    if hint is not None:
        info["hint_ii"] = hint.ii
        info["from_hint"] = False
        h_obj = hint.objective
        if h_obj is not None and (
            incumbent is None
            or h_obj < objective(incumbent[0], build_solution(inst, *incumbent)["length"])
        ):
            incumbent = (hint.ii, hint.full_starts(), hint.full_warps())
            stop = min(stop, hint.ii - 1)
            info["from_hint"] = True
            opts.emit(f"joint: the hint (II {hint.ii}, L {hint.length}) is the incumbent")
    best: tuple[int, list[int], list[list[int]]] | None = None
    lb, proven, ii = mii, True, mii
    while ii <= stop and not out_of_budget(opts, MIN_CPSAT_WORK):
        try:
            m, t, x, _, hz = joint_model(inst, ii, copies)
        except ValueError:
            lb, ii = ii + 1, ii + 1
            continue
        if hint is not None and not hint.exact and hint.ii == ii:
            _add_hint(m, t, x, hint.starts, hint.warps, copies)
        solver = engine.solver(opts, share=0.5)
        st = solver.solve(m)
        used = engine.charge(opts, solver)
        opts.emit(
            f"joint: II {ii}: {solver.status_name(st)} ({solver.wall_time:.2f} s, {used:.3g} det)"
        )
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            got_starts, got_warps = _extract(solver, t, x)
            best = (ii, got_starts, got_warps)
            info["horizon"] = hz
            if "from_hint" in info:
                info["from_hint"] = False
            break
        if st == cp_model.INFEASIBLE:
            if proven:
                lb = ii + 1
        else:
            proven = False
        ii += 1
    if best is None:
        best = incumbent
    if best is None:
        if lb > stop:
            info["ii_limit"] = stop
            opts.emit(f"joint: no II up to {stop} is feasible in the model: unknown above it")
        return SolverOutput(
            solution=None, status=Status.UNKNOWN, bound=objective(lb, cp), info=info
        )
    ii, starts, warps = best
    sol = build_solution(inst, ii, starts, warps)
    length = sol["length"]
    length_bound = None
    if min_length and not out_of_budget(opts, MIN_CPSAT_WORK):
        m, t, x, length_var, _ = joint_model(inst, ii, copies, length_cap=length)
        n_used = sum(v for v in _used_vars(m, inst, x))
        big = inst.machine.warps + 1
        m.minimize(big * length_var + n_used)  # L first, then fewer warps
        low = min(starts)
        _add_hint(m, t, x, [s - low for s in starts], warps, copies)
        solver = engine.solver(opts, share=1.0)
        st = solver.solve(m)
        engine.charge(opts, solver)
        opts.emit(f"joint: L at II {ii}: {solver.status_name(st)}")
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            got_starts, got_warps = _extract(solver, t, x)
            cand = build_solution(inst, ii, got_starts, got_warps)
            if cand["length"] <= length:
                if cand["length"] < length and "from_hint" in info:
                    info["from_hint"] = False
                sol, length = cand, cand["length"]
            length_bound = int(math.ceil(solver.best_objective_bound - 1e-9)) // big
    ii_opt = lb >= ii
    l_opt = length_bound is not None and length_bound >= length
    bound = objective(ii, max(cp, min(length_bound or cp, length))) if ii_opt else objective(lb, cp)
    info.update({"ii": ii, "length": length, "ii_optimal": ii_opt, "length_optimal": l_opt})
    return SolverOutput(
        solution=sol,
        status=Status.OPTIMAL if ii_opt and l_opt else Status.FEASIBLE,
        bound=bound,
        objective=objective(ii, length),
        params={"min_length": min_length, "copies": copies},
        info=info,
    )


def _add_hint(
    m: cp_model.CpModel,
    t: list[Any],
    x: list[list[list[Any]]],
    starts: list[int | None],
    warps: list[list[int] | None] | list[list[int]],
    copies: int,
) -> None:
    """CP-SAT hints: each start given, and each op's warp per copy when its warp list fits
    the model's copies (one warp, or a list whose length divides ``copies``)."""
    for v, s in enumerate(starts):
        if s is not None:
            m.add_hint(t[v], s)
        wl = warps[v]
        if not wl or copies % len(wl):
            continue
        for c in range(copies):
            for w in range(len(x[v][c])):
                m.add_hint(x[v][c][w], 1 if wl[c % len(wl)] == w else 0)
