"""The hardware of a partition instance: device types, devices and links, their checks and
their JSON forms (shared by the model and the PipeEdge profile readers)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...core.errors import InstanceError

#: Numbers must satisfy |x| < 2^63 (integers beyond it do not fit the int64 arrays, floats
#: beyond it make sums of times and sizes meaningless).
INT64_LIMIT = 2**63


def _error(message: str, what: str, src: str | None, path: str | None) -> InstanceError:
    """An :class:`InstanceError` naming the field by its JSON ``path`` (``$.layers.mem_MB[3]``)
    when given, else by ``what`` (a constructor's field name)."""
    if path is not None:
        return InstanceError(message, src, path=path)
    return InstanceError(f"{what} {message}", src)


def json_key(path: str, key: Any) -> str:
    """``path`` extended by an object key, ``$.a.b`` (dotted whatever the key, as the core's
    number check names paths)."""
    return f"{path}.{key}"


def number(v: Any, what: str, src: str | None, *, path: str | None = None) -> float:
    """``v`` as a finite non-negative float below 2^63; :class:`InstanceError` naming ``what``
    (or the JSON ``path``) and the file ``src`` otherwise (a bool or a string is not a
    number)."""
    if type(v) is float and 0.0 <= v < INT64_LIMIT:  # the common case, fast (NaN fails)
        return v
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        raise _error(f"must be a number, got {v!r}", what, src, path)
    if isinstance(v, int | np.integer) and abs(int(v)) >= INT64_LIMIT:
        raise _error(f"{v} is beyond the 64-bit range (|x| < 2^63)", what, src, path)
    x = float(v)
    if not math.isfinite(x):
        raise _error(f"must be a finite number, got {v!r}", what, src, path)
    if abs(x) >= INT64_LIMIT:
        raise _error(f"{v!r} is beyond the 64-bit range (|x| < 2^63)", what, src, path)
    if x < 0:
        raise _error(f"must be non-negative, got {v!r}", what, src, path)
    return x


def integer(
    v: Any, what: str, src: str | None, *, minimum: int = 0, path: str | None = None
) -> int:
    """``v`` as an integer of at least ``minimum`` and below 2^63 (an integral float is
    accepted; a bool, a string, NaN or infinity is not)."""
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        raise _error(f"must be an integer, got {v!r}", what, src, path)
    if isinstance(v, float | np.floating):
        if not math.isfinite(float(v)):
            raise _error(f"must be a finite integer, got {v!r}", what, src, path)
        if not float(v).is_integer():
            raise _error(f"must be an integer, got {v!r}", what, src, path)
    out = int(v)
    if abs(out) >= INT64_LIMIT:
        raise _error(f"{out} is beyond the 64-bit integer range (|x| < 2^63)", what, src, path)
    if out < minimum:
        raise _error(f"must be at least {minimum}, got {v!r}", what, src, path)
    return out


def floats(
    values: Any, what: str, src: str | None, *, path: str | None = None
) -> tuple[float, ...]:
    """A list of non-negative numbers as a tuple of floats (see :func:`number`)."""
    if isinstance(values, str | bytes | dict) or not hasattr(values, "__iter__"):
        raise _error("must be a list of numbers", what, src, path)
    return tuple(
        number(v, f"{what}[{i}]", src, path=None if path is None else f"{path}[{i}]")
        for i, v in enumerate(values)
    )


def _name(v: Any, what: str) -> str:
    if not isinstance(v, str) or not v:
        raise InstanceError(f"{what} must be a non-empty string, got {v!r}")
    return v


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

    def __post_init__(self) -> None:
        name = _name(self.name, "a device type's name")
        object.__setattr__(self, "time_s", floats(self.time_s, f"{name}.time_s", None))
        object.__setattr__(self, "mem_MB", number(self.mem_MB, f"{name}.mem_MB", None))
        object.__setattr__(self, "bw_Mbps", number(self.bw_Mbps, f"{name}.bw_Mbps", None))


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

    def __post_init__(self) -> None:
        dev = _name(self.id, "a device's id")
        _name(self.type, f"device {dev!r}: type")
        for key in ("mem_MB", "bw_Mbps"):
            if getattr(self, key) is not None:
                object.__setattr__(self, key, number(getattr(self, key), f"{dev}.{key}", None))
        object.__setattr__(self, "latency_s", number(self.latency_s, f"{dev}.latency_s", None))


@dataclass(frozen=True)
class Link:
    """Bandwidth and/or latency of the link between two devices (both directions)."""

    a: str
    b: str
    bw_Mbps: float | None = None
    latency_s: float | None = None

    def __post_init__(self) -> None:
        a = _name(self.a, "a link's device a")
        b = _name(self.b, "a link's device b")
        for key in ("bw_Mbps", "latency_s"):
            if getattr(self, key) is not None:
                value = number(getattr(self, key), f"link {a}-{b} {key}", None)
                object.__setattr__(self, key, value)


# -- JSON helpers -----------------------------------------------------------------------------
def types_from_json(
    data: Any, src: str | None, path: str = "$.device_types"
) -> dict[str, DeviceType]:
    """The ``"device_types"`` of an inline JSON instance: name -> :class:`DeviceType`; a bad
    field is named by its JSON path under ``path``."""
    if not isinstance(data, dict) or not data:
        raise InstanceError('"device_types" must map type names to properties', src, path=path)
    out: dict[str, DeviceType] = {}
    for name, t in data.items():
        at = json_key(path, name)
        if not isinstance(t, dict) or not {"mem_MB", "bw_Mbps", "time_s"} <= set(t):
            raise InstanceError(
                f"device type {name!r} needs mem_MB, bw_Mbps and time_s", src, path=at
            )
        extra = set(t) - {"mem_MB", "bw_Mbps", "time_s"}
        if extra:
            raise InstanceError(f"unknown key(s) {', '.join(sorted(extra))}", src, path=at)
        out[name] = DeviceType(
            name=str(name),
            time_s=floats(t["time_s"], f"{name}.time_s", src, path=f"{at}.time_s"),
            mem_MB=number(t["mem_MB"], f"{name}.mem_MB", src, path=f"{at}.mem_MB"),
            bw_Mbps=number(t["bw_Mbps"], f"{name}.bw_Mbps", src, path=f"{at}.bw_Mbps"),
        )
    return out


def devices_from_json(
    data: Any, types: dict[str, Any], src: str | None, path: str = "$.devices"
) -> tuple[Device, ...]:
    """The ``"devices"`` of a JSON instance or scenario: a list of ``{"id", "type", ...}`` or
    a map type -> count (ids ``<type>-<k>``); ``types`` are the known type names. A bad field
    is named by its JSON path under ``path``."""
    if isinstance(data, dict):
        out = []
        for tname, n in data.items():
            at = json_key(path, tname)
            if tname not in types:
                raise InstanceError(f"devices: unknown type {tname!r}", src, path=at)
            count = integer(n, f"devices[{tname}]", src, path=at)
            out += [Device(f"{tname}-{k}", tname) for k in range(count)]
        return tuple(out)
    if not isinstance(data, list):
        raise InstanceError(
            '"devices" must be a list of devices or a map type -> count', src, path=path
        )
    out = []
    for k, d in enumerate(data):
        at = f"{path}[{k}]"
        if not isinstance(d, dict) or not {"id", "type"} <= set(d):
            raise InstanceError(f"devices[{k}] needs an id and a type", src, path=at)
        extra = set(d) - {"id", "type", "mem_MB", "bw_Mbps", "latency_s"}
        if extra:
            raise InstanceError(
                f"devices[{k}]: unknown key(s) {', '.join(sorted(extra))}", src, path=at
            )
        for key in ("id", "type"):
            if not isinstance(d[key], str) or not d[key]:
                raise InstanceError(
                    f"must be a non-empty string, got {d[key]!r}", src, path=f"{at}.{key}"
                )
        opt = {
            key: number(d[key], key, src, path=f"{at}.{key}")
            for key in ("mem_MB", "bw_Mbps")
            if d.get(key) is not None
        }
        out.append(
            Device(
                id=d["id"],
                type=d["type"],
                mem_MB=opt.get("mem_MB"),
                bw_Mbps=opt.get("bw_Mbps"),
                latency_s=number(d.get("latency_s", 0.0), "latency_s", src, path=f"{at}.latency_s"),
            )
        )
    return tuple(out)


def links_from_json(data: Any, src: str | None, path: str = "$.links") -> tuple[Link, ...]:
    """The ``"links"`` of a JSON instance or scenario; a bad field is named by its JSON path
    under ``path``."""
    if not isinstance(data, list):
        raise InstanceError(
            '"links" must be a list of {"a", "b", "bw_Mbps"?, "latency_s"?}', src, path=path
        )
    out = []
    for k, lk in enumerate(data):
        at = f"{path}[{k}]"
        if not isinstance(lk, dict) or not {"a", "b"} <= set(lk):
            raise InstanceError(f"links[{k}] needs devices a and b", src, path=at)
        extra = set(lk) - {"a", "b", "bw_Mbps", "latency_s"}
        if extra:
            raise InstanceError(f"unknown key(s) {', '.join(sorted(extra))}", src, path=at)
        for key in ("a", "b"):
            if not isinstance(lk[key], str) or not lk[key]:
                raise InstanceError(
                    f"must be a non-empty string, got {lk[key]!r}", src, path=f"{at}.{key}"
                )
        opt = {
            key: number(lk[key], key, src, path=f"{at}.{key}")
            for key in ("bw_Mbps", "latency_s")
            if lk.get(key) is not None
        }
        out.append(
            Link(a=lk["a"], b=lk["b"], bw_Mbps=opt.get("bw_Mbps"), latency_s=opt.get("latency_s"))
        )
    return tuple(out)
