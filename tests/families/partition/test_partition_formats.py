"""The partition readers: PipeEdge models.yml, layer CSVs and JSON scenarios."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import schedlab
from schedlab.core.errors import InstanceError
from schedlab.families.partition.formats import (
    READERS,
    accepts_layer_csv,
    accepts_models_yml,
)
from schedlab.families.partition.model import Instance

ROOT = Path(__file__).resolve().parents[3] / "instances" / "partition"


def test_readers_agree() -> None:
    yml = schedlab.read(ROOT / "pipeedge" / "models.yml#1")
    assert yml.model == "google/vit-base-patch16-224" and yml.n_layers == 48
    assert [d.id for d in yml.devices][:2] == ["mb-0", "mb-1"]
    assert {d.type for d in yml.devices} == {"Minnowboard-E3845", "RCC-VE-C2000"}
    assert schedlab.count(str(ROOT / "pipeedge" / "models.yml")) == 2
    large = schedlab.read(ROOT / "pipeedge" / "models.yml#2")
    assert large.n_layers == 96
    csv = schedlab.read(ROOT / "pipeedge" / "vit_base_layers.csv")
    assert csv.mem_MB == yml.mem_MB and csv.out_elems == yml.out_elems
    assert csv.types == yml.types
    assert schedlab.count(str(ROOT / "pipeedge" / "vit_base_layers.csv")) == 1
    scen = schedlab.read(ROOT / "vit_base_8dev.json")
    assert scen.types == yml.types and scen.n_devices == 8
    again = Instance.from_dict(json.loads(scen.to_json()))
    assert again == scen


def test_accepts_is_precise(tmp_path: Path) -> None:
    models = ROOT / "pipeedge" / "models.yml"
    layers = ROOT / "pipeedge" / "vit_base_layers.csv"
    head_yml = models.read_text()[:4096]
    head_csv = layers.read_text()[:4096]
    assert accepts_models_yml(str(models), head_yml)
    assert not accepts_models_yml(str(tmp_path / "models.txt"), head_yml)  # suffix
    assert not accepts_models_yml(str(models), "a: 1\nb: [1, 2]\n")  # no parameters_out
    assert not accepts_models_yml(str(layers), head_csv)
    assert accepts_layer_csv(str(layers), head_csv)
    assert not accepts_layer_csv(str(tmp_path / "x.txt"), head_csv)  # suffix
    assert not accepts_layer_csv(str(tmp_path / "x.csv"), "id,lower,upper,size\n0,1,2,3\n")
    assert not accepts_layer_csv(str(models), head_yml)
    assert [r.format for r in READERS] == ["pipeedge-yaml", "pipeedge-csv"]
    # device_types.yml and devices.yml beside them belong to no reader
    for name in ("device_types.yml", "devices.yml"):
        path = ROOT / "pipeedge" / name
        head = path.read_text()[:4096]
        assert not any(r.accepts(str(path), head) for r in READERS)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match="model #3 out of range"):
        schedlab.read(ROOT / "pipeedge" / "models.yml#3")
    with pytest.raises(InstanceError, match="out of range"):
        schedlab.read(ROOT / "pipeedge" / "vit_base_layers.csv#2")
    alone = tmp_path / "models.yml"
    shutil.copy(ROOT / "pipeedge" / "models.yml", alone)
    with pytest.raises(InstanceError, match="device_types.yml beside it"):
        schedlab.read(alone)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"problem": "partition", "profiles": {"models": "nope.yml"}}))
    with pytest.raises(InstanceError, match="device_types"):
        schedlab.read(bad)


def test_scenario_with_csv_and_device_list(tmp_path: Path) -> None:
    pe = ROOT / "pipeedge"
    scen = {
        "problem": "partition",
        "profiles": {"csv": str(pe / "vit_base_layers.csv"), "device_types": "device_types.yml"},
        "devices": [{"id": "m", "type": "Minnowboard-E3845"}, {"id": "r", "type": "RCC-VE-C2000"}],
    }
    shutil.copy(pe / "device_types.yml", tmp_path / "device_types.yml")
    path = tmp_path / "scen.json"
    path.write_text(json.dumps(scen))
    inst = schedlab.read(path)
    assert inst.name == "scen" and [d.id for d in inst.devices] == ["m", "r"]
    assert inst.mem_MB == schedlab.read(pe / "vit_base_layers.csv").mem_MB
