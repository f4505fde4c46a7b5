"""pipelining: software pipelining (modulo scheduling) with warp specialization on tensor-core
GPUs.

A loop body (ops with reservation tables, latencies, register and memory needs; dependence
edges with delays and iteration distances) is scheduled modulo an initiation interval II on a
machine with functional units, warps and register / shared-memory budgets; a solution gives
each op a start and a warp, its objective is ``ii * 1,000,000 + length`` (II first, then the
schedule length L). Files: JSON (bundled GPU kernels in ``data/loops``) and HatScheT GraphML
loop graphs (see :mod:`.formats`).
"""

from __future__ import annotations

from ...core.family import Family
from .formats import GRAPHML
from .generate import generate
from .model import PROBLEM, Edge, Instance, Machine, Op, is_solution

__all__ = ["Edge", "Instance", "Machine", "Op", "family", "generate", "samples"]


def samples() -> list[Instance]:
    """Two tiny instances every method solves at warm-up (loading CP-SAT and HiGHS): the
    running example (plain modulo scheduling) and a two-op loop on a producer warp and a
    consumer warp (the joint model of ``cpsat``; ``mip`` declines it)."""
    from .bundled import running_example

    machine = Machine(name="sample", units={"tma": 1, "tensor": 1}, warps=2, regs_per_warp=8)
    warped = Instance(
        machine=machine,
        ops=(
            Op("load", table=((0, "tma", 1),), latency=2, mem=1, variable_latency=True),
            Op("mma", table=((0, "tensor", 1), (1, "tensor", 1)), latency=1, regs=2),
        ),
        edges=(Edge(0, 1), Edge(1, 1, 0, 1)),
        name="sample-warps",
    )
    return [running_example(), warped]


#: The pipelining family.
family = Family(
    name=PROBLEM,
    description="software pipelining (modulo scheduling) with warp specialization on GPUs",
    instance_type=Instance,
    methods_package="schedlab.families.pipelining.methods",
    readers=(GRAPHML,),
    generators={"generate": generate},
    plot="schedlab.families.pipelining.plot:plot",
    solution_matches=is_solution,
    cli="schedlab.families.pipelining.cli:register",
    samples=samples,
)
