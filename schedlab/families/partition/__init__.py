"""The partition family: DNN partitioning for pipelined inference on heterogeneous devices,
the latency/period Pareto front (see :mod:`.model`)."""

from __future__ import annotations

from ...core.family import Family
from .formats import READERS
from .generate import generate
from .hardware import Device, DeviceType, Link
from .model import PROBLEM, Instance, is_solution

__all__ = ["Device", "DeviceType", "Instance", "Link", "family", "generate", "samples"]


def samples() -> list[Instance]:
    """A small instance for the warm-up: every method solving it compiles every kernel (the
    class DP, the fixed-order DP, NSGA-II's decoder and evaluator). Two interchangeable
    devices and two of another type; eight layers (enough genes that NSGA-II's duplicate
    elimination stays cheap, few enough plans for ``exhaustive``); memory to spare."""
    work = (0.3, 0.2, 0.4, 0.1, 0.5, 0.2, 0.3, 0.4)
    fast = DeviceType("fast", work, mem_MB=1000.0, bw_Mbps=1000.0)
    slow = DeviceType("slow", tuple(2 * w for w in work), mem_MB=1000.0, bw_Mbps=100.0)
    inst = Instance(
        mem_MB=(10.0, 20.0, 10.0, 5.0, 20.0, 10.0, 10.0, 5.0),
        out_elems=(1000, 2000, 100, 4000, 500, 1000, 3000, 10),
        in_elems=1000,
        types=(fast, slow),
        devices=tuple(Device(f"{t}{k}", t) for t in ("fast", "slow") for k in range(2)),
        name="partition-sample",
    )
    return [inst]


#: The partition family.
family = Family(
    name=PROBLEM,
    description="DNN partitioning for pipelined inference: the latency/period Pareto front",
    instance_type=Instance,
    methods_package="schedlab.families.partition.methods",
    readers=READERS,
    generators={"generate": generate},
    plot="schedlab.families.partition.plot:plot",
    solution_matches=is_solution,
    cli="schedlab.families.partition.cli:register",
    samples=samples,
    warmup_params={"nsga2": {"generations": 3}},
)
