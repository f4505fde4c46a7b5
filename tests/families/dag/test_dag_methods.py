"""dag methods: HEFT reproduces the published 80 on Topcuoglu's example and CP-SAT proves 73;
CP-SAT equals a brute force on tiny graphs; budgets, seeds, hints and limits."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from schedlab import api
from schedlab.core import SolveError, Status
from schedlab.families.dag.generate import generate
from schedlab.families.dag.model import Instance

INSTANCES = Path(__file__).resolve().parents[3] / "instances" / "dag"
HEURISTICS = ["heft", "cpop", "peft"]


@pytest.fixture(scope="module")
def topcuoglu() -> Instance:
    return api.read(INSTANCES / "topcuoglu2002_fig2.json")


def test_heft_and_cpop_reproduce_the_published_makespans(topcuoglu: Instance) -> None:
    assert api.solve(topcuoglu, "heft").objective == 80
    assert api.solve(topcuoglu, "cpop").objective == 86
    assert api.solve(topcuoglu, "heft", insertion=False).objective >= 80


def test_cpsat_proves_73(topcuoglu: Instance) -> None:
    res = api.solve(topcuoglu, "cpsat", time_limit=20)
    assert res.status is Status.OPTIMAL and res.objective == 73 and res.bound == 73
    assert res.reference == 73 and res.reference_gap == 0


def brute_force(inst: Instance) -> int:
    """The optimum by enumeration: every assignment and every topological order, each task
    appended on its processor as early as possible (an optimal schedule is one of these:
    take its tasks by start time)."""
    n, P = inst.n, inst.n_processors
    best = None
    orders = [
        perm
        for perm in itertools.permutations(range(n))
        if all(perm.index(a) < perm.index(b) for a, b, _ in inst.edges)
    ]
    choices = [[p for p in range(P) if inst.times[i][p] is not None] for i in range(n)]
    for assign in itertools.product(*choices):
        for order in orders:
            free = [0] * P
            end = [0] * n
            for i in order:
                p = assign[i]
                s = free[p]
                for a, v in inst.preds[i]:
                    s = max(s, end[a] + inst.delay(v, assign[a], p))
                end[i] = s + inst.times[i][p]  # type: ignore[operator]
                if inst.times[i][p]:
                    free[p] = end[i]
            cmax = max(end)
            if best is None or cmax < best:
                best = cmax
    assert best is not None
    return best


@pytest.mark.parametrize("seed", range(6))
def test_cpsat_matches_brute_force(seed: int) -> None:
    inst = generate(5, 2 + seed % 2, ccr=[0.5, 2.0, 5.0][seed % 3], beta=1.0, seed=seed)
    if seed == 5:  # a bandwidth matrix, a latency and a processor a task cannot use
        doc = inst.to_dict()
        doc["bandwidth"] = [[None, 2, 1], [3, None, None], [1, 5, None]]
        doc["latency"] = 2
        doc["tasks"][1]["times"][0] = None
        inst = Instance.from_dict(doc)
    want = brute_force(inst)
    res = api.solve(inst, "cpsat", time_limit=10)
    assert res.status is Status.OPTIMAL and res.objective == want, (res.objective, want)
    for h in HEURISTICS:
        assert api.solve(inst, h).objective >= want


def test_cpsat_stg_aggregated_and_symmetric() -> None:
    inst = api.read(INSTANCES / "stg" / "50" / "rand0000.stg#4")
    res = api.solve(inst, "cpsat", time_limit=10)
    assert res.status is Status.OPTIMAL and res.objective == res.reference == 66
    # the same graph with the per-processor model (no aggregation) proves it too
    res = api.solve(inst, "cpsat", time_limit=10, aggregate=False)
    assert res.status is Status.OPTIMAL and res.objective == 66


def test_cpsat_reports_a_bound_within_its_limit() -> None:
    inst = generate(60, 4, ccr=2.0, seed=3)
    t0 = time.perf_counter()
    res = api.solve(inst, "cpsat", time_limit=1.0)
    assert time.perf_counter() - t0 < 4
    assert res.bound is not None and res.bound <= res.objective
    assert res.objective <= api.solve(inst, "heft").objective


def test_random_is_seeded_and_counts_passes() -> None:
    inst = generate(20, 3, seed=4)
    a = api.solve(inst, "random", seed=7, iterations=12)
    b = api.solve(inst, "random", seed=7, iterations=12)
    assert a.solution == b.solution and a.info["passes"] == 12
    assert a.objective <= min(api.solve(inst, h).objective for h in ("heft", "peft"))
    assert api.solve(inst, "random", work_limit=5).info["passes"] == 5
    with pytest.raises(SolveError):
        api.solve(inst, "random", iterations=0)
    with pytest.raises(SolveError):
        api.solve(inst, "random", noise=-1)


def test_lns_improves_and_repeats_with_a_work_limit() -> None:
    inst = generate(40, 4, ccr=3.0, seed=2)
    heft = api.solve(inst, "heft").objective
    a = api.solve(inst, "lns", work_limit=0.08, seed=3, sub_work=0.02)
    b = api.solve(inst, "lns", work_limit=0.08, seed=3, sub_work=0.02)
    assert a.solution == b.solution and a.objective <= heft
    assert a.bound is not None and a.bound <= a.objective
    res = api.solve(inst, "lns", cp_share=0.0, iterations=4, sub_limit=0.2)
    assert res.info["iterations"] == 4 and res.objective <= heft
    with pytest.raises(SolveError):
        api.solve(inst, "lns", size=1)


def test_lns_respects_its_time_limit() -> None:
    inst = generate(150, 6, ccr=2.0, seed=5)
    t0 = time.perf_counter()
    res = api.solve(inst, "lns", time_limit=1.5, threads=2)
    assert time.perf_counter() - t0 < 4.0
    assert res.objective <= api.solve(inst, "heft").objective


def test_hint_is_used(topcuoglu: Instance) -> None:
    good = api.solve(topcuoglu, "cpsat", time_limit=10)
    res = api.solve(topcuoglu, "lns", hint=good.solution, cp_share=0.0, iterations=1)
    assert res.info["start"] == "hint" and res.objective == 73


def test_auto_choice(topcuoglu: Instance) -> None:
    assert api.pick_auto(topcuoglu, 60).name == "cpsat"
    big = generate(400, 4, seed=0)
    assert api.pick_auto(big, 60).name == "lns"


def test_heuristics_on_identical_processors_without_communication() -> None:
    inst = api.read(INSTANCES / "stg" / "50" / "rand0000.stg#2")
    for h in [*HEURISTICS, "random"]:
        res = api.solve(inst, h, time_limit=5)
        assert res.objective >= inst.reference
