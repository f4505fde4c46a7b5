"""smtt: single-machine total (weighted) tardiness, 1||Σ w_j T_j.

``n`` jobs with processing times, due dates and optional weights on one machine that never
idles; a solution is a processing order ``{"sequence": [0-based job indices]}``, its
objective the total weighted tardiness. Files: OR-Library ``wt<n>.txt``, the Çetinkaya et
al. (2025) sets, ``p d`` pairs (see :mod:`.formats`) and JSON.
"""

from __future__ import annotations

from ...core.family import Family
from .formats import READERS
from .generate import generate
from .model import Instance, is_solution


def samples() -> list[Instance]:
    """Tiny instances that, solved by every method, compile the kernels the methods use: a
    weighted and an unweighted one (generated: n = 8, TF 0.6, RDD 0.4, seeds 0 and 1).

    The exact method also declares its own warm-up for what these do not reach (SSDP's
    later stages)."""
    return [
        Instance(
            p=(86, 64, 52, 27, 31, 5, 8, 2),
            d=(74, 145, 127, 156, 110, 122, 162, 135),
            w=(7, 6, 6, 10, 3, 9, 7, 1),
            name="sample-weighted",
        ),
        Instance(
            p=(48, 52, 76, 96, 4, 15, 83, 95),
            d=(140, 152, 257, 173, 145, 249, 142, 170),
            name="sample-unweighted",
        ),
    ]


family = Family(
    name="smtt",
    description="single-machine total (weighted) tardiness, 1||Σ w_j T_j",
    instance_type=Instance,
    methods_package="schedlab.families.smtt.methods",
    readers=READERS,
    generators={"generate": generate},
    plot="schedlab.families.smtt.plot:plot",
    solution_matches=is_solution,
    cli="schedlab.families.smtt.cli:register",
    samples=samples,
)
