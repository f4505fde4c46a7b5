"""Memory placements drawn as rectangles (time x address)."""

from __future__ import annotations

from typing import Any

from ...core.errors import SchedlabError
from .model import MemoryInstance
from .msa import Msa


def plot(
    instance: MemoryInstance | None,
    solution: dict[str, Any],
    ax: Any | None = None,
    title: str | None = None,
) -> Any:
    """Draw buffers as rectangles ``[lower, upper) x [offset, offset + size)`` on ``ax``
    (a new ``matplotlib.figure.Figure`` if ``None``) and return the figure. Needs the
    instance; the buffers a mapping keeps in slow memory are not drawn. The title names the
    objective of the instance's kind (peak or total time), checked from the solution."""
    if instance is None:
        raise SchedlabError("a memory plot needs the instance: pass --instance")
    if isinstance(instance, Msa):
        return plot_msa(instance, solution, ax, title)
    obj = instance.check(solution)
    try:
        import matplotlib
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle
    except ImportError:  # pragma: no cover - depends on the environment
        raise SchedlabError("plotting needs matplotlib: pip install 'schedlab[plot]'") from None

    own = ax is None
    if ax is None:
        fig = Figure(figsize=(12, 5))
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure()
    offs = instance.offset_list(solution)
    cmap = matplotlib.colormaps["tab20"]
    top = 0
    for i, b in enumerate(instance.buffers):
        o = offs[i]
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
    what = instance.objective_name
    ax.set_title(f"{title or instance.name}: {what} {obj:g} (dotted: max load)")
    if own:
        fig.tight_layout()
    return fig


def plot_msa(
    instance: Msa, solution: dict[str, Any], ax: Any | None = None, title: str | None = None
) -> Any:
    """The fast memory of an msa solution over the program's steps: each piece a solid
    rectangle over its fast steps, its prefetch window (issue to first step) and its
    eviction hold (to the eviction's done step) hatched and lighter; the copies' times and
    the stalls are in the title's total (checked by simulation)."""
    sim = instance.simulate(solution)
    try:
        import matplotlib
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle
    except ImportError:  # pragma: no cover - depends on the environment
        raise SchedlabError("plotting needs matplotlib: pip install 'schedlab[plot]'") from None

    own = ax is None
    if ax is None:
        fig = Figure(figsize=(12, 5))
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure()
    cmap = matplotlib.colormaps["tab20"]
    sz = instance.arrays[2]
    for p in sim.pieces:
        col = cmap(p.buffer % 20)
        h = int(sz[p.buffer])
        ax.add_patch(
            Rectangle((p.first, p.offset), p.end - p.first, h, facecolor=col,
                      edgecolor="black", linewidth=0.3)
        )  # fmt: skip
        if p.prefetch is not None:
            ax.add_patch(
                Rectangle((p.prefetch, p.offset), p.first - p.prefetch, h, facecolor=col,
                          alpha=0.35, hatch="//", edgecolor="black", linewidth=0.3)
            )  # fmt: skip
        if p.occ_end > p.end:
            ax.add_patch(
                Rectangle((p.end, p.offset), p.occ_end - p.end, h, facecolor=col, alpha=0.35,
                          hatch="\\\\", edgecolor="black", linewidth=0.3)
            )  # fmt: skip
    ns = len(instance.steps)
    ax.set_xlim(0, max(ns, 1))
    ax.set_ylim(0, max(instance.capacity or 0, 1) * 1.02)
    ax.axhline(instance.capacity or 0, color="red", lw=0.8, ls="--")
    ax.set_xlabel("step")
    ax.set_ylabel("offset (fast memory)")
    npf = sum(1 for c in sim.copies if c.kind == "prefetch")
    stall = float((sim.step_start[1:] - sim.step_end[:-1]).sum()) if ns else 0.0
    ax.set_title(
        f"{title or instance.name}: total time {sim.total:g}, stalls {stall:g}; "
        f"{npf} prefetches (/), {len(sim.copies) - npf} evictions (\\)"
    )
    if own:
        fig.tight_layout()
    return fig
