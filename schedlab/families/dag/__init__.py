"""dag: task graphs on heterogeneous processors, minimise the makespan (HEFT's model).

``n`` tasks with per-processor execution times (a task may run only on some processors),
precedence edges with a data volume, processors with a type, and a communication delay
between processors (``ceil(volume / bandwidth) + latency``, zero on one processor); a
processor runs one task at a time, without preemption. Identical processors without
communication (``P|prec|C_max``, the STG set) is the special case. A solution lists every
task's processor, start and end (``{"tasks": [{"task", "processor", "start", "end"}]}``, see
:mod:`.model`). Files: STG (``FILE.stg#P``), DS3 job + SoC files, WfFormat JSON and Pegasus
DAX on a platform description, the Topcuoglu example and JSON (see :mod:`.formats`). The
online mode (jobs arriving over time on one SoC) is :mod:`.online`.
"""

from __future__ import annotations

from ...core.family import Family
from .formats import READERS
from .generate import generate, generate_hoft
from .model import PROBLEM, Instance, is_solution

__all__ = ["Instance", "family", "generate", "generate_hoft", "samples"]


def samples() -> list[Instance]:
    """Tiny instances for the warm-up: every method solves them (the search methods with
    small budgets), which compiles the list scheduler's kernels and loads CP-SAT: one with
    communication on heterogeneous processors, one on identical processors without."""
    return [
        generate(8, 3, ccr=1.0, seed=0),
        generate(8, 2, ccr=0.0, beta=0.0, seed=1),
    ]


#: The dag family.
family = Family(
    name=PROBLEM,
    description="task graphs on heterogeneous processors with communication, makespan",
    instance_type=Instance,
    methods_package="schedlab.families.dag.methods",
    readers=READERS,
    generators={"generate": generate, "hoft": generate_hoft},
    plot="schedlab.families.dag.plot:plot",
    solution_matches=is_solution,
    cli="schedlab.families.dag.cli:register",
    samples=samples,
    warmup_params={"random": {"iterations": 4}, "lns": {"iterations": 2}},
)
