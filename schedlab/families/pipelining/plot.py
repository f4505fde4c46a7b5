"""Modulo schedules: the reservation table over one steady-state period and the per-warp
timeline over a few iterations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from ...core.errors import SchedlabError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .model import Instance


def plot(
    instance: Instance | None,
    solution: dict[str, Any],
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the modulo reservation table (units x cycles mod II) above the per-warp timeline
    (each op instance from its issue to the end of its span, coloured by iteration).

    Without ``ax`` the two panels are the two axes of a new figure; with ``ax`` they are
    drawn inside its area (as two inset axes; ``ax``'s own frame is hidden). Returns the
    figure. The solution is checked against the instance first.
    """
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    if instance is None:
        raise SchedlabError("a pipelining plot needs the instance: pass --instance")
    instance.check(solution)
    if ax is None:
        fig = Figure(figsize=(12, 6.5))
        ax1, ax2 = fig.subplots(2, 1, gridspec_kw={"height_ratios": [1, 1.4]})
    else:
        fig = cast("Figure", ax.figure)
        ax.set_axis_off()
        ax2 = ax.inset_axes((0.0, 0.0, 1.0, 0.5))
        ax1 = ax.inset_axes((0.0, 0.64, 1.0, 0.36))
    ii, length = solution["ii"], solution["length"]
    rows = {r["name"]: r for r in solution["ops"]}
    units = sorted(
        {u for o in instance.ops for _, u, _ in o.table if instance.machine.capacity(u) is not None}
    )
    # reservation table over one period
    ylab = []
    y = 0
    for u in units:
        cap = instance.machine.capacity(u)
        assert cap is not None
        slots: list[list[str]] = [[] for _ in range(ii)]
        for o in instance.ops:
            s = rows[o.name]["start"]
            for off, uu, a in o.table:
                if uu == u:
                    slots[(s + off) % ii] += [o.name] * a
        for k in range(cap):
            for r in range(ii):
                name = slots[r][k] if k < len(slots[r]) else None
                if name is not None:
                    ax1.add_patch(Rectangle((r, y), 1, 0.9, color="#4c72b0", alpha=0.8))
                    if ii <= 40:
                        ax1.text(
                            r + 0.5,
                            y + 0.45,
                            name,
                            ha="center",
                            va="center",
                            fontsize=7,
                            color="white",
                        )
            ylab.append(f"{u}[{k}]")
            y += 1
    ax1.set_xlim(0, ii)
    ax1.set_ylim(0, max(1, y))
    ax1.set_yticks([k + 0.45 for k in range(y)])
    ax1.set_yticklabels(ylab, fontsize=7)
    ax1.set_xlabel("cycle mod II")
    ax1.set_title(f"{title or instance.name}: reservation table, II = {ii}, L = {length}")
    # per-warp timeline
    stages = -(-length // ii)
    n_it = stages + 2
    colors = matplotlib.colormaps["tab10"]
    warps = sorted(
        {
            w
            for r in rows.values()
            for w in (r["warp"] if isinstance(r["warp"], list) else [r["warp"]])
        }
    )
    for k in range(n_it):
        for o in instance.ops:
            r = rows[o.name]
            wl = r["warp"] if isinstance(r["warp"], list) else [r["warp"]]
            w = wl[k % len(wl)]
            s = r["start"] + k * ii
            yw = warps.index(w)
            ax2.barh(
                yw,
                max(1, o.span),
                left=s,
                height=0.8,
                color=colors(k % 10),
                alpha=0.55,
                edgecolor="black",
                lw=0.4,
            )
            if instance.n <= 30:
                ax2.text(s + 0.1, yw, o.name, va="center", fontsize=6)
    ax2.set_yticks(range(len(warps)))
    ax2.set_yticklabels([f"warp {w}" for w in warps])
    ax2.set_xlabel(f"cycle (iterations 0..{n_it - 1}, one colour each)")
    ax2.invert_yaxis()
    if ax is None:
        fig.tight_layout()
    return fig
