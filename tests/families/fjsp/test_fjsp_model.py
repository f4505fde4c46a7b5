"""The fjsp model: JSON validation, the checker, the generator."""

from __future__ import annotations

import copy

import pytest

from schedlab import api
from schedlab.core import InstanceError, SolutionError
from schedlab.families.fjsp.generate import generate
from schedlab.families.fjsp.model import Instance, is_solution


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"machines": 2, "jobs": []}, "at least one job"),
        ({"machines": 0, "jobs": [[[[0, 1]]]]}, "machines"),
        ({"machines": 2, "jobs": [[[[2, 1]]]]}, "out of range"),
        ({"machines": 2, "jobs": [[[[0, 0]]]]}, "positive"),
        ({"machines": 2, "jobs": [[[]]]}, "no eligible"),
        ({"machines": 2, "jobs": [[]]}, "no operations"),
        ({"machines": 2, "jobs": [[[[0, 1]]]], "extra": 1}, "unknown key"),
        ({"jobs": [[[[0, 1]]]]}, "missing key"),
    ],
)
def test_json_validation(data: dict, words: str) -> None:
    with pytest.raises(InstanceError, match=words):
        api.load({"problem": "fjsp", **data})


def _tiny_inst() -> Instance:
    return Instance(jobs=[[[(0, 3)], [(0, 2), (1, 4)]], [[(1, 5)]]], machines=2)


GOOD = {
    "operations": [
        {"job": 0, "op": 0, "machine": 0, "start": 0, "end": 3},
        {"job": 0, "op": 1, "machine": 0, "start": 3, "end": 5},
        {"job": 1, "op": 0, "machine": 1, "start": 0, "end": 5},
    ]
}


def test_check_accepts_and_returns_makespan() -> None:
    inst = _tiny_inst()
    assert inst.check(GOOD) == 5.0
    assert "machine" in inst.describe(GOOD)


def _broken(i: int, **change: int) -> dict:
    sol = copy.deepcopy(GOOD)
    sol["operations"][i].update(change)
    return sol


@pytest.mark.parametrize(
    ("sol", "words"),
    [
        ({"ops": []}, "an fjsp solution"),
        ({"operations": GOOD["operations"][:2]}, "missing"),
        ({"operations": GOOD["operations"] + [GOOD["operations"][0]]}, "twice"),
        (_broken(0, machine=1), "not eligible"),
        (_broken(1, end=6), "processing time"),
        (_broken(1, start=2, end=4), "before operation 0"),
        (_broken(2, machine=0, start=2, end=7), "not eligible"),
        (_broken(0, job=5), "out of range"),
        (_broken(0, start="0"), "must be an integer"),
        (_broken(0, start=-3, end=0), "< 0"),
    ],
)
def test_check_rejects(sol: dict, words: str) -> None:
    with pytest.raises(SolutionError, match=words):
        _tiny_inst().check(sol)


def test_check_rejects_overlap() -> None:
    inst = Instance(jobs=[[[(0, 3)]], [[(0, 2)]]], machines=1)
    sol = {
        "operations": [
            {"job": 0, "op": 0, "machine": 0, "start": 0, "end": 3},
            {"job": 1, "op": 0, "machine": 0, "start": 2, "end": 4},
        ]
    }
    with pytest.raises(SolutionError, match="overlaps"):
        inst.check(sol)


def test_generate_sd2() -> None:
    inst = generate(20, 10, 100, seed=0)
    assert inst.n_operations == 2000 and inst.machines == 10
    assert all(1 <= len(op) <= 10 for job in inst.jobs for op in job)
    assert all(1 <= p <= 99 for job in inst.jobs for op in job for _, p in op)
    assert generate(20, 10, 100, seed=0) == inst
    assert generate(20, 10, 100, seed=1) != inst
    with pytest.raises(InstanceError):
        generate(0, 1, 1)


def test_generator_repeats_exactly() -> None:
    """Same arguments and seed, same instance (and the one the sweeps and benchmarks use)."""
    inst = generate(6, 4, 12, seed=3)
    assert inst == generate(6, 4, 12, seed=3) and inst.name == "fjsp_sd2_6x4x12_s3"
    assert inst.jobs[0][0] == generate(6, 4, 12, seed=3).jobs[0][0]
    assert api.generate("fjsp", jobs=6, machines=4, ops=12, seed=3) == inst
    # the instances of the earlier versions, pinned
    assert generate(3, 2, 2, seed=0).to_dict()["jobs"] == [
        [[[0, 27], [1, 31]], [[0, 2]]],
        [[[1, 65]], [[0, 97], [1, 73]]],
        [[[0, 93], [1, 28]], [[0, 40], [1, 85]]],
    ]
    assert generate(2, 3, 2, seed=7, p_low=3, p_high=9).to_dict()["jobs"] == [
        [[[0, 8], [1, 8], [2, 4]], [[0, 4]]],
        [[[0, 3], [1, 8], [2, 3]], [[0, 4], [1, 8]]],
    ]


def test_is_solution() -> None:
    assert is_solution(GOOD)
    assert not is_solution({"sequence": [0, 1]})
    assert not is_solution({"operations": [{"job": 0}]})
