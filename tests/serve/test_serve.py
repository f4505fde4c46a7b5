"""The solver service: protocol, errors, cancel, killed and hung workers, the socket, the client."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

import schedlab
from schedlab.serve import Client

ROOT = Path(__file__).resolve().parents[2]
TINY = {"problem": "smtt", "name": "tiny", "p": [3, 2, 1, 4], "d": [2, 6, 1, 5], "w": [1, 3, 1, 2]}


class Server:
    """A `schedlab serve` child speaking JSON lines through pipes."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "schedlab.cli.main", "serve", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            bufsize=1,
        )  # fmt: skip
        self.lines: list[dict[str, Any]] = []
        self.raw: list[str] = []
        self._cv = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cv:
                self.raw.append(line)
                self.lines.append(json.loads(line))
                self._cv.notify_all()

    def send(self, obj: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((obj if isinstance(obj, str) else json.dumps(obj)) + "\n")
        self.proc.stdin.flush()

    def wait_for(self, rid: Any, timeout: float = 60) -> dict[str, Any]:
        end = time.monotonic() + timeout
        with self._cv:
            while True:
                for m in self.lines:
                    if m.get("id") == rid:
                        return m
                left = end - time.monotonic()
                assert left > 0, f"no answer to {rid!r}; got {self.lines}"
                self._cv.wait(left)

    def close(self) -> str:
        if self.proc.poll() is None:
            self.send({"id": "bye", "op": "shutdown"})
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        assert self.proc.stderr is not None
        return self.proc.stderr.read()


@pytest.fixture
def server() -> Any:
    s = Server("--family", "smtt")
    yield s
    s.close()


def test_protocol_ops_and_errors(server: Server) -> None:
    server.send({"id": 1, "op": "ping"})
    assert server.wait_for(1)["result"] == "pong"
    server.send({"id": 2, "op": "solve", "instance": TINY, "method": "dp"})
    res = server.wait_for(2)["result"]
    assert res["status"] == "optimal" and res["objective"] == schedlab.solve(TINY, "dp").objective
    server.send({"id": 3, "op": "check", "instance": TINY, "solution": res["solution"]})
    assert server.wait_for(3)["result"]["objective"] == res["objective"]
    server.send({"id": 4, "op": "methods", "family": "smtt"})
    names = {m["name"] for m in server.wait_for(4)["result"]}
    assert {"dp", "exact", "edd"} <= names
    # a malformed line gets an error response and the server goes on
    server.send("{not json")
    server.send({"id": 5, "op": "frobnicate"})
    server.send({"id": 6, "op": "solve", "instance": {**TINY, "p": [3, -2, 1, 4]}, "method": "dp"})
    server.send({"id": 7, "op": "solve", "instance": TINY, "method": "nope"})
    server.send({"id": 8, "op": "solve", "instance": TINY, "time_limit": "soon"})
    server.send({"id": 9, "op": "solve", "instance": str(ROOT / "no/such.txt")})
    server.send({"id": 10, "op": "ping"})
    assert server.wait_for(10)["result"] == "pong"
    bad = server.wait_for(None)["error"]
    assert bad["type"] == "RequestError" and "JSON" in bad["message"]
    assert server.wait_for(5)["error"]["path"] == "$.op"
    inst_err = server.wait_for(6)["error"]
    assert inst_err["type"] == "InstanceError" and inst_err["path"].startswith("$.instance")
    assert server.wait_for(7)["error"]["type"] == "SolveError"
    assert server.wait_for(8)["error"]["path"] == "$.time_limit"
    assert server.wait_for(9)["error"]["message"] == "no such file"
    assert set(server.wait_for(9)["error"]) == {"type", "message", "file", "line", "path"}
    err = server.close()
    assert "ready" in err
    # stdout carried protocol lines only
    assert all(line.startswith("{") for line in server.raw)


def test_cancel_answers_with_the_best_so_far() -> None:
    s = Server("--family", "fjsp")
    try:
        s.send({"id": "long", "op": "solve", "instance": str(ROOT / "instances/fjsp/mk10.fjs"),
                "method": "cpsat", "time_limit": 60})  # fmt: skip
        time.sleep(3)
        t0 = time.monotonic()
        s.send({"id": "c", "op": "cancel", "target": "long"})
        assert s.wait_for("c")["result"] == {"cancelled": "long", "found": True}
        res = s.wait_for("long", timeout=30)["result"]
        assert time.monotonic() - t0 < 10
        assert res["info"]["interrupted"] is True and res["status"] in ("feasible", "unknown")
        s.send({"id": "c2", "op": "cancel", "target": "nothing"})
        assert s.wait_for("c2")["result"]["found"] is False
    finally:
        s.close()


def _worker_pid(server_pid: int) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for child in psutil.Process(server_pid).children():
            cmd = " ".join(child.cmdline())
            if "spawn_main" in cmd and "resource_tracker" not in cmd:
                return int(child.pid)
        time.sleep(0.1)
    raise AssertionError("no worker process")


def test_killed_and_hung_workers_are_replaced() -> None:
    s = Server("--family", "smtt", "--workers", "1", "--hang-margin", "1")
    try:
        s.send({"id": 0, "op": "ping"})
        s.wait_for(0, timeout=120)
        pid = _worker_pid(s.proc.pid)
        s.send({"id": 1, "op": "solve", "instance": TINY, "method": "dp"})
        assert s.wait_for(1)["result"]["status"] == "optimal"
        # a crash: the request is answered with an error, the next one is served
        big = schedlab.generate("smtt", n=400, tf=0.6, rdd=0.6, weighted=True, seed=1).to_dict()
        s.send({"id": 2, "op": "solve", "instance": big, "method": "ils", "time_limit": 30})
        time.sleep(1.0)
        os.kill(pid, signal.SIGKILL)
        assert s.wait_for(2, timeout=60)["error"]["type"] == "WorkerCrashed"
        s.send({"id": 3, "op": "solve", "instance": TINY, "method": "dp"})
        assert s.wait_for(3, timeout=120)["result"]["status"] == "optimal"
        # a hang (the worker stopped): killed past time limit + margin, answered, replaced
        pid = _worker_pid(s.proc.pid)
        os.kill(pid, signal.SIGSTOP)
        t0 = time.monotonic()
        s.send({"id": 4, "op": "solve", "instance": TINY, "method": "dp", "time_limit": 1})
        assert s.wait_for(4, timeout=60)["error"]["type"] == "WorkerTimeout"
        assert time.monotonic() - t0 < 10
        s.send({"id": 5, "op": "solve", "instance": TINY, "method": "dp"})
        assert s.wait_for(5, timeout=120)["result"]["status"] == "optimal"
    finally:
        s.close()


def test_client_matches_in_process_and_socket(tmp_path: Path) -> None:
    with Client(families=["smtt"]) as c:
        got = c.solve(TINY, "exact", seed=1)
        want = schedlab.solve(TINY, "exact", seed=1)
        assert (got.status, got.objective, got.solution) == (want.status, want.objective,
                                                             want.solution)  # fmt: skip
        assert c.check(TINY, got.solution) == want.objective
        with pytest.raises(schedlab.InstanceError):
            c.solve({**TINY, "d": [1]}, "dp")
        with pytest.raises(schedlab.SolveError):
            c.solve(TINY, "nope")
    path = str(tmp_path / "s.sock")
    proc = subprocess.Popen(
        [sys.executable, "-m", "schedlab.cli.main", "serve", "--family", "smtt",
         "--socket", path], stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        end = time.monotonic() + 120
        while not os.path.exists(path):
            assert time.monotonic() < end and proc.poll() is None
            time.sleep(0.05)
        results: dict[int, Any] = {}

        def use(k: int) -> None:
            with Client(path) as c:
                inst = schedlab.generate("smtt", n=8, tf=0.6, rdd=0.4, seed=k).to_dict()
                results[k] = c.solve(inst, "dp").objective

        threads = [threading.Thread(target=use, args=(k,)) for k in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(results) == [0, 1, 2]
        for k, v in results.items():
            inst = schedlab.generate("smtt", n=8, tf=0.6, rdd=0.4, seed=k)
            assert v == schedlab.solve(inst, "dp").objective
        with Client(path) as c:
            c.request("shutdown")
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_pool_serves_protocol_cancel_and_its_own_ops_written_any_way() -> None:
    s = Server("--family", "smtt", "--workers", "2")
    try:
        s.send({"id": 0, "op": "ping"})
        first = s.wait_for(0, timeout=120)
        assert first["result"] == "pong" and isinstance(first["warm"], bool)
        # bad JSON, bad requests and bad instances are answered by the workers
        s.send("{not json")
        s.send({"id": 1, "op": "frobnicate"})
        s.send({"id": 2, "op": "solve", "instance": {**TINY, "p": [3, -2, 1, 4]}, "method": "dp"})
        s.send({"id": 3, "op": "solve", "instance": TINY, "method": "dp"})
        assert s.wait_for(None)["error"]["type"] == "RequestError"
        assert s.wait_for(1)["error"]["path"] == "$.op"
        assert s.wait_for(2)["error"]["path"].startswith("$.instance")
        assert s.wait_for(3)["result"]["objective"] == schedlab.solve(TINY, "dp").objective
        # a long solve is cancelled and answers with its best so far
        big = schedlab.generate("smtt", n=400, tf=0.6, rdd=0.6, weighted=True, seed=1).to_dict()
        s.send({"id": "long", "op": "solve", "instance": big, "method": "ils", "time_limit": 60})
        time.sleep(2)
        t0 = time.monotonic()
        # the op's key written with an escape: the worker hands the cancel back to the server
        s.send('{"id": "c", "\\u006fp": "cancel", "target": "long"}')
        assert s.wait_for("c")["result"] == {"cancelled": "long", "found": True}
        res = s.wait_for("long", timeout=30)["result"]
        assert time.monotonic() - t0 < 10 and res["info"]["interrupted"] is True
        # once warm, ping says so
        end = time.monotonic() + 120
        while True:
            s.send({"id": "w", "op": "ping"})
            if s.wait_for("w")["warm"]:
                break
            assert time.monotonic() < end
            s.lines = [m for m in s.lines if m.get("id") != "w"]
            time.sleep(0.2)
    finally:
        err = s.close()
    assert "warm-up done" in err and all(line.startswith("{") for line in s.raw)


def test_pool_serves_a_socket_to_several_clients(tmp_path: Path) -> None:
    path = str(tmp_path / "p.sock")
    proc = subprocess.Popen(
        [sys.executable, "-m", "schedlab.cli.main", "serve", "--family", "smtt",
         "--workers", "2", "--socket", path], stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        end = time.monotonic() + 120
        while not os.path.exists(path):
            assert time.monotonic() < end and proc.poll() is None
            time.sleep(0.05)
        results: dict[int, Any] = {}

        def use(k: int) -> None:
            with Client(path) as c:
                for j in range(3):
                    inst = schedlab.generate("smtt", n=8, tf=0.6, rdd=0.4, seed=k + 10 * j)
                    results[k + 10 * j] = c.solve(inst.to_dict(), "dp").objective

        threads = [threading.Thread(target=use, args=(k,)) for k in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(results) == 9
        for k, v in results.items():
            inst = schedlab.generate("smtt", n=8, tf=0.6, rdd=0.4, seed=k)
            assert v == schedlab.solve(inst, "dp").objective
        with Client(path) as c:
            c.request("shutdown")
        assert proc.wait(60) == 0
        assert not os.path.exists(path)
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize(
    ("workers", "sig"),
    [
        ("0", signal.SIGINT),
        ("1", signal.SIGTERM),
        pytest.param("0", signal.SIGTERM, marks=pytest.mark.slow),
        pytest.param("1", signal.SIGINT, marks=pytest.mark.slow),
    ],
)
def test_a_signal_stops_the_server_with_answers(workers: str, sig: int) -> None:
    s = Server("--family", "smtt", "--workers", workers)
    s.send({"id": 0, "op": "ping"})
    s.wait_for(0, timeout=120)
    big = schedlab.generate("smtt", n=400, tf=0.6, rdd=0.6, weighted=True, seed=1).to_dict()
    s.send({"id": "long", "op": "solve", "instance": big, "method": "ils", "time_limit": 60})
    s.send({"id": "next", "op": "solve", "instance": TINY, "method": "dp"})
    time.sleep(2)
    t0 = time.monotonic()
    s.proc.send_signal(sig)
    code = s.proc.wait(30)
    assert time.monotonic() - t0 < 10
    assert s.proc.stderr is not None
    err = s.proc.stderr.read()
    assert code == 130 and "Traceback" not in err and err.strip().endswith("error: interrupted")
    time.sleep(0.2)  # the reader thread takes the last lines
    res = s.wait_for("long", timeout=5)["result"]
    assert res["info"]["interrupted"] is True and res["status"] in ("feasible", "unknown")
    s.wait_for("next", timeout=5)  # answered: a cancelled solve, or an Interrupted error
    assert not psutil.pid_exists(s.proc.pid) or psutil.Process(s.proc.pid).status() == "zombie"
