"""The .fjs format: reading (bounds from bounds.csv), odd layouts, errors with file and
line, the sniffer, writing."""

from __future__ import annotations

from pathlib import Path

import pytest

from schedlab import api
from schedlab.core import InstanceError
from schedlab.families.fjsp.formats import accepts, read, write_fjs
from schedlab.families.fjsp.model import Instance

ROOT = Path(__file__).resolve().parents[3]
MK = ROOT / "instances" / "fjsp"
OPS = {1: 55, 2: 58, 3: 150, 4: 90, 5: 106, 6: 150, 7: 100, 8: 225, 9: 240, 10: 240}
BKS = {1: 40, 2: 26, 3: 204, 4: 60, 5: 172, 6: 57, 7: 139, 8: 523, 9: 307, 10: 193}

TINY = "2 2 1.5\n2  1 1 3  2 1 2 2 4\n1  1 2 5\n"


def _tiny(tmp_path: Path, text: str = TINY, name: str = "tiny.fjs") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode())
    return p


@pytest.mark.parametrize("k", range(1, 11))
def test_brandimarte_bundle(k: int) -> None:
    inst = api.read(MK / f"mk{k:02d}.fjs")
    assert isinstance(inst, Instance)
    assert inst.name == f"mk{k:02d}"
    assert inst.n_operations == OPS[k]
    assert inst.reference == BKS[k]
    assert inst.lower_bound is not None and inst.lower_bound <= inst.reference
    assert inst.trivial_bound <= inst.reference
    assert (MK / "SOURCES.md").is_file() and (MK / "bounds.csv").is_file()


def test_mk01_first_job_parsed() -> None:
    inst = api.read(MK / "mk01.fjs")
    assert inst.machines == 6 and inst.n_jobs == 10
    assert inst.jobs[0][0] == ((0, 5), (2, 4))
    assert inst.jobs[0][1] == ((4, 3), (2, 5), (1, 1))


@pytest.mark.parametrize(
    "text",
    [
        TINY,
        TINY.replace("\n", "\r\n"),
        TINY.replace(" ", "\t"),
        TINY.replace("\n", "   \n"),
        "2\t2\t1.5  \r\n2 1 1 3 2\r\n 1 2 2 4 1 1 2 5\r\n\r\n",
        "2 2\n2 1 1 3 2 1 2 2 4 1 1 2 5",
        "2 2\n2 1 1 3 2 1 2 2 4\n1 1 2 5\n",
        "2 2 2\n2 1 1 3 2 1 2 2 4\n1 1 2 5\n",
    ],
    ids=["plain", "crlf", "tabs", "trailing", "wrapped", "one-line", "two-field-header", "int"],
)
def test_fjs_odd_whitespace(tmp_path: Path, text: str) -> None:
    inst = read(str(_tiny(tmp_path, text)))
    assert inst.machines == 2
    if text.count("\n") > 1:
        assert api.read(_tiny(tmp_path, text)) == inst
    assert inst.jobs == ((((0, 3),), ((0, 2), (1, 4))), (((1, 5),),))


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("2 2 1.5\n2 1 1 3 2 1 2 2 4\n1 1 2\n", 3, "truncated"),
        ("2 2 1.5\n2 1 1 3 2 1 x 2 4\n1 1 2 5\n", 2, "expected an integer"),
        ("2 2 1.5\n2 1 1 3 2 1 2 2 4\n1 1 3 5\n", 3, "machine 3 out of range"),
        ("2 2 1.5\n2 1 1 3 2 1 2 2 4\n1 1 2 0\n", 3, "processing time 0"),
        ("2 2 1.5\n2 1 1 3 2 1 2 1 4\n1 1 2 5\n", 2, "listed twice"),
        ("2 2 1.5\n2 1 1 3 2 1 2 2 4\n1 1 2 5\n7\n", 4, "unexpected data"),
        ("2 2 1.5 9\n2 1 1 3 2 1 2 2 4\n1 1 2 5\n", 1, "header"),
        ("2 2 abc\n2 1 1 3 2 1 2 2 4\n1 1 2 5\n", 1, "mean flexibility"),
    ],
)
def test_fjs_bad_input_names_file_and_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    p = _tiny(tmp_path, text)
    with pytest.raises(InstanceError) as ei:
        api.read(p)
    assert ei.value.file == str(p)
    assert ei.value.line == line
    assert words in str(ei.value)
    assert f"{p}, line {line}:" in str(ei.value)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match="empty"):
        api.read(_tiny(tmp_path, "  \n"))


def test_accepts_by_extension_and_content(tmp_path: Path) -> None:
    head = (MK / "mk01.fjs").read_text()[:4096]
    assert accepts("x.fjs", "")
    assert accepts("x.txt", head)
    txt = _tiny(tmp_path, (MK / "mk03.fjs").read_text(), "mk03.txt")
    assert api.read(txt).n_operations == 150


def test_accepts_leaves_other_families_files_alone() -> None:
    others = [
        p
        for p in (ROOT / "instances").rglob("*")
        if p.is_file() and "fjsp" not in p.relative_to(ROOT / "instances").parts
    ]
    assert others
    for path in others:
        try:
            head = path.read_text()[:4096]
        except UnicodeDecodeError:
            continue
        assert not accepts(str(path), head), path


def test_fjs_files_read_without_naming_the_family() -> None:
    """No other family's reader claims the bundled .fjs files (the core would then ask for
    --family)."""
    for k in range(1, 11):
        found = api.readers_for(MK / f"mk{k:02d}.fjs")
        assert [(f.name, r.format) for f, r in found] == [("fjsp", "fjs")]


def test_family_declares_the_reader() -> None:
    fam = api.family("fjsp")
    assert [r.format for r in fam.readers] == ["fjs"]
    assert fam.readers[0].accepts("x.fjs", "") and fam.readers[0].count is None


def test_json_round_trip_and_write_fjs(tmp_path: Path) -> None:
    inst = api.read(MK / "mk02.fjs")
    again = api.load(inst.to_json())
    assert again == inst and again.reference == 26
    out = tmp_path / "copy.fjs"
    write_fjs(inst, str(out))
    assert api.read(out).jobs == inst.jobs


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("2 2 1.5\n2 1 1 3 2 1 2 2 4\n1 1 2 9223372036854775808\n", 3, "processing time"),
        ("2 99999999999999999999 1.5\n2 1 1 3 2 1 2 2 4\n1 1 2 5\n", 1, "number of machines"),
        ("2 2 1.5\n2 1 1 -3 2 1 2 2 4\n1 1 2 5\n", 2, "processing time -3"),
    ],
)
def test_fjs_numbers_beyond_int64_name_the_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    p = _tiny(tmp_path, text)
    with pytest.raises(InstanceError) as ei:
        api.read(p)
    assert ei.value.line == line and words in str(ei.value)


def test_fjs_horizon_overflow_is_an_instance_error(tmp_path: Path) -> None:
    big = 2**61
    p = _tiny(tmp_path, f"2 1 1\n1 1 1 {big}\n1 1 1 {big}\n")
    with pytest.raises(InstanceError, match=r"2\*\*62") as ei:
        api.read(p)
    assert ei.value.file == str(p)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e30", "forty"])
def test_bad_bounds_name_the_csv_line(tmp_path: Path, value: str) -> None:
    (tmp_path / "bounds.csv").write_text(f"instance,best_ub,best_lb\nx,12,10\ntiny,{value},3\n")
    p = _tiny(tmp_path)
    with pytest.raises(InstanceError, match="best_ub of tiny") as ei:
        api.read(p)
    assert ei.value.file == str(tmp_path / "bounds.csv") and ei.value.line == 3


def test_bounds_by_file_column(tmp_path: Path) -> None:
    # the FJSPLib-style tables of the Hurink sets name the file, not the instance
    (tmp_path / "bounds.csv").write_bytes(
        b"file,name,jobs,machines,best_lb,best_ub\r\n"
        b"other.fjs,other_e,2,2,1,2\r\ntiny.fjs,tiny_e,2,2,7,8\r\n"
    )
    inst = api.read(_tiny(tmp_path))
    assert inst.reference == 8 and inst.lower_bound == 7
