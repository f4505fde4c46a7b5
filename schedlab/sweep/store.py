"""The result store: one SQLite file, one row per run, keyed by the run's key.

Crash safety: the database runs in WAL mode with ``synchronous=FULL``, and each finished run
is written in its own transaction (``INSERT OR IGNORE`` against ``UNIQUE(key)``), so a
sweep killed at any moment (even ``kill -9``) loses no finished run, and a rerun can never
store a run twice.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import schedlab

from .config import RunSpec

SCHEMA_VERSION = 1

#: The columns of the ``runs`` table, in order (``result`` holds the full Result JSON).
COLUMNS: tuple[str, ...] = (
    "key",
    "sweep",
    "set_name",
    "source",
    "problem",
    "instance",
    "method",
    "label",
    "params",
    "time_limit",
    "work_limit",
    "seed",
    "threads",
    "status",
    "objective",
    "bound",
    "gap",
    "reference",
    "sense",
    "runtime_s",
    "wall_s",
    "exit_reason",
    "error",
    "host",
    "started_at",
    "schedlab_version",
    "versions",
    "executor",
    "result",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    sweep TEXT,
    set_name TEXT,
    source TEXT,
    problem TEXT,
    instance TEXT,
    method TEXT,
    label TEXT,
    params TEXT,
    time_limit REAL,
    work_limit REAL,
    seed INTEGER,
    threads INTEGER,
    status TEXT NOT NULL,
    objective REAL,
    bound REAL,
    gap REAL,
    reference REAL,
    sense TEXT,
    runtime_s REAL,
    wall_s REAL,
    exit_reason TEXT NOT NULL,
    error TEXT,
    host TEXT,
    started_at TEXT,
    schedlab_version TEXT,
    versions TEXT,
    executor TEXT,
    result TEXT
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
"""


class StoreError(schedlab.SchedlabError):
    """The store cannot be opened or written (not a schedlab store, missing extra...)."""


class Store:
    """A SQLite result store (use as a context manager, or call :meth:`close`).

    Args:
        path: the database file (created if absent, with its parent folder).
        create: if false, a missing file is an error (for reports and exports).
    """

    def __init__(self, path: str | os.PathLike[str], create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise StoreError(f"{self.path}: no such store")
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        existed = self.path.is_file() and self.path.stat().st_size > 0
        try:
            self._db = sqlite3.connect(str(self.path), timeout=60.0, isolation_level=None)
            if existed and not self._is_schedlab_store():
                self._db.close()
                raise StoreError(
                    f"{self.path}: not a schedlab result store (it has no schedlab 'meta' and "
                    "'runs' tables); it was left untouched"
                )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            have = {row[1] for row in self._db.execute("PRAGMA table_info(runs)")}
            if "work_limit" not in have:  # a store written before work limits existed
                self._db.execute("ALTER TABLE runs ADD COLUMN work_limit REAL")
            self._db.execute(
                "INSERT OR IGNORE INTO meta(name, value) VALUES ('schema', ?)",
                (str(SCHEMA_VERSION),),
            )
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: not a schedlab result store ({e})") from None

    def _is_schedlab_store(self) -> bool:
        """Whether the open database already is a schedlab store (checked before anything is
        written to it: a foreign SQLite file must stay as it was)."""
        try:
            tables = {
                row[0]
                for row in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if not {"runs", "meta"} <= tables:
                return False
            row = self._db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        except sqlite3.DatabaseError:
            return False
        return row is not None

    # -- context manager ---------------------------------------------------------------
    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    # -- reading -----------------------------------------------------------------------
    def keys(self) -> set[str]:
        """Keys of every stored run."""
        return {row[0] for row in self._db.execute("SELECT key FROM runs")}

    def killed_keys(self) -> set[str]:
        """Keys of the runs whose worker process died (exit reason ``killed``): a resumed
        sweep runs them again."""
        cur = self._db.execute("SELECT key FROM runs WHERE exit_reason = 'killed'")
        return {row[0] for row in cur}

    def forget(self, keys: set[str]) -> int:
        """Delete the runs with these keys (one transaction); return how many were deleted."""
        if not keys:
            return 0
        self._db.execute("BEGIN IMMEDIATE")
        try:
            n = sum(self._db.execute("DELETE FROM runs WHERE key = ?", (k,)).rowcount for k in keys)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return n

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    def rows(self, with_result: bool = False) -> list[dict[str, Any]]:
        """Every stored run as a dict of :data:`COLUMNS` (without ``result`` unless asked)."""
        cols = COLUMNS if with_result else COLUMNS[:-1]
        cur = self._db.execute(f"SELECT {', '.join(cols)} FROM runs ORDER BY id")
        return [dict(zip(cols, row, strict=True)) for row in cur]

    def iter_rows(self, with_result: bool = False) -> Iterator[dict[str, Any]]:
        """Like :meth:`rows`, one at a time."""
        cols = COLUMNS if with_result else COLUMNS[:-1]
        for row in self._db.execute(f"SELECT {', '.join(cols)} FROM runs ORDER BY id"):
            yield dict(zip(cols, row, strict=True))

    # -- writing -----------------------------------------------------------------------
    def add(self, spec: RunSpec, outcome: dict[str, Any], executor: str = "local") -> bool:
        """Store one finished run in its own transaction; False if its key was already there."""
        row = make_row(spec, outcome, executor)
        sql = (
            f"INSERT OR IGNORE INTO runs ({', '.join(COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in COLUMNS)})"
        )
        try:
            self._db.execute("BEGIN IMMEDIATE")
            cur = self._db.execute(sql, [row[c] for c in COLUMNS])
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        return cur.rowcount == 1

    # -- export ------------------------------------------------------------------------
    def export(
        self, out: str | os.PathLike[str], fmt: str = "csv", with_result: bool = False
    ) -> int:
        """Write every run to CSV or Parquet; returns the number of rows."""
        rows = self.rows(with_result=with_result)
        cols = list(COLUMNS if with_result else COLUMNS[:-1])
        if fmt == "csv":
            with open(out, "w", newline="", encoding="utf-8") as f:
                writer = csv.DictWriter(f, fieldnames=cols)
                writer.writeheader()
                writer.writerows(rows)
        elif fmt == "parquet":
            try:
                import pyarrow as pa
                import pyarrow.parquet as pq
            except ImportError:
                raise StoreError(
                    "Parquet export needs pyarrow: pip install 'schedlab[parquet]'"
                ) from None
            types = {
                "time_limit": pa.float64(),
                "work_limit": pa.float64(),
                "seed": pa.int64(),
                "threads": pa.int64(),
                "objective": pa.float64(),
                "bound": pa.float64(),
                "gap": pa.float64(),
                "reference": pa.float64(),
                "runtime_s": pa.float64(),
                "wall_s": pa.float64(),
            }
            schema = pa.schema([(c, types.get(c, pa.string())) for c in cols])
            table = pa.table({c: [r[c] for r in rows] for c in cols}, schema=schema)
            pq.write_table(table, str(out))
        else:
            raise StoreError(f"unknown export format {fmt!r} (csv or parquet)")
        return len(rows)


def make_row(spec: RunSpec, outcome: dict[str, Any], executor: str) -> dict[str, Any]:
    """The store row of a run from its spec and its executor outcome."""
    res: dict[str, Any] = json.loads(outcome["result"]) if outcome.get("result") else {}
    versions = res.get("versions") or outcome.get("versions") or {}
    reference = res.get("reference", spec.instance.get("reference"))
    return {
        "key": spec.key,
        "sweep": spec.sweep,
        "set_name": spec.set,
        "source": spec.source,
        "problem": spec.problem,
        "instance": res.get("instance", spec.instance_name),
        "method": spec.method,
        "label": spec.label,
        "params": json.dumps(spec.params, sort_keys=True),
        "time_limit": spec.time_limit,
        "work_limit": spec.work_limit,
        "seed": spec.seed,
        "threads": spec.threads,
        "status": str(outcome["status"]),
        "objective": res.get("objective"),
        "bound": res.get("bound"),
        "gap": res.get("gap"),
        "reference": None if reference is None else float(reference),
        "sense": res.get("sense"),
        "runtime_s": res.get("runtime_s"),
        "wall_s": outcome.get("wall_s"),
        "exit_reason": str(outcome["exit_reason"]),
        "error": outcome.get("error"),
        "host": outcome.get("host"),
        "started_at": outcome.get("started_at"),
        "schedlab_version": versions.get("schedlab"),
        "versions": json.dumps(versions, sort_keys=True) if versions else None,
        "executor": executor,
        "result": outcome.get("result"),
    }
