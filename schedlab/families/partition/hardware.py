"""The hardware of a partition instance: device types, devices and links, their checks and
their JSON forms (shared by the model and the PipeEdge profile readers)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...core.errors import InstanceError


def number(v: Any, what: str, src: str | None) -> float:
    """``v`` as a finite non-negative float; :class:`InstanceError` naming ``what`` and the
    file ``src`` otherwise."""
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        raise InstanceError(f"{what} must be a number, got {v!r}", src)
    x = float(v)
    if not math.isfinite(x) or x < 0:
        raise InstanceError(f"{what} must be non-negative", src)
    return x


def integer(v: Any, what: str, src: str | None, *, minimum: int = 0) -> int:
    """``v`` as an integer of at least ``minimum`` (an integral float is accepted)."""
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        raise InstanceError(f"{what} must be an integer, got {v!r}", src)
    if isinstance(v, float | np.floating) and not float(v).is_integer():
        raise InstanceError(f"{what} must be an integer, got {v!r}", src)
    if int(v) < minimum:
        raise InstanceError(f"{what} must be at least {minimum}, got {v!r}", src)
    return int(v)


def floats(values: Any, what: str, src: str | None) -> tuple[float, ...]:
    """A list of non-negative numbers as a tuple of floats."""
    if isinstance(values, str | bytes | dict) or not hasattr(values, "__iter__"):
        raise InstanceError(f"{what} must be a list of numbers", src)
    return tuple(number(v, f"{what}[{i}]", src) for i, v in enumerate(values))


@dataclass(frozen=True)
class DeviceType:
    """A device type: per-layer compute times of one micro-batch, memory and bandwidth.

    Attributes:
        name: the type's name.
        time_s: seconds per micro-batch for each layer (1 entry a layer).
        mem_MB: memory available to a stage, MiB.
        bw_Mbps: network bandwidth, Mbit/s (1 Mbit = 2^20 bits).
    """

    name: str
    time_s: tuple[float, ...]
    mem_MB: float
    bw_Mbps: float


@dataclass(frozen=True)
class Device:
    """A device: an id, its type, and optional overrides of the type's memory and bandwidth.

    Attributes:
        id: a unique name (e.g. a host name).
        type: the name of its :class:`DeviceType`.
        mem_MB: memory (MiB), or ``None`` for the type's.
        bw_Mbps: bandwidth (Mbit/s), or ``None`` for the type's.
        latency_s: one-way latency of its links, seconds (a link takes the larger of its ends').
    """

    id: str
    type: str
    mem_MB: float | None = None
    bw_Mbps: float | None = None
    latency_s: float = 0.0


@dataclass(frozen=True)
class Link:
    """Bandwidth and/or latency of the link between two devices (both directions)."""

    a: str
    b: str
    bw_Mbps: float | None = None
    latency_s: float | None = None


# -- JSON helpers -----------------------------------------------------------------------------
def types_from_json(data: Any, src: str | None) -> dict[str, DeviceType]:
    """The ``"device_types"`` of an inline JSON instance: name -> :class:`DeviceType`."""
    if not isinstance(data, dict) or not data:
        raise InstanceError('"device_types" must map type names to properties', src)
    out: dict[str, DeviceType] = {}
    for name, t in data.items():
        if not isinstance(t, dict) or not {"mem_MB", "bw_Mbps", "time_s"} <= set(t):
            raise InstanceError(f"device type {name!r} needs mem_MB, bw_Mbps and time_s", src)
        out[name] = DeviceType(
            name=str(name),
            time_s=floats(t["time_s"], f"{name}.time_s", src),
            mem_MB=number(t["mem_MB"], f"{name}.mem_MB", src),
            bw_Mbps=number(t["bw_Mbps"], f"{name}.bw_Mbps", src),
        )
    return out


def devices_from_json(data: Any, types: dict[str, Any], src: str | None) -> tuple[Device, ...]:
    """The ``"devices"`` of a JSON instance or scenario: a list of ``{"id", "type", ...}`` or
    a map type -> count (ids ``<type>-<k>``); ``types`` are the known type names."""
    if isinstance(data, dict):
        out = []
        for tname, n in data.items():
            if tname not in types:
                raise InstanceError(f"devices: unknown type {tname!r}", src)
            out += [
                Device(f"{tname}-{k}", tname) for k in range(integer(n, f"devices[{tname}]", src))
            ]
        return tuple(out)
    if not isinstance(data, list):
        raise InstanceError('"devices" must be a list of devices or a map type -> count', src)
    out = []
    for k, d in enumerate(data):
        if not isinstance(d, dict) or not {"id", "type"} <= set(d):
            raise InstanceError(f"devices[{k}] needs an id and a type", src)
        extra = set(d) - {"id", "type", "mem_MB", "bw_Mbps", "latency_s"}
        if extra:
            raise InstanceError(f"devices[{k}]: unknown key(s) {', '.join(sorted(extra))}", src)
        out.append(
            Device(
                id=str(d["id"]),
                type=str(d["type"]),
                mem_MB=None if d.get("mem_MB") is None else number(d["mem_MB"], "mem_MB", src),
                bw_Mbps=None if d.get("bw_Mbps") is None else number(d["bw_Mbps"], "bw_Mbps", src),
                latency_s=number(d.get("latency_s", 0.0), f"devices[{k}].latency_s", src),
            )
        )
    return tuple(out)


def links_from_json(data: Any, src: str | None) -> tuple[Link, ...]:
    """The ``"links"`` of a JSON instance or scenario."""
    if not isinstance(data, list):
        raise InstanceError('"links" must be a list of {"a", "b", "bw_Mbps"?, "latency_s"?}', src)
    out = []
    for k, lk in enumerate(data):
        if not isinstance(lk, dict) or not {"a", "b"} <= set(lk):
            raise InstanceError(f"links[{k}] needs devices a and b", src)
        out.append(
            Link(
                a=str(lk["a"]),
                b=str(lk["b"]),
                bw_Mbps=None
                if lk.get("bw_Mbps") is None
                else number(lk["bw_Mbps"], "bw_Mbps", src),
                latency_s=None
                if lk.get("latency_s") is None
                else number(lk["latency_s"], "latency_s", src),
            )
        )
    return tuple(out)
