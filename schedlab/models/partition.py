"""Pipelined DNN inference on heterogeneous devices: the latency/throughput Pareto front.

A network of ``L`` layers (in order) is cut into contiguous *stages*, each run on its own
device, as a pipeline. Per layer ``l`` (1-based) the instance gives, for each device *type*,
the compute time of one micro-batch (``time_s``, seconds), the memory of its weights and
buffers (``mem_MB``, MiB = 2^20 bytes, as PipeEdge) and its output size (``out_elems``,
elements per item); ``in_elems`` is the size of the network's input (elements per item).

Cost model (PipeEdge's ``schedule.cpp``, extended with an optional link latency):

- stage compute = sum of its layers' ``time_s`` on the stage's device type;
- link after layer ``l`` from device ``u`` to ``v``: ``out_elems[l] * dtype_bytes *
  microbatch`` bytes over ``min(bw_u, bw_v)`` Mbit/s (1 Mbit = 2^20 bits, as PipeEdge) plus
  the link latency (the larger of the two devices' ``latency_s``, unless a ``links`` entry
  sets the bandwidth and/or latency of that pair);
- **latency** = sum of stage computes and link times (one micro-batch through the pipe);
- **period** = max over stages *and* links of their times (a link is its own pipeline
  resource, as in PipeEdge); throughput = ``microbatch / period`` items per second;
- memory of a stage (PipeEdge): weights ``sum mem_MB`` plus buffers ``(buffers_in * in +
  buffers_out * out + in + out)`` bytes, where ``in`` is the bytes entering the stage (the
  receive queue is not counted for the first stage) and ``out`` the bytes leaving it; it must
  not exceed the device's ``mem_MB``.

A plan uses each device at most once and at most ``min(L, #devices)`` stages; devices may
stay idle. A **solution** is a front::

    {"front": [{"latency": x, "period": y,
                "stages": [{"first": i, "last": j, "device": "id"}, ...]}, ...]}

with layers 1-based and inclusive, points sorted by latency, none dominated by another.

**Objective** (``sense = "max"``): the normalised hypervolume of the front in the box spanned
by the instance's ideal point ``z`` and reference point ``r`` (:meth:`Instance.hv_box`), both
computed from the instance alone, so that every feasible plan lies inside the box:

- ``z_lat`` = sum over layers of the fastest type's time; ``z_per`` = max(max over layers of
  the fastest time, ``z_lat / min(L, #devices)``) (lower bounds of latency and period);
- ``r_lat`` = sum over layers of the slowest type's time + (min(L, #devices) - 1) x the
  largest link time; ``r_per`` = max(sum of the slowest times, the largest link time)
  (upper bounds of latency and period of any plan).

The hypervolume is the area dominated by the front inside the box, divided by the box's area:
1 would be a single plan reaching both lower bounds. The exact front maximises it, so an exact
method's hypervolume is its own bound. Values are compared with a relative tolerance of 1e-9
(two points that close count as equal).

File formats (:func:`read`):

- PipeEdge YAML: a ``models.yml`` file, with ``device_types.yml`` and (optionally)
  ``devices.yml`` beside it; ``models.yml#k`` is the k-th model with at least one layer. Without
  ``devices.yml`` one device of each type is used. A ``devices.yml`` type missing from
  ``device_types.yml`` is matched to the only type of the same family (the name before its last
  ``-``), as upstream's example ``RCC-VE-C2558`` -> ``RCC-VE-C2000``; otherwise it is an error.
- A per-model CSV (``layer,mem_MB,parameters_out,time_s_<type>,...``) with ``device_types.yml``
  beside it for memory and bandwidth (and ``devices.yml`` as above).
- JSON, inline (what :meth:`Instance.to_dict` writes) or a *scenario* naming the profile files
  (paths relative to the JSON file)::

      {"problem": "partition", "name": "vit_large_8dev",
       "profiles": {"models": "pipeedge/models.yml",
                    "device_types": "pipeedge/device_types.yml",
                    "model": "google/vit-large-patch16-224"},
       "devices": {"Minnowboard-E3845": 4, "RCC-VE-C2000": 4}}

  ``profiles`` may name a ``"csv"`` instead of ``"models"``; ``devices`` is a list of
  ``{"id", "type", "mem_MB"?, "bw_Mbps"?, "latency_s"?}`` or a map type -> count (ids
  ``<type>-<k>``).
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..core.errors import InstanceError, SolutionError
from ._json import check_keys, default_name
from ._text import read_text

PROBLEM = "partition"
#: Relative tolerance under which two latencies (or periods) count as equal.
TOL = 1e-9
_MIB = 1024.0 * 1024.0

Plan = list[tuple[int, int, int]]  # (first, last, device index), layers 1-based inclusive


def close(a: float, b: float) -> bool:
    """True when two times are equal up to the relative tolerance :data:`TOL`."""
    return abs(a - b) <= TOL * max(1.0, abs(a), abs(b))


def pareto_filter(points: Iterable[tuple[float, float, Any]]) -> list[tuple[float, float, Any]]:
    """The non-dominated ``(latency, period, payload)`` points, sorted by latency.

    Both objectives are minimised; points equal up to :data:`TOL` in both count as one (the
    first given is kept), and a point equal in one objective and worse in the other is dropped.
    """
    pts = sorted(points, key=lambda p: (p[0], p[1]))
    out: list[tuple[float, float, Any]] = []
    for p in pts:
        if out and (p[1] > out[-1][1] or close(p[1], out[-1][1])):
            continue  # latency >= the last kept one's and period not better
        while out and close(out[-1][0], p[0]):
            out.pop()  # same latency, better period: the earlier point is dominated
        out.append(p)
    return out


def hypervolume(
    points: Sequence[tuple[float, float]],
    ref: tuple[float, float],
    ideal: tuple[float, float] | None = None,
) -> float:
    """Area dominated by ``points`` (both minimised) and bounded by ``ref``.

    With ``ideal`` the area is divided by the box ``[ideal, ref]`` (a normalised
    hypervolume in [0, 1]; 1.0 when the box is degenerate and a point reaches it).
    """
    rx, ry = ref
    pts = sorted((min(x, rx), min(y, ry)) for x, y in points)
    area = 0.0
    prev_y = ry
    for x, y in pts:
        if y < prev_y:
            area += (rx - x) * (prev_y - y)
            prev_y = y
    if ideal is None:
        return area
    box = (rx - ideal[0]) * (ry - ideal[1])
    if box <= 0:
        return 1.0 if pts else 0.0
    return area / box


def igd_plus(
    points: Sequence[tuple[float, float]],
    reference_front: Sequence[tuple[float, float]],
    ideal: tuple[float, float] | None = None,
    ref: tuple[float, float] | None = None,
) -> float:
    """IGD+ (Ishibuchi et al. 2015) of ``points`` against ``reference_front`` (minimisation).

    Mean over the reference points of the distance to the nearest point, counting only the
    amounts by which that point is worse. With ``ideal`` and ``ref`` both axes are first
    scaled to [0, 1] over that box. 0 means the reference front is reached.
    """
    if not reference_front:
        raise ValueError("IGD+ needs a non-empty reference front")
    if not points:
        return math.inf
    a = np.asarray(points, dtype=float)
    z = np.asarray(reference_front, dtype=float)
    if ideal is not None and ref is not None:
        lo = np.asarray(ideal, dtype=float)
        span = np.maximum(np.asarray(ref, dtype=float) - lo, 1e-300)
        a = (a - lo) / span
        z = (z - lo) / span
    diff = np.maximum(a[None, :, :] - z[:, None, :], 0.0)
    d = np.sqrt((diff**2).sum(axis=2)).min(axis=1)
    return float(d.mean())


# -- instance ---------------------------------------------------------------------------------
def _num(v: Any, what: str, src: str | None, *, positive: bool = False) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        raise InstanceError(f"{what} must be a number, got {v!r}", src)
    x = float(v)
    if not math.isfinite(x) or x < 0 or (positive and x == 0):
        raise InstanceError(f"{what} must be {'positive' if positive else 'non-negative'}", src)
    return x


def _int(v: Any, what: str, src: str | None, *, minimum: int = 0) -> int:
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        raise InstanceError(f"{what} must be an integer, got {v!r}", src)
    if isinstance(v, float | np.floating) and not float(v).is_integer():
        raise InstanceError(f"{what} must be an integer, got {v!r}", src)
    if int(v) < minimum:
        raise InstanceError(f"{what} must be at least {minimum}, got {v!r}", src)
    return int(v)


def _floats(values: Any, what: str, src: str | None) -> tuple[float, ...]:
    if isinstance(values, str | bytes | dict) or not hasattr(values, "__iter__"):
        raise InstanceError(f"{what} must be a list of numbers", src)
    return tuple(_num(v, f"{what}[{i}]", src) for i, v in enumerate(values))


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


@dataclass(frozen=True)
class Instance:
    """A pipeline partitioning instance; validates itself on construction.

    Attributes:
        mem_MB: per-layer memory (weights and buffers), MiB.
        out_elems: per-layer output size, elements per item.
        in_elems: the network input's size, elements per item.
        types: the device types (each with ``len(mem_MB)`` times).
        devices: the devices, in a default pipeline order.
        links: optional per-pair link properties.
        microbatch: items per micro-batch (the profiles' batch size).
        batch: items per batch (for the batch completion time in :meth:`describe`), or
            ``None`` for one micro-batch.
        dtype_bytes: bytes per element.
        buffers_in, buffers_out: PipeEdge's receive and send queue depths.
        model: the model's name.
        name: a name for reports.
        reference: the exact front's normalised hypervolume, if known.
    """

    problem: ClassVar[str] = PROBLEM
    sense: ClassVar[str] = "max"

    mem_MB: tuple[float, ...]
    out_elems: tuple[int, ...]
    in_elems: int
    types: tuple[DeviceType, ...]
    devices: tuple[Device, ...]
    links: tuple[Link, ...] = ()
    microbatch: int = 8
    batch: int | None = None
    dtype_bytes: int = 4
    buffers_in: int = 2
    buffers_out: int = 2
    model: str = ""
    name: str = "partition"
    reference: float | None = None
    source: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        src = self.source
        set_ = functools.partial(object.__setattr__, self)
        set_("mem_MB", _floats(self.mem_MB, "mem_MB", src))
        L = len(self.mem_MB)
        if L == 0:
            raise InstanceError("a model needs at least one layer", src)
        outs = self.out_elems
        if isinstance(outs, str | bytes) or not hasattr(outs, "__iter__"):
            raise InstanceError("out_elems must be a list of integers", src)
        set_("out_elems", tuple(_int(v, f"out_elems[{i}]", src) for i, v in enumerate(outs)))
        if len(self.out_elems) != L:
            raise InstanceError(f"{L} layers but {len(self.out_elems)} out_elems", src)
        set_("in_elems", _int(self.in_elems, "in_elems", src))
        for key in ("microbatch", "dtype_bytes"):
            set_(key, _int(getattr(self, key), key, src, minimum=1))
        for key in ("buffers_in", "buffers_out"):
            set_(key, _int(getattr(self, key), key, src))
        if self.batch is not None:
            set_("batch", _int(self.batch, "batch", src, minimum=1))
        types = tuple(self.types)
        if not types:
            raise InstanceError("an instance needs at least one device type", src)
        seen: set[str] = set()
        for t in types:
            if not isinstance(t, DeviceType):
                raise InstanceError("types must be DeviceType objects", src)
            if t.name in seen:
                raise InstanceError(f"device type {t.name!r} given twice", src)
            seen.add(t.name)
            if len(t.time_s) != L:
                raise InstanceError(
                    f"device type {t.name!r}: {len(t.time_s)} layer times for {L} layers", src
                )
            _floats(t.time_s, f"{t.name}.time_s", src)
            _num(t.mem_MB, f"{t.name}.mem_MB", src)
            _num(t.bw_Mbps, f"{t.name}.bw_Mbps", src)
        set_("types", types)
        devices = tuple(self.devices)
        if not devices:
            raise InstanceError("an instance needs at least one device", src)
        ids: set[str] = set()
        for d in devices:
            if not isinstance(d, Device) or not isinstance(d.id, str) or not d.id:
                raise InstanceError("devices must be Device objects with a non-empty id", src)
            if d.id in ids:
                raise InstanceError(f"device id {d.id!r} given twice", src)
            ids.add(d.id)
            if d.type not in seen:
                raise InstanceError(f"device {d.id!r}: unknown type {d.type!r}", src)
            if d.mem_MB is not None:
                _num(d.mem_MB, f"{d.id}.mem_MB", src)
            if d.bw_Mbps is not None:
                _num(d.bw_Mbps, f"{d.id}.bw_Mbps", src)
            _num(d.latency_s, f"{d.id}.latency_s", src)
        set_("devices", devices)
        links = tuple(self.links)
        pairs: set[frozenset[str]] = set()
        for k in links:
            if k.a not in ids or k.b not in ids or k.a == k.b:
                raise InstanceError(f"link {k.a!r}-{k.b!r}: needs two distinct known devices", src)
            pair = frozenset((k.a, k.b))
            if pair in pairs:
                raise InstanceError(f"link {k.a!r}-{k.b!r} given twice", src)
            pairs.add(pair)
            if k.bw_Mbps is not None:
                _num(k.bw_Mbps, f"link {k.a}-{k.b} bw_Mbps", src)
            if k.latency_s is not None:
                _num(k.latency_s, f"link {k.a}-{k.b} latency_s", src)
        set_("links", links)
        for i in range(self.n_devices):
            for j in range(self.n_devices):
                if i != j and L > 1 and any(self.out_elems[:-1]) and self._bandwidth(i, j) <= 0:
                    raise InstanceError(
                        f"devices {devices[i].id!r} and {devices[j].id!r}: "
                        "a link needs a positive bandwidth",
                        src,
                    )
        if not isinstance(self.name, str) or not self.name:
            raise InstanceError("name must be a non-empty string", src)
        if self.reference is not None:
            set_("reference", _num(self.reference, "reference", src))

    # -- sizes and lookups --------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Number of layers ``L``."""
        return len(self.mem_MB)

    @property
    def n_devices(self) -> int:
        """Number of devices."""
        return len(self.devices)

    @property
    def max_stages(self) -> int:
        """Most stages a plan can have: ``min(L, #devices)``."""
        return min(self.n_layers, self.n_devices)

    @functools.cached_property
    def _type_of(self) -> dict[str, DeviceType]:
        return {t.name: t for t in self.types}

    @functools.cached_property
    def device_index(self) -> dict[str, int]:
        """Device id -> index in :attr:`devices`."""
        return {d.id: i for i, d in enumerate(self.devices)}

    def device_type(self, d: int) -> DeviceType:
        """The type of device ``d`` (an index)."""
        return self._type_of[self.devices[d].type]

    def device_mem(self, d: int) -> float:
        """Memory of device ``d``, MiB."""
        dev = self.devices[d]
        return self.device_type(d).mem_MB if dev.mem_MB is None else float(dev.mem_MB)

    def _device_bw(self, d: int) -> float:
        dev = self.devices[d]
        return self.device_type(d).bw_Mbps if dev.bw_Mbps is None else float(dev.bw_Mbps)

    @functools.cached_property
    def _links(self) -> dict[frozenset[str], Link]:
        return {frozenset((k.a, k.b)): k for k in self.links}

    def _bandwidth(self, u: int, v: int) -> float:
        k = self._links.get(frozenset((self.devices[u].id, self.devices[v].id)))
        if k is not None and k.bw_Mbps is not None:
            return float(k.bw_Mbps)
        return min(self._device_bw(u), self._device_bw(v))

    def _latency(self, u: int, v: int) -> float:
        k = self._links.get(frozenset((self.devices[u].id, self.devices[v].id)))
        if k is not None and k.latency_s is not None:
            return float(k.latency_s)
        return max(self.devices[u].latency_s, self.devices[v].latency_s)

    def out_bytes(self, layer: int) -> int:
        """Bytes leaving ``layer`` (1-based) per micro-batch; layer 0 is the network input."""
        elems = self.in_elems if layer == 0 else self.out_elems[layer - 1]
        return elems * self.dtype_bytes * self.microbatch

    def link_time(self, u: int, v: int, layer: int) -> float:
        """Seconds to send ``layer``'s output (1-based) from device ``u`` to ``v``."""
        nbytes = self.out_bytes(layer)
        if nbytes == 0:
            return self._latency(u, v)
        bw = self._bandwidth(u, v) * _MIB / 8.0
        return nbytes / bw + self._latency(u, v)

    def stage_compute(self, first: int, last: int, d: int) -> float:
        """Seconds of layers ``first..last`` (1-based, inclusive) on device ``d``."""
        return math.fsum(self.device_type(d).time_s[first - 1 : last])

    def stage_memory(self, first: int, last: int) -> float:
        """MiB needed by a stage of layers ``first..last`` (PipeEdge's model)."""
        weights = math.fsum(self.mem_MB[first - 1 : last])
        b_in = self.out_bytes(first - 1)
        b_out = self.out_bytes(last)
        buffers = b_out * self.buffers_out + b_in + b_out
        if first > 1:
            buffers += b_in * self.buffers_in
        return weights + buffers / _MIB

    # -- evaluation ---------------------------------------------------------------------------
    def evaluate(self, plan: Sequence[tuple[int, int, int]]) -> tuple[float, float]:
        """``(latency, period)`` of a plan of ``(first, last, device index)`` stages (assumed
        valid); sums are exactly rounded (``math.fsum``) so any summation order agrees."""
        terms: list[float] = []
        period = 0.0
        prev = None
        for first, last, d in plan:
            if prev is not None:
                lk = self.link_time(prev, d, first - 1)
                terms.append(lk)
                period = max(period, lk)
            ts = self.device_type(d).time_s[first - 1 : last]
            terms.extend(ts)
            period = max(period, math.fsum(ts))
            prev = d
        return math.fsum(terms), period

    def plan_errors(self, plan: Sequence[tuple[int, int, int]]) -> str | None:
        """Why a plan is invalid (coverage, distinct devices, memory), or ``None``."""
        if not plan:
            return "a plan needs at least one stage"
        expect = 1
        used: set[int] = set()
        for k, (first, last, d) in enumerate(plan):
            if first != expect:
                return f"stage {k + 1} starts at layer {first}, expected {expect}"
            if last < first:
                return f"stage {k + 1} is empty (first {first} > last {last})"
            if last > self.n_layers:
                return f"stage {k + 1} ends at layer {last} > {self.n_layers}"
            if d in used:
                return f"device {self.devices[d].id!r} runs two stages"
            used.add(d)
            need = self.stage_memory(first, last)
            if need > self.device_mem(d):
                return (
                    f"stage {k + 1} (layers {first}..{last}) needs {need:.1f} MiB but device "
                    f"{self.devices[d].id!r} has {self.device_mem(d):.1f} MiB"
                )
            expect = last + 1
        if expect != self.n_layers + 1:
            return f"the stages end at layer {expect - 1}, not {self.n_layers}"
        return None

    # -- bounds and the objective -------------------------------------------------------------
    @functools.cached_property
    def hv_box(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """``(ideal, ref)``: lower and upper bounds of (latency, period) over all plans."""
        used = sorted({d.type for d in self.devices})
        t = np.array([self._type_of[name].time_s for name in used], dtype=float)
        fast = t.min(axis=0)
        slow = t.max(axis=0)
        k = self.max_stages
        z_lat = math.fsum(fast.tolist())
        z_per = max(float(fast.max()), z_lat / k)
        max_link = 0.0
        if self.n_devices > 1:
            for layer in range(1, self.n_layers):
                for u in range(self.n_devices):
                    for v in range(self.n_devices):
                        if u != v:
                            max_link = max(max_link, self.link_time(u, v, layer))
        slow_sum = math.fsum(slow.tolist())
        r_lat = slow_sum + (k - 1) * max_link
        r_per = max(slow_sum, max_link)
        return (z_lat, z_per), (r_lat, r_per)

    def front_hypervolume(self, points: Sequence[tuple[float, float]]) -> float:
        """Normalised hypervolume of ``(latency, period)`` points in :attr:`hv_box`."""
        ideal, ref = self.hv_box
        return hypervolume(points, ref, ideal)

    def stages_of(self, plan: Sequence[tuple[int, int, int]]) -> list[dict[str, Any]]:
        """A plan as solution JSON stages."""
        return [{"first": f, "last": g, "device": self.devices[d].id} for f, g, d in plan]

    def solution_from_plans(self, plans: Iterable[Sequence[tuple[int, int, int]]]) -> dict:
        """The solution JSON of the non-dominated plans among ``plans`` (evaluated here)."""
        pts = [(*self.evaluate(p), list(p)) for p in plans]
        front = pareto_filter(pts)
        return {
            "front": [
                {"latency": lat, "period": per, "stages": self.stages_of(p)}
                for lat, per, p in front
            ]
        }

    def parse_front(self, solution: dict[str, Any]) -> list[tuple[float, float, Plan]]:
        """Validate a solution's shape and plans; return ``(latency, period, plan)`` as
        recomputed (raises :class:`SolutionError`)."""
        if not isinstance(solution, dict) or not isinstance(solution.get("front"), list):
            raise SolutionError(
                'a partition solution is {"front": [{"latency", "period", "stages"}]}'
            )
        extra = set(solution) - {"front"}
        if extra:
            raise SolutionError(f"unknown solution key(s) {', '.join(sorted(extra))}")
        out: list[tuple[float, float, Plan]] = []
        for k, pt in enumerate(solution["front"], start=1):
            if not isinstance(pt, dict) or set(pt) != {"latency", "period", "stages"}:
                raise SolutionError(f"point {k}: needs exactly latency, period and stages")
            stages = pt["stages"]
            if not isinstance(stages, list):
                raise SolutionError(f"point {k}: stages must be a list")
            plan: Plan = []
            for s, st in enumerate(stages, start=1):
                if not isinstance(st, dict) or set(st) != {"first", "last", "device"}:
                    raise SolutionError(f"point {k}, stage {s}: needs first, last and device")
                f, g, dev = st["first"], st["last"], st["device"]
                for v in (f, g):
                    if isinstance(v, bool) or not isinstance(v, int):
                        raise SolutionError(f"point {k}, stage {s}: layers must be integers")
                if dev not in self.device_index:
                    raise SolutionError(f"point {k}, stage {s}: unknown device {dev!r}")
                plan.append((f, g, self.device_index[dev]))
            err = self.plan_errors(plan)
            if err:
                raise SolutionError(f"point {k}: {err}")
            lat, per = self.evaluate(plan)
            for key, val in (("latency", lat), ("period", per)):
                got = pt[key]
                if isinstance(got, bool) or not isinstance(got, int | float):
                    raise SolutionError(f"point {k}: {key} must be a number")
                if abs(got - val) > 1e-6 * max(1.0, abs(val)):
                    raise SolutionError(f"point {k}: {key} is {got}, but the plan's is {val:.9g}")
            out.append((lat, per, plan))
        return out

    def check(self, solution: dict[str, Any]) -> float:
        """Verify every point's plan, its latency and period, the order by latency and
        non-dominance; return the front's normalised hypervolume (see the module doc)."""
        pts = self.parse_front(solution)
        if not pts:
            raise SolutionError("the front is empty")
        for k in range(1, len(pts)):
            (l0, p0, _), (l1, p1, _) = pts[k - 1], pts[k]
            if l1 < l0 and not close(l0, l1):
                raise SolutionError(f"points {k} and {k + 1} are not sorted by latency")
            if close(l0, l1) or p1 > p0 or close(p0, p1):
                raise SolutionError(f"point {k + 1} is dominated by or equal to point {k}")
        return self.front_hypervolume([(lat, per) for lat, per, _ in pts])

    def describe(self, solution: dict[str, Any]) -> str:
        """The front as a text table: latency, period, throughput and stages."""
        pts = self.parse_front(solution)
        ideal, ref = self.hv_box
        batch = self.batch
        lines = [
            f"front of {len(pts)} point(s); hypervolume box: ideal (latency {ideal[0]:.4g} s, "
            f"period {ideal[1]:.4g} s), reference ({ref[0]:.4g} s, {ref[1]:.4g} s)",
        ]
        head = f"{'#':>3}  {'latency s':>10}  {'period s':>9}  {'items/s':>8}"
        if batch:
            head += f"  {'batch s':>8}"
        lines.append(head + "  stages (first-last@device)")
        for k, (lat, per, plan) in enumerate(pts, start=1):
            row = f"{k:>3}  {lat:>10.4f}  {per:>9.4f}  {self.microbatch / per:>8.3f}"
            if batch:
                nmb = math.ceil(batch / self.microbatch)
                row += f"  {lat + (nmb - 1) * per:>8.3f}"
            stages = " ".join(f"{f}-{g}@{self.devices[d].id}" for f, g, d in plan)
            lines.append(f"{row}  {stages}")
        return "\n".join(lines)

    # -- arrays for solvers -------------------------------------------------------------------
    @functools.cached_property
    def arrays(self) -> dict[str, np.ndarray]:
        """Per-device tables for the kernels (0-based layer boundaries ``i`` = layers done):

        ``pre[d, i]`` prefix sums of compute times; ``link[u, v, i]`` link time after ``i``
        layers; ``fit[d, i, j]`` whether layers ``i+1..j`` fit on device ``d``; ``need[i, j]``
        the MiB that stage needs; ``cap[d]`` device ``d``'s memory.
        """
        L, D = self.n_layers, self.n_devices
        times = np.array([self.device_type(d).time_s for d in range(D)], dtype=float)
        pre = np.zeros((D, L + 1))
        pre[:, 1:] = np.cumsum(times, axis=1)
        link = np.zeros((D, D, L + 1))
        for u in range(D):
            for v in range(D):
                if u != v:
                    for i in range(1, L):
                        link[u, v, i] = self.link_time(u, v, i)
        mem = np.array(self.mem_MB)
        mpre = np.concatenate(([0.0], np.cumsum(mem)))
        ob = np.array([self.out_bytes(i) for i in range(L + 1)], dtype=float)
        i_idx = np.arange(L + 1)[:, None]
        j_idx = np.arange(L + 1)[None, :]
        need = mpre[j_idx] - mpre[i_idx]
        buf = ob[j_idx] * self.buffers_out + ob[i_idx] + ob[j_idx]
        buf = buf + np.where(i_idx > 0, ob[i_idx] * self.buffers_in, 0.0)
        need = need + buf / _MIB
        valid = j_idx > i_idx
        caps = np.array([self.device_mem(d) for d in range(D)])
        fit = np.zeros((D, L + 1, L + 1), dtype=np.bool_)
        for d in range(D):
            f = valid & (need <= caps[d])
            near = valid & (np.abs(need - caps[d]) <= 1e-6 * max(1.0, caps[d]))
            for i, j in zip(*np.nonzero(near), strict=True):  # decide borderline cases exactly
                f[i, j] = self.stage_memory(int(i) + 1, int(j)) <= caps[d]
            fit[d] = f
        return {"pre": pre, "link": link, "fit": fit, "need": need, "cap": caps}

    @functools.cached_property
    def device_classes(self) -> list[list[int]]:
        """Groups of interchangeable devices (same type, memory, bandwidth and latency, and
        no per-link override), each in instance order; classes ordered by first member."""
        special = {d for k in self.links for d in (self.device_index[k.a], self.device_index[k.b])}
        groups: dict[Any, list[int]] = {}
        for d, dev in enumerate(self.devices):
            key: Any = (
                ("solo", d)
                if d in special
                else (dev.type, self.device_mem(d), self._device_bw(d), dev.latency_s)
            )
            groups.setdefault(key, []).append(d)
        return list(groups.values())

    # -- JSON ---------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The instance as self-contained JSON data."""
        out: dict[str, Any] = {"problem": PROBLEM, "name": self.name}
        if self.model:
            out["model"] = self.model
        out.update(
            microbatch=self.microbatch,
            dtype_bytes=self.dtype_bytes,
            buffers_in=self.buffers_in,
            buffers_out=self.buffers_out,
        )
        if self.batch is not None:
            out["batch"] = self.batch
        out["layers"] = {
            "mem_MB": list(self.mem_MB),
            "out_elems": list(self.out_elems),
            "in_elems": self.in_elems,
        }
        out["device_types"] = {
            t.name: {"mem_MB": t.mem_MB, "bw_Mbps": t.bw_Mbps, "time_s": list(t.time_s)}
            for t in self.types
        }
        devs = []
        for d in self.devices:
            row: dict[str, Any] = {"id": d.id, "type": d.type}
            if d.mem_MB is not None:
                row["mem_MB"] = d.mem_MB
            if d.bw_Mbps is not None:
                row["bw_Mbps"] = d.bw_Mbps
            if d.latency_s:
                row["latency_s"] = d.latency_s
            devs.append(row)
        out["devices"] = devs
        if self.links:
            out["links"] = [
                {
                    k: v
                    for k, v in (
                        ("a", lk.a),
                        ("b", lk.b),
                        ("bw_Mbps", lk.bw_Mbps),
                        ("latency_s", lk.latency_s),
                    )
                    if v is not None
                }
                for lk in self.links
            ]
        if self.reference is not None:
            out["reference"] = self.reference
        return out

    def to_json(self) -> str:
        """The instance as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Instance:
        """Build from inline JSON data or a scenario naming profile files (see the module doc)."""
        known = {
            "problem",
            "name",
            "model",
            "microbatch",
            "batch",
            "dtype_bytes",
            "buffers_in",
            "buffers_out",
            "layers",
            "device_types",
            "devices",
            "links",
            "reference",
            "profiles",
        }
        check_keys(data, PROBLEM, "a partition instance", known, source)
        fallback_name = default_name(source, PROBLEM)
        if "profiles" in data:
            if "layers" in data or "device_types" in data:
                raise InstanceError('give either "profiles" or "layers"/"device_types"', source)
            return _from_scenario(data, source, fallback_name)
        for key in ("layers", "device_types", "devices"):
            if key not in data:
                raise InstanceError(f'missing key "{key}"', source)
        lay = data["layers"]
        if not isinstance(lay, dict) or not {"mem_MB", "out_elems"} <= set(lay):
            raise InstanceError('"layers" needs "mem_MB" and "out_elems" (and "in_elems")', source)
        types = _types_from_json(data["device_types"], source)
        devices = _devices_from_json(data["devices"], types, source)
        links = _links_from_json(data.get("links", []), source)
        return cls(
            mem_MB=lay["mem_MB"],
            out_elems=lay["out_elems"],
            in_elems=lay.get("in_elems", 0),
            types=tuple(types.values()),
            devices=devices,
            links=links,
            microbatch=data.get("microbatch", 8),
            batch=data.get("batch"),
            dtype_bytes=data.get("dtype_bytes", 4),
            buffers_in=data.get("buffers_in", 2),
            buffers_out=data.get("buffers_out", 2),
            model=str(data.get("model", "")),
            name=str(data.get("name") or fallback_name),
            reference=data.get("reference"),
            source=source,
        )


# -- JSON helpers -----------------------------------------------------------------------------
def _types_from_json(data: Any, src: str | None) -> dict[str, DeviceType]:
    if not isinstance(data, dict) or not data:
        raise InstanceError('"device_types" must map type names to properties', src)
    out: dict[str, DeviceType] = {}
    for name, t in data.items():
        if not isinstance(t, dict) or not {"mem_MB", "bw_Mbps", "time_s"} <= set(t):
            raise InstanceError(f"device type {name!r} needs mem_MB, bw_Mbps and time_s", src)
        out[name] = DeviceType(
            name=str(name),
            time_s=_floats(t["time_s"], f"{name}.time_s", src),
            mem_MB=_num(t["mem_MB"], f"{name}.mem_MB", src),
            bw_Mbps=_num(t["bw_Mbps"], f"{name}.bw_Mbps", src),
        )
    return out


def _devices_from_json(data: Any, types: dict[str, Any], src: str | None) -> tuple[Device, ...]:
    if isinstance(data, dict):
        out = []
        for tname, n in data.items():
            if tname not in types:
                raise InstanceError(f"devices: unknown type {tname!r}", src)
            out += [Device(f"{tname}-{k}", tname) for k in range(_int(n, f"devices[{tname}]", src))]
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
                mem_MB=None if d.get("mem_MB") is None else _num(d["mem_MB"], "mem_MB", src),
                bw_Mbps=None if d.get("bw_Mbps") is None else _num(d["bw_Mbps"], "bw_Mbps", src),
                latency_s=_num(d.get("latency_s", 0.0), f"devices[{k}].latency_s", src),
            )
        )
    return tuple(out)


def _links_from_json(data: Any, src: str | None) -> tuple[Link, ...]:
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
                bw_Mbps=None if lk.get("bw_Mbps") is None else _num(lk["bw_Mbps"], "bw_Mbps", src),
                latency_s=None
                if lk.get("latency_s") is None
                else _num(lk["latency_s"], "latency_s", src),
            )
        )
    return tuple(out)


def _resolve(path: Any, src: str | None) -> str:
    if not isinstance(path, str) or not path:
        raise InstanceError("profile paths must be non-empty strings", src)
    p = Path(path)
    if not p.is_absolute() and src and src[0] != "<":
        p = Path(src).parent / p
    return str(p)


def _from_scenario(data: dict[str, Any], source: str | None, default_name: str) -> Instance:
    prof = data["profiles"]
    if not isinstance(prof, dict):
        raise InstanceError('"profiles" must be an object', source)
    extra = set(prof) - {"models", "csv", "device_types", "model", "in_elems"}
    if extra:
        raise InstanceError(f"profiles: unknown key(s) {', '.join(sorted(extra))}", source)
    if "device_types" not in prof:
        raise InstanceError('profiles needs "device_types" (a device_types.yml)', source)
    mb = data.get("microbatch", 8)
    dtype = "torch.float32"
    if "models" in prof:
        model = prof.get("model")
        mfile = _resolve(prof["models"], source)
        layers = _pipeedge_model(mfile, model, None)
        model = layers["model"]
    elif "csv" in prof:
        layers = _read_csv_layers(_resolve(prof["csv"], source))
        model = str(prof.get("model", layers["model"]))
    else:
        raise InstanceError('profiles needs "models" (models.yml) or "csv"', source)
    if "in_elems" in prof:
        layers["in_elems"] = prof["in_elems"]
    tfile = _resolve(prof["device_types"], source)
    types = _pipeedge_types(tfile, model, mb, dtype, layers.get("times"))
    if "devices" not in data:
        raise InstanceError('a scenario needs "devices" (a map type -> count or a list)', source)
    devs = data["devices"]
    if isinstance(devs, str):
        devices = _pipeedge_devices(_resolve(devs, source), types)
    else:
        devices = _devices_from_json(devs, types, source)
    used = {d.type for d in devices}
    return Instance(
        mem_MB=layers["mem_MB"],
        out_elems=layers["out_elems"],
        in_elems=layers.get("in_elems", 0),
        types=tuple(t for n, t in types.items() if n in used),
        devices=devices,
        links=_links_from_json(data.get("links", []), source),
        microbatch=mb,
        batch=data.get("batch"),
        dtype_bytes=data.get("dtype_bytes", 4),
        buffers_in=data.get("buffers_in", 2),
        buffers_out=data.get("buffers_out", 2),
        model=model,
        name=str(data.get("name") or default_name),
        reference=data.get("reference"),
        source=source,
    )


# -- PipeEdge YAML and CSV readers ------------------------------------------------------------
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


def _models(path: str) -> list[tuple[str, dict[str, Any]]]:
    data = _yaml(path)
    if not isinstance(data, dict):
        raise InstanceError("a models.yml maps model names to properties", path)
    out = []
    for name, m in data.items():
        if isinstance(m, dict) and int(m.get("layers") or 0) > 0:
            out.append((str(name), m))
    return out


def _pipeedge_model(path: str, model: str | None, index: int | None) -> dict[str, Any]:
    models = _models(path)
    if not models:
        raise InstanceError("no model with layers in this file", path)
    if model is not None:
        found = [m for n, m in models if n == model]
        if not found:
            names = ", ".join(n for n, _ in models)
            raise InstanceError(f"model {model!r} not found (models: {names})", path)
        name, m = model, found[0]
    else:
        k = index or 1
        if not 1 <= k <= len(models):
            raise InstanceError(f"model #{k} out of range: the file holds {len(models)}", path)
        name, m = models[k - 1]
    line = _line_of(path, name)
    n = _int(m.get("layers"), f"{name}: layers", path, minimum=1)
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


def _pipeedge_types(
    path: str,
    model: str,
    microbatch: int,
    dtype: str,
    csv_times: dict[str, list[float]] | None,
) -> dict[str, DeviceType]:
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
            time_s=_floats(times, f"{name}.time_s", path),
            mem_MB=_num(t["mem_MB"], f"{name}.mem_MB", path),
            bw_Mbps=_num(t["bw_Mbps"], f"{name}.bw_Mbps", path),
        )
    if not out:
        raise InstanceError(
            f"no device type has a profile for {model!r} at micro-batch {microbatch}", path
        )
    return out


def _family(name: str) -> str:
    return name.rsplit("-", 1)[0]


def _pipeedge_devices(path: str, types: dict[str, DeviceType]) -> tuple[Device, ...]:
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


def _read_csv_layers(path: str) -> dict[str, Any]:
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
    mem, outs = [], []
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


# -- sniff / read / count ---------------------------------------------------------------------
def _kind(path: str, head: str) -> str | None:
    name = Path(path).name.lower()
    if name.endswith((".yml", ".yaml")) and re.search(r"^\s+parameters_out:", head, re.M):
        return "models"
    first = head.split("\n", 1)[0].strip()
    if name.endswith(".csv") and "mem_MB" in first and "time_s_" in first:
        return "csv"
    return None


def sniff(path: str, head: str) -> bool:
    """True for a PipeEdge ``models.yml`` or a per-model layer CSV."""
    return _kind(path, head) is not None


def count(path: str) -> int:
    """Number of models (with at least one layer) in a models.yml; 1 for a CSV."""
    if _kind(path, read_text(path)[:4096]) == "models":
        return len(_models(path))
    return 1


def read(path: str, index: int | None = None) -> Instance:
    """Read model ``index`` (1-based among models with layers) of a models.yml, with the
    device_types.yml and devices.yml beside it; or a layer CSV (see the module doc)."""
    kind = _kind(path, read_text(path)[:4096])
    folder = Path(path).parent
    tfile = folder / "device_types.yml"
    if not tfile.is_file():
        raise InstanceError("needs a device_types.yml beside it", path)
    if kind == "models":
        layers = _pipeedge_model(path, None, index)
        times = None
    elif kind == "csv":
        if index not in (None, 1):
            raise InstanceError(f"instance #{index} out of range: the file holds 1", path)
        layers = _read_csv_layers(path)
        times = layers["times"]
    else:
        raise InstanceError("not a PipeEdge models.yml or layer CSV", path)
    types = _pipeedge_types(str(tfile), layers["model"], 8, "torch.float32", times)
    dfile = folder / "devices.yml"
    if dfile.is_file():
        devices = _pipeedge_devices(str(dfile), types)
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


# -- generator --------------------------------------------------------------------------------
def generate(
    layers: int,
    types: int = 2,
    devices: int = 3,
    seed: int = 0,
    *,
    mem_tightness: float = 0.6,
    name: str | None = None,
) -> Instance:
    """A random instance: per-type speed factors times per-layer work, random activation
    sizes and bandwidths, and device memories ``mem_tightness`` x the model's total (so that
    memory binds for values below 1). Devices are spread round-robin over the types."""
    if layers < 1 or types < 1 or devices < 1:
        raise InstanceError("layers, types and devices must be at least 1")
    if not mem_tightness > 0:
        raise InstanceError("mem_tightness must be positive")
    rng = np.random.default_rng(seed)
    work = rng.uniform(0.05, 1.0, layers)
    mem = rng.uniform(5.0, 50.0, layers).round(3)
    outs = rng.integers(1_000, 400_000, layers)
    total_mem = float(mem.sum())
    tlist = []
    for k in range(types):
        speed = rng.uniform(0.5, 2.0)
        noise = rng.uniform(0.8, 1.25, layers)
        tlist.append(
            DeviceType(
                name=f"type{k}",
                time_s=tuple((work * noise / speed).round(6).tolist()),
                mem_MB=round(total_mem * mem_tightness * rng.uniform(0.7, 1.6), 3),
                bw_Mbps=float(rng.choice([100.0, 300.0, 1000.0])),
            )
        )
    devs = tuple(Device(f"d{k}", f"type{k % types}") for k in range(devices))
    used = {d.type for d in devs}
    return Instance(
        mem_MB=tuple(mem.tolist()),
        out_elems=tuple(int(x) for x in outs),
        in_elems=int(rng.integers(1_000, 200_000)),
        types=tuple(t for t in tlist if t.name in used),
        devices=devs,
        name=name or f"partition_L{layers}_t{types}_d{devices}_s{seed}",
    )


def plans(inst: Instance, order: Sequence[int] | None = None) -> Iterable[Plan]:
    """Every plan (valid or not as to memory): compositions of the layers into ``s`` stages
    times ordered choices of ``s`` distinct devices; with ``order``, only devices taken as a
    subsequence of that order."""
    L = inst.n_layers
    pool = list(range(inst.n_devices)) if order is None else list(order)
    for s in range(1, min(L, len(pool)) + 1):
        dev_seqs: Iterable[tuple[int, ...]] = (
            itertools.permutations(pool, s) if order is None else itertools.combinations(pool, s)
        )
        dev_seqs = list(dev_seqs)
        for cuts in itertools.combinations(range(1, L), s - 1):
            bounds = (0, *cuts, L)
            for devs in dev_seqs:
                yield [(bounds[k] + 1, bounds[k + 1], devs[k]) for k in range(s)]
