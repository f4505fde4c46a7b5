"""``auto`` chooses what docs/auto.md says, and what it chooses is the strongest.

``ROWS`` mirrors the tables of docs/auto.md (a test parses the document and compares, so the
two cannot drift); ``CASES`` puts instances of a few sizes per family under a few limits into
those rows and checks :func:`schedlab.api.pick_auto`. The strength tests solve small
instances with ``auto`` and with the family's other methods (work limits, one thread and a
seed where a method searches, so that they repeat on a loaded machine) and check that
``auto`` is no worse; the slow ones repeat the measurements behind the tables' heuristic
rows, on which ``auto`` must not be beaten by the method it replaced.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import schedlab
from schedlab import api

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "auto.md"
FJSP = ROOT / "instances" / "fjsp"
DAG = ROOT / "instances" / "dag"

P_EXACT = ("partition", "S ≤ 2M and S x L² / 5e8 s ≤ limit / 2", "any, or none")
P_DP = (
    "partition",
    "otherwise, (L + 1) x D x L² / 6e8 s ≤ limit / 2 (no limit: 30 s)",
    "any, or none",
)
P_GREEDY = ("partition", "otherwise", "any, or none")

#: (family, size, limit) -> method: the rows of docs/auto.md.
ROWS: dict[tuple[str, str, str], str] = {
    ("smtt", "n ≤ 40", "any, or none"): "exact",
    ("smtt", "41-150", "≥ 5 s"): "exact",
    ("smtt", "41-150", "< 5 s, or none"): "ils",
    ("smtt", "151-500, unweighted", "≥ 5 s"): "exact",
    ("smtt", "151-500, unweighted", "< 5 s, or none"): "ils",
    ("smtt", "151-500, weighted", "any, or none"): "ils",
    ("smtt", "501-2999", "any, or none"): "ils",
    ("smtt", "≥ 3000", "any"): "exact",
    ("smtt", "≥ 3000", "none"): "ils",
    ("fjsp", "≤ 60", "any, or none"): "cpsat",
    ("fjsp", "61-1000", "none"): "cpsat",
    ("fjsp", "61-1000", "any"): "tabu",
    ("fjsp", "1001-3000", "< 20 s"): "tabu",
    ("fjsp", "1001-3000", "≥ 20 s, or none"): "rho",
    ("fjsp", "> 3000", "< 10 s"): "mwkr",
    ("fjsp", "> 3000", "≥ 10 s"): "tabu",
    ("fjsp", "> 3000", "none"): "rho",
    ("memory", "allocation, ≤ 4000 buffers", "any, or none"): "exact",
    ("memory", "allocation, > 4000 buffers, some offsets fixed", "any, or none"): "cpsat",
    ("memory", "allocation, > 4000 buffers", "any, or none"): "greedy-best",
    ("memory", "mapping", "any, or none"): "mip",
    ("memory", "msa (prefetch and eviction), ≤ 3000 steps", "any, or none"): "mip",
    ("memory", "msa (prefetch and eviction), > 3000 steps", "any, or none"): "cpsat",
    ("pipelining", "≤ 300 ops", "any, or none"): "cpsat",
    ("pipelining", "301-3000 ops", "none"): "cpsat",
    ("pipelining", "301-3000 ops", "any"): "ims",
    ("pipelining", "> 3000 ops", "any, or none"): "ims",
    P_EXACT: "exact",
    P_DP: "dp",
    P_GREEDY: "greedy",
    ("dag", "≤ 16 tasks", "any, or none"): "cpsat",
    ("dag", "17-300 tasks", "none"): "cpsat",
    ("dag", "> 16 tasks", "any"): "lns",
    ("dag", "> 300 tasks", "none"): "lns",
}


def _doc_rows() -> dict[tuple[str, str, str], str]:
    rows: dict[tuple[str, str, str], str] = {}
    family = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            family = line[3:].strip()
        elif line.startswith("| ") and family is not None:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[0] == "size" or re.fullmatch(r"-+", cells[0]):
                continue
            key = (family, cells[0], cells[1])
            assert key not in rows, f"docs/auto.md: row {key} twice"
            rows[key] = cells[2]
    return rows


def test_the_doc_tables_are_the_rows_the_code_is_checked_against() -> None:
    assert _doc_rows() == ROWS


@functools.cache
def _smtt(n: int, weighted: bool = True) -> Any:
    return schedlab.generate("smtt", n=n, tf=0.6, rdd=0.6, weighted=weighted, seed=1)


@functools.cache
def _fjsp(jobs: int, machines: int, ops: int) -> Any:
    return schedlab.generate("fjsp", jobs=jobs, machines=machines, ops=ops, seed=0)


@functools.cache
def _mk(name: str) -> Any:
    return schedlab.read(str(FJSP / f"{name}.fjs"))


@functools.cache
def _alloc(n: int, pinned: bool = False) -> Any:
    inst = schedlab.generate(
        "memory", "generate_allocation", n=n, horizon=max(2, n // 2), slack=-1, seed=0
    )
    if pinned:
        first = dataclasses.replace(inst.buffers[0], offset=0)
        inst = dataclasses.replace(inst, buffers=(first, *inst.buffers[1:]))
    return inst


@functools.cache
def _msa(steps: int) -> Any:
    from schedlab.families.memory import generate_msa

    return generate_msa(steps, seed=1)


def _mapping(steps: int) -> Any:
    return schedlab.generate("memory", "generate_mapping", steps=steps, seed=1)


@functools.cache
def _pipe(n: int) -> Any:
    return schedlab.generate("pipelining", n=n, units=2, seed=0)


@functools.cache
def _part(layers: int, types: int, devices: int) -> Any:
    return schedlab.generate("partition", layers=layers, types=types, devices=devices, seed=0)


@functools.cache
def _dag(v: int) -> Any:
    if v == 10:
        return schedlab.read(str(DAG / "topcuoglu2002_fig2.json"))
    return schedlab.generate("dag", v=v, processors=4, seed=0)


#: (instance, time limit, the docs/auto.md row it falls in)
CASES: list[tuple[str, Callable[[], Any], float | None, tuple[str, str, str]]] = [
    ("smtt n=30, 2 s", lambda: _smtt(30), 2, ("smtt", "n ≤ 40", "any, or none")),
    ("smtt n=30, none", lambda: _smtt(30), None, ("smtt", "n ≤ 40", "any, or none")),
    ("smtt n=100, 10 s", lambda: _smtt(100), 10, ("smtt", "41-150", "≥ 5 s")),
    ("smtt n=100, 1 s", lambda: _smtt(100), 1, ("smtt", "41-150", "< 5 s, or none")),
    ("smtt n=100, none", lambda: _smtt(100), None, ("smtt", "41-150", "< 5 s, or none")),
    ("smtt n=300 unweighted, 10 s", lambda: _smtt(300, False), 10,
     ("smtt", "151-500, unweighted", "≥ 5 s")),
    ("smtt n=300 unweighted, 2 s", lambda: _smtt(300, False), 2,
     ("smtt", "151-500, unweighted", "< 5 s, or none")),
    ("smtt n=300, 10 s", lambda: _smtt(300), 10, ("smtt", "151-500, weighted", "any, or none")),
    ("smtt n=1000, 2 s", lambda: _smtt(1000), 2, ("smtt", "501-2999", "any, or none")),
    ("smtt n=3000, 5 s", lambda: _smtt(3000), 5, ("smtt", "≥ 3000", "any")),
    ("smtt n=5000, 2 s", lambda: _smtt(5000), 2, ("smtt", "≥ 3000", "any")),
    ("smtt n=5000, none", lambda: _smtt(5000), None, ("smtt", "≥ 3000", "none")),
    ("fjsp mk01, 5 s", lambda: _mk("mk01"), 5, ("fjsp", "≤ 60", "any, or none")),
    ("fjsp mk01, none", lambda: _mk("mk01"), None, ("fjsp", "≤ 60", "any, or none")),
    ("fjsp mk10, none", lambda: _mk("mk10"), None, ("fjsp", "61-1000", "none")),
    ("fjsp mk10, 5 s", lambda: _mk("mk10"), 5, ("fjsp", "61-1000", "any")),
    ("fjsp mk04, 60 s", lambda: _mk("mk04"), 60, ("fjsp", "61-1000", "any")),
    ("fjsp 2000 ops, 5 s", lambda: _fjsp(20, 10, 100), 5, ("fjsp", "1001-3000", "< 20 s")),
    ("fjsp 2000 ops, 60 s", lambda: _fjsp(20, 10, 100), 60,
     ("fjsp", "1001-3000", "≥ 20 s, or none")),
    ("fjsp 2000 ops, none", lambda: _fjsp(20, 10, 100), None,
     ("fjsp", "1001-3000", "≥ 20 s, or none")),
    ("fjsp 5000 ops, 2 s", lambda: _fjsp(100, 20, 50), 2, ("fjsp", "> 3000", "< 10 s")),
    ("fjsp 5000 ops, 30 s", lambda: _fjsp(100, 20, 50), 30, ("fjsp", "> 3000", "≥ 10 s")),
    ("fjsp 5000 ops, none", lambda: _fjsp(100, 20, 50), None, ("fjsp", "> 3000", "none")),
    ("memory alloc 200, 2 s", lambda: _alloc(200), 2,
     ("memory", "allocation, ≤ 4000 buffers", "any, or none")),
    ("memory alloc 4000, none", lambda: _alloc(4000), None,
     ("memory", "allocation, ≤ 4000 buffers", "any, or none")),
    ("memory alloc 5000 pinned, 2 s", lambda: _alloc(5000, True), 2,
     ("memory", "allocation, > 4000 buffers, some offsets fixed", "any, or none")),
    ("memory alloc 5000, 2 s", lambda: _alloc(5000), 2,
     ("memory", "allocation, > 4000 buffers", "any, or none")),
    ("memory mapping 200, 2 s", lambda: _mapping(200), 2, ("memory", "mapping", "any, or none")),
    ("memory mapping 2000, none", lambda: _mapping(2000), None,
     ("memory", "mapping", "any, or none")),
    ("memory msa 20, 2 s", lambda: _msa(20), 2,
     ("memory", "msa (prefetch and eviction), ≤ 3000 steps", "any, or none")),
    ("memory msa 3000, none", lambda: _msa(3000), None,
     ("memory", "msa (prefetch and eviction), ≤ 3000 steps", "any, or none")),
    ("memory msa 3001, 2 s", lambda: _msa(3001), 2,
     ("memory", "msa (prefetch and eviction), > 3000 steps", "any, or none")),
    ("pipelining 50, 2 s", lambda: _pipe(50), 2, ("pipelining", "≤ 300 ops", "any, or none")),
    ("pipelining 300, none", lambda: _pipe(300), None,
     ("pipelining", "≤ 300 ops", "any, or none")),
    ("pipelining 1000, none", lambda: _pipe(1000), None, ("pipelining", "301-3000 ops", "none")),
    ("pipelining 1000, 2 s", lambda: _pipe(1000), 2, ("pipelining", "301-3000 ops", "any")),
    ("pipelining 4000, 10 s", lambda: _pipe(4000), 10,
     ("pipelining", "> 3000 ops", "any, or none")),
    ("partition 48 layers, 1 s", lambda: _part(48, 2, 8), 1, P_EXACT),
    ("partition 300x3x16, none", lambda: _part(300, 3, 16), None, P_EXACT),
    ("partition 300x2x8, 1 s", lambda: _part(300, 2, 8), 1, P_DP),
    ("partition 300x3x16, 5 s", lambda: _part(300, 3, 16), 5, P_DP),
    ("partition 300x3x16, 1 s", lambda: _part(300, 3, 16), 1, P_GREEDY),
    ("partition 96x6x48, none", lambda: _part(96, 6, 48), None, P_DP),
    ("dag 10 tasks, 60 s", lambda: _dag(10), 60, ("dag", "≤ 16 tasks", "any, or none")),
    ("dag 50 tasks, none", lambda: _dag(50), None, ("dag", "17-300 tasks", "none")),
    ("dag 50 tasks, 2 s", lambda: _dag(50), 2, ("dag", "> 16 tasks", "any")),
    ("dag 400 tasks, 5 s", lambda: _dag(400), 5, ("dag", "> 16 tasks", "any")),
    ("dag 400 tasks, none", lambda: _dag(400), None, ("dag", "> 300 tasks", "none")),
]  # fmt: skip


@pytest.mark.parametrize(("build", "limit", "row"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_auto_picks_the_method_of_its_row(
    build: Callable[[], Any], limit: float | None, row: tuple[str, str, str]
) -> None:
    inst = build()
    assert inst.problem == row[0]
    assert api.pick_auto(inst, limit).name == ROWS[row]


def test_every_row_has_a_case() -> None:
    assert {c[3] for c in CASES} == set(ROWS)


def _no_worse(inst: Any, a: float, b: float, rel: float = 0.0) -> bool:
    if inst.sense == "max":
        return a >= b * (1 - rel) - 1e-9
    return a <= b * (1 + rel) + 1e-9


#: (label, instance, auto's time limit, the method auto must run, whether it proves the
#: optimum, {other method: its options}): small instances on which every other method gets a
#: budget that repeats (a work limit, one thread, a seed) or is constructive.
SMALL: list[tuple[str, Callable[[], Any], float, str, bool, dict[str, dict[str, Any]]]] = [
    ("smtt n=30", lambda: _smtt(30), 10, "exact", True,
     {"ils": {"work_limit": 20}, "ls": {"work_limit": 50}, "cpsat": {"work_limit": 0.2},
      "atc": {}, "edd": {}, "mdd": {}, "wspt": {}, "aug-mdd": {}}),
    ("fjsp mk01", lambda: _mk("mk01"), 10, "cpsat", True,
     {"tabu": {"work_limit": 2000}, "lns": {"work_limit": 0.05}, "random": {"work_limit": 20},
      "mwkr": {}, "mor": {}, "fifo": {}, "spt": {}}),
    ("dag topcuoglu", lambda: _dag(10), 10, "cpsat", True,
     {"heft": {}, "cpop": {}, "peft": {}, "random": {"work_limit": 50},
      "lns": {"work_limit": 0.05}}),
    ("memory alloc 100", lambda: _alloc(100), 10, "exact", True,
     {"greedy-best": {}, "greedy-size": {}, "greedy-breadth": {}, "first-fit": {},
      "cpsat": {"work_limit": 0.05}}),
    ("memory mapping 100", lambda: _mapping(100), 10, "mip", True,
     {"benefit": {}, "xla": {}, "cpsat": {"work_limit": 0.05}}),
    ("memory msa 60", lambda: _msa(60), 10, "mip", True,
     {"xla": {}, "cpsat": {"work_limit": 0.2}, "lns": {"work_limit": 0.2}}),
    ("pipelining 50", lambda: _pipe(50), 10, "cpsat", True, {"ims": {}}),
    ("partition 48 layers", lambda: _part(48, 2, 8), 10, "exact", True,
     {"dp": {}, "greedy": {}, "split": {}, "nsga2": {"work_limit": 5, "pop_size": 16}}),
]  # fmt: skip


@pytest.mark.parametrize(("build", "limit", "method", "proves", "others"),
                         [c[1:] for c in SMALL], ids=[c[0] for c in SMALL])  # fmt: skip
def test_auto_is_no_worse_than_any_other_method_on_small_instances(
    build: Callable[[], Any],
    limit: float,
    method: str,
    proves: bool,
    others: dict[str, dict[str, Any]],
) -> None:
    inst = build()
    res = schedlab.solve(inst, "auto", time_limit=limit, threads=1, seed=7)
    assert res.method == method and res.objective is not None
    if proves:
        assert res.status is schedlab.Status.OPTIMAL
    for other, params in others.items():
        got = schedlab.solve(inst, other, time_limit=limit, threads=1, seed=7, **params)
        if got.objective is not None:
            assert _no_worse(inst, res.objective, got.objective), (other, got.objective)


def test_auto_beats_a_cut_off_exact_front() -> None:
    """300 layers, 3 device classes, 16 devices, 1 s: exact's sweep cannot end, so auto runs
    greedy (docs/auto.md: 0.973 against exact's partial 0.805)."""
    inst = _part(300, 3, 16)
    res = schedlab.solve(inst, "auto", time_limit=1)
    cut = schedlab.solve(inst, "exact", time_limit=1)
    assert res.method == "greedy"
    assert _no_worse(inst, res.objective, cut.objective)


#: (label, instance, time limit, threads, the method auto replaced, relative tolerance): the
#: measurements behind the heuristic rows of docs/auto.md, repeated at the same limit.
MEASURED: list[tuple[str, Callable[[], Any], float, int, str, float]] = [
    ("smtt n=1000 ils vs exact", lambda: _smtt(1000), 2, 1, "exact", 0.005),
    ("smtt n=5000 exact vs ils", lambda: _smtt(5000), 2, 1, "ils", 0.0),
    ("fjsp mk10 tabu vs cpsat", lambda: _mk("mk10"), 3, 1, "cpsat", 0.0),
    ("pipelining 1000 ims vs cpsat", lambda: _pipe(1000), 2, 1, "cpsat", 0.0),
    ("dag 100 lns vs cpsat", lambda: _dag(100), 2, 1, "cpsat", 0.005),
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(("build", "limit", "threads", "before", "rel"),
                         [c[1:] for c in MEASURED], ids=[c[0] for c in MEASURED])  # fmt: skip
def test_auto_is_no_worse_than_the_method_it_replaced(
    build: Callable[[], Any], limit: float, threads: int, before: str, rel: float
) -> None:
    inst = build()
    res = schedlab.solve(inst, "auto", time_limit=limit, threads=threads, seed=1)
    old = schedlab.solve(inst, before, time_limit=limit, threads=threads, seed=1)
    assert res.method != before
    assert res.objective is not None and old.objective is not None
    assert _no_worse(inst, res.objective, old.objective, rel), (res.objective, old.objective)
