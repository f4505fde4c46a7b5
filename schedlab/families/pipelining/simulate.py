"""What the model's checker and the methods share: the objective, dependence weights, longest
paths, and the simulator of a modulo schedule.

The simulator runs the schedule for enough iterations to cover the steady state and verifies
every rule of the model (see :mod:`schedlab.families.pipelining.model`) on the simulated op
instances: dependences (with spill costs across warps), unit capacities at every cycle, warp
occupancy and in-order issue, the producer rule, unknown waits, registers per warp and per SM,
shared memory. It measures the steady-state II, the throughput and the peaks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ...core.errors import SolutionError
from ...core.schema import unstamp

if TYPE_CHECKING:  # types only: the model imports this module
    from .model import Edge, Instance, Op

#: The keys of an op row of a solution.
_ROW_KEYS = {"name", "start", "stage", "warp"}

#: objective = ii * OBJ_SCALE + length (lexicographic: II first, then schedule length).
OBJ_SCALE = 1_000_000


def objective(ii: int, length: int) -> float:
    """The lexicographic objective ``ii * OBJ_SCALE + length``."""
    return float(ii * OBJ_SCALE + length)


def edge_weights(inst: Instance, ii: int | None) -> list[tuple[int, int, int]]:
    """``(src, dst, latency(src) + delay - distance * ii)`` for every edge; with ``ii=None``
    the distance-0 edges only (the view that holds at every II)."""
    out = []
    for e in inst.edges:
        if ii is None and e.distance:
            continue
        out.append((e.src, e.dst, inst.ops[e.src].latency + e.delay - e.distance * (ii or 0)))
    return out


def longest_paths(n: int, edges: list[tuple[int, int, int]]) -> list[int] | None:
    """Longest path lengths from a virtual source to each of ``n`` nodes (all at least 0)
    over weighted edges ``(src, dst, weight)``; ``None`` on a positive cycle. Vectorised
    Bellman-Ford, with each node's last improving edge kept: a cycle of those edges whose
    weights sum above 0 is a positive cycle, so an infeasible II is found after a few rounds
    instead of ``n`` (the cycle is checked every few rounds by pointer doubling)."""
    if not edges:
        return [0] * n
    e = np.asarray(edges, dtype=np.int64)
    return longest_paths_arrays(n, e[:, 0], e[:, 1], e[:, 2])


def longest_paths_arrays(n: int, src: Any, dst: Any, w: Any) -> list[int] | None:
    """:func:`longest_paths` with the edges as three int64 arrays."""
    if not len(src):
        return [0] * n
    dist = np.zeros(n, dtype=np.int64)
    parent = np.full(n + 1, -1, dtype=np.int64)  # index of the edge that set the node
    every = 8
    for it in range(n + 1):
        cand = dist[src] + w
        new = dist.copy()
        np.maximum.at(new, dst, cand)
        if np.array_equal(new, dist):
            return [int(x) for x in dist]
        better = (cand > dist[dst]) & (cand == new[dst])
        parent[dst[better]] = np.flatnonzero(better)
        dist = new
        if it % every == every - 1 and _positive_parent_cycle(n, parent, src, w):
            return None
    return None


def _positive_parent_cycle(n: int, parent: Any, src: Any, w: Any) -> bool:
    """Whether the improving edges (``parent[v]``: the edge that last raised ``v``, or -1)
    close a cycle of positive weight (checked by summing the weights along it)."""
    up = np.where(parent[:n] >= 0, src[np.maximum(parent[:n], 0)], n)
    up = np.append(up, n)  # n: the root, its own parent
    jump = up.copy()
    for _ in range(max(1, int(n).bit_length()) + 1):
        jump = jump[jump]
    on = np.flatnonzero(jump[:n] != n)
    if not len(on):
        return False
    v = int(jump[int(on[0])])  # n jumps of at least n steps land on a cycle
    total, x = 0, v
    for _ in range(n + 1):
        total += int(w[parent[x]])
        x = int(up[x])
        if x == v:
            return total > 0
    return False  # pragma: no cover - v lies on a cycle


def positive_cycle(n: int, edges: list[tuple[int, int, int]]) -> bool:
    """True if the weighted edges close a cycle of positive weight."""
    return longest_paths(n, edges) is None


def table_runs(table: Sequence[tuple[int, str, int]]) -> dict[str, list[tuple[int, int, int]]]:
    """The runs ``(off, cycles, amount)`` of a reservation table, per unit kind: maximal
    ranges of consecutive offsets with the same amount (rows at one offset summed), sorted
    by offset. An op busy 10,000 cycles is one run: the checker and the models cost one
    interval a run, not one entry a cycle."""
    need: dict[tuple[str, int], int] = {}
    for off, u, a in table:
        need[(u, off)] = need.get((u, off), 0) + a
    rows: dict[str, list[tuple[int, int]]] = {}
    for (u, off), a in need.items():
        rows.setdefault(u, []).append((off, a))
    out: dict[str, list[tuple[int, int, int]]] = {}
    for u, offs in rows.items():
        runs: list[tuple[int, int, int]] = []
        for off, a in sorted(offs):
            if runs and runs[-1][0] + runs[-1][1] == off and runs[-1][2] == a:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1, a)
            else:
                runs.append((off, 1, a))
        out[u] = runs
    return out


@dataclass(frozen=True)
class SimReport:
    """What simulating a modulo schedule measured.

    Attributes:
        ii: cycles between the completions of consecutive iterations in the steady state.
        throughput: iterations per cycle in the steady state (``1 / ii``).
        length: cycles from the first issue to the last completion of one iteration.
        iterations: iterations simulated.
        in_flight: the most iterations in flight at once.
        unit_peak: the most units of each kind used in one cycle.
        warp_regs: register need of each used warp (``reg_base`` + peak live registers).
        smem_peak: peak live shared memory.
        sequential_ii: cycles per iteration without pipelining (one iteration after another).
    """

    ii: float
    throughput: float
    length: int
    iterations: int
    in_flight: int
    unit_peak: dict[str, int]
    warp_regs: dict[int, int]
    smem_peak: int
    sequential_ii: int


def parse_solution(
    inst: Instance, solution: dict[str, Any]
) -> tuple[int, int, list[int], list[list[int]]]:
    """Validate a solution's form; return ``(ii, length, starts, warps)`` with one list of
    warps per op, all of the same length (the copies)."""
    if not isinstance(solution, dict) or not {"ii", "length", "ops"} <= set(solution):
        raise SolutionError('a pipelining solution is {"ii", "length", "ops": [...]}')
    solution = unstamp(solution, "solution")
    unknown = set(solution) - {"ii", "length", "ops"}
    if unknown:
        raise SolutionError(f"unknown solution key(s) {', '.join(sorted(map(str, unknown)))}")
    ii = solution["ii"]
    if isinstance(ii, bool) or not isinstance(ii, int) or ii < 1:
        raise SolutionError(f"ii must be a positive integer, got {ii!r}")
    length = solution["length"]
    if isinstance(length, bool) or not isinstance(length, int):
        raise SolutionError(f"length must be an integer, got {length!r}")
    rows = solution["ops"]
    if not isinstance(rows, list) or len(rows) != inst.n:
        raise SolutionError(f"ops must list all {inst.n} ops")
    n_warps = inst.machine.warps
    start: list[int | None] = [None] * inst.n
    warps: list[list[int] | None] = [None] * inst.n
    for r in rows:
        if not isinstance(r, dict) or "name" not in r or "start" not in r:
            raise SolutionError(f"each op row needs name and start, got {r!r}")
        extra = set(r) - _ROW_KEYS
        if extra:
            raise SolutionError(
                f"op {r['name']!r}: unknown key(s) {', '.join(sorted(map(str, extra)))}"
            )
        try:
            v = inst.index(r["name"])
        except KeyError:
            raise SolutionError(f"unknown op {r['name']!r}") from None
        if start[v] is not None:
            raise SolutionError(f"op {r['name']} appears twice")
        s = r["start"]
        if isinstance(s, bool) or not isinstance(s, int) or s < 0:
            raise SolutionError(f"op {r['name']}: start must be a non-negative integer")
        start[v] = s
        if "stage" in r and r["stage"] != s // ii:
            raise SolutionError(f"op {r['name']}: stage {r['stage']} != start // ii = {s // ii}")
        w = r.get("warp", 0)
        wl = w if isinstance(w, list) else [w]
        for x in wl:
            if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x < n_warps:
                raise SolutionError(f"op {r['name']}: warp {x!r} outside 0..{n_warps - 1}")
        if not wl:
            raise SolutionError(f"op {r['name']}: empty warp list")
        warps[v] = list(wl)
    ks = {len(w) for w in warps if w is not None and len(w) > 1}
    if len(ks) > 1:
        raise SolutionError("warp lists must all have the same length (copies)")
    k = ks.pop() if ks else 1
    wfull = [w * k if len(w) == 1 else w for w in warps if w is not None]
    st = [int(s) for s in start if s is not None]
    real_len = max(st[v] + inst.ops[v].span for v in range(inst.n))
    if length != real_len:
        raise SolutionError(f"length {length} but max(start + span) is {real_len}")
    return ii, length, st, wfull


def lifetimes(inst: Instance, ii: int, start: list[int]) -> list[int]:
    """How long each op's value lives: until the issue of its last consumer, at least
    ``max(1, span)`` cycles."""
    life = [max(1, o.span) for o in inst.ops]
    for e in inst.edges:
        life[e.src] = max(life[e.src], start[e.dst] + e.distance * ii - start[e.src])
    return life


def _block_start(s: int, k: int, ii: int, start: list[int], preds: list[Edge]) -> int:
    """Where a blocking op's warp starts waiting: the issue of its latest input instance."""
    cands = [start[e.src] + (k - e.distance) * ii for e in preds if k - e.distance >= 0]
    return min(s, max(cands)) if cands else s


def _peak(events: list[tuple[int, int]]) -> int:
    best = cur = 0
    for _, dv in sorted(events, key=lambda x: (x[0], x[1])):
        cur += dv
        best = max(best, cur)
    return best


def _rows_at(op: Op, unit: str, off: int) -> int:
    """How many rows of ``op``'s table use ``unit`` at offset ``off``."""
    for o, c, _ in op.runs.get(unit, ()):
        if o <= off < o + c:
            return sum(1 for x, uu, _ in op.table if x == off and uu == unit)
    return 0


def simulate(inst: Instance, solution: dict[str, Any]) -> SimReport:
    """Run the modulo schedule for enough iterations to cover the steady state and verify
    every constraint on the simulated instances; raise :class:`SolutionError` on the first
    violation, else return what was measured."""
    ii, length, start, warp = parse_solution(inst, solution)
    k_copies = len(warp[0])
    stages = -(-length // ii)
    n_it = stages + k_copies + 1
    ops = inst.ops
    m = inst.machine

    def w_of(v: int, k: int) -> int:
        return warp[v][k % k_copies]

    # dependences, on every simulated instance pair
    for e in inst.edges:
        src, dst = e.src, e.dst
        for k in range(e.distance, max(n_it, e.distance + k_copies)):
            ku = k - e.distance
            need = start[src] + ku * ii + ops[src].latency + e.delay
            if w_of(src, ku) != w_of(dst, k):
                need += ops[src].spill
            got = start[dst] + k * ii
            if got < need:
                raise SolutionError(
                    f"dependence {ops[src].name}->{ops[dst].name} (delay {e.delay}, distance "
                    f"{e.distance}) violated in iteration {k}: issues at {got}, needs >= {need}"
                )
    # unit capacity at every cycle, by runs of busy cycles (a sweep over where runs begin
    # and end: starts, II and busy counts may be large)
    delta: dict[str, dict[int, int]] = {}
    for v, o in enumerate(ops):
        for u, runs in o.runs.items():
            dd = delta.setdefault(u, defaultdict(int))
            for off, c, a in runs:
                for k in range(n_it):
                    t0 = start[v] + k * ii + off
                    dd[t0] += a
                    dd[t0 + c] -= a
    peak: dict[str, int] = {}
    for u, dd in delta.items():
        cap = m.capacity(u)
        load = best = 0
        over: int | None = None
        over_load = 0
        for t in sorted(dd):
            load += dd[t]
            if load > best:
                best = load
            if cap is not None and over is None and load > cap:
                over = t
                over_load = load
        peak[u] = best
        if over is not None:
            t = over
            names = [
                f"{o.name}#{k}"
                for v, o in enumerate(ops)
                for k in range(n_it)
                for _ in range(_rows_at(o, u, t - start[v] - k * ii))
            ]
            raise SolutionError(
                f"unit {u}: {over_load} in use at cycle {t} (capacity {cap}): "
                + ", ".join(names[:6])
            )
    # warp occupancy (blocking ops hold their warp from their latest input's issue)
    preds: list[list[Edge]] = [[] for _ in ops]
    for e in inst.edges:
        preds[e.dst].append(e)
    occ: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for v, o in enumerate(ops):
        for k in range(n_it):
            s = start[v] + k * ii
            a = _block_start(s, k, ii, start, preds[v]) if o.blocking else s
            b = s + o.warp_cycles
            if b > a:
                occ[w_of(v, k)].append((a, b, f"{o.name}#{k}"))
    for w, ivs in occ.items():
        ivs.sort()
        for (a1, b1, n1), (a2, b2, n2) in zip(ivs, ivs[1:], strict=False):
            if a2 < b1:
                raise SolutionError(
                    f"warp {w}: {n1} [{a1},{b1}) and {n2} [{a2},{b2}) occupy it at once"
                )
    # in-order issue: an asynchronous op cannot issue while its warp is occupied
    if occ:
        for v, o in enumerate(ops):
            if o.warp_cycles or o.blocking:
                continue
            for k in range(n_it):
                s = start[v] + k * ii
                for a, b, nm in occ.get(w_of(v, k), ()):
                    if a < s < b:
                        raise SolutionError(
                            f"warp {w_of(v, k)}: {o.name}#{k} issues at {s} while {nm} "
                            f"occupies the warp [{a},{b})"
                        )
    # producer rule
    var_warps = {
        w_of(v, k) for v, o in enumerate(ops) if o.variable_latency for k in range(k_copies)
    }
    if len(var_warps) > 1:
        raise SolutionError(
            f"variable-latency ops must share one producer warp, found warps {sorted(var_warps)}"
        )
    producer = var_warps.pop() if var_warps else None
    if producer is not None:
        for v, o in enumerate(ops):
            if not o.variable_latency and any(w_of(v, k) == producer for k in range(k_copies)):
                raise SolutionError(
                    f"op {o.name} runs on the producer warp {producer}, which waits on "
                    "buffer barriers for unknown times and runs only variable-latency ops"
                )
    # unknown waits: a warp that waits on barriers of unknown flip time runs no fixed-time
    # work (its timing would slip by the unknown wait)
    waiting = {
        w_of(v, k): o.name for v, o in enumerate(ops) if o.unknown_wait for k in range(k_copies)
    }
    for v, o in enumerate(ops):
        if not (o.warp_cycles or o.blocking):
            continue
        for k in range(k_copies):
            if w_of(v, k) in waiting:
                raise SolutionError(
                    f"op {o.name} (fixed-time work) runs on warp {w_of(v, k)}, where "
                    f"{waiting[w_of(v, k)]} waits on barriers of unknown flip time"
                )
    # registers per warp and shared memory, as live intervals
    life = lifetimes(inst, ii, start)
    reg_ev: dict[int, list[tuple[int, int]]] = defaultdict(list)
    mem_ev: list[tuple[int, int]] = []
    used: set[int] = set()
    for v, o in enumerate(ops):
        for k in range(n_it):
            s = start[v] + k * ii
            w = w_of(v, k)
            used.add(w)
            if o.regs:
                reg_ev[w] += [(s, o.regs), (s + life[v], -o.regs)]
            if o.mem:
                mem_ev += [(s, o.mem), (s + life[v], -o.mem)]
    warp_regs: dict[int, int] = {}
    for w in sorted(used):
        warp_regs[w] = m.reg_base + _peak(reg_ev.get(w, []))
        budget = m.regs_per_warp
        if w == producer and m.producer_regs is not None:
            budget = m.producer_regs
        if budget is not None and warp_regs[w] > budget:
            raise SolutionError(f"warp {w} needs {warp_regs[w]} registers (budget {budget})")
    if m.regs_per_sm is not None and sum(warp_regs.values()) > m.regs_per_sm:
        raise SolutionError(
            f"the used warps need {sum(warp_regs.values())} registers (SM budget {m.regs_per_sm})"
        )
    smem_peak = _peak(mem_ev)
    if m.smem is not None and smem_peak > m.smem:
        raise SolutionError(f"{smem_peak} shared memory live at once (capacity {m.smem})")
    # measured figures
    done = [max(start[v] + k * ii + ops[v].span for v in range(inst.n)) for k in range(n_it)]
    first = [min(start[v] + k * ii for v in range(inst.n)) for k in range(n_it)]
    lo = min(stages, n_it - 2)
    measured = (done[-1] - done[lo]) / (n_it - 1 - lo)
    in_flight = (
        max(
            sum(1 for k in range(n_it) if first[k] <= t < done[k])
            for t in range(0, done[-1], max(1, ii))
        )
        if done[-1] > 0
        else 1
    )
    return SimReport(
        ii=float(measured),
        throughput=1.0 / measured,
        length=done[0] - first[0],
        iterations=n_it,
        in_flight=in_flight,
        unit_peak=peak,
        warp_regs=warp_regs,
        smem_peak=smem_peak,
        sequential_ii=max(1, inst.critical_path()),
    )
