"""fjsp ``tabu``: checked results, exact repeats of seeded iteration-limited runs, the time
limit, and the compiled move evaluation against a from-scratch recomputation."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from schedlab import api
from schedlab.core import SolveError, SolveOptions, Status
from schedlab.families.fjsp.generate import generate
from schedlab.families.fjsp.methods import _tabu, tabu
from schedlab.families.fjsp.methods._data import Flat
from schedlab.families.fjsp.methods._start import start_schedule
from schedlab.families.fjsp.model import Instance

MK = Path(__file__).resolve().parents[3] / "instances" / "fjsp"


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    api.warm_up("fjsp", "tabu")


@pytest.fixture(scope="module")
def mk01() -> Instance:
    return api.read(MK / "mk01.fjs")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_checked_on_generated(seed: int) -> None:
    inst = generate(5, 4, 6, seed=seed)
    res = api.solve(inst, "tabu", iterations=300, seed=seed)
    assert res.objective == inst.check(res.solution)
    start = api.solve(inst, "mwkr")
    assert res.objective <= max(start.objective, api.solve(inst, "mor").objective)


def test_mk01(mk01: Instance) -> None:
    res = api.solve(mk01, "tabu", iterations=3000, seed=0)
    assert res.objective == mk01.check(res.solution) <= 42
    assert res.status in (Status.FEASIBLE, Status.OPTIMAL)


def test_seeded_runs_repeat(mk01: Instance) -> None:
    a = api.solve(mk01, "tabu", iterations=500, seed=5)
    b = api.solve(mk01, "tabu", iterations=500, seed=5)
    assert a.solution == b.solution and a.info["iterations"] == b.info["iterations"] == [500]
    with pytest.raises(SolveError):
        api.solve(mk01, "tabu", iterations=-1)


def test_no_time_limit_runs_the_default_budget(mk01: Instance) -> None:
    res = api.solve(mk01, "tabu", seed=1)
    assert res.info["iterations"] == [tabu.DEFAULT_ITERATIONS]  # mk01's bound is never met
    assert res.objective == mk01.check(res.solution)


def test_iterations_stop_at_the_time_limit(mk01: Instance) -> None:
    t0 = time.perf_counter()
    res = api.solve(mk01, "tabu", iterations=10**9, time_limit=0.5)
    assert time.perf_counter() - t0 < 2.0
    assert 0 < res.info["iterations"][0] < 10**9


def test_two_threads_iterations(mk01: Instance) -> None:
    res = api.solve(mk01, "tabu", iterations=200, threads=2, seed=3)
    assert len(res.info["iterations"]) == 2
    assert res.objective == mk01.check(res.solution)


@pytest.mark.parametrize("threads", [1, 2])
def test_time_limit(threads: int) -> None:
    inst = generate(10, 5, 10, seed=1)
    t0 = time.perf_counter()
    res = api.solve(inst, "tabu", time_limit=1.5, threads=threads)
    assert time.perf_counter() - t0 < 3.0
    assert res.objective == inst.check(res.solution)
    assert res.bound is not None and res.bound <= res.objective


def test_hybrid_proves_mk01(mk01: Instance) -> None:
    res = api.solve(mk01, "tabu", time_limit=10, threads=2)
    assert res.objective == 40 and res.status is Status.OPTIMAL


def test_move_values_are_exact() -> None:
    """For every feasible move of every critical operation, ``max(reduced makespan, path
    through v)`` bounds the new makespan, and equals it when the path through ``v`` is the
    longer; the feasible interval excludes exactly the cyclic insertions."""
    inst = generate(5, 3, 4, seed=4)
    flat = Flat.of(inst)
    arr = tabu.Arrays.of(flat)
    _, sched = start_schedule(flat, SolveOptions())
    mach, seq, cnt = tabu.encode(flat, sched)
    n = flat.n
    z = np.zeros(n, dtype=np.int64)

    def evaluate(mach, seq, cnt):
        pos = np.zeros(n, dtype=np.int64)
        for m in range(len(cnt)):
            for j in range(cnt[m]):
                pos[seq[m, j]] = j
        p = np.array([arr.pm[o, mach[o]] for o in range(n)], dtype=np.int64)
        r, q, topo, tpos = z.copy(), z.copy(), z.copy(), z.copy()
        args = (n, arr.jp, arr.js, p, mach, seq, cnt, pos, r, q, topo, tpos, z.copy(), z.copy())
        return _tabu.evaluate(*args), p, pos, r, q, topo, tpos

    c, p, pos, r, q, topo, tpos = evaluate(mach, seq, cnt)
    checked = 0
    for v in range(n):
        if r[v] + p[v] + q[v] != c:
            continue
        rm, qm, desc, anc = z.copy(), z.copy(), z.copy(), z.copy()
        cm = _tabu.reduced(
            v, n, arr.jp, arr.js, p, mach, seq, cnt, pos, topo, tpos, r, q, rm, qm, desc, anc
        )
        a, s = arr.jp[v], arr.js[v]
        rj = rm[a] + p[a] if a >= 0 else 0
        qj = p[s] + qm[s] if s >= 0 else 0
        for t in range(arr.alt_ptr[v], arr.alt_ptr[v + 1]):
            k = arr.alt_m[t]
            others = [x for x in seq[k, : cnt[k]] if x != v]
            for i in range(len(others) + 1):
                u = others[i - 1] if i > 0 else -1
                w = others[i] if i < len(others) else -1
                feasible = not (u >= 0 and desc[u]) and not (w >= 0 and anc[w])
                m2, s2, c2, p2 = mach.copy(), seq.copy(), cnt.copy(), pos.copy()
                _tabu.remove(s2, c2, p2, mach[v], pos[v])
                _tabu.insert(s2, c2, p2, k, i, v)
                m2[v] = k
                new = evaluate(m2, s2, c2)[0]
                assert feasible == (new >= 0)
                if feasible:
                    head = max(rj, rm[u] + p[u] if u >= 0 else 0)
                    est = head + arr.pm[v, k] + max(qj, p[w] + qm[w] if w >= 0 else 0)
                    assert est <= new <= max(cm, est)
                    checked += 1
    assert checked > 0
