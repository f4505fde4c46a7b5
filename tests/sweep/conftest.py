"""Fixtures for the sweep tests."""

from __future__ import annotations

from typing import Any

import pytest
from sweep_helpers import SMALL_SWEEP, write_instances, write_sweep


@pytest.fixture(scope="session")
def small_sweep(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The small sweep (2 files x 3 methods x 2 seeds), run once with 2 local workers."""
    from schedlab.sweep import load_sweep, run_sweep

    root = tmp_path_factory.mktemp("small")
    files = write_instances(root / "inst")
    sweep_file = write_sweep(root / "small.toml", SMALL_SWEEP)
    store = root / "small.sqlite"
    summary = run_sweep(sweep_file, store, workers=2, progress=False)
    return {
        "root": root,
        "files": files,
        "sweep_file": sweep_file,
        "sweep": load_sweep(sweep_file),
        "store": store,
        "summary": summary,
    }
