"""Large MiniMalloc CSV files: read in bulk (linear, fast), placed by the greedy rules, and
a bad row deep in a big file named by its line, with the message of the row-by-row reader."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

import schedlab
from schedlab.core import InstanceError
from schedlab.families.memory import formats

ROWS = 100_000


def _big_csv(rows: int, extra: str = "") -> list[str]:
    """The lines of a trace-like CSV (short lifetimes), built with numpy (quick)."""
    rng = np.random.default_rng(7)
    lo = rng.integers(0, rows, rows)
    up = lo + rng.integers(1, 200, rows)
    size = rng.integers(1, 33, rows)
    rows_ = zip(lo.tolist(), up.tolist(), size.tolist(), strict=True)
    body = [f"{i},{a},{b},{s}{extra}" for i, (a, b, s) in enumerate(rows_)]
    return ["id,lower,upper,size" + (",offset" if extra else ""), *body]


def _row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the reader take its row-by-row path for every file."""
    monkeypatch.setattr(formats, "_rows_in_bulk", lambda *args, **kwargs: None)


@pytest.mark.parametrize(
    "row, bad, message",
    [
        (90_001, "{i},5,x9,3", "upper: expected an integer, found 'x9'"),
        (90_001, "{i},5,9", "expected 4 fields, found 3"),
        (90_001, "{i},5,9,3,1", "expected 4 fields, found 5"),
        (90_001, "{i},5,9,", "empty size"),
        (90_001, "17,5,9,3", "duplicate buffer id '17' (first on line 19)"),
        (90_001, "{i},5,9,99999999999999999999", "size: 99999999999999999999 does not fit"),
        (90_001, "{i},9,5,3", "empty lifetime [9, 5)"),
        (90_001, "{i},5,9,-3", "negative size -3"),
    ],
    ids=["not-a-number", "too-few", "too-many", "empty", "duplicate", "64-bit", "lifetime",
         "negative"],
)  # fmt: skip
def test_a_bad_row_deep_in_a_big_file_is_named_by_its_line(
    tmp_path: Path, row: int, bad: str, message: str
) -> None:
    lines = _big_csv(ROWS)
    lines[row - 1] = bad.format(i=row - 2)
    lines.insert(50, "")  # an empty line before it: the lines are the file's
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    t0 = time.perf_counter()
    with pytest.raises(InstanceError) as err:
        formats.read(str(path))
    elapsed = time.perf_counter() - t0
    assert err.value.file == str(path)
    line = row + 1  # (the empty line)
    assert err.value.line == line, str(err.value)
    assert message in str(err.value)
    assert str(err.value).startswith(f"{path}, line {line}: ")
    assert elapsed < 20  # generous (a loaded machine); about a second when quiet


def test_bulk_and_row_by_row_readers_fail_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _big_csv(20_000)
    lines[15_000] = "14000,1,2,3"  # line 15001: the id of line 14002
    path = tmp_path / "dup.csv"
    path.write_text("\n".join(lines) + "\n")
    want = f"{path}, line 15001: duplicate buffer id '14000' (first on line 14002)"
    with pytest.raises(InstanceError) as bulk:
        formats.read(str(path))
    assert str(bulk.value) == want
    _row_by_row(monkeypatch)
    with pytest.raises(InstanceError) as one_by_one:
        formats.read(str(path))
    assert str(one_by_one.value) == want


def test_the_first_of_two_bad_rows_is_named(tmp_path: Path) -> None:
    """An inclusive end of 2**63 - 1 (its upper does not fit) before a row whose end is
    not a number: the first is named, as the row-by-row reader names it."""
    lines = ["buffer,start,end,size"] + [f"{i},{i},{i + 3},4" for i in range(5_000)]
    lines[1_000] = "999,5,9223372036854775807,4"
    lines[3_000] = "2999,5,x,4"
    path = tmp_path / "legacy.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InstanceError) as err:
        formats.read(str(path))
    assert str(err.value) == (
        f"{path}, line 1001: buffer '999': upper must fit in 64 bits, got 9223372036854775808"
    )


def test_a_big_file_read_in_bulk_equals_the_row_by_row_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The idealloc IREE form (an offset column, kept as the hint), CRLF line ends, and a
    read with fixed offsets."""
    lines = _big_csv(5_000, extra=",-1")
    lines[5] = lines[5].removesuffix(",-1") + ",64"
    path = tmp_path / "iree.csv"
    path.write_text("\r\n".join(lines) + "\r\n")
    bulk = [formats.read(str(path), fixed_offsets=fixed) for fixed in (False, True)]
    assert (bulk[0].buffers[4].hint, bulk[0].buffers[4].offset) == (64, None)
    assert (bulk[1].buffers[4].hint, bulk[1].buffers[4].offset) == (None, 64)
    _row_by_row(monkeypatch)
    assert bulk == [formats.read(str(path), fixed_offsets=fixed) for fixed in (False, True)]


@pytest.mark.slow
def test_a_200000_buffer_trace_is_read_and_placed(tmp_path: Path) -> None:
    inst = schedlab.generate(
        "memory", "generate_allocation", n=200_000, horizon=200_000, max_life=200, seed=1
    ).with_capacity(None)
    path = tmp_path / "trace.csv"
    formats.write_csv(inst, str(path))
    t0 = time.perf_counter()
    read = schedlab.read(str(path))
    read_s = time.perf_counter() - t0
    assert read.n == 200_000 and read.buffers == inst.buffers
    assert read_s < 30  # a few seconds when quiet
    for method in ("first-fit", "greedy-size"):
        res = schedlab.solve(read, method)
        assert res.status == "feasible" and res.solution is not None
        # checked by solve (the checker recomputed the peak), and once more here
        assert read.check(res.solution) == res.objective >= read.lower_bound()
