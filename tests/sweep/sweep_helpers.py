"""Helpers of the sweep tests: small smtt instance files, sweep files, the CLI command."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import schedlab

HERE = Path(__file__).resolve().parent
PLUGIN = HERE / "plugin_methods.py"


def write_instances(folder: Path, count: int = 2, n: int = 8) -> list[Path]:
    """``count`` small smtt JSON files, each with its optimum (by dp) as reference."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(count):
        inst = schedlab.generate(
            "smtt", n=n, tf=0.6, rdd=0.4, weighted=True, seed=100 + k, name=f"tiny{k}"
        )
        data = inst.to_dict()
        data["reference"] = schedlab.solve(inst, "dp").objective
        path = folder / f"tiny{k}.json"
        path.write_text(json.dumps(data))
        paths.append(path)
    return paths


def write_sweep(path: Path, body: str) -> Path:
    """A sweep file."""
    path.write_text(body)
    return path


def cli(*args: str) -> list[str]:
    """The command line running the schedlab CLI with this interpreter."""
    return [sys.executable, "-c", "from schedlab.cli.main import main; main()", *args]


SMALL_SWEEP = """
name = "small"
time_limit = 5
seeds = [0, 1]
margin = 20
methods = ["edd", "mdd", "ls"]

[sets]
tiny = ["inst/tiny*.json"]
"""
