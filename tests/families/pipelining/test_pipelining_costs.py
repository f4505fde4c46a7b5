"""Twill's cost normalisation and the bundled kernels built from raw cycle counts."""

from __future__ import annotations

import itertools
import json

import pytest

from schedlab.families.pipelining.bundled import bundled_loop, data_dir
from schedlab.families.pipelining.costs import build_bundled, normalise_costs


def test_normalise_costs_keeps_ratios() -> None:
    assert normalise_costs([1024, 768, 128, 0, 1024]) == [8, 6, 1, 0, 8]
    assert normalise_costs([7, 14, 21]) == [1, 2, 3]
    raw = [1000, 1024, 768, 130]
    out = normalise_costs(raw, upper=300)
    assert sum(set(out)) <= 300 and all(x >= 1 for x in out)
    for i in range(len(raw)):
        for j in range(len(raw)):
            assert abs(raw[i] / raw[j] - out[i] / out[j]) <= 0.05 * raw[i] / raw[j]
    # exact: brute force over every vector with a total of at most 20

    def cross(v: tuple[int, ...]) -> int:
        return max(
            abs(a * y - b * x)
            for a, x in zip(raw, v, strict=True)
            for b, y in zip(raw, v, strict=True)
        )

    best = min(cross(v) for v in itertools.product(range(1, 18), repeat=4) if sum(v) <= 20)
    small = normalise_costs(raw, upper=20)
    assert sum(small) <= 20 and cross(tuple(small)) == best


@pytest.mark.parametrize(
    "name",
    [
        "gemm_hopper",
        "flash_fwd_hopper",
        "flash_fwd_blackwell",
        "attn_bwd_hopper",
        "attn_bwd_blackwell",
    ],
)
def test_bundled_kernels_are_built_from_raw_cycles(name: str) -> None:
    built = build_bundled(name)
    assert built.to_dict() == bundled_loop(name).to_dict()
    raw = json.loads((data_dir() / "raw" / f"{name}.json").read_text())
    # every normalised cost is raw / 128 here (all raw costs are multiples of 128: F = 0)
    for r, o in zip(raw["ops"], built.ops, strict=True):
        assert 128 * o.latency == r.get("latency", 0)
        assert 128 * o.warp_cycles == r.get("warp_cycles", 0)
        assert 128 * o.spill == r.get("spill", 0)
        assert o.cycles == (max(r["busy"].values()) if isinstance(r["busy"], dict) else r["busy"])
