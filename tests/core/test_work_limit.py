"""A work limit makes a run repeat exactly: the same solve with a work limit, one thread and
a seed gives the same result on an idle machine and beside CPU burners (two busy processes on
the 2 cores), for a search method of every family."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import schedlab

ROOT = Path(__file__).resolve().parents[2]
CHALLENGING = ROOT / "instances" / "memory" / "minimalloc" / "challenging"


def _minimalloc(name: str) -> Any:
    """A MiniMalloc challenging trace as a min-peak problem (its capacity dropped)."""
    return schedlab.read(str(CHALLENGING / f"{name}.1048576.csv")).with_capacity(None)


#: (family, method, instance, work limit, method parameters): searches that a work limit
#: (not the end of the search) stops, on instances big enough that wall-clock limits differ
#: from run to run.
CASES: list[tuple[str, str, Callable[[], Any], float, dict[str, Any]]] = [
    ("memory", "exact", lambda: _minimalloc("E"), 200_000, {}),
    ("memory", "cpsat", lambda: _minimalloc("B"), 0.05, {}),
    ("smtt", "ils", lambda: schedlab.generate("smtt", n=40, tf=0.6, rdd=0.4, weighted=True,
                                              seed=2), 10, {}),
    ("smtt", "cpsat", lambda: schedlab.generate("smtt", n=30, tf=0.6, rdd=0.4, weighted=True,
                                                seed=2), 0.1, {}),
    ("fjsp", "lns", lambda: schedlab.generate("fjsp", jobs=15, machines=5, ops=5, seed=3),
     0.05, {}),
    ("fjsp", "tabu", lambda: schedlab.generate("fjsp", jobs=15, machines=5, ops=5, seed=3),
     2000, {}),
    ("pipelining", "cpsat", lambda: schedlab.generate("pipelining", n=60, units=1, seed=4),
     0.05, {}),  # (n=40, units=2 is proved within 0.05 since busy runs became intervals)
    ("partition", "nsga2", lambda: schedlab.generate("partition", layers=12, devices=4, seed=1),
     5, {"pop_size": 16}),
]  # fmt: skip


def _fingerprint(res: schedlab.Result) -> tuple[Any, ...]:
    return (str(res.status), res.objective, res.bound, repr(res.solution), res.info.get("work"))


@pytest.fixture
def burners() -> Iterator[None]:
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()


@pytest.fixture(scope="module")
def idle() -> dict[str, tuple[Any, ...]]:
    out = {}
    for family, method, build, work, params in CASES:
        inst = build()
        res = schedlab.solve(inst, method, work_limit=work, threads=1, seed=7, **params)
        out[f"{family}/{method}"] = _fingerprint(res)
    return out


def test_work_limited_runs_repeat_beside_cpu_burners(
    idle: dict[str, tuple[Any, ...]], burners: None
) -> None:
    for family, method, build, work, params in CASES:
        m = next(x for x in schedlab.methods(family) if x.name == method)
        assert m.work is not None, f"{family}/{method} declares no work unit"
        inst = build()
        res = schedlab.solve(inst, method, work_limit=work, threads=1, seed=7, **params)
        assert _fingerprint(res) == idle[f"{family}/{method}"], f"{family}/{method}"
        assert res.work_limit == work


def test_the_cases_do_stop_on_their_work_limit(idle: dict[str, tuple[Any, ...]]) -> None:
    """Each case ends on its work limit (the budget used up) without a proof of optimality,
    so that the test above tests work limits and not the end of a search."""
    for case, (key, fp) in zip(CASES, idle.items(), strict=True):
        work = case[3]
        assert fp[0] != "optimal", key
        assert fp[4] is not None and fp[4] >= 0.8 * work, (key, fp[4], work)
