"""Optimal modulo scheduling with CP-SAT: I from MII upward, then the shortest L; with warps,
the joint problem (modulo schedule + warp assignment over copies of the steady state)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from ...core import SolveOptions, SolverOutput, Status, register
from ...models.pipelining import Instance, _longest_paths
from ._common import build_solution, edge_weights, horizon, is_plain, objective
from .ims import run_ims


@dataclass
class StepResult:
    """Outcome of one CP-SAT solve at a fixed II."""

    status: str  # "feasible", "optimal", "infeasible", "unknown"
    starts: list[int] | None = None
    warps: list[list[int]] | None = None
    length: int | None = None
    length_bound: int | None = None
    wall: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)


def _solver(opts: SolveOptions, limit: float | None) -> cp_model.CpSolver:
    s = cp_model.CpSolver()
    if limit is not None:
        s.parameters.max_time_in_seconds = max(0.01, float(limit))
    s.parameters.num_workers = opts.threads
    s.parameters.random_seed = opts.seed
    if opts.log is not None:
        s.parameters.log_search_progress = True
        s.log_callback = opts.emit
    return s


def modulo_model(
    inst: Instance,
    ii: int,
    *,
    minimise_length: bool,
    length_cap: int | None = None,
    max_start: int | None = None,
) -> tuple[cp_model.CpModel, list[cp_model.IntVar], cp_model.IntVar]:
    """The modulo-scheduling CP-SAT model at ``ii`` (no warps): starts in [asap, H], modulo
    reservation table by residue booleans, dependences; returns (model, starts, L)."""
    m = cp_model.CpModel()
    asap = inst.asap(ii)
    if asap is None:
        raise ValueError(f"ii {ii} is below RecMII")
    hz = horizon(inst, ii)
    if max_start is not None:  # a heuristic restriction: no infeasibility proof under it
        hz = min(hz, max_start)
    span = [o.span for o in inst.ops]
    lmax = hz + max(span)
    if length_cap is not None:
        lmax = min(lmax, length_cap)
    rev = [(d, s, w) for s, d, w in edge_weights(inst, ii)]
    tail = _longest_paths(inst.n, rev) or [0] * inst.n  # longest path from v onwards
    t = [
        m.new_int_var(asap[v], max(asap[v], min(hz - tail[v], lmax - span[v])), f"t{v}")
        for v in range(inst.n)
    ]
    for s, d, w in edge_weights(inst, ii):
        if s == d:
            continue  # self loops: w <= 0 holds for ii >= RecMII
        m.add(t[d] - t[s] >= w)
    _add_modulo_resources(m, inst, ii, t, hz)
    length = m.new_int_var(max(asap[v] + span[v] for v in range(inst.n)), lmax, "L")
    for v in range(inst.n):
        m.add(length >= t[v] + span[v])
    if minimise_length:
        m.minimize(length)
    return m, t, length


def _add_modulo_resources(
    m: cp_model.CpModel, inst: Instance, ii: int, t: list[cp_model.IntVar], tmax: int
) -> None:
    by_unit: dict[str, list[tuple[int, int, int]]] = {}
    for v, o in enumerate(inst.ops):
        for off, u, a in o.table:
            if inst.machine.capacity(u) is not None:
                by_unit.setdefault(u, []).append((v, off, a))
    if ii == 1:
        for u, uses in by_unit.items():
            cap = inst.machine.capacity(u)
            if sum(a for _, _, a in uses) > (cap or 0):
                m.add_bool_or([])  # infeasible
        return
    res: dict[int, cp_model.IntVar] = {}
    x: dict[int, list[cp_model.IntVar]] = {}
    limited = sorted({v for uses in by_unit.values() for v, _, _ in uses})
    for v in limited:
        r = m.new_int_var(0, ii - 1, f"r{v}")
        q = m.new_int_var(0, tmax // ii + 1, f"q{v}")
        m.add(t[v] == ii * q + r)
        xs = [m.new_bool_var(f"x{v}_{k}") for k in range(ii)]
        m.add_exactly_one(xs)
        m.add(sum(k * xs[k] for k in range(ii)) == r)
        res[v], x[v] = r, xs
    for u, uses in by_unit.items():
        cap = inst.machine.capacity(u)
        assert cap is not None
        ops_u = {v for v, _, _ in uses}
        single = all(off == 0 and a == 1 for _, off, a in uses) and len(ops_u) == len(uses)
        if single and cap == 1:
            m.add_all_different([res[v] for v in sorted(ops_u)])
            continue
        total = sum(a for _, _, a in uses)
        if total <= cap:
            continue
        for k in range(ii):
            m.add(sum(a * x[v][(k - off) % ii] for v, off, a in uses) <= cap)


def solve_step(
    inst: Instance,
    ii: int,
    opts: SolveOptions,
    limit: float | None,
    *,
    minimise_length: bool,
    hint: list[int] | None = None,
    length_cap: int | None = None,
    max_start: int | None = None,
) -> StepResult:
    """One CP-SAT solve at ``ii``: feasibility, or the shortest length (at most
    ``length_cap``, which a known schedule of that length makes safe)."""
    try:
        m, t, length = modulo_model(
            inst, ii, minimise_length=minimise_length, length_cap=length_cap, max_start=max_start
        )
    except ValueError:
        return StepResult("infeasible")
    if hint is not None:
        low = min(hint)
        for v in range(inst.n):
            m.add_hint(t[v], hint[v] - low)
    solver = _solver(opts, limit)
    st = solver.solve(m)
    out = StepResult("unknown", wall=solver.wall_time)
    if st == cp_model.INFEASIBLE:
        out.status = "infeasible"
    elif st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        out.starts = [int(solver.value(x)) for x in t]
        out.length = int(solver.value(length))
        out.status = "optimal" if st == cp_model.OPTIMAL else "feasible"
        if minimise_length:
            out.length_bound = int(math.ceil(solver.best_objective_bound - 1e-9))
    return out


def _auto(inst: Instance, time_limit: float | None) -> float | None:
    return 50.0 if inst.n <= 3000 else None


@register(
    "pipelining",
    "cpsat",
    exact=True,
    help="CP-SAT: optimal II from MII up, then shortest L (joint warp assignment if warps).",
    engine="ortools",
    auto=_auto,
)
def solve_cpsat(
    inst: Instance,
    opts: SolveOptions,
    *,
    min_length: bool = True,
    copies: int | None = None,
) -> SolverOutput:
    """Optimal modulo scheduling: IMS gives an upper II; for II = MII, MII + 1, ... below it
    CP-SAT proves infeasibility or finds a schedule; at the first feasible II it minimises L.
    Status optimal only when II and L are both proven. With warps (``machine.warps > 1`` and
    warp-relevant op data) the joint problem of :mod:`._joint` is solved instead."""
    if not is_plain(inst):
        from ._joint import solve_joint

        return solve_joint(inst, opts, min_length=min_length, copies=copies or inst.copies)
    dl = opts.deadline
    mii = inst.mii_bound()
    cp = inst.critical_path()
    ims = run_ims(inst, opts, 3.0, None)
    info: dict[str, Any] = {"mii": mii}
    best_ii: int | None = None
    best_starts: list[int] | None = None
    if ims is not None:
        best_ii, best_starts = ims[0], ims[1]
        info["ims_ii"] = best_ii
        opts.emit(f"cpsat: MII {mii}, IMS II {best_ii}")
    infeasible: set[int] = set()
    unknown: list[int] = []
    ii = mii
    steps = 0
    while best_ii is None or ii < best_ii:
        if dl.expired():
            break
        steps += 1
        r = solve_step(inst, ii, opts, dl.limit_for(0.5), minimise_length=False)
        opts.emit(f"cpsat: II {ii}: {r.status} ({r.wall:.2f} s)")
        if r.status == "infeasible":
            infeasible.add(ii)
        elif r.starts is not None:
            best_ii, best_starts = ii, r.starts
            break
        else:
            unknown.append(ii)
        ii += 1
    # leftover time: retry the undecided IIs below the best, lowest first
    for jj in unknown:
        if best_ii is not None and jj >= best_ii:
            break
        if dl.expired():
            break
        steps += 1
        r = solve_step(inst, jj, opts, dl.limit_for(0.7), minimise_length=False)
        opts.emit(f"cpsat: II {jj} again: {r.status} ({r.wall:.2f} s)")
        if r.status == "infeasible":
            infeasible.add(jj)
        elif r.starts is not None:
            best_ii, best_starts = jj, r.starts
            break
    lb = mii
    while lb in infeasible:
        lb += 1
    info["ii_steps"] = steps
    if best_ii is None or best_starts is None:
        return SolverOutput(
            solution=None,
            status=Status.UNKNOWN,
            bound=objective(lb, cp),
            info=info,
        )
    ii_opt = lb >= best_ii
    starts = best_starts
    low = min(starts)
    length = max(starts[v] - low + inst.ops[v].span for v in range(inst.n))
    length_bound: int | None = None
    if min_length and not dl.expired():
        r = solve_step(
            inst,
            best_ii,
            opts,
            dl.limit_for(1.0),
            minimise_length=True,
            hint=[x - low for x in starts],
            length_cap=length,
        )
        opts.emit(f"cpsat: L at II {best_ii}: {r.status} L {r.length} bound {r.length_bound}")
        if r.starts is not None and r.length is not None and r.length <= length:
            starts, length = r.starts, r.length
        length_bound = r.length_bound
    sol = build_solution(inst, best_ii, starts)
    length = sol["length"]
    l_opt = length_bound is not None and length_bound >= length
    if ii_opt:
        bound = objective(best_ii, max(cp, min(length_bound or cp, length)))
    else:
        bound = objective(lb, cp)
    info.update({"ii": best_ii, "length": length, "ii_optimal": ii_opt, "length_optimal": l_opt})
    status = Status.OPTIMAL if ii_opt and l_opt else Status.FEASIBLE
    return SolverOutput(
        solution=sol,
        status=status,
        bound=bound,
        objective=objective(best_ii, length),
        params={"min_length": min_length, "copies": copies},
        info=info,
    )
