"""The ``.fjs`` file format of flexible job shops (Brandimarte, Hurink, Behnke & Geiger, ...).

A header ``J M [F]`` (``F``, the mean number of eligible machines, may be fractional and is
ignored), then per job the number of operations and, per operation, the number of eligible
machines ``k`` followed by ``k`` pairs ``machine time`` (machines 1-based). Parsed as a token
stream: line breaks, tabs, CRLF and trailing spaces do not matter. The reference (best-known
makespan) and lower bound come from a ``bounds.csv`` beside the file (columns ``instance``,
``best_ub``, ``best_lb``), as for the bundled Brandimarte set ``instances/fjsp``. Every
integer must fit in 64 bits (an error names the line otherwise).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from ...core.errors import InstanceError
from ...core.family import Reader
from ...core.textio import read_text
from .model import INT64_MAX, Instance

#: The format's short name.
FORMAT = "fjs"

_NUM = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INT = re.compile(r"[+-]?\d+")


def _tokens(text: str) -> list[tuple[str, int]]:
    return [(tok, ln) for ln, line in enumerate(text.splitlines(), 1) for tok in line.split()]


def _sniff_content(head: str) -> bool:
    """A ``J M F`` header (F a number between 1 and M) and a first job line that parses
    exactly as one job with 1-based machines."""
    lines = [ln for ln in head.splitlines() if ln.strip()]
    if len(lines) < 2:
        return False
    hdr = lines[0].split()
    if len(hdr) != 3 or not all(_INT.fullmatch(t) for t in hdr[:2]) or not _NUM.fullmatch(hdr[2]):
        return False
    n_jobs, n_mach, flex = int(hdr[0]), int(hdr[1]), float(hdr[2])
    if n_jobs < 1 or n_mach < 1 or not 1 <= flex <= n_mach:
        return False
    toks = lines[1].split()
    if not toks or not all(_INT.fullmatch(t) for t in toks):
        return False
    vals = [int(t) for t in toks]
    pos = 1
    for _ in range(vals[0]):
        if pos >= len(vals) or not 1 <= vals[pos] <= n_mach:
            return False
        k = vals[pos]
        pairs = vals[pos + 1 : pos + 1 + 2 * k]
        if len(pairs) != 2 * k or not all(1 <= m <= n_mach for m in pairs[::2]):
            return False
        pos += 1 + 2 * k
    return vals[0] >= 1 and pos == len(vals)


def accepts(path: str, head: str) -> bool:
    """True for a ``.fjs`` file (by extension), or a file whose content has the ``.fjs``
    layout (a ``J M F`` header and a job line that parses exactly)."""
    if Path(path).suffix.lower() == ".fjs":
        return True
    return _sniff_content(head)


def _bounds(path: str, stem: str) -> tuple[float | None, float | None]:
    """``(best_ub, best_lb)`` of ``stem`` from a ``bounds.csv`` beside the file, on the row
    whose ``instance`` is ``stem`` or whose ``file`` is the file's name (the FJSPLib-style
    Hurink tables); finite numbers within the 64-bit range; an error names the CSV file and
    line otherwise."""
    csv_path = Path(path).parent / "bounds.csv"
    if not csv_path.is_file():
        return None, None
    try:
        with csv_path.open(newline="") as fh:
            reader = csv.DictReader(fh)
            for row in reader:
                if row.get("instance") == stem or row.get("file") == Path(path).name:
                    out: list[float | None] = []
                    for key in ("best_ub", "best_lb"):
                        raw = (row.get(key) or "").strip()
                        if not raw:
                            out.append(None)
                            continue
                        if not _NUM.fullmatch(raw) or abs(float(raw)) >= 2.0**63:
                            raise InstanceError(
                                f"{key} of {stem}: expected a finite number within the 64-bit "
                                f"range, found {raw!r}",
                                str(csv_path),
                                reader.line_num,
                            )
                        out.append(float(raw))
                    return out[0], out[1]
    except InstanceError:
        raise
    except (OSError, ValueError, csv.Error) as e:
        raise InstanceError(f"cannot read bounds: {e}", str(csv_path)) from None
    return None, None


def parse_fjs(text: str, path: str = "<text>", name: str | None = None) -> Instance:
    """Parse ``.fjs`` text (a token stream; machines 1-based in the file)."""
    toks = _tokens(text)
    if not toks:
        raise InstanceError("empty file", path, 1)
    last_line = toks[-1][1]
    it = iter(toks)
    cur = [toks[0][1]]

    def take(what: str, lo: int, hi: int = INT64_MAX) -> int:
        try:
            tok, ln = next(it)
        except StopIteration:
            raise InstanceError(
                f"truncated: expected {what}, found end of file", path, last_line
            ) from None
        if not _INT.fullmatch(tok):
            raise InstanceError(f"{what}: expected an integer, found {tok!r}", path, ln)
        cur[0] = ln
        v = int(tok)
        if not lo <= v <= hi:
            rng = f"{lo}..{hi}" if hi != INT64_MAX else f"{lo}..2**63 - 1"
            raise InstanceError(f"{what} {v} out of range {rng}", path, ln)
        return v

    first_line = toks[0][1]
    header = [t for t, ln in toks if ln == first_line]
    if len(header) not in (2, 3):
        raise InstanceError(
            f"header must be 'jobs machines [mean flexibility]', found {len(header)} fields",
            path,
            first_line,
        )
    n_jobs = take("number of jobs", 1)
    n_mach = take("number of machines", 1)
    if len(header) == 3:
        tok, ln = next(it)
        if not _NUM.fullmatch(tok):
            raise InstanceError(f"mean flexibility: expected a number, found {tok!r}", path, ln)
    jobs: list[list[list[tuple[int, int]]]] = []
    for j in range(n_jobs):
        n_ops = take(f"job {j + 1}: number of operations", 1)
        ops: list[list[tuple[int, int]]] = []
        for k in range(n_ops):
            where = f"job {j + 1}, operation {k + 1}"
            n_alt = take(f"{where}: number of machines", 1, n_mach)
            alts: list[tuple[int, int]] = []
            for _ in range(n_alt):
                m = take(f"{where}: machine", 1, n_mach)
                p = take(f"{where}: processing time", 1)
                if any(m - 1 == a for a, _ in alts):
                    raise InstanceError(f"{where}: machine {m} listed twice", path, cur[0])
                alts.append((m - 1, p))
            ops.append(alts)
        jobs.append(ops)
    rest = next(it, None)
    if rest is not None:
        raise InstanceError(f"unexpected data after the {n_jobs} jobs: {rest[0]!r}", path, rest[1])
    stem = name or Path(path).stem
    ub, lb = _bounds(path, stem) if not path.startswith("<") else (None, None)
    return Instance(
        jobs=jobs,  # type: ignore[arg-type]
        machines=n_mach,
        name=stem,
        reference=ub,
        lower_bound=lb,
        source=path,
    )


def read(path: str, index: int | None = None) -> Instance:
    """Read an ``.fjs`` file (one instance a file)."""
    if index not in (None, 1):
        raise InstanceError(f"instance #{index} out of range: the file holds 1", path)
    return parse_fjs(read_text(path), path)


def write_fjs(inst: Instance, path: str | None = None) -> str:
    """The instance in ``.fjs`` layout (machines 1-based); also written to ``path`` if given."""
    lines = [f"{inst.n_jobs} {inst.machines} {inst.flexibility:.2f}"]
    for job in inst.jobs:
        toks = [str(len(job))]
        for op in job:
            toks.append(str(len(op)))
            for m, p in op:
                toks += [str(m + 1), str(p)]
        lines.append(" ".join(toks))
    text = "\n".join(lines) + "\n"
    if path is not None:
        Path(path).write_text(text)
    return text


#: The readers of the family, in the order they are tried.
READERS = (
    Reader(
        format=FORMAT,
        description=".fjs flexible job shop (J M [F] header, 1-based machines); "
        "bounds from bounds.csv beside the file",
        accepts=accepts,
        read=read,
    ),
)
