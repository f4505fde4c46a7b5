"""The pipelining plot: a figure of its own, or drawn inside a given Axes."""

from __future__ import annotations

import pytest

import schedlab
from schedlab.core import SchedlabError
from schedlab.families.pipelining.bundled import bundled_loop
from schedlab.families.pipelining.plot import plot

matplotlib = pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def solved() -> tuple[schedlab.Instance, dict]:
    inst = bundled_loop("flash_fwd_hopper")
    res = schedlab.solve(inst, "ims")
    return inst, res.solution


def test_plot_builds_its_own_figure(solved: tuple) -> None:
    from matplotlib.figure import Figure

    inst, sol = solved
    fig = plot(inst, sol, title="t")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert fig.axes[0].get_title().startswith("t: reservation table")


def test_plot_draws_on_a_given_axes(solved: tuple) -> None:
    from matplotlib.figure import Figure

    inst, sol = solved
    fig = Figure()
    ax = fig.add_subplot()
    got = plot(inst, sol, ax=ax)
    assert got is fig
    assert len(ax.child_axes) == 2  # the two panels, inside the given Axes


def test_plot_needs_the_instance(solved: tuple) -> None:
    _, sol = solved
    with pytest.raises(SchedlabError, match="needs the instance"):
        plot(None, sol)
