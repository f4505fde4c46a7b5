"""Pinned re-solves: some buffers' offsets given (``pinned``), the rest placed around them.

A compiler that changes a few buffers of a solved plan re-solves only those: it passes the
plan's offsets of the others as ``pinned`` (a mapping id -> offset, or a solution dict with
``offsets``). The pinned buffers become fixed buffers of a *pinned instance*, which every
method already honours; its solutions are solutions of the original instance. In a mapping,
a pin ``None`` keeps the buffer in slow memory.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from ....core import InstanceError, SolveError
from ..model import INT64_MAX, MemoryInstance


@dataclass(frozen=True)
class Pins:
    """The pinned problem of an instance.

    Attributes:
        inst: the instance with the pinned buffers fixed at their offsets.
        slow: mapping: the buffers pinned to slow memory (a boolean mask), else ``None``.
        count: how many buffers were pinned.
    """

    inst: MemoryInstance
    slow: np.ndarray | None
    count: int


def apply_pins(inst: MemoryInstance, pinned: Any, method: str) -> Pins | None:
    """The pinned problem of ``inst`` (``None`` when nothing is pinned). A pin naming no
    buffer (keys: the ids or their strings), an offset that is not a non-negative integer,
    misaligned, other than a buffer's own fixed offset or beyond the capacity, and pinned
    buffers overlapping each other (or a fixed buffer) are a :class:`SolveError`."""
    if pinned is None:
        return None
    if isinstance(pinned, dict) and isinstance(pinned.get("offsets"), dict):
        pinned = pinned["offsets"]
    if not isinstance(pinned, dict):
        raise SolveError(
            f"{method}: pinned must map buffer ids to offsets (or be a solution with "
            f'"offsets"), got {pinned!r}'
        )
    where = f"{method}: pinned"
    offs: dict[int, int | None] = {}
    for key, v in pinned.items():
        i = inst.position(key)
        if i is None:
            raise SolveError(f"{where}: unknown buffer id {key!r}")
        b = inst.buffers[i]
        if i in offs:
            raise SolveError(f"{where}: buffer {b.id!r} is pinned twice")
        if v is None:
            if not inst.slow_memory:
                raise SolveError(
                    f"{where}: buffer {b.id!r}: null (slow memory) is for mapping instances only"
                )
            if b.offset is not None:
                raise SolveError(f"{where}: buffer {b.id!r} has fixed offset {b.offset}, not null")
            offs[i] = None
            continue
        if isinstance(v, bool) or not isinstance(v, int | np.integer):
            raise SolveError(f"{where}: buffer {b.id!r}: offset must be an integer, got {v!r}")
        o = int(v)
        if o < 0:
            raise SolveError(f"{where}: buffer {b.id!r}: negative offset {o}")
        if o > INT64_MAX - b.size:
            raise SolveError(f"{where}: buffer {b.id!r}: offset {o} + size beyond 64 bits")
        if o % b.alignment:
            raise SolveError(
                f"{where}: buffer {b.id!r}: offset {o} is not a multiple of its alignment "
                f"{b.alignment}"
            )
        if b.offset is not None and o != b.offset:
            raise SolveError(f"{where}: buffer {b.id!r} is fixed at {b.offset}, pinned at {o}")
        if inst.capacity is not None and o + b.size > inst.capacity:
            raise SolveError(
                f"{where}: buffer {b.id!r} at {o} (size {b.size}) ends beyond the capacity "
                f"{inst.capacity}"
            )
        offs[i] = o
    placed = {i: o for i, o in offs.items() if o is not None}
    placed.update((i, b.offset) for i, b in enumerate(inst.buffers) if b.offset is not None)
    try:
        bufs = tuple(
            dataclasses.replace(b, offset=offs[i]) if offs.get(i) is not None else b
            for i, b in enumerate(inst.buffers)
        )
        pinned_inst = dataclasses.replace(inst, buffers=bufs)
    except InstanceError as e:  # e.g. offsets beyond what the solvers can address
        raise SolveError(f"{where}: {e}") from None
    pair = pinned_inst.find_overlap(placed)
    if pair is not None:
        off = np.zeros(inst.n, np.int64)
        for i, o in placed.items():
            off[i] = o
        raise SolveError(f"{where}: {inst.overlap_message(off, *pair)}")
    slow = None
    if any(o is None for o in offs.values()):
        slow = np.zeros(inst.n, bool)
        slow[[i for i, o in offs.items() if o is None]] = True
    return Pins(pinned_inst, slow, len(offs))
