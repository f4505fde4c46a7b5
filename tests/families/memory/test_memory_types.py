"""Buffer ids (int or str, kept as given), the solution's two forms (``offsets`` by id and
``offset_list`` in buffer order), and numbers: every bad one is an InstanceError naming its
field, by JSON path from JSON and by name from the constructors."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import schedlab
from schedlab.core import InstanceError, SolutionError
from schedlab.families.memory import formats
from schedlab.families.memory import model as M


def _doc(**buffer: Any) -> dict[str, Any]:
    """An allocation document whose buffer 1 has the given fields changed."""
    bufs = [
        {"id": "a", "lower": 0, "upper": 2, "size": 4},
        {"id": "b", "lower": 1, "upper": 3, "size": 4},
    ]
    bufs[1].update(buffer)
    return {"problem": "memory", "kind": "allocation", "buffers": bufs}


def test_int_and_str_ids_are_kept_as_given() -> None:
    inst = M.Allocation(buffers=(M.Buffer(3, 0, 2, 4), M.Buffer("b", 1, 3, 4)))
    assert inst.ids == [3, "b"]
    res = schedlab.solve(inst, "greedy-size")
    assert res.solution is not None
    assert set(res.solution["offsets"]) == {3, "b"}  # an int id stays an int key
    assert res.solution["offset_list"] == [res.solution["offsets"][3], res.solution["offsets"]["b"]]
    # through JSON the keys are strings; the checker maps them back
    text = json.loads(json.dumps(res.solution))
    assert set(text["offsets"]) == {"3", "b"}
    assert inst.check(text) == res.objective == schedlab.check(inst, json.dumps(text))
    # the instance's own JSON keeps the int id
    doc = json.loads(inst.to_json())
    assert [b["id"] for b in doc["buffers"]] == [3, "b"]
    again = schedlab.load(doc)
    assert again == inst and again.ids == [3, "b"]
    # numpy integers are ids too (as ints)
    assert M.Buffer(np.int64(5), 0, 1, 1).id == 5


def test_mapping_ids_through_json() -> None:
    bufs = (M.Buffer(0, 0, 2, 4), M.Buffer("w", 1, 2, 4))
    steps = (M.Step(1.0, ((0, 4),)), M.Step(1.0, ((0, 4), (1, 4)), ()))
    inst = M.Mapping(buffers=bufs, capacity=4, steps=steps, fast_bandwidth=4, slow_bandwidth=1)
    doc = json.loads(inst.to_json())
    assert doc["steps"][1]["reads"] == {"0": 4, "w": 4}
    assert schedlab.load(doc) == inst
    res = schedlab.solve(inst, "cpsat")
    assert res.solution is not None and None in res.solution["offset_list"]
    assert inst.check(json.loads(json.dumps(res.solution))) == res.objective


@pytest.mark.parametrize("ids", [(3, "3"), ("3", 3), ("a", "a"), (2, 2)], ids=lambda x: repr(x))
def test_duplicate_ids_are_errors(ids: tuple[Any, Any]) -> None:
    with pytest.raises(InstanceError, match="duplicate buffer id") as ei:
        M.Allocation(buffers=(M.Buffer(ids[0], 0, 1, 1), M.Buffer(ids[1], 0, 1, 1)))
    assert ei.value.path == "$.buffers[1].id"
    doc = _doc(id=ids[1])
    doc["buffers"][0]["id"] = ids[0]
    with pytest.raises(InstanceError, match=r"\$\.buffers\[1\]\.id: duplicate"):
        schedlab.load(doc)


@pytest.mark.parametrize("bad", [True, "", 1.5, None, [1]], ids=repr)
def test_bad_ids(bad: Any) -> None:
    with pytest.raises(InstanceError, match="non-empty string or an integer"):
        M.Buffer(bad, 0, 1, 1)
    with pytest.raises(InstanceError, match=r"\$\.buffers\[1\]\.id"):
        schedlab.load(_doc(id=bad))


def test_the_checker_takes_both_key_forms_and_the_list() -> None:
    inst = M.Allocation(buffers=(M.Buffer(3, 0, 2, 4), M.Buffer("b", 1, 3, 4)))
    good = {"offsets": {3: 0, "b": 4}, "offset_list": [0, 4]}
    assert inst.check(good) == 8.0
    assert inst.check({"offsets": {"3": 0, "b": 4}}) == 8.0
    assert inst.offset_list({"offsets": {"b": 4, "3": 0}}) == [0, 4]
    with pytest.raises(SolutionError, match="given twice"):
        inst.check({"offsets": {3: 0, "3": 0, "b": 4}})
    with pytest.raises(SolutionError, match=r"offset_list\[1\] is 5, but offsets gives"):
        inst.check({"offsets": {3: 0, "b": 4}, "offset_list": [0, 5]})
    with pytest.raises(SolutionError, match="offset_list must list the 2 offsets"):
        inst.check({"offsets": {3: 0, "b": 4}, "offset_list": [0]})
    with pytest.raises(SolutionError, match="unknown buffer id 'c'"):
        inst.check({"offsets": {3: 0, "b": 4, "c": 1}})
    with pytest.raises(SolutionError, match="unknown buffer id True"):
        inst.check({"offsets": {True: 0, "b": 4}})
    with pytest.raises(SolutionError, match="has no offset"):
        inst.check({"offsets": {"b": 4}})
    with pytest.raises(SolutionError, match="unknown key 'peak'"):
        inst.check({**good, "peak": 8})
    for bad in ("4", 4.0, True, None):
        with pytest.raises(SolutionError, match="offset must be an integer|null offset"):
            inst.check({"offsets": {3: 0, "b": bad}})
    with pytest.raises(SolutionError, match="does not fit in 64 bits"):
        inst.check({"offsets": {3: 0, "b": 2**64}})
    with pytest.raises(SolutionError, match="beyond 64 bits"):
        inst.check({"offsets": {3: 0, "b": 2**63 - 2}})
    assert M.is_solution(good) and M.is_solution({**good, "schema_version": 1})
    assert not M.is_solution({**good, "peak": 8})


def _check_pairs(inst: M.MemoryInstance, off: dict[Any, int]) -> str | None:
    try:
        inst.check({"offsets": off})
    except SolutionError as e:
        return str(e)
    return None


def test_the_fast_checker_agrees_with_a_naive_one() -> None:
    """Random placements (many infeasible) of random instances, with gaps, alignments and
    fixed offsets: the checker accepts exactly what a pairwise scan accepts."""
    rng = np.random.default_rng(7)
    for trial in range(60):
        n = int(rng.integers(2, 14))
        bufs = []
        for i in range(n):
            lo = int(rng.integers(0, 8))
            up = lo + int(rng.integers(1, 6))
            size = int(rng.integers(0, 5))
            gaps: tuple[M.Gap, ...] = ()
            if rng.random() < 0.3 and up - lo > 2:
                w = int(rng.integers(0, size + 1))
                gaps = (
                    ((lo + 1, up - 1, 0, w),)
                    if rng.random() < 0.5
                    else ((lo + 1, up - 1, None, None),)
                )
            bufs.append(M.Buffer(i if i % 2 else f"b{i}", lo, up, size, gaps=gaps))
        inst = M.Allocation(buffers=tuple(bufs), name=f"t{trial}")
        off = {b.id: int(rng.integers(0, 10)) for b in bufs}
        rects = [
            [
                (t0, t1, off[b.id] + x0, off[b.id] + x1)
                for t0, t1, x0, x1 in b.rectangles()
                if x1 > x0
            ]
            for b in bufs
        ]
        clash = any(
            a0 < b1 and b0 < a1 and x0 < y1 and y0 < x1
            for i in range(n)
            for j in range(i + 1, n)
            for a0, a1, x0, x1 in rects[i]
            for b0, b1, y0, y1 in rects[j]
        )
        got = _check_pairs(inst, off)
        assert (got is not None) == clash, (trial, got)
        if got is None:
            assert inst.check({"offsets": off}) == max(off[b.id] + b.size for b in bufs)


def test_the_sweep_agrees_with_the_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Instances with too many pairs live together are checked by a sweep over time."""
    from schedlab.families.memory.generate import generate_allocation

    inst = generate_allocation(200, 30, slack=-1, seed=4)
    sol = schedlab.solve(inst, "greedy-size").solution
    assert sol is not None
    broken = dict(sol["offsets"])
    broken["7"] = broken["8"]
    verdicts = []
    for limit in (1 << 20, 0):  # pairs, then the sweep
        monkeypatch.setattr(M, "_MAX_PAIRS", limit)
        fresh = M.Allocation(buffers=inst.buffers, name="x")
        verdicts.append((fresh.check({"offsets": sol["offsets"]}), _check_pairs(fresh, broken)))
    assert verdicts[0][0] == verdicts[1][0]
    assert (verdicts[0][1] is None) == (verdicts[1][1] is None)


FIELDS = ["lower", "upper", "size", "alignment", "offset", "hint"]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize(
    "value", ["16", True, math.nan, math.inf, 2**63, -(2**63) - 1, 1.5], ids=repr
)
def test_bad_numbers_name_their_field(field: str, value: Any) -> None:
    with pytest.raises(InstanceError) as ei:
        schedlab.load(_doc(**{field: value}))
    assert f"$.buffers[1].{field}" in str(ei.value)
    with pytest.raises(InstanceError) as ei:
        M.MemoryInstance.from_dict(_doc(**{field: value}))  # without the API's own checks
    assert ei.value.path == f"$.buffers[1].{field}"
    kw: dict[str, Any] = {"id": "b", "lower": 1, "upper": 3, "size": 4, field: value}
    with pytest.raises(InstanceError, match=f"buffer 'b': {field} must"):
        M.Buffer(**kw)


def test_integral_floats_are_integers() -> None:
    b = M.Buffer("b", 1.0, 3.0, np.int32(4))  # type: ignore[arg-type]
    assert (b.lower, b.upper, b.size) == (1, 3, 4) and type(b.size) is int
    inst = schedlab.load(_doc(size=4.0))
    assert inst.buffers[1].size == 4 and type(inst.buffers[1].size) is int


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"capacity": "12"}, "$.capacity"),
        ({"capacity": 1e30}, "$.capacity"),
        ({"capacity": -1}, "$.capacity"),
        ({"reference": "3"}, "$.reference"),
        ({"reference": math.nan}, "$.reference"),
        ({"name": 5}, "$.name"),
        ({"kind": 1}, "$.kind"),
        ({"steps": [{"compute": 1}]}, "$.steps"),
    ],
)
def test_bad_instance_fields_name_their_path(change: dict[str, Any], path: str) -> None:
    with pytest.raises(InstanceError) as ei:
        M.MemoryInstance.from_dict({**_doc(), **change})
    assert ei.value.path == path


def test_semantic_errors_name_their_path() -> None:
    for change, path in (
        ({"upper": 1}, "$.buffers[1].upper"),
        ({"size": -1}, "$.buffers[1].size"),
        ({"alignment": 0}, "$.buffers[1].alignment"),
        ({"offset": 3, "alignment": 2}, "$.buffers[1].offset"),
        ({"gaps": "2-2"}, "$.buffers[1].gaps"),
        ({"gaps": [[1, 2, 0, 9]]}, "$.buffers[1].gaps"),
    ):
        with pytest.raises(InstanceError) as ei:
            schedlab.load(_doc(**change))
        assert ei.value.path == path, change
    with pytest.raises(InstanceError, match=r"\$\.buffers\[1\]\.offset: .*exceeds the capacity"):
        schedlab.load({**_doc(offset=8), "capacity": 10})


def test_sums_the_solvers_would_overflow_are_errors() -> None:
    big = 2**61
    with pytest.raises(InstanceError, match="beyond the 2\\*\\*62") as ei:
        M.Allocation(buffers=(M.Buffer("a", 0, 1, big), M.Buffer("b", 5, 6, big)))
    assert ei.value.path == "$.buffers[1].size"
    with pytest.raises(InstanceError) as ei:
        schedlab.load(_doc(offset=2**62 - 2))
    assert ei.value.path == "$.buffers[1].offset"
    with pytest.raises(InstanceError) as ei:
        M.Allocation(buffers=(M.Buffer("a", -(2**62), 2**62, 1),))
    assert ei.value.path == "$.buffers[0].upper"  # a lifetime beyond 64 bits


def test_mapping_numbers() -> None:
    base = json.loads(schedlab.generate("memory", steps=6, seed=1).to_json())
    for change, path in (
        ({"fast_bandwidth": "8"}, "$.fast_bandwidth"),
        ({"slow_bandwidth": math.inf}, "$.slow_bandwidth"),
        ({"slow_bandwidth": 0}, "$.slow_bandwidth"),
    ):
        with pytest.raises(InstanceError) as ei:
            M.MemoryInstance.from_dict({**base, **change})
        assert ei.value.path == path
    steps = json.loads(json.dumps(base["steps"]))
    bid = next(iter(steps[0]["writes"]))
    for value in ("8", True, 2**63, -1, 1.5):
        steps[0]["writes"][bid] = value
        with pytest.raises(InstanceError) as ei:
            M.MemoryInstance.from_dict({**base, "steps": steps})
        assert ei.value.path == f"$.steps[0].writes.{bid}"
    steps[0]["writes"] = {"nosuch": 1}
    with pytest.raises(InstanceError, match="unknown buffer 'nosuch'"):
        M.MemoryInstance.from_dict({**base, "steps": steps})
    for compute in ("1", math.nan, -1.0):
        steps = [{"compute": compute}]
        with pytest.raises(InstanceError) as ei:
            M.MemoryInstance.from_dict({**base, "steps": steps})
        assert ei.value.path == "$.steps[0].compute"
    # the constructor names the field too
    bufs = (M.Buffer("a", 0, 1, 4),)
    with pytest.raises(InstanceError) as ei:
        M.Mapping(buffers=bufs, capacity=4, fast_bandwidth=2, slow_bandwidth=1,
                  steps=(M.Step(1.0, ((0, "4"),)),))  # fmt: skip
    assert ei.value.path == "$.steps[0].reads.a"
    with pytest.raises(InstanceError) as ei:
        M.Mapping(buffers=bufs, capacity=4, fast_bandwidth="2", slow_bandwidth=1)  # type: ignore[arg-type]
    assert ei.value.path == "$.fast_bandwidth"


def test_csv_numbers_report_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "big.csv"
    for row, what in (
        ("b,0,2,99999999999999999999", "size"),
        ("b,0,9223372036854775807,4611686018427387904", "2\\*\\*62"),
    ):
        p.write_text(f"id,lower,upper,size\na,0,2,4\n{row}\n")
        with pytest.raises(InstanceError, match=what) as ei:
            schedlab.read(str(p))
        assert ei.value.line == 3 and ei.value.file == str(p)
    p.write_text("id,lower,end,size\na,0,9223372036854775807,4\n")
    with pytest.raises(InstanceError, match="upper must fit in 64 bits") as ei:
        schedlab.read(str(p))
    assert ei.value.line == 2
    # string ids stay strings in that format
    p.write_text("id,lower,upper,size\n1,0,2,4\n2,1,3,4\n")
    inst = formats.read(str(p))
    assert inst.ids == ["1", "2"]


def test_sizes_near_the_limit_solve_exactly() -> None:
    """Three buffers of about 2**60 (their sum below 2**62): every method's peak is exact,
    and none claims optimality without meeting the integer bound."""
    s = 2**60
    inst = M.Allocation(
        buffers=(M.Buffer("a", 0, 2, s), M.Buffer("b", 1, 3, s + 1), M.Buffer("c", 0, 3, s - 7))
    )
    best = 3 * s - 6
    for method in ("greedy-size", "first-fit", "greedy-best", "exact", "cpsat"):
        res = schedlab.solve(inst, method)
        assert res.solution is not None
        offs = res.solution["offset_list"]
        peak = max(o + b.size for o, b in zip(offs, inst.buffers, strict=True))
        assert peak == best
        assert res.status is schedlab.Status.OPTIMAL
    capped = inst.with_capacity(best)
    for method in ("exact", "cpsat"):
        assert schedlab.solve(capped, method).status is schedlab.Status.OPTIMAL
    assert (
        schedlab.solve(inst.with_capacity(best - 1), "exact").status is schedlab.Status.INFEASIBLE
    )
