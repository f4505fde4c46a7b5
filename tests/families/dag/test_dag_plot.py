"""dag plot: a Figure, on a given Axes or a new one; with or without the instance."""

from __future__ import annotations

from pathlib import Path

import pytest

import schedlab
from schedlab.core import SchedlabError, SolutionError
from schedlab.families.dag.plot import plot

pytest.importorskip("matplotlib")
INSTANCES = Path(__file__).resolve().parents[3] / "instances" / "dag"


def test_plot_with_communication() -> None:
    from matplotlib.figure import Figure

    inst = schedlab.read(INSTANCES / "topcuoglu2002_fig2.json")
    sol = schedlab.solve(inst, "heft").solution
    assert sol is not None
    fig = plot(inst, sol)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    assert "transfers between processors" in fig.axes[0].get_title()
    own = Figure()
    ax = own.add_subplot()
    assert plot(None, sol, ax=ax, title="t") is own
    assert ax.get_title().startswith("t: makespan 80")
    assert schedlab.family("dag").plotter() is plot


def test_plot_rejects_bad_solutions() -> None:
    inst = schedlab.read(INSTANCES / "topcuoglu2002_fig2.json")
    with pytest.raises(SchedlabError, match="not a dag solution"):
        plot(None, {"sequence": [0]})
    with pytest.raises(SchedlabError, match="no tasks"):
        plot(None, {"tasks": []})
    with pytest.raises(SolutionError):
        plot(inst, {"tasks": []})
