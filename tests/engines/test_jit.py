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


def test_stale_stamp_folders_are_removed(tmp_path: Path) -> None:
    day = jit.STALE_AFTER_S
    now = 100 * day
    made = []
    for k in range(8):  # smtt stamps used k days ago, k = 0 .. 7
        q = tmp_path / f"smtt-{k:016x}"
        q.mkdir()
        (q / "kernel.nbi").write_bytes(b"")
        os.utime(q, (now - k * day - 1, now - k * day - 1))
        made.append(q)
    other = tmp_path / f"dag-{0:016x}"  # another scope: never touched
    other.mkdir()
    os.utime(other, (0, 0))
    odd = tmp_path / "smtt_notastamp"
    odd.mkdir()
    os.utime(odd, (0, 0))
    recent = tmp_path / f"smtt-{99:016x}"  # beyond the kept ones, but used within a day
    recent.mkdir()
    os.utime(recent, (now - day / 2, now - day / 2))
    removed = jit.prune_stamps(made[0], now=now)
    # kept: the one in use, the recent one and the next KEEP_STAMPS - 2 most recently used
    kept = {made[0], recent, *made[1 : jit.KEEP_STAMPS - 1]}
    assert set(removed) == set(made) - kept
    assert all(q.exists() == (q in kept) for q in made)
    assert other.exists() and odd.exists() and recent.exists()
    assert os.stat(made[0]).st_mtime == now
    assert jit.prune_stamps(tmp_path / "missing" / f"smtt-{1:016x}", now=now) == []
