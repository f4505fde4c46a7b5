"""Compiled tabu search (numba) on the disjunctive graph of a flexible job shop.

After Mastrolilli & Gambardella (2000): a move takes one critical operation ``v`` out of its
machine sequence and re-inserts it at a feasible position of the sequence of any of its
eligible machines (its own included). With ``v`` removed, the heads ``r`` and tails ``q`` of
the reduced graph give, for an insertion between ``u`` and ``w``, the exact length of the
longest path through ``v``::

    est = max(r[jp] + p[jp], r[u] + p[u]) + p(v, k) + max(p[js] + q[js], p[w] + q[w])

and the new makespan is at most ``max(Cmax(reduced graph), est)`` (the value used to rank the
moves; ``est`` breaks ties). Positions are feasible (no cycle) when ``u`` is no descendant of
``v``'s job successor and ``w`` no ancestor of its job predecessor; on a machine sequence those
form a suffix and a prefix, so the feasible positions are an interval.

Each iteration moves an operation of one critical path (chosen at random among the ties);
the moved operation becomes tabu for a random tenure. Moves are ranked by that bound, ties
broken by the path length through ``v``, then at random. Aspiration: a tabu move is taken
when its bound beats the best makespan; when every move is tabu, the best of them is
taken. After ``stall`` iterations without a new best, the search restarts from the best
schedule perturbed by ``kick`` random moves of critical operations.

Every kernel works on int64 arrays; the random numbers come from a 64-bit LCG held in a
one-element array, so a run with an iteration limit repeats exactly. Deadlines are
``time.perf_counter`` values, ``math.inf`` for none (see :mod:`schedlab.engines.jit`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np

from ....engines.jit import njit, now

F = TypeVar("F", bound=Callable[..., Any])


def kernel(func: F) -> F:
    """Compile ``func`` with numba (cached, releasing the GIL), keeping its signature for
    the type checker."""
    return cast(F, njit(nogil=True)(func))


@kernel
def _rand(st: np.ndarray, k: int) -> int:  # pragma: no cover - numba
    """A uniform integer in ``[0, k)``."""
    x = st[0] * 6364136223846793005 + 1442695040888963407
    st[0] = x
    return int(((x >> 33) & 0x7FFFFFFF) % k)


@kernel
def evaluate(
    n: int,
    jp: np.ndarray,
    js: np.ndarray,
    p: np.ndarray,
    mach: np.ndarray,
    seq: np.ndarray,
    cnt: np.ndarray,
    pos: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    topo: np.ndarray,
    tpos: np.ndarray,
    indeg: np.ndarray,
    stack: np.ndarray,
) -> int:  # pragma: no cover - numba
    """Heads ``r``, tails ``q`` (both without the operation's own time), a topological order
    ``topo`` of the schedule graph and each operation's index ``tpos`` in it; returns the
    makespan, or -1 if the graph has a cycle."""
    for o in range(n):
        d = 0
        if jp[o] >= 0:
            d += 1
        if pos[o] > 0:
            d += 1
        indeg[o] = d
    top = 0
    for o in range(n):
        if indeg[o] == 0:
            stack[top] = o
            top += 1
    k = 0
    while top > 0:
        top -= 1
        o = stack[top]
        topo[k] = o
        tpos[o] = k
        k += 1
        s = js[o]
        if s >= 0:
            indeg[s] -= 1
            if indeg[s] == 0:
                stack[top] = s
                top += 1
        m = mach[o]
        i = pos[o] + 1
        if i < cnt[m]:
            s = seq[m, i]
            indeg[s] -= 1
            if indeg[s] == 0:
                stack[top] = s
                top += 1
    if k < n:
        return -1
    cmax = 0
    for idx in range(n):
        o = topo[idx]
        h = 0
        a = jp[o]
        if a >= 0:
            h = r[a] + p[a]
        i = pos[o]
        if i > 0:
            b = seq[mach[o], i - 1]
            if r[b] + p[b] > h:
                h = r[b] + p[b]
        r[o] = h
        if h + p[o] > cmax:
            cmax = h + p[o]
    for idx in range(n - 1, -1, -1):
        o = topo[idx]
        t = 0
        s = js[o]
        if s >= 0:
            t = p[s] + q[s]
        m = mach[o]
        i = pos[o] + 1
        if i < cnt[m]:
            b = seq[m, i]
            if p[b] + q[b] > t:
                t = p[b] + q[b]
        q[o] = t
    return cmax


@kernel
def remove(
    seq: np.ndarray, cnt: np.ndarray, pos: np.ndarray, m: int, i: int
) -> None:  # pragma: no cover - numba
    """Take the operation at index ``i`` out of machine ``m``'s sequence."""
    c = cnt[m]
    for j in range(i, c - 1):
        x = seq[m, j + 1]
        seq[m, j] = x
        pos[x] = j
    cnt[m] = c - 1


@kernel
def insert(
    seq: np.ndarray, cnt: np.ndarray, pos: np.ndarray, m: int, i: int, v: int
) -> None:  # pragma: no cover - numba
    """Insert operation ``v`` at index ``i`` of machine ``m``'s sequence."""
    c = cnt[m]
    for j in range(c, i, -1):
        x = seq[m, j - 1]
        seq[m, j] = x
        pos[x] = j
    seq[m, i] = v
    pos[v] = i
    cnt[m] = c + 1


@kernel
def reduced(
    v: int,
    n: int,
    jp: np.ndarray,
    js: np.ndarray,
    p: np.ndarray,
    mach: np.ndarray,
    seq: np.ndarray,
    cnt: np.ndarray,
    pos: np.ndarray,
    topo: np.ndarray,
    tpos: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    rm: np.ndarray,
    qm: np.ndarray,
    desc: np.ndarray,
    anc: np.ndarray,
) -> int:  # pragma: no cover - numba
    """Heads ``rm``, tails ``qm`` of the graph without ``v``; ``desc`` marks the descendants
    of ``v``'s job successor, ``anc`` the ancestors of its job predecessor (both inclusive).
    Returns the makespan of the reduced graph. Heads before ``v`` in the topological order and
    tails after it do not change (``v`` is no ancestor, resp. descendant, of those)."""
    m0 = mach[v]
    i0 = pos[v]
    c0 = cnt[m0]
    a0 = seq[m0, i0 - 1] if i0 > 0 else -1  # machine predecessor of v
    b0 = seq[m0, i0 + 1] if i0 + 1 < c0 else -1  # machine successor of v
    jsv = js[v]
    jpv = jp[v]
    cmax = 0
    tv = tpos[v]
    for idx in range(tv):
        o = topo[idx]
        desc[o] = 0
        rm[o] = r[o]
        if r[o] + p[o] > cmax:
            cmax = r[o] + p[o]
    for idx in range(tv, n):
        o = topo[idx]
        desc[o] = 0
        if o == v:
            rm[o] = 0
            continue
        h = 0
        a = jp[o]
        if a >= 0 and a != v:
            h = rm[a] + p[a]
            if desc[a]:
                desc[o] = 1
        if o == jsv:
            desc[o] = 1
        if o == b0:
            b = a0
        elif pos[o] > 0:
            b = seq[mach[o], pos[o] - 1]
        else:
            b = -1
        if b >= 0:
            if rm[b] + p[b] > h:
                h = rm[b] + p[b]
            if desc[b]:
                desc[o] = 1
        rm[o] = h
        if h + p[o] > cmax:
            cmax = h + p[o]
    for idx in range(n - 1, tv, -1):
        o = topo[idx]
        anc[o] = 0
        qm[o] = q[o]
    for idx in range(tv, -1, -1):
        o = topo[idx]
        anc[o] = 0
        if o == v:
            qm[o] = 0
            continue
        t = 0
        s = js[o]
        if s >= 0 and s != v:
            t = p[s] + qm[s]
            if anc[s]:
                anc[o] = 1
        if o == jpv:
            anc[o] = 1
        if o == a0:
            b = b0
        elif pos[o] + 1 < cnt[mach[o]]:
            b = seq[mach[o], pos[o] + 1]
        else:
            b = -1
        if b >= 0:
            if p[b] + qm[b] > t:
                t = p[b] + qm[b]
            if anc[b]:
                anc[o] = 1
        qm[o] = t
    return cmax


@kernel
def _best_move(
    it: int,
    n: int,
    jp: np.ndarray,
    js: np.ndarray,
    p: np.ndarray,
    pm: np.ndarray,
    alt_ptr: np.ndarray,
    alt_m: np.ndarray,
    mach: np.ndarray,
    seq: np.ndarray,
    cnt: np.ndarray,
    pos: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    topo: np.ndarray,
    tpos: np.ndarray,
    cmax: int,
    best_cmax: int,
    tabu: np.ndarray,
    rm: np.ndarray,
    qm: np.ndarray,
    desc: np.ndarray,
    anc: np.ndarray,
    st: np.ndarray,
    onpath: np.ndarray,
) -> tuple[int, int, int, int]:  # pragma: no cover - numba
    """The best admissible move of an operation marked in ``onpath``, as ``(v, k, i,
    value)`` (insert ``v`` at index ``i`` of machine ``k``'s sequence without ``v``);
    ``v = -1`` when there is none."""
    bv = -1
    bk = -1
    bi = -1
    bval = 1 << 60
    best_est = 1 << 60
    ties = 0
    # the fallback when every move is tabu: the best one regardless
    fv = -1
    fk = -1
    fi = -1
    fval = 1 << 60
    for v in range(n):
        if r[v] + p[v] + q[v] != cmax:
            continue
        if onpath[v] == 0:
            continue
        m0 = mach[v]
        i0 = pos[v]
        cm = reduced(v, n, jp, js, p, mach, seq, cnt, pos, topo, tpos, r, q, rm, qm, desc, anc)
        a = jp[v]
        rj = rm[a] + p[a] if a >= 0 else 0
        s = js[v]
        qj = p[s] + qm[s] if s >= 0 else 0
        for t in range(alt_ptr[v], alt_ptr[v + 1]):
            k = alt_m[t]
            pk = pm[v, k]
            c = cnt[k]
            # the sequence of k without v: index j < i0 -> seq[j], j >= i0 -> seq[j + 1]
            skip = i0 if k == m0 else c + 1
            ln = c - 1 if k == m0 else c
            lo = 0
            hi = ln
            for j in range(ln):
                x = seq[k, j if j < skip else j + 1]
                if anc[x]:
                    lo = j + 1
                if desc[x]:
                    hi = j
                    break
            for i in range(lo, hi + 1):
                if k == m0 and i == i0:
                    continue
                head = rj
                if i > 0:
                    u = seq[k, i - 1 if i - 1 < skip else i]
                    if rm[u] + p[u] > head:
                        head = rm[u] + p[u]
                tail = qj
                if i < ln:
                    w = seq[k, i if i < skip else i + 1]
                    if p[w] + qm[w] > tail:
                        tail = p[w] + qm[w]
                est = head + pk + tail
                val = est if est > cm else cm
                if tabu[v] > it and val >= best_cmax:
                    if val < fval:
                        fv = v
                        fk = k
                        fi = i
                        fval = val
                    continue
                if val < bval or (val == bval and est < best_est):
                    bv = v
                    bk = k
                    bi = i
                    bval = val
                    best_est = est
                    ties = 1
                elif val == bval and est == best_est:
                    ties += 1
                    if _rand(st, ties) == 0:
                        bv = v
                        bk = k
                        bi = i
    if bv < 0:
        return fv, fk, fi, fval
    return bv, bk, bi, bval


@kernel
def _path(
    n: int,
    jp: np.ndarray,
    p: np.ndarray,
    mach: np.ndarray,
    seq: np.ndarray,
    pos: np.ndarray,
    r: np.ndarray,
    cmax: int,
    onpath: np.ndarray,
    st: np.ndarray,
) -> None:  # pragma: no cover - numba
    """Mark one critical path (chosen at random among the ties) in ``onpath``."""
    onpath[:] = 0
    x = -1
    c = 0
    for o in range(n):
        if r[o] + p[o] == cmax:
            c += 1
            if _rand(st, c) == 0:
                x = o
    while x >= 0:
        onpath[x] = 1
        nx = -1
        c = 0
        a = jp[x]
        if a >= 0 and r[a] + p[a] == r[x]:
            c += 1
            nx = a
        if pos[x] > 0:
            b = seq[mach[x], pos[x] - 1]
            if r[b] + p[b] == r[x]:
                c += 1
                if _rand(st, c) == 0:
                    nx = b
        x = nx


@kernel
def _apply(
    v: int,
    k: int,
    i: int,
    it: int,
    pm: np.ndarray,
    p: np.ndarray,
    mach: np.ndarray,
    seq: np.ndarray,
    cnt: np.ndarray,
    pos: np.ndarray,
    tabu: np.ndarray,
    tenure: int,
) -> None:  # pragma: no cover - numba
    """Move ``v`` to index ``i`` of machine ``k``'s sequence; ``v`` is tabu until iteration
    ``it + tenure``."""
    tabu[v] = it + tenure
    remove(seq, cnt, pos, mach[v], pos[v])
    insert(seq, cnt, pos, k, i, v)
    mach[v] = k
    p[v] = pm[v, k]


@kernel
def _random_move(
    n: int,
    jp: np.ndarray,
    js: np.ndarray,
    p: np.ndarray,
    pm: np.ndarray,
    alt_ptr: np.ndarray,
    alt_m: np.ndarray,
    mach: np.ndarray,
    seq: np.ndarray,
    cnt: np.ndarray,
    pos: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    topo: np.ndarray,
    tpos: np.ndarray,
    cmax: int,
    rm: np.ndarray,
    qm: np.ndarray,
    desc: np.ndarray,
    anc: np.ndarray,
    st: np.ndarray,
) -> tuple[int, int, int]:  # pragma: no cover - numba
    """A random feasible move of a random critical operation: ``(v, k, i)``."""
    nc = 0
    v = -1
    for o in range(n):
        if r[o] + p[o] + q[o] == cmax:
            nc += 1
            if _rand(st, nc) == 0:
                v = o
    m0 = mach[v]
    i0 = pos[v]
    reduced(v, n, jp, js, p, mach, seq, cnt, pos, topo, tpos, r, q, rm, qm, desc, anc)
    na = alt_ptr[v + 1] - alt_ptr[v]
    k = alt_m[alt_ptr[v] + _rand(st, na)]
    c = cnt[k]
    skip = i0 if k == m0 else c + 1
    ln = c - 1 if k == m0 else c
    lo = 0
    hi = ln
    for j in range(ln):
        x = seq[k, j if j < skip else j + 1]
        if anc[x]:
            lo = j + 1
        if desc[x]:
            hi = j
            break
    i = lo + _rand(st, hi - lo + 1)
    return v, k, i


@kernel
def tabu_search(
    jp: np.ndarray,
    js: np.ndarray,
    pm: np.ndarray,
    alt_ptr: np.ndarray,
    alt_m: np.ndarray,
    mach: np.ndarray,
    seq: np.ndarray,
    cnt: np.ndarray,
    lb: int,
    max_iter: int,
    deadline: float,
    seed: int,
    stop: np.ndarray,
    tenure_min: int,
    tenure_span: int,
    stall: int,
    kick: int,
) -> tuple[int, int]:  # pragma: no cover - numba
    """Tabu search from the schedule ``(mach, seq, cnt)`` (changed in place into the best
    one found). Stops after ``max_iter`` iterations (``< 0``: none), at ``deadline``
    (a ``time.perf_counter`` value; ``math.inf``: none), at ``lb``, when ``stop[0]`` is set
    (by another thread) or once the best makespan is at most ``stop[1]`` (a bound another
    thread may raise). A tabu tenure is ``tenure_min + U[0, tenure_span]`` iterations;
    ``stall`` iterations without a new best restart from the best schedule perturbed by
    ``kick`` random moves. Returns ``(best makespan, iterations)``."""
    n = jp.shape[0]
    n_m = cnt.shape[0]
    st = np.empty(1, dtype=np.int64)
    st[0] = seed * 2654435761 + 12345
    for _ in range(4):
        _rand(st, 2)
    p = np.empty(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    for m in range(n_m):
        for j in range(cnt[m]):
            pos[seq[m, j]] = j
    for o in range(n):
        p[o] = pm[o, mach[o]]
    r = np.empty(n, dtype=np.int64)
    q = np.empty(n, dtype=np.int64)
    topo = np.empty(n, dtype=np.int64)
    tpos = np.empty(n, dtype=np.int64)
    indeg = np.empty(n, dtype=np.int64)
    stack = np.empty(n, dtype=np.int64)
    rm = np.empty(n, dtype=np.int64)
    qm = np.empty(n, dtype=np.int64)
    desc = np.empty(n, dtype=np.int64)
    anc = np.empty(n, dtype=np.int64)
    tabu = np.zeros(n, dtype=np.int64)
    onpath = np.ones(n, dtype=np.int64)
    cmax = evaluate(n, jp, js, p, mach, seq, cnt, pos, r, q, topo, tpos, indeg, stack)
    best = cmax
    b_mach = mach.copy()
    b_seq = seq.copy()
    b_cnt = cnt.copy()
    it = 0
    last = 0
    # the deadline is read every `stride` iterations: 64 while an iteration is fast, fewer
    # (down to every one) once 64 of them would take more than about 10 ms (large
    # instances: an iteration of 5000 operations takes tens of milliseconds)
    timed = deadline < math.inf
    stride = 1
    next_check = 0
    t_check = now() if timed else 0.0
    while best > lb:
        if max_iter >= 0 and it >= max_iter:
            break
        if (it & 63) == 0 and (stop[0] != 0 or best <= stop[1]):
            break
        if timed and it >= next_check:
            t = now()
            if t >= deadline:
                break
            if it > 0:
                per = (t - t_check) / stride
                stride = 64 if per * 64 < 0.01 else max(1, int(0.01 / max(per, 1e-9)))
            t_check = t
            next_check = it + stride
        it += 1
        if it - last > stall:
            # restart from the best schedule, perturbed
            mach[:] = b_mach
            seq[:, :] = b_seq
            cnt[:] = b_cnt
            for m in range(n_m):
                for j in range(cnt[m]):
                    pos[seq[m, j]] = j
            for o in range(n):
                p[o] = pm[o, mach[o]]
            cmax = evaluate(n, jp, js, p, mach, seq, cnt, pos, r, q, topo, tpos, indeg, stack)
            for _ in range(kick):
                v, k, i = _random_move(
                    n,
                    jp,
                    js,
                    p,
                    pm,
                    alt_ptr,
                    alt_m,
                    mach,
                    seq,
                    cnt,
                    pos,
                    r,
                    q,
                    topo,
                    tpos,
                    cmax,
                    rm,
                    qm,
                    desc,
                    anc,
                    st,
                )
                _apply(v, k, i, it, pm, p, mach, seq, cnt, pos, tabu, 0)
                cmax = evaluate(n, jp, js, p, mach, seq, cnt, pos, r, q, topo, tpos, indeg, stack)
            last = it
        _path(n, jp, p, mach, seq, pos, r, cmax, onpath, st)
        v, k, i, val = _best_move(
            it,
            n,
            jp,
            js,
            p,
            pm,
            alt_ptr,
            alt_m,
            mach,
            seq,
            cnt,
            pos,
            r,
            q,
            topo,
            tpos,
            cmax,
            best,
            tabu,
            rm,
            qm,
            desc,
            anc,
            st,
            onpath,
        )
        if v < 0:
            last = -stall - 1  # force a restart
            continue
        ten = tenure_min + _rand(st, tenure_span + 1)
        _apply(v, k, i, it, pm, p, mach, seq, cnt, pos, tabu, ten)
        cmax = evaluate(n, jp, js, p, mach, seq, cnt, pos, r, q, topo, tpos, indeg, stack)
        if cmax < best:
            best = cmax
            b_mach[:] = mach
            b_seq[:, :] = seq
            b_cnt[:] = cnt
            last = it
    mach[:] = b_mach
    seq[:, :] = b_seq
    cnt[:] = b_cnt
    return best, it


@kernel
def heads(
    jp: np.ndarray,
    js: np.ndarray,
    pm: np.ndarray,
    mach: np.ndarray,
    seq: np.ndarray,
    cnt: np.ndarray,
) -> np.ndarray:  # pragma: no cover - numba
    """Start times (the heads) of the semi-active schedule; -1 everywhere if cyclic."""
    n = jp.shape[0]
    p = np.empty(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    for m in range(cnt.shape[0]):
        for j in range(cnt[m]):
            pos[seq[m, j]] = j
    for o in range(n):
        p[o] = pm[o, mach[o]]
    r = np.empty(n, dtype=np.int64)
    q = np.empty(n, dtype=np.int64)
    topo = np.empty(n, dtype=np.int64)
    tpos = np.empty(n, dtype=np.int64)
    indeg = np.empty(n, dtype=np.int64)
    stack = np.empty(n, dtype=np.int64)
    c = evaluate(n, jp, js, p, mach, seq, cnt, pos, r, q, topo, tpos, indeg, stack)
    if c < 0:
        r[:] = -1
    return r
