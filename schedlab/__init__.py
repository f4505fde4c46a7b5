"""schedlab: scheduling and allocation problems of compilers and computing systems, stated as
constraint and integer programs, solved with OR-Tools CP-SAT and HiGHS, and measured against
heuristic baselines and best-known values.

The public API::

    import schedlab
    inst = schedlab.read("instances/smtt/wt40.txt#1")
    res = schedlab.solve(inst, method="auto", time_limit=10, threads=2, seed=0)
    print(res.status, res.objective, res.bound)
"""

from .core import (
    Instance,
    InstanceError,
    Method,
    Result,
    SchedlabError,
    SolutionError,
    SolveError,
    SolveOptions,
    Status,
    check,
    load,
    methods,
    read,
    solve,
    versions,
    warm_up,
)

__version__ = "0.1.0"

__all__ = [
    "Instance",
    "InstanceError",
    "Method",
    "Result",
    "SchedlabError",
    "SolutionError",
    "SolveError",
    "SolveOptions",
    "Status",
    "__version__",
    "check",
    "load",
    "methods",
    "read",
    "solve",
    "versions",
    "warm_up",
]
