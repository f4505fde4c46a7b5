"""The native file formats of the partition family: PipeEdge's ``models.yml`` and per-model
layer CSVs, each read with the ``device_types.yml`` (and optional ``devices.yml``) beside it.

- ``models.yml``: ``models.yml#k`` is the k-th model with at least one layer.
- layer CSV: ``layer,mem_MB,parameters_out,time_s_<type>,...``, one model a file.

Without ``devices.yml`` one device of each type is used. JSON instances and scenarios are
read by :meth:`.model.Instance.from_dict`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ...core.errors import InstanceError
from ...core.family import Reader
from . import pipeedge
from .hardware import Device
from .model import Instance

_PARAMETERS_OUT = re.compile(r"^\s+parameters_out:", re.M)


def accepts_models_yml(path: str, head: str) -> bool:
    """True for a ``.yml``/``.yaml`` file with an indented ``parameters_out:`` key (a model's
    per-layer output sizes in PipeEdge's ``models.yml``)."""
    name = Path(path).name.lower()
    return name.endswith((".yml", ".yaml")) and _PARAMETERS_OUT.search(head) is not None


def accepts_layer_csv(path: str, head: str) -> bool:
    """True for a ``.csv`` file whose header has ``mem_MB`` and ``time_s_<type>`` columns."""
    first = head.split("\n", 1)[0].strip()
    return Path(path).name.lower().endswith(".csv") and "mem_MB" in first and "time_s_" in first


def count_models(path: str) -> int:
    """Number of models (with at least one layer) in a ``models.yml``."""
    return len(pipeedge.models(path))


def _device_types_beside(path: str) -> Path:
    tfile = Path(path).parent / "device_types.yml"
    if not tfile.is_file():
        raise InstanceError("needs a device_types.yml beside it", path)
    return tfile


def _instance(path: str, tfile: Path, layers: dict[str, Any], times: Any) -> Instance:
    types = pipeedge.device_types(
        str(tfile), layers["model"], pipeedge.MICROBATCH, pipeedge.DTYPE, times
    )
    dfile = Path(path).parent / "devices.yml"
    if dfile.is_file():
        devices = pipeedge.devices_yml(str(dfile), types)
    else:
        devices = tuple(Device(n, n) for n in types)
    used = {d.type for d in devices}
    short = layers["model"].rsplit("/", 1)[-1]
    return Instance(
        mem_MB=layers["mem_MB"],
        out_elems=layers["out_elems"],
        in_elems=layers["in_elems"],
        types=tuple(t for n, t in types.items() if n in used),
        devices=devices,
        model=layers["model"],
        name=f"{short}_{len(devices)}dev",
        source=path,
    )


def read_models_yml(path: str, index: int | None = None) -> Instance:
    """Model ``index`` (1-based among models with layers; ``None``: the first) of a
    ``models.yml``, on the devices of the ``device_types.yml``/``devices.yml`` beside it."""
    tfile = _device_types_beside(path)
    return _instance(path, tfile, pipeedge.model_layers(path, None, index), None)


def read_layer_csv(path: str, index: int | None = None) -> Instance:
    """The model of a layer CSV, on the devices of the ``device_types.yml``/``devices.yml``
    beside it."""
    tfile = _device_types_beside(path)
    if index not in (None, 1):
        raise InstanceError(f"instance #{index} out of range: the file holds 1", path)
    layers = pipeedge.csv_layers(path)
    return _instance(path, tfile, layers, layers["times"])


#: The family's readers, in the order they are tried.
READERS = (
    Reader(
        format="pipeedge-yaml",
        description="PipeEdge models.yml (#k: k-th model) with device_types.yml beside it",
        accepts=accepts_models_yml,
        read=read_models_yml,  # frozen Instance vs the core Protocol
        count=count_models,
    ),
    Reader(
        format="pipeedge-csv",
        description="per-model layer CSV (mem_MB, parameters_out, time_s_<type>) "
        "with device_types.yml beside it",
        accepts=accepts_layer_csv,
        read=read_layer_csv,  # frozen Instance vs the core Protocol
    ),
)
