"""Buffer traces as msa programs (:mod:`schedlab.families.memory.trace_to_msa`): the cost
model on a hand-made trace, the CLI command, and the two bundled real-model programs
(``instances/memory/msa/``): they load, they are what the converter makes of their traces,
and ``xla`` solves them with a checked result."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import schedlab
from schedlab.cli.main import main
from schedlab.core import InstanceError
from schedlab.families.memory import Buffer, Msa, formats
from schedlab.families.memory.generate import generate_msa
from schedlab.families.memory.trace_to_msa import (
    A100,
    DEFAULT_INTENSITY,
    Accelerator,
    trace_program,
    trace_to_msa,
)

ROOT = Path(__file__).resolve().parents[3]
MSA_DIR = ROOT / "instances" / "memory" / "msa"
TRACES = ROOT / "instances" / "memory" / "idealloc" / "somas_tensors"

#: Round numbers: 2 FLOP/us, slow 1 byte/us, fast 4 bytes/us, copies 1 byte/us.
TOY = Accelerator(
    name="toy",
    peak_flops=2e6,
    slow_bandwidth=1e6,
    fast_bandwidth=4e6,
    fast_capacity=120,
    copy_bandwidth=1e6,
    copy_engines=1,
    source="test",
)


def _trace() -> list[Buffer]:
    # a: [0, 2) 100 B; b: [1, 3) 50 B; c: [2, 3) 10 B (one step: written and read at 2)
    return [Buffer("a", 0, 2, 100), Buffer("b", 1, 3, 50), Buffer("c", 2, 3, 10)]


def test_trace_program_by_hand() -> None:
    steps = trace_program(_trace())
    assert steps == [
        ([], [(0, 100)]),  # a written
        ([(0, 100)], [(1, 50)]),  # a read (its last step), b written
        ([(1, 50), (2, 10)], [(2, 10)]),  # b read, c written and read
    ]


def test_trace_to_msa_by_hand() -> None:
    m = trace_to_msa(_trace(), accelerator=TOY, intensity=1.0, name="toy")
    assert isinstance(m, Msa) and m.name == "toy"
    assert len(m.steps) == 3 and m.capacity == 120
    # bandwidths in bytes per microsecond
    assert (m.slow_bandwidth, m.fast_bandwidth, m.copy_bandwidth) == (1.0, 4.0, 1.0)
    assert m.copy_engines == 1 and m.evictions and m.max_outstanding_prefetches is None
    # compute = 1 FLOP/byte x bytes / 2 FLOP/us: 100 -> 50, 150 -> 75, 70 -> 35
    assert [s.compute for s in m.steps] == pytest.approx([50.0, 75.0, 35.0])
    assert m.steps[2].reads == ((1, 50), (2, 10)) and m.steps[2].writes == ((2, 10),)
    # all slow: max(50, 100) + max(75, 150) + max(35, 70)
    assert m.check({"fast": {}}) == pytest.approx(320.0)
    # every buffer in fast memory: max(50, 25) + max(75, 37.5) + max(35, 17.5)
    assert m.lower_bound() == pytest.approx(160.0)
    # a whole-life in fast memory (100 of 120 bytes): step 0 50, step 1 max(75, 25 + 50)
    sol = {"fast": {"a": [{"offset": 0, "first": 0, "end": 2}]}}
    assert m.check(sol) == pytest.approx(50.0 + 75.0 + 70.0)
    r = schedlab.solve(m, "xla")
    assert r.solution is not None and m.check(r.solution) == pytest.approx(r.objective)
    assert 160.0 - 1e-9 <= r.objective <= 320.0
    r = schedlab.solve(m, "cpsat", time_limit=10, threads=1)
    assert r.status == "optimal" and r.objective <= 195.0 + 1e-6


def test_options_and_errors() -> None:
    m = trace_to_msa(_trace(), accelerator=TOY, copy_engines=0, capacity=64)
    assert m.copy_engines == 0 and not m.copies_enabled and m.capacity == 64
    assert m.name == "trace_toy"
    # the default intensity on the A100: 64 FLOP/byte at 312 TFLOP/s, in microseconds
    d = trace_to_msa(_trace())
    assert d.steps[0].compute == pytest.approx(DEFAULT_INTENSITY * 100 / 312e6)
    assert d.fast_bandwidth == pytest.approx(5120 * 1.41e3) and d.slow_bandwidth == 1555e3
    assert d.capacity == A100.fast_capacity == 40 * 2**20
    with pytest.raises(InstanceError):
        trace_to_msa([])
    with pytest.raises(InstanceError):
        trace_to_msa(_trace(), intensity=-1.0)
    # offsets, hints and alignment of an allocation's buffers: offsets and hints dropped
    inst = schedlab.read(str(ROOT / "instances/memory/minimalloc/examples/input.12.csv"))
    m2 = trace_to_msa(inst)
    assert m2.n == inst.n and all(b.offset is None and b.hint is None for b in m2.buffers)


def test_cli_from_trace(tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text("id,lower,upper,size\na,0,2,100\nb,1,3,50\nc,2,3,10\n")
    out = tmp_path / "t.json"
    res = CliRunner().invoke(
        main, ["memory", "from-trace", str(src), "-o", str(out), "--intensity", "8"]
    )
    assert res.exit_code == 0, res.output
    assert "3 buffers, 3 steps" in res.output
    m = schedlab.read(str(out))
    assert isinstance(m, Msa) and len(m.steps) == 3
    assert m.steps[0].compute == pytest.approx(8 * 100 / 312e6)


@pytest.mark.parametrize("name", ["resnet50", "bert_base"])
def test_bundled_programs_are_the_converted_traces(name: str) -> None:
    m = schedlab.read(str(MSA_DIR / f"{name}.json"))
    assert isinstance(m, Msa) and m.name == name
    ref = trace_to_msa(formats.read(str(TRACES / f"{name}.csv")), name=name)
    assert json.loads(m.to_json()) == json.loads(ref.to_json())
    assert m.copies_enabled and m.capacity == A100.fast_capacity
    assert len(m.steps) == {"resnet50": 1029, "bert_base": 6471}[name]


def test_xla_on_a_real_prefix() -> None:
    """The first 150 steps of resnet50 (the buffers that end by then): xla's solution checks
    and beats all-slow."""
    bufs = [b for b in formats.read(str(TRACES / "resnet50.csv")).buffers if b.upper <= 150]
    m = trace_to_msa(bufs, name="resnet50_150")
    r = schedlab.solve(m, "xla")
    assert r.solution is not None and math.isclose(m.check(r.solution), r.objective)
    slow = m.program.total_time(np.zeros(m.n, dtype=bool))
    assert m.lower_bound() <= r.objective < slow


@pytest.mark.slow
@pytest.mark.parametrize("name", ["resnet50", "bert_base"])
def test_xla_solves_bundled(name: str) -> None:
    m = schedlab.read(str(MSA_DIR / f"{name}.json"))
    assert isinstance(m, Msa)
    r = schedlab.solve(m, "xla")
    assert r.solution is not None and math.isclose(m.check(r.solution), r.objective)
    assert m.lower_bound() <= r.objective <= m.program.total_time(np.zeros(m.n, dtype=bool))


def test_lns_keeps_its_time_limit() -> None:
    """The large-neighbourhood search (``lns``) on a 500-step program stops a window
    build short of the deadline: 2 s asked, well under 3.5 s reported."""
    m = generate_msa(500, "chain", 0.25, seed=0)
    r = schedlab.solve(m, "lns", time_limit=2, threads=1)
    assert r.solution is not None and math.isclose(m.check(r.solution), r.objective)
    assert r.runtime_s < 3.5
    assert r.info["lns_windows"] >= 1
