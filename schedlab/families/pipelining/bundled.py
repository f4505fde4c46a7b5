"""The bundled loop bodies (``data/loops/*.json``): GPU kernels and the running example.

The GPU kernels are built from raw clock cycles (``data/raw/*.json``) by
:func:`.costs.build_bundled`; the machines they name are ``data/machines/*.json`` (see
:func:`.model.bundled_machine`).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from ...core.errors import InstanceError
from .model import Instance

__all__ = ["bundled_loop", "bundled_loops", "bundled_path", "data_dir", "running_example"]


def data_dir() -> Any:
    """The family's data folder (``loops``, ``machines``, ``raw``), as a resources Traversable."""
    return resources.files(__name__.rpartition(".")[0]) / "data"


def bundled_loops() -> list[str]:
    """Names of the bundled loop bodies."""
    return sorted(p.name[:-5] for p in (data_dir() / "loops").iterdir() if p.name.endswith(".json"))


def bundled_loop(name: str) -> Instance:
    """A bundled loop body (see :func:`bundled_loops`)."""
    f = data_dir() / "loops" / f"{name}.json"
    if not f.is_file():
        raise InstanceError(f"no bundled loop {name!r} (known: {', '.join(bundled_loops())})")
    return Instance.from_dict(json.loads(f.read_text()), source=str(f))


def bundled_path(name: str) -> str:
    """File path of a bundled loop body."""
    return str(data_dir() / "loops" / f"{name}.json")


def running_example() -> Instance:
    """The note's running example: S = gemm -> P = exp -> O += gemm (I = 2, L = 4)."""
    return bundled_loop("running_example")
