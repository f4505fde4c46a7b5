"""schedlab's core: results, statuses, options, the method registry, errors and timing."""

from .api import (
    as_instance,
    check,
    count,
    load,
    methods,
    pick_auto,
    read,
    solve,
    split_address,
    warm_up,
)
from .errors import InstanceError, SchedlabError, SolutionError, SolveError
from .model import Instance
from .options import SolveOptions
from .registry import FAMILIES, Method, SolverOutput, register
from .result import Result, relative_gap
from .status import Status
from .timing import Deadline
from .versions import versions

__all__ = [
    "FAMILIES",
    "Deadline",
    "Instance",
    "InstanceError",
    "Method",
    "Result",
    "SchedlabError",
    "SolutionError",
    "SolveError",
    "SolveOptions",
    "SolverOutput",
    "Status",
    "as_instance",
    "check",
    "count",
    "load",
    "methods",
    "pick_auto",
    "read",
    "register",
    "relative_gap",
    "solve",
    "split_address",
    "versions",
    "warm_up",
]
