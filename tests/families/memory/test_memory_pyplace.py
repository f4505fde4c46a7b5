"""The Python placement of small instances is the kernels' placement, and a fresh process
places a small instance without loading numba or any engine."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import schedlab
from schedlab.families.memory.methods import _kernels, _pyplace

FIVE = {
    "problem": "memory",
    "name": "five",
    "buffers": [
        {"id": "a", "lower": 0, "upper": 3, "size": 4},
        {"id": "b", "lower": 1, "upper": 4, "size": 8},
        {"id": 2, "lower": 2, "upper": 6, "size": 2},
        {"id": "d", "lower": 4, "upper": 7, "size": 4},
        {"id": "e", "lower": 5, "upper": 9, "size": 6},
    ],
}


@pytest.mark.parametrize("seed", range(40))
def test_python_placement_is_the_kernels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    lo = rng.integers(0, 30, n).astype(np.int64)
    up = lo + rng.integers(0 if seed % 7 == 0 else 1, 12, n)
    sz = rng.integers(0 if seed % 5 == 0 else 1, 40, n).astype(np.int64)
    al = rng.choice([1, 1, 2, 4, 8], n).astype(np.int64)
    fx = np.full(n, -1, np.int64)
    if seed % 3 == 0:
        fx[0] = 8 * int(rng.integers(0, 5))
    order = rng.permutation(n).astype(np.int64)
    cap = int(rng.integers(0, 200)) if seed % 2 else 0
    for best_fit in (True, False):
        for skip in (False, True):
            args = (order, lo, up, sz, al, fx, cap, best_fit, skip)
            want = _kernels.place(*args)
            got = _pyplace.place(*args)
            assert got.tolist() == want.tolist(), (best_fit, skip)
    times = np.unique(np.concatenate([lo, up]))
    assert (_pyplace.breadth(lo, up, sz, times) == _kernels.breadth(lo, up, sz, times)).all()


def test_a_fresh_process_places_a_small_instance_without_numba() -> None:
    code = (
        "import sys, json, schedlab\n"
        f"inst = json.loads({json.dumps(json.dumps(FIVE))})\n"
        "out = []\n"
        "for m in ('greedy-size', 'greedy-breadth', 'first-fit'):\n"
        "    r = schedlab.solve(inst, method=m)\n"
        "    out.append([r.status, r.objective, r.solution['offset_list']])\n"
        "heavy = ('numba', 'llvmlite', 'ortools', 'pandas', 'pyomo', 'highspy', 'scipy')\n"
        "print(json.dumps([out, sorted(m for m in heavy if m in sys.modules)]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    results, loaded = json.loads(done.stdout)
    assert loaded == []
    for method, (status, objective, offsets) in zip(
        ("greedy-size", "greedy-breadth", "first-fit"), results, strict=True
    ):
        res = schedlab.solve(FIVE, method=method)  # this process: kernels warm
        assert [res.status, res.objective, res.solution["offset_list"]] == [
            status,
            objective,
            offsets,
        ]
