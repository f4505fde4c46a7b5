"""The partition plot draws the given fronts only."""

from __future__ import annotations

import pytest

import schedlab
from schedlab.core.errors import SchedlabError
from schedlab.families.partition.generate import generate
from schedlab.families.partition.plot import plot


def test_plot_on_given_axes_and_extra_fronts(monkeypatch: pytest.MonkeyPatch) -> None:
    figure = pytest.importorskip("matplotlib.figure")
    inst = generate(6, 2, 3, seed=2, mem_tightness=2.0)
    exact = schedlab.solve(inst, "exact").solution
    greedy = schedlab.solve(inst, "greedy").solution

    def no_solve(*args: object, **kwargs: object) -> None:
        raise AssertionError("a plot must not run a solver")

    monkeypatch.setattr(schedlab, "solve", no_solve)
    monkeypatch.setattr(schedlab.api, "solve", no_solve)
    fig = figure.Figure()
    ax = fig.add_subplot()
    got = plot(inst, exact, ax, "t", others={"greedy": greedy}, label="exact")
    assert got is fig
    assert ax.get_title() == "t"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("exact (") and labels[1].startswith("greedy (")
    alone = plot(None, exact)
    assert isinstance(alone, figure.Figure) and alone is not fig
    assert alone.axes[0].get_title() == "latency / period front"
    with pytest.raises(SchedlabError, match="front"):
        plot(None, {"sequence": [1]})
