"""Issue #19 (hardening) for pipelining: cycle counts beyond MAX_CYCLES are refused before
any table is built, and an RM XML limit below -1 is an error, not "unlimited"."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest

import schedlab
from schedlab import InstanceError
from schedlab.families.pipelining.model import MAX_CYCLES

HATSCHET = Path(__file__).resolve().parents[3] / "instances" / "pipelining" / "hatschet"


def _doc() -> dict:
    return json.loads(schedlab.generate("pipelining", n=4).to_json())


def _busy_op(doc: dict) -> dict:
    return next(o for o in doc["ops"] if "busy" in o)


@pytest.mark.parametrize("what", ["busy", "latency", "delay", "-delay", "offset"])
def test_huge_cycle_counts_are_refused_at_once(what: str) -> None:
    doc = _doc()
    huge = 1_000_000
    if what in ("busy", "latency"):
        _busy_op(doc)[what] = huge
    elif what.endswith("delay"):
        doc["edges"][0]["delay"] = -huge if what.startswith("-") else huge
    else:
        op = _busy_op(doc)
        op["table"] = [[huge, op.pop("busy") and op["unit"], 1]]
    t = time.perf_counter()
    with pytest.raises(InstanceError, match=str(MAX_CYCLES - (what == "offset"))):
        schedlab.load(doc)
    assert time.perf_counter() - t < 1.0


def test_cycle_counts_at_the_limit_are_read() -> None:
    doc = _doc()
    _busy_op(doc)["busy"] = MAX_CYCLES
    doc["edges"][0]["delay"] = -MAX_CYCLES
    inst = schedlab.load(doc)
    r = schedlab.solve(inst, method="ims", time_limit=2.0)
    assert r.solution is not None and r.runtime_s < 2.5


@pytest.mark.parametrize("limit", ["-2", "-100"])
def test_rm_xml_limit_below_minus_one_is_an_error(tmp_path: Path, limit: str) -> None:
    src = HATSCHET / "ChStone/motion"
    shutil.copy(src / "graph2.graphml", tmp_path / "graph2.graphml")
    rm = (src / "graph2_RM.xml").read_text()
    bad, n = re.subn(r'limit="[^"]*"', f'limit="{limit}"', rm, count=1)
    assert n == 1
    (tmp_path / "graph2_RM.xml").write_text(bad)
    with pytest.raises(InstanceError, match=f"limit must be .*got {limit}"):
        schedlab.read(str(tmp_path / "graph2.graphml"))
