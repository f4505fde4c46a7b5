"""The HatScheT GraphML reader and its sniffer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import schedlab
from schedlab.core import InstanceError
from schedlab.families.pipelining.formats import GRAPHML, accepts_graphml, read_graphml

HATSCHET = Path(__file__).resolve().parents[3] / "instances" / "pipelining" / "hatschet"


def test_sniff_only_graphml(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_text("1 2\n3 4\n")
    assert not accepts_graphml(str(f), f.read_text())
    g = tmp_path / "y.graphml"
    g.write_text('<graphml><graph><node id="1"></node></graph></graphml>')
    assert not accepts_graphml(str(g), g.read_text())  # no uses_resource: not a HatScheT loop graph


def test_hatschet_reader_matches_mii_csv() -> None:
    import csv

    with open(HATSCHET / "mii.csv") as fh:
        rows = [r for r in csv.DictReader(fh) if r["variant"] == "plain"]
    rows = sorted(rows, key=lambda r: int(r["nodes"]))[:40:4]
    for r in rows:
        inst = schedlab.read(str(HATSCHET / r["graph"]))
        assert inst.problem == "pipelining"
        assert inst.n == int(r["nodes"]) and len(inst.edges) == int(r["edges"])
        assert inst.mii_bound() == int(r["MII"]) == inst.mii


def test_graphml_instances_survive_the_json_round_trip() -> None:
    """Ops on unlimited resources keep their unit label (busy 0) through JSON, as sweep
    workers rebuild every instance from its dict."""
    rows = sorted((HATSCHET / "ChStone").rglob("*.graphml"))[:5]
    assert rows
    for path in rows:
        inst = schedlab.read(str(path))
        back = schedlab.load(json.loads(json.dumps(inst.to_dict())))
        assert back.to_dict() == inst.to_dict()
        assert back.mii_bound() == inst.mii_bound()
    bad = inst.to_dict()
    op = next(o for o in bad["ops"] if o.get("unit") not in (None, *inst.machine.units))
    op["busy"] = 1
    with pytest.raises(InstanceError, match="is not a unit of the machine"):
        schedlab.load(bad)


def test_vandongen_broken_xml_is_read() -> None:
    inst = schedlab.read(str(HATSCHET / "Programs/vanDongen/vanDongen.graphml"))
    assert inst.n == 10 and inst.mii_bound() == 6


def test_reader_accepts_hatschet_graphs_only(tmp_path: Path) -> None:
    graph = HATSCHET / "ChStone/motion/graph2.graphml"
    head = graph.read_text()[:4096]
    assert GRAPHML.accepts(str(graph), head)
    assert not GRAPHML.accepts(str(tmp_path / "graph2.xml"), head)  # the suffix matters
    rm = HATSCHET / "ChStone/motion/graph2_RM.xml"
    if rm.is_file():
        assert not GRAPHML.accepts(str(rm), rm.read_text()[:4096])
    assert GRAPHML.read(str(graph), None).to_dict() == read_graphml(str(graph)).to_dict()
    with pytest.raises(InstanceError, match="out of range"):
        GRAPHML.read(str(graph), 2)


def test_graph_without_resource_model(tmp_path: Path) -> None:
    g = tmp_path / "lonely.graphml"
    g.write_text(
        '<graphml><graph><node id="1"><data key="uses_resource">add</data></node></graph></graphml>'
    )
    with pytest.raises(InstanceError, match="no resource model"):
        schedlab.read(str(g))
