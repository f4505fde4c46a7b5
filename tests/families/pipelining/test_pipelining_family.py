"""The family declaration: samples warm every method, readers, no engine on load, the
strongly connected components of the reduced model, time_limit=None."""

from __future__ import annotations

import subprocess
import sys

import schedlab
from schedlab.core import Status
from schedlab.families.pipelining import family, samples
from schedlab.families.pipelining.methods._modulo import strong_components


def test_family_declares_everything() -> None:
    assert schedlab.family("pipelining") is family
    assert [r.format for r in family.readers] == ["hatschet-graphml"]
    assert set(family.generators) == {"generate"}
    assert family.plotter() is not None
    assert {m.name for m in schedlab.methods("pipelining")} == {"mii", "ims", "cpsat", "mip"}


def test_samples_are_solved_by_every_method() -> None:
    warmed = schedlab.warm_up("pipelining")
    assert set(warmed) == {"mii", "ims", "cpsat", "mip"}
    plain, warped = samples()
    for method in ("ims", "cpsat", "mip"):
        assert schedlab.solve(plain, method).solution is not None
    res = schedlab.solve(warped, "cpsat")
    assert res.status is Status.OPTIMAL
    warps = {r["name"]: r["warp"] for r in res.solution["ops"]}
    assert warps["load"] != warps["mma"]  # the producer warp runs the load alone


def test_loading_the_family_and_running_ims_imports_no_engine() -> None:
    """Importing the family and every method module, and running ``ims`` and ``mii``, loads
    neither CP-SAT nor HiGHS / Pyomo nor matplotlib (other families are not loaded)."""
    code = (
        "import importlib, sys\n"
        "from schedlab.core import SolveOptions\n"
        "from schedlab.families.pipelining import family, samples\n"
        "for m in family.method_modules():\n"
        "    importlib.import_module(m)\n"
        "from schedlab.families.pipelining.methods.ims import solve_ims\n"
        "from schedlab.families.pipelining.methods.mii import solve_mii\n"
        "for s in samples():\n"
        "    assert solve_ims(s, SolveOptions()).solution is not None\n"
        "    solve_mii(s, SolveOptions())\n"
        "bad = {m.split('.')[0] for m in sys.modules} & {'ortools', 'pyomo', 'highspy', 'matplotlib'}\n"
        "print(sorted(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_strong_components_numbering() -> None:
    """Components numbered as Tarjan's search closes them, successors from the highest index
    down (the numbering picks the component the reduced model anchors)."""
    arcs = [(0, 4), (0, 5), (3, 0), (4, 2), (4, 3), (4, 6), (5, 1), (6, 1)]
    assert strong_components(7, [(a, b, 0) for a, b in arcs]) == [4, 0, 3, 4, 4, 1, 2]
    assert strong_components(0, []) == []
    assert strong_components(3, []) == [0, 1, 2]


def test_no_time_limit_runs_every_method_to_its_end() -> None:
    inst = schedlab.generate("pipelining", n=12, units=2, seed=7)
    for method in ("cpsat", "mip"):
        res = schedlab.solve(inst, method)
        assert res.status is Status.OPTIMAL and res.objective == res.bound
    assert schedlab.solve(inst, "ims").status is Status.FEASIBLE
