"""The smtt text formats: readers, their sniffers, the OR-Library writer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import schedlab
from schedlab import InstanceError
from schedlab.families.smtt import formats
from schedlab.families.smtt.formats import write_orlib
from schedlab.families.smtt.generate import generate

INSTANCES = Path(__file__).resolve().parents[3] / "instances"


def test_wt40_first_instance_and_reference(instances_dir):
    inst = schedlab.read(f"{instances_dir}/smtt/wt40.txt#1")
    assert inst.n == 40 and inst.weighted
    assert inst.p[:3] == (26, 24, 79)
    assert inst.reference == 913  # first line of wtopt40.txt
    assert inst.name == "wt40#1"
    assert schedlab.count(instances_dir / "smtt/wt40.txt") == 125


def test_wt100_reference_is_wtbest100b(instances_dir):
    inst = schedlab.read(f"{instances_dir}/smtt/wt100.txt#111")
    b = (instances_dir / "smtt/wtbest100b.txt").read_text().split()
    assert inst.n == 100 and inst.reference == int(b[110])


def test_paper_set(instances_dir):
    inst = schedlab.read(f"{instances_dir}/smtt/data_20_800_new_.txt#1")
    assert inst.n == 20 and inst.w is None and inst.reference == 256
    assert inst.p[:3] == (86, 86, 71)
    assert schedlab.count(instances_dir / "smtt/data_500_200.txt") == 200


def test_pairs_format(tmp_path):
    f = tmp_path / "SDT_3.txt"
    f.write_text("3 5\n2 1\n4 9\n")
    inst = schedlab.read(str(f))
    assert inst.p == (3, 2, 4) and inst.d == (5, 1, 9)


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
    with pytest.raises(InstanceError, match="no such file"):  # '#x' is part of a file name
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


def test_unrecognised_and_missing_files(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("hello world\n")
    with pytest.raises(InstanceError, match="unrecognised"):
        schedlab.read(str(f))
    with pytest.raises(InstanceError, match="no such file"):
        schedlab.read(str(tmp_path / "nope.txt"))


def test_orlib_writer_round_trip(tmp_path):
    insts = [generate(7, 0.4, 0.6, weighted=True, seed=s) for s in range(3)]
    out = tmp_path / "wt7_gen.txt"
    write_orlib(insts, str(out))
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


def test_pairs_bad_token_reports_line(tmp_path):
    f = tmp_path / "SDT_x.txt"
    f.write_text("3 5\n2 1\n4 9\n1 q\n")
    with pytest.raises(InstanceError) as e:
        schedlab.read(str(f))
    assert e.value.line == 4 and "'q'" in str(e.value)


def _accepting(path: Path) -> list[str]:
    head = path.read_text()[:4096]
    return [r.format for r in formats.READERS if r.accepts(str(path), head)]


def test_each_bundled_smtt_file_is_claimed_by_its_reader():
    smtt = INSTANCES / "smtt"
    assert _accepting(smtt / "wt40.txt")[0] == "orlib"
    assert _accepting(smtt / "wt100.txt")[0] == "orlib"
    for name in ("data_20_800_new_.txt", "data_100_200.txt", "data_500_200.txt"):
        assert _accepting(smtt / name) == ["cetinkaya"], name
    # the reference values and the set's description are not instances
    for name in ("wtopt40.txt", "wtbest100a.txt", "wtbest100b.txt", "wtinfo.txt", "SOURCES.md"):
        assert _accepting(smtt / name) == [], name


def test_no_smtt_reader_claims_another_familys_bundled_files():
    others = [
        p
        for p in INSTANCES.rglob("*")
        if p.is_file() and "smtt" not in p.relative_to(INSTANCES).parts
    ]
    assert others
    for path in others:
        try:
            path.read_text()[:4096]
        except UnicodeDecodeError:
            continue
        assert _accepting(path) == [], path


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        ("wt3.txt", "1 2 3\n4 5 6\n7 8 9\n", "orlib"),
        ("wt3_mine.TXT", "1 2 3 4 5 6 7 8 9\n", "orlib"),
        ("data.txt", "2 3\n1 0.2 0.2 1 5\n1 2 3\n4 5 6\n", "cetinkaya"),
        ("SDT_3.txt", "3 5\n2 -1\n\n4 9\n", "pairs"),
        ("one.txt", "3 5\n", "pairs"),
    ],
)
def test_sniffers_accept_their_format(tmp_path, name, text, fmt):
    f = tmp_path / name
    f.write_text(text)
    assert _accepting(f)[:1] == [fmt]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("wt0.txt", "1 2 3\n"),  # n = 0
        ("wt3.csv", "1 2 3\n"),  # not .txt
        ("wt3.txt", "p w d\n1 2 3\n"),  # a header is not OR-Library
        ("notes.txt", "hello world\n"),
        ("a.txt", "1 2 3\n4 5 6\n"),  # three columns
        ("b.txt", "1 2\n3 4 5\n6 7\n"),  # a row of three in the middle
        ("c.txt", "p d\n1 2\n3 4\n"),  # a header line
        ("d.txt", "1.5 2\n3 4\n"),  # not integers
        ("e.txt", ""),
        ("f.txt", "2 3\n1 0.2 0.2 1\n1 2 3\n"),  # a four-field instance header
    ],
)
def test_sniffers_refuse_what_is_not_theirs(tmp_path, name, text):
    f = tmp_path / name
    f.write_text(text)
    assert _accepting(f) == []


def test_counts(instances_dir):
    assert formats.count_orlib(str(instances_dir / "smtt/wt100.txt")) == 125
    assert formats.count_cetinkaya(str(instances_dir / "smtt/data_20_800_new_.txt")) == 800
