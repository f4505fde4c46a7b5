"""Pareto filter and indicators."""

from __future__ import annotations

import pytest

from schedlab.families.partition.pareto import close, hypervolume, igd_plus, pareto_filter


def test_indicators() -> None:
    pts = [(1.0, 3.0), (2.0, 2.0), (3.0, 1.0)]
    assert hypervolume(pts, (4.0, 4.0)) == pytest.approx(3 + 2 + 1)
    assert hypervolume(pts, (4.0, 4.0), (1.0, 1.0)) == pytest.approx(6 / 9)
    assert igd_plus(pts, pts) == 0.0
    assert igd_plus([(2.0, 3.0)], [(1.0, 3.0)]) == pytest.approx(1.0)
    assert igd_plus([(0.5, 0.5)], [(1.0, 3.0)]) == 0.0  # better everywhere: no penalty
    kept = pareto_filter([(1.0, 3.0, "a"), (1.0, 2.0, "b"), (2.0, 2.0, "c"), (3.0, 1.0, "d")])
    assert [p[2] for p in kept] == ["b", "d"]
    assert close(1.0, 1.0 + 1e-12) and not close(1.0, 1.0001)


def test_filter_keeps_the_first_of_equal_points() -> None:
    kept = pareto_filter(
        [(2.0, 1.0, "x"), (1.0, 2.0, "a"), (1.0, 2.0 + 1e-13, "b"), (1.0, 2.0, "c")]
    )
    assert [p[2] for p in kept] == ["a", "x"]
