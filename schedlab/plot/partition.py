"""The latency/period front of a partition solution, with the baselines' points."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import require_matplotlib

_STYLE = {
    "exact": ("#1f77b4", "o"),
    "dp": ("#17becf", "D"),
    "nsga2": ("#ff7f0e", "^"),
    "greedy": ("#2ca02c", "s"),
    "split": ("#d62728", "x"),
}


def _points(solution: Mapping[str, Any]) -> list[tuple[float, float]]:
    return [(float(p["latency"]), float(p["period"])) for p in solution.get("front", [])]


def plot_fronts(
    instance: Any | None,
    fronts: Mapping[str, Mapping[str, Any]],
    out: str,
    title: str | None = None,
) -> None:
    """Draw several fronts (name -> solution JSON): latency against period, each a
    staircase of its points; the first is drawn as the main front."""
    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(8, 5.5))
    for k, (name, sol) in enumerate(fronts.items()):
        pts = sorted(_points(sol))
        if not pts:
            continue
        color, marker = _STYLE.get(name, (f"C{k}", "v"))
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
    name = getattr(instance, "name", None)
    ax.set_title(title or (f"{name}: latency / period front" if name else "latency / period front"))
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def plot(
    instance: Any | None, solution: dict[str, Any], out: str, title: str | None = None
) -> None:
    """Draw the front; with the instance, the ``split`` and ``greedy`` baselines' points too
    (both are fast and deterministic)."""
    fronts: dict[str, Mapping[str, Any]] = {"front": solution}
    if instance is not None:
        instance.check(solution)
        from ..core import solve

        for m in ("greedy", "split"):
            res = solve(instance, m)
            if res.solution is not None:
                fronts[m] = res.solution
    plot_fronts(instance, fronts, out, title)


def matches(solution: dict[str, Any]) -> bool:
    """True for a partition solution."""
    return isinstance(solution, dict) and set(solution) == {"front"}
