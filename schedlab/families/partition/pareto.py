"""Two-objective Pareto fronts (latency and period, both minimised): the filter and the
indicators shared by the model's checker, the methods and the benchmarks.

Values are compared with a relative tolerance :data:`TOL`: two latencies (or periods) that
close count as equal.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TypeVar

import numpy as np

#: Relative tolerance under which two latencies (or periods) count as equal.
TOL = 1e-9

P = TypeVar("P")


def close(a: float, b: float) -> bool:
    """True when two times are equal up to the relative tolerance :data:`TOL`."""
    return abs(a - b) <= TOL * max(1.0, abs(a), abs(b))


def pareto_filter(points: Iterable[tuple[float, float, P]]) -> list[tuple[float, float, P]]:
    """The non-dominated ``(latency, period, payload)`` points, sorted by latency.

    Both objectives are minimised; points equal up to :data:`TOL` in both count as one (the
    first given is kept), and a point equal in one objective and worse in the other is dropped.
    """
    pts = sorted(points, key=lambda p: (p[0], p[1]))
    out: list[tuple[float, float, P]] = []
    for p in pts:
        if out and (p[1] > out[-1][1] or close(p[1], out[-1][1])):
            continue  # latency >= the last kept one's and period not better
        while out and close(out[-1][0], p[0]):
            out.pop()  # same latency, better period: the earlier point is dominated
        out.append(p)
    return out


def hypervolume(
    points: Sequence[tuple[float, float]],
    ref: tuple[float, float],
    ideal: tuple[float, float] | None = None,
) -> float:
    """Area dominated by ``points`` (both minimised) and bounded by ``ref``.

    With ``ideal`` the area is divided by the box ``[ideal, ref]`` (a normalised
    hypervolume in [0, 1]; 1.0 when the box is degenerate and a point reaches it).
    """
    rx, ry = ref
    pts = sorted((min(x, rx), min(y, ry)) for x, y in points)
    area = 0.0
    prev_y = ry
    for x, y in pts:
        if y < prev_y:
            area += (rx - x) * (prev_y - y)
            prev_y = y
    if ideal is None:
        return area
    box = (rx - ideal[0]) * (ry - ideal[1])
    if box <= 0:
        return 1.0 if pts else 0.0
    return area / box


def igd_plus(
    points: Sequence[tuple[float, float]],
    reference_front: Sequence[tuple[float, float]],
    ideal: tuple[float, float] | None = None,
    ref: tuple[float, float] | None = None,
) -> float:
    """IGD+ (Ishibuchi et al. 2015) of ``points`` against ``reference_front`` (minimisation).

    Mean over the reference points of the distance to the nearest point, counting only the
    amounts by which that point is worse. With ``ideal`` and ``ref`` both axes are first
    scaled to [0, 1] over that box. 0 means the reference front is reached.
    """
    if not reference_front:
        raise ValueError("IGD+ needs a non-empty reference front")
    if not points:
        return math.inf
    a = np.asarray(points, dtype=float)
    z = np.asarray(reference_front, dtype=float)
    if ideal is not None and ref is not None:
        lo = np.asarray(ideal, dtype=float)
        span = np.maximum(np.asarray(ref, dtype=float) - lo, 1e-300)
        a = (a - lo) / span
        z = (z - lo) / span
    diff = np.maximum(a[None, :, :] - z[:, None, :], 0.0)
    d = np.sqrt((diff**2).sum(axis=2)).min(axis=1)
    return float(d.mean())
