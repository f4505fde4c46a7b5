"""``schedlab serve --workers N``: one event loop in the server's main thread moves request
lines from the clients (standard input, or each client of a Unix socket) to N worker
processes and their answers back.

The loop does as little as it can per request, so that the workers, not the dispatcher,
set the throughput: a request line is passed on as bytes, without being parsed, unless it
may be one of the server's own operations (``cancel``, ``shutdown``, ``ping``: a line with
``"op": "cancel"`` and so on; a worker that meets such a request written some other way
hands it back). A worker parses and validates each request itself, so bad JSON, bad
requests and bad instances are answered by the worker, in the same words as in-process.
A request is sent to an idle worker only; responses may come out of order.

A worker that dies is replaced and its request answered with ``WorkerCrashed``; one that
runs past its request's time limit (plus 10 % and the hang margin, counted from the solve's
start, which the worker posts to a shared cell once the method's engines are loaded and its
kernels compiled; or from the request's dispatch, if the worker has not even read it after
the margin) is killed, replaced and its request answered with ``WorkerTimeout``. SIGINT or SIGTERM: reading stops, running solves are cancelled (they
answer with their best solution so far), queued requests are answered with an
``Interrupted`` error, and the server exits with 130.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing as mp
import os
import re
import selectors
import signal
import socket
import sys
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from ..core.errors import SchedlabError
from . import protocol

#: A line that may carry one of the server's own operations (then it is parsed here).
_CONTROL = re.compile(rb'"op"\s*:\s*"(cancel|shutdown|ping)"')
#: Seconds between two looks at the workers' time limits while any is busy.
TICK_S = 0.1
#: Replacement workers that may fail to start in a row before the server gives up.
MAX_START_FAILURES = 3
_UNREAD = object()


class ServeError(Exception):
    """A failure of the service itself (``kind``: WorkerCrashed, WorkerTimeout,
    Interrupted)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class _Conn:
    """A client stream: where its lines come from and where its answers go."""

    def __init__(self, fd: int, write: Callable[[bytes], object], sock: Any = None) -> None:
        self.fd = fd
        self.write = write
        self.sock = sock
        self.buf = b""
        self.reading = True
        self.pending = 0  # requests taken and not yet answered
        self.out: list[bytes] = []


class _Job:
    __slots__ = ("conn", "line", "cancelled", "seq", "_rid", "_limit")

    def __init__(self, conn: _Conn, line: bytes) -> None:
        self.conn = conn
        self.line = line
        self.cancelled = False
        self.seq = 0
        self._rid: Any = _UNREAD
        self._limit: float | None = None

    @property
    def limit(self) -> float:
        """The request's time limit (-1: none), read from its line when first needed."""
        if self._limit is None:
            self._limit = protocol.time_limit(self.line.decode("utf-8", errors="replace"))
        return self._limit

    @property
    def rid(self) -> Any:
        """The request's id, read from its line when first needed (cancel, errors)."""
        if self._rid is _UNREAD:
            self._rid = protocol.request_id(self.line.decode("utf-8", errors="replace"))
        return self._rid


class _Worker:
    """A worker process, its request pipe, its cancel pipe and its time-limit cell."""

    def __init__(self, families: list[str] | None) -> None:
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        cancel_r, self.cancel_w = ctx.Pipe(duplex=False)
        # (seq read, its time limit or -1 while loading or without one, its start)
        self.cell: Any = ctx.Array("d", 3, lock=False)
        from .worker import main as worker_main

        self.proc = ctx.Process(
            target=worker_main, args=(child, cancel_r, self.cell, families), daemon=True
        )
        self.proc.start()
        child.close()
        cancel_r.close()
        self.fd = self.conn.fileno()
        self.rbuf = b""
        self.ready = False
        self.warm = False
        self.job: _Job | None = None
        self.since = 0.0  # when the running job was sent

    def hung(self, now: float, margin: float) -> float | None:
        """The running job's time limit once the job is past it (+10 % and ``margin``)."""
        job = self.job
        if job is None:
            return None
        if int(self.cell[0]) == job.seq:  # read; the limit is posted once the solve starts
            limit, since = self.cell[1], self.cell[2]
        elif now - self.since > margin:  # the worker has not even read it: read it here
            limit, since = job.limit, self.since
        else:
            return None
        return limit if limit >= 0 and now > since + limit * 1.1 + margin else None

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
        self.proc.join(5)
        for c in (self.conn, self.cancel_w):
            with contextlib.suppress(Exception):
                c.close()


class PoolServer:
    """The event loop of ``serve --workers N`` (see the module's docstring)."""

    def __init__(self, n: int, families: list[str] | None, hang_margin: float) -> None:
        self.families = families
        self.hang_margin = hang_margin
        self.sel = selectors.DefaultSelector()
        self.queue: deque[_Job] = deque()
        self.seq = itertools.count(1)
        self.stopping = False
        self.interrupted = 0
        self._interrupt_done = False
        self.bye: tuple[_Conn, Any] | None = None
        self.start_failures = 0
        self.t0 = time.perf_counter()
        self.warm_said = False
        self.conns: list[_Conn] = []
        self.workers = [self._start_worker() for _ in range(n)]
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self.sel.register(self._wake_r, selectors.EVENT_READ, ("wake", None))

    # -- set-up -------------------------------------------------------------------------
    def _start_worker(self) -> _Worker:
        w = _Worker(self.families)
        self.sel.register(w.fd, selectors.EVENT_READ, ("worker", w))
        return w

    def add_stream(self, fd: int, write: Callable[[bytes], object], sock: Any = None) -> None:
        """Serve the request lines read from ``fd``; answers go to ``write``."""
        c = _Conn(fd, write, sock)
        self.conns.append(c)
        self.sel.register(fd, selectors.EVENT_READ, ("conn", c))

    def listen(self, sock: socket.socket) -> None:
        """Accept clients on a listening Unix socket."""
        sock.setblocking(False)
        self.sel.register(sock, selectors.EVENT_READ, ("listen", sock))

    # -- the loop -----------------------------------------------------------------------
    def run(self) -> None:
        """Serve until ``shutdown``, the end of standard input, or a signal."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        old_fd = signal.set_wakeup_fd(self._wake_w.fileno(), warn_on_full_buffer=False)
        try:
            while not (self.stopping and not self.queue and not self._busy()):
                self._dispatch()
                busy = self._busy()
                for key, _ in self.sel.select(TICK_S if busy or self.stopping else None):
                    kind, obj = key.data
                    if kind == "conn":
                        self._read_conn(obj)
                    elif kind == "worker":
                        self._read_worker(obj)
                    elif kind == "listen":
                        self._accept(obj)
                    else:
                        with contextlib.suppress(OSError):
                            self._wake_r.recv(4096)
                if self.interrupted:
                    self._interrupt()
                self._watch_hangs()
                self._flush()
            if self.bye is not None:
                conn, rid = self.bye
                self._answer(conn, protocol.encode({"id": rid, "result": "bye"}).encode())
                self._flush()
        finally:
            signal.set_wakeup_fd(old_fd)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            for w in self.workers:
                w.kill()
            self.sel.close()
        if self.interrupted:
            raise KeyboardInterrupt

    def _on_signal(self, signum: int, frame: Any) -> None:
        if self.interrupted:  # a second signal: give up on the running solves
            for w in self.workers:
                with contextlib.suppress(Exception):
                    w.proc.kill()
            os._exit(130)
        self.interrupted = signum

    def _accept(self, sock: socket.socket) -> None:
        try:
            client, _ = sock.accept()
        except OSError:
            return
        client.setblocking(True)
        if self.stopping:
            client.close()
            return
        self.add_stream(client.fileno(), client.sendall, client)

    def _busy(self) -> bool:
        return any(w.job is not None for w in self.workers)

    def _dispatch(self) -> None:
        """Send queued requests to idle workers."""
        for w in self.workers:
            if not self.queue:
                return
            if w.ready and w.job is None:
                job = self.queue.popleft()
                job.seq = next(self.seq)
                w.job, w.since = job, time.monotonic()
                with contextlib.suppress(OSError):  # a dead worker: its end of file comes next
                    protocol.write_all(w.fd, b"%d %d %b\n" % (job.seq, job.cancelled, job.line))

    def _read_conn(self, c: _Conn) -> None:
        try:
            data = c.sock.recv(1 << 16) if c.sock is not None else os.read(c.fd, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            if c.buf.strip():
                self._line(c, c.buf)
            c.buf = b""
            self._stop_reading(c)
            if c.sock is None:  # the end of standard input: answer what was taken, then stop
                self.stopping = True
            return
        lines = (c.buf + data).split(b"\n")
        c.buf = lines.pop()
        for line in lines:
            if self.stopping or not c.reading:
                return
            if line.strip():
                self._line(c, line)

    def _stop_reading(self, c: _Conn) -> None:
        if c.reading:
            c.reading = False
            with contextlib.suppress(KeyError, ValueError):
                self.sel.unregister(c.fd)

    def _line(self, c: _Conn, line: bytes) -> None:
        if _CONTROL.search(line):
            text = line.decode("utf-8", errors="replace")
            try:
                req = protocol.parse(text)
            except protocol.RequestError as e:
                c.pending += 1
                self._answer(c, protocol.encode(protocol.error(protocol.request_id(text), e)))
                return
            if req["op"] in ("cancel", "shutdown", "ping"):
                self._control(c, req)
                return
        c.pending += 1
        self.queue.append(_Job(c, line))

    def _control(self, c: _Conn, req: dict[str, Any]) -> None:
        op, rid = req["op"], req.get("id")
        if op == "ping":
            c.pending += 1
            warm = all(w.warm for w in self.workers)
            self._answer(c, protocol.encode({**protocol.execute(req), "warm": warm}))
        elif op == "cancel":
            target = req.get("target")
            found = self._cancel(c, target)
            c.pending += 1
            self._answer(
                c, protocol.encode({"id": rid, "result": {"cancelled": target, "found": found}})
            )
        else:  # shutdown: answer what was taken, say bye, then stop
            self.stopping = True
            self.bye = (c, rid)
            c.pending += 1  # the bye, owed once the rest is answered
            for conn in self.conns:
                self._stop_reading(conn)

    def _cancel(self, c: _Conn, target: Any) -> bool:
        found = False
        for job in self.queue:
            if job.conn is c and job.rid == target:
                job.cancelled = found = True
        for w in self.workers:
            running = w.job
            if running is not None and running.conn is c and running.rid == target:
                running.cancelled = found = True
                with contextlib.suppress(OSError):
                    w.cancel_w.send_bytes(b"%d" % running.seq)
        return found

    def _read_worker(self, w: _Worker) -> None:
        try:
            data = os.read(w.fd, 1 << 16)
        except OSError:
            data = b""
        if not data:
            w.proc.join(2)  # dead: its exit code comes at once
            self._replace(w, "WorkerCrashed", f"the worker died (exit code {w.proc.exitcode})")
            return
        lines = (w.rbuf + data).split(b"\n")
        w.rbuf = lines.pop()
        for msg in lines:
            self._worker_message(w, msg)

    def _worker_message(self, w: _Worker, msg: bytes) -> None:
        tag = msg[:1]
        if tag == b"R" or tag == b"C":
            job = w.job
            space = msg.index(b" ")
            if job is None or job.seq != int(msg[1:space]):
                return  # the answer to a request already answered (a late one)
            w.job = None
            if tag == b"R":
                self._answer(job.conn, msg[space + 1 :])
            else:  # one of the server's own operations, written some other way
                job.conn.pending -= 1
                self._control(job.conn, protocol.parse(job.line.decode("utf-8", "replace")))
        elif tag == b"W":
            w.warm = True
            if not self.warm_said and all(x.warm for x in self.workers):
                self.warm_said = True
                took = time.perf_counter() - self.t0
                print(f"warm-up done ({took:.1f} s)", file=sys.stderr, flush=True)
        elif msg == b"ready":
            w.ready = True
            self.start_failures = 0
        else:  # the worker could not start
            raise SchedlabError(f"a worker failed to start: {msg.decode(errors='replace')}")

    def _replace(self, w: _Worker, kind: str, message: str) -> None:
        """Answer the worker's request with an error and start another worker."""
        with contextlib.suppress(KeyError, ValueError):
            self.sel.unregister(w.fd)
        job, was_ready = w.job, w.ready
        w.kill()
        if job is not None:
            self._answer(
                job.conn, protocol.encode(protocol.error(job.rid, ServeError(kind, message)))
            )
        if not was_ready:
            self.start_failures += 1
            if self.start_failures > MAX_START_FAILURES:
                raise SchedlabError(f"workers fail to start ({message})")
        self.workers[self.workers.index(w)] = self._start_worker()

    def _watch_hangs(self) -> None:
        now = time.monotonic()
        for w in list(self.workers):
            limit = w.hung(now, self.hang_margin)
            if limit is not None:
                self._replace(w, "WorkerTimeout", f"the worker hung past time_limit {limit:g}")

    def _interrupt(self) -> None:
        """After SIGINT or SIGTERM: stop reading, cancel the running solves, answer the
        queued requests with an error."""
        if self._interrupt_done:
            return
        self._interrupt_done = self.stopping = True
        for c in self.conns:
            self._stop_reading(c)
        for w in self.workers:
            if w.job is not None:
                w.job.cancelled = True
                with contextlib.suppress(OSError):
                    w.cancel_w.send_bytes(b"%d" % w.job.seq)
        err = ServeError("Interrupted", "the server was interrupted before this request started")
        while self.queue:
            job = self.queue.popleft()
            self._answer(job.conn, protocol.encode(protocol.error(job.rid, err)))

    def _answer(self, c: _Conn, data: bytes | str) -> None:
        c.out.append(data.encode() if isinstance(data, str) else data)
        c.pending -= 1

    def _flush(self) -> None:
        """Write out the answers; close a socket client that is done."""
        for c in list(self.conns):
            if c.out:
                data = b"\n".join(c.out) + b"\n"
                c.out.clear()
                with contextlib.suppress(OSError, ValueError):
                    c.write(data)
            if c.sock is not None and not c.reading and c.pending == 0:
                with contextlib.suppress(OSError):
                    c.sock.close()
                self.conns.remove(c)
