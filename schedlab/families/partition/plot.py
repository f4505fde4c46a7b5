"""The latency/period front of a partition solution (and, optionally, other fronts beside it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...core.errors import SchedlabError

#: Colour and marker of the fronts of known methods (others take matplotlib's cycle).
STYLE = {
    "exact": ("#1f77b4", "o"),
    "dp": ("#17becf", "D"),
    "nsga2": ("#ff7f0e", "^"),
    "greedy": ("#2ca02c", "s"),
    "split": ("#d62728", "x"),
}


def _points(solution: Mapping[str, Any]) -> list[tuple[float, float]]:
    front = solution.get("front") if isinstance(solution, Mapping) else None
    if not isinstance(front, list):
        raise SchedlabError('a partition solution is {"front": [{"latency", "period", ...}]}')
    try:
        return sorted((float(p["latency"]), float(p["period"])) for p in front)
    except (TypeError, KeyError, ValueError):
        raise SchedlabError("every front point needs a numeric latency and period") from None


def plot(
    instance: Any | None,
    solution: dict[str, Any],
    ax: Any | None = None,
    title: str | None = None,
    *,
    others: Mapping[str, Mapping[str, Any]] | None = None,
    label: str = "front",
) -> Any:
    """Draw the front of ``solution``: latency against period, a staircase of its points.

    ``others`` (name -> solution) adds the points of further fronts, e.g. other methods' on
    the same instance; ``label`` names the main one in the legend (a method name takes that
    method's colour). The instance (optional) only names the figure. Draws on ``ax`` if
    given, else on a new :class:`matplotlib.figure.Figure`; returns the figure.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - depends on the environment
        raise SchedlabError("plotting needs matplotlib: pip install 'schedlab[plot]'") from None
    fronts = {label: _points(solution)}
    for name, sol in (others or {}).items():
        if name in fronts:
            raise SchedlabError(f"two fronts named {name!r}")
        fronts[name] = _points(sol)
    own = ax is None
    if ax is None:
        fig = Figure(figsize=(8, 5.5))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    for k, (name, pts) in enumerate(fronts.items()):
        if not pts:
            continue
        color, marker = STYLE.get(name, (f"C{k}", "v"))
        xs, ys = zip(*pts, strict=True)
        if k == 0:
            ax.step(xs, ys, where="post", color=color, lw=1.0, alpha=0.6)
        ax.scatter(
            xs,
            ys,
            s=28 if k == 0 else 22,
            color=color,
            marker=marker,
            label=f"{name} ({len(pts)} points)",
            zorder=3 if k else 2,
        )
    ax.set_xlabel("latency of one micro-batch (s)")
    ax.set_ylabel("period (s)  = micro-batch / throughput")
    inst_name = getattr(instance, "name", None)
    ax.set_title(
        title or (f"{inst_name}: latency / period front" if inst_name else "latency / period front")
    )
    ax.grid(True, alpha=0.3)
    ax.legend()
    if own:
        fig.tight_layout()
    return fig
