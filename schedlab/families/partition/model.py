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

File formats (the readers are in :mod:`.formats`, the profile parsers in :mod:`.pipeedge`):

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

import dataclasses
import functools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ...core.errors import InstanceError, SolutionError
from ...core.jsonio import check_keys, default_name
from ...core.schema import stamp, unstamp
from .hardware import (
    Device,
    DeviceType,
    Link,
    devices_from_json,
    floats,
    integer,
    links_from_json,
    number,
    types_from_json,
)
from .pareto import close, hypervolume, pareto_filter
from .pipeedge import scenario_fields

__all__ = ["PROBLEM", "Device", "DeviceType", "Instance", "Link", "Plan", "Point", "is_solution"]

PROBLEM = "partition"
_MIB = 1024.0 * 1024.0

#: A plan: its stages ``(first, last, device index)``, layers 1-based and inclusive.
Plan = list[tuple[int, int, int]]
#: A front point: ``(latency, period, plan)``.
Point = tuple[float, float, Plan]


def is_solution(solution: Any) -> bool:
    """True for a dict shaped as a partition solution (``{"front": [...]}``, and a
    ``"schema_version"`` at most besides)."""
    return isinstance(solution, dict) and set(solution) - {"schema_version"} == {"front"}


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
        set_("mem_MB", floats(self.mem_MB, "mem_MB", src))
        L = len(self.mem_MB)
        if L == 0:
            raise InstanceError("a model needs at least one layer", src)
        outs = self.out_elems
        if isinstance(outs, str | bytes) or not hasattr(outs, "__iter__"):
            raise InstanceError("out_elems must be a list of integers", src)
        set_("out_elems", tuple(integer(v, f"out_elems[{i}]", src) for i, v in enumerate(outs)))
        if len(self.out_elems) != L:
            raise InstanceError(f"{L} layers but {len(self.out_elems)} out_elems", src)
        set_("in_elems", integer(self.in_elems, "in_elems", src))
        for key in ("microbatch", "dtype_bytes"):
            set_(key, integer(getattr(self, key), key, src, minimum=1))
        for key in ("buffers_in", "buffers_out"):
            set_(key, integer(getattr(self, key), key, src))
        if self.batch is not None:
            set_("batch", integer(self.batch, "batch", src, minimum=1))
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
            floats(t.time_s, f"{t.name}.time_s", src)
            number(t.mem_MB, f"{t.name}.mem_MB", src)
            number(t.bw_Mbps, f"{t.name}.bw_Mbps", src)
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
            # the numbers were checked by Device itself
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
                number(k.bw_Mbps, f"link {k.a}-{k.b} bw_Mbps", src)
            if k.latency_s is not None:
                number(k.latency_s, f"link {k.a}-{k.b} latency_s", src)
        set_("links", links)
        if L > 1 and any(self.out_elems[:-1]):
            self._check_bandwidths(src)
        if not isinstance(self.name, str) or not self.name:
            raise InstanceError("name must be a non-empty string", src)
        if not isinstance(self.model, str):
            raise InstanceError(f"model must be a string, got {self.model!r}", src)
        if self.reference is not None:
            set_("reference", number(self.reference, "reference", src))
        (z_lat, z_per), (r_lat, r_per) = self.hv_box
        if not all(math.isfinite(x) for x in (z_lat, z_per, r_lat, r_per)):
            raise InstanceError(
                "the compute and link times overflow (a bandwidth too small for the data "
                "sizes, or times too large to add up)",
                src,
            )

    def _check_bandwidths(self, src: str | None) -> None:
        """Every pair of distinct devices has a positive bandwidth, in time linear in the
        devices and links (not one check a pair): a pair without a link override takes the
        smaller of its ends' bandwidths, so only devices of bandwidth 0 need a partner search,
        which skips over their overridden links."""
        devices = self.devices
        for k in self.links:
            if k.bw_Mbps is not None and k.bw_Mbps <= 0:
                raise InstanceError(
                    f"devices {k.a!r} and {k.b!r}: a link needs a positive bandwidth", src
                )
        overridden: dict[str, set[str]] = {}
        for k in self.links:
            if k.bw_Mbps is not None:
                overridden.setdefault(k.a, set()).add(k.b)
                overridden.setdefault(k.b, set()).add(k.a)
        for i, dev in enumerate(devices):
            if self._device_bw(i) > 0:
                continue
            skip = overridden.get(dev.id, set())
            for j, other in enumerate(devices):  # at most len(skip) + 2 steps
                if j != i and other.id not in skip:
                    a, b = (i, j) if i < j else (j, i)
                    raise InstanceError(
                        f"devices {devices[a].id!r} and {devices[b].id!r}: "
                        "a link needs a positive bandwidth",
                        src,
                    )

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
        max_link = self._max_link_time()
        slow_sum = math.fsum(slow.tolist())
        r_lat = slow_sum + (k - 1) * max_link
        r_per = max(slow_sum, max_link)
        return (z_lat, z_per), (r_lat, r_per)

    def _max_link_time(self) -> float:
        """The longest link time over all ordered device pairs and layer boundaries, in time
        linear in the devices for each boundary (and each device with a link override).

        A pair without an override takes ``bytes / min(bw_u, bw_v) + max(lat_u, lat_v)``,
        whose maximum over pairs is ``max_u bytes / bw_u + max(lat_u, max_{v != u} lat_v)``
        (a pair's slower end gives its value); devices with overrides are checked pair by
        pair against every device."""
        D = self.n_devices
        if D < 2 or self.n_layers < 2:
            return 0.0
        special = sorted(
            {self.device_index[k.a] for k in self.links}
            | {self.device_index[k.b] for k in self.links}
        )
        is_special = np.zeros(D, dtype=np.bool_)
        is_special[special] = True
        bw_all = np.array([self._device_bw(d) for d in range(D)], dtype=float) * _MIB / 8.0
        lat_all = np.array([d.latency_s for d in self.devices], dtype=float)
        plain = np.nonzero(~is_special)[0]
        bw, lat = bw_all[plain], lat_all[plain]
        best = 0.0
        if len(plain) >= 2:
            order = np.argsort(-lat, kind="stable")
            top, second = lat[order[0]], lat[order[1]]
            other = np.full(len(plain), top)
            other[order[0]] = second
            pair_lat = np.maximum(lat, other)
            for layer in range(1, self.n_layers):
                nbytes = self.out_bytes(layer)
                if nbytes == 0:
                    value = float(pair_lat.max())
                else:
                    with np.errstate(divide="ignore"):
                        value = float((nbytes / bw + pair_lat).max())
                best = max(best, value)
        for u in special:  # exact, pair by pair, for devices with overrides
            for v in range(D):
                if v != u:
                    for layer in range(1, self.n_layers):
                        best = max(best, self.link_time(u, v, layer), self.link_time(v, u, layer))
        return best

    def front_hypervolume(self, points: Sequence[tuple[float, float]]) -> float:
        """Normalised hypervolume of ``(latency, period)`` points in :attr:`hv_box`."""
        ideal, ref = self.hv_box
        return hypervolume(points, ref, ideal)

    def stages_of(self, plan: Sequence[tuple[int, int, int]]) -> list[dict[str, Any]]:
        """A plan as solution JSON stages."""
        return [{"first": f, "last": g, "device": self.devices[d].id} for f, g, d in plan]

    def front_solution(self, front: Iterable[Point]) -> dict[str, Any]:
        """The solution JSON of front points ``(latency, period, plan)`` (already
        non-dominated and sorted by latency, as :func:`.pareto.pareto_filter` returns them)."""
        return {
            "front": [
                {"latency": lat, "period": per, "stages": self.stages_of(p)}
                for lat, per, p in front
            ]
        }

    def solution_from_plans(
        self, plans: Iterable[Sequence[tuple[int, int, int]]]
    ) -> dict[str, Any]:
        """The solution JSON of the non-dominated plans among ``plans`` (evaluated here)."""
        pts = [(*self.evaluate(p), list(p)) for p in plans]
        return self.front_solution(pareto_filter(pts))

    def parse_front(self, solution: dict[str, Any]) -> list[Point]:
        """Validate a solution's shape and plans; return ``(latency, period, plan)`` as
        recomputed (raises :class:`SolutionError`)."""
        if not isinstance(solution, dict) or not isinstance(solution.get("front"), list):
            raise SolutionError(
                'a partition solution is {"front": [{"latency", "period", "stages"}]}'
            )
        solution = unstamp(solution, "solution")
        extra = set(solution) - {"front"}
        if extra:
            raise SolutionError(f"unknown solution key(s) {', '.join(sorted(extra))}")
        out: list[Point] = []
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

    @functools.cached_property
    def reduced(self) -> Instance:
        """This instance with at most ``L`` devices of each class of interchangeable devices
        (a plan has at most ``L`` stages, so the others are never needed): the methods solve
        it, and its solutions (devices named by id) are solutions of this instance with the
        same values and hypervolume box. ``self`` when no class has more than ``L``."""
        L = self.n_layers
        classes = self.device_classes
        if all(len(c) <= L for c in classes):
            return self
        keep = sorted(d for c in classes for d in c[:L])
        devices = tuple(self.devices[d] for d in keep)
        return dataclasses.replace(self, devices=devices)

    # -- JSON ---------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The instance as self-contained JSON data, with ``"schema_version"`` first (see
        ``schedlab schema partition``)."""
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
        return stamp(out)

    def to_json(self) -> str:
        """The instance as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Instance:
        """Build from inline JSON data or a scenario naming profile files (see the module doc).

        A ``"schema_version"`` other than 1 is rejected; a bad field raises
        :class:`InstanceError` naming its JSON path (``$.layers.mem_MB[3]``)."""
        if isinstance(data, dict):
            data = unstamp(data, "instance", file=source)
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
        _check_scalars(data, source)
        if "profiles" in data:
            if "layers" in data or "device_types" in data:
                raise InstanceError('give either "profiles" or "layers"/"device_types"', source)
            return cls(**scenario_fields(data, source, fallback_name))
        for key in ("layers", "device_types", "devices"):
            if key not in data:
                raise InstanceError(f'missing key "{key}"', source)
        lay = data["layers"]
        if not isinstance(lay, dict) or not {"mem_MB", "out_elems"} <= set(lay):
            raise InstanceError(
                '"layers" needs "mem_MB" and "out_elems" (and "in_elems")', source, path="$.layers"
            )
        extra = set(lay) - {"mem_MB", "out_elems", "in_elems"}
        if extra:
            raise InstanceError(
                f"unknown key(s) {', '.join(sorted(extra))}", source, path="$.layers"
            )
        mem = floats(lay["mem_MB"], "mem_MB", source, path="$.layers.mem_MB")
        outs = lay["out_elems"]
        if isinstance(outs, str | bytes | dict) or not hasattr(outs, "__iter__"):
            raise InstanceError("must be a list of integers", source, path="$.layers.out_elems")
        outs = [
            integer(v, f"out_elems[{i}]", source, path=f"$.layers.out_elems[{i}]")
            for i, v in enumerate(outs)
        ]
        in_elems = integer(lay.get("in_elems", 0), "in_elems", source, path="$.layers.in_elems")
        types = types_from_json(data["device_types"], source)
        devices = devices_from_json(data["devices"], types, source)
        links = links_from_json(data.get("links", []), source)
        return cls(
            mem_MB=mem,
            out_elems=tuple(outs),
            in_elems=in_elems,
            types=tuple(types.values()),
            devices=devices,
            links=links,
            microbatch=data.get("microbatch", 8),
            batch=data.get("batch"),
            dtype_bytes=data.get("dtype_bytes", 4),
            buffers_in=data.get("buffers_in", 2),
            buffers_out=data.get("buffers_out", 2),
            model=data.get("model", ""),
            name=data.get("name") or fallback_name,
            reference=data.get("reference"),
            source=source,
        )


def _check_scalars(data: dict[str, Any], source: str | None) -> None:
    """The top-level scalars of a JSON instance or scenario, each named by its JSON path on
    error (the constructor checks them again, by name)."""
    for key, minimum in (
        ("microbatch", 1),
        ("dtype_bytes", 1),
        ("buffers_in", 0),
        ("buffers_out", 0),
    ):
        if key in data:
            integer(data[key], key, source, minimum=minimum, path=f"$.{key}")
    if data.get("batch") is not None:
        integer(data["batch"], "batch", source, minimum=1, path="$.batch")
    if data.get("reference") is not None:
        number(data["reference"], "reference", source, path="$.reference")
    for key in ("name", "model"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise InstanceError(f"must be a string, got {data[key]!r}", source, path=f"$.{key}")
