"""The fjsp family object: declaration, generators, samples (the warm-up), lazy engines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import schedlab
from schedlab.families.fjsp import Instance, family, samples
from schedlab.families.fjsp.model import is_solution

MK = Path(__file__).resolve().parents[3] / "instances" / "fjsp"


def test_family_declaration() -> None:
    fam = schedlab.family("fjsp")
    assert fam is family and fam.instance_type is Instance
    assert set(fam.generators) == {"generate"}
    assert isinstance(schedlab.generate("fjsp", jobs=3, machines=2, ops=2, seed=1), Instance)
    assert [r.format for r in fam.readers] == ["fjs"]
    assert fam.solution_matches is is_solution
    assert all(isinstance(s, Instance) for s in samples()) and len(samples()) >= 1
    names = {m.name for m in schedlab.methods("fjsp")}
    assert names == {"spt", "mor", "mwkr", "lwkr", "fifo", "random", "cpsat", "lns", "rho", "tabu"}


def test_loading_the_family_and_running_a_rule_imports_no_engine() -> None:
    code = (
        "import sys, schedlab\n"
        "import schedlab.families.fjsp\n"
        "engines = ('ortools', 'highspy', 'pyomo', 'numba', 'matplotlib')\n"
        "assert not any(m in sys.modules for m in engines)\n"
        f"res = schedlab.solve({str(MK / 'mk01.fjs')!r}, 'mwkr')\n"
        "assert res.objective is not None\n"
        "assert not any(m in sys.modules for m in engines), "
        "[m for m in engines if m in sys.modules]\n"
    )
    subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=True)


def _signatures() -> dict[str, int]:
    from schedlab.families.fjsp.methods import _tabu

    return {
        name: len(obj.signatures)
        for name, obj in vars(_tabu).items()
        if hasattr(obj, "signatures") and hasattr(obj, "py_func")
    }


def test_samples_warm_every_method() -> None:
    """After the warm-up, no solve compiles a kernel (iteration-limited, timed, one and two
    threads)."""
    warmed = schedlab.warm_up("fjsp")
    assert set(warmed) == {m.name for m in schedlab.methods("fjsp")}
    before = _signatures()
    assert before["tabu_search"] >= 1 and before["heads"] >= 1, before
    inst = schedlab.read(MK / "mk01.fjs")
    schedlab.solve(inst, "tabu", iterations=50)
    schedlab.solve(inst, "tabu", iterations=50, threads=2, time_limit=5)
    schedlab.solve(inst, "tabu", time_limit=0.3)
    assert _signatures() == before


def test_samples_compile_the_kernels_in_a_fresh_process() -> None:
    code = (
        "import schedlab\n"
        "from schedlab.families.fjsp.methods import _tabu\n"
        "schedlab.warm_up('fjsp')\n"
        "assert _tabu.tabu_search.signatures and _tabu.heads.signatures\n"
    )
    subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=True)
