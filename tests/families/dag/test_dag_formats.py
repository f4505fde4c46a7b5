"""dag formats: STG (processors by the address, published optima and bounds, dummies), the
Topcuoglu JSON, DS3 job + SoC files, WfFormat, DAX, platforms; one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import schedlab
from schedlab.core import InstanceError
from schedlab.families.dag import formats
from schedlab.families.dag.model import Instance

INSTANCES = Path(__file__).resolve().parents[3] / "instances" / "dag"
STG = INSTANCES / "stg"


def test_stg_processors_from_the_address_and_published_values() -> None:
    inst = schedlab.read(STG / "50" / "rand0000.stg#8")
    assert isinstance(inst, Instance)
    assert inst.n == 50 and inst.n_processors == 8 and inst.name == "rand0000_p8"
    assert inst.reference == 55 and inst.lower_bound is None and not inst.has_communication
    assert inst.identical_processors
    assert inst.times[0] == (9,) * 8 and inst.task_names[0] == "1"
    # predecessors of the dummy entry are dropped: task 1 has none, task 5 follows task 1
    assert (0, 4, 0) in inst.edges and not inst.preds[0]
    default = schedlab.read(STG / "50" / "rand0000.stg")
    assert default.n_processors == formats.STG_DEFAULT_PROCESSORS
    assert schedlab.count(STG / "50" / "rand0000.stg") == formats.STG_MAX_PROCESSORS


def test_stg_open_instances_carry_their_bounds() -> None:
    inst = schedlab.read(STG / "50" / "rand0060.stg#2")
    assert inst.reference is None and (inst.lower_bound, inst.upper_bound) == (157, 165)
    assert schedlab.read(STG / "50" / "rand0060.stg#3").lower_bound is None


@pytest.mark.parametrize(("name", "n"), [("robot", 88), ("sparse", 96), ("fpppp", 334)])
def test_stg_application_graphs(name: str, n: int) -> None:
    inst = schedlab.read(STG / "application" / f"{name}.stg#2")
    assert inst.n == n


def test_stg_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.stg"
    bad.write_text("2\n0 0 0\n1 3 1 0\n2 x 1 1\n3 0 1 2\n")
    with pytest.raises(InstanceError, match=r"line 4: task 2: time: expected an integer") as ei:
        schedlab.read(str(bad))
    assert ei.value.line == 4
    bad.write_text("2\n0 0 0\n1 3 1 0\n2 4 2 1\n3 0 1 2\n")
    with pytest.raises(InstanceError, match="2 predecessors announced"):
        schedlab.read(str(bad))
    bad.write_text("2\n0 0 0\n1 3 1 2\n2 4 1 1\n3 0 1 2\n")
    with pytest.raises(InstanceError, match="cycle"):
        schedlab.read(str(bad))
    bad.write_text("2\n0 0 0\n1 3 1 0\n")
    with pytest.raises(InstanceError, match="expected 2 tasks"):
        schedlab.read(str(bad))
    with pytest.raises(InstanceError, match="processors"):
        formats.read_stg(str(STG / "50" / "rand0000.stg"), 0)


def test_stg_content_is_sniffed(tmp_path: Path) -> None:
    f = tmp_path / "graph.txt"
    f.write_text("2\n0 0 0\n1 3 1 0\n2 4 1 1\n3 0 1 2\n# comment\n")
    inst = schedlab.read(f"{f}#3")
    assert inst.n == 2 and inst.edges == ((0, 1, 0),) and inst.n_processors == 3


def test_topcuoglu_json() -> None:
    inst = schedlab.read(INSTANCES / "topcuoglu2002_fig2.json")
    assert inst.n == 10 and inst.n_processors == 3 and inst.reference == 73
    assert inst.delay(18, 0, 1) == 18 and inst.delay(18, 1, 1) == 0
    assert inst.times[0] == (14, 16, 9) and len(inst.edges) == 15


def _write_ds3(folder: Path) -> tuple[Path, Path]:
    data = json.loads((INSTANCES / "topcuoglu2002_fig2.json").read_text())
    names = list(data["tasks"])
    lines = ["# a comment", "job_name Top", f"add_new_tasks {len(names)}"]
    preds: dict[str, list[str]] = {n: [] for n in names}
    for a, b, _ in data["edges"]:
        preds[b].append(a)
    for k, n in enumerate(names):
        lines.append(" ".join([n, str(k), *(str(names.index(p)) for p in preds[n])]))
        if k == 0:
            lines.append(f"{n} HEAD")
        lines.append(f"{n} earliest_start 0 deadline 2 input_vol 0 output_vol 0")
    lines += [f"comm_vol {names.index(a)} {names.index(b)} {c}" for a, b, c in data["edges"]]
    (folder / "config_Jobs").mkdir()
    (folder / "config_SoC").mkdir()
    job = folder / "config_Jobs" / "job_Top.txt"
    job.write_text("\n".join(lines) + "\n")
    soc_lines = []
    for p, pname in enumerate(data["processors"]):
        soc_lines.append(
            f"add_new_resource resource_type CPU{p} resource_name {pname} resource_ID {p} "
            f"capacity 1 num_supported_functionalities {len(names)} DVFS_mode performance"
        )
        soc_lines += ["opp 1000 900", "trip_freq -1 -1 -1", "power_profile 1000 0.05"]
        soc_lines += [f"{n} {data['tasks'][n][p]}" for n in names]
    soc_lines += [
        "add_new_resource resource_type MEM resource_name M1 resource_ID 3 capacity 1 "
        "num_supported_functionalities 1 DVFS_mode none",
        "None 0",
        "comm_band_self 10000",
        "comm_band 0 0 100",
        "comm_band 0 3 2",
    ]
    soc = folder / "config_SoC" / "SoC.Top.txt"
    soc.write_text("\n".join(soc_lines) + "\n")
    return job, soc


def test_ds3_job_on_its_soc_is_the_topcuoglu_example(tmp_path: Path) -> None:
    job, soc = _write_ds3(tmp_path)
    inst = formats.read_ds3(str(job), str(soc))
    ref = schedlab.read(INSTANCES / "topcuoglu2002_fig2.json")
    assert inst.times == ref.times and set(inst.edges) == set(ref.edges)
    assert inst.processors == (("P1", "CPU0"), ("P2", "CPU1"), ("P3", "CPU2"))
    assert schedlab.solve(inst, "heft").objective == 80
    found = schedlab.read(str(job))  # the SoC is found in ../config_SoC
    assert found.name == "Top@Top" and found.times == inst.times


def test_ds3_capacity_and_bandwidths(tmp_path: Path) -> None:
    job = tmp_path / "job_x.txt"
    job.write_text(
        "job_name x\nadd_new_tasks 2\nfft 0\nfft HEAD\nfft earliest_start 0 deadline 9\n"
        "crc 1 0\ncrc TAIL\ncomm_vol 0 1 30\n"
    )
    soc = tmp_path / "SoC.x.txt"
    soc.write_text(
        "add_new_resource resource_type BIG resource_name A15 resource_ID 0 capacity 2 "
        "num_supported_functionalities 2 DVFS_mode performance\nfft 100\ncrc 5\n"
        "add_new_resource resource_type ACC resource_name FFT resource_ID 1 capacity 1 "
        "num_supported_functionalities 1 DVFS_mode performance\nfft 10\n"
        "comm_band 0 0 1000\ncomm_band 0 1 10\n"
    )
    inst = formats.read_ds3(str(job), str(soc))
    assert inst.processors == (("A15_0", "BIG"), ("A15_1", "BIG"), ("FFT", "ACC"))
    assert inst.times == ((100, 100, 10), (5, 5, None))
    assert inst.delay(30, 2, 0) == 3 and inst.delay(30, 0, 1) == 1
    res = schedlab.solve(inst, "cpsat", time_limit=5)
    assert res.objective == 10 + 3 + 5
    job.write_text("job_name x\nadd_new_tasks 2\nfft 0\ncrc 1 0\nviterbi 7\n")
    with pytest.raises(InstanceError, match="id 7 out of range"):
        formats.read_ds3(str(job), str(soc))


WF = {
    "name": "w",
    "schemaVersion": "1.5",
    "workflow": {
        "specification": {
            "tasks": [
                {
                    "name": "a",
                    "id": "a",
                    "parents": [],
                    "children": ["b"],
                    "inputFiles": [],
                    "outputFiles": ["f1", "f2"],
                },
                {
                    "name": "b",
                    "id": "b",
                    "parents": ["a"],
                    "children": [],
                    "inputFiles": ["f1"],
                    "outputFiles": [],
                },
            ],
            "files": [{"id": "f1", "sizeInBytes": 2000}, {"id": "f2", "sizeInBytes": 5000}],
        },
        "execution": {
            "tasks": [{"id": "a", "runtimeInSeconds": 4.0}, {"id": "b", "runtimeInSeconds": 0.5}]
        },
    },
}
PLATFORM = {
    "name": "two",
    "processors": [
        {"name": "c", "type": "cpu", "speed": 1.0},
        {"name": "g", "type": "gpu", "speed": 4.0},
    ],
    "bandwidth": 1000.0,
    "latency": 0.5,
    "time_unit": 0.5,
}


def test_wfformat_on_a_platform(tmp_path: Path) -> None:
    f = tmp_path / "wf.json"
    f.write_text(json.dumps(WF))
    inst = schedlab.read(str(f))
    assert inst.name == "wf@default8" and inst.n_processors == 8
    (tmp_path / "platform.json").write_text(json.dumps(PLATFORM))
    inst = schedlab.read(str(f))
    assert inst.name == "wf@two" and inst.task_names == ("a", "b")
    # runtimes 4 s and 0.5 s in 0.5 s units, 4x faster on the gpu (at least one unit)
    assert inst.times == ((8, 2), (1, 1))
    # f1 only (f2 is not read by b): 2000 bytes at 500 bytes a unit, plus one unit of latency
    assert inst.edges == ((0, 1, 2000),) and inst.delay(2000, 0, 1) == 4 + 1


def test_dax_on_a_platform(tmp_path: Path) -> None:
    dax = tmp_path / "x.xml"
    dax.write_text(
        '<?xml version="1.0"?>\n<adag xmlns="http://pegasus.isi.edu/schema/DAX" name="test">\n'
        '<job id="ID0" name="a" runtime="4"><uses file="f1" link="output" size="2000"/></job>\n'
        '<job id="ID1" name="b" runtime="-0.5"><uses file="f1" link="input" size="2000"/></job>\n'
        '<child ref="ID1"><parent ref="ID0"/></child>\n</adag>\n'
    )
    inst = formats.read_dax(str(dax), PLATFORM)
    assert inst.name == "x@two" and inst.times == ((8, 2), (1, 1))
    assert inst.edges == ((0, 1, 2000),)
    assert schedlab.read(str(dax)).n_processors == 8
    dax.write_text('<adag><child ref="Z"><parent ref="ID0"/></child></adag>')
    with pytest.raises(InstanceError, match="no such job"):
        schedlab.read(str(dax))
    dax.write_text("<adag><job id=")
    with pytest.raises(InstanceError, match="invalid XML"):
        schedlab.read(str(dax))


def test_platform_errors() -> None:
    with pytest.raises(InstanceError, match="speed"):
        formats.platform_from_dict({**PLATFORM, "processors": [{"speed": 0}]})
    with pytest.raises(InstanceError, match="unknown key"):
        formats.platform_from_dict({**PLATFORM, "cores": 3})
    with pytest.raises(InstanceError, match="bandwidth"):
        formats.platform_from_dict({**PLATFORM, "bandwidth": [[1]]})
