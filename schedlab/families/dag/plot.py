"""A task-graph schedule as a Gantt chart: one row per processor, the tasks as bars, the
communications between processors as arrows from the sender's end to the data's arrival on
the receiver's row (with the instance), the makespan marked."""

from __future__ import annotations

from typing import Any

from ...core.errors import SchedlabError
from .model import Instance, is_solution

#: Arrows drawn at most (the longest delays first).
MAX_ARROWS = 400


def plot(
    instance: Instance | None,
    solution: dict[str, Any],
    ax: Any | None = None,
    title: str | None = None,
) -> Any:
    """Draw the Gantt chart of ``solution`` and return the figure.

    Draws on ``ax`` (a matplotlib ``Axes``) if given, else on a new
    ``matplotlib.figure.Figure``. The instance is optional: with it, the solution is checked
    first, every processor gets a row (named), and the communications between processors are
    drawn (an arrow from the sending task's end to the data's arrival, dashed). Saving is the
    caller's.
    """
    if instance is not None:
        instance.check(solution)
    if not is_solution(solution):
        raise SchedlabError('not a dag solution: expected {"tasks": [...]}')
    rows = list(solution["tasks"])
    if not rows:
        raise SchedlabError("the solution has no tasks")
    import matplotlib
    from matplotlib.figure import Figure

    n_proc = max(int(r["processor"]) for r in rows) + 1
    if instance is not None:
        n_proc = max(n_proc, instance.n_processors)
    cmax = max(int(r["end"]) for r in rows)
    n_tasks = max(int(r["task"]) for r in rows) + 1
    cmap = matplotlib.colormaps["tab20"]
    if ax is None:
        fig = Figure(figsize=(13, max(2.5, 0.5 * n_proc + 1.2)))
        ax = fig.add_subplot()
        own = True
    else:
        fig = ax.figure
        own = False
    label = len(rows) <= 200
    where: dict[int, tuple[int, int, int]] = {}
    for r in rows:
        i, p, s, e = int(r["task"]), int(r["processor"]), int(r["start"]), int(r["end"])
        where[i] = (p, s, e)
        dur = e - s
        ax.barh(
            p,
            max(dur, cmax / 400),
            left=s,
            height=0.7,
            color=cmap(i % cmap.N),
            edgecolor="black",
            linewidth=0.4,
        )
        if label and dur >= cmax / 40:
            name = instance.task_names[i] if instance is not None else str(i)  # type: ignore[index]
            ax.text(s + dur / 2, p, name[:10], ha="center", va="center", fontsize=6)
    arrows = 0
    if instance is not None and len(where) == n_tasks:
        comms = []
        for a, b, vol in instance.edges:
            pa, _, ea = where[a]
            pb, _, _ = where[b]
            if pa == pb:
                continue
            d = instance.delay(vol, pa, pb)
            comms.append((d, a, b, pa, pb, ea))
        comms.sort(key=lambda c: -c[0])
        for d, _, _, pa, pb, ea in comms[:MAX_ARROWS]:
            ax.annotate(
                "",
                xy=(ea + d, pb),
                xytext=(ea, pa),
                arrowprops={
                    "arrowstyle": "->",
                    "color": "dimgray",
                    "linewidth": 0.6,
                    "linestyle": "--",
                    "alpha": 0.7,
                },
            )
            arrows += 1
    ax.axvline(cmax, color="red", linestyle="--", linewidth=1.2)
    ax.text(cmax, n_proc - 0.45, f" makespan {cmax}", color="red", va="bottom", fontsize=8)
    ax.set_yticks(range(n_proc))
    if instance is not None:
        ax.set_yticklabels([f"{nm} ({ty})" for nm, ty in instance.processors])
    else:
        ax.set_yticklabels([f"P{p}" for p in range(n_proc)])
    ax.set_ylim(n_proc - 0.4, -0.6)
    ax.set_xlim(0, max(1, cmax) * 1.08)
    ax.set_xlabel("time")
    name = title or (instance.name if instance is not None else "dag")
    what = f", {arrows} transfers between processors (dashed arrows)" if arrows else ""
    ax.set_title(f"{name}: makespan {cmax}{what}", fontsize=9)
    if own:
        fig.tight_layout()
    return fig
