"""Memory model: the two instance classes, JSON round trip, checker, max load, generators."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from schedlab import api
from schedlab.core import InstanceError, SolutionError
from schedlab.families.memory import model as M
from schedlab.families.memory.generate import generate_allocation, generate_mapping

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "instances" / "memory" / "minimalloc" / "examples" / "input.12.csv"


def test_readme_solution_checks() -> None:
    inst = api.read(str(EXAMPLE))
    sol = {"offsets": {"b1": 8, "b2": 8, "b3": 4, "b4": 4, "b5": 0}}
    assert inst.check(sol) == 12.0


def test_check_rejects_overlap_capacity_alignment() -> None:
    inst = api.read(str(EXAMPLE))
    with pytest.raises(SolutionError, match="overlap"):
        inst.check({"offsets": {"b1": 0, "b2": 8, "b3": 4, "b4": 4, "b5": 0}})
    with pytest.raises(SolutionError, match="capacity"):
        inst.check({"offsets": {"b1": 9, "b2": 8, "b3": 4, "b4": 4, "b5": 0}})
    with pytest.raises(SolutionError, match="no offset"):
        inst.check({"offsets": {"b1": 8}})
    with pytest.raises(SolutionError, match="null"):
        inst.check({"offsets": {"b1": None, "b2": 8, "b3": 4, "b4": 4, "b5": 0}})
    al = M.Allocation(buffers=(M.Buffer("x", 0, 2, 4, alignment=4), M.Buffer("y", 0, 2, 2)))
    with pytest.raises(SolutionError, match="aligned"):
        al.check({"offsets": {"x": 2, "y": 0}})
    assert al.check({"offsets": {"x": 4, "y": 0}}) == 8.0


def test_half_open_intervals_do_not_conflict() -> None:
    inst = M.Allocation(buffers=(M.Buffer("a", 0, 3, 5), M.Buffer("b", 3, 6, 5)))
    assert inst.max_load == 5
    assert inst.check({"offsets": {"a": 0, "b": 0}}) == 5.0


def test_json_round_trip_both_kinds() -> None:
    inst = api.read(str(EXAMPLE))
    assert isinstance(inst, M.Allocation)
    again = api.load(json.dumps(inst.to_dict()))
    assert again == inst and isinstance(again, M.Allocation)
    m = generate_mapping(30, "mixed", 0.25, seed=1)
    again = api.load(m.to_dict())
    assert again == m and isinstance(again, M.Mapping) and again.kind == "mapping"
    assert m.to_dict()["kind"] == "mapping" and inst.to_dict()["kind"] == "allocation"


def test_from_dict_dispatches_on_kind() -> None:
    m = generate_mapping(10, seed=2).to_dict()
    a = generate_allocation(5, 10, seed=2).to_dict()
    assert type(M.MemoryInstance.from_dict(m)) is M.Mapping
    assert type(M.MemoryInstance.from_dict(a)) is M.Allocation
    no_kind = {k: v for k, v in a.items() if k != "kind"}
    assert type(M.MemoryInstance.from_dict(no_kind)) is M.Allocation  # the default kind
    assert type(M.Mapping.from_dict({k: v for k, v in m.items() if k != "kind"})) is M.Mapping
    with pytest.raises(InstanceError, match="kind must be one of allocation, mapping"):
        M.MemoryInstance.from_dict({**a, "kind": "paging"})
    with pytest.raises(InstanceError, match="a mapping instance, not allocation"):
        M.Allocation.from_dict(m)
    with pytest.raises(InstanceError, match="steps are for mapping instances only"):
        M.MemoryInstance.from_dict({**a, "steps": m["steps"][:1]})
    with pytest.raises(InstanceError, match="Allocation or a Mapping"):
        M.MemoryInstance(buffers=())


def test_with_capacity_keeps_the_class() -> None:
    m = generate_mapping(10, seed=2)
    assert type(m.with_capacity(123)) is M.Mapping and m.with_capacity(123).capacity == 123
    a = generate_allocation(5, 10, seed=2)
    free = a.with_capacity(None)
    assert type(free) is M.Allocation and free.capacity is None and free.buffers == a.buffers


def test_mapping_total_time_is_the_checker() -> None:
    m = generate_mapping(60, "transformer", 0.25, seed=7)
    rng = np.random.default_rng(0)
    fast = rng.random(m.n) < 0.2
    # a feasible mapping: the chosen buffers stacked (capacity dropped for the test)
    big = m.with_capacity(int(m.arrays[2].sum()))
    offs, top = {}, 0
    for i, b in enumerate(big.buffers):
        offs[b.id] = top if fast[i] else None
        top += b.size if fast[i] else 0
    assert big.check({"offsets": offs}) == big.total_time(fast)
    # the sum of the step times, each max(compute, bytes / bandwidth)
    slow = np.zeros(m.n, dtype=bool)
    expected = 0.0
    for s in m.steps:
        mem = sum(v / m.slow_bandwidth for _j, v in (*s.reads, *s.writes))
        expected += max(s.compute, mem)
    assert m.total_time(slow) == expected
    assert m.lower_bound() == m.total_time(np.ones(m.n, dtype=bool))


def test_describe_by_kind() -> None:
    a = api.read(str(EXAMPLE))
    text = a.describe({"offsets": {"b1": 8, "b2": 8, "b3": 4, "b4": 4, "b5": 0}})
    assert "(allocation)" in text and "peak       12 / capacity 12" in text
    m = generate_mapping(10, seed=1)
    text = m.describe({"offsets": {b.id: None for b in m.buffers}})
    assert "(mapping)" in text and f"fast       0 of {m.n} buffers" in text


def test_mapping_generator_and_cost() -> None:
    m = generate_mapping(120, "transformer", 0.1, seed=3)
    assert isinstance(m, M.Mapping) and len(m.steps) == 120
    assert m.capacity == int(0.1 * m.max_load)
    slow = {"offsets": {b.id: None for b in m.buffers}}
    t_slow = m.check(slow)
    assert t_slow > m.lower_bound() > 0
    assert generate_mapping(120, "transformer", 0.1, seed=3) == m  # seeded
    with pytest.raises(InstanceError):
        generate_mapping(1)


def test_mapping_generator_variants() -> None:
    base = generate_mapping(200, "mixed", 0.25, seed=4)
    assert base.fast_bandwidth == 8 * base.slow_bandwidth
    # weights as entry parameters: live from step 0; the activations are unchanged
    par = generate_mapping(200, "mixed", 0.25, seed=4, weights="parameter")
    assert par.name.endswith("_par")
    for b, p in zip(base.buffers, par.buffers, strict=True):
        assert (b.id, b.upper, b.size) == (p.id, p.upper, p.size)
        assert p.lower == (0 if b.id.startswith("w") else b.lower)
    # memory-bound ops everywhere: every step stays memory-bound even all in fast memory
    mb = {k: (0.03, 0.1) for k in ("eltwise", "matmul", "attention")}
    dec = generate_mapping(200, "mixed", 0.25, seed=4, intensity=mb)
    fast = dec.step_times(np.ones(dec.n, dtype=bool))
    compute = np.array([s.compute for s in dec.steps])
    assert (fast > compute).all()
    # while the bundled programs' matmuls turn compute-bound in fast memory
    base_compute = np.array([s.compute for s in base.steps])
    assert (base.step_times(np.ones(base.n, dtype=bool)) <= base_compute).any()
    ratio3 = generate_mapping(200, "mixed", 0.25, seed=4, bandwidth_ratio=3)
    assert ratio3.fast_bandwidth == 3 * ratio3.slow_bandwidth
    with pytest.raises(InstanceError, match="unknown op kind"):
        generate_mapping(20, intensity={"conv": (0.1, 0.2)})
    with pytest.raises(InstanceError, match="low <= high"):
        generate_mapping(20, intensity={"matmul": (0.5, 0.2)})
    with pytest.raises(InstanceError, match="bandwidth_ratio"):
        generate_mapping(20, bandwidth_ratio=0.5)
    with pytest.raises(InstanceError, match="weights"):
        generate_mapping(20, weights="global")


def test_generated_instances_are_unchanged() -> None:
    """The generators give the same instances as before the family became a package."""
    a = generate_allocation(6, 10, slack=0.5, seed=3)
    assert [(b.lower, b.upper, b.size) for b in a.buffers] == [
        (7, 8, 6), (2, 3, 26), (7, 9, 2), (0, 1, 14), (5, 7, 9), (1, 4, 24),
    ]  # fmt: skip
    assert a.capacity == 75 and a.name == "alloc_n6_s3"
    m = generate_mapping(12, "chain", 0.5, seed=3)
    assert (m.n, m.capacity, m.name) == (18, 182784, "map_chain_n12_c50_s3")
    assert m.steps[0].compute == 1.775078


def test_mapping_validation() -> None:
    b = (M.Buffer("a", 0, 1, 8),)
    with pytest.raises(InstanceError, match="capacity"):
        M.Mapping(buffers=b, fast_bandwidth=2, slow_bandwidth=1)
    with pytest.raises(InstanceError, match="fast_bandwidth must be a positive number"):
        M.Mapping(buffers=b, capacity=8, slow_bandwidth=1)
    with pytest.raises(InstanceError, match="live only"):
        M.Mapping(
            buffers=b,
            capacity=8,
            fast_bandwidth=2,
            slow_bandwidth=1,
            steps=(M.Step(1.0), M.Step(1.0, reads=((0, 8),))),
        )


def test_is_solution() -> None:
    assert M.is_solution({"offsets": {}})
    assert not M.is_solution({"offsets": {}, "x": 1})
    assert not M.is_solution({"sequence": [1]})
