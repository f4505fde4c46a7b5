"""Memory plot: a Figure, on a given Axes or a new one; the instance is required."""

from __future__ import annotations

import pytest

import schedlab
from schedlab.core import SchedlabError
from schedlab.families.memory.generate import generate_allocation, generate_mapping
from schedlab.families.memory.plot import plot

pytest.importorskip("matplotlib")


def test_plot_on_given_axes_and_new_figure() -> None:
    from matplotlib.figure import Figure

    inst = generate_allocation(12, 20, slack=-1, seed=1)
    sol = schedlab.solve(inst, "greedy-size").solution
    assert sol is not None
    fig = Figure()
    ax = fig.add_subplot()
    got = plot(inst, sol, ax=ax, title="t")
    assert got is fig
    assert len(ax.patches) == inst.n and ax.get_title().startswith("t: peak ")
    own = plot(inst, sol)
    assert isinstance(own, Figure) and own is not fig


def test_plot_mapping_draws_fast_buffers_only() -> None:
    inst = generate_mapping(10, seed=1)
    sol = schedlab.solve(inst, "benefit").solution
    assert sol is not None
    fig = plot(inst, sol)
    ax = fig.axes[0]
    fast = sum(o is not None for o in sol["offsets"].values())
    assert len(ax.patches) == fast and "total time" in ax.get_title()


def test_plot_needs_the_instance() -> None:
    with pytest.raises(SchedlabError, match="needs the instance"):
        plot(None, {"offsets": {}})
