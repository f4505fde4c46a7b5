"""Numbers in partition instances: beyond int64, NaN, infinity, negative values, bools and
strings are InstanceErrors naming the field (its JSON path from JSON, its name from the
constructors), never a raw TypeError/OverflowError or a silent conversion."""

from __future__ import annotations

import copy
import dataclasses
import math
from pathlib import Path
from typing import Any

import pytest

import schedlab
from schedlab import InstanceError
from schedlab.families.partition.hardware import Device, DeviceType, Link
from schedlab.families.partition.model import Instance

ROOT = Path(__file__).resolve().parents[3] / "instances" / "partition"

DOC: dict[str, Any] = {
    "problem": "partition",
    "microbatch": 8,
    "layers": {"mem_MB": [1.0, 2.0], "out_elems": [10, 20], "in_elems": 5},
    "device_types": {
        "fast": {"mem_MB": 100.0, "bw_Mbps": 100.0, "time_s": [0.1, 0.2]},
        "RCC-VE": {"mem_MB": 100.0, "bw_Mbps": 10.0, "time_s": [0.3, 0.4]},
    },
    "devices": [
        {"id": "a", "type": "fast"},
        {"id": "b", "type": "RCC-VE", "mem_MB": 50.0, "latency_s": 0.01},
    ],
    "links": [{"a": "a", "b": "b", "bw_Mbps": 10.0}],
}

NOT_A_NUMBER = ["16", True, math.nan, math.inf, 2**63, 1e19, -1, None, [1.0]]
NOT_AN_INTEGER = [*NOT_A_NUMBER, 2.5]


def _set(doc: dict[str, Any], where: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    node = out
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    return out


NUMBER_FIELDS = [
    (("layers", "mem_MB", 1), "$.layers.mem_MB[1]"),
    (("device_types", "fast", "time_s", 0), "$.device_types.fast.time_s[0]"),
    (("device_types", "fast", "mem_MB"), "$.device_types.fast.mem_MB"),
    (("device_types", "RCC-VE", "bw_Mbps"), "$.device_types.RCC-VE.bw_Mbps"),
    (("devices", 1, "latency_s"), "$.devices[1].latency_s"),
    (("devices", 1, "mem_MB"), "$.devices[1].mem_MB"),
    (("links", 0, "bw_Mbps"), "$.links[0].bw_Mbps"),
    (("reference",), "$.reference"),
]
INTEGER_FIELDS = [
    (("layers", "out_elems", 0), "$.layers.out_elems[0]"),
    (("layers", "in_elems"), "$.layers.in_elems"),
    (("microbatch",), "$.microbatch"),
    (("dtype_bytes",), "$.dtype_bytes"),
    (("buffers_in",), "$.buffers_in"),
    (("batch",), "$.batch"),
]


#: optional fields, where null means "absent"
OPTIONAL = {("devices", 1, "mem_MB"), ("links", 0, "bw_Mbps"), ("reference",), ("batch",)}


def _cases(fields: list[tuple[tuple[Any, ...], str]], bad: list[Any]) -> list[Any]:
    return [
        pytest.param(where, path, v, id=f"{path}={v!r}")
        for where, path in fields
        for v in bad
        if not (v is None and where in OPTIONAL)
    ]


@pytest.mark.parametrize(
    ("where", "path", "bad"),
    _cases(NUMBER_FIELDS, NOT_A_NUMBER) + _cases(INTEGER_FIELDS, NOT_AN_INTEGER),
)
def test_a_bad_number_is_named_by_its_json_path(
    where: tuple[Any, ...], path: str, bad: Any
) -> None:
    doc = _set(DOC, where, bad)
    with pytest.raises(InstanceError) as e:
        Instance.from_dict(doc)
    assert e.value.path == path, str(e.value)
    assert str(e.value).startswith(f"{path}: ")
    with pytest.raises(InstanceError) as e:
        schedlab.load(doc)
    assert e.value.path == path


def test_the_document_itself_is_fine() -> None:
    inst = Instance.from_dict(DOC)
    assert inst.n_layers == 2 and inst.device_mem(1) == 50.0
    assert Instance.from_dict(inst.to_dict()) == inst


@pytest.mark.parametrize(
    ("where", "value", "path"),
    [
        (("devices",), {"fast": "2"}, "$.devices.fast"),
        (("devices",), {"fast": 2.5}, "$.devices.fast"),
        (("devices", 0, "id"), 7, "$.devices[0].id"),
        (("links", 0, "b"), None, "$.links[0].b"),
        (("name",), 3, "$.name"),
        (("model",), ["m"], "$.model"),
        (("layers", "out_elems"), "10,20", "$.layers.out_elems"),
        (("layers", "mem_MB"), 5, "$.layers.mem_MB"),
        (("device_types", "fast", "time_s"), "0.1", "$.device_types.fast.time_s"),
        (("device_types", "fast", "speed"), 2, "$.device_types.fast"),
        (("layers", "extra"), 1, "$.layers"),
    ],
)
def test_other_bad_fields_are_named(where: tuple[Any, ...], value: Any, path: str) -> None:
    with pytest.raises(InstanceError) as e:
        Instance.from_dict(_set(DOC, where, value))
    assert e.value.path == path, str(e.value)


def test_scenario_fields_are_named() -> None:
    scen = {
        "problem": "partition",
        "profiles": {
            "models": "pipeedge/models.yml",
            "device_types": "pipeedge/device_types.yml",
        },
        "devices": {"Minnowboard-E3845": 2},
    }
    src = str(ROOT / "scenario.json")
    assert Instance.from_dict(scen, source=src).n_devices == 2
    for where, value, path in (
        (("microbatch",), "8", "$.microbatch"),
        (("profiles", "in_elems"), -3, "$.profiles.in_elems"),
        (("profiles", "model"), 5, "$.profiles.model"),
        (("devices", "Minnowboard-E3845"), True, "$.devices.Minnowboard-E3845"),
    ):
        with pytest.raises(InstanceError) as e:
            Instance.from_dict(_set(scen, where, value), source=src)
        assert e.value.path == path, str(e.value)


def test_constructors_name_the_field() -> None:
    with pytest.raises(InstanceError, match=r"^fast\.time_s\[1\] must be a number, got '2'"):
        DeviceType("fast", (1.0, "2"), 10.0, 10.0)  # type: ignore[arg-type]
    with pytest.raises(InstanceError, match=r"^fast\.mem_MB must be a finite number"):
        DeviceType("fast", (1.0,), math.nan, 10.0)
    with pytest.raises(InstanceError, match=r"^fast\.bw_Mbps .*64-bit"):
        DeviceType("fast", (1.0,), 10.0, 2**63)
    with pytest.raises(InstanceError, match=r"^x\.latency_s must be a number"):
        Device("x", "fast", latency_s=True)  # type: ignore[arg-type]
    with pytest.raises(InstanceError, match=r"^x\.mem_MB must be non-negative"):
        Device("x", "fast", mem_MB=-1.0)
    with pytest.raises(InstanceError, match=r"^link a-b bw_Mbps must be a number"):
        Link("a", "b", bw_Mbps="fast")  # type: ignore[arg-type]
    with pytest.raises(InstanceError, match="non-empty string"):
        Device("", "fast")
    t = DeviceType("fast", [0.5, 1], 10, 10)  # type: ignore[arg-type]
    assert t.time_s == (0.5, 1.0) and isinstance(t.mem_MB, float)
    base = Instance.from_dict(DOC)
    fields = {
        "mem_MB": (1.0, math.inf),
        "out_elems": (10, "20"),
        "in_elems": 2**64,
        "microbatch": 0,
        "dtype_bytes": 1.5,
        "buffers_out": math.nan,
        "batch": True,
        "reference": "0.5",
    }
    for key, value in fields.items():
        kwargs = {f.name: getattr(base, f.name) for f in dataclasses.fields(Instance)}
        kwargs[key] = value
        with pytest.raises(InstanceError) as e:
            Instance(**kwargs)
        assert e.value.path is None and str(e.value).startswith(key), str(e.value)


def test_sizes_that_overflow_the_times() -> None:
    doc = _set(DOC, ("links", 0, "bw_Mbps"), 1e-300)
    doc = _set(doc, ("layers", "out_elems", 0), 2**62)
    with pytest.raises(InstanceError, match="overflow"):
        Instance.from_dict(doc)
