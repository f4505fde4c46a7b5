"""Cancelling a solve from another thread: CP-SAT, compiled kernels and Python loops stop at
their next check and the solve returns its best so far, marked interrupted."""

from __future__ import annotations

import threading
import time

import pytest

import schedlab
from schedlab import CancelToken
from schedlab.core.timing import Deadline, clock


def test_clock_and_deadline_follow_a_cancel() -> None:
    d = Deadline(None)
    with d.active():
        assert clock() < float("inf")
        calls: list[int] = []
        d.on_cancel(lambda: calls.append(1))
        threading.Thread(target=d.cancel).start()
        time.sleep(0.05)
        assert clock() == float("inf") and d.expired() and calls == [1]
    assert clock() < float("inf")  # other solves of this thread are not affected


@pytest.mark.parametrize(
    "family, args, method",
    [
        ("smtt", {"n": 300, "tf": 0.6, "rdd": 0.4, "weighted": True, "seed": 3}, "ils"),
        ("smtt", {"n": 200, "tf": 0.6, "rdd": 0.2, "weighted": True, "seed": 11}, "exact"),
        ("fjsp", {"jobs": 30, "machines": 8, "ops": 8, "seed": 1}, "cpsat"),
    ],
)
def test_cancel_stops_a_running_solve(family: str, args: dict, method: str) -> None:
    inst = schedlab.generate(family, **args)
    token = CancelToken()
    out: dict[str, schedlab.Result] = {}

    def run() -> None:
        out["res"] = schedlab.solve(inst, method, time_limit=60, cancel=token)

    t = threading.Thread(target=run)
    t.start()
    time.sleep(1.5)
    if not t.is_alive():
        pytest.skip(f"{method} finished before the cancel")
    t0 = time.perf_counter()
    token.cancel()
    t.join(30)
    assert not t.is_alive()
    assert time.perf_counter() - t0 < 5
    res = out["res"]
    assert res.info.get("interrupted") is True
    assert res.status in (schedlab.Status.FEASIBLE, schedlab.Status.UNKNOWN)
