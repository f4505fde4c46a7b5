"""dag model: validation (JSON paths), the JSON round trip, and the checker on hand-built
schedules with communication."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from schedlab.core import InstanceError, SolutionError
from schedlab.families.dag.model import Instance, is_solution, transfer

#: Two processors, bandwidth 2 from P0 to P1 and 4 back, latency 1 both ways:
#: a (0) -> b (1) volume 6, a -> c (2) volume 0; c runs on P1 only.
DOC: dict[str, Any] = {
    "problem": "dag",
    "name": "tiny",
    "processors": [{"name": "cpu", "type": "cpu"}, {"name": "gpu", "type": "gpu"}],
    "tasks": [
        {"name": "a", "times": [2, 3]},
        {"name": "b", "times": [4, 1]},
        {"name": "c", "times": [None, 5]},
    ],
    "edges": [{"from": 0, "to": 1, "volume": 6}, {"from": 0, "to": 2}],
    "bandwidth": [[None, 2], [4, None]],
    "latency": 1,
}


@pytest.fixture
def tiny() -> Instance:
    return Instance.from_dict(copy.deepcopy(DOC))


def _sol(*rows: tuple[int, int, int, int]) -> dict[str, Any]:
    return {"tasks": [{"task": i, "processor": p, "start": s, "end": e} for i, p, s, e in rows]}


def test_delays(tiny: Instance) -> None:
    assert tiny.delay(6, 0, 1) == 3 + 1  # ceil(6 / 2) + latency
    assert tiny.delay(6, 1, 0) == 2 + 1  # ceil(6 / 4) + latency
    assert tiny.delay(6, 0, 0) == 0 and tiny.delay(0, 0, 1) == 1
    assert transfer(7, None, 2) == 2 and transfer(7, 3, 0) == 3
    assert tiny.has_communication and not tiny.identical_processors


def test_checker_accepts_schedules_with_communication(tiny: Instance) -> None:
    # a on cpu [0, 2); b on gpu needs 2 + 4 = 6; c on gpu needs 2 + 1 = 3
    assert tiny.check(_sol((0, 0, 0, 2), (2, 1, 3, 8), (1, 1, 8, 9))) == 9
    # a on gpu [0, 3): b on gpu right after, c after b
    assert tiny.check(_sol((0, 1, 0, 3), (1, 1, 3, 4), (2, 1, 4, 9))) == 9
    # b on cpu with a on gpu: 3 + ceil(6 / 4) + 1 = 6
    assert tiny.check(_sol((0, 1, 0, 3), (1, 0, 6, 10), (2, 1, 3, 8))) == 10
    assert tiny.check({"schema_version": 1, **_sol((0, 0, 0, 2), (2, 1, 3, 8), (1, 1, 8, 9))}) == 9


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (((0, 0, 0, 2), (2, 1, 3, 8), (1, 1, 6, 7)), "overlaps"),
        (((0, 0, 0, 2), (2, 1, 3, 8), (1, 1, 8, 10)), "end - start"),
        (((0, 0, 0, 2), (2, 0, 3, 8), (1, 1, 8, 9)), "not eligible"),
        (((0, 0, 0, 2), (2, 1, 2, 7), (1, 1, 8, 9)), "delay 1"),
        (((0, 0, 0, 2), (2, 1, 3, 8), (1, 1, 6, 7)), r"processor 1: task 2 \[3, 8\) overlaps"),
        (((0, 0, 0, 2), (1, 1, 5, 6), (2, 1, 6, 11)), "edge 0 -> 1"),
        (((0, 1, 0, 3), (1, 1, 2, 3), (2, 1, 4, 9)), "same processor"),
        (((0, 0, -1, 1), (2, 1, 3, 8), (1, 1, 8, 9)), "< 0"),
        (((0, 0, 0, 2), (2, 1, 3, 8)), "missing"),
        (((0, 0, 0, 2), (0, 0, 0, 2), (2, 1, 3, 8)), "twice"),
        (((0, 2, 0, 2), (2, 1, 3, 8), (1, 1, 8, 9)), "out of range"),
        (((3, 0, 0, 2), (2, 1, 3, 8), (1, 1, 8, 9)), "out of range"),
    ],
)
def test_checker_rejects(tiny: Instance, rows: Any, message: str) -> None:
    with pytest.raises(SolutionError, match=message):
        tiny.check(_sol(*rows))


@pytest.mark.parametrize(
    "bad",
    [
        {"sequence": [0]},
        {"tasks": "x"},
        {"tasks": [1]},
        {"tasks": [{"task": 0, "processor": 0, "start": "0", "end": 2}]},
        {"tasks": [{"task": 0, "processor": 0, "start": True, "end": 2}]},
        {"tasks": [{"task": 0, "processor": 0, "start": 0.5, "end": 2}]},
        {"schema_version": 2, "tasks": []},
    ],
)
def test_checker_rejects_malformed(tiny: Instance, bad: Any) -> None:
    with pytest.raises(SolutionError):
        tiny.check(bad)


def test_zero_time_tasks_occupy_no_processor() -> None:
    inst = Instance(times=((3,), (0,), (2,)), edges=((0, 2, 0),))
    # the zero-time task 1 sits inside task 0's interval
    assert inst.check(_sol((0, 0, 0, 3), (1, 0, 1, 1), (2, 0, 3, 5))) == 5


def test_round_trip(tiny: Instance) -> None:
    doc = tiny.to_dict()
    assert next(iter(doc)) == "schema_version"
    assert doc["latency"] == 1 and doc["bandwidth"] == [[None, 2], [4, None]]
    back = Instance.from_dict(json.loads(json.dumps(doc)))
    assert back == tiny and back.task_names == ("a", "b", "c")
    same = Instance(
        times=tiny.times,
        edges=tiny.edges,
        processors=(("cpu", "cpu"), ("gpu", "gpu")),
        bandwidth=[[None, 2], [4, None]],
        latency=1,
        task_names=("a", "b", "c"),
        name="tiny",
    )
    assert same == tiny


def test_processor_count_and_defaults() -> None:
    inst = Instance.from_dict({"processors": 2, "tasks": [{"times": [1, 1]}]})
    assert inst.processors == (("P0", "p"), ("P1", "p"))
    assert inst.task_names == ("t0",) and inst.name == "dag"
    assert inst.identical_processors and not inst.has_communication
    assert inst.trivial_bound == 1


def _set(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(DOC)
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        (_set(("tasks", 1, "times", 1), -1), "$.tasks[1].times[1]"),
        (_set(("tasks", 1, "times", 1), "1"), "$.tasks[1].times[1]"),
        (_set(("tasks", 1, "times", 1), True), "$.tasks[1].times[1]"),
        (_set(("tasks", 1, "times", 1), 1.5), "$.tasks[1].times[1]"),
        (_set(("tasks", 1, "times", 1), 2**63), "$.tasks[1].times[1]"),
        (_set(("tasks", 1, "times", 1), float("nan")), "$.tasks[1].times[1]"),
        (_set(("tasks", 1, "times"), [1]), "$.tasks[1].times"),
        (_set(("tasks", 2, "times"), [None, None]), "$.tasks[2].times"),
        (_set(("tasks", 0), [1, 2]), "$.tasks[0]"),
        (_set(("edges", 0, "to"), 3), "$.edges[0].to"),
        (_set(("edges", 0, "to"), 0), "$.edges[0]"),
        (_set(("edges", 1, "to"), 1), "$.edges[1]"),
        (_set(("edges", 0, "volume"), -2), "$.edges[0].volume"),
        (_set(("edges",), [{"from": 0, "to": 1}, {"from": 1, "to": 0}]), "$.edges"),
        (_set(("bandwidth", 0, 1), 0), "$.bandwidth[0][1]"),
        (_set(("bandwidth",), [[1, 1]]), "$.bandwidth"),
        (_set(("latency",), -1), "$.latency"),
        (_set(("latency",), [[0, None], [1, 0]]), "$.latency[0][1]"),
        (_set(("processors",), 0), "$.processors"),
        (_set(("processors",), []), "$.processors"),
        (_set(("processors", 1, "name"), "cpu"), "$.processors[1].name"),
        (_set(("reference",), float("inf")), "$.reference"),
        (_set(("name",), ""), "$.name"),
    ],
)
def test_bad_fields_are_named(doc: dict[str, Any], path: str) -> None:
    with pytest.raises(InstanceError) as ei:
        Instance.from_dict(doc, source="x.json")
    assert ei.value.path == path and ei.value.file == "x.json"


def test_bad_constructor_fields_are_named() -> None:
    with pytest.raises(InstanceError, match=r"tasks\[0\].times\[0\]"):
        Instance(times=((-1,),))
    with pytest.raises(InstanceError, match="cycle"):
        Instance(times=((1,), (1,)), edges=((0, 1, 0), (1, 0, 0)))
    with pytest.raises(InstanceError, match="horizon"):
        Instance(times=((2**61,), (2**61,)))
    with pytest.raises(InstanceError, match="task_names"):
        Instance(times=((1,),), task_names=("a", "b"))


def test_is_solution() -> None:
    assert is_solution(_sol((0, 0, 0, 1)))
    assert is_solution({"schema_version": 1, **_sol((0, 0, 0, 1))})
    assert not is_solution({"operations": []}) and not is_solution({"tasks": [{"task": 0}]})
