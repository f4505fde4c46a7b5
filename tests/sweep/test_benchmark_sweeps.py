"""Every benchmark sweep file (benchmarks/*.toml) expands into runs whose instances load."""

from __future__ import annotations

from pathlib import Path

import pytest

import schedlab
from schedlab.sweep import load_sweep

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SWEEP_FILES = sorted(BENCHMARKS.glob("*.toml"))


def test_there_are_benchmark_sweeps() -> None:
    names = {p.stem for p in SWEEP_FILES}
    assert {"smtt", "fjsp", "memory", "pipelining", "partition"} <= names


def _expand_and_load(path: Path, every: bool) -> None:
    sw = load_sweep(path)
    assert sw.name == path.stem
    assert sw.store is not None and Path(sw.store).parent == BENCHMARKS / "results"
    runs = sw.expand()
    assert runs, f"{path.name}: no runs"
    assert len({r.key for r in runs}) == len(runs)
    assert {r.set for r in runs} == set(sw.sets), "a set without runs"
    if not every:  # the first and the last instance of each set
        ends: dict[str, list[object]] = {}
        for r in runs:
            ends.setdefault(r.set, [r, r])[1] = r
        runs = [r for pair in ends.values() for r in pair]  # type: ignore[misc]
    loaded: dict[int, schedlab.Instance] = {}
    for r in runs:
        if id(r.instance) not in loaded:
            loaded[id(r.instance)] = schedlab.load(r.instance)
        assert loaded[id(r.instance)].problem == r.problem


@pytest.mark.parametrize("path", SWEEP_FILES, ids=lambda p: p.stem)
def test_benchmark_sweep_expands_and_its_sets_load(path: Path) -> None:
    _expand_and_load(path, every=False)


@pytest.mark.slow
@pytest.mark.parametrize("path", SWEEP_FILES, ids=lambda p: p.stem)
def test_benchmark_sweep_expands_and_all_its_instances_load(path: Path) -> None:
    _expand_and_load(path, every=True)
