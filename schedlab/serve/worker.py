"""A worker process of ``schedlab serve --workers N``: warms up, then carries out the
requests received on its pipe, one at a time (see :mod:`schedlab.serve.pool`).

Both ways, a message is a line on the pipe (request and response lines hold no newline).
Messages from the server are ``b"<seq> <cancelled> <request line>"``; the worker answers
``b"R<seq> <response line>"`` (``b"C<seq> "`` hands back a ``cancel`` or ``shutdown``, which
only the server can carry out), says ``b"ready"`` once it takes requests and ``b"W"`` once
its warm-up is done. The worker posts the sequence number of the request it has read to a
shared cell, and its time limit and start once the method's engines are loaded and its
kernels compiled (the server's hang watch counts from there). A watcher thread blocks on the cancel pipe
and cancels the running solve whose sequence number arrives there. SIGINT is the server's:
the worker ignores it and stops the solve only when the server says so.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import threading
import time
from collections import deque
from typing import Any

from ..core.timing import CancelToken

#: Seconds without a request after which the worker takes a warm-up step.
IDLE_S = 0.05


class _Lines:
    """The lines arriving on a pipe's file descriptor, read in large chunks."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buf = b""
        self.lines: deque[bytes] = deque()

    def ready(self, timeout: float) -> bool:
        """True if a line can be read without waiting longer than ``timeout`` seconds."""
        return bool(self.lines) or bool(select.select([self.fd], [], [], timeout)[0])

    def next(self) -> bytes | None:
        """The next line (None at the end of the stream)."""
        while not self.lines:
            data = os.read(self.fd, 1 << 16)
            if not data:
                return None
            *lines, self.buf = (self.buf + data).split(b"\n")
            self.lines.extend(lines)
        return self.lines.popleft()


def _send(fd: int, data: bytes) -> None:
    from .protocol import write_all

    write_all(fd, data + b"\n")


def main(conn: Any, cancel_conn: Any, cell: Any, families: list[str] | None) -> None:
    """The worker's entry point (run in a spawned process)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdout.flush()
    os.dup2(2, 1)  # nothing a solver prints reaches the parent's protocol stream
    # a stream object of its own on descriptor 1 (aliasing sys.stderr deadlocks Pyomo's tee)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", closefd=False)  # noqa: SIM115
    from .. import api
    from . import protocol

    fd = conn.fileno()
    requests = _Lines(fd)

    try:
        pending = [
            (f, m.name)
            for f in (families if families is not None else api.family_names())
            for m in api.methods(f)
        ]
    except Exception as e:  # reported to the server, which fails to start
        _send(fd, f"E{type(e).__name__}: {e}".replace("\n", " ").encode())
        return
    _send(fd, b"ready")  # requests are served at once; the warm-up runs between them
    if not pending:
        _send(fd, b"W")
    lock = threading.Lock()
    running: dict[str, Any] = {"seq": 0, "token": None}
    early: set[int] = set()  # cancels that came before their request started

    def watch() -> None:
        while True:
            try:
                seq = int(cancel_conn.recv_bytes())
            except (EOFError, OSError, ValueError):
                return
            with lock:
                if seq == running["seq"] and running["token"] is not None:
                    running["token"].cancel()
                else:
                    early.add(seq)

    threading.Thread(target=watch, daemon=True).start()
    while True:
        if pending:
            while pending and not requests.ready(IDLE_S):  # warm up while no request comes
                family, method = pending.pop(0)
                with contextlib.suppress(Exception):  # a failing warm-up shows at its solve
                    api.warm_up(family, method)
            if not pending:
                _send(fd, b"W")
        try:
            msg = requests.next()
        except OSError:
            return
        if msg is None:
            return
        head, flag, line = msg.split(b" ", 2)
        seq = int(head)
        text = line.decode("utf-8", errors="replace")
        try:
            req = protocol.parse(text)
        except protocol.RequestError as e:
            answer = protocol.encode(protocol.error(protocol.request_id(text), e))
            _send(fd, b"R%d " % seq + answer.encode())
            continue
        if req["op"] in ("cancel", "shutdown"):
            _send(fd, b"C%d " % seq)
            continue
        limit = protocol.limit_of(req)
        cell[1] = -1.0  # no watch while the method's engines load (or its kernels compile)
        cell[0] = seq

        def started(limit: float = limit) -> None:
            cell[2] = time.monotonic()
            cell[1] = limit

        token = CancelToken()
        with lock:
            running["seq"], running["token"] = seq, token
            cancelled = flag == b"1" or seq in early
            early.discard(seq)
        if cancelled:
            token.cancel()
        answer = protocol.encode(protocol.execute(req, token, started))
        with lock:
            running["seq"], running["token"] = 0, None
        try:
            _send(fd, b"R%d " % seq + answer.encode())
        except OSError:
            return
