"""Issue 19 (memory): limits at size (mapping greedies, mip and cpsat model building, the
exact search's pools), greedy placements of long traces, and empty inputs."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

import schedlab
from schedlab.core import InstanceError, Status
from schedlab.core.timing import clock
from schedlab.families.memory import model as M
from schedlab.families.memory.formats import parse_csv
from schedlab.families.memory.generate import generate_allocation, generate_mapping
from schedlab.families.memory.methods import _canonical, _mapping, mip

# -- empty inputs (issue item 7) --------------------------------------------------------


def test_a_mapping_without_steps_is_an_instance_error() -> None:
    doc = generate_mapping(10, seed=1).to_dict()
    del doc["steps"]
    with pytest.raises(InstanceError, match="steps") as e:
        schedlab.load(doc)
    assert e.value.path == "$.steps"
    with pytest.raises(InstanceError, match="at least one step"):
        schedlab.load({**doc, "steps": []})
    inst = generate_mapping(10, seed=1)
    with pytest.raises(InstanceError, match="at least one step"):
        M.Mapping(
            buffers=inst.buffers, capacity=inst.capacity, steps=(), fast_bandwidth=1.0,
            slow_bandwidth=1.0,
        )  # fmt: skip


def test_a_csv_with_only_a_header_is_an_instance_error(tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match="no buffers") as e:
        parse_csv("id,lower,upper,size\n", "h.csv")
    assert e.value.line == 1
    f = tmp_path / "empty.csv"
    f.write_text("\n\nid,lower,upper,size\n\n")
    with pytest.raises(InstanceError, match="no buffers") as e:
        schedlab.read(str(f))
    assert e.value.line == 3


# -- limits at size (issue item 3) ------------------------------------------------------


def test_map_greedy_stops_at_its_deadline_with_a_valid_mapping() -> None:
    """The kernel checks the deadline inside its loop: with one already passed it stops
    after a few choices, and what it placed is a valid (partial) mapping."""
    inst = generate_mapping(400, seed=3)
    ma = _mapping.mapping_arrays(inst)
    lo, up, sz, al, fx = inst.arrays
    args = (
        lo, up, sz, al, fx, int(inst.capacity or 0), ma.step_ptr, ma.step_buf, ma.step_bytes,
        ma.buf_ptr, ma.buf_step, ma.buf_bytes, ma.compute, ma.inv_fast, ma.inv_slow, 1.0, True,
    )  # fmt: skip
    from schedlab.families.memory.methods import _kernels

    full = _kernels.map_greedy(*args, np.inf)
    cut = _kernels.map_greedy(*args, clock() - 1.0)
    assert int((cut >= 0).sum()) < 16 < int((full >= 0).sum())
    for off in (full, cut):
        inst.check(
            {"offsets": dict(zip(inst.ids, [None if o < 0 else int(o) for o in off], strict=True))}
        )
    # and the portfolio returns XLA's complete mapping at least
    got = _mapping.benefit_offsets(inst, clock() - 1.0)
    assert np.array_equal(got, _mapping.xla_offsets(inst))


def test_mip_model_build_stops_at_its_deadline() -> None:
    inst = generate_mapping(300, seed=2)
    ma = _mapping.mapping_arrays(inst)
    assert mip._model(inst, ma, clock() - 1.0) is None
    assert mip._model(inst, ma) is not None


@pytest.mark.parametrize("method", ["benefit", "mip", "cpsat"])
def test_mapping_methods_hold_a_short_limit_at_size(method: str) -> None:
    """Before the fix the greedy start (quadratic) ran to its end whatever the limit."""
    inst = generate_mapping(3000, seed=1)
    schedlab.warm_up("memory", method)
    t = time.perf_counter()
    res = schedlab.solve(inst, method, time_limit=0.3, threads=1)
    assert res.runtime_s < 0.3 + 0.5
    assert time.perf_counter() - t < 0.3 + 2.0  # with the checker, on a loaded machine
    assert res.solution is not None and res.status is Status.FEASIBLE


def test_exact_search_pools_grow_on_demand(monkeypatch: pytest.MonkeyPatch) -> None:
    """The trails start small and grow only as the search needs: the search is the same."""
    inst = generate_allocation(n=60, horizon=30, seed=5, slack=-1.0)
    ref = schedlab.solve(inst, "exact", work_limit=20000)
    monkeypatch.setattr(_canonical, "_POOL", 1)
    small = schedlab.solve(inst, "exact", work_limit=20000)
    assert small.solution == ref.solution and small.info == ref.info


# -- long traces (issue item 4) ---------------------------------------------------------


def test_max_life_keeps_the_overlap_of_a_long_trace_bounded() -> None:
    inst = generate_allocation(n=2000, horizon=2000, seed=1, max_life=20, slack=-1.0)
    lo, up, _sz, _al, _fx = inst.arrays
    assert int((up - lo).max()) <= 20
    # the default keeps the old instances (seeded) unchanged
    assert generate_allocation(30, 40, seed=2) == generate_allocation(30, 40, seed=2, max_life=11)
    with pytest.raises(InstanceError, match="max_life"):
        generate_allocation(10, 10, max_life=0)


@pytest.mark.parametrize("method", ["greedy-size", "greedy-breadth", "first-fit"])
def test_greedy_places_a_long_trace(method: str) -> None:
    """A long trace with realistic overlap (each buffer with ~100 others) is placed, and the
    checker accepts it: a small version of the benchmark's
    200,000 and 1,000,000 buffers."""
    inst = generate_allocation(n=20000, horizon=20000, seed=1, max_life=100, slack=-1.0)
    schedlab.warm_up("memory", method)
    res = schedlab.solve(inst, method, time_limit=20)
    assert res.status in (Status.FEASIBLE, Status.OPTIMAL)
    assert res.objective is not None and res.objective >= inst.max_load


def test_generate_cli_max_life(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from schedlab.cli.main import main

    out = tmp_path / "a.csv"
    args = ["generate", "memory", "--kind", "allocation", "--n", "300", "--max-life", "5"]
    res = CliRunner().invoke(main, [*args, "-o", str(out)])
    assert res.exit_code == 0, res.output
    lo, up, _sz, _al, _fx = schedlab.read(str(out)).arrays
    assert int((up - lo).max()) <= 5
    res = CliRunner().invoke(main, [*args[:-1], "0"])
    assert res.exit_code == 2 and "max_life" in res.output
