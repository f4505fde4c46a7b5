"""Fuzzing every family: any document or file gives an instance or an ``InstanceError``, and
an instance gives a Result or a ``SchedlabError``; never another exception, never a hang.

Two kinds of input a family: its JSON documents with one to three fields replaced by
arbitrary JSON values (or removed), and its native files with random byte edits. Each family
is found through its entry point, so a new family is fuzzed without touching this file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedlab
from schedlab import api

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "instances"
#: Examples a family and a kind of input.
EXAMPLES = 60
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
#: Seconds a fuzzed solve may take: a solve beyond its limit plus slack is a hang.
LIMIT = 1.0

#: Tallies for the closing note (family -> kind -> outcome -> count).
COUNTS: dict[str, dict[str, dict[str, int]]] = {}


def _tally(family: str, kind: str, outcome: str) -> None:
    by = COUNTS.setdefault(family, {}).setdefault(kind, {})
    by[outcome] = by.get(outcome, 0) + 1


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:8]):  # enough positions to reach every field
            out.extend(_paths(v, (*prefix, i)))
    return out


def _mutate(doc: Any, path: tuple[Any, ...], value: Any, delete: bool) -> None:
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if delete:
        del parent[last]
    else:
        parent[last] = value


def _fast_method(family: str) -> list[str]:
    """Methods that do no search (they end quickly at any size), then the others."""
    ms = schedlab.methods(family)
    return [m.name for m in ms if not m.exact and m.work is None] or [ms[0].name]


def _solve_or_error(inst: Any, family: str) -> str:
    outcome = "refused"
    for name in _fast_method(family)[:2]:
        try:
            res = schedlab.solve(inst, name, time_limit=LIMIT)
        except schedlab.SchedlabError:
            continue  # e.g. a kind of instance the method does not take
        assert res.runtime_s <= LIMIT + 2.0, f"{family}/{name} took {res.runtime_s:.1f} s"
        if res.solution is not None:
            assert math.isclose(schedlab.check(inst, res.solution), res.objective or 0.0)
        outcome = "solved"
    return outcome


def _report(family: str, kind: str) -> None:
    """Print the tally (``pytest -s`` shows it) and check that examples ran."""
    outcomes = COUNTS.get(family, {}).get(kind, {})
    print(f"fuzz {family} {kind}: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    assert sum(outcomes.values()) > 0


def _sample_docs(family: str) -> list[dict[str, Any]]:
    return [s.to_dict() for s in schedlab.family(family).sample_instances()]


@pytest.mark.parametrize("family", api.family_names())
def test_mutated_json_documents(family: str) -> None:
    docs = _sample_docs(family)
    if not docs:
        pytest.skip(f"{family} has no sample instances")  # a plugin family without samples

    @SETTINGS
    @given(
        which=st.integers(0, len(docs) - 1),
        edits=st.lists(
            st.tuples(st.integers(0, 10**6), JSON_VALUES, st.booleans()), min_size=1, max_size=3
        ),
    )
    def run(which: int, edits: list[tuple[int, Any, bool]]) -> None:
        doc = json.loads(json.dumps(docs[which]))
        for pick, value, delete in edits:
            paths = [p for p in _paths(doc) if p[0] != "problem"]
            if not paths:
                break
            _mutate(doc, paths[pick % len(paths)], value, delete)
        try:
            inst = api.load(doc, family=family)
        except schedlab.InstanceError:
            _tally(family, "json", "InstanceError")
            return
        _tally(family, "json", _solve_or_error(inst, family))

    run()
    _report(family, "json")


def _native_files(family: str) -> list[Path]:
    """The smallest bundled file of each native format of the family (the files its readers
    take); edits fall in its first 4 KiB, where the first instance of a multi-instance file
    is."""
    fam = schedlab.family(family)
    out: dict[str, Path] = {}
    folder = INSTANCES / family
    files = sorted(
        (p for p in folder.rglob("*") if p.is_file() and p.suffix not in (".md", ".json")),
        key=lambda p: p.stat().st_size,
    )
    for path in files:
        if path.stat().st_size > 5_000_000:
            continue
        head = path.read_bytes()[:4096].decode("utf-8", errors="replace")
        for reader in fam.readers:
            if reader.format not in out and reader.accepts(str(path), head):
                out[reader.format] = path
    return list(out.values())


@pytest.mark.parametrize("family", api.family_names())
def test_byte_edited_native_files(family: str, tmp_path: Path) -> None:
    files = _native_files(family)
    if not files:
        pytest.skip(f"{family} has no bundled native files")  # JSON-only families
    originals = [p.read_bytes() for p in files]

    @SETTINGS
    @given(
        which=st.integers(0, len(files) - 1),
        edits=st.lists(
            st.tuples(st.integers(0, 10**6), st.binary(min_size=0, max_size=4), st.integers(0, 3)),
            min_size=1,
            max_size=4,
        ),
    )
    def run(which: int, edits: list[tuple[int, bytes, int]]) -> None:
        data = bytearray(originals[which])
        for pos, chunk, cut in edits:
            at = pos % (min(len(data), 4096) + 1)  # the first instance of a multi-instance file
            data[at : at + cut] = chunk  # replace ``cut`` bytes by ``chunk``
        path = tmp_path / files[which].name
        path.write_bytes(bytes(data))
        try:
            inst = schedlab.read(str(path), family=family)
        except schedlab.InstanceError:
            _tally(family, "bytes", "InstanceError")
            return
        _tally(family, "bytes", _solve_or_error(inst, family))

    run()
    _report(family, "bytes")
