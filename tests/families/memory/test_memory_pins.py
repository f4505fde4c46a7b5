"""Pinned re-solves (``pinned=``: some offsets kept, the rest placed around them) and hints
(``hint=``) in ``exact`` and the greedy placements."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import schedlab
from schedlab.core import SolveError, Status
from schedlab.families.memory import model as M
from schedlab.families.memory.generate import generate_allocation, generate_mapping

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "instances" / "memory" / "minimalloc" / "examples" / "input.12.csv"
PLACERS = ["greedy-size", "greedy-breadth", "first-fit", "greedy-best", "exact"]


def _tight() -> M.Allocation:
    """a and b live together, c after them: the optimum stacks a and b (peak 8) and puts c
    at 0."""
    return M.Allocation(
        buffers=(M.Buffer("a", 0, 2, 4), M.Buffer(2, 0, 2, 4), M.Buffer("c", 2, 4, 8)),
        name="tight",
    )


@pytest.mark.parametrize("method", PLACERS)
def test_pinned_buffers_keep_their_offsets(method: str) -> None:
    inst = generate_allocation(40, 30, slack=-1, seed=9)
    plan = schedlab.solve(inst, "greedy-size").solution
    assert plan is not None
    keep = {b.id: plan["offsets"][b.id] for b in inst.buffers[::3]}
    res = schedlab.solve(inst, method, pinned=keep, time_limit=20)
    assert res.solution is not None
    for bid, o in keep.items():
        assert res.solution["offsets"][bid] == o
    assert res.info["pinned"] == len(keep)
    # the plan itself (the whole solution dict, string keys) pins everything
    text = json.loads(json.dumps(plan))
    res = schedlab.solve(inst, method, pinned=text, time_limit=20)
    assert res.solution is not None and res.solution["offset_list"] == plan["offset_list"]


def test_exact_claims_optimal_only_against_the_original_bound() -> None:
    inst = _tight()
    free = schedlab.solve(inst, "exact")
    assert free.status is Status.OPTIMAL and free.objective == 8
    # c pinned above a and b's space: the pinned optimum (12) is not the original's
    res = schedlab.solve(inst, "exact", pinned={"c": 4})
    assert res.solution is not None and res.objective == 12
    assert res.status is Status.FEASIBLE and res.bound == 8 == inst.max_load
    assert res.info["pinned_optimal"] is True
    # pins that an optimum keeps: still optimal
    res = schedlab.solve(inst, "exact", pinned={"c": 0, "2": 4})
    assert res.status is Status.OPTIMAL and res.objective == 8
    assert res.solution["offsets"][2] == 4
    # pins without a placement within the capacity: unknown, not infeasible
    capped = inst.with_capacity(8)
    res = schedlab.solve(capped, "exact", pinned={"c": 0, "a": 2})
    assert res.status is Status.UNKNOWN and res.info["pinned_infeasible"] is True
    assert schedlab.solve(capped, "exact").status is Status.OPTIMAL


def test_exact_pinned_under_a_work_limit_claims_nothing_more() -> None:
    inst = schedlab.read(str(ROOT / "instances/memory/minimalloc/challenging/E.1048576.csv"))
    first = inst.buffers[0]
    res = schedlab.solve(inst, "exact", pinned={first.id: 0}, work_limit=1000)
    assert res.status is Status.UNKNOWN and res.info["pinned_optimal"] is False
    assert res.info["work"] == 1000


@pytest.mark.parametrize(
    ("pinned", "message"),
    [
        ({"zz": 0}, "unknown buffer id 'zz'"),
        ({"a": -4}, "negative offset"),
        ({"a": "4"}, "offset must be an integer"),
        ({"a": True}, "offset must be an integer"),
        ({"a": None}, "for mapping instances only"),
        ({"a": 0, 2: 2}, "overlap"),
        ({"a": 6}, "beyond the capacity 8"),
        ({"2": 0, 2: 4}, "pinned twice"),
        ([1, 2], "pinned must map buffer ids to offsets"),
        ({"a": 2**70}, "64 bits"),
    ],
)
@pytest.mark.parametrize("method", PLACERS)
def test_bad_pins_are_clear_errors(pinned: Any, message: str, method: str) -> None:
    inst = _tight().with_capacity(8)
    with pytest.raises(SolveError, match=message) as ei:
        schedlab.solve(inst, method, pinned=pinned)
    assert str(ei.value).startswith(f"{method}: pinned")


def test_pins_respect_alignment_and_fixed_offsets() -> None:
    inst = M.Allocation(
        buffers=(M.Buffer("a", 0, 2, 4, alignment=4), M.Buffer("f", 0, 2, 4, offset=4))
    )
    with pytest.raises(SolveError, match="not a multiple of its alignment 4"):
        schedlab.solve(inst, "exact", pinned={"a": 2})
    with pytest.raises(SolveError, match="fixed at 4, pinned at 0"):
        schedlab.solve(inst, "exact", pinned={"f": 0})
    with pytest.raises(SolveError, match="overlap"):
        schedlab.solve(inst, "greedy-size", pinned={"a": 4})
    res = schedlab.solve(inst, "exact", pinned={"a": 0, "f": 4})
    assert res.status is Status.OPTIMAL and res.objective == 8


def test_mapping_pins_may_keep_a_buffer_in_slow_memory() -> None:
    inst = generate_mapping(30, "chain", 0.5, seed=4)
    free = schedlab.solve(inst, "greedy-size")
    fast = [
        b.id
        for b, o in zip(inst.buffers, free.solution["offset_list"], strict=True)
        if o is not None
    ]
    res = schedlab.solve(inst, "greedy-size", pinned={fast[0]: None, fast[1]: 0})
    assert res.solution["offsets"][fast[0]] is None and res.solution["offsets"][fast[1]] == 0
    assert res.info["pinned"] == 2
    with pytest.raises(SolveError, match="greedy-best is for allocation"):
        schedlab.solve(inst, "greedy-best", pinned={fast[0]: None})


def test_cli_parses_pins_as_json(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from schedlab.cli.main import main

    out = tmp_path / "s.json"
    args = ["solve", str(EXAMPLE), "-m", "exact", "-p", 'pinned={"b5": 4}', "-o", str(out)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text())["offsets"]["b5"] == 4
    res = CliRunner().invoke(main, ["solve", str(EXAMPLE), "-m", "exact", "-p", 'pinned={"x": 4}'])
    assert res.exit_code == 2 and "unknown buffer id 'x'" in res.output


def test_compact_never_raises_a_buffer() -> None:
    from schedlab.families.memory.methods import _placement

    rng = np.random.default_rng(3)
    for seed in range(8):
        inst = generate_allocation(40, 25, slack=-1, seed=seed)
        sz = inst.arrays[2]
        # a valid but loose placement: buffers stacked in a random order with random gaps
        order = rng.permutation(inst.n)
        off = np.zeros(inst.n, np.int64)
        top = 0
        for i in order:
            top += int(rng.integers(0, 5))
            off[i] = top
            top += int(sz[i])
        inst.check({"offsets": dict(zip(inst.ids, off.tolist(), strict=True))})
        low = _placement.compact(inst, off)
        assert (low <= off).all()
        inst.check({"offsets": dict(zip(inst.ids, low.tolist(), strict=True))})


@pytest.mark.parametrize("method", ["greedy-size", "greedy-breadth", "first-fit", "greedy-best"])
def test_greedy_methods_return_a_better_hint(method: str) -> None:
    inst = schedlab.read(str(ROOT / "instances/memory/minimalloc/challenging/K.1048576.csv"))
    best = schedlab.solve(inst, "exact", work_limit=10**6)
    assert best.status is Status.OPTIMAL
    free = inst.with_capacity(None)
    plain = schedlab.solve(free, method)
    hinted = schedlab.solve(free, method, hint=best.solution)
    assert plain.objective > best.objective  # the rule alone misses the optimum
    assert hinted.objective == best.objective and hinted.status is Status.OPTIMAL
    assert hinted.info.get("from_hint") or hinted.info.get("variant") == "hint"


def test_exact_starts_from_the_hint() -> None:
    inst = schedlab.read(str(ROOT / "instances/memory/minimalloc/challenging/B.1048576.csv"))
    found = schedlab.solve(inst, "exact", work_limit=2 * 10**6)
    assert found.solution is not None
    free = inst.with_capacity(None)
    # within a budget too small to search, the incumbent is the (compacted) hint
    res = schedlab.solve(free, "exact", hint=found.solution, work_limit=10)
    assert res.info["hint_peak"] <= found.objective
    assert res.objective <= found.objective
    # with a capacity, the hint is a placement within it: no search needed
    res = schedlab.solve(inst, "exact", hint=found.solution, work_limit=10)
    assert res.solution is not None and res.info["steps"] == 0


def test_a_hint_the_pins_contradict_is_ignored() -> None:
    inst = _tight()
    hint = schedlab.solve(inst, "exact").solution
    res = schedlab.solve(inst, "greedy-size", hint=hint, pinned={"c": 4})
    assert res.solution["offsets"]["c"] == 4
    assert res.info["hint"].startswith("ignored: ")
