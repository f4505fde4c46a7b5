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

import csv
import io
import re
from pathlib import Path
from typing import Any

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
    """Parse MiniMalloc CSV text (see :func:`read`)."""
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
    bufs: list[Buffer] = []
    lines_of: list[int] = []
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO("\n".join(lines[hline + 1 :])))
    for k, row in enumerate(reader):
        lineno = hline + 2 + k
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
    if not bufs:
        raise InstanceError("no buffers: the file has a header but no rows", path, hline + 1)
    if capacity is None:
        capacity = capacity_from_name(path)
    label = name or Path(path).name.removesuffix(".csv")
    try:
        return Allocation(buffers=tuple(bufs), capacity=capacity, name=label, source=path)
    except InstanceError as e:
        # a buffer's error (its JSON path $.buffers[i]...) is reported at its line
        m = _BUFFER_PATH.match(e.path or "")
        if m is None:
            raise
        raise InstanceError(e.message, path, lines_of[int(m.group(1))]) from None


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
