"""``schedlab serve``: a long-lived solver process speaking JSON lines (see
:mod:`schedlab.serve.protocol`).

Requests run one at a time in the server's own process (the default), or in ``workers``
processes (:mod:`schedlab.serve.pool`), where a worker that crashes or hangs past its
request's time limit plus a margin is replaced and its request answered with an error. Standard output carries protocol lines
only: whatever a solver writes to it lands on standard error.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from .. import api
from ..core.timing import CancelToken
from . import protocol

#: receives a response: a dict, or a line already encoded (by a worker process)
Respond = Callable[[dict[str, Any] | str], None]
Key = tuple[int, Any]  # (connection, request id)

#: Seconds without a request after which the server (or a worker) takes a warm-up step.
IDLE_S = 0.05
#: Seconds a worker may overrun its request's time limit before it counts as hung.
HANG_MARGIN = 5.0


@dataclass
class _Job:
    key: Key
    req: dict[str, Any]
    respond: Respond
    line: str = ""
    token: CancelToken = field(default_factory=CancelToken)


class InlineExecutor:
    """Runs requests one at a time in the server's process.

    A request that finds nothing running and nothing queued runs at once on the thread
    that read it (:meth:`take` and :meth:`run`: no hand-over between threads, which costs
    tens of microseconds a request); the others queue for the executor's own thread. That thread
    also warms up ``families`` method by method whenever no request has come for
    :data:`IDLE_S`, so that requests are answered from the start; a solve first warms up
    what it needs (its family's method, or the whole family for ``auto``), outside its
    time limit.
    """

    def __init__(
        self, families: list[str] | None = None, on_warm: Callable[[], None] | None = None
    ) -> None:
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._jobs: dict[Key, _Job] = {}
        self._lock = threading.Lock()
        #: held while a request or a warm-up step runs (one at a time)
        self._busy = threading.Lock()
        self._pending = 0  # requests queued or running on the executor's thread
        self._closed = False
        self._last = time.perf_counter()  # when a request last ran or came
        self._warm: list[tuple[str, str]] = [
            (f, m.name) for f in families or [] for m in api.methods(f)
        ]
        self._on_warm = on_warm
        self._thread = threading.Thread(target=self._loop, name="schedlab-solve", daemon=True)
        self._thread.start()

    def take(self, key: Key, req: dict[str, Any], respond: Respond) -> _Job | None:
        """The request as a job for the calling thread to run (:meth:`run`) if nothing runs
        or waits; None otherwise (then :meth:`submit` it)."""
        with self._lock:
            if self._pending or self._closed or not self._busy.acquire(blocking=False):
                return None
            job = _Job(key, req, respond)
            self._jobs[key] = job
        return job

    def run(self, job: _Job) -> None:
        """Run a job from :meth:`take` on the calling thread and answer it."""
        try:
            job.respond(protocol.execute(job.req, job.token))
        finally:
            self._done(job, queued=False)
            self._busy.release()

    def _done(self, job: _Job, queued: bool) -> None:
        """Forget a job that has been answered (``queued``: one of :meth:`submit`)."""
        with self._lock:
            if self._jobs.get(job.key) is job:
                del self._jobs[job.key]
            if queued:
                self._pending -= 1
            self._last = time.perf_counter()

    def submit(self, key: Key, req: dict[str, Any], respond: Respond, line: str = "") -> None:
        """Queue a request; ``respond`` receives its response (an error once :meth:`close`
        has been called)."""
        job = _Job(key, req, respond)
        with self._lock:
            closed = self._closed
            if not closed:
                self._jobs[key] = job
                self._pending += 1
                self._queue.put(job)
        if closed:
            respond(protocol.error(key[1], protocol.RequestError("the server is shutting down")))

    def cancel(self, key: Key) -> bool:
        """Cancel a queued or running request; False if there is none with that key."""
        with self._lock:
            job = self._jobs.get(key)
        if job is None:
            return False
        job.token.cancel()
        return True

    def _next(self) -> _Job | None:
        """The next queued request; a warm-up step runs whenever no request has come for
        :data:`IDLE_S` (a client sending requests back to back is never held up by one)."""
        while self._warm:
            try:
                return self._queue.get(timeout=IDLE_S)
            except queue.Empty:
                # idle: nothing running (on a reader's thread either) since IDLE_S
                if not self._busy.acquire(blocking=False):
                    continue
                try:
                    with self._lock:
                        if time.perf_counter() - self._last < IDLE_S:
                            continue
                    family, method = self._warm.pop(0)
                    with contextlib.suppress(Exception):  # a failing one shows at its solve
                        api.warm_up(family, method)
                finally:
                    self._busy.release()
                if not self._warm and self._on_warm is not None:
                    self._on_warm()
        return self._queue.get()

    def _loop(self) -> None:
        if not self._warm and self._on_warm is not None:
            self._on_warm()
        while True:
            job = self._next()
            if job is None:
                return
            try:
                with self._busy:
                    job.respond(protocol.execute(job.req, job.token))
            finally:
                self._done(job, queued=True)

    @property
    def warm(self) -> bool:
        """True once the warm-up of every method is done."""
        return not self._warm

    def cancel_all(self) -> None:
        """Cancel the running request and every queued one (they answer at once)."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.token.cancel()

    def close(self) -> None:
        """Answer what is queued and what runs, then stop (later requests are refused)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._queue.put(None)
        self._thread.join()
        with self._busy:  # a request running on its reader's thread
            pass


#: Seconds between the looks of a stream's second thread at whether the reading role is
#: free (its reader is running a request): a cancel reaches a running request within it.
POLL_S = 0.005


class _Stream:
    """One stream's lines and its reading role: the thread holding :attr:`role` reads; a
    thread that took a request to run releases the role first, and the stream's other
    thread, which looks every :data:`POLL_S`, takes it over (a ``cancel`` then reaches the
    running request). Nobody is woken for a request that runs and ends in between, and a
    request is taken to run or queued before the next line is read: requests start in the
    order they came."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._it = iter(lines)
        self.role = threading.Lock()
        self.done = False

    def next(self) -> str | None:
        """The next non-blank line (the caller holds :attr:`role`); None at the end."""
        while not self.done:
            line = next(self._it, None)
            if line is None:
                self.done = True
            elif line.strip():
                return line
        return None


class Server:
    """Reads requests from streams (stdin, or each client of a Unix socket) and answers them."""

    def __init__(self, executor: InlineExecutor) -> None:
        self.executor = executor
        self.stopping = threading.Event()
        self._conns = itertools.count()

    def handle(self, lines: Iterable[str], write: Callable[[str], object]) -> None:
        """Serve one stream of request lines until it ends or a ``shutdown``. Two threads
        share it (see :class:`_Stream`); this one waits for them (a signal to the main
        thread interrupts the wait, never a solve)."""
        conn = next(self._conns)
        lock = threading.Lock()

        def respond(response: dict[str, Any] | str) -> None:
            text = response if isinstance(response, str) else protocol.encode(response)
            with lock, contextlib.suppress(OSError, ValueError):
                write(text + "\n")

        stream = _Stream(lines)
        over = threading.Event()  # a shutdown, or both threads done with the stream
        left = [2]

        def run() -> None:
            try:
                self._serve_stream(stream, conn, respond)
            finally:
                with lock:
                    left[0] -= 1
                    if left[0] == 0 or self.stopping.is_set():
                        over.set()

        for _ in range(2):
            threading.Thread(target=run, name="schedlab-read", daemon=True).start()
        over.wait()

    def _serve_stream(self, stream: _Stream, conn: int, respond: Respond) -> None:
        while not (self.stopping.is_set() or stream.done):
            if not stream.role.acquire(blocking=False):
                time.sleep(POLL_S)  # the other thread reads
                continue
            job = self._read(stream, conn, respond)  # releases the role
            if job is not None:
                self.executor.run(job)

    def _read(self, stream: _Stream, conn: int, respond: Respond) -> _Job | None:
        """Read and dispatch lines while holding the stream's role; release it and return
        a job taken to run on this thread, or at the end of the stream or a shutdown."""
        try:
            while not self.stopping.is_set():
                line = stream.next()
                if line is None:
                    return None
                try:
                    req = protocol.parse(line)
                except protocol.RequestError as e:
                    respond(protocol.error(protocol.request_id(line), e))
                    continue
                op, rid = req["op"], req.get("id")
                if op == "ping":
                    respond({**protocol.execute(req), "warm": self.executor.warm})
                elif op == "cancel":
                    target = req.get("target")
                    found = self.executor.cancel((conn, target))
                    respond({"id": rid, "result": {"cancelled": target, "found": found}})
                elif op == "shutdown":  # answer what was taken, say bye, then stop
                    stream.done = True
                    self.executor.close()
                    respond({"id": rid, "result": "bye"})
                    self.stopping.set()
                    return None
                else:
                    job = self.executor.take((conn, rid), req, respond)
                    if job is not None:
                        return job
                    self.executor.submit((conn, rid), req, respond, line)
            return None
        finally:
            stream.role.release()


def _protocol_stdout() -> TextIO:
    """A stream on the original stdout for protocol lines; the process's stdout (file
    descriptor 1 and ``sys.stdout``) then points at stderr, so that nothing a solver prints
    can corrupt the protocol. This server owns its process, so it may do so."""
    sys.stdout.flush()
    fd = os.dup(1)
    os.dup2(2, 1)
    # a stream object of its own on descriptor 1 (aliasing sys.stderr deadlocks Pyomo's tee)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", closefd=False)  # noqa: SIM115
    return os.fdopen(fd, "w", buffering=1, encoding="utf-8")


def serve(
    *,
    workers: int = 0,
    families: list[str] | None = None,
    socket_path: str | None = None,
    stdin: TextIO | None = None,
    hang_margin: float = HANG_MARGIN,
) -> None:
    """Run the service until ``shutdown`` (or the end of standard input).

    SIGINT or SIGTERM stops it: the running solve (or solves) answers with its best solution
    so far, queued requests are answered (in-process: as cancelled solves; with workers:
    with an ``Interrupted`` error), and ``KeyboardInterrupt`` is raised (the CLI exits 130).

    Args:
        workers: worker processes (0: requests run one at a time in this process).
        families: families to warm up at start (``None``: all).
        socket_path: serve this Unix domain socket (several clients at once) instead of
            standard input and output.
        stdin: the request stream (default: ``sys.stdin``).
        hang_margin: seconds past a request's time limit (plus 10 %) after which its worker
            counts as hung and is replaced.
    """
    out = _protocol_stdout()
    names = families if families is not None else api.family_names()
    for name in names:
        api.family(name)  # unknown families fail before anything starts
    t0 = time.perf_counter()
    where = f"socket {socket_path}" if socket_path else "stdin"
    source = stdin if stdin is not None else sys.stdin
    sock = _listen(socket_path) if socket_path is not None else None
    try:
        if workers > 0:  # each worker warms up between the requests it serves
            from .pool import PoolServer

            pool = PoolServer(workers, names, hang_margin)
            _say_ready(where, workers, names)
            if sock is None:
                fd = out.fileno()
                pool.add_stream(source.fileno(), lambda data: protocol.write_all(fd, data))
            else:
                pool.listen(sock)
            pool.run()
            return

        def warm() -> None:
            took = time.perf_counter() - t0
            print(f"warm-up done ({took:.1f} s)", file=sys.stderr, flush=True)

        # requests are answered while the warm-up goes on between them
        executor = InlineExecutor(names, on_warm=warm)
        _say_ready(where, workers, names)
        server = Server(executor)
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            if sock is None:
                server.handle(source, out.write)
            else:
                _serve_socket(server, sock)
        except KeyboardInterrupt:  # cancel what runs and what waits, answer it all, stop
            executor.cancel_all()
            executor.close()
            raise
        finally:
            signal.signal(signal.SIGTERM, previous)
        if not server.stopping.is_set():
            executor.close()
    finally:
        if sock is not None:
            sock.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(str(socket_path))


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _say_ready(where: str, workers: int, names: list[str]) -> None:
    print(
        f"ready ({where}, {workers or 'no'} worker processes; warming up {', '.join(names)} "
        "between requests)",
        file=sys.stderr,
        flush=True,
    )


def _listen(path: str) -> socket.socket:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    sock.listen(16)
    return sock


def _serve_socket(server: Server, sock: socket.socket) -> None:
    sock.settimeout(0.2)

    def client(conn: socket.socket) -> None:
        lock = threading.Lock()

        def write(text: str) -> None:
            with lock:
                conn.sendall(text.encode("utf-8"))

        with conn:
            server.handle(protocol.socket_lines(conn), write)

    while not server.stopping.is_set():
        try:
            conn, _ = sock.accept()
        except TimeoutError:
            continue
        conn.settimeout(None)
        threading.Thread(target=client, args=(conn,), daemon=True).start()
