"""A one-machine schedule: jobs as bars in processing order, tardy jobs in red."""

from __future__ import annotations

from typing import Any

from ..core import SchedlabError
from . import require_matplotlib


def plot(
    instance: Any | None, solution: dict[str, Any], out: str, title: str | None = None
) -> None:
    """Draw the sequence as a Gantt bar with due dates; needs the instance."""
    if instance is None:
        raise SchedlabError("an smtt plot needs the instance: pass --instance")
    obj = instance.check(solution)
    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(12, 2.8))
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
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def matches(solution: dict[str, Any]) -> bool:
    """True for an smtt solution."""
    return isinstance(solution, dict) and set(solution) == {"sequence"}
