"""Single-machine total (weighted) tardiness, 1||Σ w_j T_j.

``n`` jobs with integer processing times ``p``, due dates ``d`` (may be negative) and
optional weights ``w``; a solution is a processing order ``{"sequence": [0-based job
indices]}``; the machine never idles, so job ``j`` completes at ``C_j`` = sum of the
processing times up to and including it, and the objective is Σ w_j max(0, C_j - d_j).

File formats (:func:`read` picks one from the file):

- OR-Library ``wt40.txt`` / ``wt50.txt`` / ``wt100.txt``: whitespace-separated integers, for
  each instance ``n`` processing times, ``n`` weights, ``n`` due dates; ``n`` comes from the
  file name. The reference value of instance ``k`` is line ``k`` of ``wtopt<n>.txt`` or
  ``wtbest<n>b.txt`` / ``wtbest<n>a.txt`` / ``wtbest<n>.txt`` beside it, the first found.
- The Çetinkaya et al. (2025) text sets: a first line ``count n``, then per instance a line
  ``idx RDD TF k opt``, a line of ``n`` processing times and a line of ``n`` due dates.
- Shang-T'Kindt-Della Croce raw files (``SDT_*.txt``): one ``p d`` pair per line.
- JSON: ``{"problem": "smtt", "name": ..., "p": [...], "d": [...], "w": [...]}``
  (``w`` optional; ``"reference"`` optional).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..core.errors import InstanceError, SolutionError
from ._json import check_keys, default_name
from ._text import int_tokens, looks_numeric, parse_float, parse_int, read_text

PROBLEM = "smtt"


def _as_int_tuple(values: Any, what: str, source: str | None) -> tuple[int, ...]:
    if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
        raise InstanceError(f"{what} must be a list of integers", source)
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
            raise InstanceError(f"{what}[{i}] must be an integer, got {v!r}", source)
        if isinstance(v, float | np.floating) and not float(v).is_integer():
            raise InstanceError(f"{what}[{i}] must be an integer, got {v!r}", source)
        out.append(int(v))
    return tuple(out)


@dataclass(frozen=True)
class Instance:
    """One single-machine tardiness instance; validates itself on construction.

    Attributes:
        p: processing times (non-negative integers).
        d: due dates (integers, may be negative).
        w: weights (non-negative integers), or ``None`` for the unweighted problem.
        name: a name for reports.
        reference: a reference value (optimum or best known), if known.
    """

    problem: ClassVar[str] = PROBLEM
    sense: ClassVar[str] = "min"

    p: tuple[int, ...]
    d: tuple[int, ...]
    w: tuple[int, ...] | None = None
    name: str = "smtt"
    reference: float | None = None
    source: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        src = self.source
        object.__setattr__(self, "p", _as_int_tuple(self.p, "p", src))
        object.__setattr__(self, "d", _as_int_tuple(self.d, "d", src))
        if self.w is not None:
            object.__setattr__(self, "w", _as_int_tuple(self.w, "w", src))
        n = len(self.p)
        if n == 0:
            raise InstanceError("an instance needs at least one job", src)
        if len(self.d) != n:
            raise InstanceError(f"{n} processing times but {len(self.d)} due dates", src)
        if self.w is not None and len(self.w) != n:
            raise InstanceError(f"{n} processing times but {len(self.w)} weights", src)
        for j, v in enumerate(self.p):
            if v < 0:
                raise InstanceError(f"job {j}: negative processing time {v}", src)
        for j, v in enumerate(self.w or ()):
            if v < 0:
                raise InstanceError(f"job {j}: negative weight {v}", src)
        if not isinstance(self.name, str) or not self.name:
            raise InstanceError("name must be a non-empty string", src)
        if self.reference is not None:
            if isinstance(self.reference, bool) or not isinstance(self.reference, int | float):
                raise InstanceError(f"reference must be a number, got {self.reference!r}", src)
            object.__setattr__(self, "reference", float(self.reference))

    # -- derived data -------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of jobs."""
        return len(self.p)

    @property
    def weighted(self) -> bool:
        """True if the instance has weights that are not all 1."""
        return self.w is not None and any(x != 1 for x in self.w)

    @functools.cached_property
    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(p, d, w)`` as int64 numpy arrays (``w`` all ones when unweighted)."""
        p = np.asarray(self.p, dtype=np.int64)
        d = np.asarray(self.d, dtype=np.int64)
        w = np.ones(self.n, dtype=np.int64) if self.w is None else np.asarray(self.w, np.int64)
        return p, d, w

    @property
    def weights(self) -> tuple[int, ...]:
        """Weights, all 1 when unweighted."""
        return self.w if self.w is not None else (1,) * self.n

    # -- objective and check ------------------------------------------------------------
    def objective(self, sequence: list[int] | tuple[int, ...] | np.ndarray) -> int:
        """Total weighted tardiness of a processing order (assumed to be a permutation)."""
        p, d, w = self.arrays
        seq = np.asarray(sequence, dtype=np.int64)
        c = np.cumsum(p[seq])
        return int(np.sum(w[seq] * np.maximum(0, c - d[seq])))

    def check(self, solution: dict[str, Any]) -> float:
        """Verify ``{"sequence": [...]}`` is a permutation of the jobs; return its objective.

        Recomputed from the solution alone, in pure Python (independent of :meth:`objective`).
        """
        if not isinstance(solution, dict) or "sequence" not in solution:
            raise SolutionError('an smtt solution is {"sequence": [0-based job indices]}')
        seq = solution["sequence"]
        if not isinstance(seq, list | tuple):
            raise SolutionError("sequence must be a list of job indices")
        n = self.n
        seen = [False] * n
        for pos, j in enumerate(seq):
            if isinstance(j, bool) or not isinstance(j, int | np.integer):
                raise SolutionError(f"sequence[{pos}] is not a job index: {j!r}")
            if not 0 <= j < n:
                raise SolutionError(f"sequence[{pos}] = {j} is out of range 0..{n - 1}")
            if seen[j]:
                raise SolutionError(f"job {j} appears twice in the sequence")
            seen[j] = True
        if len(seq) != n:
            missing = [j for j in range(n) if not seen[j]]
            raise SolutionError(f"sequence misses {len(missing)} job(s), e.g. job {missing[0]}")
        t = 0
        total = 0
        w = self.weights
        for j in seq:
            t += self.p[j]
            total += w[j] * max(0, t - self.d[j])
        return float(total)

    # -- JSON ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The instance as JSON-ready data."""
        out: dict[str, Any] = {"problem": PROBLEM, "name": self.name, "p": list(self.p)}
        out["d"] = list(self.d)
        if self.w is not None:
            out["w"] = list(self.w)
        if self.reference is not None:
            out["reference"] = self.reference
        return out

    def to_json(self) -> str:
        """The instance as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Instance:
        """Build from JSON data (``"problem"`` must be ``"smtt"`` if present)."""
        known = ("problem", "name", "p", "d", "w", "reference")
        check_keys(data, PROBLEM, "an smtt instance", known, source, required=("p", "d"))
        name = data.get("name") or default_name(source, PROBLEM)
        return cls(
            p=data["p"],
            d=data["d"],
            w=data.get("w"),
            name=str(name),
            reference=data.get("reference"),
            source=source,
        )


# -- readers ------------------------------------------------------------------------------
_WT_NAME = re.compile(r"wt(\d+)", re.IGNORECASE)


_OTHER_SUFFIXES = {".fjs", ".csv", ".json", ".graphml", ".xml", ".yml", ".yaml", ".toml"}


def _format(path: str, head: str) -> str | None:
    name = Path(path).name
    if Path(path).suffix.lower() in _OTHER_SUFFIXES:
        return None  # other families' formats, never smtt text
    lines = head.splitlines()
    if _WT_NAME.match(name) and name.lower().endswith(".txt"):
        return "orlib"  # the reader reports any non-integer token with its line
    paper = len(lines) > 1 and len(lines[0].split()) == 2 and len(lines[1].split()) == 5
    if paper and looks_numeric(lines[0]) and looks_numeric(lines[1] + "\n", allow_float=True):
        return "paper"
    rows = [ln for ln in lines[:-1] if ln.strip()] or lines
    pairs = bool(rows) and all(len(ln.split()) == 2 for ln in rows)
    if pairs and sum(looks_numeric(ln + "\n") for ln in rows) >= max(1, len(rows) - 1):
        return "pairs"
    return None


def sniff(path: str, head: str) -> bool:
    """True if the file is in one of the smtt text formats."""
    return _format(path, head) is not None


def count(path: str) -> int:
    """Number of instances in an smtt file."""
    text = read_text(path)
    fmt = _format(path, text[:4096])
    if fmt == "orlib":
        n = _orlib_n(path)
        return sum(1 for _ in int_tokens(text, path)) // (3 * n)
    if fmt == "paper":
        return parse_int(text.split(None, 1)[0], path, 1, "instance count")
    return 1


def read(path: str, index: int | None = None) -> Instance:
    """Read instance ``index`` (1-based) from an smtt text file."""
    text = read_text(path)
    fmt = _format(path, text[:4096])
    if fmt == "orlib":
        return _read_orlib(path, text, index or 1)
    if fmt == "paper":
        return _read_paper(path, text, index or 1)
    if fmt == "pairs":
        if index not in (None, 1):
            raise InstanceError(f"instance #{index} out of range: the file holds 1", path)
        return _read_pairs(path, text)
    raise InstanceError("not an smtt file", path)


def _orlib_n(path: str) -> int:
    m = _WT_NAME.match(Path(path).name)
    if not m or int(m.group(1)) < 1:
        raise InstanceError("cannot tell n from the file name (expected wt<n>...)", path)
    return int(m.group(1))


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


def _read_orlib(path: str, text: str, index: int) -> Instance:
    n = _orlib_n(path)
    per = 3 * n
    first, last = (index - 1) * per, index * per
    vals: list[int] = []
    last_line = 0
    total = 0
    for v, line in int_tokens(text, path):
        if first <= total < last:
            vals.append(v)
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
    return Instance(p=p, d=d, w=w, name=f"{Path(path).stem}#{index}", reference=ref, source=path)


def _read_paper(path: str, text: str, index: int) -> Instance:
    lines = text.splitlines()
    head = lines[0].split()
    if len(head) != 2:
        raise InstanceError("first line must be 'count n'", path, 1)
    cnt = parse_int(head[0], path, 1, "instance count")
    n = parse_int(head[1], path, 1, "number of jobs")
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
    rows = []
    for off, what in ((1, "processing time"), (2, "due date")):
        toks = lines[base + off].split()
        if len(toks) != n:
            raise InstanceError(f"expected {n} {what}s, found {len(toks)}", path, base + off + 1)
        row = [parse_int(t, path, base + off + 1, what) for t in toks]
        if off == 1 and min(row) < 0:
            raise InstanceError(f"negative processing time {min(row)}", path, base + off + 1)
        rows.append(row)
    return Instance(
        p=rows[0], d=rows[1], name=f"{Path(path).stem}#{index}", reference=opt, source=path
    )


def _read_pairs(path: str, text: str) -> Instance:
    p: list[int] = []
    d: list[int] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        toks = line.split()
        if not toks:
            continue
        if len(toks) != 2:
            raise InstanceError(f"expected 'p d', found {len(toks)} fields", path, lineno)
        pj = parse_int(toks[0], path, lineno, "processing time")
        if pj < 0:
            raise InstanceError(f"negative processing time {pj}", path, lineno)
        p.append(pj)
        d.append(parse_int(toks[1], path, lineno, "due date"))
    return Instance(p=p, d=d, name=Path(path).stem, source=path)


# -- generator ----------------------------------------------------------------------------
def generate(
    n: int, tf: float, rdd: float, weighted: bool = False, seed: int = 0, name: str | None = None
) -> Instance:
    """Potts & Van Wassenhove's scheme: p ~ U[1,100], d ~ U[P(1-TF-RDD/2), P(1-TF+RDD/2)]
    (integers, P = Σp), and w ~ U[1,10] when weighted."""
    if n < 1:
        raise InstanceError("n must be at least 1")
    if not 0 <= tf <= 1 or not 0 <= rdd <= 1:
        raise InstanceError("tf and rdd must lie in [0, 1]")
    rng = np.random.default_rng(seed)
    p = rng.integers(1, 101, size=n)
    total = int(p.sum())
    lo = int(round(total * (1 - tf - rdd / 2)))
    hi = int(round(total * (1 - tf + rdd / 2)))
    d = rng.integers(lo, hi + 1, size=n)
    w = rng.integers(1, 11, size=n) if weighted else None
    label = name or f"smtt_n{n}_tf{tf}_rdd{rdd}{'_w' if weighted else ''}_s{seed}"
    return Instance(p=p.tolist(), d=d.tolist(), w=None if w is None else w.tolist(), name=label)


def write_orlib(instances: list[Instance], path: str) -> None:
    """Write instances in the OR-Library wt layout (p, w, d; 20 integers a line)."""
    toks: list[int] = []
    for inst in instances:
        toks += list(inst.p) + list(inst.weights) + list(inst.d)
    rows = [" ".join(f"{v:5d}" for v in toks[i : i + 20]) for i in range(0, len(toks), 20)]
    Path(path).write_text("\n".join(rows) + "\n")
