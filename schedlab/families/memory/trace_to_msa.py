"""Buffer traces of real models as ``msa`` programs: a documented cost model on a public
accelerator specification.

A buffer trace (MiniMalloc CSV: ``id, lower, upper, size``; e.g. the idealloc traces under
``instances/memory/idealloc/``) gives each buffer its lifetime ``[lower, upper)`` in the
model's time steps and its size in bytes, and nothing else: no operation, no access. The
converter :func:`trace_to_msa` adds the rest with a deliberately simple model.

The program (one step per time step of the trace, ``0 .. max(upper) - 1``):

- a buffer is **written** (``size`` bytes) at its first step ``lower`` and **read**
  (``size`` bytes) at its last step ``upper - 1`` (both at the one step of a buffer that
  lives one step); steps that access no buffer take no time;
- a step's **compute time** is ``intensity x (bytes it accesses) / peak FLOP/s``: every
  step has the same arithmetic intensity (``intensity`` FLOP per byte accessed, default
  :data:`DEFAULT_INTENSITY`);
- the **fast memory** is the accelerator's on-chip memory (capacity and bandwidth), the
  **slow memory** its HBM; a step lasts ``max(compute, sum of bytes / bandwidth)`` with each
  buffer's bandwidth that of the memory it is in (the msa model of :mod:`.msa`);
- **copies** (prefetches and evictions between HBM and the on-chip memory) run at the HBM
  bandwidth, ``copy_engines`` at a time (default one stream), with no limit on outstanding
  prefetches; the contention between copies and the steps' own HBM accesses is not
  modelled (as nowhere in the msa model);
- times in **microseconds** (bandwidths in bytes per microsecond).

The accelerator (:data:`A100`), from NVIDIA's "NVIDIA A100 Tensor Core GPU Architecture"
whitepaper (v1.0, 2020,
https://images.nvidia.com/aem-dam/en-zz/Solutions/data-center/nvidia-ampere-architecture-whitepaper.pdf):

- peak dense FP16/BF16 Tensor Core throughput **312 TFLOP/s** (Table 1 / Table 4; A100
  SXM4 at the 1410 MHz boost clock);
- HBM2 **1555 GB/s** (40 GB; Table 4): the slow memory and the copy bandwidth;
- L2 cache **40 MB** (40960 KB, Table 4), read bandwidth **5120 bytes/clock** (p. 35), i.e.
  5120 x 1.41 GHz = **7219 GB/s** at the boost clock: the fast memory. The A100's L2
  residency controls (the whitepaper's "L2 cache residency controls"; CUDA's persisting
  accesses) let a program keep data in L2; here it is treated as a software-managed
  scratchpad of the full 40 MB, as XLA's alternate memory is on a TPU.

Ridge points: 312e12 / 1555e9 = 201 FLOP/byte from HBM, 312e12 / 7219e9 = 43 FLOP/byte
from L2. :data:`DEFAULT_INTENSITY` = 64 FLOP/byte lies between them (a modelling choice,
not a specification): a step whose buffers are all in HBM is memory-bound, one whose
buffers are all on chip compute-bound, the regime in which the assignment matters.

The idealloc traces are MindSpore SOMAS tensor lifetimes (see
``instances/memory/SOURCES.md``), recorded on other hardware; only their lifetimes and
sizes are used here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...core.errors import InstanceError
from .model import Buffer, MemoryInstance, Step
from .msa import Msa

#: FLOP per byte accessed, every step (between the L2 and the HBM ridge points of the A100).
DEFAULT_INTENSITY = 64.0
#: Seconds per time unit of the programs (microseconds).
TIME_UNIT = 1e-6


@dataclass(frozen=True)
class Accelerator:
    """The numbers of the cost model (SI units: FLOP/s, bytes/s, bytes)."""

    name: str
    peak_flops: float
    slow_bandwidth: float
    fast_bandwidth: float
    fast_capacity: int
    copy_bandwidth: float
    copy_engines: int
    source: str


#: NVIDIA A100 SXM4 40 GB (see the module docstring for each number's source).
A100 = Accelerator(
    name="a100",
    peak_flops=312e12,
    slow_bandwidth=1555e9,
    fast_bandwidth=5120 * 1.41e9,
    fast_capacity=40960 * 1024,
    copy_bandwidth=1555e9,
    copy_engines=1,
    source="NVIDIA A100 Tensor Core GPU Architecture whitepaper (2020): 312 TFLOP/s FP16 "
    "Tensor Core, HBM2 1555 GB/s, L2 40960 KB at 5120 bytes/clock x 1.41 GHz",
)


def trace_program(
    buffers: Sequence[Buffer],
) -> list[tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
    """Per time step ``0 .. max(upper) - 1``, its ``(reads, writes)`` as ``(buffer index,
    bytes)``: each buffer written at ``lower`` and read at ``upper - 1``."""
    if not buffers:
        raise InstanceError("a trace without buffers has no program")
    horizon = max(int(b.upper) for b in buffers)
    steps: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]] = [
        ([], []) for _ in range(horizon)
    ]
    for j, b in enumerate(buffers):
        if b.lower < 0:
            raise InstanceError(f"buffer {b.id!r}: negative lower {b.lower}")
        steps[b.lower][1].append((j, int(b.size)))
        steps[b.upper - 1][0].append((j, int(b.size)))
    return steps


def trace_to_msa(
    trace: MemoryInstance | Sequence[Buffer],
    *,
    accelerator: Accelerator = A100,
    intensity: float = DEFAULT_INTENSITY,
    capacity: int | None = None,
    copy_engines: int | None = None,
    max_outstanding_prefetches: int | None = None,
    evictions: bool = True,
    name: str | None = None,
) -> Msa:
    """The msa program of a buffer trace under the cost model of the module docstring.

    ``trace``: an instance (its buffers; e.g. :func:`.formats.read` of an idealloc CSV) or
    the buffers. ``capacity`` (bytes) replaces the accelerator's on-chip capacity,
    ``copy_engines`` its copy engines (0: copies disabled, the whole-life mapping). A
    buffer's alignment is kept; offsets, hints and gaps are dropped (msa programs have
    none: a buffer is held over its whole life)."""
    if isinstance(trace, MemoryInstance):
        bufs: Sequence[Buffer] = trace.buffers
        label = name or f"{trace.name}_{accelerator.name}"
    else:
        bufs = trace
        label = name or f"trace_{accelerator.name}"
    if not intensity >= 0:
        raise InstanceError(f"intensity must be >= 0 FLOP/byte, got {intensity}")
    clean = tuple(
        Buffer(id=b.id, lower=b.lower, upper=b.upper, size=b.size, alignment=b.alignment)
        for b in bufs
    )
    steps = []
    per_flop = TIME_UNIT * accelerator.peak_flops
    for reads, writes in trace_program(clean):
        nbytes = sum(v for _, v in reads) + sum(v for _, v in writes)
        steps.append(Step(intensity * nbytes / per_flop, tuple(reads), tuple(writes)))
    return Msa(
        buffers=clean,
        capacity=accelerator.fast_capacity if capacity is None else capacity,
        steps=tuple(steps),
        fast_bandwidth=accelerator.fast_bandwidth * TIME_UNIT,
        slow_bandwidth=accelerator.slow_bandwidth * TIME_UNIT,
        copy_bandwidth=accelerator.copy_bandwidth * TIME_UNIT,
        copy_engines=accelerator.copy_engines if copy_engines is None else copy_engines,
        max_outstanding_prefetches=max_outstanding_prefetches,
        evictions=evictions,
        name=label,
    )
