"""``mip`` for msa: HiGHS on a relaxation of the program (a lower bound), its choice turned
into pieces, copies and offsets, and simulated.

Per buffer ``j`` with accesses ``a_1 < ... < a_k`` (distinct steps) and lifetime
``[L, U)``, 0/1 columns ``f_m`` (fast at access ``m``), ``h_m`` (``m >= 2``: held in fast
memory from access ``m - 1`` to access ``m``, no copy in between) and ``z`` (the first piece
starts at ``L`` without a prefetch); per step ``i`` its time ``T_i`` and its start ``B_i``
(``B_0 = 0``, ``B_n`` the total time, minimised):

    T_i >= compute_i,  T_i >= slow_i - sum_j save_ij f_j(i)          (the step's time)
    B_{i+1} >= B_i + T_i                                             (stalls are B's slack)
    h_m <= f_{m-1},  h_m <= f_m,  z <= f_1                           (holding needs both)
    sum_j size_j occ_j(t) <= capacity                                (every step t)

with ``occ_j(t)`` = ``f_m`` at ``t = a_m`` and at ``a_m - 1`` (held, or holding the memory
of its prefetch), ``h_m`` between ``a_{m-1}`` and ``a_m - 1``, ``z`` from ``L`` to
``a_1 - 1``. Access ``m`` fast without a hold (or ``z``) takes a prefetch, of
``size_j / copy_bandwidth`` time, issued no earlier than ``e_m`` (the buffer's lower, or the
step after its last write before ``a_m``): a 0/1 column for each issue step of the last
:data:`LEAD` before ``a_m``, or more: back as far as :data:`LEAD_TIME` copy times take at
the steps' shortest times, then ``LEAD`` more (its memory counted from there), and one for
any earlier issue (counted from the step after it). A stay that is the only current copy
(it began without a prefetch or was written) and is not held on to the next access is
evicted: a 0/1 column for each done step of the first ``LEAD`` (or by time as above) after
its issue (its memory counted until then) and one for any later (counted until the step
after them); an eviction done after a prefetch's issue excludes that prefetch. (Ranges of 2,
4, 8, ... earlier or later steps, the memory counted to each range's near end, raised the
bound of resnet50 by 0.1 % only, and multiplied the nonzeros of the long-lived buffers.
With steps of little time a copy spans many: on resnet50 the leads by time left 31 of 393
chosen prefetches to the earlier column, against 178 with 8 steps, whose real issue held
110 capacity-steps more memory than counted; its answer went from 3198.8 to 3148.1.) The issue and done columns
are integral on programs of up to :data:`INTEGRAL_COPY_STEPS` steps: with fractions of them
the relaxation counted memory where no real copy would hold it (on a 500-step transformer
at 25 % capacity its pieces overfilled 44 steps, and the bound was 3.4 % below the best
found, 0.9 % with integral columns). The copies whose window lies within a window of one of
them (or of the whole program) share ``copy_engines`` x that window's time (preemptive
copies: a relaxation), ``B_v - E_{u-1}``; a window that leaves no room for a prefetch
forbids it. Left out (so the program stays a relaxation): offsets, the order of the copies
on an engine, the limit of outstanding prefetches.
Copies disabled: the mapping's own ``mip`` (exact); evictions disabled: one piece a buffer.

Its optimum is a lower bound on every msa solution's total time. The choice is then turned
into pieces (:func:`_raw_pieces`: the relaxation's issue and done steps where it chose
exact ones), placed at offsets (:func:`_placements`: every piece by the exact search once
those at over-full steps are dropped, else greedy orders leaving out what does not fit),
and the checker simulates the copies, in issue order or earliest deadline first
(:func:`~._msa_retime.edf_times`); the best of these is kept.
"""

from __future__ import annotations

import bisect
import gc
import itertools
import math
from typing import Any

import numpy as np

from ....core import SolveOptions, SolverOutput, Status, Work
from ....core.timing import clock
from ..model import Allocation, Buffer
from ..msa import Msa, piece_dict
from ._common import peak
from ._msa import best_start, msa_output
from ._msa_retime import retime, timings
from ._placement import best_greedy

#: A prefetch's issue step is a column for each of the last LEAD steps before its use (the
#: memory it holds from there is counted), one column for any earlier issue.
LEAD = 8
#: ... and, beyond LEAD, back as far as LEAD_TIME copy times take at the steps' shortest
#: times (their compute, or their accesses all in fast memory), then LEAD more (at most
#: MAX_LEAD steps in all): where a step takes little time a copy spans many of them, and
#: memory counted only from LEAD steps ahead fell short of what a real prefetch holds.
#: Evictions likewise after their issue.
LEAD_TIME = 2.0
MAX_LEAD = 256
#: Programs of up to this many steps have integral issue and done columns (see the module's
#: docstring); on longer ones HiGHS's presolve (its probing) outlasted the time limit by
#: minutes (a 10,000-step program), so they stay fractional there.
INTEGRAL_COPY_STEPS = 3000
#: HiGHS's presolve of the fractional relaxation of a long program (beyond
#: INTEGRAL_COPY_STEPS) does not stop at its time limit: on bert_base (5.4 million nonzeros)
#: it took 5.4 s at a 5 s limit and 17.2 s at 12 s (with presolve off, the root LP 17 s),
#: so the mip overran 20 s by 2.7 s. Under this many seconds a nonzero for HiGHS, it is not
#: started (the answer is then the start's, its stalls retimed).
PRESOLVE_SECONDS_PER_NONZERO = 3.5e-6
#: HiGHS runs past a short time limit by about this much a nonzero whatever the program
#: (at 0.05 s: resnet50's 1.4 million nonzeros 0.35 s, bert_base's 5.4 million 1.8 s): its
#: limit is shortened by it.
STARTUP_SECONDS_PER_NONZERO = 0.25e-6
#: Share of the time left after HiGHS for the exact placement of the pieces (when the
#: greedy ones leave some out), and its budget of search steps without a time limit.
EXACT_SHARE = 0.5
EXACT_STEPS = 2_000_000
#: Share of the time limit for HiGHS; the rest is for the pieces, placement and checks.
MIP_SHARE = 0.8
#: The copy windows' rows hold at most this many nonzeros together, the shortest windows
#: first (a long window nests many copies and says little more than the whole program's,
#: which bounds all of them and is always there). On resnet50 (10,797 windows) 400,000 kept
#: 6,022 and gave a bound of 2726.6 at 60 s, 2,000,000 gave 2760.3 (and 3137.8 found, against
#: 3146.1); with every window (10,000,000) HiGHS reached 2702.3 and no solution. The
#: generated programs of up to 2,000 steps, bert_base and the 10,000-step program gave the
#: same values with both.
WINDOW_NONZEROS = 2_000_000


class _Cols:
    """Column indices of the relaxation."""

    def __init__(self) -> None:
        self.n = 0
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.cost: list[float] = []
        self.integer: list[bool] = []

    def add(self, lo: float, up: float, cost: float = 0.0, integer: bool = True) -> int:
        self.lower.append(lo)
        self.upper.append(up)
        self.cost.append(cost)
        self.integer.append(integer)
        self.n += 1
        return self.n - 1


def build(inst: Msa, deadline: float = math.inf) -> dict[str, Any] | None:
    """The relaxation's columns and rows (``None`` once the ``deadline`` passes). Python's
    cyclic garbage collector is paused meanwhile: the millions of small lists and tuples
    built here hold no cycles, and its passes over them took half of bert_base's build
    (4.7 s, 2.5 s without) and ran up to 0.9 s past the deadline between two checks."""
    was = gc.isenabled()
    gc.disable()
    try:
        return _build(inst, deadline)
    finally:
        if was:
            gc.enable()


def _build(inst: Msa, deadline: float) -> dict[str, Any] | None:
    prog = inst.program
    ns = len(inst.steps)
    lo, up, sz, _al, _fx = inst.arrays
    cap = int(inst.capacity or 0)
    step, _buf, nbytes, compute = prog.accesses
    inv_s, inv_f = 1.0 / prog.slow_bandwidth, 1.0 / prog.fast_bandwidth
    slow_t = np.zeros(ns)
    np.add.at(slow_t, step, nbytes * inv_s)
    copies = inst.copies_enabled
    whole = ns <= INTEGRAL_COPY_STEPS  # integral issue and done columns
    cols = _Cols()
    T = [cols.add(float(compute[i]), math.inf, 0.0, False) for i in range(ns)]
    B = [
        cols.add(0.0, 0.0 if i == 0 else math.inf, 1.0 if i == ns else 0.0, False)
        for i in range(ns + 1)
    ]
    rows: list[tuple[list[int], list[float], float, float]] = []
    per = inst.step_bytes
    occ: list[list[tuple[int, int]]] = [[] for _ in range(ns)]  # step -> (column, size)
    saves: list[list[tuple[int, float]]] = [[] for _ in range(ns)]
    fcol: dict[tuple[int, int], int] = {}  # (buffer, access step) -> f column
    hcol: dict[tuple[int, int], int] = {}
    zcol: dict[int, int] = {}
    qcol: dict[tuple[int, int], list[tuple[int, int, int]]] = {}  # prefetch issue columns
    evicts: dict[tuple[int, int], list[tuple[int, int, int]]] = {}  # eviction done columns
    # the copies: (first step of the window, step that waits, copy time, amount as terms)
    copy_rows: list[tuple[int, int, float, list[tuple[int, float]]]] = []
    d = inv_s - inv_f
    fast_t = np.zeros(ns)
    np.add.at(fast_t, step, nbytes * inv_f)
    # the time from the program's start to each step when every step is at its shortest
    cmin = np.concatenate([[0.0], np.cumsum(np.maximum(compute, fast_t))])
    for j in range(inst.n):
        if j % 8 == 7 and clock() >= deadline:
            return None
        acc = inst.access_steps[j]
        size = int(sz[j])
        if not acc or size > cap or d <= 0:
            continue
        writes = inst.write_steps[j]
        low = int(lo[j])
        f = []
        for a in acc:
            c = cols.add(0.0, 1.0)
            f.append(c)
            fcol[(j, a)] = c
            occ[a].append((c, size))
            saves[a].append((c, per[a][j] * d))
        z = cols.add(0.0, 1.0)
        zcol[j] = z
        rows.append(([z, f[0]], [1.0, -1.0], -math.inf, 0.0))  # z <= f_1
        # at the step before an access, a buffer fast at it takes its space whether held or
        # being prefetched (a prefetch holds from its issue): f there, not z or h
        for t in range(low, acc[0]):
            occ[t].append((f[0] if t == acc[0] - 1 else z, size))
        starts: list[tuple[int, float]] = [(f[0], 1.0)]
        ctime = inst.copy_time(size)
        wset = set(writes)
        wi = 0
        stale = -1  # column: the stay holding the previous access is the only current copy
        for m, a in enumerate(acc):
            if clock() >= deadline:  # a buffer of many accesses can take long
                return None
            while wi < len(writes) and writes[wi] < a:
                wi += 1
            last_w = writes[wi - 1] if wi else None
            if m:
                prev = acc[m - 1]
                h = cols.add(0.0, 1.0)
                hcol[(j, a)] = h
                rows.append(([h, f[m - 1]], [1.0, -1.0], -math.inf, 0.0))
                rows.append(([h, f[m]], [1.0, -1.0], -math.inf, 0.0))
                # a stale stay not held on to access m is evicted: issued after its last
                # write (or from the lower), done by a; a column for each done step d of
                # the first LEAD (its piece holds prev + 1 .. d - 1), one for any later
                es = low if last_w is None else last_w + 1
                # (column, first done step, last done step)
                evict: list[tuple[int, int, int]] = []
                if copies and inst.evictions and es < a:
                    # done steps as far as LEAD_TIME copies take at the shortest times
                    far = int(np.searchsorted(cmin, cmin[es] + LEAD_TIME * ctime, "left"))
                    g1 = min(a, es + max(LEAD, min(MAX_LEAD, far - es + LEAD)))
                    for d0 in range(es + 1, g1 + 1):
                        evict.append((cols.add(0.0, 1.0, 0.0, whole), d0, d0))
                    if g1 < a:  # any later done step
                        evict.append((cols.add(0.0, 1.0, 0.0, whole), g1 + 1, a))
                    cs = [c for c, _, _ in evict]
                    rows.append(
                        (cs + [stale, h], [1.0] * len(cs) + [-1.0, 1.0], 0.0, math.inf)
                    )  # fmt: skip
                    for c, d_lo, d_hi in evict:
                        copy_rows.append((es, d_hi, ctime, [(c, 1.0)]))
                        for t in range(prev + 1, min(d_lo, a)):
                            occ[t].append((c, size))
                    evicts[(j, a)] = evict
                else:
                    rows.append(([stale, h], [1.0, -1.0], -math.inf, 0.0))  # held on
                # memory between the accesses: held, or the prefetch for a (from a - 1 on)
                for t in range(prev + 1, a):
                    occ[t].append((f[m] if t == a - 1 else h, size))
                starts += [(f[m], 1.0), (h, -1.0)]
                expr = [(f[m], 1.0), (h, -1.0)]
            else:
                expr = [(f[0], 1.0), (z, -1.0)]
            # stale at a: continued from a stale stay, written here in fast memory, or (at
            # the first access) a piece from the lower without a prefetch
            st = cols.add(0.0, 1.0, 0.0, False)
            if m:
                rows.append(([st, stale, h], [1.0, -1.0, -1.0], -1.0, math.inf))
            else:
                rows.append(([st, z], [1.0, -1.0], 0.0, math.inf))
            if a in wset:
                rows.append(([st, f[m]], [1.0, -1.0], 0.0, math.inf))
            stale = st
            e = low if last_w is None else max(low, last_w + 1)
            if not copies or e >= a:  # no prefetch possible: fast only by holding
                rows.append(([c for c, _ in expr], [v for _, v in expr], -math.inf, 0.0))
                continue
            # the prefetch's issue step: one column for each of the last LEAD steps, one
            # for any earlier; it holds the memory from its issue (the earlier ones: from
            # LEAD + 1 steps ahead at least); they add up to f - h (or f - z)
            issue: list[tuple[int, int, int]] = []  # (column, first and last issue step)
            # back as far as LEAD_TIME copies take at the shortest step times, then LEAD
            far = int(np.searchsorted(cmin, cmin[a] - LEAD_TIME * ctime, "right")) - 1
            g0 = max(e, a - max(LEAD, min(MAX_LEAD, a - far + LEAD)))
            for s0 in range(g0, a):
                issue.append((cols.add(0.0, 1.0, 0.0, whole), s0, s0))
            if e < g0:  # any earlier issue step
                issue.append((cols.add(0.0, 1.0, 0.0, whole), e, g0 - 1))
            qcol[(j, a)] = issue
            # the piece an eviction frees at d and the prefetch's piece, issued before d,
            # would overlap: not both
            for c_ev, d_lo, _d_hi in evicts.get((j, a), []):
                if d_lo > a - 1:
                    continue  # done at a: covered below
                before = [c for c, _s_lo, s_hi in issue if s_hi < d_lo]
                if before:
                    rows.append(
                        ([c_ev, *before], [1.0] * (1 + len(before)), -math.inf, 1.0)
                    )  # fmt: skip
            done_at_a = [c for c, d_lo, _d_hi in evicts.get((j, a), []) if d_lo == a]
            if done_at_a:  # freed only at a: no prefetch for a at all
                rows.append(
                    ([*done_at_a, *(c for c, _, _ in issue)],
                     [1.0] * (len(done_at_a) + len(issue)), -math.inf, 1.0)
                )  # fmt: skip
            rows.append(
                ([c for c, _, _ in issue] + [c for c, _ in expr],
                 [1.0] * len(issue) + [-v for _, v in expr], 0.0, 0.0)
            )  # fmt: skip
            # its memory from the issue to a - 2, and at a - 1 too when that is the previous
            # access (f of a counts it only between accesses; the stay at the previous
            # access, counted there, and this prefetch cannot both hold it)
            near = a - 1 if m and acc[m - 1] == a - 1 else a - 2
            for c, s_lo, s_hi in issue:
                copy_rows.append((s_lo, a, ctime, [(c, 1.0)]))
                for t in range(s_hi, near + 1):
                    occ[t].append((c, size))
        if not inst.evictions:  # one piece: at most one start
            rows.append(([c for c, _ in starts], [v for _, v in starts], -math.inf, 1.0))
    # the steps
    for i in range(ns):
        if i % 64 == 63 and clock() >= deadline:
            return None
        rows.append(([B[i + 1], B[i], T[i]], [1.0, -1.0, -1.0], 0.0, math.inf))
        if slow_t[i] > compute[i] and saves[i]:
            rows.append(
                ([T[i]] + [c for c, _ in saves[i]], [1.0] + [v for _, v in saves[i]],
                 float(slow_t[i]), math.inf)
            )  # fmt: skip
        elif slow_t[i] > compute[i]:
            cols.lower[T[i]] = float(slow_t[i])
    if clock() >= deadline:
        return None
    # the capacity
    for t in range(ns):
        if t % 64 == 63 and clock() >= deadline:
            return None
        if sum(s for _, s in occ[t]) > cap:
            rows.append(([c for c, _ in occ[t]], [s / cap for _, s in occ[t]], -math.inf, 1.0))
    # the copy windows: those of the prefetches, and the whole program
    eng = float(inst.copy_engines)
    if copy_rows:
        windows = sorted({(e, a) for e, a, _, _ in copy_rows}, key=lambda w: (w[1] - w[0], w))
        order = sorted(range(len(copy_rows)), key=lambda k: copy_rows[k][0])
        issues = [copy_rows[k][0] for k in order]
        budget = WINDOW_NONZEROS
        for wn, (u, v) in enumerate([(0, ns), *windows]):
            if clock() >= deadline:
                return None
            # the copies issued from u on (and so before v) and done by v
            span = order[bisect.bisect_left(issues, u) : bisect.bisect_left(issues, v)]
            if wn and 2 * len(span) > budget:
                break  # the longer windows left out
            inner = [k for k in span if copy_rows[k][1] <= v]
            budget -= 2 * len(inner)
            load: dict[int, float] = {}  # a column may be in two copies (its f)
            for k in inner:
                for c, sign in copy_rows[k][3]:
                    load[c] = load.get(c, 0.0) + sign * copy_rows[k][2]
            idx = list(load)
            val = list(load.values())
            # copies <= engines x (B_v - E_{u-1}), E_{u-1} = B_{u-1} + T_{u-1}
            idx.append(B[v])
            val.append(-eng)
            if u > 0:
                idx += [B[u - 1], T[u - 1]]
                val += [eng, eng]
            rows.append((idx, val, -math.inf, 0.0))
    return {
        "cols": cols,
        "rows": rows,
        "T": T,
        "B": B,
        "f": fcol,
        "h": hcol,
        "z": zcol,
        "q": qcol,
        "ev": evicts,
    }


def solve_relaxation(
    inst: Msa, opts: SolveOptions, limit: float
) -> tuple[dict[str, Any] | None, np.ndarray | None, float, str]:
    """HiGHS on the relaxation within ``limit`` seconds: ``(model, column values or None,
    dual bound, status)``."""
    from ....engines import highs

    mdl = build(inst, opts.deadline.end)
    if mdl is None:
        return None, None, -math.inf, "Time limit reached while building the model"
    cols: _Cols = mdl["cols"]
    rows = mdl["rows"]
    starts = np.zeros(len(rows) + 1, dtype=np.int32)
    starts[1:] = np.cumsum(np.fromiter((len(r[0]) for r in rows), np.int64, len(rows)))
    nnz = int(starts[-1])
    left = min(limit, opts.deadline.remaining() * MIP_SHARE)
    if len(inst.steps) > INTEGRAL_COPY_STEPS and left < PRESOLVE_SECONDS_PER_NONZERO * nnz:
        return mdl, None, -math.inf, "not started: too little time for HiGHS's presolve"
    # HiGHS's own limit leaves room for what it does before it first reads its clock
    limit = min(limit, left - STARTUP_SECONDS_PER_NONZERO * nnz)
    if limit < 0.05:
        return mdl, None, -math.inf, "not started: too little time for HiGHS"
    chain = itertools.chain.from_iterable
    run = highs.solve_rowwise(
        opts,
        cost=np.asarray(cols.cost),
        lower=np.asarray(cols.lower),
        upper=np.asarray(cols.upper),
        row_lower=np.asarray([r[2] for r in rows], dtype=np.float64),
        row_upper=np.asarray([r[3] for r in rows], dtype=np.float64),
        starts=starts,
        index=np.fromiter(chain(r[0] for r in rows), np.int32, nnz),
        value=np.fromiter(chain(r[1] for r in rows), np.float64, nnz),
        integer=np.asarray(cols.integer, dtype=bool),
        share=MIP_SHARE,
        limit=limit,
        options={"mip_rel_gap": 1e-7},
    )
    return mdl, run.x, run.bound, run.status


Raw = tuple[int, int, int, int | None, tuple[int, int] | None, float]


def _raw_pieces(inst: Msa, mdl: dict[str, Any], x: np.ndarray, tight: bool) -> list[Raw]:
    """The relaxation's stays as pieces ``(buffer, first, end, prefetch issue, eviction,
    saving)``: a prefetch issued at the relaxation's chosen step (or as late as its copy
    fits in the relaxation's step times), an eviction where the checker requires one,
    issued after the piece's last write and done at the next step (``tight``: the memory
    the relaxation counted) or once its copy would be done (else)."""
    lo, up, sz, _al, _fx = inst.arrays
    prog = inst.program
    per = inst.step_bytes
    d = 1.0 / prog.slow_bandwidth - 1.0 / prog.fast_bandwidth
    T = x[mdl["T"]]
    cum = np.concatenate([[0.0], np.cumsum(T)])  # the relaxation's step starts, no stall
    raw: list[Raw] = []
    for j in range(inst.n):
        acc = inst.access_steps[j]
        if j not in mdl["z"]:
            continue
        on = [x[mdl["f"][(j, a)]] > 0.5 for a in acc]
        held = [False] + [x[mdl["h"][(j, a)]] > 0.5 for a in acc[1:]]
        z = x[mdl["z"][j]] > 0.5
        writes = inst.write_steps[j]
        low, upp = int(lo[j]), int(up[j])
        ctime = inst.copy_time(int(sz[j]))
        m = 0
        prev_end = low  # the step from which the buffer's memory is free again
        while m < len(acc):
            if not on[m]:
                m += 1
                continue
            m0 = k = m
            while k + 1 < len(acc) and on[k + 1] and held[k + 1]:
                k += 1
            a, e = acc[m0], acc[k] + 1
            m = k + 1
            pf: int | None = None
            first = a
            if m0 == 0 and z:
                first = low
            else:
                wr = [w for w in writes if w < a]
                earliest = max(low, prev_end, wr[-1] + 1 if wr else low)
                if earliest >= a or not inst.copies_enabled:
                    continue
                top = max(mdl["q"].get((j, a), []), key=lambda q: x[q[0]], default=None)
                s, s_lo = a - 1, earliest
                if top is not None and x[top[0]] > 0.5:  # within the chosen range
                    s, s_lo = max(top[2], earliest), max(top[1], earliest)
                while s > s_lo and cum[a] - cum[s] < ctime:
                    s -= 1
                pf = s
            later = [v for v in acc if e <= v < upp]
            wr_in = [w for w in writes if first <= w < e]
            ev: tuple[int, int] | None = None
            if later and (pf is None or wr_in):
                if not (inst.copies_enabled and inst.evictions):
                    continue
                es = max([first] + [w + 1 for w in wr_in])
                if es >= later[0]:
                    continue
                dn = es + 1
                if tight:  # the relaxation's done step (the first of its range)
                    top = max(mdl["ev"].get((j, later[0]), []), key=lambda q: x[q[0]], default=None)
                    if top is not None and x[top[0]] > 0.5 and es < top[1] <= later[0]:
                        dn = top[1]
                else:
                    while dn < later[0] and cum[dn] - cum[es] < ctime:
                        dn += 1
                ev = (es, dn)
            saving = sum(per[t][j] * d for t in acc[m0:m])
            raw.append((j, first, e, pf, ev, saving))
            prev_end = e if ev is None else max(e, ev[1])
    return raw


def _placements(inst: Msa, raw: list[Raw], deadline: float) -> list[tuple[np.ndarray, list[int]]]:
    """Offsets of pieces (``-1``: left in slow memory), with the pieces they are for: all of
    them (the greedy placements of allocation, then the exact search: a share of the time
    left, a budget of steps without a limit) once those at steps over the capacity are
    dropped (the least saving a byte first); else two greedy orders that leave out what
    does not fit (the larger pieces first, the more valuable a byte first)."""
    from ._placement import kernels

    _lo, _up, sz, al, _fx = inst.arrays
    cap = int(inst.capacity or 0)
    occ_lo = np.array([r[3] if r[3] is not None else r[1] for r in raw], dtype=np.int64)
    occ_up = np.array([r[2] if r[4] is None else max(r[2], r[4][1]) for r in raw], dtype=np.int64)
    psz = np.array([int(sz[r[0]]) for r in raw], dtype=np.int64)
    pal = np.array([int(al[r[0]]) for r in raw], dtype=np.int64)
    value = np.array([r[5] for r in raw]) / np.maximum(psz, 1)
    ids = np.arange(len(raw))
    out: list[tuple[np.ndarray, list[int]]] = []
    # drop pieces at the steps over the capacity, the least valuable a byte first
    ns = int(occ_up.max()) + 1
    load = np.zeros(ns + 1, dtype=np.int64)
    np.add.at(load, occ_lo, psz)
    np.add.at(load, occ_up, -psz)
    load = np.cumsum(load)
    keep = np.ones(len(raw), dtype=bool)
    over = int((load > cap).sum())
    for k in np.argsort(value, kind="stable"):
        if not over:
            break
        span = load[occ_lo[k] : occ_up[k]]  # a view
        was = int((span > cap).sum())
        if was:
            keep[k] = False
            span -= psz[k]
            over -= was - int((span > cap).sum())
    idx = np.flatnonzero(keep)
    sub = Allocation(
        buffers=tuple(
            Buffer(str(k), int(occ_lo[k]), int(occ_up[k]), int(psz[k]), alignment=int(pal[k]))
            for k in idx
        ),
        capacity=cap,
    )
    g, _ = best_greedy(sub, deadline)
    if g is not None and peak(sub, g) > cap:
        from ._canonical import feasible, prepare  # numba: imported when needed

        left = deadline - clock()
        stop = clock() + EXACT_SHARE * left if math.isfinite(left) else math.inf
        work = None if math.isfinite(left) else Work(EXACT_STEPS)
        g, _inf, _k = feasible(prepare(sub), cap, stop, work=work)
    if g is not None:
        off = -np.ones(len(raw), dtype=np.int64)
        off[idx] = g
        out.append((off, list(range(len(raw)))))
    fx = -np.ones(len(raw), dtype=np.int64)
    for order in (np.lexsort((ids, -(occ_up - occ_lo), -psz)), np.lexsort((ids, -value))):
        placed = kernels().place(order, occ_lo, occ_up, psz, pal, fx, cap, True, True, deadline)
        if placed is None:
            break
        out.append((placed, list(range(len(raw)))))
    return out


def pieces_from(
    inst: Msa, mdl: dict[str, Any], x: np.ndarray, deadline: float = math.inf
) -> dict[str, Any] | None:
    """An msa solution from the relaxation's choice: pieces, their copies and offsets (see
    :func:`_raw_pieces` and :func:`_placements`; the best the checker finds); ``None`` if
    the ``deadline`` passes first."""
    best: tuple[float, dict[str, Any]] | None = None
    for tight in (True, False):
        raw = _raw_pieces(inst, mdl, x, tight)
        if not raw:
            return {"fast": {}}
        if clock() >= deadline:
            break
        for off, _ in _placements(inst, raw, deadline):
            fast: dict[Any, list[dict[str, Any]]] = {}
            for k in sorted(np.flatnonzero(off >= 0).tolist(), key=lambda k: raw[k][:2]):
                j, first, e, pf, ev, _ = raw[k]
                fast.setdefault(inst.ids[j], []).append(piece_dict(int(off[k]), first, e, pf, ev))
            sol, sim = timings(inst, {"fast": fast})
            if best is None or sim.total < best[0]:
                best = (sim.total, sol)
    return None if best is None else best[1]


def solve_msa_mip(inst: Msa, opts: SolveOptions) -> SolverOutput:
    """The relaxation's bound and its choice as a solution, or the greedy start (``xla`` or
    the whole-life greedy, or the hint) when that is better."""
    from ....core import SolutionError

    if not inst.copies_enabled:  # the whole-life mapping: its own relaxation is exact
        from .mip import solve_mip

        out = solve_mip(inst.program, opts)
        if out.solution is None:
            return out
        whole = inst.mapping_solution(out.solution)
        wobj = inst.check(whole)
        winfo = {**out.info, "whole_life": True}
        if out.status is Status.OPTIMAL:
            return SolverOutput(whole, Status.OPTIMAL, bound=wobj, info=winfo)
        wbound = wobj if out.bound is None else min(float(out.bound), wobj)
        return SolverOutput(whole, Status.FEASIBLE, bound=wbound, info=winfo)
    end = opts.deadline.end
    timed = end < math.inf
    rem = opts.deadline.remaining()
    start = opts.hint
    if start is not None:
        try:
            inst.check(start)
        except SolutionError:
            start = None
    if start is None:
        start = best_start(inst, clock() + rem * (1 - MIP_SHARE) / 2 if timed else end)
    start_obj = inst.check(start)
    limit = opts.deadline.remaining() * MIP_SHARE if timed else math.inf
    mdl, x, bound, status = solve_relaxation(inst, opts, limit)
    info: dict[str, Any] = {"highs_status": status, "relaxation_bound": bound}
    best, best_obj, origin = start, start_obj, "start"
    sol: dict[str, Any] | None = None
    if mdl is not None and x is not None and not opts.deadline.expired():
        sol = pieces_from(inst, mdl, x, end)
    if sol is not None:
        obj = inst.check(sol)
        info["relaxation_solution"] = obj
        if obj < best_obj:
            best, best_obj, origin = sol, obj, "relaxation"
    lb = inst.lower_bound()
    bound = max(lb, bound * (1 - 1e-7)) if math.isfinite(bound) else lb
    proven = status == "Optimal" and best_obj <= bound * (1 + 1e-7) + 1e-9
    if not proven and best_obj > bound * (1 + 1e-7) and not opts.deadline.expired():
        # the stalls of the best: its copies moved where the memory is free
        moved, moved_obj = retime(inst, best, end)
        if moved is not best:
            best, best_obj, origin = moved, moved_obj, origin + ", retimed"
    info["origin"] = origin
    if proven:
        return SolverOutput(best, Status.OPTIMAL, bound=best_obj, info=info)
    return msa_output(inst, best, info, bound=min(bound, best_obj))
