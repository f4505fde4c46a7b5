"""Checks of the numbers in an instance, naming the bad field: by its JSON path for
``from_dict`` (``InstanceError.path``), by its field name for a constructor."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InstanceError

#: The largest 64-bit integer.
INT64_MAX = 2**63 - 1


def int_error(v: Any) -> str | None:
    """Why ``v`` is not a 64-bit integer (``None`` if it is one; an integral float counts)."""
    if isinstance(v, bool | np.bool_):
        return f"must be an integer, not a boolean ({v!r})"
    if isinstance(v, str | bytes):
        return f"must be an integer, not a string ({v!r})"
    if isinstance(v, int | np.integer):
        if -INT64_MAX - 1 <= int(v) <= INT64_MAX:
            return None
        return f"{int(v)} is beyond the 64-bit integer range"
    if isinstance(v, float | np.floating):
        if not np.isfinite(v):
            return f"must be a finite integer, got {v!r}"
        if not float(v).is_integer():
            return f"must be an integer, got {v!r}"
        return None if abs(float(v)) < 2.0**63 else f"{v!r} is beyond the 64-bit integer range"
    return f"must be an integer, got {v!r}"


def is_list(v: Any) -> bool:
    """Whether ``v`` is a list, a tuple or a numpy array."""
    return isinstance(v, list | tuple | np.ndarray)


class Where:
    """Raises :class:`InstanceError` naming the bad field: by its JSON path (``$.jobs[0]``,
    in ``path``) for ``from_dict`` (``json=True``), by its field name in the message for a
    constructor."""

    def __init__(self, source: str | None, json: bool) -> None:
        self.source = source
        self.json = json

    def fail(self, field_name: str, message: str) -> InstanceError:
        """The error for ``field_name`` (``"jobs[0][1]"``, ``"machines"``)."""
        if self.json:
            return InstanceError(message, self.source, path=f"$.{field_name}")
        return InstanceError(f"{field_name}: {message}", self.source)

    def out_of_range(self, what: str, v: int, lo: int, hi: int) -> str:
        """The message for an integer outside ``lo..hi`` (a family may word it its way)."""
        return f"{what} {v} out of range {lo}..{hi}"

    def integer(self, v: Any, field_name: str, what: str, lo: int, hi: int = INT64_MAX) -> int:
        """``v`` as an ``int`` in ``lo..hi``."""
        why = int_error(v)
        if why is not None:
            raise self.fail(field_name, f"{what} {why}")
        if not lo <= int(v) <= hi:
            raise self.fail(field_name, self.out_of_range(what, int(v), lo, hi))
        return int(v)

    def number(self, v: Any, field_name: str) -> float | None:
        """``v`` (``None`` or a finite number within the 64-bit range) as a float."""
        if v is None:
            return None
        if isinstance(v, bool | np.bool_) or not isinstance(
            v, int | float | np.integer | np.floating
        ):
            raise self.fail(field_name, f"must be a number, got {v!r}")
        if not np.isfinite(float(v)) or abs(float(v)) >= 2.0**63:
            raise self.fail(
                field_name, f"must be a finite number within the 64-bit range, got {v!r}"
            )
        return float(v)
