"""A child process started in a folder holding another ``schedlab`` imports this one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import schedlab
from schedlab.core.childenv import child_env

CODE = "import schedlab; print(schedlab.__file__)"


def test_a_child_in_another_checkout_imports_the_parents_schedlab(tmp_path: Path) -> None:
    decoy = tmp_path / "schedlab"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("")
    plain = {k: v for k, v in os.environ.items() if k not in ("PYTHONSAFEPATH", "PYTHONPATH")}
    run = [sys.executable, "-c", CODE]
    # the hazard: without it, the working folder's copy wins
    naive = subprocess.run(run, cwd=tmp_path, env=plain, capture_output=True, text=True)
    assert Path(naive.stdout.strip()) == decoy / "__init__.py"
    fixed = subprocess.run(
        run, cwd=tmp_path, env=child_env(plain), capture_output=True, text=True, check=True
    )
    assert Path(fixed.stdout.strip()).resolve() == Path(schedlab.__file__).resolve()


def test_the_parents_folder_is_not_added_twice() -> None:
    env = child_env({"PYTHONPATH": os.pathsep.join(["/a", "/b"])})
    assert env["PYTHONSAFEPATH"] == "1"
    parts = env["PYTHONPATH"].split(os.pathsep)
    assert parts[-2:] == ["/a", "/b"]
    assert child_env(env)["PYTHONPATH"] == env["PYTHONPATH"]
