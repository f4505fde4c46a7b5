"""The memory family: static buffer allocation (MiniMalloc CSV), fast/slow memory mapping
and memory-space assignment with prefetches and evictions, one instance class each
(:class:`~.model.Allocation`, :class:`~.model.Mapping`, :class:`~.msa.Msa`; see
:mod:`.model` and :mod:`.msa`)."""

from __future__ import annotations

from ...core.family import Family, Reader
from . import formats
from .generate import generate, generate_allocation, generate_mapping, generate_msa
from .model import (
    PROBLEM,
    Allocation,
    Buffer,
    Mapping,
    MemoryInstance,
    Step,
    is_solution,
)
from .msa import Msa

__all__ = [
    "Allocation",
    "Buffer",
    "Mapping",
    "MemoryInstance",
    "Msa",
    "Step",
    "family",
    "generate",
    "generate_allocation",
    "generate_mapping",
    "generate_msa",
    "samples",
]


def samples() -> list[MemoryInstance]:
    """Four tiny instances for the warm-up, which every method solves (each method the
    kind(s) it takes): a capacitated allocation (the canonical search proves a placement
    at the max load), the same without capacity (the greedy portfolio, the bisection of
    ``exact``) and a mapping program (XLA's order, the marginal-benefit greedy, the
    placements that skip what does not fit). Together they compile every kernel; a small
    msa program (prefetches and evictions: its methods run in Python and CP-SAT) loads the
    rest and gives the fuzz tests a document of that kind."""
    alloc = generate_allocation(n=12, horizon=10, slack=0.0, seed=1)
    return [alloc, alloc.with_capacity(None), generate_mapping(12, seed=1), generate_msa(8, seed=1)]


#: The memory family.
family = Family(
    name=PROBLEM,
    description="static buffer allocation (MiniMalloc CSV), fast/slow memory mapping and "
    "memory-space assignment with prefetches (msa)",
    instance_type=MemoryInstance,
    methods_package="schedlab.families.memory.methods",
    readers=(
        Reader(
            format=formats.FORMAT,
            description="MiniMalloc CSV (id,lower,upper,size[,...]); capacity from X.<cap>.csv",
            accepts=formats.accepts,
            read=formats.read,
        ),
    ),
    generators={
        "generate": generate,
        "generate_mapping": generate_mapping,
        "generate_allocation": generate_allocation,
        "generate_msa": generate_msa,
    },
    plot="schedlab.families.memory.plot:plot",
    solution_matches=is_solution,
    cli="schedlab.families.memory.cli:register",
    samples=samples,
)
