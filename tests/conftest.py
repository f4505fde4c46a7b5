"""Shared fixtures.

Before any test runs, every installed family is warmed up (its engines imported, its JIT
kernels compiled or loaded from the on-disk cache): no test then depends on how long
compiling takes, so a fresh machine with a cold cache passes as a warm one does.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest

import schedlab

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = ROOT / "instances"


@pytest.fixture(scope="session", autouse=True)
def _warm_every_family() -> None:
    t0 = time.perf_counter()
    for family in schedlab.family_names():
        try:
            schedlab.warm_up(family)
        except Exception as e:  # that family's own tests will fail; the others still run
            warnings.warn(f"warm-up of {family} failed: {e!r}", stacklevel=1)
    took = time.perf_counter() - t0
    if took > 5:
        print(f"\n(warm-up of every family: {took:.0f} s)")


@pytest.fixture
def instances_dir() -> Path:
    """The bundled instances folder."""
    return INSTANCES
