"""The environment of a Python child process (a sweep worker, a service) that must import the
schedlab its parent imported."""

from __future__ import annotations

import os
import site
from collections.abc import Mapping
from pathlib import Path

__all__ = ["child_env"]


def child_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with ``PYTHONSAFEPATH`` set, and the
    folder holding this process's ``schedlab`` first on ``PYTHONPATH`` when it is not a
    site-packages folder.

    ``python -c`` and ``python -m`` otherwise put their working folder first on ``sys.path``:
    started in a source checkout beside an installed copy, a child would import the other
    copy (another version; and its compiled kernels, cached by source path, cold)."""
    env = dict(os.environ if base is None else base)
    env["PYTHONSAFEPATH"] = "1"
    home = str(Path(__file__).resolve().parents[2])
    if home not in {str(Path(p).resolve()) for p in site.getsitepackages()}:
        paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != home]
        env["PYTHONPATH"] = os.pathsep.join([home, *paths])
    return env
