"""fjsp: the flexible job shop, FJc||C_max (minimise the makespan).

``J`` jobs, each a chain of operations; every operation runs on one of its eligible
machines, with a machine-dependent processing time; a machine runs one operation at a time.
A solution lists every operation's machine, start and end
(``{"operations": [{"job", "op", "machine", "start", "end"}, ...]}``, see :mod:`.model`).
Files: ``.fjs`` (Brandimarte, Hurink, ...; best-known values from a ``bounds.csv`` beside the
file, see :mod:`.formats`) and JSON.
"""

from __future__ import annotations

from ...core.family import Family
from .formats import READERS
from .generate import generate
from .model import PROBLEM, Instance, is_solution

__all__ = ["Instance", "family", "generate", "samples"]


def samples() -> list[Instance]:
    """Two tiny instances for the warm-up: every method solves them (the search methods
    with their default budgets), which compiles the tabu search's kernels and loads CP-SAT."""
    return [generate(3, 2, 3, seed=0), generate(4, 3, 4, seed=1)]


#: The fjsp family.
family = Family(
    name=PROBLEM,
    description="flexible job shop, makespan (FJc||C_max)",
    instance_type=Instance,
    methods_package="schedlab.families.fjsp.methods",
    readers=READERS,
    generators={"generate": generate},
    plot="schedlab.families.fjsp.plot:plot",
    solution_matches=is_solution,
    cli="schedlab.families.fjsp.cli:register",
    samples=samples,
    warmup_params={"tabu": {"iterations": 500}},
)
