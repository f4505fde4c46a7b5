"""Helpers shared by the benchmark scripts: where their files go, and their progress bars.

Every script writes its CSVs (and ``run.py`` its SQLite store) into ``benchmarks/out/``
(git-ignored) unless told otherwise with ``--out-dir DIR``; the tracked measurements in
``benchmarks/results/`` are refreshed deliberately, with ``--out-dir benchmarks/results``.

The scripts are run as ``python benchmarks/<script>.py`` (from any folder): Python puts the
script's folder first on ``sys.path``, so ``from _common import ...`` finds this module.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

T = TypeVar("T")

#: The repository root.
ROOT = Path(__file__).resolve().parents[1]
#: The default output folder of every script (git-ignored).
OUT = ROOT / "benchmarks" / "out"


def out_path(name: str, out_dir: str | Path | None = None) -> Path:
    """The file ``name`` in ``out_dir`` if given, else in :data:`OUT`; creates the folder."""
    folder = Path(out_dir) if out_dir else OUT
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def progress(iterable: Iterable[T], desc: str, total: int | None = None) -> Iterator[T]:
    """``iterable`` with a progress bar on stderr, drawn only when stderr is a terminal (so
    nothing, no carriage return in particular, goes into a pipe or a log file)."""
    return iter(tqdm(iterable, desc=desc, total=total, file=sys.stderr, disable=None, leave=True))


def note(message: str) -> None:
    """Print ``message`` on stderr without breaking a progress bar being drawn."""
    tqdm.write(message, file=sys.stderr)


def markdown(rows: list[dict[str, Any]]) -> str:
    """Rows (dicts with the same keys) as a markdown table; ``None`` prints as nothing."""
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += [
        "| " + " | ".join("" if r[c] is None else str(r[c]) for c in cols) + " |" for r in rows
    ]
    return "\n".join(lines)


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """Rows as a CSV file (the union of their keys, in order of appearance)."""
    keys = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)
