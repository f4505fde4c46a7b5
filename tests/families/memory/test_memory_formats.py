"""Memory formats: the MiniMalloc CSV reader (and its sniffer), writer and solved files."""

from __future__ import annotations

from pathlib import Path

import pytest

import schedlab
from schedlab import api
from schedlab.core import InstanceError
from schedlab.families.memory import formats
from schedlab.families.memory.model import Allocation

ROOT = Path(__file__).resolve().parents[3]
INST = ROOT / "instances" / "memory"
EXAMPLE = INST / "minimalloc" / "examples" / "input.12.csv"


def test_read_example_capacity_from_name() -> None:
    inst = api.read(str(EXAMPLE))
    assert inst.problem == "memory" and isinstance(inst, Allocation)
    assert inst.kind == "allocation"
    assert inst.capacity == 12 and inst.n == 5 and inst.max_load == 12
    assert [b.id for b in inst.buffers] == ["b1", "b2", "b3", "b4", "b5"]
    assert formats.capacity_from_name("A.1048576.csv") == 1048576
    assert formats.capacity_from_name("plain.csv") is None
    assert formats.read(str(EXAMPLE), capacity=20).capacity == 20


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
    with pytest.raises(InstanceError, match="out of range"):
        formats.read(str(EXAMPLE), 2)


def test_csv_round_trip_with_solution(tmp_path: Path) -> None:
    inst = api.read(str(EXAMPLE))
    res = schedlab.solve(inst, "greedy-best")
    assert res.solution is not None
    out = tmp_path / "solved.12.csv"
    formats.write_csv(inst, str(out), res.solution)
    assert out.read_text().splitlines()[0] == "id,lower,upper,size,offset"
    sol = formats.read_solution_csv(inst, str(out))
    assert sol == {k: v for k, v in res.solution.items() if k != "schema_version"}
    back = formats.read(str(out))  # offsets kept as hints, not fixed
    assert [(b.id, b.lower, b.upper, b.size) for b in back.buffers] == [
        (b.id, b.lower, b.upper, b.size) for b in inst.buffers
    ]
    fixed = formats.read(str(out), fixed_offsets=True)
    assert fixed.check(sol) == inst.check(sol)


def test_mapping_to_csv_marks_slow_buffers() -> None:
    m = schedlab.generate("memory", "generate_mapping", steps=5, seed=1)
    sol = {"offsets": {b.id: (0 if i == 0 else None) for i, b in enumerate(m.buffers)}}
    rows = formats.to_csv(m, sol).splitlines()
    assert rows[0] == "id,lower,upper,size,offset"
    assert rows[1].endswith(",0") and all(r.endswith(",-1") for r in rows[2:])


def test_gaps_parse_and_check() -> None:
    text = "id,lower,upper,size,gaps\na,0,10,4,2-8\nb,3,6,4,\n"
    inst = formats.parse_csv(text, "g.4.csv")
    assert inst.buffers[0].gaps == ((2, 8, None, None),)
    assert inst.check({"offsets": {"a": 0, "b": 0}}) == 4.0  # b lives in a's gap
    assert "2-8" in formats.to_csv(inst)


def test_accepts_only_memory_csv() -> None:
    assert formats.accepts("x.csv", "id,lower,upper,size\n0,1,2,3\n")
    assert formats.accepts("x.csv", "\ufeffbuffer,begin,end,size\n")
    assert formats.accepts("x.csv", "\n\nbuffer_id,start,end,size,alignment\n")
    assert not formats.accepts("x.txt", "  1  2  3\n 4 5 6\n")
    assert not formats.accepts("x.csv", "job,machine,duration\n")
    assert not formats.accepts("x.csv", "id,lower,upper\n")  # no size
    assert not formats.accepts("x.csv", "size,id,lower,upper\n")  # id first
    assert not formats.accepts("x.json", '{"problem": "memory"}')
    assert not formats.accepts("x.csv", "")
    # every bundled CSV is accepted by exactly the memory family
    for f in sorted(INST.glob("**/*.csv"))[:5]:
        found = api.readers_for(str(f))
        assert [(fam.name, r.format) for fam, r in found] == [("memory", "minimalloc-csv")]


def test_every_bundled_file_reads() -> None:
    files = sorted(INST.glob("**/*.csv"))
    assert len(files) >= 30
    for f in files:
        if f.stat().st_size < 200_000:
            inst = api.read(str(f))
            assert isinstance(inst, Allocation)
            assert inst.n > 0 and inst.max_load > 0


def test_iree_reference_placement_checks() -> None:
    inst = api.read(str(INST / "idealloc" / "iree" / "iree_mobilenet.csv"))
    sol = {"offsets": {b.id: b.hint for b in inst.buffers}}
    assert inst.check(sol) == 7311744.0
    assert inst.max_load == 5706112
