"""Shared fixtures.

Before any test runs, every installed family is warmed up (its engines imported, its JIT
kernels compiled or loaded from the on-disk cache): no test then depends on how long
compiling takes, so a fresh machine with a cold cache passes as a warm one does. The
families compile side by side, one process each, before this process loads their kernels.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import schedlab
from schedlab import api
from schedlab.core.childenv import child_env

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = ROOT / "instances"


# every test's subprocess imports the schedlab this process imported (see child_env): from a
# checkout beside a fresh install, `python -c` would import the checkout and compile every
# kernel again, cold (2 minutes of the session warm-up alone)
os.environ.update(child_env())


def _compile_in_parallel(families: list[str]) -> None:
    """Warm each family up in its own process at once, so that their kernels compile side by
    side on every core into the shared on-disk cache (numba writes a cache file by an atomic
    rename); this process then loads them. A failure here is left to the warm-up in this
    process to report."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", "import sys, schedlab; schedlab.warm_up(sys.argv[1])", f],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for f in families
    ]
    for p in procs:
        try:
            p.wait(timeout=900)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


@pytest.fixture(scope="session", autouse=True)
def _warm_every_family() -> None:
    t0 = time.perf_counter()
    _compile_in_parallel(schedlab.family_names())
    for family in schedlab.family_names():
        try:
            schedlab.warm_up(family)
        except Exception as e:  # that family's own tests will fail; the others still run
            warnings.warn(f"warm-up of {family} failed: {e!r}", stacklevel=1)
    took = time.perf_counter() - t0
    if took > 5:
        print(f"\n(warm-up of every family: {took:.0f} s)")


@pytest.fixture(scope="session", autouse=True)
def _validate_every_result() -> Iterator[None]:
    """Every Result a test produces in this process is validated against its family's
    versioned result schema (``schedlab schema FAMILY result``), as it is built."""
    import jsonschema

    original = api._build_result
    validators: dict[str, Any] = {}

    def validated(*args: Any, **kwargs: Any) -> schedlab.Result:
        res = original(*args, **kwargs)
        if res.problem not in validators:
            try:
                schema = api.schema(res.problem, "result")
            except schedlab.SchedlabError:  # a test's toy family without schemas
                validators[res.problem] = None
            else:
                validators[res.problem] = jsonschema.Draft202012Validator(schema)
        validator = validators[res.problem]
        if validator is not None:
            error = jsonschema.exceptions.best_match(validator.iter_errors(res.to_dict()))
            if error is not None:
                raise AssertionError(
                    f"the Result of {res.problem}/{res.method} on {res.instance} breaks the "
                    f"result schema at {error.json_path}: {error.message}"
                )
        return res

    api._build_result = validated  # type: ignore[assignment]
    try:
        yield
    finally:
        api._build_result = original  # type: ignore[assignment]


@pytest.fixture
def instances_dir() -> Path:
    """The bundled instances folder."""
    return INSTANCES
