"""Ops busy (and edges delayed) for thousands of cycles: every method returns on time with a
checked schedule, the models' sizes do not grow with the cycle counts (runs of busy cycles
folded modulo II), and the folded models find the optima the per-residue models found."""

from __future__ import annotations

import random
from typing import Any

import pytest

import schedlab
from schedlab.core import Status
from schedlab.families.pipelining.generate import generate
from schedlab.families.pipelining.methods import _ims
from schedlab.families.pipelining.methods._modulo import _forbidden_domain
from schedlab.families.pipelining.methods._tables import clash_arcs, fold, op_runs
from schedlab.families.pipelining.model import MAX_CYCLES, OBJ_SCALE, Instance

LIMIT = 2.0
MARGIN = 1.5  # a loaded 2-core machine; the target is 0.5


def _pipe(busy: int | None = None, delay: int | None = None, several: bool = False) -> Instance:
    """The 4-op loop of ``benchmarks/limits.py`` with op 1 busy ``busy`` cycles (ops 0 to 2
    with ``several``) or edge 0 delayed ``delay`` cycles."""
    d = generate(4, seed=0).to_dict()
    if busy is not None:
        for i in (0, 1, 2) if several else (1,):
            d["ops"][i]["busy"] = busy
    if delay is not None:
        d["edges"][0]["delay"] = delay
    inst = schedlab.load(d)
    assert isinstance(inst, Instance)
    return inst


def _cap1() -> Instance:
    """Six ops busy up to 10,000 cycles on a capacity-1 unit (II 32,003), a recurrence and a
    10,000-cycle delay: IMS must search for slots, the MIP would hold 32,003 residues per op."""
    rows = [
        ("u0", MAX_CYCLES, 3),
        ("u0", MAX_CYCLES, 1),
        ("u0", 3, 2),
        ("u0", 5000, 1),
        ("u1", MAX_CYCLES, 1),
        ("u0", 7000, 4),
        ("alu", 1, 1),
        ("u1", MAX_CYCLES - 1, 2),
    ]
    edges = [[0, 1, 1, 0], [1, 2, 0, 0], [2, 3, 5, 0], [3, 5, 0, 0], [5, 6, MAX_CYCLES, 0]]
    edges += [[6, 0, 0, 3], [4, 7, 0, 0], [7, 4, 0, 1], [2, 4, 0, 0]]
    inst = schedlab.load(
        {
            "problem": "pipelining",
            "name": "cap1",
            "machine": {"name": "m", "units": {"u0": 1, "u1": 2, "alu": -1}},
            "ops": [
                {"name": f"o{i}", "unit": u, "busy": b, "latency": lat}
                for i, (u, b, lat) in enumerate(rows)
            ],
            "edges": edges,
        }
    )
    assert isinstance(inst, Instance)
    return inst


def _on_time(inst: Instance, method: str, limit: float = LIMIT) -> schedlab.Result:
    r = schedlab.solve(inst, method, time_limit=limit)
    assert r.runtime_s < limit + MARGIN, (method, r.runtime_s)
    if r.solution is not None:  # checked by solve; simulate again
        rep = inst.simulate(r.solution)
        assert rep.ii == r.solution["ii"] >= inst.mii_bound()
    return r


@pytest.mark.parametrize("method", ["ims", "cpsat", "mip", "auto"])
@pytest.mark.parametrize("case", [{"busy": MAX_CYCLES}, {"delay": MAX_CYCLES}])
def test_at_the_cap_on_time_and_checked(case: dict[str, int], method: str) -> None:
    inst = _pipe(**case)
    assert inst.mii_bound() == 5001
    r = _on_time(inst, method)
    assert r.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert r.solution["ii"] == 5001  # IMS reaches MII here
    if method in ("cpsat", "auto"):  # the folded model proves L at once
        assert r.status is Status.OPTIMAL


@pytest.mark.parametrize("method", ["ims", "cpsat", "auto"])
def test_several_ops_at_the_cap(method: str) -> None:
    """Three ops busy 10,000 cycles: II 10,000, solved (and proved by CP-SAT) on time."""
    inst = _pipe(busy=MAX_CYCLES, several=True)
    r = _on_time(inst, method)
    assert r.solution["ii"] == inst.mii_bound() == MAX_CYCLES
    if method != "ims":
        assert r.status is Status.OPTIMAL
        assert r.objective == r.bound == MAX_CYCLES * OBJ_SCALE + MAX_CYCLES + 3


@pytest.mark.parametrize("method", ["ims", "cpsat", "mip"])
def test_long_runs_on_a_capacity_one_unit(method: str) -> None:
    """II 32,003: IMS finds its slots by FFT, CP-SAT's no-overlap of folded runs stays small,
    the MIP (32,003 residues per op) gives up building at the deadline and keeps IMS's
    schedule."""
    inst = _cap1()
    r = _on_time(inst, method)
    assert r.solution is not None and r.status in (Status.OPTIMAL, Status.FEASIBLE)


@pytest.mark.parametrize("method", ["ims", "mip"])
def test_ims_attempt_stops_past_the_deadline(method: str) -> None:
    """20 ops busy about 10,000 cycles on two units (II about 75,000): one IMS attempt takes
    seconds, so it is given up shortly after the deadline (status unknown, the MII bound)."""
    d = generate(40, units=2, seed=7).to_dict()
    for i in range(0, 40, 2):
        d["ops"][i]["busy"] = MAX_CYCLES - i
        if d["ops"][i].get("unit") == "alu":
            d["ops"][i]["unit"] = "u0"
    inst = schedlab.load(d)
    assert isinstance(inst, Instance)
    r = _on_time(inst, method, limit=1.0)
    assert r.status in (Status.UNKNOWN, Status.FEASIBLE)


#: Optimal objectives (II * OBJ_SCALE + L) found and proved by cpsat and mip before the runs
#: were folded (per-residue Booleans and capacity rows): (n, units, seed) -> objective.
BEFORE = {
    (8, 2, 0): 3000010,
    (9, 2, 1): 6000014,
    (10, 2, 2): 4000016,
    (11, 2, 3): 6000012,
    (12, 2, 4): 12000022,
    (13, 2, 5): 4000006,
    (14, 2, 6): 8000018,
    (15, 2, 7): 7000012,
    (10, 1, 100): 4000013,
    (11, 1, 101): 11000017,
    (12, 1, 102): 9000014,
    (13, 1, 103): 4000009,
    (14, 1, 104): 5000009,
    (15, 1, 105): 16000019,
    (30, 2, 0): 11000022,
    (30, 2, 1): 16000025,
    (40, 1, 2): 15000021,
}


@pytest.mark.parametrize("key", sorted(BEFORE))
def test_folded_models_find_the_same_optima(key: tuple[int, int, int]) -> None:
    n, units, seed = key
    inst = generate(n, units=units, seed=seed)
    assert any(len(o.table) > 1 for o in inst.ops)  # multi-cycle runs: the folded branch
    for method in ("cpsat", "mip"):
        r = schedlab.solve(inst, method, time_limit=20, threads=1, seed=0)
        assert r.status is Status.OPTIMAL, (method, r.status)
        assert r.objective == BEFORE[key], method


def _naive_load(
    table: list[tuple[int, str, int]], start: int, ii: int
) -> dict[tuple[str, int], int]:
    load: dict[tuple[str, int], int] = {}
    for off, u, a in table:
        key = (u, (start + off) % ii)
        load[key] = load.get(key, 0) + a
    return load


def test_runs_fold_to_the_modulo_reservation_table() -> None:
    rng = random.Random(1)
    for _ in range(300):
        table = [(rng.randrange(25), rng.choice("ab"), rng.choice([1, 1, 2])) for _ in range(12)]
        ii, start = rng.randrange(2, 14), rng.randrange(40)
        runs = [(0, off, c, a) for u, rs in op_runs(table).items() for off, c, a in rs if u == "a"]
        base, arcs = fold(runs, ii)
        want = _naive_load([r for r in table if r[1] == "a"], start, ii)
        for res in range(ii):
            got = base
            for _, off, c, a in arcs:
                if (res - start - off) % ii < c:
                    got += a
            assert got == want.get(("a", res), 0)


def _old_domain(lo: int, hi: int, ii: int, bad: set[int]) -> list[list[int]] | None:
    """The per-residue domain of the former model (every residue in ``bad`` cut out)."""
    if lo > hi:
        return []
    if (hi - lo + 1) > 64 * ii:
        return None
    out: list[list[int]] = []
    cur = lo
    for blk in range(lo // ii, hi // ii + 1):
        for b in sorted(bad):
            x = blk * ii + b
            if x < lo or x > hi:
                continue
            if cur <= x - 1:
                out.append([cur, x - 1])
            cur = x + 1
    if cur <= hi:
        out.append([cur, hi])
    return out if len(out) <= 256 else None


def test_clash_arcs_match_the_clashing_residues() -> None:
    rng = random.Random(2)
    for _ in range(400):
        ii = rng.randrange(2, 16)
        ri = [(rng.randrange(20), rng.randrange(1, 6)) for _ in range(rng.randrange(1, 3))]
        rj = [(rng.randrange(20), rng.randrange(1, 6)) for _ in range(rng.randrange(1, 3))]
        offs_i = {(o + x) % ii for o, c in ri for x in range(c)}
        offs_j = {(o + y) % ii for o, c in rj for y in range(c)}
        bad = {(a - b) % ii for a in offs_i for b in offs_j}
        arcs = clash_arcs(ri, rj, ii)
        if arcs is None:
            assert bad == set(range(ii))
            continue
        assert {x for a, b in arcs for x in range(a, b + 1)} == bad
        lo = rng.randrange(-30, 30)
        hi = lo + rng.randrange(0, 80)
        assert _forbidden_domain(lo, hi, ii, arcs) == _old_domain(lo, hi, ii, bad)


def test_ims_dense_slots_match_the_plain_search(monkeypatch: Any) -> None:
    """The FFT slot search (ops with long folded rows) places exactly as the plain one."""
    insts = [generate(n, units=u, seed=s) for n, u, s in BEFORE]
    insts.append(_pipe(busy=MAX_CYCLES))
    for inst in insts:
        mii = inst.mii_bound()
        for ii in (max(2, mii), mii + 1, mii + 3):
            monkeypatch.setattr(_ims, "_DENSE", 64)
            plain = _ims.ims_schedule(inst, ii, 3 * inst.n + 10)
            monkeypatch.setattr(_ims, "_DENSE", -1)
            assert _ims.ims_schedule(inst, ii, 3 * inst.n + 10) == plain
