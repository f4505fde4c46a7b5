"""The fjsp model: JSON validation, the checker, the generator."""

from __future__ import annotations

import copy

import numpy as np
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


BASE = {"problem": "fjsp", "machines": 2, "jobs": [[[[0, 3], [1, 4]]], [[[1, 5]]]]}


def _doc(**change: object) -> dict:
    doc = copy.deepcopy(BASE)
    doc.update(change)
    return doc


def _time(value: object) -> dict:
    doc = copy.deepcopy(BASE)
    doc["jobs"][0][0][1][1] = value
    return doc


def _machine(value: object) -> dict:
    doc = copy.deepcopy(BASE)
    doc["jobs"][0][0][1][0] = value
    return doc


TIME = "$.jobs[0][0][1][1]"
MACHINE = "$.jobs[0][0][1][0]"


@pytest.mark.parametrize(
    ("doc", "path", "words"),
    [
        (_time("16"), TIME, "not a string"),
        (_time(True), TIME, "not a boolean"),
        (_time(float("nan")), TIME, "finite"),
        (_time(float("inf")), TIME, "finite"),
        (_time(2**63), TIME, "64-bit"),
        (_time(-(2**70)), TIME, "64-bit"),
        (_time(1e19), TIME, "64-bit"),
        (_time(2.5), TIME, "must be an integer"),
        (_time(None), TIME, "must be an integer"),
        (_time(0), TIME, "positive"),
        (_machine("1"), MACHINE, "not a string"),
        (_machine(False), MACHINE, "not a boolean"),
        (_machine(-1), MACHINE, "out of range 0..1"),
        (_machine(2**64), MACHINE, "64-bit"),
        (_machine(0), MACHINE, "listed twice"),
        (_doc(machines="2"), "$.machines", "not a string"),
        (_doc(machines=True), "$.machines", "not a boolean"),
        (_doc(machines=float("nan")), "$.machines", "finite"),
        (_doc(machines=2**63), "$.machines", "64-bit"),
        (_doc(reference="40"), "$.reference", "must be a number"),
        (_doc(reference=True), "$.reference", "must be a number"),
        (_doc(reference=float("nan")), "$.reference", "finite"),
        (_doc(lower_bound=float("-inf")), "$.lower_bound", "finite"),
        (_doc(lower_bound=2**70), "$.lower_bound", "64-bit"),
        (_doc(name=5), "$.name", "non-empty string"),
        (_doc(name=""), "$.name", "non-empty string"),
        (_doc(jobs="abc"), "$.jobs", "list of jobs"),
        (_doc(jobs=[5]), "$.jobs[0]", "list of operations"),
        (_doc(jobs=[[5]]), "$.jobs[0][0]", "[machine, time]"),
        (_doc(jobs=[[[5]]]), "$.jobs[0][0][0]", "pair"),
        (_doc(jobs=[[[[0, 1, 2]]]]), "$.jobs[0][0][0]", "pair"),
        (_doc(jobs=[[[{"m": 0, "p": 1}]]]), "$.jobs[0][0][0]", "pair"),
        (_doc(jobs=[[[[0, 2**61]]], [[[1, 2**61]]]]), "$.jobs", r"2\*\*62"),
        (_doc(schema_version=2), "$.schema_version", "not supported"),
        (_doc(schema_version="1"), "$.schema_version", "must be an integer"),
    ],
)
def test_from_dict_names_the_json_path(doc: dict, path: str, words: str) -> None:
    """Bad numbers (strings, booleans, NaN, infinities, beyond int64, horizons the solvers
    would overflow) are InstanceErrors naming the field's JSON path, never a raw TypeError or
    a silent conversion."""
    with pytest.raises(InstanceError, match=words) as ei:
        Instance.from_dict(doc, source="x.json")
    assert ei.value.path == path
    assert str(ei.value).startswith(f"x.json: {path}: ")


def test_from_dict_accepts_its_schema_version_and_integral_floats() -> None:
    inst = Instance.from_dict({**BASE, "schema_version": 1, "reference": 9})
    assert inst.to_dict() == {**BASE, "schema_version": 1, "name": "fjsp", "reference": 9.0}
    assert list(inst.to_dict())[0] == "schema_version"
    doc = _time(4.0)
    assert Instance.from_dict(doc).jobs[0][0][1] == (1, 4)
    assert api.load(inst.to_dict()) == inst


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"jobs": [[[(0, "3")]]]}, "jobs[0][0][0][1]"),
        ({"jobs": [[[(0, np.float64("nan"))]]]}, "jobs[0][0][0][1]"),
        ({"jobs": [[[(0, 2**63)]]]}, "jobs[0][0][0][1]"),
        ({"jobs": [[[(np.True_, 3)]]]}, "jobs[0][0][0][0]"),
        ({"jobs": [[[5]]]}, "jobs[0][0][0]"),
        ({"jobs": [[[(0, 2**61)], [(1, 2**61)]]]}, "jobs"),
        ({"jobs": [[[(0, 3)]]], "machines": 2**63}, "machines"),
        ({"jobs": [[[(0, 3)]]], "machines": "2"}, "machines"),
        ({"jobs": [[[(0, 3)]]], "reference": float("inf")}, "reference"),
        ({"jobs": [[[(0, 3)]]], "lower_bound": "1"}, "lower_bound"),
        ({"jobs": [[[(0, 3)]]], "name": None}, "name"),
    ],
)
def test_constructor_names_the_field(kwargs: dict, field: str) -> None:
    kwargs = {"machines": 2, **kwargs}
    with pytest.raises(InstanceError) as ei:
        Instance(**kwargs)
    assert str(ei.value).startswith(f"{field}: ")


def test_constructor_accepts_numpy_integers() -> None:
    inst = Instance(jobs=[[[(np.int64(1), np.int32(7))]]], machines=np.int64(2))
    assert inst.jobs == ((((1, 7),),),) and type(inst.jobs[0][0][0][1]) is int
    assert type(inst.machines) is int


def test_check_accepts_its_schema_version_and_rejects_others() -> None:
    inst = _tiny_inst()
    assert inst.check({"schema_version": 1, **GOOD}) == 5.0
    with pytest.raises(SolutionError, match=r"\$\.schema_version.*not supported"):
        inst.check({"schema_version": 2, **GOOD})
    assert is_solution({"schema_version": 1, **GOOD})
