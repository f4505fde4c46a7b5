"""SiPS (Shunji Tanaka's SSDP code for single-machine scheduling, C, BSD-2) as a benchmark peer
of smtt ``exact``: fetched, built and run outside the package.

SiPS is not vendored: :func:`build` takes ``libSiPS-1.08p4.tar`` (the copy in the public
repository github.com/peon-pasado/optimization, downloaded once, or a local file named by
``$SCHEDLAB_SIPS_TAR``), extracts it into ``$SCHEDLAB_PEERS/sips`` (default
``/tmp/schedlab-peers/sips``) and builds its own command-line program (``common/main.c``,
``make sips``) with the system C compiler. :func:`run` writes an instance in SiPS's format
(n, then ``p d ew tw`` per job; ``ew`` = 0 makes it 1||Σ w_j T_j), runs the program (single
threaded by construction) with its time limit, and reads the sequence it prints; the
benchmark recomputes the objective of that sequence with our own checker.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

#: Where the tarball is published (a fixed commit, so the peer does not change under us).
SIPS_URL = (
    "https://github.com/peon-pasado/optimization/raw/"
    "481abbd38634572f3efca3db32c1f9899a092493/libSiPS-1.08p4.tar"
)
#: Compiler flags: the package's own (``Makefile``) without ``-march=corei7``.
CFLAGS = "-O3 -fomit-frame-pointer -ffast-math -march=native -w"


def peers_dir() -> Path:
    """``$SCHEDLAB_PEERS/sips`` (default ``/tmp/schedlab-peers/sips``)."""
    return Path(os.environ.get("SCHEDLAB_PEERS", "/tmp/schedlab-peers")) / "sips"


def build(verbose: bool = False) -> Path:
    """The SiPS program, built on first use; raises ``RuntimeError`` with the reason when it
    cannot be fetched or built (no network, no C compiler)."""
    root = peers_dir()
    exe = root / "libSiPS-1.08p4" / "sips"
    if exe.exists():
        return exe
    root.mkdir(parents=True, exist_ok=True)
    tar = Path(os.environ.get("SCHEDLAB_SIPS_TAR", root / "libSiPS-1.08p4.tar"))
    if not tar.exists():
        try:
            with urllib.request.urlopen(SIPS_URL, timeout=60) as r, open(tar, "wb") as fh:
                shutil.copyfileobj(r, fh)
        except OSError as e:
            raise RuntimeError(f"cannot download SiPS from {SIPS_URL}: {e}") from e
    with tarfile.open(tar) as tf:
        members = [m for m in tf.getmembers() if m.name.startswith("libSiPS-1.08p4/")]
        tf.extractall(root, members=members, filter="data")
    if shutil.which("make") is None or shutil.which(os.environ.get("CC", "gcc")) is None:
        raise RuntimeError("building SiPS needs make and a C compiler (gcc)")
    cmd = ["make", "sips", f"CFLAGS={CFLAGS}", f"CC={os.environ.get('CC', 'gcc')}"]
    r = subprocess.run(cmd, cwd=exe.parent, capture_output=True, text=True)
    if r.returncode != 0 or not exe.exists():
        raise RuntimeError(f"SiPS build failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    if verbose:
        print(f"built SiPS: {exe}")
    return exe


def run(p: list[int], d: list[int], w: list[int], time_limit: float) -> dict[str, Any]:
    """Solve 1||Σ w_j T_j with SiPS within ``time_limit`` seconds (its own limit, plus a
    grace period for the process). Returns ``sequence`` (0-based job indices, or None),
    ``reported`` (the value SiPS prints), ``lb`` (its last lower bound, when printed),
    ``proven`` (SiPS says optimal), ``wall_s`` and ``status`` (its return code or
    ``timeout``)."""
    exe = build()
    n = len(p)
    with tempfile.TemporaryDirectory(prefix="sips-") as tmp:
        f = Path(tmp) / "inst.dat"
        lines = [str(n)] + [f"{p[j]} {d[j]} 0 {w[j]}" for j in range(n)]
        f.write_text("\n".join(lines) + "\n")
        t0 = time.perf_counter()
        try:
            r = subprocess.run(
                [str(exe), "-v", "1", "-tl", f"{time_limit:g}", str(f)],
                capture_output=True,
                text=True,
                timeout=time_limit + 30,
            )
        except subprocess.TimeoutExpired:
            return {
                "sequence": None,
                "reported": None,
                "lb": None,
                "proven": False,
                "wall_s": time.perf_counter() - t0,
                "status": "timeout",
            }
        wall = time.perf_counter() - t0
    out = r.stdout
    seq = None
    reported = None
    m = re.search(r"^f=(-?\d+)\s*\n([\d,\s]+)$", out, re.M)
    if m:
        reported = int(m.group(1))
        seq = [int(x) for x in re.split(r"[,\s]+", m.group(2).strip()) if x]
    lbs = re.findall(r"LB=(-?[\d.]+)", out)
    opt = re.search(r"^OPT=(-?\d+)", out, re.M)
    return {
        "sequence": seq,
        "reported": reported,
        "lb": float(lbs[-1]) if lbs else None,
        "proven": r.returncode == 0 and opt is not None,
        "wall_s": wall,
        "status": str(r.returncode),
    }


if __name__ == "__main__":
    print(build(verbose=True))
