"""dag at sizes where building a model outlasts the time limit (issue #19): every method
returns within its time limit plus a margin, with a checked result, and the deadline checks
never read the clock without a time limit."""

from __future__ import annotations

import time

import numpy as np
import pytest

from schedlab import api
from schedlab.core import SolveOptions, Status
from schedlab.core.timing import Deadline
from schedlab.families.dag.generate import generate
from schedlab.families.dag.methods import _watch
from schedlab.families.dag.methods._cp import Part, solve_part
from schedlab.families.dag.methods._graph import Graph
from schedlab.families.dag.methods._lists import best_heuristic, heft
from schedlab.families.dag.methods._watch import Watch
from schedlab.families.dag.model import Instance

#: Generous for a loaded two-core machine; the target is the time limit plus 0.5 s.
MARGIN = 1.5


@pytest.fixture(scope="module")
def large() -> Instance:
    # 5000 tasks on 8 processors: the whole CP-SAT model takes seconds to build
    return generate(v=5000, processors=8, ccr=1.0, seed=1)


@pytest.mark.parametrize("method", ["cpsat", "lns", "auto"])
def test_large_graph_returns_on_time(large: Instance, method: str) -> None:
    res = api.solve(large, method, time_limit=1)
    assert res.runtime_s < 1 + MARGIN, (method, res.runtime_s)
    assert res.status is Status.FEASIBLE  # nothing proved in a second at this size
    assert large.check(res.solution) == res.objective
    assert res.bound is not None and res.bound <= res.objective


@pytest.mark.slow
@pytest.mark.parametrize("processors", [8, 16])
@pytest.mark.parametrize("v", [10000, 20000])
def test_huge_graphs_every_method(v: int, processors: int) -> None:
    inst = generate(v=v, processors=processors, ccr=1.0, seed=1)
    for method in ["heft", "cpop", "peft", "random", "cpsat", "lns", "auto"]:
        res = api.solve(inst, method, time_limit=2)
        assert res.runtime_s <= 2 + MARGIN, (method, v, processors, res.runtime_s)
        assert inst.check(res.solution) == res.objective


def test_expired_build_returns_no_schedule_and_the_given_bound() -> None:
    inst = generate(v=60, processors=3, ccr=1.0, seed=2)
    g = Graph.of(inst)
    opts = SolveOptions(time_limit=1)
    opts.deadline.cancel()
    out = solve_part(g, Part(lb=inst.trivial_bound, hint=heft(g)), opts)
    assert out.status is Status.UNKNOWN and out.schedule is None
    assert out.bound == inst.trivial_bound


def test_best_heuristic_keeps_heft_once_the_time_is_gone() -> None:
    g = Graph.of(generate(v=80, processors=4, ccr=1.0, seed=3))
    d = Deadline(1.0)
    d.cancel()
    name, sched = best_heuristic(g, Watch(d))
    assert name == "heft"
    assert np.array_equal(sched.start, heft(g).start)


def test_watch_without_a_time_limit_never_reads_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom() -> float:
        raise AssertionError("the clock was read")

    w = Watch(Deadline(None), every=1)
    monkeypatch.setattr(_watch.time, "perf_counter", boom)
    for _ in range(100):
        w.tick()
    assert not w.over()
    monkeypatch.undo()
    w = Watch(Deadline(None), cap=time.perf_counter() - 1, every=1)
    assert w.over()
    with pytest.raises(_watch.Expired):
        w.tick()


def test_work_limited_lns_repeats_on_a_large_graph() -> None:
    inst = generate(v=150, processors=4, ccr=1.0, seed=4)
    runs = [api.solve(inst, "lns", work_limit=0.2, iterations=3, seed=3) for _ in range(2)]
    assert runs[0].solution == runs[1].solution
    assert runs[0].info["iterations"] == runs[1].info["iterations"]
