"""fjsp plot: a Figure, on a given Axes or a new one; with or without the instance."""

from __future__ import annotations

import pytest

import schedlab
from schedlab.core import SchedlabError, SolutionError
from schedlab.families.fjsp.generate import generate
from schedlab.families.fjsp.plot import plot

pytest.importorskip("matplotlib")


def test_plot_on_given_axes_and_new_figure() -> None:
    from matplotlib.figure import Figure

    inst = generate(4, 3, 3, seed=2)
    sol = schedlab.solve(inst, "mwkr").solution
    assert sol is not None
    fig = plot(inst, sol)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    own = Figure()
    ax = own.add_subplot()
    assert plot(None, sol, ax=ax, title="t") is own
    assert ax.get_title().startswith("t: makespan")
    assert schedlab.family("fjsp").plotter() is plot


def test_plot_rejects_bad_solutions() -> None:
    inst = generate(2, 2, 2, seed=0)
    with pytest.raises(SchedlabError, match="not an fjsp solution"):
        plot(None, {"sequence": [0]})
    with pytest.raises(SchedlabError, match="no operations"):
        plot(None, {"operations": []})
    with pytest.raises(SolutionError):
        plot(inst, {"operations": []})
