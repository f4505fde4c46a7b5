"""The memory family object: readers, generators, samples (the warm-up), lazy engines."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time

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
