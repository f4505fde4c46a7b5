"""Repair of an msa solution's copy times: the copies that stall the program moved where the
fast memory is free (a prefetch issued earlier, an eviction done later), each move kept only
when the checker's simulated total time drops; and the copies run in the order of the steps
that wait for them (:func:`edf_times`) rather than in issue order."""

from __future__ import annotations

import heapq
import math
from typing import Any

import numpy as np

from ....core import SolutionError
from ....core.timing import clock
from ..msa import Msa, Simulation, times_given

#: The steps a stalling copy is moved by, tried in turn (the first move that helps is kept).
SHIFTS = (1, 2, 4, 8, 16, 32, 64)
#: Simulations of the moves tried without a deadline (so that a run repeats exactly).
MAX_TRIES = 500


def _spans(inst: Msa, sol: dict[str, Any]) -> list[tuple[int, int, int, int, int]]:
    """``(buffer, offset, size, first step held, step free again)`` of every piece."""
    size = inst.arrays[2]
    return [
        (p.buffer, p.offset, int(size[p.buffer]), p.occ_start, p.occ_end)
        for row in inst.pieces(sol)
        for p in row
    ]


def _free(
    spans: list[tuple[int, int, int, int, int]], me: tuple[int, int], off: int, size: int,
    lo: int, up: int,
) -> bool:  # fmt: skip
    """Whether the addresses ``[off, off + size)`` are free at steps ``[lo, up)`` of every
    piece but ``me`` (its buffer and first held step)."""
    for j, o, s, a, b in spans:
        if a < up and lo < b and o < off + size and off < o + s and (j, a) != me:
            return False
    return True


def _untimed(sol: dict[str, Any]) -> dict[str, Any]:
    """``sol`` without copy times (the checker's simulation then times every copy)."""
    fast: dict[Any, list[dict[str, Any]]] = {}
    for key, rows in sol["fast"].items():
        out = []
        for r in rows:
            r = dict(r)
            if "prefetch" in r:
                r["prefetch"] = {"start": r["prefetch"]["start"]}
            if "eviction" in r:
                r["eviction"] = {"start": r["eviction"]["start"], "done": r["eviction"]["done"]}
            out.append(r)
        fast[key] = out
    return {**sol, "fast": fast}


def _timed(sol: dict[str, Any]) -> bool:
    """Whether some copy of ``sol`` has its times given."""
    return any(
        "begin" in r.get(kind, {})
        for rows in sol["fast"].values()
        for r in rows
        for kind in ("prefetch", "eviction")
    )


def edf_times(inst: Msa, sol: dict[str, Any], sim: Simulation | None = None) -> dict[str, Any]:
    """``sol`` with every copy's ``begin`` and ``end`` given: on each free copy engine, of the
    copies issued by then (a prefetch also after its buffer's eviction), the one whose step
    waits first (earliest deadline first; then evictions, issue step, buffer), non-preemptive.
    The checker's own timing (``begin`` absent) runs them in issue order instead, which
    stalls the program when a long copy issued early holds an engine that a copy needed
    sooner waits for. ``sim``: the checker's simulation of ``sol`` when the caller has it
    (its copies and step times are used, not its copy times)."""
    plain = _untimed(sol) if _timed(sol) else sol
    if sim is None:
        sim = inst.simulate(plain)
    copies = sim.copies
    if not copies:
        return plain
    dur = sim.step_end - sim.step_start
    size = inst.arrays[2]
    ctime = [inst.copy_time(int(size[c.buffer])) for c in copies]
    by_start: dict[int, list[int]] = {}
    by_done: dict[int, list[int]] = {}
    for k, c in enumerate(copies):
        by_start.setdefault(c.start, []).append(k)
        by_done.setdefault(c.done, []).append(k)
    evicts = {(c.buffer, c.piece): k for k, c in enumerate(copies) if c.kind == "eviction"}
    begin = [math.nan] * len(copies)
    end = [math.nan] * len(copies)
    rel = [math.nan] * len(copies)
    engines = [0.0] * inst.copy_engines
    released: list[tuple[float, int]] = []  # (release time, copy): in release order
    ready: list[tuple[int, bool, int, int, int, int]] = []  # EDF heap
    nxt = 0
    t = 0.0
    for i in range(len(dur)):
        later: list[tuple[int, int]] = []  # prefetches after an eviction done at this step
        for k in sorted(by_start.get(i, ()), key=lambda k: (copies[k].kind != "eviction", k)):
            c = copies[k]
            ev = evicts.get((c.buffer, c.piece - 1)) if c.kind == "prefetch" else None
            if ev is not None and math.isnan(end[ev]):
                later.append((k, ev))
                continue
            rel[k] = t if ev is None else max(t, end[ev])
            released.append((rel[k], k))
        reach = t
        for k in by_done.get(i, ()):
            while math.isnan(end[k]):
                free = heapq.heappop(engines)
                if not ready or (nxt < len(released) and released[nxt][0] <= free):
                    when = free if ready else max(free, released[nxt][0])
                    while nxt < len(released) and released[nxt][0] <= when:
                        q = copies[released[nxt][1]]
                        heapq.heappush(
                            ready,
                            (q.done, q.kind != "eviction", q.start, q.buffer, q.piece,
                             released[nxt][1]),
                        )  # fmt: skip
                        nxt += 1
                else:
                    when = free
                got = heapq.heappop(ready)[-1]
                begin[got] = max(when, rel[got])
                end[got] = begin[got] + ctime[got]
                heapq.heappush(engines, end[got])
            t = max(t, end[k])
        for k, ev in later:  # the eviction has ended by now (it is done at this step)
            rel[k] = max(reach, end[ev])
            released.append((rel[k], k))
        t += float(dur[i])
    times = {}
    for k, c in enumerate(copies):
        if math.isnan(begin[k]):  # waited for by no step: as soon as an engine is free
            begin[k] = max(engines[0], rel[k])
            end[k] = begin[k] + ctime[k]
            heapq.heapreplace(engines, end[k])
        times[(c.buffer, c.piece, c.kind)] = (begin[k], end[k])
    return times_given(inst, plain, times)


def timings(inst: Msa, sol: dict[str, Any]) -> tuple[dict[str, Any], Simulation]:
    """``sol`` timed by the checker (issue order; its own times if given) or by
    :func:`edf_times`, whichever is shorter, with its simulation."""
    sim = inst.simulate(sol)
    if not sim.copies:
        return sol, sim
    try:
        edf = edf_times(inst, sol, sim)
        e_sim = inst.simulate(edf)
    except SolutionError:  # pragma: no cover - edf_times keeps the checker's rules
        return sol, sim
    return (edf, e_sim) if e_sim.total < sim.total else (sol, sim)


def retime(
    inst: Msa, sol: dict[str, Any], deadline: float = math.inf
) -> tuple[dict[str, Any], float]:
    """``(sol with its stalls reduced, its total time)``, ``sol`` itself when nothing helps:
    while the ``deadline`` allows (less twice the time of one simulation, kept for the
    caller's check of the answer), the step that waits longest for a copy (then the next
    ones) has the copy it waits for moved by one of :data:`SHIFTS` steps: a prefetch issued
    earlier (its piece then holds its addresses from there: they must be free), an eviction
    done later (holding them until then); a move the checker rejects or that does not lower
    the total time is undone. The copies are timed in issue order or by :func:`edf_times`,
    whichever is shorter. It stops when no stalled step's copy can move, or after
    :data:`MAX_TRIES` moves tried without a deadline."""
    c0 = clock()
    given = inst.check(sol)
    cur = _untimed(sol) if _timed(sol) else sol  # the moved copies are timed anew
    timed, sim = timings(inst, cur)
    if deadline < math.inf:
        deadline -= 2.0 * (clock() - c0)
    best = sim.total
    tol = 1e-9 * max(1.0, best)
    keys = {inst.position(k): k for k in cur["fast"]}
    tried: set[tuple[int, int, str, int]] = set()
    budget = MAX_TRIES if deadline == math.inf else -1
    while clock() < deadline and budget != 0:
        start, finish = sim.step_start, sim.step_end
        before = np.concatenate([[0.0], finish[:-1]])
        stall = start - before
        steps = [int(i) for i in np.argsort(-stall, kind="stable") if stall[i] > tol]
        spans = _spans(inst, cur)
        improved = False
        for i in steps:
            if clock() >= deadline:
                break
            for c in sim.copies:
                if c.done != i or c.end is None or c.end < start[i] - tol:
                    continue  # not what step i waits for
                key = (c.buffer, c.piece, c.kind, i)
                if key in tried:
                    continue
                tried.add(key)
                for new in _moved(inst, cur, spans, keys.get(c.buffer), c.buffer, c.piece, c.kind):
                    if clock() >= deadline or budget == 0:
                        break
                    budget -= 1
                    try:
                        t2, s2 = timings(inst, new)
                    except SolutionError:
                        continue
                    if s2.total < best - tol:
                        cur, sim, timed, best, improved = new, s2, t2, s2.total, True
                        break
                if improved:
                    break
            if improved:
                break
        if not improved:
            break
    return (timed, best) if best < given - tol else (sol, given)


def _moved(
    inst: Msa, sol: dict[str, Any], spans: list[tuple[int, int, int, int, int]], key: Any,
    j: int, piece: int, kind: str,
) -> list[dict[str, Any]]:  # fmt: skip
    """The solutions with the ``kind`` copy of piece ``piece`` of buffer ``j`` (``key`` in
    ``sol``) moved by each of :data:`SHIFTS` steps while its addresses stay free."""
    rows = sol["fast"].get(key) if key is not None else None
    if rows is None or piece >= len(rows):
        return []
    row = rows[piece]
    size = int(inst.arrays[2][j])
    ns = len(inst.steps)
    prev_free = int(inst.arrays[0][j])
    if piece > 0:
        pr = rows[piece - 1]
        prev_free = max(pr["end"], pr.get("eviction", {}).get("done", pr["end"]))
    nxt = rows[piece + 1] if piece + 1 < len(rows) else None
    nxt_held = ns - 1 if nxt is None else nxt.get("prefetch", {}).get("start", nxt["first"])
    occ_start = row.get("prefetch", {}).get("start", row["first"])
    occ_end = max(row["end"], row.get("eviction", {}).get("done", row["end"]))
    me = (j, occ_start)
    out: list[dict[str, Any]] = []
    for d in SHIFTS:
        new_row = {**row}
        if kind == "prefetch" and "prefetch" in row:
            s = row["prefetch"]["start"] - d
            if s < prev_free or not _free(spans, me, row["offset"], size, s, occ_start):
                break
            new_row["prefetch"] = {"start": s}
        elif kind == "eviction" and "eviction" in row:
            dn = row["eviction"]["done"] + d
            if dn > nxt_held or not _free(spans, me, row["offset"], size, occ_end, dn):
                break
            new_row["eviction"] = {"start": row["eviction"]["start"], "done": dn}
        else:
            break
        new_rows = list(rows)
        new_rows[piece] = new_row
        out.append({**sol, "fast": {**sol["fast"], key: new_rows}})
    return out
