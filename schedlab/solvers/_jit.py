"""Helpers shared by the compiled (numba) kernels of several families."""

from __future__ import annotations

import time

import numba
from numba import njit


@njit(cache=True)
def now():  # pragma: no cover - numba
    """``time.perf_counter()`` from inside compiled code (deadline checks)."""
    with numba.objmode(t="float64"):
        t = time.perf_counter()
    return t
