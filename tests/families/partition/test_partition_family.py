"""The partition family: its declaration, warm-up samples and plug-in boundaries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import schedlab
from schedlab.families.partition import family, samples


def test_family_declaration() -> None:
    assert schedlab.family("partition") is family
    assert family.plotter() is not None
    assert family.solution_matches is not None
    assert family.solution_matches({"front": []})
    inst = schedlab.generate("partition", layers=4, seed=1)
    assert inst.n_layers == 4 and inst.name == "partition_L4_t2_d3_s1"
    assert {m.name for m in schedlab.methods("partition")} == {
        "exhaustive",
        "dp",
        "exact",
        "split",
        "greedy",
        "nsga2",
    }


def test_samples_warm_every_kernel() -> None:
    from schedlab.families.partition.methods import _kernels

    schedlab.warm_up("partition")
    for kernel in (_kernels.class_dp, _kernels.order_dp, _kernels.decode, _kernels.eval_pop):
        assert kernel.signatures, kernel
    for inst in samples():
        for m in ("exact", "exhaustive"):
            assert schedlab.solve(inst, m).status is schedlab.Status.OPTIMAL


def test_loading_the_family_imports_no_engine() -> None:
    code = (
        "import sys, schedlab; schedlab.family('partition'); "
        "schedlab.read('instances/partition/vit_base_8dev.json'); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'numba', 'pymoo', 'matplotlib', 'ortools', 'highspy', 'pyomo'}))"
    )
    out = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=str(Path(__file__).resolve().parents[3]),
    )
    assert out.stdout.strip() == "[]"
