"""The HatScheT file formats: GraphML loop graphs with their XML resource models, and the
``mii.csv`` table of MII values of the collection.

- ``hatschet-graphml``: a loop graph (``*.graphml``: ``<node>`` elements with a
  ``uses_resource`` data key, ``<edge>`` elements with ``delay`` (or ``latency``) and
  ``distance``) with its resource model beside it (``<name>_RM.xml``, ``<name>RM.xml``,
  ``RM.xml`` or ``RM1.xml``: ``<Resource name limit latency blockingTime>``), read as a plain
  modulo-scheduling instance (one warp). The MII listed in a ``mii.csv`` up the folder tree
  is kept as the instance's ``mii``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from ...core.errors import InstanceError
from ...core.family import Reader
from ...core.textio import read_text
from .model import Edge, Instance, Machine, Op

__all__ = [
    "GRAPHML",
    "accepts_graphml",
    "mii_from_csv",
    "read_graphml",
    "read_resource_model",
    "resource_model_path",
]


def accepts_graphml(path: str, head: str) -> bool:
    """True for a HatScheT GraphML loop graph (``*.graphml`` with ``uses_resource`` data)."""
    return path.lower().endswith(".graphml") and "<graph" in head and "uses_resource" in head


def resource_model_path(path: str) -> str:
    """The resource-model XML paired with a GraphML graph (HatScheT conventions)."""
    p = Path(path)
    stem = p.name[: -len(".graphml")]
    base = re.sub(r"\.\d+MHz$", "", stem)
    for cand in (f"{base}_RM.xml", f"{base}RM.xml", "RM.xml", "RM1.xml"):
        if (p.parent / cand).is_file():
            return str(p.parent / cand)
    raise InstanceError(
        f"no resource model beside the graph (looked for {base}_RM.xml, {base}RM.xml)", path
    )


def _parse_xml(path: str) -> ET.Element:
    text = read_text(path)
    try:
        return ET.fromstring(text)
    except ET.ParseError as e:
        # vanDongen.graphml lacks its opening <graphml> tag
        if "<graphml" not in text and "</graphml>" in text:
            fixed = re.sub(r"^(\s*<\?xml[^>]*\?>)", r"\1<graphml>", text, count=1)
            try:
                return ET.fromstring(fixed)
            except ET.ParseError:
                pass
        line = e.position[0] if hasattr(e, "position") else None
        raise InstanceError(f"invalid XML: {e}", path, line) from None


def _strip(tag: str) -> str:
    return tag.split("}", 1)[-1]


def read_resource_model(path: str) -> dict[str, tuple[int, int, int]]:
    """Resource name -> (limit, latency, blockingTime) from a HatScheT resource model."""
    root = _parse_xml(path)
    out: dict[str, tuple[int, int, int]] = {}
    for r in root.iter():
        if _strip(r.tag) != "Resource":
            continue
        a = r.attrib
        try:
            name = a["name"]
            limit = -1 if a.get("limit", "-1").strip() == "inf" else int(a.get("limit", "-1"))
            lat = int(a.get("latency", "0"))
            bt = int(a.get("blockingTime", "1"))
        except (KeyError, ValueError) as e:
            raise InstanceError(f"bad <Resource> {a}: {e}", path) from None
        if limit < -1:  # -1 (or "inf") is HatScheT's "unlimited"; below it is no limit at all
            raise InstanceError(
                f"<Resource name={name!r}>: limit must be -1 (unlimited), 'inf' or at least 0, "
                f"got {limit}",
                path,
            )
        out[name] = (limit, lat, bt)
    if not out:
        raise InstanceError("no <Resource> in the resource model", path)
    return out


def read_graphml(path: str, index: int | None = None, rm: str | None = None) -> Instance:
    """Read a HatScheT GraphML loop graph with its resource model (``rm``, found beside the
    graph when not given) as a plain modulo-scheduling instance (one warp). A value the model
    refuses (a capacity 0, a count beyond :data:`~.model.MAX_VALUE`) is an
    :class:`InstanceError` naming the graph's file."""
    try:
        return _read_graphml(path, index, rm)
    except InstanceError as e:
        if e.file is None:
            raise InstanceError(e.message, path, e.line, e.path) from None
        raise


def _read_graphml(path: str, index: int | None, rm: str | None) -> Instance:
    if index not in (None, 1):
        raise InstanceError(f"instance #{index} out of range: the file holds 1", path)
    rm_path = rm or resource_model_path(path)
    res = read_resource_model(rm_path)
    root = _parse_xml(path)
    graph = next((g for g in root.iter() if _strip(g.tag) == "graph"), None)
    if graph is None:
        raise InstanceError("no <graph> element", path)
    units: dict[str, int] = {}
    ops: list[Op] = []
    ids: dict[str, int] = {}
    raw_edges: list[tuple[str, str, int, int]] = []
    for el in graph:
        tag = _strip(el.tag)
        data = {d.attrib.get("key"): (d.text or "").strip() for d in el if _strip(d.tag) == "data"}
        if tag == "node":
            nid = el.attrib.get("id")
            if nid is None or nid in ids:
                raise InstanceError(f"node without id or duplicate id {nid!r}", path)
            rname = data.get("uses_resource")
            if rname is None:
                raise InstanceError(f"node {nid} has no uses_resource", path)
            if rname not in res:
                raise InstanceError(
                    f"node {nid} uses resource {rname!r}, missing from {rm_path}", path
                )
            limit, lat, bt = res[rname]
            table: tuple[tuple[int, str, int], ...] = ()
            if limit != -1:
                units[rname] = limit
                table = tuple((o, rname, 1) for o in range(max(1, bt)))
            ids[nid] = len(ops)
            ops.append(Op(name=f"n{nid}", table=table, latency=lat, unit=rname))
        elif tag == "edge":
            try:
                delay = int(data.get("delay", data.get("latency", "0")))
                dist = int(data.get("distance", "0"))
            except ValueError as e:
                raise InstanceError(f"edge {el.attrib.get('id')}: {e}", path) from None
            raw_edges.append((el.attrib["source"], el.attrib["target"], delay, dist))
    edges = []
    for s, t, d, dist in raw_edges:
        if s not in ids or t not in ids:
            raise InstanceError(f"edge {s}->{t} refers to a missing node", path)
        edges.append(Edge(ids[s], ids[t], d, dist))
    p = Path(path)
    name = f"{p.parent.name}/{p.name[: -len('.graphml')]}"
    machine = Machine(name=Path(rm_path).stem, units=units, warps=1)
    mii = mii_from_csv(path)
    return Instance(
        machine=machine, ops=tuple(ops), edges=tuple(edges), name=name, mii=mii, source=path
    )


def mii_from_csv(path: str) -> int | None:
    """The MII listed for a graph in ``mii.csv`` (the HatScheT collection's table: a parent
    folder of the graph, up to four levels up; the graph's path relative to it in column 1, the
    MII in column 14), or ``None``."""
    p = Path(path).resolve()
    for parent in list(p.parents)[:4]:
        csv = parent / "mii.csv"
        if csv.is_file():
            rel = str(p.relative_to(parent))
            for line in csv.read_text().splitlines()[1:]:
                cols = line.split(",")
                if cols and cols[0] == rel and len(cols) > 13 and cols[13].isdigit():
                    return int(cols[13])
            return None
    return None


#: The GraphML reader as the family declares it.
GRAPHML = Reader(
    format="hatschet-graphml",
    description="HatScheT GraphML loop graph (*.graphml) with its resource model (*RM.xml)",
    accepts=accepts_graphml,
    # the core's Instance protocol declares `name` and `reference` settable; frozen here
    read=read_graphml,
)
