"""Figures for the command line: the CLI picks the family's plot, builds and saves the figure.

Plot functions (``Family.plot``) draw on a matplotlib ``Axes`` and return the figure; the
CLI owns the file: it checks the format before any work, and saves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import api
from ..core.errors import SchedlabError


def _matplotlib() -> Any:
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - depends on the environment
        raise SchedlabError("plotting needs matplotlib: pip install 'schedlab[plot]'") from None
    return matplotlib, Figure


def check_image_path(out: str) -> None:
    """Fail early (before a solve) if ``out`` has no image format matplotlib can write."""
    _, figure_cls = _matplotlib()
    formats = figure_cls().canvas.get_supported_filetypes()
    suffix = Path(out).suffix.lower().lstrip(".")
    if suffix not in formats:
        known = ", ".join(sorted(formats))
        raise SchedlabError(f"{out}: cannot write a {suffix or 'suffix-less'} image (use {known})")


def family_of_solution(solution: dict[str, Any]) -> str | None:
    """The family whose solutions look like ``solution``, if exactly one claims it."""
    names = [
        f.name
        for f in (api.family(n) for n in api.family_names())
        if f.solution_matches is not None and f.solution_matches(solution)
    ]
    return names[0] if len(names) == 1 else None


def save_plot(
    problem: str, instance: Any | None, solution: dict[str, Any], out: str, title: str | None
) -> None:
    """Draw a solution with its family's plot and save it to ``out`` (format by suffix)."""
    check_image_path(out)
    plot = api.family(problem).plotter()
    if plot is None:
        raise SchedlabError(f"family {problem} has no plot")
    fig = plot(instance, solution, None, title)
    fig.savefig(out, dpi=120)


def save_figure(fig: Any, out: str) -> None:
    """Save a figure built elsewhere (e.g. a performance profile)."""
    check_image_path(out)
    fig.savefig(out, dpi=120)
