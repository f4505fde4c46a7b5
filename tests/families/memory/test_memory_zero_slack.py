"""Zero-slack allocation instances: the witness packing, the capacity, the CLI flags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from schedlab.cli.main import main
from schedlab.core.errors import InstanceError
from schedlab.families.memory import formats
from schedlab.families.memory.generate import generate_zero_slack, zero_slack_packing
from schedlab.families.memory.methods._canonical import (
    MergedRun,
    RestartRun,
    feasible,
    merged,
    prepare,
)
from schedlab.families.memory.model import Allocation, Buffer


@pytest.mark.parametrize("pieces,removed", [(1, 0.0), (60, 0.0), (200, 0.0), (120, 0.1)])
def test_zero_slack_witness(pieces: int, removed: float) -> None:
    inst, witness = zero_slack_packing(pieces, seed=3, removed=removed)
    assert inst.n == pieces - round(removed * pieces)
    assert inst.capacity == 2**20
    assert inst.check(witness) <= inst.capacity  # the construction is a packing
    if removed == 0:
        assert inst.max_load == inst.capacity  # no slack at all
        horizon = 4 * pieces  # every moment covered exactly: total area = horizon x height
        assert sum(b.size * (b.upper - b.lower) for b in inst.buffers) == horizon * 2**20
    assert generate_zero_slack(pieces, 3, removed).buffers == inst.buffers  # seeded


def test_zero_slack_bad_arguments() -> None:
    for kw in ({"pieces": 0}, {"removed": 1.0}, {"removed": -0.1}):
        with pytest.raises(InstanceError):
            generate_zero_slack(**kw)  # type: ignore[arg-type]


def test_zero_slack_cli(tmp_path: Path) -> None:
    r = CliRunner()
    out = tmp_path / "z.csv"
    res = r.invoke(
        main,
        ["generate", "memory", "--zero-slack", "--pieces", "30", "--seed", "1", "-o", str(out)],
    )
    assert res.exit_code == 0, res.output
    inst = formats.read(str(out))
    assert inst.n == 30 and inst.max_load == 2**20
    for args in (["--pieces", "5"], ["--zero-slack", "--removed", "1.5"],
                 ["--zero-slack", "--pieces", "0"], ["--zero-slack", "--copies", "1"]):  # fmt: skip
        res = r.invoke(main, ["generate", "memory", *args])
        assert res.exit_code == 2, (args, res.output)


def test_exact_places_a_zero_slack_instance_repeatably() -> None:
    """Seed 1 of 200 pieces is not placed by the canonical search alone within 20 s; the
    searches of the merged restriction place it (in about 1,600 steps; the skyline fill
    search alone took about 740,000), the same way twice."""
    import schedlab
    from schedlab.core import Status

    inst = generate_zero_slack(200, 1)
    a = schedlab.solve(inst, "exact", work_limit=1_500_000)
    b = schedlab.solve(inst, "exact", work_limit=1_500_000)
    assert a.status is Status.OPTIMAL and a.objective == inst.capacity
    assert a.solution == b.solution and a.info["steps"] == b.info["steps"]


def _alloc(spec: list[tuple[int, int, int]], cap: int) -> Allocation:
    return Allocation(
        buffers=tuple(
            Buffer(id=i, lower=lo, upper=up, size=z) for i, (lo, up, z) in enumerate(spec)
        ),
        capacity=cap,
    )


def test_merged_stacks_and_joins_to_a_fixpoint() -> None:
    """A and B (one lifetime) stack (the larger below); C, of their total size, starts when
    they end: joined; D then shares the joined lifetime: stacked on top. One buffer."""
    inst = _alloc([(0, 2, 3), (0, 2, 2), (2, 4, 5), (0, 4, 1)], 6)
    out = merged(prepare(inst))
    assert out is not None
    q, members = out
    assert q.n == 1 and q.sz.tolist() == [6]
    assert sorted(members[0]) == [(0, 0), (1, 3), (2, 0), (3, 5)]
    # nothing shares a lifetime nor continues one: no restriction
    assert merged(prepare(_alloc([(0, 2, 3), (1, 3, 2), (2, 4, 4)], 9))) is None


def test_a_placement_of_the_merged_restriction_is_one_of_the_instance() -> None:
    inst = generate_zero_slack(120, 5, 0.1)
    p = prepare(inst)
    out = merged(p)
    assert out is not None
    q, members = out
    assert q.n < 0.5 * p.n
    run = MergedRun(RestartRun(q, inst.capacity), members, p.n)
    assert run.step(10**7) == 1
    off = np.zeros(inst.n, np.int64)
    off[p.keep] = run.off
    assert inst.check({"offsets": dict(enumerate(off.tolist()))}) <= inst.capacity


def test_an_exhausted_restriction_proves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A restriction without a placement (here: everything stacked, above the capacity)
    drops out; the searches of the instance itself still place it (seed 4: none of them
    in its first slice, so the restriction's search reports before they place it)."""
    from schedlab.families.memory.methods import _canonical

    inst = generate_zero_slack(40, 4)
    p = prepare(inst)

    def stacked(p: _canonical.Prep) -> tuple[_canonical.Prep, list[list[tuple[int, int]]]]:
        tall = _alloc([(0, 1, int(p.sz.sum()))], int(p.sz.sum()))
        return prepare(tall), [[(i, 0) for i in range(p.n)]]

    monkeypatch.setattr(_canonical, "merged", stacked)
    off, infeasible, _nodes = feasible(p, inst.capacity, fill=True)
    assert off is not None and not infeasible
    assert inst.check({"offsets": dict(enumerate(off.tolist()))}) <= inst.capacity


def test_the_restarted_search_repeats_under_a_work_limit() -> None:
    import schedlab
    from schedlab.core import Status

    inst = generate_zero_slack(600, 1, 0.1)
    a = schedlab.solve(inst, "exact", work_limit=2_000_000)
    b = schedlab.solve(inst, "exact", work_limit=2_000_000)
    assert a.status is Status.OPTIMAL and a.objective == inst.capacity
    assert a.solution == b.solution and a.info["steps"] == b.info["steps"]
