"""Ctrl-C (SIGINT) and SIGTERM: the solve stops, the CLI prints the best result so far with
``interrupted`` and exits with status 130."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import schedlab

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "sig, instance, method",
    [
        (signal.SIGINT, "smtt", "ils"),
        (signal.SIGTERM, str(ROOT / "instances/fjsp/mk10.fjs"), "cpsat"),
        pytest.param(
            signal.SIGINT, str(ROOT / "instances/fjsp/mk10.fjs"), "tabu", marks=pytest.mark.slow
        ),
    ],
)
def test_signal_prints_the_best_so_far(
    tmp_path: Path, sig: int, instance: str, method: str
) -> None:
    if instance == "smtt":
        inst = schedlab.generate("smtt", n=400, tf=0.6, rdd=0.4, weighted=True, seed=2)
        instance = str(tmp_path / "big.json")
        Path(instance).write_text(json.dumps(inst.to_dict()))
    p = subprocess.Popen(
        [sys.executable, "-m", "schedlab.cli.main", "solve", instance, "-m", method,
         "-t", "120", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(6)
    assert p.poll() is None, p.communicate()
    t0 = time.monotonic()
    p.send_signal(sig)
    out, err = p.communicate(timeout=60)
    assert time.monotonic() - t0 < 15
    assert p.returncode == 130, err
    res = json.loads(out)
    assert res["info"]["interrupted"] is True and res["status"] in ("feasible", "unknown")
    assert "Traceback" not in err
