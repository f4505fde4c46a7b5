"""The greedy placement of :func:`._kernels.place` in plain Python, for small instances in a
process whose kernels are not loaded yet.

Loading numba and the compiled kernels takes a fraction of a second, far more than placing
a few dozen buffers in Python: a compiler that runs one small placement in a fresh process
(``python -c "import schedlab; schedlab.solve(...)"``) gets its answer without them. The
placement is the kernel's, decision for decision (same candidates, same gaps, same ties), so
both give the same offsets (a test compares them on random instances).
"""

from __future__ import annotations

import numpy as np

#: Instances up to this many buffers are placed in Python while the kernels are not loaded.
SMALL = 200


def _align_up(x: int, a: int) -> int:
    r = x % a
    return x if r == 0 else x + a - r


def place(
    order: np.ndarray,
    lo: np.ndarray,
    up: np.ndarray,
    sz: np.ndarray,
    al: np.ndarray,
    fixed: np.ndarray,
    cap: int,
    best_fit: bool,
    skip_overflow: bool,
) -> np.ndarray:
    """:func:`._kernels.place` without a deadline: fixed buffers first at their offsets, then
    ``order``, each into the smallest gap that fits among the placed buffers overlapping it in
    time (``best_fit``) or the lowest, else on top; -1 where a buffer would exceed ``cap``
    (> 0) and ``skip_overflow`` is set."""
    low, upp, size, align, fix = (
        lo.tolist(),
        up.tolist(),
        sz.tolist(),
        al.tolist(),
        fixed.tolist(),
    )
    n = len(low)
    off = [-1] * n
    todo = [i for i in range(n) if fix[i] >= 0]
    todo += [b for b in order.tolist() if fix[b] < 0]
    placed: list[int] = []
    for b in todo:
        s = size[b]
        if fix[b] >= 0:
            best = fix[b]
        else:
            lb, ub = low[b], upp[b]
            # the kernel's candidates: live when b starts, or starting within b's life
            xs = []
            xe = []
            for c in placed:
                lc = low[c]
                if (lc <= lb < upp[c]) or (lb < lc < ub):
                    o = off[c]
                    xs.append(o)
                    xe.append(o + size[c])
            xs.sort()
            xe.sort()
            m = len(xs)
            best = -1
            best_waste = -1
            a = align[b]
            cov = glo = i = j = 0
            while i < m:
                if xe[j] <= xs[i]:
                    cov -= 1
                    if cov == 0:
                        glo = xe[j]
                    j += 1
                    continue
                if cov == 0 and xs[i] > glo:
                    start = _align_up(glo, a)
                    if start + s <= xs[i]:
                        if not best_fit:
                            best = start
                            break
                        waste = xs[i] - glo - s
                        if best < 0 or waste < best_waste:
                            best = start
                            best_waste = waste
                cov += 1
                i += 1
            if best < 0:
                best = _align_up(xe[m - 1] if m > 0 else 0, a)
            if cap > 0 and best + s > cap and skip_overflow:
                continue
        off[b] = best
        if s > 0:
            placed.append(b)
    return np.array(off, dtype=np.int64)


def breadth(lo: np.ndarray, up: np.ndarray, sz: np.ndarray, times: np.ndarray) -> np.ndarray:
    """:func:`._kernels.breadth` in numpy: per buffer, the max load over its life and the
    (compressed) time where it is first reached."""
    nt = times.shape[0]
    a = np.searchsorted(times, lo)
    b = np.searchsorted(times, up)
    diff = np.zeros(nt + 1, dtype=np.int64)
    np.add.at(diff, a, sz)
    np.add.at(diff, b, -sz)
    load = np.cumsum(diff)[:nt]
    out = np.zeros((lo.shape[0], 2), dtype=np.int64)
    for i in range(lo.shape[0]):
        if b[i] > a[i]:
            seg = load[a[i] : b[i]]
            k = int(np.argmax(seg))
            out[i, 0] = seg[k]
            out[i, 1] = a[i] + k
        else:
            out[i, 0] = -1
            out[i, 1] = a[i]
    return out
