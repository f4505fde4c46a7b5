"""MiniMalloc (github google/minimalloc, Apache-2.0) as a benchmark peer, built outside the
package.

:func:`build` compiles MiniMalloc's C++ command-line solver into ``$SCHEDLAB_PEERS/minimalloc``
(default ``/tmp/schedlab-peers/minimalloc``) unless it is there already; :func:`run` solves a
memory allocation instance with it under a time limit and returns its placement, verified
by the instance's own checker.

The source comes from ``$SCHEDLAB_MINIMALLOC_SRC`` (a checkout, or a bare git directory),
else from a git clone of the public repository (the pinned commit :data:`COMMIT` when the
clone has it). MiniMalloc's CMake build wants abseil and googletest as git submodules
(fetched from the network); this build does without: it compiles the five sources of the
solver and its ``main.cc`` with g++ (C++20, ``-O3 -DNDEBUG``) against the system's abseil
(Debian: ``apt-get install libabsl-dev``). Debian 12's abseil (20220623) predates
``absl/log``, which ``main.cc`` uses for its messages only: then three small stand-in
headers (``LOG(x)`` writes to stderr, ``DLOG`` compiles to nothing) are written into the
build folder; and where abseil's ``string_view`` is its own type (not ``std::string_view``),
the one ``std::string_view`` of ``converter.cc`` is read as ``absl::string_view``. Nothing of
MiniMalloc is kept in this repository.

Usage as a script: ``python benchmarks/_peers_minimalloc.py`` builds it and prints the binary's
path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: The MiniMalloc commit this helper was written against (April 2026).
COMMIT = "9f5cf810fec4494df473c23cffd0567989e81b69"
REPO_URL = "https://github.com/google/minimalloc"
SOURCES = ("converter.cc", "minimalloc.cc", "solver.cc", "sweeper.cc", "validator.cc", "main.cc")
#: abseil components the CLI links against (flags resolved by ``pkg-config``).
ABSL_PKGS = ("absl_flags_parse", "absl_flags", "absl_statusor", "absl_time", "absl_strings",
             "absl_btree", "absl_flat_hash_map", "absl_flat_hash_set")  # fmt: skip

_SHIM = {
    "log.h": """#pragma once
#include <iostream>
#include <sstream>
namespace schedlab_shim {
struct Line {
  std::ostringstream s;
  ~Line() { std::cerr << s.str() << std::endl; }
};
struct Null {
  template <class T> Null &operator<<(const T &) { return *this; }
  Null &operator<<(std::ostream &(*)(std::ostream &)) { return *this; }
};
}  // namespace schedlab_shim
#define LOG(severity) schedlab_shim::Line().s
#define DLOG(severity) schedlab_shim::Null()
""",
    "globals.h": """#pragma once
#include "absl/base/log_severity.h"
namespace absl {
inline void SetStderrThreshold(absl::LogSeverityAtLeast) {}
inline void EnableLogPrefix(bool) {}
}  // namespace absl
""",
    "initialize.h": """#pragma once
namespace absl {
inline void InitializeLog() {}
}  // namespace absl
""",
}


class PeerUnavailable(RuntimeError):
    """MiniMalloc could not be built here (the message says why)."""


def peers_dir() -> Path:
    """``$SCHEDLAB_PEERS/minimalloc``, default ``/tmp/schedlab-peers/minimalloc``."""
    return Path(os.environ.get("SCHEDLAB_PEERS", "/tmp/schedlab-peers")) / "minimalloc"


def binary() -> Path:
    """Where the built command-line solver lives."""
    return peers_dir() / "bin" / "minimalloc"


def _sources(dest: Path) -> None:
    """MiniMalloc's ``src/`` into ``dest/src``."""
    given = os.environ.get("SCHEDLAB_MINIMALLOC_SRC")
    if given and (Path(given) / "src" / "solver.cc").is_file():
        shutil.copytree(Path(given) / "src", dest / "src", dirs_exist_ok=True)
        return
    gitdir = given
    if not gitdir:
        clone = dest / "clone"
        r = subprocess.run(
            ["git", "clone", "--quiet", "--bare", REPO_URL, str(clone)],
            capture_output=True,
            text=True,
        )
        if r.returncode:
            raise PeerUnavailable(
                f"cannot clone {REPO_URL} ({r.stderr.strip()[-200:]}); set "
                "SCHEDLAB_MINIMALLOC_SRC to a checkout or a git directory of it"
            )
        gitdir = str(clone)
    has = subprocess.run(
        ["git", "--git-dir", gitdir, "cat-file", "-e", COMMIT], capture_output=True
    )
    rev = COMMIT if has.returncode == 0 else "HEAD"
    tar = subprocess.run(
        ["git", "--git-dir", gitdir, "archive", rev, "src"], capture_output=True, check=False
    )
    if tar.returncode:
        raise PeerUnavailable(f"git archive of {gitdir} failed: {tar.stderr.decode()[-200:]}")
    subprocess.run(["tar", "-x", "-C", str(dest)], input=tar.stdout, check=True)


def build(force: bool = False) -> Path:
    """Build MiniMalloc's CLI unless built already; return its path (raises
    :class:`PeerUnavailable` with the reason when it cannot)."""
    exe = binary()
    if exe.is_file() and not force:
        return exe
    for tool in ("g++", "pkg-config", "git"):
        if shutil.which(tool) is None:
            raise PeerUnavailable(f"{tool} is not installed")
    inc = Path("/usr/include/absl")
    if not (inc / "status" / "statusor.h").is_file():
        raise PeerUnavailable("abseil headers are missing (Debian: apt-get install libabsl-dev)")
    root = peers_dir()
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        work = Path(tmp)
        _sources(work)
        for cc in (work / "src").iterdir():  # Debian's absl::string_view is not std's
            text = cc.read_text()
            if "std::string_view" in text:
                cc.write_text(text.replace("std::string_view", "absl::string_view"))
        flags = ["-std=c++20", "-O3", "-DNDEBUG", f"-I{work / 'src'}"]
        if not (inc / "log" / "log.h").is_file():  # abseil older than 20230125
            shim = work / "shim" / "absl" / "log"
            shim.mkdir(parents=True)
            for name, text in _SHIM.items():
                (shim / name).write_text(text)
            flags.append(f"-I{work / 'shim'}")
        pc = subprocess.run(["pkg-config", "--libs", *ABSL_PKGS], capture_output=True, text=True)
        if pc.returncode:
            raise PeerUnavailable(f"pkg-config cannot find abseil: {pc.stderr.strip()[-200:]}")
        libs = pc.stdout.split()
        out = work / "minimalloc"
        cmd = ["g++", *flags, *(str(work / "src" / s) for s in SOURCES), "-o", str(out)]
        r = subprocess.run([*cmd, *libs, "-lpthread"], capture_output=True, text=True)
        if r.returncode:
            raise PeerUnavailable(f"g++ failed building MiniMalloc:\n{r.stderr[-2000:]}")
        exe.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(out), str(exe))
    return exe


def run(inst: Any, time_limit: float, workdir: Path | None = None) -> dict[str, Any]:
    """Solve ``inst`` (an :class:`~schedlab.families.memory.model.Allocation` with a
    capacity) with MiniMalloc under ``time_limit`` seconds (its own ``--timeout``; the
    process is killed 5 s after that). Returns ``{"ok", "status", "time", "solution",
    "peak"}``: ``ok`` when it placed every buffer, the placement verified by ``inst.check``
    (``status``: ``placed``, ``timeout``, ``infeasible`` or ``error: ...``)."""
    from schedlab.families.memory import formats

    exe = build()
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        src, dst = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        # MiniMalloc reads id,lower,upper,size; ids are plain integers here
        formats.write_csv(inst, str(src))
        cmd = [
            str(exe),
            f"--capacity={int(inst.capacity)}",
            f"--input={src}",
            f"--output={dst}",
            f"--timeout={time_limit:g}s",
        ]
        t = time.perf_counter()
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=time_limit + 5)
        except subprocess.TimeoutExpired:
            return {"ok": False, "status": "timeout (killed)", "time": time_limit + 5}
        el = time.perf_counter() - t
        if r.returncode or not dst.is_file() or dst.stat().st_size == 0:
            err = r.stderr.strip().splitlines()
            last = err[-1] if err else f"exit {r.returncode}"
            status = (
                "timeout"
                if "DEADLINE" in last.upper() or "timeout" in last.lower()
                else "infeasible"
                if "NOT_FOUND" in last.upper()
                else f"error: {last[-120:]}"
            )
            return {"ok": False, "status": status, "time": el}
        sol = formats.read_solution_csv(inst, str(dst))
    peak = inst.check(sol)  # raises if MiniMalloc's placement is wrong
    return {"ok": True, "status": "placed", "time": el, "solution": sol, "peak": peak}


if __name__ == "__main__":
    try:
        print(build(force="--force" in sys.argv))
    except PeerUnavailable as e:
        sys.exit(f"MiniMalloc unavailable: {e}")
