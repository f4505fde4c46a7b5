"""Bundled GPU kernels: optimal II proven quickly, and the warp structures the joint solver must
find by itself (FlashAttention-3 ping-pong on Hopper; the FA4 roles on Blackwell)."""

from __future__ import annotations

import time

import pytest

import schedlab
from schedlab.core import Status
from schedlab.families.pipelining.bundled import bundled_loop
from schedlab.families.pipelining.model import Instance

KERNELS = [
    "gemm_hopper",
    "flash_fwd_hopper",
    "flash_fwd_blackwell",
    "attn_bwd_hopper",
    "attn_bwd_blackwell",
    "running_example",
]


@pytest.fixture(scope="module")
def solved() -> dict[str, tuple[Instance, schedlab.Result, float]]:
    out = {}
    for name in KERNELS:
        inst = bundled_loop(name)
        t0 = time.perf_counter()
        res = schedlab.solve(inst, "cpsat", time_limit=30, threads=1)  # repeatable
        out[name] = (inst, res, time.perf_counter() - t0)
    return out


@pytest.mark.parametrize("name", KERNELS)
def test_optimal_ii_proven_fast(solved: dict, name: str) -> None:
    inst, res, dt = solved[name]
    assert res.info["ii_optimal"], res.info
    assert res.solution["ii"] == inst.mii_bound()
    assert dt < 10.0  # one thread here; the benchmark uses two
    inst.simulate(res.solution)


def _warps(res: schedlab.Result) -> dict[str, int]:
    return {r["name"]: r["warp"] for r in res.solution["ops"]}


def _arc(inst: Instance, sol: dict, name: str, unit: str) -> set[int]:
    """Residues mod II where op ``name`` uses ``unit``."""
    ii = sol["ii"]
    start = next(r["start"] for r in sol["ops"] if r["name"] == name)
    op = inst.ops[inst.index(name)]
    return {(start + off) % ii for off, u, _ in op.table if u == unit}


def test_flash_fwd_hopper_ping_pong(solved: dict) -> None:
    inst, res, _ = solved["flash_fwd_hopper"]
    assert res.status is Status.OPTIMAL
    w = _warps(res)
    producer = w["ldK"]
    assert w["ldV"] == producer
    assert all(w[o] != producer for o in w if not o.startswith("ld"))  # loads alone
    group_a = {w["S_a"], w["P_a"], w["O_a"]}
    group_b = {w["S_b"], w["P_b"], w["O_b"]}
    assert len(group_a) == 1 and len(group_b) == 1 and group_a != group_b  # two consumer groups
    sol = res.solution
    # ping-pong: each group's EXP overlaps a GEMM of the other group
    gemm_b = _arc(inst, sol, "S_b", "tensor") | _arc(inst, sol, "O_b", "tensor")
    gemm_a = _arc(inst, sol, "S_a", "tensor") | _arc(inst, sol, "O_a", "tensor")
    assert _arc(inst, sol, "P_a", "exp") & gemm_b
    assert _arc(inst, sol, "P_b", "exp") & gemm_a


def test_flash_fwd_blackwell_roles(solved: dict) -> None:
    """FA4's split, out of the solver: a load warp, one MMA warp, two softmax groups that never
    run exp at once, a correction group (the model gives MMAs only their unknown barrier
    waits; which warps exist and who shares them is the solver's choice)."""
    inst, res, _ = solved["flash_fwd_blackwell"]
    assert res.status is Status.OPTIMAL
    w = _warps(res)
    producer = w["ldK"]
    assert w["ldV"] == producer and all(w[o] != producer for o in w if not o.startswith("ld"))
    # one dedicated MMA warp issuing all four MMAs, and nothing else
    mma = {w[o] for o in ("S_a", "S_b", "O_a", "O_b")}
    assert len(mma) == 1
    assert {o for o in w if w[o] in mma} == {"S_a", "S_b", "O_a", "O_b"}
    # two softmax groups, never running exp at the same time
    assert w["P_a"] != w["P_b"] and not ({w["P_a"], w["P_b"]} & (mma | {producer}))
    assert not (_arc(inst, res.solution, "P_a", "exp") & _arc(inst, res.solution, "P_b", "exp"))
    # a correction group apart from the softmax groups
    assert w["C_a"] == w["C_b"]
    assert w["C_a"] not in (w["P_a"], w["P_b"], producer, *mma)
    assert len(set(w.values())) == 5


def test_attn_bwd_blackwell_mma_warp(solved: dict) -> None:
    inst, res, _ = solved["attn_bwd_blackwell"]
    w = _warps(res)
    mma = {w[o.name] for o in inst.ops if o.unknown_wait}
    assert len(mma) == 1
    assert all(w[o.name] not in mma for o in inst.ops if o.warp_cycles or o.blocking)


@pytest.mark.parametrize("name", ["flash_fwd_hopper", "gemm_hopper", "attn_bwd_hopper"])
def test_ims_with_greedy_warps_is_valid(name: str) -> None:
    inst = bundled_loop(name)
    res = schedlab.solve(inst, "ims", time_limit=10)
    assert res.solution is not None and res.solution["ii"] >= inst.mii_bound()
    inst.simulate(res.solution)
