"""A Python client of ``schedlab serve``: starts a server (or connects to a socket) and sends it
requests; ``client.solve(...)`` returns the same :class:`~schedlab.core.result.Result` as
:func:`schedlab.solve`.

    with schedlab.Client() as client:
        res = client.solve({"problem": "smtt", "p": [3, 2], "d": [2, 6]}, "exact")
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from typing import IO, Any

from ..core.childenv import child_env
from ..core.errors import SchedlabError
from ..core.model import Instance
from ..core.result import Result
from . import protocol


class Client:
    """A connection to a solver service.

    Args:
        socket_path: connect to a server listening on this Unix socket; otherwise a server
            is started as a child process (``schedlab serve``) and stopped on :meth:`close`.
        workers: worker processes of a started server (0: it solves in its own process).
        families: families a started server warms up (``None``: all).
        stderr: where a started server's standard error goes (default: discarded).
        timeout: seconds to wait for a started server to be ready.

    Thread-safe: several threads may send requests at once; each waits for its own answer.
    """

    def __init__(
        self,
        socket_path: str | None = None,
        *,
        workers: int = 0,
        families: list[str] | None = None,
        stderr: int | IO[Any] | None = subprocess.DEVNULL,
        timeout: float = 300.0,
    ) -> None:
        self._ids = itertools.count(1)
        self._pending: dict[Any, Future[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None
        self._sock: socket.socket | None = None
        self._in: IO[str]
        self._out: Iterable[str]
        if socket_path is not None:
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._sock.connect(socket_path)
            self._in = self._sock.makefile("w", encoding="utf-8", buffering=1)
            self._out = protocol.socket_lines(self._sock)
        else:
            cmd = [sys.executable, "-m", "schedlab.cli.main", "serve", "--workers", str(workers)]
            for f in families or []:
                cmd += ["--family", f]
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                encoding="utf-8",
                bufsize=1,
                env=child_env(),
            )
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._in, self._out = self._proc.stdin, self._proc.stdout
        self._reader = threading.Thread(target=self._read, name="schedlab-client", daemon=True)
        self._reader.start()
        self.request("ping", timeout=timeout)  # the server is up (it warms up between requests)

    def _read(self) -> None:
        for line in self._out:
            try:
                msg = protocol.loads(line)
            except json.JSONDecodeError:
                continue
            with self._lock:
                fut = self._pending.pop(msg.get("id"), None)
            if fut is not None:
                fut.set_result(msg)
        with self._lock:
            pending, self._pending = self._pending, {}
        for fut in pending.values():
            fut.set_exception(SchedlabError("the solver service closed the connection"))

    def submit(self, op: str, **fields: Any) -> tuple[int, Future[dict[str, Any]]]:
        """Send a request without waiting; return its id and a future of the raw response."""
        rid = next(self._ids)
        fut: Future[dict[str, Any]] = Future()
        with self._lock:
            self._pending[rid] = fut
        line = protocol.encode({"id": rid, "op": op, **fields})
        try:
            with self._write_lock:
                self._in.write(line + "\n")
                self._in.flush()
        except (OSError, ValueError) as e:
            with self._lock:
                self._pending.pop(rid, None)
            raise SchedlabError(f"the solver service is gone: {e}") from None
        return rid, fut

    def request(self, op: str, timeout: float | None = None, **fields: Any) -> Any:
        """Send a request, wait for the answer, and return its ``result`` (an error response
        raises the matching schedlab exception)."""
        _, fut = self.submit(op, **fields)
        msg = fut.result(timeout)
        if "error" in msg:
            protocol.raise_error(msg["error"])
        return msg.get("result")

    def solve(
        self, instance: Instance | dict[str, Any] | str, method: str = "auto", **kw: Any
    ) -> Result:
        """Solve on the server; the arguments are those of :func:`schedlab.solve`
        (``time_limit``, ``work_limit``, ``threads``, ``seed``, ``hint``, ``family`` and the method's own)."""
        _, fut = self.solve_async(instance, method, **kw)
        msg = fut.result()
        if "error" in msg:
            protocol.raise_error(msg["error"])
        return protocol.result(msg["result"])

    def solve_async(
        self,
        instance: Instance | dict[str, Any] | str,
        method: str = "auto",
        *,
        time_limit: float | None = None,
        work_limit: float | None = None,
        threads: int = 1,
        seed: int = 0,
        hint: dict[str, Any] | None = None,
        family: str | None = None,
        **params: Any,
    ) -> tuple[int, Future[dict[str, Any]]]:
        """Start a solve; return its id (for :meth:`cancel`) and a future of the response."""
        fields = self._solve_fields(
            instance, method, time_limit, work_limit, threads, seed, hint, family, params
        )
        return self.submit("solve", **fields)

    @staticmethod
    def _solve_fields(
        instance: Any,
        method: str,
        time_limit: float | None,
        work_limit: float | None,
        threads: int,
        seed: int,
        hint: dict[str, Any] | None,
        family: str | None,
        params: dict[str, Any],
    ) -> dict[str, Any]:
        if isinstance(instance, Instance):
            instance = instance.to_dict()
        elif isinstance(instance, str) and instance.lstrip().startswith("{"):
            instance = json.loads(instance)
        return {
            "instance": instance,
            "method": method,
            "time_limit": time_limit,
            "work_limit": work_limit,
            "threads": threads,
            "seed": seed,
            "hint": hint,
            "family": family,
            "params": params,
        }

    def check(self, instance: Instance | dict[str, Any] | str, solution: dict[str, Any]) -> float:
        """Check a solution on the server; return its objective."""
        if isinstance(instance, Instance):
            instance = instance.to_dict()
        return float(self.request("check", instance=instance, solution=solution)["objective"])

    def methods(self, family: str | None = None) -> list[dict[str, Any]]:
        """The server's methods (``family``, ``name``, ``kind``, ``help``, ``parameters``)."""
        return list(self.request("methods", family=family))

    def warm_up(self, family: str | None = None) -> dict[str, list[str]]:
        """Warm up a family (or all) on the server."""
        return dict(self.request("warm_up", family=family))

    def cancel(self, request_id: int) -> bool:
        """Cancel a running or queued solve; it answers with its best solution so far."""
        return bool(self.request("cancel", target=request_id)["found"])

    def ping(self) -> bool:
        """True if the server answers."""
        return bool(self.request("ping") == "pong")

    def close(self) -> None:
        """Stop a started server (after the requests under way), or disconnect."""
        if self._proc is not None:
            with contextlib.suppress(SchedlabError, TimeoutError, OSError):
                self.request("shutdown", timeout=60)
            with contextlib.suppress(OSError, ValueError):
                self._in.close()
            try:
                self._proc.wait(60)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
