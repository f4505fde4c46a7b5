"""The msa kind's tools: the large-neighbourhood search (``lns``, and ``cpsat`` on a model
too large), the generator
(``schedlab generate memory --copies``) and the plot of the fast memory over the steps with
the copy windows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import schedlab
from schedlab.cli.main import main
from schedlab.core import InstanceError
from schedlab.families.memory import Msa
from schedlab.families.memory.generate import generate_msa
from schedlab.families.memory.methods._msa import xla_msa


def test_lns_improves_on_xla_and_repeats() -> None:
    inst = generate_msa(40, "mixed", 0.15, seed=2, copy_engines=1)
    start = inst.check(xla_msa(inst))
    runs = [
        schedlab.solve(inst, "lns", threads=1, seed=3, work_limit=1.0, windows=2) for _ in range(2)
    ]
    for r in runs:
        assert r.solution is not None and r.status is schedlab.Status.FEASIBLE
        assert r.objective <= start + 1e-9
        assert r.info["lns_windows"] >= 1
    assert runs[0].objective == runs[1].objective
    assert runs[0].solution == runs[1].solution


def test_lns_when_the_model_is_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    from schedlab.families.memory.methods import _msa_cpsat

    monkeypatch.setattr(_msa_cpsat, "MAX_CANDIDATES", 10)
    inst = generate_msa(20, "chain", 0.2, seed=1, copy_engines=1)
    r = schedlab.solve(inst, "cpsat", threads=1, windows=1)
    assert r.info["lns_windows"] == 1 and r.info["candidates"] > 10
    assert r.objective <= inst.check(xla_msa(inst)) + 1e-9


def test_generator_options() -> None:
    inst = generate_msa(30, "chain", 0.25, seed=1, copy_ratio=2.0, copy_engines=3,
                        max_outstanding_prefetches=2, evictions=False)  # fmt: skip
    assert isinstance(inst, Msa)
    assert inst.copy_engines == 3 and inst.max_outstanding_prefetches == 2
    assert inst.copy_bandwidth == 2.0 * inst.slow_bandwidth and inst.evictions is False
    # weights from step 0 by default: the parameters that prefetches bring in
    assert any(b.lower == 0 and str(b.id).startswith("w") for b in inst.buffers[5:])
    with pytest.raises(InstanceError, match="copy_ratio"):
        generate_msa(30, copy_ratio=0)


def test_generate_cli_with_copies(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    res = CliRunner().invoke(
        main,
        ["generate", "memory", "--copies", "2", "--steps", "25", "--copy-ratio", "0.5",
         "--max-outstanding", "3", "--no-evictions", "-o", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert doc["kind"] == "msa" and doc["copy_engines"] == 2
    assert doc["max_outstanding_prefetches"] == 3 and doc["evictions"] is False
    inst = schedlab.read(str(out))
    assert isinstance(inst, Msa) and len(inst.steps) == 25
    res = CliRunner().invoke(main, ["generate", "memory", "--kind", "msa", "--steps", "10"])
    assert res.exit_code == 0 and json.loads(res.output)["copy_engines"] == 1
    res = CliRunner().invoke(main, ["generate", "memory", "--kind", "allocation", "--copies", "1"])
    assert res.exit_code != 0 and "--copies" in res.output


def test_plot_shows_pieces_and_copy_windows() -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from schedlab.families.memory.plot import plot

    inst = generate_msa(30, "transformer", 0.2, seed=1, copy_engines=1)
    r = schedlab.solve(inst, "xla")
    assert r.solution is not None
    fig = plot(inst, r.solution, title="x")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    sim = inst.simulate(r.solution)
    windows = sum(p.prefetch is not None for p in sim.pieces)
    windows += sum(p.occ_end > p.end for p in sim.pieces)
    assert windows > 0
    assert len(ax.patches) == len(sim.pieces) + windows
    assert ax.get_title().startswith(f"x: total time {sim.total:g}")


@pytest.mark.parametrize(
    ("method", "params"), [("xla", {}), ("cpsat", {}), ("lns", {"windows": 2}), ("mip", {})]
)
def test_msa_solutions_and_results_meet_the_schemas(method: str, params: dict) -> None:
    import jsonschema

    inst = generate_msa(16, "transformer", 0.2, seed=5, copy_engines=1)
    res = schedlab.solve(inst, method, threads=1, time_limit=10, **params)
    assert res.solution is not None and res.solution["schema_version"] == 1
    for kind, doc in (("solution", res.solution), ("result", res.to_dict())):
        v = jsonschema.Draft202012Validator(schedlab.schema("memory", kind))
        assert [e.message for e in v.iter_errors(doc)] == []
    text = json.loads(res.to_json())["solution"]
    assert inst.check(text) == pytest.approx(res.objective)
