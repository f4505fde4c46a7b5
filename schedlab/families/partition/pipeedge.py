"""PipeEdge's profile files: ``models.yml`` (per-layer memory and output sizes),
``device_types.yml`` (per-type memory, bandwidth and per-layer times), ``devices.yml``
(hosts of each type) and per-model layer CSVs; and the JSON *scenarios* that name them.

These parse the files into layer tables and hardware (:mod:`.hardware`); the readers that
build instances from them are in :mod:`.formats` (native files) and
:meth:`.model.Instance.from_dict` (scenarios).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from ...core.errors import InstanceError
from ...core.textio import read_text
from .hardware import (
    Device,
    DeviceType,
    devices_from_json,
    floats,
    integer,
    links_from_json,
    number,
)

#: The micro-batch size and dtype of the profiles a native file is read with.
MICROBATCH = 8
DTYPE = "torch.float32"


def _yaml(path: str) -> Any:
    import yaml

    text = read_text(path)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        raise InstanceError(f"invalid YAML: {getattr(e, 'problem', e)}", path, line) from None


def _line_of(path: str, key: str) -> int | None:
    for k, line in enumerate(read_text(path).splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return k
    return None


def models(path: str) -> list[tuple[str, dict[str, Any]]]:
    """The models of a ``models.yml`` that have at least one layer, in file order."""
    data = _yaml(path)
    if not isinstance(data, dict):
        raise InstanceError("a models.yml maps model names to properties", path)
    out = []
    for name, m in data.items():
        if not isinstance(m, dict) or m.get("layers") is None:
            continue
        try:  # 0 layers: a placeholder (PipeEdge's DummyModel), skipped
            n = integer(m["layers"], f"{name}: layers", path)
        except InstanceError as e:
            raise InstanceError(e.message, path, _line_of(path, str(name))) from None
        if n > 0:
            out.append((str(name), m))
    return out


def model_layers(path: str, model: str | None, index: int | None) -> dict[str, Any]:
    """Layer tables of one model of a ``models.yml``: the one named ``model``, else model
    ``index`` (1-based among those with layers; ``None`` for the first). Returns ``model``
    (its name), ``mem_MB``, ``out_elems`` and ``in_elems``."""
    models_ = models(path)
    if not models_:
        raise InstanceError("no model with layers in this file", path)
    if model is not None:
        found = [m for n, m in models_ if n == model]
        if not found:
            names = ", ".join(n for n, _ in models_)
            raise InstanceError(f"model {model!r} not found (models: {names})", path)
        name, m = model, found[0]
    else:
        k = index or 1
        if not 1 <= k <= len(models_):
            raise InstanceError(f"model #{k} out of range: the file holds {len(models_)}", path)
        name, m = models_[k - 1]
    line = _line_of(path, name)
    n = integer(m.get("layers"), f"{name}: layers", path, minimum=1)
    mem = m.get("mem_MB")
    outs = m.get("parameters_out")
    if not isinstance(mem, list) or len(mem) != n:
        raise InstanceError(f"{name}: mem_MB must list {n} values", path, line)
    if not isinstance(outs, list) or not outs or len(outs) > n:
        raise InstanceError(f"{name}: parameters_out must list 1..{n} values", path, line)
    outs = [outs[i % len(outs)] for i in range(n)]  # PipeEdge repeats a short block
    return {
        "model": name,
        "mem_MB": mem,
        "out_elems": outs,
        "in_elems": m.get("parameters_in", 0) or 0,
    }


def device_types(
    path: str,
    model: str,
    microbatch: int,
    dtype: str,
    csv_times: dict[str, list[float]] | None,
) -> dict[str, DeviceType]:
    """The types of a ``device_types.yml`` that have a profile for ``model`` at this
    micro-batch and dtype (or, with ``csv_times``, a time column in the layer CSV), in file
    order: name -> :class:`DeviceType`. Types without one are skipped, as in PipeEdge."""
    data = _yaml(path)
    if not isinstance(data, dict):
        raise InstanceError("a device_types.yml maps type names to properties", path)
    out: dict[str, DeviceType] = {}
    for name, t in data.items():
        if not isinstance(t, dict):
            continue
        times = None
        if csv_times is not None:
            times = csv_times.get(str(name))
        else:
            for prof in (t.get("model_profiles") or {}).get(model) or []:
                if prof.get("batch_size") == microbatch and prof.get("dtype", dtype) == dtype:
                    times = prof.get("time_s")
        if times is None:
            continue  # like PipeEdge: a type without a matching profile is skipped
        line = _line_of(path, str(name))
        if "mem_MB" not in t or "bw_Mbps" not in t:
            raise InstanceError(f"device type {name!r} needs mem_MB and bw_Mbps", path, line)
        out[str(name)] = DeviceType(
            name=str(name),
            time_s=floats(times, f"{name}.time_s", path),
            mem_MB=number(t["mem_MB"], f"{name}.mem_MB", path),
            bw_Mbps=number(t["bw_Mbps"], f"{name}.bw_Mbps", path),
        )
    if csv_times is not None:
        unknown = [n for n in csv_times if n not in {str(k) for k in data}]
        if unknown:
            raise InstanceError(
                f"the layer CSV's column(s) {', '.join('time_s_' + n for n in unknown)} name "
                "no device type of this file",
                path,
            )
    if not out:
        raise InstanceError(
            f"no device type has a profile for {model!r} at micro-batch {microbatch}", path
        )
    return out


def _family(name: str) -> str:
    return name.rsplit("-", 1)[0]


def devices_yml(path: str, types: dict[str, DeviceType]) -> tuple[Device, ...]:
    """The hosts of a ``devices.yml`` as devices of ``types``; a type missing from ``types``
    is matched to the only type of the same family (see the model's doc)."""
    data = _yaml(path)
    if not isinstance(data, dict):
        raise InstanceError("a devices.yml maps type names to lists of hosts", path)
    out = []
    for tname, hosts in data.items():
        if not hosts:
            continue
        tname = str(tname)
        if tname not in types:
            same = [n for n in types if _family(n) == _family(tname)]
            if len(same) != 1:
                raise InstanceError(
                    f"device type {tname!r} has no profile in device_types.yml",
                    path,
                    _line_of(path, tname),
                )
            tname = same[0]
        if not isinstance(hosts, list):
            raise InstanceError(f"{tname}: expected a list of hosts", path, _line_of(path, tname))
        out += [Device(str(h), tname) for h in hosts]
    if not out:
        raise InstanceError("no devices listed", path)
    return tuple(out)


_CSV_TIME = re.compile(r"time_s_(.+)")


def csv_layers(path: str) -> dict[str, Any]:
    """Layer tables of a per-model CSV (``layer,mem_MB,parameters_out,time_s_<type>,...``):
    ``model`` (the file's stem without ``_layers``), ``mem_MB``, ``out_elems``,
    ``in_elems`` (0) and ``times`` (type -> per-layer seconds)."""
    text = read_text(path)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not {"mem_MB", "parameters_out"} <= set(rows[0]):
        raise InstanceError(
            "a layer CSV needs columns layer, mem_MB, parameters_out, time_s_<type>", path, 1
        )
    head = rows[0]
    tcols = {i: m.group(1) for i, h in enumerate(head) if (m := _CSV_TIME.fullmatch(h))}
    if not tcols:
        raise InstanceError("no time_s_<type> column", path, 1)
    col = {h: i for i, h in enumerate(head)}
    mem: list[float] = []
    outs: list[int] = []
    times: dict[str, list[float]] = {name: [] for name in tcols.values()}
    for lineno, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) != len(head):
            raise InstanceError(f"expected {len(head)} fields, found {len(row)}", path, lineno)
        try:
            if "layer" in col and int(row[col["layer"]]) != len(mem) + 1:
                raise InstanceError("layers must be numbered 1, 2, ... in order", path, lineno)
            mem.append(float(row[col["mem_MB"]]))
            outs.append(int(float(row[col["parameters_out"]])))
            for i, name in tcols.items():
                times[name].append(float(row[i]))
        except ValueError:
            raise InstanceError("expected numbers", path, lineno) from None
    if not mem:
        raise InstanceError("no layer rows", path)
    stem = Path(path).stem.removesuffix("_layers")
    return {"model": stem, "mem_MB": mem, "out_elems": outs, "in_elems": 0, "times": times}


def _resolve(path: Any, src: str | None) -> str:
    if not isinstance(path, str) or not path:
        raise InstanceError("profile paths must be non-empty strings", src)
    p = Path(path)
    if not p.is_absolute() and src and src[0] != "<":
        p = Path(src).parent / p
    return str(p)


def scenario_fields(data: dict[str, Any], source: str | None, default_name: str) -> dict[str, Any]:
    """The instance fields (keyword arguments of :class:`.model.Instance`) of a JSON
    *scenario*: a document whose ``"profiles"`` name PipeEdge files, paths relative to the
    JSON file ``source`` (see the model's doc). ``default_name`` names it if it does not."""
    prof = data["profiles"]
    if not isinstance(prof, dict):
        raise InstanceError('"profiles" must be an object', source, path="$.profiles")
    extra = set(prof) - {"models", "csv", "device_types", "model", "in_elems"}
    if extra:
        raise InstanceError(
            f"profiles: unknown key(s) {', '.join(sorted(extra))}", source, path="$.profiles"
        )
    if "device_types" not in prof:
        raise InstanceError(
            'profiles needs "device_types" (a device_types.yml)', source, path="$.profiles"
        )
    if prof.get("model") is not None and not isinstance(prof["model"], str):
        raise InstanceError(
            f"must be a string, got {prof['model']!r}", source, path="$.profiles.model"
        )
    mb = data.get("microbatch", 8)
    if "models" in prof:
        model = prof.get("model")
        mfile = _resolve(prof["models"], source)
        layers = model_layers(mfile, model, None)
        model = layers["model"]
    elif "csv" in prof:
        layers = csv_layers(_resolve(prof["csv"], source))
        model = str(prof.get("model", layers["model"]))
    else:
        raise InstanceError(
            'profiles needs "models" (models.yml) or "csv"', source, path="$.profiles"
        )
    if "in_elems" in prof:
        layers["in_elems"] = integer(
            prof["in_elems"], "in_elems", source, path="$.profiles.in_elems"
        )
    tfile = _resolve(prof["device_types"], source)
    types = device_types(tfile, model, mb, DTYPE, layers.get("times"))
    if "devices" not in data:
        raise InstanceError(
            'a scenario needs "devices" (a map type -> count, a list or a devices.yml)', source
        )
    devs = data["devices"]
    if isinstance(devs, str):
        devices = devices_yml(_resolve(devs, source), types)
    else:
        devices = devices_from_json(devs, types, source)
    used = {d.type for d in devices}
    return {
        "mem_MB": layers["mem_MB"],
        "out_elems": layers["out_elems"],
        "in_elems": layers.get("in_elems", 0),
        "types": tuple(t for n, t in types.items() if n in used),
        "devices": devices,
        "links": links_from_json(data.get("links", []), source),
        "microbatch": mb,
        "batch": data.get("batch"),
        "dtype_bytes": data.get("dtype_bytes", 4),
        "buffers_in": data.get("buffers_in", 2),
        "buffers_out": data.get("buffers_out", 2),
        "model": model,
        "name": str(data.get("name") or default_name),
        "reference": data.get("reference"),
        "source": source,
    }
