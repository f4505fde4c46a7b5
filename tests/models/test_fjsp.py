"""The fjsp model: .fjs and JSON readers, validation, the checker, the generator."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from schedlab.core import InstanceError, SolutionError, api
from schedlab.models import fjsp

ROOT = Path(__file__).resolve().parents[2]
MK = ROOT / "instances" / "fjsp"
OPS = {1: 55, 2: 58, 3: 150, 4: 90, 5: 106, 6: 150, 7: 100, 8: 225, 9: 240, 10: 240}
BKS = {1: 40, 2: 26, 3: 204, 4: 60, 5: 172, 6: 57, 7: 139, 8: 523, 9: 307, 10: 195}

TINY = "2 2 1.5\n2  1 1 3  2 1 2 2 4\n1  1 2 5\n"


def _tiny(tmp_path: Path, text: str = TINY, name: str = "tiny.fjs") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode())
    return p


@pytest.mark.parametrize("k", range(1, 11))
def test_brandimarte_bundle(k: int) -> None:
    inst = api.read(MK / f"mk{k:02d}.fjs")
    assert isinstance(inst, fjsp.Instance)
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
    inst = fjsp.read(str(_tiny(tmp_path, text)))
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


def test_sniff_by_extension_and_content(tmp_path: Path) -> None:
    head = (MK / "mk01.fjs").read_text()[:4096]
    assert fjsp.sniff("x.fjs", "")
    assert fjsp.sniff("x.txt", head)
    txt = _tiny(tmp_path, (MK / "mk03.fjs").read_text(), "mk03.txt")
    assert api.read(txt).n_operations == 150


def test_sniff_leaves_other_families_files_alone() -> None:
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
        assert not fjsp.sniff(str(path), head), path


def test_smtt_does_not_claim_fjs_files() -> None:
    from schedlab.models import smtt

    for k in range(1, 11):
        path = MK / f"mk{k:02d}.fjs"
        assert not smtt.sniff(str(path), path.read_text()[:4096])


def test_json_round_trip_and_write_fjs(tmp_path: Path) -> None:
    inst = api.read(MK / "mk02.fjs")
    again = api.load(inst.to_json())
    assert again == inst and again.reference == 26
    out = tmp_path / "copy.fjs"
    fjsp.write_fjs(inst, str(out))
    assert api.read(out).jobs == inst.jobs


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


def _tiny_inst() -> fjsp.Instance:
    return fjsp.Instance(jobs=[[[(0, 3)], [(0, 2), (1, 4)]], [[(1, 5)]]], machines=2)


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
    inst = fjsp.Instance(jobs=[[[(0, 3)]], [[(0, 2)]]], machines=1)
    sol = {
        "operations": [
            {"job": 0, "op": 0, "machine": 0, "start": 0, "end": 3},
            {"job": 1, "op": 0, "machine": 0, "start": 2, "end": 4},
        ]
    }
    with pytest.raises(SolutionError, match="overlaps"):
        inst.check(sol)


def test_generate_sd2() -> None:
    inst = fjsp.generate(20, 10, 100, seed=0)
    assert inst.n_operations == 2000 and inst.machines == 10
    assert all(1 <= len(op) <= 10 for job in inst.jobs for op in job)
    assert all(1 <= p <= 99 for job in inst.jobs for op in job for _, p in op)
    assert fjsp.generate(20, 10, 100, seed=0) == inst
    assert fjsp.generate(20, 10, 100, seed=1) != inst
    with pytest.raises(InstanceError):
        fjsp.generate(0, 1, 1)
