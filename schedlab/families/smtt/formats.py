"""The smtt text formats: one sniffer, reader and (where a file holds several) counter each.

- ``orlib``: OR-Library ``wt40.txt`` / ``wt50.txt`` / ``wt100.txt`` (any ``wt<n>*.txt``):
  whitespace-separated integers, for each instance ``n`` processing times, ``n`` weights,
  ``n`` due dates; ``n`` comes from the file name. The reference value of instance ``k`` is
  line ``k`` of ``wtopt<n>.txt`` or ``wtbest<n>b.txt`` / ``wtbest<n>a.txt`` /
  ``wtbest<n>.txt`` beside it, the first found.
- ``cetinkaya``: the Çetinkaya et al. (2025) text sets: a first line ``count n``, then per
  instance a line ``idx RDD TF k opt``, a line of ``n`` processing times and a line of ``n``
  due dates.
- ``pairs``: Shang-T'Kindt-Della Croce raw files (``SDT_*.txt``): one ``p d`` pair a line.

Each sniffer looks at the file's own name and content only. The ``pairs`` layout is the
plainest there is (two integer columns): another family whose files look the same makes
the core ask for ``--family``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from ...core.errors import InstanceError
from ...core.family import Reader
from ...core.textio import int_tokens, parse_float, parse_int, read_text
from .model import INT64_LIMIT, Instance

_WT_NAME = re.compile(r"wt(\d+)", re.IGNORECASE)
_INT = re.compile(r"[+-]?\d+")
_NUM = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_PAIR = re.compile(r"\s*[+-]?\d+\s+[+-]?\d+\s*")


def _in_range(v: int, path: str, line: int, what: str) -> int:
    """``v`` if |v| < 2^63, else an :class:`InstanceError` naming the file and line."""
    if abs(v) >= INT64_LIMIT:
        raise InstanceError(f"{what} {v} is beyond the 64-bit integer range", path, line)
    return v


# -- OR-Library wt<n>.txt -----------------------------------------------------------------
def accepts_orlib(path: str, head: str) -> bool:
    """An OR-Library file: named ``wt<n>...txt`` (``n`` >= 1), its first line integers.

    The rest of the file is left to the reader, which reports a bad token with its line.
    """
    name = Path(path).name
    m = _WT_NAME.match(name)
    if not m or int(m.group(1)) < 1 or not name.lower().endswith(".txt"):
        return False
    first = next((ln for ln in head.splitlines() if ln.strip()), "")
    return bool(first) and all(_INT.fullmatch(t) for t in first.split())


def _orlib_n(path: str) -> int:
    m = _WT_NAME.match(Path(path).name)
    if not m or int(m.group(1)) < 1:
        raise InstanceError("cannot tell n from the file name (expected wt<n>...)", path)
    return int(m.group(1))


def count_orlib(path: str) -> int:
    """Number of instances in an OR-Library wt file."""
    n = _orlib_n(path)
    return sum(1 for _ in int_tokens(read_text(path), path)) // (3 * n)


def _orlib_reference(path: str, n: int, index: int) -> float | None:
    folder = Path(path).parent
    for cand in (f"wtopt{n}.txt", f"wtbest{n}b.txt", f"wtbest{n}a.txt", f"wtbest{n}.txt"):
        ref = folder / cand
        if ref.is_file():
            values = [v for v, _ in int_tokens(read_text(str(ref)), str(ref))]
            if index > len(values):
                raise InstanceError(f"no reference value for instance {index}", str(ref))
            return float(values[index - 1])
    return None


def read_orlib(path: str, index: int | None = None) -> Instance:
    """Instance ``index`` (1-based, default 1) of an OR-Library wt file."""
    text = read_text(path)
    index = index or 1
    n = _orlib_n(path)
    per = 3 * n
    first, last = (index - 1) * per, index * per
    vals: list[int] = []
    last_line = 0
    total = 0
    for v, line in int_tokens(text, path):
        if first <= total < last:
            vals.append(_in_range(v, path, line, "value"))
            if v < 0:
                what = "processing time" if total - first < n else "weight"
                if total - first < 2 * n:
                    raise InstanceError(f"negative {what} {v}", path, line)
        total += 1
        last_line = line
    if total % per:
        raise InstanceError(
            f"truncated: {total} integers is not a multiple of 3 x {n} (file ends mid-instance)",
            path,
            last_line,
        )
    if index > total // per:
        raise InstanceError(f"instance #{index} out of range: the file holds {total // per}", path)
    p, w, d = vals[:n], vals[n : 2 * n], vals[2 * n :]
    ref = _orlib_reference(path, n, index)
    return Instance(
        p=tuple(p),
        d=tuple(d),
        w=tuple(w),
        name=f"{Path(path).stem}#{index}",
        reference=ref,
        source=path,
    )


def write_orlib(instances: list[Instance], path: str) -> None:
    """Write instances in the OR-Library wt layout (p, w, d; 20 integers a line)."""
    toks: list[int] = []
    for inst in instances:
        toks += list(inst.p) + list(inst.weights) + list(inst.d)
    rows = [" ".join(f"{v:5d}" for v in toks[i : i + 20]) for i in range(0, len(toks), 20)]
    Path(path).write_text("\n".join(rows) + "\n")


# -- Çetinkaya et al. (2025) sets -----------------------------------------------------------
def accepts_cetinkaya(path: str, head: str) -> bool:
    """A Çetinkaya et al. set: a first line ``count n`` (integers), a second line
    ``idx RDD TF k opt`` (numbers)."""
    lines = head.splitlines()
    if len(lines) < 2:
        return False
    first, hdr = lines[0].split(), lines[1].split()
    return (
        len(first) == 2
        and all(_INT.fullmatch(t) for t in first)
        and len(hdr) == 5
        and all(_NUM.fullmatch(t) for t in hdr)
    )


def count_cetinkaya(path: str) -> int:
    """Number of instances in a Çetinkaya et al. set (its first number)."""
    return parse_int(read_text(path).split(None, 1)[0], path, 1, "instance count")


def read_cetinkaya(path: str, index: int | None = None) -> Instance:
    """Instance ``index`` (1-based, default 1) of a Çetinkaya et al. set."""
    lines = read_text(path).splitlines()
    index = index or 1
    head = lines[0].split()
    if len(head) != 2:
        raise InstanceError("first line must be 'count n'", path, 1)
    cnt = parse_int(head[0], path, 1, "instance count")
    n = parse_int(head[1], path, 1, "number of jobs")
    if n < 1:  # an instance needs at least one job (as in every other format)
        raise InstanceError(f"number of jobs must be at least 1, got {n}", path, 1)
    if not 1 <= index <= cnt:
        raise InstanceError(f"instance #{index} out of range: the file holds {cnt}", path)
    base = 1 + 3 * (index - 1)  # 0-based line index of the instance's header line
    if base + 2 >= len(lines):
        raise InstanceError(
            f"truncated: instance {index} should start at line {base + 1}", path, len(lines)
        )
    hdr = lines[base].split()
    if len(hdr) != 5:
        raise InstanceError("instance header must be 'idx RDD TF k opt'", path, base + 1)
    parse_float(hdr[1], path, base + 1, "RDD")
    parse_float(hdr[2], path, base + 1, "TF")
    opt = parse_float(hdr[4], path, base + 1, "optimum")
    if not math.isfinite(opt):
        raise InstanceError(f"optimum: expected a finite number, found {hdr[4]!r}", path, base + 1)
    rows = []
    for off, what in ((1, "processing time"), (2, "due date")):
        toks = lines[base + off].split()
        if len(toks) != n:
            raise InstanceError(f"expected {n} {what}s, found {len(toks)}", path, base + off + 1)
        row = [
            _in_range(parse_int(t, path, base + off + 1, what), path, base + off + 1, what)
            for t in toks
        ]
        if off == 1 and min(row) < 0:
            raise InstanceError(f"negative processing time {min(row)}", path, base + off + 1)
        rows.append(row)
    return Instance(
        p=tuple(rows[0]),
        d=tuple(rows[1]),
        name=f"{Path(path).stem}#{index}",
        reference=opt,
        source=path,
    )


# -- p d pairs ------------------------------------------------------------------------------
def accepts_pairs(path: str, head: str) -> bool:
    """One ``p d`` pair of integers a line (blank lines aside).

    The last line of the head is only required to hold at most two fields when others come
    before it (it may be cut at the head's end, or hold a bad token that the reader then
    reports with its line).
    """
    lines = [ln for ln in head.splitlines() if ln.strip()]
    if not lines:
        return False
    *body, last = lines
    if not body:
        return bool(_PAIR.fullmatch(last))
    return all(_PAIR.fullmatch(ln) for ln in body) and len(last.split()) <= 2


def read_pairs(path: str, index: int | None = None) -> Instance:
    """The single instance of a ``p d`` pairs file."""
    if index not in (None, 1):
        raise InstanceError(f"instance #{index} out of range: the file holds 1", path)
    p: list[int] = []
    d: list[int] = []
    for lineno, line in enumerate(read_text(path).splitlines(), start=1):
        toks = line.split()
        if not toks:
            continue
        if len(toks) != 2:
            raise InstanceError(f"expected 'p d', found {len(toks)} fields", path, lineno)
        pj = _in_range(
            parse_int(toks[0], path, lineno, "processing time"), path, lineno, "processing time"
        )
        if pj < 0:
            raise InstanceError(f"negative processing time {pj}", path, lineno)
        p.append(pj)
        d.append(_in_range(parse_int(toks[1], path, lineno, "due date"), path, lineno, "due date"))
    return Instance(p=tuple(p), d=tuple(d), name=Path(path).stem, source=path)


#: The family's readers, in the order they are tried.
READERS = (
    Reader(
        "orlib",
        "OR-Library wt<n>.txt: per instance n processing times, n weights, n due dates",
        accepts_orlib,
        read_orlib,
        count_orlib,
    ),
    Reader(
        "cetinkaya",
        "Cetinkaya et al. (2025) sets: 'count n', then 'idx RDD TF k opt', p line, d line",
        accepts_cetinkaya,
        read_cetinkaya,
        count_cetinkaya,
    ),
    Reader("pairs", "one 'p d' pair of integers a line (SDT_*.txt)", accepts_pairs, read_pairs),
)
