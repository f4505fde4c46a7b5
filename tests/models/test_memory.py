"""Memory model: CSV reader/writer, JSON round trip, checker, max load, generators."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import schedlab
from schedlab.core import InstanceError, SolutionError, api
from schedlab.models import memory as M

ROOT = Path(__file__).resolve().parents[2]
INST = ROOT / "instances" / "memory"
EXAMPLE = INST / "minimalloc" / "examples" / "input.12.csv"


def test_read_example_capacity_from_name() -> None:
    inst = api.read(str(EXAMPLE))
    assert inst.problem == "memory" and inst.kind == "allocation"
    assert inst.capacity == 12 and inst.n == 5 and inst.max_load == 12
    assert [b.id for b in inst.buffers] == ["b1", "b2", "b3", "b4", "b5"]


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
    al = M.Instance(buffers=(M.Buffer("x", 0, 2, 4, alignment=4), M.Buffer("y", 0, 2, 2)))
    with pytest.raises(SolutionError, match="aligned"):
        al.check({"offsets": {"x": 2, "y": 0}})
    assert al.check({"offsets": {"x": 4, "y": 0}}) == 8.0


def test_half_open_intervals_do_not_conflict() -> None:
    inst = M.Instance(buffers=(M.Buffer("a", 0, 3, 5), M.Buffer("b", 3, 6, 5)))
    assert inst.max_load == 5
    assert inst.check({"offsets": {"a": 0, "b": 0}}) == 5.0


def test_legacy_headers_and_inclusive_end(tmp_path: Path) -> None:
    p = tmp_path / "legacy.csv"
    p.write_text("buffer_id,start,end,size\nx,0,2,4\ny,3,5,4\n")
    inst = api.read(str(p))
    assert [(b.lower, b.upper) for b in inst.buffers] == [(0, 3), (3, 6)]
    assert inst.capacity is None


def test_bad_rows_report_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.8.csv"
    p.write_text("id,lower,upper,size\na,0,2,4\nb,3,x,4\n")
    with pytest.raises(InstanceError) as ei:
        api.read(str(p))
    assert ei.value.line == 3 and ei.value.file == str(p) and "upper" in str(ei.value)
    p.write_text("id,lower,upper,size\na,0,2,4\nb,3,3,4\n")
    with pytest.raises(InstanceError, match="empty lifetime") as ei:
        api.read(str(p))
    assert ei.value.line == 3
    p.write_text("id,lower,upper,size\na,0,2,4\na,3,4,4\n")
    with pytest.raises(InstanceError, match="duplicate") as ei:
        api.read(str(p))
    assert ei.value.line == 3
    p.write_text("id,lower,upper,size\na,0,2\n")
    with pytest.raises(InstanceError, match="fields") as ei:
        api.read(str(p))
    assert ei.value.line == 2


def test_csv_round_trip_with_solution(tmp_path: Path) -> None:
    inst = api.read(str(EXAMPLE))
    res = schedlab.solve(inst, "greedy-best")
    out = tmp_path / "solved.12.csv"
    M.write_csv(inst, str(out), res.solution)
    assert out.read_text().splitlines()[0] == "id,lower,upper,size,offset"
    sol = M.read_solution_csv(inst, str(out))
    assert sol == res.solution
    back = M.read(str(out))  # offsets kept as hints, not fixed
    assert [(b.id, b.lower, b.upper, b.size) for b in back.buffers] == [
        (b.id, b.lower, b.upper, b.size) for b in inst.buffers
    ]
    fixed = M.read(str(out), fixed_offsets=True)
    assert fixed.check(sol) == inst.check(sol)


def test_gaps_parse_and_check() -> None:
    text = "id,lower,upper,size,gaps\na,0,10,4,2-8\nb,3,6,4,\n"
    inst = M.parse_csv(text, "g.4.csv")
    assert inst.buffers[0].gaps == ((2, 8, None, None),)
    assert inst.check({"offsets": {"a": 0, "b": 0}}) == 4.0  # b lives in a's gap
    assert "2-8" in M.to_csv(inst)


def test_json_round_trip_both_kinds() -> None:
    inst = api.read(str(EXAMPLE))
    assert api.load(json.dumps(inst.to_dict())) == inst
    m = M.generate_mapping(30, "mixed", 0.25, seed=1)
    again = api.load(m.to_dict())
    assert again == m and again.kind == "mapping"


def test_sniff_only_memory_csv() -> None:
    assert M.sniff("x.csv", "id,lower,upper,size\n0,1,2,3\n")
    assert M.sniff("x.csv", "buffer,begin,end,size\n")
    assert not M.sniff("x.txt", "  1  2  3\n 4 5 6\n")
    assert not M.sniff("x.csv", "job,machine,duration\n")


def test_every_bundled_file_reads() -> None:
    files = sorted(INST.glob("**/*.csv"))
    assert len(files) >= 30
    for f in files:
        if f.stat().st_size < 200_000:
            inst = api.read(str(f))
            assert inst.n > 0 and inst.max_load > 0


def test_iree_reference_placement_checks() -> None:
    inst = api.read(str(INST / "idealloc" / "iree" / "iree_mobilenet.csv"))
    sol = {"offsets": {b.id: b.hint for b in inst.buffers}}
    assert inst.check(sol) == 7311744.0
    assert inst.max_load == 5706112


def test_mapping_generator_and_cost() -> None:
    m = M.generate_mapping(120, "transformer", 0.1, seed=3)
    assert m.kind == "mapping" and len(m.steps) == 120
    assert m.capacity == int(0.1 * m.max_load)
    slow = {"offsets": {b.id: None for b in m.buffers}}
    t_slow = m.check(slow)
    assert t_slow > m.lower_bound() > 0
    assert M.generate_mapping(120, "transformer", 0.1, seed=3) == m  # seeded
    with pytest.raises(InstanceError):
        M.generate_mapping(1)


def test_mapping_generator_variants() -> None:
    base = M.generate_mapping(200, "mixed", 0.25, seed=4)
    assert base.fast_bandwidth == 8 * base.slow_bandwidth
    # weights as entry parameters: live from step 0; the activations are unchanged
    par = M.generate_mapping(200, "mixed", 0.25, seed=4, weights="parameter")
    assert par.name.endswith("_par")
    for b, p in zip(base.buffers, par.buffers, strict=True):
        assert (b.id, b.upper, b.size) == (p.id, p.upper, p.size)
        assert p.lower == (0 if b.id.startswith("w") else b.lower)
    # memory-bound ops everywhere: every step stays memory-bound even all in fast memory
    mb = {k: (0.03, 0.1) for k in ("eltwise", "matmul", "attention")}
    dec = M.generate_mapping(200, "mixed", 0.25, seed=4, intensity=mb)
    fast = dec.step_times(np.ones(dec.n, dtype=bool))
    compute = np.array([s.compute for s in dec.steps])
    assert (fast > compute).all()
    # while the bundled programs' matmuls turn compute-bound in fast memory
    base_compute = np.array([s.compute for s in base.steps])
    assert (base.step_times(np.ones(base.n, dtype=bool)) <= base_compute).any()
    ratio3 = M.generate_mapping(200, "mixed", 0.25, seed=4, bandwidth_ratio=3)
    assert ratio3.fast_bandwidth == 3 * ratio3.slow_bandwidth
    with pytest.raises(InstanceError, match="unknown op kind"):
        M.generate_mapping(20, intensity={"conv": (0.1, 0.2)})
    with pytest.raises(InstanceError, match="low <= high"):
        M.generate_mapping(20, intensity={"matmul": (0.5, 0.2)})
    with pytest.raises(InstanceError, match="bandwidth_ratio"):
        M.generate_mapping(20, bandwidth_ratio=0.5)
    with pytest.raises(InstanceError, match="weights"):
        M.generate_mapping(20, weights="global")


def test_mapping_validation() -> None:
    b = (M.Buffer("a", 0, 1, 8),)
    with pytest.raises(InstanceError, match="capacity"):
        M.Instance(buffers=b, kind="mapping", fast_bandwidth=2, slow_bandwidth=1)
    with pytest.raises(InstanceError, match="live only"):
        M.Instance(
            buffers=b,
            kind="mapping",
            capacity=8,
            fast_bandwidth=2,
            slow_bandwidth=1,
            steps=(M.Step(1.0), M.Step(1.0, reads=((0, 8),))),
        )
