"""The C++ client example: built and run where a C++17 compiler and nlohmann-json exist."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cpp"
HEADER = Path("/usr/include/nlohmann/json.hpp")
CXX = shutil.which("g++") or shutil.which("c++") or shutil.which("clang++")


@pytest.mark.skipif(CXX is None, reason="no C++ compiler (g++, c++ or clang++) on PATH")
@pytest.mark.skipif(not HEADER.exists(), reason="nlohmann-json not installed (nlohmann-json3-dev)")
def test_cpp_client_places_buffers_and_schedules_a_loop(tmp_path: Path) -> None:
    exe = tmp_path / "schedlab_demo"
    assert CXX is not None
    build = subprocess.run(
        [CXX, "-std=c++17", "-O1", str(EXAMPLE / "main.cpp"), "-o", str(exe)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # a wrapper, not a symlink: started through a link outside its folder, a virtual
    # environment's python finds no pyvenv.cfg and runs as the base interpreter, with the
    # base's packages (another schedlab, its kernels compiled anew: 35 s)
    wrapper = bin_dir / "python3"
    wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n')
    wrapper.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    run = subprocess.run([str(exe)], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "allocation: optimal" in out and out.count(" @ ") == 50
    assert "modulo schedule: optimal, II 2" in out
    assert "error as expected: InstanceError" in out
