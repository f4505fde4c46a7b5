"""Device orders given to ``exhaustive`` and ``dp``."""

from __future__ import annotations

from typing import Any

from ....core.errors import SolveError
from ..model import Instance


def parse_order(inst: Instance, order: Any) -> list[int] | None:
    """``None`` for ``None`` or ``"all"`` (every order); device indices for ``"instance"``
    (the instance's order) or a list (or comma-separated string) of device ids."""
    if order is None or order == "all":
        return None
    if order == "instance":
        return list(range(inst.n_devices))
    if isinstance(order, str):
        order = [s.strip() for s in order.split(",") if s.strip()]
    if not isinstance(order, list | tuple) or not order:
        raise SolveError('order must be "instance", "all" or a list of device ids')
    out = []
    for d in order:
        if d not in inst.device_index:
            raise SolveError(f"order: unknown device {d!r}")
        out.append(inst.device_index[d])
    if len(set(out)) != len(out):
        raise SolveError("order lists a device twice")
    return out
