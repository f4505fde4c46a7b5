"""The dag family object: declaration, generators, samples (the warm-up), lazy engines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import schedlab
from schedlab.families.dag import Instance, family, samples
from schedlab.families.dag.model import is_solution

INSTANCES = Path(__file__).resolve().parents[3] / "instances" / "dag"


def test_family_declaration() -> None:
    fam = schedlab.family("dag")
    assert fam is family and fam.instance_type is Instance
    assert set(fam.generators) == {"generate", "hoft"}
    assert isinstance(schedlab.generate("dag", v=5, processors=2, seed=1), Instance)
    hoft = schedlab.generate("dag", "hoft", v=6, cpus=2, gpus=1, seed=1)
    assert [t for _, t in hoft.processors] == ["cpu", "cpu", "gpu"]
    assert hoft.bandwidth[0][1] is None and hoft.bandwidth[0][2] == 1
    assert [r.format for r in fam.readers] == ["stg", "ds3", "wfformat", "dax", "topcuoglu"]
    assert fam.solution_matches is is_solution
    assert all(isinstance(s, Instance) for s in samples()) and len(samples()) >= 2
    names = {m.name for m in schedlab.methods("dag")}
    assert names == {"heft", "cpop", "peft", "random", "cpsat", "lns"}


def test_generator_is_seeded_and_validates() -> None:
    a = schedlab.generate("dag", v=30, processors=4, ccr=2.0, seed=3)
    b = schedlab.generate("dag", v=30, processors=4, ccr=2.0, seed=3)
    assert a == b and a.n == 30 and a.has_communication
    assert schedlab.generate("dag", v=30, processors=4, seed=4) != a
    import pytest

    with pytest.raises(schedlab.InstanceError):
        schedlab.generate("dag", v=0)


def test_loading_the_family_and_running_heft_imports_no_engine() -> None:
    code = (
        "import sys, schedlab\n"
        "import schedlab.families.dag\n"
        "engines = ('ortools', 'highspy', 'pyomo', 'numba', 'matplotlib')\n"
        "assert not any(m in sys.modules for m in engines)\n"
        "schedlab.methods('dag')\n"
        "assert not any(m in sys.modules for m in engines)\n"
        f"res = schedlab.solve({str(INSTANCES / 'topcuoglu2002_fig2.json')!r}, 'heft')\n"
        "assert res.objective == 80\n"
        "engines = ('ortools', 'highspy', 'pyomo', 'matplotlib')\n"
        "assert not any(m in sys.modules for m in engines), "
        "[m for m in engines if m in sys.modules]\n"
    )
    subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=True)


def _signatures() -> dict[str, int]:
    from schedlab.families.dag.methods import _kernels

    return {
        name: len(obj.signatures)
        for name, obj in vars(_kernels).items()
        if hasattr(obj, "signatures") and hasattr(obj, "py_func")
    }


def test_samples_warm_every_method() -> None:
    """After the warm-up, no solve compiles a kernel."""
    warmed = schedlab.warm_up("dag")
    assert set(warmed) == {m.name for m in schedlab.methods("dag")}
    before = _signatures()
    assert before["list_schedule"] >= 1 and before["left_shift"] >= 1, before
    inst = schedlab.read(str(INSTANCES / "stg" / "50" / "rand0001.stg#3"))
    for m in ("heft", "cpop", "peft"):
        schedlab.solve(inst, m)
    schedlab.solve(inst, "random", iterations=3)
    schedlab.solve(inst, "lns", iterations=2, cp_share=0.0, sub_limit=0.1)
    assert _signatures() == before
