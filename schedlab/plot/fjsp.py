"""A flexible job-shop schedule as a Gantt chart: one row per machine, one colour per job,
the makespan marked."""

from __future__ import annotations

from typing import Any

from ..core import SchedlabError
from . import require_matplotlib


def _rows(solution: dict[str, Any]) -> list[dict[str, int]]:
    if not matches(solution):
        raise SchedlabError('not an fjsp solution: expected {"operations": [...]}')
    return list(solution["operations"])


def plot(
    instance: Any | None, solution: dict[str, Any], out: str, title: str | None = None
) -> None:
    """Draw the Gantt chart of ``solution`` to ``out``; with the instance, the solution is
    checked first and idle machines get a row too."""
    if instance is not None:
        instance.check(solution)
    rows = _rows(solution)
    if not rows:
        raise SchedlabError("the solution has no operations")
    plt = require_matplotlib()
    n_mach = max(r["machine"] for r in rows) + 1
    if instance is not None:
        n_mach = max(n_mach, instance.machines)
    n_jobs = max(r["job"] for r in rows) + 1
    cmax = max(r["end"] for r in rows)
    cmap = plt.get_cmap("tab20" if n_jobs > 10 else "tab10")
    height = max(2.5, 0.45 * n_mach + 1.2)
    fig, ax = plt.subplots(figsize=(13, height))
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
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def matches(solution: dict[str, Any]) -> bool:
    """True for an fjsp solution."""
    if not isinstance(solution, dict) or set(solution) != {"operations"}:
        return False
    ops = solution["operations"]
    return isinstance(ops, list) and all(
        isinstance(r, dict) and {"job", "op", "machine", "start", "end"} <= set(r) for r in ops
    )
