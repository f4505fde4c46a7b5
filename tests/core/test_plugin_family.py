"""A family living in another distribution: installed from a temporary folder, found through
its entry point, and used through the CLI and the API without touching any schedlab file.

The toy family reads edge lists (``u v`` a line), which smtt's ``p d`` pairs reader accepts
too: reading such a file without ``--family`` is an error that asks for it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent / "toyfam_src"


def _install(src: Path, target: Path) -> None:
    """Install the toy distribution into ``target`` as an installer lays out a wheel: the
    package, and a ``.dist-info`` with its metadata and entry points (no build, no network)."""
    meta = tomllib.loads((src / "pyproject.toml").read_text())["project"]
    shutil.copytree(src / "toyfam", target / "toyfam")
    info = target / f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n"
    )
    lines = []
    for group, eps in meta["entry-points"].items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {value}" for name, value in eps.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    files = [p.relative_to(target) for p in target.rglob("*") if p.is_file()]
    (info / "RECORD").write_text("".join(f"{f},,\n" for f in files) + f"{info.name}/RECORD,,\n")


@pytest.fixture(scope="module")
def toy_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment whose Python path holds the installed toy distribution."""
    target = tmp_path_factory.mktemp("toy") / "site"
    _install(SRC, target)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(target), env.get("PYTHONPATH")]))
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schedlab.cli.main", *args],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def test_toy_family_through_the_cli(toy_env: dict[str, str], tmp_path: Path) -> None:
    edges = tmp_path / "edges.txt"
    edges.write_text("0 1\n0 2\n1 3\n")
    r = _cli(toy_env, "methods", "toy")
    assert r.returncode == 0 and "topo" in r.stdout, r.stderr
    r = _cli(toy_env, "solve", str(edges))
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "ambiguous" in r.stderr and "--family" in r.stderr
    assert "smtt" in r.stderr and "toy" in r.stderr
    r = _cli(toy_env, "solve", str(edges), "--family", "toy", "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["problem"] == "toy" and res["status"] == "optimal" and res["objective"] == 0
    r = _cli(toy_env, "solve", str(edges), "--family", "smtt", "-m", "edd", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["problem"] == "smtt"


def test_toy_family_through_the_api(toy_env: dict[str, str], tmp_path: Path) -> None:
    edges = tmp_path / "edges.txt"
    edges.write_text("2 0\n0 1\n")
    code = (
        "import schedlab, json\n"
        "assert 'toy' in schedlab.family_names()\n"
        "try:\n"
        f"    schedlab.read({str(edges)!r})\n"
        "    raise SystemExit('no ambiguity error')\n"
        "except schedlab.InstanceError as e:\n"
        "    assert 'family' in str(e)\n"
        f"r = schedlab.solve({str(edges)!r}, 'topo', family='toy')\n"
        "print(json.dumps([r.status, r.objective, r.solution]))\n"
        "print(schedlab.warm_up('toy'))\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=toy_env, timeout=120
    )
    assert r.returncode == 0, r.stderr
    first = r.stdout.splitlines()[0]
    assert json.loads(first) == ["optimal", 0.0, {"schema_version": 1, "order": [2, 0, 1]}]


def test_no_schedlab_file_names_the_toy() -> None:
    pkg = Path(__file__).resolve().parents[2] / "schedlab"
    assert not any("toyfam" in p.read_text() for p in pkg.rglob("*.py"))
