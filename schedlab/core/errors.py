"""Errors raised by schedlab.

Every error a user can cause derives from :class:`SchedlabError`; the CLI prints it on one
line and exits with status 2.
"""

from __future__ import annotations


class SchedlabError(Exception):
    """Base class of all errors schedlab raises on purpose."""


class InstanceError(SchedlabError, ValueError):
    """A problem instance (file, JSON or object) is malformed.

    ``file`` and ``line`` locate the problem when it comes from a file (``line`` is 1-based);
    ``path`` is the JSON path of the bad field (``$.buffers[3].size``) when there is one.
    """

    def __init__(
        self,
        message: str,
        file: str | None = None,
        line: int | None = None,
        path: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.path = path
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}"
            if self.line is not None:
                where += f", line {self.line}"
            where += ": "
        if self.path not in (None, "$") and not self.message.startswith(self.path):
            where += f"{self.path}: "
        return f"{where}{self.message}"


class SolutionError(SchedlabError, ValueError):
    """A solution is malformed or infeasible for its instance (raised by a model's checker)."""


class SolveError(SchedlabError, RuntimeError):
    """A solve could not be carried out: unknown method, bad option, or a solver returned
    something the model's checker rejects."""


class ClaimError(SolutionError):
    """A Result's claims (family, instance, status, objective, bound) do not match what its
    solution, checked from scratch, shows."""
