"""Result rejects impossible values and round-trips through JSON."""

from __future__ import annotations

import pytest

from schedlab import Result, Status
from schedlab.core.result import relative_gap


def make(**kw):
    base = dict(
        problem="smtt",
        instance="x",
        method="m",
        status=Status.FEASIBLE,
        objective=10.0,
        bound=5.0,
        runtime_s=0.1,
        solution={"sequence": [0]},
    )
    base.update(kw)
    return Result(**base)


def test_gap_is_derived():
    assert make().gap == pytest.approx(0.5)
    assert make(objective=0.0, bound=0.0).gap == 0.0
    assert make(bound=None).gap is None


@pytest.mark.parametrize(
    "kw",
    [
        dict(status=Status.OPTIMAL),  # optimal but bound != objective
        dict(status=Status.OPTIMAL, bound=None),
        dict(runtime_s=-1.0),
        dict(objective=4.0),  # below the lower bound of a minimisation
        dict(status=Status.INFEASIBLE),  # a solution with a no-solution status
        dict(solution=None),  # feasible without a solution
        dict(sense="max"),  # objective above the upper bound of a maximisation
        dict(objective=float("nan")),
        dict(sense="sideways"),
    ],
)
def test_rejects_impossible(kw):
    with pytest.raises(ValueError):
        make(**kw)


def test_accepts_consistent_optimal():
    r = make(status=Status.OPTIMAL, bound=10.0)
    assert r.gap == 0.0
    assert make(status="optimal", bound=10.0).status is Status.OPTIMAL


def test_json_round_trip():
    r = make(params={"k": 2}, versions={"schedlab": "0"}, reference=8.0, info={"a": [1]})
    back = Result.from_json(r.to_json())
    assert back == r
    assert back.reference_gap == pytest.approx(0.25)


def test_no_solution_result():
    r = make(status=Status.UNKNOWN, objective=None, solution=None, bound=3.0)
    assert r.gap is None and not r.status.has_solution


def test_relative_gap_edge_cases():
    assert relative_gap(None, 1.0) is None
    assert relative_gap(0.0, -1.0) == float("inf")
    assert relative_gap(100.0, 99.0) == pytest.approx(0.01)
