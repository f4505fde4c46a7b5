"""Versions of schedlab and of the solver engines, recorded in every result."""

from __future__ import annotations

import functools
from importlib import metadata

_PACKAGES = ("schedlab", "ortools", "highspy", "pyomo", "numpy", "numba")


@functools.cache
def versions() -> dict[str, str]:
    """Installed versions of schedlab and the engines it drives (``"none"`` if absent)."""
    out: dict[str, str] = {}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "none"
    return out
