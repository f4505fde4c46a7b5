"""The smtt plot: a Figure, on the given Axes if any, never saved."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # noqa: E402

from schedlab import SchedlabError, SolutionError  # noqa: E402
from schedlab.families.smtt.model import Instance  # noqa: E402
from schedlab.families.smtt.plot import plot  # noqa: E402

INST = Instance(p=[3, 2, 1], d=[2, 6, 1], w=[1, 3, 1], name="three")
SOL = {"sequence": [2, 0, 1]}


def test_plot_builds_a_new_figure():
    fig = plot(INST, SOL)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert "three" in ax.get_title() and "2" in ax.get_title()


def test_plot_draws_on_the_given_axes():
    fig = Figure()
    ax = fig.add_subplot()
    assert plot(INST, SOL, ax=ax, title="mine") is fig
    assert ax.get_title().startswith("mine") and len(ax.patches) == 3


def test_plot_needs_the_instance_and_a_valid_solution():
    with pytest.raises(SchedlabError, match="needs the instance"):
        plot(None, SOL)
    with pytest.raises(SolutionError):
        plot(INST, {"sequence": [0, 0, 1]})
