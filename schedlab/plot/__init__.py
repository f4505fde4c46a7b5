"""Figures (matplotlib, the ``plot`` extra): one module a family, ``schedlab.plot.<family>``,
exposing ``plot(instance, solution, out, title)``."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from ..core import FAMILIES, SchedlabError


def require_matplotlib() -> Any:
    """Import matplotlib with the Agg back-end, or explain how to install it."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the environment
        raise SchedlabError("plotting needs matplotlib: pip install 'schedlab[plot]'") from None
    return plt


def plot_solution(
    instance: Any | None,
    solution: dict[str, Any],
    out: str,
    title: str | None = None,
    problem: str | None = None,
) -> None:
    """Draw a solution of any family to ``out`` (format from its suffix)."""
    problem = problem or (instance.problem if instance is not None else None)
    if problem is None:
        for family in FAMILIES:
            mod = _module(family)
            if mod is not None and getattr(mod, "matches", lambda s: False)(solution):
                problem = family
                break
    if problem is None:
        raise SchedlabError("cannot tell the family of this solution: pass --instance")
    mod = _module(problem)
    if mod is None:
        raise SchedlabError(f"no plot for family {problem!r} yet")
    mod.plot(instance, solution, out, title)


def _module(family: str) -> Any | None:
    name = f"schedlab.plot.{family}"
    if family not in FAMILIES or importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)
