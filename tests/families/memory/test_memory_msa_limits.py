"""The msa methods under time limits (every phase checks the deadline: the greedy, the
candidates, the model build, the start of the searches) and the greedy's indexed free-space
search, equal to the plain rescan of every placed block it replaced."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import schedlab
from schedlab.core.timing import clock
from schedlab.families.memory import Msa
from schedlab.families.memory.generate import generate_msa
from schedlab.families.memory.methods import _msa, _msa_cpsat
from schedlab.families.memory.methods._msa import Fast, best_start, xla_msa
from schedlab.families.memory.methods._msa_cpsat import candidates

MSA_DIR = Path(__file__).resolve().parents[3] / "instances" / "memory" / "msa"


class PlainFast:
    """The greedy's former search: every placed rectangle rescanned at each question."""

    def __init__(self, capacity: int, steps: int) -> None:
        self.capacity = capacity
        self.rects: list[list[int]] = []

    def __len__(self) -> int:
        return len(self.rects)

    def add(self, t0: int, t1: int, x0: int, x1: int) -> int:
        self.rects.append([t0, t1, x0, x1])
        return len(self.rects) - 1

    def set_end(self, k: int, t1: int) -> None:
        self.rects[k][1] = t1

    def truncate(self, n: int) -> None:
        del self.rects[n:]

    def used(self, t0: int, t1: int, skip: int = -1) -> list[tuple[int, int]]:
        return sorted(
            (r[2], r[3])
            for k, r in enumerate(self.rects)
            if k != skip and r[0] < t1 and t0 < r[1] and r[3] > r[2]
        )

    def free_at(self, t0: int, t1: int, x0: int, size: int, skip: int = -1) -> bool:
        if t0 >= t1 or size == 0:
            return True
        return all(not (a < x0 + size and x0 < b) for a, b in self.used(t0, t1, skip))

    def free_until(self, t0: int, t1: int, x0: int, size: int, skip: int = -1) -> float:
        # the former eviction loop asked free_at for each end: the first end that fails
        for h in range(t0 + 1, t1 + 1):
            if not self.free_at(t0, h, x0, size, skip):
                return h - 1
        return math.inf

    def best_fit(self, t0: int, t1: int, size: int, align: int) -> int | None:
        if size > self.capacity:
            return None
        best: tuple[int, int] | None = None
        pos = 0
        for a, b in [*self.used(t0, t1), (self.capacity, self.capacity)]:
            start = -(-pos // align) * align
            if a - start >= size and (best is None or a - pos < best[0]):
                best = (a - pos, start)
            pos = max(pos, b)
        return None if best is None else best[1]


def test_fast_answers_as_the_plain_rescan() -> None:
    """Random rectangles placed, grown and taken back: every question answered alike."""
    rng = np.random.default_rng(0)
    for _ in range(30):
        ns, cap = int(rng.integers(5, 40)), int(rng.integers(8, 64))
        a, b = Fast(cap, ns), PlainFast(cap, ns)
        for _op in range(60):
            r = rng.random()
            if r < 0.45 or len(a) == 0:
                t0 = int(rng.integers(0, ns))
                t1 = int(rng.integers(t0 + 1, ns + 1))
                x0 = int(rng.integers(0, cap))
                x1 = int(rng.integers(x0, min(cap, x0 + 16) + 1))
                assert a.add(t0, t1, x0, x1) == b.add(t0, t1, x0, x1)
            elif r < 0.6:
                k = int(rng.integers(0, len(a)))
                t1 = int(rng.integers(b.rects[k][0] + 1, ns + 1))
                a.set_end(k, t1)
                b.set_end(k, t1)
            elif r < 0.65:
                n = int(rng.integers(0, len(a) + 1))
                a.truncate(n)
                b.truncate(n)
            t0 = int(rng.integers(0, ns))
            t1 = int(rng.integers(t0 + 1, ns + 1))
            x0 = int(rng.integers(0, cap))
            size = int(rng.integers(0, 12))
            skip = int(rng.integers(-1, len(a))) if len(a) else -1
            assert a.used(t0, t1, skip) == b.used(t0, t1, skip)
            assert a.free_at(t0, t1, x0, size, skip) == b.free_at(t0, t1, x0, size, skip)
            # free_until: the same ends are free (the value itself may differ below t0)
            fa, fb = a.free_until(t0, t1, x0, size, skip), b.free_until(t0, t1, x0, size, skip)
            for h in range(t0 + 1, t1 + 1):
                assert (h <= fa) == (h <= fb) == a.free_at(t0, h, x0, size, skip)
            for align in (1, 4):
                assert a.best_fit(t0, t1, size, align) == b.best_fit(t0, t1, size, align)


def _programs() -> list[tuple[Msa, dict[str, Any]]]:
    out: list[tuple[Msa, dict[str, Any]]] = []
    for seed in range(8):
        for structure in ("chain", "transformer", "mixed"):
            kw: dict[str, Any] = dict(
                copy_engines=seed % 3,
                copy_ratio=[0.5, 1.0, 2.0][seed % 3],
                max_outstanding_prefetches=None if seed % 2 else 2,
                evictions=seed % 4 != 3,
            )
            cap = [0.1, 0.25, 0.5][(seed + len(structure)) % 3]
            inst = generate_msa(60 + 20 * seed, structure, cap, seed=seed, **kw)
            params = {} if seed % 2 else {"order": "latest", "max_ratio": 3.0}
            out.append((inst, params))
    return out


def test_xla_with_the_index_equals_the_plain_rescan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The greedy's solutions are the same, piece by piece, with either search (24 generated
    programs: engines, outstanding limits, evictions off, both prefetch orders)."""
    progs = _programs()
    new = [xla_msa(inst, **params) for inst, params in progs]
    monkeypatch.setattr(_msa, "Fast", PlainFast)
    old = [xla_msa(inst, **params) for inst, params in progs]
    assert new == old
    assert any(len(s["fast"]) > 0 for s in new)


def test_without_a_limit_the_clock_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """No deadline: the greedy, the start and the candidates never read the clock."""
    inst = generate_msa(80, "transformer", 0.25, seed=1)

    def no_clock() -> float:
        raise AssertionError("the clock was read")

    ref = xla_msa(inst)
    monkeypatch.setattr(_msa, "clock", no_clock)
    monkeypatch.setattr(_msa_cpsat, "clock", no_clock)
    assert xla_msa(inst) == ref
    best_start(inst)
    cands = candidates(inst)
    assert cands is not None and len(cands) > 0
    assert candidates(inst, limit=5) == cands[:6]


def test_expired_deadline_keeps_everything_slow() -> None:
    inst = generate_msa(80, "chain", 0.25, seed=2)
    assert xla_msa(inst, deadline=clock() - 1.0) == {"fast": {}}
    assert candidates(inst, deadline=clock() - 1.0) is None
    sol = best_start(inst, clock() - 1.0)
    assert inst.check(sol) == inst.program.total_time(np.zeros(inst.n, dtype=bool))


@pytest.fixture(scope="module")
def resnet50() -> Msa:
    m = schedlab.read(str(MSA_DIR / "resnet50.json"))
    assert isinstance(m, Msa)
    return m


@pytest.mark.parametrize("method", ["xla", "cpsat", "mip", "lns"])
def test_time_limit_on_resnet50(resnet50: Msa, method: str) -> None:
    """1,042 buffers over 1,029 steps (xla took 16 s, cpsat listed candidates and ran the
    greedy without a limit before): one second asked, at most 1.5 s more reported."""
    r = schedlab.solve(resnet50, method, time_limit=1, threads=1)
    assert r.runtime_s < 1 + 1.5
    assert r.solution is not None
    assert math.isclose(resnet50.check(r.solution), r.objective)


def test_xla_without_a_limit_on_resnet50(resnet50: Msa) -> None:
    """The whole greedy (once 15 s) in well under the limits of the tests: the objective
    recorded with the former rescanning search."""
    r = schedlab.solve(resnet50, "xla")
    assert r.objective == pytest.approx(3325.766783633201, rel=1e-12)


@pytest.mark.slow
def test_limits_on_bert_base() -> None:
    """5,620 buffers over 6,471 steps: the greedy under a deadline, cpsat under its limit."""
    m = schedlab.read(str(MSA_DIR / "bert_base.json"))
    assert isinstance(m, Msa)
    t0 = clock()
    sol = xla_msa(m, deadline=t0 + 1.0)
    assert clock() - t0 < 1.5
    m.check(sol)
    r = schedlab.solve(m, "cpsat", time_limit=1, threads=1)
    assert r.runtime_s < 1 + 1.5
    assert r.solution is not None and math.isclose(m.check(r.solution), r.objective)
