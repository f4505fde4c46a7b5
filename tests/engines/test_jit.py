"""The compiled-kernel cache: in the user's cache folder (or $SCHEDLAB_CACHE_DIR), never in the
package; kernels under a stamp of their family's sources; the kernel deadline convention."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import schedlab
from schedlab.core import SolveOptions
from schedlab.engines import jit

PACKAGE = Path(schedlab.__file__).resolve().parent


def test_cache_goes_to_the_named_folder_not_the_package(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["SCHEDLAB_CACHE_DIR"] = str(tmp_path)
    code = "import schedlab; schedlab.warm_up('smtt', 'ls')"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    cached = list((tmp_path / "numba").rglob("*.nbi"))
    assert cached and all("smtt-" in str(p) for p in cached if "engines-" not in str(p))
    assert not list(PACKAGE.rglob("*.nbi")) and not list(PACKAGE.rglob("*.nbc"))


def test_stamp_scope_and_deadline_convention() -> None:
    kernel = PACKAGE / "families" / "smtt" / "methods" / "_ils.py"
    assert jit._scope(kernel) == PACKAGE / "families" / "smtt"
    assert jit._scope(PACKAGE / "engines" / "jit.py") == PACKAGE / "engines"
    assert jit.deadline(SolveOptions()) == jit.NO_DEADLINE == math.inf
    opts = SolveOptions(time_limit=5)
    assert jit.deadline(opts) == opts.deadline.end
    assert abs(jit.now() - jit.clock()) < 1.0
