"""The MiniMalloc CSV format: reader, writer, and solved files.

A header, then one buffer a row: ``id,lower,upper,size[,alignment][,hint][,gaps][,offset]``;
legacy ``start``/``begin`` for ``lower``, ``buffer``/``buffer_id`` for ``id``, and an
inclusive ``end`` column, meaning ``upper = end + 1``. The capacity comes from the file
name's number (``A.1048576.csv``) or from ``read(..., capacity=C)``. A given ``offset``
column is read as a fixed placement only with ``read(..., fixed_offsets=True)``; otherwise
it is kept as a hint (the idealloc IREE traces carry a reference placement there).
MiniMalloc writes its solutions in the same format, the ``offset`` column filled.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import gc
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ...core.errors import InstanceError
from ...core.textio import read_text
from .model import (
    INT64_MAX,
    INT64_MIN,
    Allocation,
    Buffer,
    MemoryInstance,
    format_gaps,
    parse_gaps,
)

#: The reader's format name.
FORMAT = "minimalloc-csv"

_ALIASES = {
    "id": "id",
    "buffer": "id",
    "buffer_id": "id",
    "lower": "lower",
    "start": "lower",
    "begin": "lower",
    "upper": "upper",
    "end": "end",
    "size": "size",
    "alignment": "alignment",
    "hint": "hint",
    "gaps": "gaps",
    "offset": "offset",
}
_CAP_NAME = re.compile(r"\.(\d+)\.csv$", re.IGNORECASE)
_BUFFER_PATH = re.compile(r"\$\.buffers\[(\d+)\]")


def _header(line: str) -> list[str]:
    return [c.strip().lower() for c in line.strip().lstrip("\ufeff").split(",")]


def accepts(path: str, head: str) -> bool:
    """True for a MiniMalloc CSV: the header starts with id/buffer/buffer_id and names a
    lower/start/begin column and a size column."""
    first = next((ln for ln in head.splitlines() if ln.strip()), "")
    cols = _header(first)
    return (
        len(cols) >= 4
        and cols[0] in ("id", "buffer", "buffer_id")
        and any(c in cols for c in ("lower", "start", "begin"))
        and "size" in cols
    )


def capacity_from_name(path: str) -> int | None:
    """The capacity in a MiniMalloc file name (``A.1048576.csv`` -> 1048576), or ``None``."""
    m = _CAP_NAME.search(Path(path).name)
    return int(m.group(1)) if m else None


def read(
    path: str,
    index: int | None = None,
    *,
    capacity: int | None = None,
    fixed_offsets: bool = False,
) -> Allocation:
    """Read a MiniMalloc CSV. ``capacity`` overrides the file name's number; an ``offset``
    column is a fixed placement only with ``fixed_offsets`` (otherwise kept as the hint)."""
    if index not in (None, 1):
        raise InstanceError(f"instance #{index} out of range: the file holds 1", path)
    text = read_text(path)
    return parse_csv(text, path, capacity=capacity, fixed_offsets=fixed_offsets)


def parse_csv(
    text: str,
    path: str = "<csv>",
    *,
    capacity: int | None = None,
    fixed_offsets: bool = False,
    name: str | None = None,
) -> Allocation:
    """Parse MiniMalloc CSV text (see :func:`read`).

    Files of the common form (no quotes, no gaps column) are read in bulk, a column at a
    time, in time linear in the rows (a million in seconds); any other form, and the rows
    from the first bad one on, are read row by row with the csv module, which names the
    file and line of the first problem. Both paths accept the same files, build the same
    instance and fail with the same message."""
    lines = text.splitlines()
    hline = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if hline is None:
        raise InstanceError("empty file", path)
    raw = _header(lines[hline])
    cols: list[str] = []
    for c in raw:
        if c not in _ALIASES:
            raise InstanceError(f"unknown column {c!r}", path, hline + 1)
        cols.append(_ALIASES[c])
    for need in ("id", "lower", "size"):
        if need not in cols:
            raise InstanceError(f"missing column {need!r}", path, hline + 1)
    if ("upper" in cols) == ("end" in cols):
        raise InstanceError("need exactly one of the columns 'upper' and 'end'", path, hline + 1)
    if len(set(cols)) != len(cols):
        raise InstanceError("duplicate column", path, hline + 1)
    pos = {c: i for i, c in enumerate(cols)}
    body = lines[hline + 1 :]
    first = hline + 2
    with _without_gc():  # millions of buffers, no cycle among them
        fast = _rows_in_bulk(body, first, cols, pos, fixed_offsets)
        if isinstance(fast, _Problem):
            # the rows before passed every check: read on from the first that did not, row by
            # row, which names its problem (with the ids seen before, for duplicates)
            _rows_one_by_one(
                body[fast.row :], first + fast.row, cols, pos, path, fixed_offsets, fast.seen
            )
            fast = None  # no problem after all (a form the bulk reader leaves to csv)
        lines_of: Sequence[int] | np.ndarray
        if fast is None:
            bufs, lines_of = _rows_one_by_one(body, first, cols, pos, path, fixed_offsets)
        else:
            bufs, lines_of = fast
        if not bufs:
            raise InstanceError("no buffers: the file has a header but no rows", path, hline + 1)
        if capacity is None:
            capacity = capacity_from_name(path)
        label = name or Path(path).name.removesuffix(".csv")
        try:
            return Allocation(buffers=tuple(bufs), capacity=capacity, name=label, source=path)
        except InstanceError as e:
            error = e
    # a buffer's error (its JSON path $.buffers[i]...) is reported at its line
    m = _BUFFER_PATH.match(error.path or "")
    if m is None:
        raise error
    raise InstanceError(error.message, path, int(lines_of[int(m.group(1))])) from None


@contextlib.contextmanager
def _without_gc() -> Iterator[None]:
    """The cyclic garbage collector paused (it would walk the growing heap of buffers
    again and again while they are built), and restored as it was."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _rows_one_by_one(
    body: list[str],
    first: int,
    cols: list[str],
    pos: dict[str, int],
    path: str,
    fixed_offsets: bool,
    seen: dict[str, int] | None = None,
) -> tuple[list[Buffer], list[int]]:
    """The rows (``body``, the first on line ``first``) read one at a time with the csv
    module: every CSV form (quotes, blank rows, gaps), and the reference for every error
    message. ``seen``: the line of each id on rows before these. Returns the buffers and
    the line of each."""
    bufs: list[Buffer] = []
    lines_of: list[int] = []
    seen = {} if seen is None else seen
    reader = csv.reader(io.StringIO("\n".join(body)))
    for k, row in enumerate(reader):
        lineno = first + k
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(cols):
            raise InstanceError(f"expected {len(cols)} fields, found {len(row)}", path, lineno)

        def num(
            col: str, default: int | None = None, row: list[str] = row, ln: int = lineno
        ) -> Any:
            if col not in pos or not row[pos[col]].strip():
                if default is None and col in ("lower", "size", "upper", "end"):
                    raise InstanceError(f"empty {col}", path, ln)
                return default
            tok = row[pos[col]].strip()
            try:
                v = int(tok)
            except ValueError:
                raise InstanceError(
                    f"{col}: expected an integer, found {tok!r}", path, ln
                ) from None
            if not INT64_MIN <= v <= INT64_MAX:
                raise InstanceError(f"{col}: {tok} does not fit in 64 bits", path, ln)
            return v

        bid = row[pos["id"]].strip()
        if not bid:
            raise InstanceError("empty id", path, lineno)
        if bid in seen:
            raise InstanceError(
                f"duplicate buffer id {bid!r} (first on line {seen[bid]})", path, lineno
            )
        seen[bid] = lineno
        lower = num("lower")
        upper = num("upper") if "upper" in pos else num("end") + 1
        off = num("offset", -1)
        hint = num("hint", -1)
        if off is not None and off >= 0 and not fixed_offsets:
            hint, off = off, -1
        gaps = parse_gaps(row[pos["gaps"]], path, lineno) if "gaps" in pos else ()
        try:
            b = Buffer(
                id=bid,
                lower=lower,
                upper=upper,
                size=num("size"),
                alignment=num("alignment", 1),
                offset=None if off is None or off < 0 else off,
                hint=None if hint is None or hint < 0 else hint,
                gaps=gaps,
            )
        except InstanceError as e:  # an inclusive end of 2**63 - 1
            raise InstanceError(e.message, path, lineno) from None
        bufs.append(b)
        lines_of.append(lineno)
    return bufs, lines_of


#: The fields of a :class:`Buffer` that :func:`_rows_in_bulk` sets.
_BULK_FIELDS = ("id", "lower", "upper", "size", "alignment", "offset", "hint", "gaps")
_NUMBER_COLUMNS = ("lower", "upper", "end", "size", "alignment", "offset", "hint")


class _Problem(NamedTuple):
    """Where the bulk reader found a problem: the position of the row in the rows, and the
    line of each id on the rows before it (which passed every check)."""

    row: int
    seen: dict[str, int]


def _first_bad_int(tokens: list[str]) -> int:
    """The position of the first token that is not an integer within 64 bits (the slow
    search, once the bulk conversion has failed)."""
    for k, tok in enumerate(tokens):
        try:
            v = int(tok)
        except ValueError:
            return k
        if not INT64_MIN <= v <= INT64_MAX:
            return k
    return len(tokens)  # pragma: no cover - only called after a failure


def _rows_in_bulk(
    body: list[str],
    first: int,
    cols: list[str],
    pos: dict[str, int],
    fixed_offsets: bool,
) -> tuple[list[Buffer], np.ndarray] | _Problem | None:
    """The common case read in bulk: no quotes, no gaps column, the right number of fields
    on every row, an integer within 64 bits in every number field, non-empty unique ids
    (empty lines are skipped). The checks and the conversions run on whole columns (numpy
    parses the numbers as ``int()`` does) and the buffers are built as their constructor
    would build them from such values; the instance validates each one after, as always.

    Returns the buffers and the line of each; or, for the first row that fails a check, a
    :class:`_Problem` (the caller reads from there row by row, which names the problem);
    or ``None`` when the bulk path does not apply (the caller reads every row one by one)."""
    if "gaps" in pos or tuple(f.name for f in dataclasses.fields(Buffer)) != _BULK_FIELDS:
        return None
    where = np.arange(first, first + len(body), dtype=np.int64)
    if "" in body:  # empty lines (csv yields no row for them): skipped
        keep = [k for k, ln in enumerate(body) if ln]
        body = [body[k] for k in keep]
        where = where[keep]
    n = len(body)
    nc = len(cols)
    text = "\n".join(body)
    if n == 0 or '"' in text:
        return None
    # the fields on each row, from the positions of the commas and the line ends
    raw = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    ends = np.append(np.flatnonzero(raw == 10), raw.size)
    commas = np.diff(np.searchsorted(np.flatnonzero(raw == 44), ends), prepend=0)
    del raw
    bad = n  # the first row with a problem
    wrong = np.flatnonzero(commas != nc - 1)
    if wrong.size:
        bad = int(wrong[0])
        text = "\n".join(body[:bad])  # the rows before it are read, to look for an earlier one
    flat = text.replace("\n", ",").split(",") if bad else []
    del text
    ids = list(map(str.strip, flat[pos["id"] :: nc]))
    if "" in ids:
        bad = min(bad, ids.index(""))
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        for k, bid in enumerate(ids):
            if bid in seen:
                bad = min(bad, k)
                break
            seen.add(bid)
    num: dict[str, np.ndarray] = {}
    for col in _NUMBER_COLUMNS:
        if col in pos:
            tokens = flat[pos[col] :: nc]
            try:
                num[col] = np.array(tokens, dtype=np.int64)
            except (ValueError, OverflowError):
                k = _first_bad_int(tokens)
                bad = min(bad, k)
                num[col] = np.array(tokens[:k], dtype=np.int64)  # for the checks below
    del flat
    if "end" in num:
        at_max = np.flatnonzero(num["end"] == INT64_MAX)  # upper = end + 1: beyond 64 bits
        if at_max.size:
            bad = min(bad, int(at_max[0]))
    if bad < n:
        return _Problem(
            int(where[bad]) - first, dict(zip(ids[:bad], where[:bad].tolist(), strict=True))
        )
    if "end" in num:
        num["upper"] = num.pop("end") + 1
    none: list[int | None] = [None] * n
    off, hint = num.get("offset"), num.get("hint")
    if off is not None and not fixed_offsets:  # an offset column is the hint
        hint = np.where(off >= 0, off, -1 if hint is None else hint)
        off = None
    offsets = none if off is None else [None if v < 0 else v for v in off.tolist()]
    hints = none if hint is None else [None if v < 0 else v for v in hint.tolist()]
    align = num["alignment"].tolist() if "alignment" in num else [1] * n
    new = Buffer.__new__
    bufs: list[Buffer] = []
    append = bufs.append
    for bid, lo, up, sz, al, of, hi in zip(
        ids,
        num["lower"].tolist(),
        num["upper"].tolist(),
        num["size"].tolist(),
        align,
        offsets,
        hints,
        strict=True,
    ):
        b = new(Buffer)
        b.__dict__.update(
            id=bid, lower=lo, upper=up, size=sz, alignment=al, offset=of, hint=hi, gaps=()
        )
        append(b)
    return bufs, where


def to_csv(inst: MemoryInstance, solution: dict[str, Any] | None = None) -> str:
    """The instance as MiniMalloc CSV; with a solution, its ``offset`` column filled (the
    form MiniMalloc writes). Slow-memory buffers (mapping) get offset -1."""
    has = {
        "alignment": any(b.alignment != 1 for b in inst.buffers),
        "hint": any(b.hint is not None for b in inst.buffers) and solution is None,
        "gaps": any(b.gaps for b in inst.buffers),
        "offset": solution is not None or any(b.offset is not None for b in inst.buffers),
    }
    cols = ["id", "lower", "upper", "size"] + [c for c in has if has[c]]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(cols)
    offs = inst.offset_list(solution) if solution is not None else []
    for i, b in enumerate(inst.buffers):
        row: list[Any] = [b.id, b.lower, b.upper, b.size]
        if has["alignment"]:
            row.append(b.alignment)
        if has["hint"]:
            row.append(-1 if b.hint is None else b.hint)
        if has["gaps"]:
            row.append(format_gaps(b.gaps))
        if has["offset"]:
            o = offs[i] if solution is not None else b.offset
            row.append(-1 if o is None else int(o))
        w.writerow(row)
    return out.getvalue()


def write_csv(inst: MemoryInstance, path: str, solution: dict[str, Any] | None = None) -> None:
    """Write :func:`to_csv` to a file."""
    Path(path).write_text(to_csv(inst, solution))


def read_solution_csv(inst: MemoryInstance, path: str) -> dict[str, Any]:
    """Read a solved MiniMalloc CSV (with ``offset``) as a solution for ``inst``: keyed by
    ``inst``'s ids (the CSV's string ids mapped back to integer ids where ``inst`` has them;
    an id ``inst`` lacks is kept, for the checker to name), with ``offset_list`` when the
    file has exactly ``inst``'s buffers."""
    solved = parse_csv(read_text(path), path, fixed_offsets=True)
    offs: dict[str | int, int | None] = {}
    lst: list[int | None] = [None] * inst.n
    found = 0
    for b in solved.buffers:
        i = inst.position(b.id)
        offs[b.id if i is None else inst.ids[i]] = b.offset
        if i is not None:
            lst[i] = b.offset
            found += 1
    if found == inst.n == len(offs):
        return {"offsets": offs, "offset_list": lst}
    return {"offsets": offs}
