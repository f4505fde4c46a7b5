"""The memory family object: readers, generators, samples (the warm-up), lazy engines."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import schedlab
from schedlab.families.memory import (
    Allocation,
    Mapping,
    MemoryInstance,
    Msa,
    family,
    samples,
)


def test_family_declaration() -> None:
    fam = schedlab.family("memory")
    assert fam is family and fam.instance_type is MemoryInstance
    assert set(fam.generators) == {
        "generate",
        "generate_mapping",
        "generate_allocation",
        "generate_msa",
    }
    assert isinstance(schedlab.generate("memory", steps=6, seed=1), Mapping)
    alloc = schedlab.generate("memory", "generate_allocation", n=5, horizon=10, seed=1)
    assert isinstance(alloc, Allocation)
    assert [r.format for r in fam.readers] == ["minimalloc-csv"]
    assert fam.solution_matches is not None and fam.solution_matches({"offsets": {}})
    assert {type(s) for s in samples()} == {Allocation, Mapping, Msa}


def test_loading_the_family_and_methods_imports_no_engine() -> None:
    code = (
        "import sys, schedlab\n"
        "from schedlab.core.registry import family_methods\n"
        "import schedlab.families.memory\n"
        "assert not any(m in sys.modules for m in ('ortools', 'highspy', 'numba', 'matplotlib'))\n"
        "family_methods('memory')\n"
        "assert not any(m in sys.modules for m in ('ortools', 'highspy', 'pyomo', 'matplotlib'))\n"
    )
    subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=True)


def _signatures() -> dict[str, int]:
    from schedlab.families.memory.methods import _kernels, _search

    out = {}
    for mod in (_kernels, _search):
        for name, obj in vars(mod).items():
            if hasattr(obj, "signatures") and hasattr(obj, "py_func"):
                out[f"{mod.__name__}.{name}"] = len(obj.signatures)
    return out


def test_samples_warm_every_method() -> None:
    """After the warm-up, no solve (kinds, capacities, fixed offsets, alignments, time
    limits) compiles a kernel."""
    warmed = schedlab.warm_up("memory")
    assert set(warmed) == {m.name for m in schedlab.methods("memory")}
    before = _signatures()
    entry = {"place_init", "place_steps", "skyline_init", "skyline_steps", "breadth",
             "map_greedy", "run", "overlaps", "set_root"}  # fmt: skip
    assert all(before[k] >= 1 for k in before if k.rsplit(".", 1)[1] in entry), before
    alloc = schedlab.generate("memory", "generate_allocation", n=30, horizon=20, slack=0.1, seed=4)
    bufs = tuple(
        b if i % 5 else type(b)(b.id, b.lower, b.upper, b.size, alignment=4)
        for i, b in enumerate(alloc.buffers)
    )
    aligned = Allocation(buffers=bufs, name="aligned")
    mapping = schedlab.generate("memory", steps=20, seed=5)
    t = time.perf_counter()
    for inst in (alloc, alloc.with_capacity(None), aligned, mapping):
        for m in schedlab.methods("memory"):
            for limit in (None, 5.0):
                with contextlib.suppress(schedlab.SolveError):  # the other kind
                    schedlab.solve(inst, m.name, time_limit=limit)
    assert _signatures() == before
    assert time.perf_counter() - t < 60


def test_warm_up_of_mip_alone_covers_its_placement_search() -> None:
    """In a new process, ``warm_up("memory", "mip")`` alone compiles (or loads) what the msa
    mip's placement of a relaxation's choice runs: on this 2000-step program the greedy
    orders exceed the capacity and the canonical search places the pieces (its compile,
    8.5 s with a cold cache, once landed inside a 3 s limit)."""
    code = (
        "import schedlab\n"
        "from schedlab.families.memory import generate_mapping, Msa\n"
        "from schedlab.families.memory.methods import _canonical\n"
        "from test_memory_family import _signatures\n"
        "schedlab.warm_up('memory', 'mip')\n"
        "calls = []\n"
        "inner = _canonical.feasible\n"
        "_canonical.feasible = lambda *a, **k: calls.append(1) or inner(*a, **k)\n"
        "before = _signatures()\n"
        "prog = generate_mapping(2000, 'chain', 0.1, seed=8)\n"
        "m = Msa.from_mapping(prog, copy_bandwidth=prog.slow_bandwidth, copy_engines=1)\n"
        "schedlab.solve(m, 'mip', time_limit=3, threads=2, seed=0)\n"
        "assert calls, 'the placement search did not run'\n"
        "new = {k: v for k, v in _signatures().items() if before.get(k) != v}\n"
        "assert not new, new\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [env.get("PYTHONPATH"), str(Path(__file__).parent)])
    )
    subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=True, env=env)
