"""The native formats of dag: STG, DS3 job + SoC files, WfFormat JSON, Pegasus DAX, the
Topcuoglu example's JSON, and platform descriptions.

- **STG** (``.stg``, Tobita & Kasahara's Standard Task Graph Set): ``N``, then one line a
  task ``id time k pred_1 .. pred_k`` (ids topologically numbered, a dummy entry ``0`` and a
  dummy exit ``N + 1`` of time 0, dropped here), then ``#`` comments. Identical processors
  without communication; the processor count is the address's number: ``rand0000.stg#4``
  is the graph on 4 processors (without ``#``: :data:`STG_DEFAULT_PROCESSORS`; a sweep over
  the whole file takes 1 .. :data:`STG_MAX_PROCESSORS`). The published optimum (or, for an
  open instance, its lower and upper bounds) comes from ``../optimal/Case{N}_{P}_OPT.csv``
  beside the file's folder (rows ``50/randXXXX.stg,P,opt`` or ``...,P,LB,UB``), as in the
  bundled ``instances/dag/stg``.
- **DS3** (the DS3 SoC simulator's ``job_*.txt``): tasks, predecessors and ``comm_vol``
  volumes; the platform is a SoC file (``SoC.*.txt``: resources of ``capacity`` identical
  processing elements, the time of each task a PE runs, ``comm_band`` bandwidths between
  resources, by resource ID, default 1, both directions). :func:`read_ds3` takes both
  files; the reader of a job file alone looks for the SoC file in the job's folder and in
  ``../config_SoC``: among those that run every task, the one with the most PEs able to run
  one of them (ties: the shorter name). The ``MEM`` resource runs nothing and is left out.
- **WfFormat** (WfCommons JSON, schema 1.5 with ``specification`` and ``execution``, or the
  older one with runtimes and files in each task) and **Pegasus DAX** (XML ``<adag>``):
  one runtime per task (seconds) and files with sizes (bytes); an edge's volume is the
  size of the files the parent writes and the child reads (DAX runtimes and sizes are
  read as absolute values: the generator wrote some negative ones into Epigenomics_997,
  a known sign bug). The platform is a small JSON
  document (:func:`read_platform`): ``{"processors": [{"name", "type", "speed", "count"}],
  "bandwidth": bytes per second (a number, or a P x P matrix), "latency": seconds,
  "time_unit": seconds}``; a task takes ``round(runtime / speed / time_unit)`` time units
  on a processor (at least 1 if its runtime is positive), a transfer
  ``ceil(bytes / (bandwidth * time_unit))``. The reader takes ``platform.json`` beside the
  workflow if there is one, else :data:`DEFAULT_PLATFORM` (8 processors, two speeds).
- **Topcuoglu** (the JSON of ``topcuoglu2002_fig2.json``: a ``tasks`` object of per-processor
  costs, ``edges`` as ``[from, to, cost]``, ``processors`` by name; ``optimal_makespan``
  becomes the reference): unit bandwidth, no latency.
"""

from __future__ import annotations

import csv
import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ...core.errors import InstanceError
from ...core.family import Reader
from ...core.textio import read_text
from .model import INT64_MAX, Instance

#: Processors of an STG graph read without ``#P``.
STG_DEFAULT_PROCESSORS = 4
#: Instances of an STG file for a sweep over the whole file (``#1`` .. ``#16``).
STG_MAX_PROCESSORS = 16
#: The most processors a reader builds (STG's ``#P``, DS3's capacities, platforms).
MAX_PROCESSORS = 4096

#: The platform of a workflow without ``platform.json`` beside it: 4 processors of speed 1
#: and 4 of speed 2, 100 MB/s between any two, no latency, a time unit of 0.1 s.
DEFAULT_PLATFORM: dict[str, Any] = {
    "name": "default8",
    "processors": [
        {"name": "slow", "type": "slow", "speed": 1.0, "count": 4},
        {"name": "fast", "type": "fast", "speed": 2.0, "count": 4},
    ],
    "bandwidth": 1.0e8,
    "latency": 0.0,
    "time_unit": 0.1,
}

_INT = re.compile(r"[+-]?\d+")
_NUM = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


# -- STG --------------------------------------------------------------------------------------
def _stg_lines(text: str) -> list[tuple[int, list[str]]]:
    out = []
    for ln, line in enumerate(text.splitlines(), 1):
        body = line.split("#", 1)[0].split()
        if body:
            out.append((ln, body))
    return out


def _sniff_stg(head: str) -> bool:
    lines = [
        ln.split() for ln in head.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]
    if len(lines) < 3:
        return False
    if len(lines[0]) != 1 or not _INT.fullmatch(lines[0][0]):
        return False
    if lines[1] != ["0", "0", "0"]:
        return False
    third = lines[2]
    if len(third) < 3 or not all(_INT.fullmatch(t) for t in third):
        return False
    return third[0] == "1" and len(third) == 3 + int(third[2])


def _stg_accepts(path: str, head: str) -> bool:
    return Path(path).suffix.lower() == ".stg" or _sniff_stg(head)


def parse_stg(
    text: str, processors: int, path: str = "<text>", name: str | None = None
) -> Instance:
    """An STG graph on ``processors`` identical processors (dummy entry and exit dropped;
    reference and bounds from the published table when ``path`` is in an STG folder)."""
    if isinstance(processors, bool) or not isinstance(processors, int) or processors < 1:
        raise InstanceError(f"processors must be a positive integer, got {processors!r}", path)
    if processors > MAX_PROCESSORS:
        raise InstanceError(f"at most {MAX_PROCESSORS} processors, got {processors}", path)
    lines = _stg_lines(text)
    if not lines:
        raise InstanceError("empty file", path, 1)

    def num(tok: str, ln: int, what: str, lo: int = 0) -> int:
        if not _INT.fullmatch(tok):
            raise InstanceError(f"{what}: expected an integer, found {tok!r}", path, ln)
        v = int(tok)
        if not lo <= v <= INT64_MAX:
            raise InstanceError(f"{what} {v} out of range {lo}..2**63 - 1", path, ln)
        return v

    ln0, first = lines[0]
    if len(first) != 1:
        raise InstanceError("the first line must hold the number of tasks", path, ln0)
    m = num(first[0], ln0, "number of tasks", 1)
    body = lines[1:]
    if len(body) == m + 2:
        total = m + 2
    elif (
        len(body) == m
        and m >= 3
        and body[0][1][:2] == ["0", "0"]
        and len(body[-1][1]) > 1
        and body[-1][1][1] == "0"
    ):
        total = m  # robot.stg, fpppp.stg: the count includes the dummies (of time 0)
    else:
        ln = body[-1][0] if body else ln0
        raise InstanceError(
            f"expected {m} tasks plus a dummy entry and exit ({m + 2} task lines), "
            f"found {len(body)}",
            path,
            ln,
        )
    times: list[int] = []
    preds: list[list[int]] = []
    for k, (ln, toks) in enumerate(body):
        if len(toks) < 3:
            raise InstanceError("a task line is 'id time k pred_1 .. pred_k'", path, ln)
        tid = num(toks[0], ln, "task id")
        if tid != k:
            raise InstanceError(f"task id {tid}: expected {k} (ids in order from 0)", path, ln)
        t = num(toks[1], ln, f"task {tid}: time")
        cnt = num(toks[2], ln, f"task {tid}: number of predecessors")
        if len(toks) != 3 + cnt:
            raise InstanceError(
                f"task {tid}: {cnt} predecessors announced, {len(toks) - 3} given", path, ln
            )
        ps = [num(x, ln, f"task {tid}: predecessor", 0) for x in toks[3:]]
        for p in ps:
            if p >= total:
                raise InstanceError(
                    f"task {tid}: predecessor {p} out of range 0..{total - 1}", path, ln
                )
        times.append(t)
        preds.append(ps)
    # drop the dummies (time 0, first and last) when they are dummies
    keep = list(range(total))
    if times[0] == 0 and not preds[0]:
        keep.remove(0)
    last = total - 1
    if times[-1] == 0 and last in keep and len(keep) > 1 and not any(last in p for p in preds):
        keep.remove(last)
    index = {old: new for new, old in enumerate(keep)}
    edges = sorted({(index[p], index[i]) for i in keep for p in preds[i] if p in index})
    for i in keep:
        if len(set(preds[i])) != len(preds[i]):
            raise InstanceError(f"task {i}: a predecessor listed twice", path, body[i][0])
    stem = name or Path(path).stem
    ref, lb, ub = _stg_bounds(path, total - 2 if total == m + 2 else m - 2, processors)
    try:
        return Instance(
            times=tuple((times[i],) * processors for i in keep),
            edges=tuple((a, b, 0) for a, b in edges),
            processors=processors,
            task_names=tuple(str(i) for i in keep),
            name=f"{stem}_p{processors}",
            reference=ref,
            lower_bound=lb,
            upper_bound=ub,
            source=path,
        )
    except InstanceError as e:
        raise InstanceError(e.message, path) from None


def _stg_bounds(path: str, n: int, processors: int) -> tuple[float | None, ...]:
    """``(optimum, lower bound, upper bound)`` from Kasahara Lab's table beside the file."""
    if path.startswith("<"):
        return None, None, None
    p = Path(path)
    table = p.parent.parent / "optimal" / f"Case{n}_{processors}_OPT.csv"
    if not table.is_file():
        return None, None, None
    key = f"{p.parent.name}/{p.name}"
    try:
        with table.open(newline="") as fh:
            for ln, row in enumerate(csv.reader(fh), 1):
                if not row or row[0].strip() != key:
                    continue
                vals = [x.strip() for x in row[1:]]
                if not vals or vals[0] != str(processors) or len(vals) not in (2, 3):
                    raise InstanceError(f"bad row for {key}: {row!r}", str(table), ln)
                nums = []
                for v in vals[1:]:
                    if not _INT.fullmatch(v) or abs(int(v)) >= 2**63:
                        raise InstanceError(
                            f"{key}: expected an integer, found {v!r}", str(table), ln
                        )
                    nums.append(float(v))
                if len(nums) == 1:
                    return nums[0], None, None
                return None, nums[0], nums[1]
    except OSError as e:
        raise InstanceError(f"cannot read: {e.strerror}", str(table)) from None
    return None, None, None


def read_stg(path: str, processors: int | None = None) -> Instance:
    """An STG file on ``processors`` identical processors (default
    :data:`STG_DEFAULT_PROCESSORS`)."""
    return parse_stg(
        read_text(path), STG_DEFAULT_PROCESSORS if processors is None else processors, path
    )


def _stg_read(path: str, index: int | None = None) -> Instance:
    return read_stg(path, index)


def _stg_count(path: str) -> int:
    return STG_MAX_PROCESSORS


# -- DS3 --------------------------------------------------------------------------------------
def _ds3_job_accepts(path: str, head: str) -> bool:
    words = re.findall(r"^\s*(job_name|add_new_tasks)\b", head, re.M)
    return "job_name" in words and "add_new_tasks" in words


def _significant(text: str) -> list[tuple[int, list[str]]]:
    out = []
    for ln, line in enumerate(text.splitlines(), 1):
        toks = line.split()
        if toks and not toks[0].startswith("#"):
            out.append((ln, toks))
    return out


def parse_ds3_job(text: str, path: str = "<job>") -> dict[str, Any]:
    """A DS3 job file as ``{"name", "tasks": [names], "preds": [[ids]], "volumes": {(a, b):
    v}}`` (tasks in id order)."""
    name = None
    count = None
    ids: dict[int, str] = {}
    preds: dict[int, list[int]] = {}
    volumes: dict[tuple[int, int], int] = {}
    lines = _significant(text)
    for ln, toks in lines:
        key = toks[0]
        if key == "job_name":
            if len(toks) < 2:
                raise InstanceError("job_name needs a name", path, ln)
            name = toks[1]
        elif key == "add_new_tasks":
            if len(toks) != 2 or not _INT.fullmatch(toks[1]) or not 1 <= int(toks[1]) <= 10**7:
                raise InstanceError("add_new_tasks needs a positive task count", path, ln)
            count = int(toks[1])
        elif key == "comm_vol":
            if len(toks) != 4 or not all(_NUM.fullmatch(t) for t in toks[1:]):
                raise InstanceError("comm_vol is 'comm_vol source destination volume'", path, ln)
            if not (_INT.fullmatch(toks[1]) and _INT.fullmatch(toks[2])):
                raise InstanceError("comm_vol: task ids must be integers", path, ln)
            v = float(toks[3])
            if v < 0 or v >= 2**62:
                raise InstanceError(f"comm_vol: volume {toks[3]} out of range", path, ln)
            volumes[(int(toks[1]), int(toks[2]))] = int(math.ceil(v))
        elif count is not None and len(toks) >= 2 and _INT.fullmatch(toks[1]):
            tid = int(toks[1])
            if not 0 <= tid < count:
                raise InstanceError(f"task {key}: id {tid} out of range 0..{count - 1}", path, ln)
            if tid in ids:
                raise InstanceError(f"task id {tid} given twice", path, ln)
            ps = []
            for t in toks[2:]:
                if not _INT.fullmatch(t) or not 0 <= int(t) < count:
                    raise InstanceError(f"task {key}: bad predecessor {t!r}", path, ln)
                ps.append(int(t))
            ids[tid] = key
            preds[tid] = ps
        elif (
            count is not None
            and len(toks) >= 2
            and toks[1]
            in (
                "HEAD",
                "TAIL",
                "earliest_start",
            )
        ):
            continue
        else:
            raise InstanceError(f"unrecognised line {' '.join(toks)!r}", path, ln)
    if count is None:
        raise InstanceError("no add_new_tasks line", path)
    if len(ids) != count:
        missing = next(i for i in range(count) if i not in ids)
        raise InstanceError(f"{count} tasks announced, task id {missing} missing", path)
    for a, b in volumes:
        if not (0 <= a < count and 0 <= b < count) or a not in preds.get(b, []):
            raise InstanceError(f"comm_vol {a} {b}: no such edge", path)
    return {
        "name": name or Path(path).stem,
        "tasks": [ids[i] for i in range(count)],
        "preds": [preds[i] for i in range(count)],
        "volumes": volumes,
    }


def parse_ds3_soc(text: str, path: str = "<soc>") -> dict[str, Any]:
    """A DS3 SoC file as ``{"resources": [{"type", "name", "id", "capacity", "times":
    {task: time}}], "bandwidth": {(r, s): bw}}`` (both syntaxes: ``resource_type T
    resource_name N resource_ID i capacity c num_supported_functionalities k ...`` and the
    older positional ``T N i c k ...``; the MEM resource is kept, running nothing)."""
    resources: list[dict[str, Any]] = []
    bandwidth: dict[tuple[int, int], int] = {}
    left = 0
    skip = {"opp", "trip_freq", "DTPM_trip_freq", "power_profile", "PG_profile", "mesh_information"}
    for ln, toks in _significant(text):
        key = toks[0]
        if key == "add_new_resource":
            fields = toks[1:]
            if len(fields) >= 10 and fields[0].startswith("reso"):
                vals = {fields[k]: fields[k + 1] for k in range(0, len(fields) - 1, 2)}
                vals = {
                    ("resource_type" if k.startswith("reso") and k.endswith("type") else k): v
                    for k, v in vals.items()
                }
                try:
                    rtype = vals["resource_type"]
                    rname = vals["resource_name"]
                    rid, cap, nfun = (
                        vals["resource_ID"],
                        vals["capacity"],
                        vals["num_supported_functionalities"],
                    )
                except KeyError as e:
                    raise InstanceError(f"add_new_resource without {e.args[0]}", path, ln) from None
            elif len(fields) >= 5:
                rtype, rname, rid, cap, nfun = fields[:5]
            else:
                raise InstanceError("add_new_resource: too few fields", path, ln)
            for v, what in ((rid, "resource ID"), (cap, "capacity"), (nfun, "functionalities")):
                if not _INT.fullmatch(v) or not 0 <= int(v) <= 10**6:
                    raise InstanceError(f"add_new_resource: bad {what} {v!r}", path, ln)
            resources.append(
                {
                    "type": rtype,
                    "name": rname,
                    "id": int(rid),
                    "capacity": max(1, int(cap)),
                    "times": {},
                }
            )
            left = int(nfun)
        elif key == "comm_band_self":
            continue
        elif key == "comm_band":
            if len(toks) != 4 or not all(_INT.fullmatch(t) for t in toks[1:]):
                raise InstanceError(
                    "comm_band is 'comm_band source destination bandwidth'", path, ln
                )
            a, b, bw = int(toks[1]), int(toks[2]), int(toks[3])
            if bw < 0 or bw >= 2**62:
                raise InstanceError(f"comm_band: bandwidth {bw} out of range", path, ln)
            bandwidth[(a, b)] = bw
            bandwidth[(b, a)] = bw
        elif key in skip:
            continue
        elif resources and left > 0:
            if len(toks) < 2 or not _NUM.fullmatch(toks[1]):
                raise InstanceError(f"functionality {key}: expected a time", path, ln)
            t = float(toks[1])
            if not 0 <= t < 2**62:
                raise InstanceError(f"functionality {key}: time {toks[1]} out of range", path, ln)
            resources[-1]["times"][key] = int(round(t))
            left -= 1
        else:
            raise InstanceError(f"unrecognised line {' '.join(toks)!r}", path, ln)
    if not resources:
        raise InstanceError("no add_new_resource line", path)
    return {"resources": resources, "bandwidth": bandwidth}


def ds3_instance(job: dict[str, Any], soc: dict[str, Any], name: str, source: str) -> Instance:
    """The instance of a parsed DS3 job on a parsed SoC."""
    procs: list[tuple[str, str]] = []
    rid: list[int] = []
    table: list[dict[str, int]] = []
    for r in soc["resources"]:
        if r["type"] == "MEM" or not r["times"]:
            continue
        for k in range(r["capacity"]):
            nm = r["name"] if r["capacity"] == 1 else f"{r['name']}_{k}"
            procs.append((nm, r["type"]))
            rid.append(r["id"])
            table.append(r["times"])
    if not procs:
        raise InstanceError("the SoC has no processing element", source)
    if len(procs) > MAX_PROCESSORS:
        raise InstanceError(
            f"at most {MAX_PROCESSORS} processing elements, got {len(procs)}", source
        )
    times = []
    for i, task in enumerate(job["tasks"]):
        row = tuple(t.get(task) for t in table)
        if all(v is None for v in row):
            raise InstanceError(f"task {i} ({task}) runs on no PE of the SoC", source)
        times.append(row)
    P = len(procs)
    band = soc["bandwidth"]
    bw = [[band.get((rid[p], rid[q]), 1) or None for q in range(P)] for p in range(P)]
    edges = [(a, b, job["volumes"].get((a, b), 0)) for b, ps in enumerate(job["preds"]) for a in ps]
    return Instance(
        times=tuple(times),
        edges=tuple(edges),
        processors=tuple(procs),
        bandwidth=bw,
        task_names=tuple(job["tasks"]),
        name=name,
        source=source,
    )


def read_ds3(job_path: str, soc_path: str, name: str | None = None) -> Instance:
    """A DS3 job file on a DS3 SoC file."""
    job = parse_ds3_job(read_text(job_path), job_path)
    soc = parse_ds3_soc(read_text(soc_path), soc_path)
    label = name or f"{Path(job_path).stem.removeprefix('job_')}@{_soc_label(soc_path)}"
    return ds3_instance(job, soc, label, job_path)


def _soc_label(path: str) -> str:
    return Path(path).stem.removeprefix("DASH.").removeprefix("SoC.")


def _soc_candidates(job_path: str) -> list[Path]:
    here = Path(job_path).parent
    out: list[Path] = []
    for folder in (here, here.parent / "config_SoC"):
        if folder.is_dir():
            out += sorted(p for p in folder.glob("*.txt") if "SoC." in p.name)
    return out


def _ds3_read(path: str, index: int | None = None) -> Instance:
    if index not in (None, 1):
        raise InstanceError(f"instance #{index} out of range: the file holds 1", path)
    job = parse_ds3_job(read_text(path), path)
    best: tuple[int, int, str, dict[str, Any], Path] | None = None
    for cand in _soc_candidates(path):
        try:
            soc = parse_ds3_soc(read_text(str(cand)), str(cand))
        except InstanceError:
            continue
        names = set(job["tasks"])
        runs = set()
        pes = 0
        for r in soc["resources"]:
            got = names & set(r["times"])
            runs |= got
            if got:
                pes += r["capacity"]
        if runs != names:
            continue
        key = (-pes, len(cand.name), cand.name, soc, cand)
        if best is None or key[:3] < best[:3]:
            best = key
    if best is None:
        raise InstanceError(
            "no DS3 SoC file beside the job (or in ../config_SoC) runs all its tasks; "
            "use schedlab.families.dag.formats.read_ds3(job, soc)",
            path,
        )
    label = f"{Path(path).stem.removeprefix('job_')}@{_soc_label(str(best[4]))}"
    return ds3_instance(job, best[3], label, path)


# -- platforms, WfFormat, DAX -----------------------------------------------------------------
def _positive(v: Any, what: str, source: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v <= 0:
        raise InstanceError(f"platform: {what} must be a positive number, got {v!r}", source)
    return float(v)


def platform_from_dict(data: Any, source: str = "<platform>") -> dict[str, Any]:
    """A platform description, validated and expanded: ``{"name", "processors": [(name,
    type, speed)], "bandwidth": P x P bytes/s (None: infinite), "latency": P x P seconds,
    "time_unit": seconds}``."""
    if not isinstance(data, dict):
        raise InstanceError("a platform is a JSON object", source)
    unknown = set(data) - {"name", "processors", "bandwidth", "latency", "time_unit"}
    if unknown:
        raise InstanceError(f"platform: unknown key(s) {', '.join(sorted(unknown))}", source)
    groups = data.get("processors")
    if not isinstance(groups, list) or not groups:
        raise InstanceError("platform: processors must be a non-empty list", source)
    procs: list[tuple[str, str, float]] = []
    for k, grp in enumerate(groups):
        if not isinstance(grp, dict) or set(grp) - {"name", "type", "speed", "count"}:
            raise InstanceError(
                f"platform: processors[{k}] must be {{name, type, speed, count}}", source
            )
        count = grp.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 4096:
            raise InstanceError(f"platform: processors[{k}].count must be 1..4096", source)
        speed = _positive(grp.get("speed", 1.0), f"processors[{k}].speed", source)
        ptype = grp.get("type", "p")
        base = grp.get("name", ptype)
        if not isinstance(ptype, str) or not isinstance(base, str) or not ptype or not base:
            raise InstanceError(f"platform: processors[{k}]: name and type are strings", source)
        for c in range(count):
            procs.append((base if count == 1 else f"{base}{c}", ptype, speed))
    P = len(procs)
    if P > MAX_PROCESSORS:
        raise InstanceError(f"platform: at most {MAX_PROCESSORS} processors", source)

    def matrix(value: Any, what: str, allow_none: bool, positive: bool) -> list[list[float | None]]:
        def cell(v: Any) -> float | None:
            if v is None and allow_none:
                return None
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise InstanceError(f"platform: {what} must hold numbers, got {v!r}", source)
            if v < 0 or (positive and v <= 0):
                raise InstanceError(f"platform: {what} out of range: {v!r}", source)
            return float(v)

        if not isinstance(value, list):
            c = cell(value)
            return [[c] * P for _ in range(P)]
        if len(value) != P or not all(isinstance(r, list) and len(r) == P for r in value):
            raise InstanceError(f"platform: {what} must be a number or a {P} x {P} matrix", source)
        return [[cell(v) for v in r] for r in value]

    unit = _positive(data.get("time_unit", 1.0), "time_unit", source)
    name = data.get("name", Path(source).stem if not source.startswith("<") else "platform")
    return {
        "name": str(name),
        "processors": procs,
        "bandwidth": matrix(data.get("bandwidth"), "bandwidth", True, True),
        "latency": matrix(data.get("latency", 0.0), "latency", False, False),
        "time_unit": unit,
    }


def read_platform(path: str) -> dict[str, Any]:
    """A platform JSON file (see :func:`platform_from_dict`)."""
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise InstanceError(f"invalid JSON: {e.msg}", path, e.lineno) from None
    return platform_from_dict(data, path)


def _platform_for(path: str, platform: Any) -> dict[str, Any]:
    if platform is None:
        beside = Path(path).parent / "platform.json"
        return (
            read_platform(str(beside))
            if beside.is_file()
            else platform_from_dict(DEFAULT_PLATFORM, "<default platform>")
        )
    if isinstance(platform, str | Path):
        return read_platform(str(platform))
    if isinstance(platform, dict) and isinstance(platform.get("processors", [None])[0], tuple):
        return platform
    return platform_from_dict(platform)


def workflow_instance(
    name: str,
    tasks: list[str],
    runtimes: list[float],
    edges: dict[tuple[int, int], int],
    platform: dict[str, Any],
    source: str,
) -> Instance:
    """The instance of a workflow (runtimes in seconds, edge volumes in bytes) on a
    platform (see :func:`platform_from_dict`)."""
    unit = platform["time_unit"]
    procs = platform["processors"]
    times = []
    for i, rt in enumerate(runtimes):
        if not math.isfinite(rt) or rt < 0 or rt >= 1e15:
            raise InstanceError(f"task {tasks[i]}: runtime {rt!r} out of range", source)
        row = []
        for _, _, speed in procs:
            t = int(round(rt / speed / unit))
            row.append(max(1, t) if rt > 0 else 0)
        times.append(tuple(row))
    P = len(procs)
    bw = [
        [None if b is None else max(1, int(round(b * unit))) for b in platform["bandwidth"][p]]
        for p in range(P)
    ]
    lat = [[int(math.ceil(x / unit - 1e-9)) for x in platform["latency"][p]] for p in range(P)]
    return Instance(
        times=tuple(times),
        edges=tuple((a, b, v) for (a, b), v in sorted(edges.items())),
        processors=tuple((nm, ty) for nm, ty, _ in procs),
        bandwidth=bw,
        latency=lat,
        task_names=tuple(tasks),
        name=f"{name}@{platform['name']}",
        source=source,
    )


def _wf_accepts(path: str, head: str) -> bool:
    h = head.lstrip()
    return h.startswith("{") and '"workflow"' in head and '"schemaVersion"' in head


def _number(v: Any, what: str, source: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise InstanceError(f"{what} must be a number, got {v!r}", source)
    return float(v)


def parse_wfformat(data: Any, source: str = "<wfformat>", platform: Any = None) -> Instance:
    """A WfFormat document (schema 1.5, or the older one with runtimes and files in each
    task) on a platform (a dict, a file, or ``None``: ``platform.json`` beside the source,
    else :data:`DEFAULT_PLATFORM`)."""
    if not isinstance(data, dict) or not isinstance(data.get("workflow"), dict):
        raise InstanceError('a WfFormat document has a "workflow" object', source)
    wf = data["workflow"]
    spec = wf.get("specification")
    sizes: dict[str, float] = {}
    runtime: dict[str, float] = {}
    reads: dict[str, set[str]] = {}
    writes: dict[str, set[str]] = {}
    parents: dict[str, list[str]] = {}
    order: list[str] = []
    try:
        if isinstance(spec, dict):
            for f in spec.get("files", []):
                sizes[str(f["id"])] = _number(f.get("sizeInBytes", 0), "file size", source)
            for t in spec["tasks"]:
                tid = str(t["id"])
                order.append(tid)
                parents[tid] = [str(p) for p in t.get("parents", [])]
                reads[tid] = {str(x) for x in t.get("inputFiles", [])}
                writes[tid] = {str(x) for x in t.get("outputFiles", [])}
            for t in wf.get("execution", {}).get("tasks", []):
                runtime[str(t["id"])] = _number(t.get("runtimeInSeconds", 0), "runtime", source)
        else:
            for t in wf["tasks"]:
                tid = str(t.get("id", t.get("name")))
                order.append(tid)
                parents[tid] = [str(p) for p in t.get("parents", [])]
                rt = t.get("runtimeInSeconds", t.get("runtime", 0))
                runtime[tid] = _number(rt, "runtime", source)
                reads[tid], writes[tid] = set(), set()
                for f in t.get("files", []):
                    fid = str(f.get("id", f.get("name")))
                    sizes[fid] = _number(
                        f.get("sizeInBytes", f.get("size", 0)), "file size", source
                    )
                    (reads if f.get("link") == "input" else writes)[tid].add(fid)
    except (KeyError, TypeError, AttributeError) as e:
        raise InstanceError(f"not a WfFormat workflow: {e!r}", source) from None
    if not order:
        raise InstanceError("the workflow has no task", source)
    label = Path(source).stem if not source.startswith("<") else data.get("name") or "workflow"
    return _workflow(str(label), order, runtime, parents, reads, writes, sizes, platform, source)


def _workflow(
    name: str,
    order: list[str],
    runtime: dict[str, float],
    parents: dict[str, list[str]],
    reads: dict[str, set[str]],
    writes: dict[str, set[str]],
    sizes: dict[str, float],
    platform: Any,
    source: str,
) -> Instance:
    index: dict[str, int] = {}
    for t in order:
        if t in index:
            raise InstanceError(f"task {t} given twice", source)
        index[t] = len(index)
    edges: dict[tuple[int, int], int] = {}
    for t in order:
        for p in parents.get(t, []):
            if p not in index:
                raise InstanceError(f"task {t}: unknown parent {p}", source)
            shared = writes.get(p, set()) & reads.get(t, set())
            vol = sum(sizes.get(f, 0.0) for f in shared)
            if not 0 <= vol < 2**62:
                raise InstanceError(f"edge {p} -> {t}: volume out of range", source)
            edges[(index[p], index[t])] = int(math.ceil(vol))
    plat = _platform_for(source, platform)
    return workflow_instance(
        str(name), order, [runtime.get(t, 0.0) for t in order], edges, plat, source
    )


def _wf_read(path: str, index: int | None = None) -> Instance:
    if index not in (None, 1):
        raise InstanceError(f"instance #{index} out of range: the file holds 1", path)
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise InstanceError(f"invalid JSON: {e.msg}", path, e.lineno) from None
    return parse_wfformat(data, path)


def read_wfformat(path: str, platform: Any = None) -> Instance:
    """A WfFormat file on a platform (see :func:`parse_wfformat`)."""
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise InstanceError(f"invalid JSON: {e.msg}", path, e.lineno) from None
    return parse_wfformat(data, path, platform)


def _dax_accepts(path: str, head: str) -> bool:
    return "<adag" in head


def parse_dax(text: str, source: str = "<dax>", platform: Any = None) -> Instance:
    """A Pegasus DAX document on a platform (see :func:`parse_wfformat`)."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        raise InstanceError(f"invalid XML: {e}", source, e.position[0]) from None
    ns = ""
    if root.tag.startswith("{"):
        ns = root.tag[: root.tag.index("}") + 1]
    if root.tag != f"{ns}adag":
        raise InstanceError("not a DAX document (no <adag> root)", source)
    order: list[str] = []
    runtime: dict[str, float] = {}
    reads: dict[str, set[str]] = {}
    writes: dict[str, set[str]] = {}
    sizes: dict[str, float] = {}
    parents: dict[str, list[str]] = {}
    for job in root.iter(f"{ns}job"):
        tid = job.get("id")
        if tid is None:
            raise InstanceError("a <job> without id", source)
        order.append(tid)
        try:
            runtime[tid] = abs(float(job.get("runtime", "0")))
        except ValueError:
            raise InstanceError(f"job {tid}: bad runtime {job.get('runtime')!r}", source) from None
        reads[tid], writes[tid] = set(), set()
        for use in job.iter(f"{ns}uses"):
            f = use.get("file") or use.get("name")
            if f is None:
                continue
            try:
                sizes[f] = abs(float(use.get("size", "0")))
            except ValueError:
                raise InstanceError(
                    f"job {tid}: bad file size {use.get('size')!r}", source
                ) from None
            if not math.isfinite(sizes[f]):
                raise InstanceError(f"job {tid}: bad file size {use.get('size')!r}", source)
            (writes if use.get("link") == "output" else reads)[tid].add(f)
    for child in root.iter(f"{ns}child"):
        c = child.get("ref")
        if c is None:
            raise InstanceError("a <child> without ref", source)
        for par in child.iter(f"{ns}parent"):
            p = par.get("ref")
            if p is None:
                raise InstanceError("a <parent> without ref", source)
            parents.setdefault(c, []).append(p)
    for c in parents:
        if c not in runtime:
            raise InstanceError(f"<child ref={c!r}>: no such job", source)
    if not order:
        raise InstanceError("the DAX has no job", source)
    name = root.get("name")
    if not name or name == "test":
        name = Path(source).stem
    return _workflow(name, order, runtime, parents, reads, writes, sizes, platform, source)


def read_dax(path: str, platform: Any = None) -> Instance:
    """A DAX file on a platform (see :func:`parse_wfformat`)."""
    return parse_dax(read_text(path), path, platform)


def _dax_read(path: str, index: int | None = None) -> Instance:
    if index not in (None, 1):
        raise InstanceError(f"instance #{index} out of range: the file holds 1", path)
    return read_dax(path)


# -- the Topcuoglu example --------------------------------------------------------------------
def _topcuoglu_accepts(path: str, head: str) -> bool:
    h = head.lstrip()
    return (
        h.startswith("{")
        and '"problem"' not in head
        and '"tasks"' in head
        and '"processors"' in head
        and '"workflow"' not in head
    )


def parse_topcuoglu(data: Any, source: str = "<topcuoglu>") -> Instance:
    """The Topcuoglu example's JSON: ``{"name", "processors": [names], "tasks": {name:
    [cost per processor]}, "edges": [[from, to, cost]], "optimal_makespan"?}``."""
    if not isinstance(data, dict):
        raise InstanceError("expected a JSON object", source)
    procs = data.get("processors")
    tasks = data.get("tasks")
    edges = data.get("edges", [])
    if not isinstance(procs, list) or not procs or not all(isinstance(p, str) for p in procs):
        raise InstanceError("processors must be a list of names", source, path="$.processors")
    if not isinstance(tasks, dict) or not tasks:
        raise InstanceError("tasks must be an object: name -> costs", source, path="$.tasks")
    if not isinstance(edges, list):
        raise InstanceError("edges must be a list of [from, to, cost]", source, path="$.edges")
    names = list(tasks)
    index = {nm: i for i, nm in enumerate(names)}
    out_edges = []
    for k, e in enumerate(edges):
        if not isinstance(e, list) or len(e) != 3 or e[0] not in index or e[1] not in index:
            raise InstanceError(
                f"edge {k}: expected [from, to, cost] of known tasks", source, path=f"$.edges[{k}]"
            )
        out_edges.append({"from": index[e[0]], "to": index[e[1]], "volume": e[2]})
    ref = data.get("optimal_makespan")
    doc = {
        "problem": "dag",
        "name": data.get("name") or Path(source).stem,
        "processors": [{"name": p, "type": "p"} for p in procs],
        "tasks": [{"name": nm, "times": tasks[nm]} for nm in names],
        "edges": out_edges,
        "bandwidth": 1,
        "latency": 0,
    }
    if ref is not None:
        doc["reference"] = ref
    return Instance.from_dict(doc, source)


def _topcuoglu_read(path: str, index: int | None = None) -> Instance:
    if index not in (None, 1):
        raise InstanceError(f"instance #{index} out of range: the file holds 1", path)
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise InstanceError(f"invalid JSON: {e.msg}", path, e.lineno) from None
    return parse_topcuoglu(data, path)


#: The readers of the family, in the order they are tried.
READERS = (
    Reader(
        format="stg",
        description="STG task graph (Kasahara); FILE#P on P identical processors (default "
        f"{STG_DEFAULT_PROCESSORS}); optimum or bounds from ../optimal/Case{{N}}_{{P}}_OPT.csv",
        accepts=_stg_accepts,
        read=_stg_read,
        count=_stg_count,
    ),
    Reader(
        format="ds3",
        description="DS3 job file (job_*.txt) on the SoC file beside it or in ../config_SoC",
        accepts=_ds3_job_accepts,
        read=_ds3_read,
    ),
    Reader(
        format="wfformat",
        description="WfCommons WfFormat JSON on platform.json beside it (else an 8-processor "
        "default)",
        accepts=_wf_accepts,
        read=_wf_read,
    ),
    Reader(
        format="dax",
        description="Pegasus DAX XML on platform.json beside it (else an 8-processor default)",
        accepts=_dax_accepts,
        read=_dax_read,
    ),
    Reader(
        format="topcuoglu",
        description="the Topcuoglu et al. (2002) example's JSON (tasks: name -> costs)",
        accepts=_topcuoglu_accepts,
        read=_topcuoglu_read,
    ),
)
