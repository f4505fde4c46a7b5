"""The smtt model: validation, JSON, checker, objective and generator."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schedlab
from schedlab import InstanceError, SolutionError
from schedlab.families.smtt.generate import generate
from schedlab.families.smtt.methods._kernels import total_tardiness
from schedlab.families.smtt.model import Instance, is_solution


def test_json_round_trip_and_stdin_style_load():
    inst = Instance(p=[3, 2], d=[1, 4], w=[2, 1], name="t", reference=5)
    back = schedlab.load(inst.to_json())
    assert back == inst
    assert schedlab.load({"problem": "smtt", "p": [1], "d": [0]}).n == 1


def test_json_validation():
    with pytest.raises(InstanceError, match="negative processing time"):
        schedlab.load({"problem": "smtt", "p": [1, -2], "d": [0, 0]})
    with pytest.raises(InstanceError, match="2 processing times but 1 due dates"):
        schedlab.load({"problem": "smtt", "p": [1, 2], "d": [0]})
    with pytest.raises(InstanceError, match="integer"):
        schedlab.load({"problem": "smtt", "p": [1.5], "d": [0]})
    with pytest.raises(InstanceError, match="unknown key"):
        schedlab.load({"problem": "smtt", "p": [1], "d": [0], "q": 1})
    with pytest.raises(InstanceError, match="problem"):
        schedlab.load({"p": [1], "d": [0]})
    with pytest.raises(InstanceError, match="unknown family"):
        schedlab.load({"problem": "tsp"})


def test_check_rejects_bad_solutions():
    inst = Instance(p=[1, 2, 3], d=[0, 0, 0])
    for bad in (
        {"sequence": [0, 1]},
        {"sequence": [0, 1, 1]},
        {"sequence": [0, 1, 3]},
        {"sequence": [0, 1, "2"]},
        {"order": [0, 1, 2]},
        {"sequence": "012"},
    ):
        with pytest.raises(SolutionError):
            inst.check(bad)


def test_check_hand_worked():
    # p = (3, 2, 1), d = (2, 6, 1), w = (1, 3, 1); order 2, 0, 1: C = 1, 4, 6.
    inst = Instance(p=[3, 2, 1], d=[2, 6, 1], w=[1, 3, 1])
    assert inst.check({"sequence": [2, 0, 1]}) == 0 + 2 + 0
    assert inst.check({"sequence": [0, 1, 2]}) == 1 + 0 + 5


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.integers(-10, 60), st.integers(0, 5)),
        min_size=1,
        max_size=7,
    ),
    st.randoms(use_true_random=False),
)
def test_checker_agrees_with_vectorised_objective(jobs, rnd):
    p, d, w = zip(*jobs, strict=True)
    inst = Instance(p=p, d=d, w=w)
    seq = list(range(inst.n))
    rnd.shuffle(seq)
    s = np.asarray(seq)
    c = np.cumsum(np.asarray(p)[s])
    expected = int(np.sum(np.asarray(w)[s] * np.maximum(0, c - np.asarray(d)[s])))
    assert inst.check({"sequence": seq}) == inst.objective(seq) == expected
    # the methods' compiled objective is the same function
    arrays = inst.arrays
    assert total_tardiness(*arrays, s.astype(np.int64)) == expected


def test_generator_is_seeded_and_in_range():
    a = generate(50, 0.6, 0.4, weighted=True, seed=3)
    assert a == generate(50, 0.6, 0.4, weighted=True, seed=3)
    assert a != generate(50, 0.6, 0.4, weighted=True, seed=4)
    total = sum(a.p)
    assert all(1 <= x <= 100 for x in a.p) and all(1 <= x <= 10 for x in a.weights)
    lo, hi = round(total * (1 - 0.6 - 0.2)), round(total * (1 - 0.6 + 0.2))
    assert all(lo <= x <= hi for x in a.d)
    assert generate(5, 0.2, 0.2, seed=0).w is None


def test_brute_force_sanity():
    inst = generate(5, 0.6, 0.6, weighted=True, seed=11)
    best = min(inst.objective(s) for s in itertools.permutations(range(5)))
    assert best <= inst.objective(list(range(5)))


def test_objective_of_a_partial_sequence():
    from schedlab.families.smtt.objective import total_tardiness as py_total

    # p = (3, 2, 1), d = (2, 6, 1), w = (1, 3, 1): job 0 then 2 completes at 3 and 4
    assert py_total((3, 2, 1), (2, 6, 1), (1, 3, 1), [0, 2]) == 1 + 3
    assert py_total((3, 2, 1), (2, 6, 1), (1, 3, 1), []) == 0


def test_is_solution():
    assert is_solution({"sequence": [0, 1]})
    assert not is_solution({"sequence": [0], "x": 1}) and not is_solution({"order": [0]})
