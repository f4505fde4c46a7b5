"""Memory placements: each buffer a rectangle (time x address)."""

from __future__ import annotations

from typing import Any

from ..core import SchedlabError
from . import require_matplotlib


def plot(
    instance: Any | None, solution: dict[str, Any], out: str, title: str | None = None
) -> None:
    """Draw buffers as rectangles [lower, upper) x [offset, offset + size); needs the
    instance (slow-memory buffers of a mapping are not drawn)."""
    if instance is None:
        raise SchedlabError("a memory plot needs the instance: pass --instance")
    obj = instance.check(solution)
    plt = require_matplotlib()
    from matplotlib.patches import Rectangle

    fig, ax = plt.subplots(figsize=(12, 5))
    offs = solution["offsets"]
    cmap = plt.get_cmap("tab20")
    top = 0
    for i, b in enumerate(instance.buffers):
        o = offs.get(b.id)
        if o is None:
            continue
        ax.add_patch(
            Rectangle((b.lower, o), b.upper - b.lower, b.size, facecolor=cmap(i % 20),
                      edgecolor="black", linewidth=0.3)
        )  # fmt: skip
        top = max(top, o + b.size)
    t0 = min((b.lower for b in instance.buffers), default=0)
    t1 = max((b.upper for b in instance.buffers), default=1)
    ax.set_xlim(t0, t1)
    ax.set_ylim(0, max(top, instance.capacity or 0, 1) * 1.02)
    if instance.capacity:
        ax.axhline(instance.capacity, color="red", lw=0.8, ls="--")
    ax.axhline(instance.max_load, color="gray", lw=0.6, ls=":")
    ax.set_xlabel("time")
    ax.set_ylabel("offset")
    what = "peak" if instance.kind == "allocation" else "total time"
    ax.set_title(f"{title or instance.name}: {what} {obj:g} (dotted: max load)")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def matches(solution: dict[str, Any]) -> bool:
    """True for a memory solution."""
    return isinstance(solution, dict) and set(solution) == {"offsets"}
