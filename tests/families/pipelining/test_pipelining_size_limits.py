"""Loops of thousands of ops: every method keeps its time limit with a checked result (the
CP-SAT model is built with deadline checks and a cap on its size, RecMII is found by
galloping with an early positive-cycle test, IMS looks for a slot with numpy), and the
checker, which counts busy cycles by runs, agrees with the per-cycle count it replaced."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

import numpy as np
import pytest

import schedlab
from schedlab.core import Status
from schedlab.core.errors import InstanceError, SolutionError
from schedlab.families.pipelining.model import Edge, Instance, Machine, Op
from schedlab.families.pipelining.simulate import edge_weights, longest_paths, parse_solution

LIMIT = 1.0
MARGIN = 1.5  # a loaded 2-core machine; the target is 0.5


@pytest.mark.parametrize("method", ["cpsat", "mip", "ims", "auto"])
def test_1000_ops_keep_the_limit(method: str) -> None:
    inst = schedlab.generate("pipelining", n=1000, seed=1)
    r = schedlab.solve(inst, method, time_limit=LIMIT)
    assert r.runtime_s < LIMIT + MARGIN, (method, r.runtime_s)
    assert r.status in (Status.FEASIBLE, Status.OPTIMAL), (method, r.status)
    assert r.solution is not None
    assert inst.check(r.solution) == r.objective


def _old_longest_paths(n: int, edges: list[tuple[int, int, int]]) -> list[int] | None:
    """Plain vectorised Bellman-Ford, ``n + 1`` rounds before a positive cycle is declared."""
    if not edges:
        return [0] * n
    e = np.asarray(edges, dtype=np.int64)
    src, dst, w = e[:, 0], e[:, 1], e[:, 2]
    dist = np.zeros(n, dtype=np.int64)
    for _ in range(n + 1):
        new = dist.copy()
        np.maximum.at(new, dst, dist[src] + w)
        if np.array_equal(new, dist):
            return [int(x) for x in dist]
        dist = new
    return None


def test_longest_paths_equal_plain_bellman_ford() -> None:
    rng = random.Random(7)
    seen = {True: 0, False: 0}
    for _ in range(2000):
        n = rng.randint(1, 30)
        edges = [
            (rng.randrange(n), rng.randrange(n), rng.randint(-6, 4))
            for _ in range(rng.randint(0, 3 * n))
        ]
        got = longest_paths(n, edges)
        assert got == _old_longest_paths(n, edges), (n, edges)
        seen[got is None] += 1
    assert min(seen.values()) > 100  # both outcomes exercised


def test_rec_mii_is_the_least_ii_without_a_positive_cycle() -> None:
    for seed in range(30):
        inst = schedlab.generate("pipelining", n=40, seed=seed)
        assert isinstance(inst, Instance)
        rec = inst.rec_mii()
        if rec == 0:
            assert _old_longest_paths(inst.n, edge_weights(inst, 0)) is not None
            continue
        assert _old_longest_paths(inst.n, edge_weights(inst, rec)) is not None
        assert _old_longest_paths(inst.n, edge_weights(inst, rec - 1)) is None


def _old_unit_check(inst: Instance, solution: dict[str, Any]) -> tuple[dict[str, int], str | None]:
    """The checker's unit part as it was: every busy cycle of every simulated iteration
    counted; (peaks, the error message or ``None``)."""
    ii, length, start, warp = parse_solution(inst, solution)
    n_it = -(-length // ii) + len(warp[0]) + 1
    ops = inst.ops
    use: dict[str, dict[int, int]] = {}
    for v, o in enumerate(ops):
        for off, u, a in o.table:
            cnt = use.setdefault(u, defaultdict(int))
            for k in range(n_it):
                cnt[start[v] + k * ii + off] += a
    peak: dict[str, int] = {}
    for u, cnt in use.items():
        peak[u] = max(cnt.values())
        cap = inst.machine.capacity(u)
        if cap is not None and peak[u] > cap:
            t = min(c for c, x in cnt.items() if x > cap)
            names = [
                f"{o.name}#{k}"
                for v, o in enumerate(ops)
                for k in range(n_it)
                for off, uu, _ in o.table
                if uu == u and start[v] + k * ii + off == t
            ]
            return peak, (
                f"unit {u}: {cnt[t]} in use at cycle {t} (capacity {cap}): " + ", ".join(names[:6])
            )
    return peak, None


def _random_case(rng: random.Random) -> tuple[Instance, dict[str, Any]]:
    while True:
        try:
            return _try_case(rng)
        except InstanceError:  # an op over a capacity on its own: draw again
            continue


def _try_case(rng: random.Random) -> tuple[Instance, dict[str, Any]]:
    units = {"a": rng.randint(1, 3), "b": rng.randint(1, 2), "c": -1}
    ops = []
    for i in range(rng.randint(1, 6)):
        rows = []
        for _ in range(rng.randint(0, 4)):
            off, u = rng.randint(0, 6), rng.choice("abc")
            for x in range(rng.randint(1, 5)):  # runs, with repeats and gaps
                rows.append((off + x, u, rng.randint(1, 2)))
        ops.append(Op(name=f"o{i}", table=tuple(rows), latency=rng.randint(0, 3)))
    edges = [Edge(0, 1, 0, 1)] if len(ops) > 1 and rng.random() < 0.3 else []
    inst = Instance(Machine("m", units), tuple(ops), tuple(edges))
    ii = rng.randint(1, 12)
    starts = [rng.randint(0, 15) for _ in ops]
    low = min(starts)
    starts = [s - low for s in starts]
    if edges:  # keep the one dependence
        starts[1] = max(starts[1], starts[0] + ops[0].latency - ii)
    length = max(s + o.span for s, o in zip(starts, ops, strict=True))
    rows_out = [{"name": o.name, "start": s} for o, s in zip(ops, starts, strict=True)]
    return inst, {"ii": ii, "length": length, "ops": rows_out}


def test_checker_by_runs_equals_the_per_cycle_count() -> None:
    rng = random.Random(3)
    outcomes = {"ok": 0, "over": 0}
    for _ in range(3000):
        inst, sol = _random_case(rng)
        peak, message = _old_unit_check(inst, sol)
        try:
            rep = inst.simulate(sol)
        except SolutionError as e:
            assert message is not None and str(e).startswith(message), (str(e), message)
            outcomes["over"] += 1
            continue
        assert message is None
        assert rep.unit_peak == peak
        outcomes["ok"] += 1
    assert min(outcomes.values()) > 300


def test_checker_with_an_op_busy_10000_cycles_is_quick() -> None:
    import time

    d = schedlab.generate("pipelining", n=50, seed=2).to_dict()
    d["ops"][3]["busy"] = 10_000
    inst = schedlab.load(d)
    r = schedlab.solve(inst, "ims", time_limit=5.0)
    assert r.solution is not None
    t0 = time.perf_counter()
    for _ in range(20):
        inst.check(r.solution)
    assert time.perf_counter() - t0 < 2.0


def _old_closure(
    n: int, edges: list[tuple[int, int, int]], sources: list[int], absorb: bool
) -> Any:
    """The reduced model's longest paths as they were: every row at once, ``ufunc.at``."""
    neg = -(1 << 40)
    dist = np.full((len(sources), n), neg, dtype=np.int64)
    rows = np.arange(len(sources))
    dist[rows, sources] = 0
    if not edges:
        return dist
    e = np.asarray(edges, dtype=np.int64)
    src, dst, w = e[:, 0], e[:, 1], e[:, 2]
    stop = None
    if absorb:
        stop = np.zeros((len(sources), n), dtype=bool)
        stop[:, sources] = True
        stop[rows, sources] = False
        stop = stop[:, src]
    for _ in range(n + 1):
        base = dist[:, src]
        cand = np.where(base > neg // 2, base + w, neg)
        if stop is not None:
            cand[stop] = neg
        new = dist.copy()
        np.maximum.at(new.T, dst, cand.T)
        if np.array_equal(new, dist):
            return dist
        dist = new
    raise ValueError("positive cycle")


@pytest.mark.parametrize("chunk", [1, 7, 1 << 20])
def test_closure_in_blocks_equals_the_plain_rounds(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schedlab.families.pipelining.methods import _modulo

    monkeypatch.setattr(_modulo, "CHUNK", chunk)
    rng = random.Random(11)
    for _ in range(300):
        n = rng.randint(1, 25)
        # a DAG forward plus back edges of negative weight: no positive cycle
        edges = [(a, b, rng.randint(0, 4)) for a in range(n) for b in range(a + 1, n)
                 if rng.random() < 0.15]  # fmt: skip
        edges += [(b, a, -rng.randint(120, 150)) for a, b, _ in edges if rng.random() < 0.2]
        dedup: dict[tuple[int, int], int] = {}
        for a, b, x in edges:
            dedup[(a, b)] = max(x, dedup.get((a, b), -(1 << 40)))
        edges = [(a, b, x) for (a, b), x in dedup.items()]
        sources = sorted(rng.sample(range(n), rng.randint(1, n)))
        for absorb in (False, True):
            got = _modulo._closure(n, edges, sources, absorb)
            assert np.array_equal(got, _old_closure(n, edges, sources, absorb))


def test_warp_greedy_with_an_op_busy_10000_cycles() -> None:
    """The warp greedy checks a sub-instance per candidate warp: by runs (validation and
    checker), an op busy 10,000 cycles costs what one busy cycle costs (it took 6 s)."""
    import json

    from schedlab.families.pipelining.bundled import bundled_path

    with open(bundled_path("flash_fwd_blackwell")) as fh:
        d = json.load(fh)
    i = next(k for k, o in enumerate(d["ops"]) if "busy" in o or "unit" in o)
    d["ops"][i]["busy"] = 10_000
    d["ops"][i].pop("table", None)
    inst = schedlab.load(d)
    r = schedlab.solve(inst, "ims", time_limit=10.0)
    assert r.status == Status.FEASIBLE and r.solution is not None
    assert r.runtime_s < 3.0
    assert inst.check(r.solution) == r.objective
