"""The in-process service's threads: a request that finds the service idle runs on the
thread that read it, the stream's other thread takes over reading (a cancel reaches it),
requests start in the order they came, and a shutdown answers what was taken first."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from schedlab.core.timing import CancelToken
from schedlab.serve import protocol
from schedlab.serve.server import InlineExecutor, Server

TINY = {"problem": "smtt", "name": "tiny", "p": [3, 2, 1, 4], "d": [2, 6, 1, 5]}


class Feed:
    """Request lines that arrive one by one (``put``), ending at ``close``."""

    def __init__(self) -> None:
        self._q: queue.Queue[str | None] = queue.Queue()

    def put(self, obj: dict[str, Any]) -> None:
        self._q.put(json.dumps(obj))

    def close(self) -> None:
        self._q.put(None)

    def __iter__(self) -> Iterator[str]:
        while (line := self._q.get()) is not None:
            yield line


class Out:
    """The responses written, parsed, in order."""

    def __init__(self) -> None:
        self.got: list[dict[str, Any]] = []
        self.cv = threading.Condition()

    def write(self, text: str) -> None:
        with self.cv:
            self.got.append(json.loads(text))
            self.cv.notify_all()

    def wait(self, rid: Any, timeout: float = 30) -> dict[str, Any]:
        end = time.monotonic() + timeout
        with self.cv:
            while True:
                for m in self.got:
                    if m.get("id") == rid:
                        return m
                assert self.cv.wait(end - time.monotonic()), f"no answer to {rid}: {self.got}"


def _serve(feed: Feed, out: Out) -> threading.Thread:
    server = Server(InlineExecutor())
    t = threading.Thread(target=server.handle, args=(feed, out.write), daemon=True)
    t.start()
    return t


@pytest.fixture
def waiting_solves(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """``method: "wait"`` solves run until cancelled; every solve records its thread."""
    real = protocol.execute
    threads: dict[str, str] = {}

    def execute(req: dict[str, Any], cancel: CancelToken | None = None, started: Any = None):
        threads[str(req.get("id"))] = threading.current_thread().name
        if req.get("method") == "wait":
            assert cancel is not None
            while not cancel.cancelled:
                time.sleep(0.005)
            return {"id": req.get("id"), "result": "stopped"}
        return real(req, cancel, started)

    monkeypatch.setattr(protocol, "execute", execute)
    return threads


def test_requests_start_in_order_and_idle_ones_run_on_their_reader(
    waiting_solves: dict[str, str],
) -> None:
    feed, out = Feed(), Out()
    done = _serve(feed, out)
    burst = [{"id": k, "op": "solve", "instance": TINY, "method": "edd"} for k in range(40)]
    for req in burst:  # all at once: most wait for the one before
        feed.put(req)
    for k in range(40):
        out.wait(k)
    assert [m["id"] for m in out.got] == list(range(40))
    assert all(m["result"]["objective"] == out.got[0]["result"]["objective"] for m in out.got)
    # one at a time: each finds the service idle and runs on the thread that read it
    for k in range(40, 45):
        feed.put({"id": k, "op": "solve", "instance": TINY, "method": "edd"})
        out.wait(k)
    assert {waiting_solves[str(k)] for k in range(40, 45)} == {"schedlab-read"}
    feed.close()
    done.join(10)
    assert not done.is_alive()


def test_a_cancel_reaches_a_solve_running_on_its_reader(waiting_solves: dict[str, str]) -> None:
    feed, out = Feed(), Out()
    done = _serve(feed, out)
    feed.put({"id": "long", "op": "solve", "instance": TINY, "method": "wait"})
    time.sleep(0.2)
    feed.put({"id": "queued", "op": "solve", "instance": TINY, "method": "edd"})
    feed.put({"id": "ping", "op": "ping"})
    assert out.wait("ping")["result"] == "pong"
    feed.put({"id": "c", "op": "cancel", "target": "long"})
    assert out.wait("c")["result"] == {"cancelled": "long", "found": True}
    assert out.wait("long")["result"] == "stopped"
    assert out.wait("queued")["result"]["objective"] is not None
    assert waiting_solves["long"] == "schedlab-read"
    assert waiting_solves["queued"] == "schedlab-solve"  # it came while "long" ran
    ids = [m["id"] for m in out.got]
    assert ids.index("long") < ids.index("queued")
    feed.close()
    done.join(10)
    assert not done.is_alive()


def test_shutdown_answers_what_was_taken_then_refuses(waiting_solves: dict[str, str]) -> None:
    feed, out = Feed(), Out()
    executor = InlineExecutor()
    server = Server(executor)
    t = threading.Thread(target=server.handle, args=(feed, out.write), daemon=True)
    t.start()
    feed.put({"id": 1, "op": "solve", "instance": TINY, "method": "edd"})
    out.wait(1)
    feed.put({"id": "bye", "op": "shutdown"})
    assert out.wait("bye")["result"] == "bye"
    t.join(10)
    assert not t.is_alive() and server.stopping.is_set()
    # a request that reaches a closed executor is answered, with an error
    got: list[Any] = []
    assert executor.take((9, 2), {"id": 2, "op": "ping"}, got.append) is None
    executor.submit((9, 2), {"id": 2, "op": "ping"}, got.append)
    assert got[0]["error"]["message"] == "the server is shutting down"
