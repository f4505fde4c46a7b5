"""schedlab's core: results, statuses, options and deadlines, errors, the family and method
registry. It names no family: families plug in through entry points."""

from .errors import ClaimError, InstanceError, SchedlabError, SolutionError, SolveError
from .family import Family, Reader
from .model import Instance
from .options import SolveOptions
from .registry import Method, SolverOutput, register
from .result import Result, relative_gap
from .status import Status
from .timing import CancelToken, Deadline, Work
from .versions import versions

__all__ = [
    "CancelToken",
    "ClaimError",
    "Deadline",
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
    "SolverOutput",
    "Status",
    "Work",
    "register",
    "relative_gap",
    "versions",
]
