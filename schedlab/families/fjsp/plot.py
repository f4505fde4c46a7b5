"""A flexible job-shop schedule as a Gantt chart: one row per machine, one colour per job,
the makespan marked."""

from __future__ import annotations

from typing import Any

from ...core.errors import SchedlabError
from .model import Instance, is_solution


def plot(
    instance: Instance | None,
    solution: dict[str, Any],
    ax: Any | None = None,
    title: str | None = None,
) -> Any:
    """Draw the Gantt chart of ``solution`` and return the figure.

    Draws on ``ax`` (a matplotlib ``Axes``) if given, else on a new
    ``matplotlib.figure.Figure``. The instance is optional: with it, the solution is checked
    first and idle machines get a row too. Saving is the caller's.
    """
    if instance is not None:
        instance.check(solution)
    if not is_solution(solution):
        raise SchedlabError('not an fjsp solution: expected {"operations": [...]}')
    rows = list(solution["operations"])
    if not rows:
        raise SchedlabError("the solution has no operations")
    import matplotlib
    from matplotlib.figure import Figure

    n_mach = max(r["machine"] for r in rows) + 1
    if instance is not None:
        n_mach = max(n_mach, instance.machines)
    n_jobs = max(r["job"] for r in rows) + 1
    cmax = max(r["end"] for r in rows)
    cmap = matplotlib.colormaps["tab20" if n_jobs > 10 else "tab10"]
    if ax is None:
        fig = Figure(figsize=(13, max(2.5, 0.45 * n_mach + 1.2)))
        ax = fig.add_subplot()
        own = True
    else:
        fig = ax.figure
        own = False
    label = len(rows) <= 400
    for r in rows:
        dur = r["end"] - r["start"]
        ax.barh(
            r["machine"],
            dur,
            left=r["start"],
            height=0.8,
            color=cmap(r["job"] % cmap.N),
            edgecolor="black",
            linewidth=0.4,
        )
        if label and dur >= cmax / 60:
            ax.text(
                r["start"] + dur / 2,
                r["machine"],
                f"{r['job']}.{r['op']}",
                ha="center",
                va="center",
                fontsize=6,
            )
    ax.axvline(cmax, color="red", linestyle="--", linewidth=1.2)
    ax.text(cmax, n_mach - 0.4, f" makespan {cmax}", color="red", va="bottom", fontsize=8)
    ax.set_yticks(range(n_mach))
    ax.set_yticklabels([f"M{m}" for m in range(n_mach)])
    ax.set_ylim(n_mach - 0.4, -0.6)
    ax.set_xlim(0, cmax * 1.08)
    ax.set_xlabel("time")
    name = title or (instance.name if instance is not None else "fjsp")
    ax.set_title(f"{name}: makespan {cmax} (labels job.operation, colour by job)")
    if own:
        fig.tight_layout()
    return fig
