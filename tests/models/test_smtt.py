"""The smtt model: readers, validation, JSON, checker and generator."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schedlab
from schedlab import InstanceError, SolutionError
from schedlab.core.api import count
from schedlab.models import smtt
from schedlab.models.smtt import Instance


def test_wt40_first_instance_and_reference(instances_dir):
    inst = schedlab.read(f"{instances_dir}/smtt/wt40.txt#1")
    assert inst.n == 40 and inst.weighted
    assert inst.p[:3] == (26, 24, 79)
    assert inst.reference == 913  # first line of wtopt40.txt
    assert inst.name == "wt40#1"
    assert count(instances_dir / "smtt/wt40.txt") == 125


def test_wt100_reference_is_wtbest100b(instances_dir):
    inst = schedlab.read(f"{instances_dir}/smtt/wt100.txt#111")
    b = (instances_dir / "smtt/wtbest100b.txt").read_text().split()
    assert inst.n == 100 and inst.reference == int(b[110])


def test_paper_set(instances_dir):
    inst = schedlab.read(f"{instances_dir}/smtt/data_20_800_new_.txt#1")
    assert inst.n == 20 and inst.w is None and inst.reference == 256
    assert inst.p[:3] == (86, 86, 71)
    assert count(instances_dir / "smtt/data_500_200.txt") == 200


def test_pairs_format(tmp_path):
    f = tmp_path / "SDT_3.txt"
    f.write_text("3 5\n2 1\n4 9\n")
    inst = schedlab.read(str(f))
    assert inst.p == (3, 2, 4) and inst.d == (5, 1, 9)


def test_json_round_trip_and_stdin_style_load():
    inst = Instance(p=[3, 2], d=[1, 4], w=[2, 1], name="t", reference=5)
    back = schedlab.load(inst.to_json())
    assert back == inst
    assert schedlab.load({"problem": "smtt", "p": [1], "d": [0]}).n == 1


@pytest.mark.parametrize(
    "content, line, fragment",
    [
        ("1 2 3\n4 x 6\n", 2, "'x'"),
        ("1 2 3\n4 5\n", 2, "truncated"),
        ("-1 2 3\n4 5 6\n", 1, "negative processing time"),
        ("1 2 3\n-4 5 6\n", 2, "negative weight"),
    ],
)
def test_orlib_bad_input(tmp_path, content, line, fragment):
    f = tmp_path / "wt2.txt"
    f.write_text(content)
    with pytest.raises(InstanceError) as e:
        schedlab.read(str(f))
    assert e.value.line == line and fragment in str(e.value) and "wt2.txt" in str(e.value)


def test_index_out_of_range(instances_dir):
    with pytest.raises(InstanceError, match="out of range: the file holds 125"):
        schedlab.read(f"{instances_dir}/smtt/wt40.txt#126")
    with pytest.raises(InstanceError, match="positive integer"):
        schedlab.read(f"{instances_dir}/smtt/wt40.txt#x")


def test_paper_bad_rows(tmp_path):
    f = tmp_path / "data.txt"
    f.write_text("1 3\n1 0.2 0.2 1 5\n1 2 x\n4 5 6\n")
    with pytest.raises(InstanceError) as e:
        schedlab.read(str(f))
    assert e.value.line == 3 and "processing time" in str(e.value)
    f.write_text("1 3\n1 0.2 0.2 1 5\n1 2 3\n4 5\n")
    with pytest.raises(InstanceError) as e:
        schedlab.read(str(f))
    assert e.value.line == 4 and "expected 3 due dates" in str(e.value)


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
    with pytest.raises(InstanceError, match="unknown problem family"):
        schedlab.load({"problem": "tsp"})


def test_unrecognised_and_missing_files(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("hello world\n")
    with pytest.raises(InstanceError, match="unrecognised"):
        schedlab.read(str(f))
    with pytest.raises(InstanceError, match="no such file"):
        schedlab.read(str(tmp_path / "nope.txt"))


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
    assert inst.check({"sequence": seq}) == inst.objective(seq)


def test_generator_is_seeded_and_in_range():
    a = smtt.generate(50, 0.6, 0.4, weighted=True, seed=3)
    assert a == smtt.generate(50, 0.6, 0.4, weighted=True, seed=3)
    assert a != smtt.generate(50, 0.6, 0.4, weighted=True, seed=4)
    total = sum(a.p)
    assert all(1 <= x <= 100 for x in a.p) and all(1 <= x <= 10 for x in a.weights)
    lo, hi = round(total * (1 - 0.6 - 0.2)), round(total * (1 - 0.6 + 0.2))
    assert all(lo <= x <= hi for x in a.d)
    assert smtt.generate(5, 0.2, 0.2, seed=0).w is None


def test_orlib_writer_round_trip(tmp_path):
    insts = [smtt.generate(7, 0.4, 0.6, weighted=True, seed=s) for s in range(3)]
    out = tmp_path / "wt7_gen.txt"
    smtt.write_orlib(insts, str(out))
    for k, inst in enumerate(insts, start=1):
        back = schedlab.read(f"{out}#{k}")
        assert (back.p, back.d, back.w) == (inst.p, inst.d, inst.w)


def test_json_file_with_index(tmp_path):
    f = tmp_path / "i.json"
    f.write_text(json.dumps({"problem": "smtt", "p": [1], "d": [0]}))
    assert schedlab.read(f"{f}#1").n == 1
    with pytest.raises(InstanceError, match="out of range"):
        schedlab.read(f"{f}#2")
    f.write_text('{"problem": "smtt", "p": [1,]}')
    with pytest.raises(InstanceError) as e:
        schedlab.read(str(f))
    assert e.value.line == 1 and "invalid JSON" in str(e.value)


def test_brute_force_sanity():
    inst = smtt.generate(5, 0.6, 0.6, weighted=True, seed=11)
    best = min(inst.objective(s) for s in itertools.permutations(range(5)))
    assert best <= inst.objective(list(range(5)))


def test_pairs_bad_token_reports_line(tmp_path):
    f = tmp_path / "SDT_x.txt"
    f.write_text("3 5\n2 1\n4 9\n1 q\n")
    with pytest.raises(InstanceError) as e:
        schedlab.read(str(f))
    assert e.value.line == 4 and "'q'" in str(e.value)
