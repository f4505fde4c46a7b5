"""schedlab: scheduling and allocation problems of compilers and computing systems, stated as
constraint and integer programs, solved with OR-Tools CP-SAT and HiGHS, and measured against
heuristic baselines and best-known values.

The public API::

    import schedlab
    inst = schedlab.read("instances/smtt/wt40.txt#1")
    res = schedlab.solve(inst, method="auto", time_limit=10, threads=2, seed=0)
    print(res.status, res.objective, res.bound)
"""

from importlib import metadata as _metadata

from .api import (
    check,
    count,
    family,
    family_names,
    generate,
    load,
    methods,
    read,
    schema,
    solve,
    warm_up,
)
from .core import (
    CancelToken,
    Family,
    Instance,
    InstanceError,
    Method,
    Reader,
    Result,
    SchedlabError,
    SolutionError,
    SolveError,
    SolveOptions,
    Status,
    register,
    versions,
)
from .serve import Client

try:
    __version__ = _metadata.version("schedlab")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "CancelToken",
    "Client",
    "Family",
    "Instance",
    "InstanceError",
    "Method",
    "Reader",
    "Result",
    "SchedlabError",
    "SolutionError",
    "SolveError",
    "SolveOptions",
    "Status",
    "__version__",
    "check",
    "count",
    "family",
    "family_names",
    "generate",
    "load",
    "methods",
    "read",
    "schema",
    "register",
    "solve",
    "versions",
    "warm_up",
]
