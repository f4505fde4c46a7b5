"""A one-machine schedule: jobs as bars in processing order, tardy jobs in red."""

from __future__ import annotations

from typing import Any

from ...core.errors import SchedlabError
from .model import Instance


def plot(
    instance: Instance | None,
    solution: dict[str, Any],
    ax: Any | None = None,
    title: str | None = None,
) -> Any:
    """Draw the sequence as a Gantt bar with due dates (ticks) and return the figure.

    Draws on ``ax`` (a matplotlib ``Axes``) if given, else on a new
    ``matplotlib.figure.Figure``; needs the instance. Saving is the caller's.
    """
    if instance is None:
        raise SchedlabError("an smtt plot needs the instance: pass --instance")
    obj = instance.check(solution)
    from matplotlib.figure import Figure

    if ax is None:
        fig = Figure(figsize=(12, 2.8))
        ax = fig.add_subplot()
        own = True
    else:
        fig = ax.figure
        own = False
    t = 0
    for j in solution["sequence"]:
        p, d = instance.p[j], instance.d[j]
        tardy = t + p > d
        ax.barh(0, p, left=t, color="#d62728" if tardy else "#2ca02c", edgecolor="white")
        ax.plot([d, d], [0.45, 0.6], color="black", lw=0.8)
        if instance.n <= 60:
            ax.text(t + p / 2, 0, str(j), ha="center", va="center", fontsize=7, color="white")
        t += p
    ax.set_yticks([])
    ax.set_xlabel("time (ticks: due dates)")
    ax.set_title(f"{title or instance.name}: total weighted tardiness {obj:g} (red: tardy)")
    if own:
        fig.tight_layout()
    return fig
