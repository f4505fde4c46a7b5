"""Executors: where the runs of a sweep happen.

An executor is any callable taking a list of :class:`~schedlab.sweep.config.RunSpec` and
yielding one outcome dict per run, in the order the runs finish (see :func:`execute_run`
for the outcome's keys). The driver writes each outcome to the store as it arrives, so an
executor never touches the store. Two are provided:

- :class:`LocalExecutor`: ``workers`` runs at a time on this machine.
- :class:`DaskExecutor`: a Dask distributed cluster (a scheduler address, an existing
  ``Client``, or a ``LocalCluster`` started on the fly).

Whichever executor, each run happens in a fresh worker process
(:data:`WORKER_COMMAND`) in its own process group, killed with ``SIGKILL`` once
its watchdog (time limit plus margin) expires: a hung or crashing solver is recorded as
``timeout`` or ``error`` and the sweep goes on.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from ..core.childenv import child_env
from .config import RunSpec
from .worker import PARENT_ENV, READY

Outcome = dict[str, Any]
#: The executor protocol: runs in, outcomes out (as they finish).
Executor = Callable[[list[RunSpec]], Iterator[Outcome]]

_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
_STDERR_TAIL = 2000

_live: set[subprocess.Popen[bytes]] = set()
_live_lock = threading.Lock()
#: Tokens of interrupted executor calls (a run carrying one of them does not start here).
_stopped_tokens: set[str] = set()

#: What tells a run that its sweep was interrupted: an event (local threads), or a token
#: (a string: it travels to Dask tasks, and acts where they run in this process).
Stop = threading.Event | str | None


def _is_stopped(stop: Stop) -> bool:
    if stop is None:
        return False
    if isinstance(stop, str):
        return stop in _stopped_tokens
    return stop.is_set()


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    if proc.returncode is None:  # the leader is not reaped yet, so its group id is still ours
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()


def kill_live_workers() -> None:
    """Kill every worker process this process started that is still running."""
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        _kill_group(proc)


def kill_live_workers_now() -> None:
    """:func:`kill_live_workers` without taking the lock: for a signal handler, which may
    run while this thread holds it."""
    with contextlib.suppress(RuntimeError):  # (the set changed meanwhile: best effort)
        for proc in list(_live):
            _kill_group(proc)


def _stopped(spec: dict[str, Any], message: str) -> Outcome:
    """The outcome of a run stopped by an interrupt of the sweep (never stored: the
    driver stops reading outcomes first; were it stored, ``killed`` is run again)."""
    return {
        "key": spec["key"],
        "status": "error",
        "exit_reason": "killed",
        "error": message,
        "result": None,
        "wall_s": 0.0,
        "started_at": _now(),
        "host": socket.gethostname(),
        "versions": None,
    }


#: How a worker process is started (``-c`` rather than ``-m schedlab.sweep.worker``, which
#: makes Python warn on every run that the package already imported the module).
WORKER_COMMAND = [sys.executable, "-c", "from schedlab.sweep.worker import main; main()"]

#: Seconds a worker may take to start (imports) before it is deemed hung.
STARTUP_TIMEOUT = 300.0


def _pump(stream: Any, chunks: list[bytes], ready: threading.Event | None) -> None:
    seen = b""
    while True:
        chunk = stream.read1(65536)
        if not chunk:
            break
        chunks.append(chunk)
        if ready is not None and not ready.is_set():
            seen += chunk
            if b"\n" in seen:
                ready.set()
    if ready is not None:
        ready.set()


def _supervise(
    proc: subprocess.Popen[bytes], spec: bytes, watchdog: float | None
) -> tuple[bytes, bytes, str | None]:
    """Feed the spec, collect the output, and kill the process group if the run overstays.

    The watchdog counts from the worker's ``READY`` line; the start (imports) gets
    :data:`STARTUP_TIMEOUT`. Returns ``(stdout, stderr, timeout_message_or_None)``.
    """
    out: list[bytes] = []
    err: list[bytes] = []
    ready = threading.Event()
    readers = [
        threading.Thread(target=_pump, args=(proc.stdout, out, ready), daemon=True),
        threading.Thread(target=_pump, args=(proc.stderr, err, None), daemon=True),
    ]
    for t in readers:
        t.start()
    reason: str | None = None
    assert proc.stdin is not None
    with contextlib.suppress(BrokenPipeError):
        proc.stdin.write(spec)
    with contextlib.suppress(BrokenPipeError):
        proc.stdin.close()
    if not ready.wait(STARTUP_TIMEOUT):
        reason = f"the worker did not start within {STARTUP_TIMEOUT:g} s"
    else:
        try:
            proc.wait(timeout=watchdog)
        except subprocess.TimeoutExpired:
            reason = f"killed by the watchdog after {watchdog:g} s (time limit plus margin)"
    if reason is not None:
        _kill_group(proc)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    for t in readers:
        t.join(timeout=5)
    return b"".join(out), b"".join(err), reason


def _tail(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace").strip()
    return text[-_STDERR_TAIL:]


def execute_run(spec: dict[str, Any] | RunSpec, stop: Stop = None) -> Outcome:
    """Carry out one run in a fresh worker process under a watchdog; never raises.

    ``stop`` (an event, or a token string, set by the executor when the sweep is
    interrupted): once set, no worker process starts, and one that started meanwhile is
    killed at once (the executor kills those already running: :func:`kill_live_workers`).

    Returns a dict with ``key``, ``status`` (the result's status, ``"timeout"`` or
    ``"error"``), ``exit_reason`` (``"finished"``, ``"timeout"``, ``"error"`` (a
    :class:`SchedlabError`), ``"crashed"`` (another exception in the method) or ``"killed"``
    (the worker process died: a signal, an exit, out of memory; retried on resume)), ``error`` (message or ``None``), ``result`` (the Result JSON text or
    ``None``), ``wall_s``, ``started_at`` (ISO 8601, UTC), ``host`` and ``versions``.
    """
    from schedlab import versions

    data = spec.to_dict() if isinstance(spec, RunSpec) else dict(spec)
    threads = str(int(data.get("threads", 1)))
    env = child_env()
    env.update({name: threads for name in _THREAD_ENV})
    env[PARENT_ENV] = str(os.getpid())
    watchdog = data.get("watchdog")
    out: Outcome = {
        "key": data["key"],
        "status": "error",
        "exit_reason": "error",
        "error": None,
        "result": None,
        "wall_s": 0.0,
        "started_at": _now(),
        "host": socket.gethostname(),
        "versions": versions(),
    }
    t0 = time.perf_counter()
    if _is_stopped(stop):
        return _stopped(data, "not started: the sweep was interrupted")
    try:
        proc = subprocess.Popen(
            WORKER_COMMAND,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
    except OSError as e:
        out["error"] = f"cannot start a worker process: {e}"
        return out
    with _live_lock:
        _live.add(proc)
        # set before the interrupted executor took its list of live workers: kill it here
        if _is_stopped(stop):
            _kill_group(proc)
    try:
        stdout, stderr, reason = _supervise(proc, json.dumps(data).encode(), watchdog)
    finally:
        with _live_lock:
            _live.discard(proc)
    out["wall_s"] = time.perf_counter() - t0
    if reason is not None:
        out["status"] = out["exit_reason"] = "timeout"
        out["error"] = reason
        return out
    if stdout.startswith(READY):
        stdout = stdout[len(READY) :]
    payload: dict[str, Any] | None = None
    with contextlib.suppress(ValueError):
        payload = json.loads(stdout.decode("utf-8", errors="replace") or "null")
    if not isinstance(payload, dict):
        code = proc.returncode
        if code is None:
            how = "did not exit"
        elif code < 0:
            how = f"killed by signal {-code}"
        else:
            how = f"exited with code {code}"
        tail = _tail(stderr)
        out["exit_reason"] = "killed"
        out["error"] = f"worker {how}" + (f": {tail}" if tail else "")
        return out
    if payload.get("ok"):
        out["result"] = payload["result"]
        out["status"] = json.loads(payload["result"])["status"]
        out["exit_reason"] = "finished"
    else:
        out["exit_reason"] = "crashed" if payload.get("type") == "crash" else "error"
        out["error"] = str(payload.get("error"))
        if payload.get("traceback"):
            out["error"] += "\n" + str(payload["traceback"]).strip()
    return out


def _failed(spec: RunSpec, message: str) -> Outcome:
    return {
        "key": spec.key,
        "status": "error",
        "exit_reason": "killed",
        "error": message,
        "result": None,
        "wall_s": 0.0,
        "started_at": _now(),
        "host": None,
        "versions": None,
    }


class LocalExecutor:
    """Runs on this machine, ``workers`` at a time (each in its own worker process)."""

    name = "local"

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers

    def __call__(self, runs: list[RunSpec]) -> Iterator[Outcome]:
        """Start the runs and yield their outcomes as they finish.

        Closing the generator before the end (the driver does so on an interrupt) stops
        the sweep: runs not started are dropped, and the worker processes of the runs in
        progress are killed (their process groups, with ``SIGKILL``) and waited for, so
        that none outlives the call.
        """
        stop = threading.Event()
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="schedlab-run")
        futures: dict[Any, RunSpec] = {}
        try:
            futures = {pool.submit(execute_run, spec, stop): spec for spec in runs}
            for fut in as_completed(futures):
                try:
                    yield fut.result()
                except Exception as e:  # pragma: no cover - execute_run never raises
                    yield _failed(futures[fut], f"{type(e).__name__}: {e}")
        finally:
            stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            kill_live_workers()
            # the supervising threads end as soon as their worker is dead
            pool.shutdown(wait=True)


class DaskExecutor:
    """Runs on a Dask distributed cluster.

    Args:
        scheduler: a scheduler address (``tcp://HOST:PORT``); ``None`` starts a
            ``LocalCluster`` with ``workers`` slots for the duration of the sweep.
        workers: run slots of the local cluster (ignored with a scheduler or a client).
        client: an existing ``distributed.Client`` (wins over ``scheduler``).
        processes: whether the local cluster uses worker processes; the default (threads)
            is enough, since every run is a subprocess anyway.

    Every task starts its own worker subprocess with the watchdog (see
    :func:`execute_run`), so the cluster's machines need schedlab (and any plugin) installed,
    not the instance files: a run spec carries its instance. Results come back to the
    driver, which writes them to the store as they complete.

    Closing the generator early (an interrupted sweep) cancels the tasks not finished. On
    the local cluster started for the sweep (threads in this process) the worker processes
    of the runs in progress are killed as well; on a remote cluster Dask cannot stop a task
    that has started, so its worker process runs on until it ends (its watchdog bounds it)
    and its outcome is dropped.
    """

    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int = 1,
        client: Any = None,
        processes: bool = False,
    ) -> None:
        self.scheduler = scheduler
        self.workers = workers
        self.client = client
        self.processes = processes

    def _connect(self, stack: contextlib.ExitStack) -> Any:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            from schedlab import SchedlabError

            raise SchedlabError(
                "the dask executor needs dask.distributed: pip install 'schedlab[dask]'"
            ) from None
        if self.client is not None:
            return self.client
        if self.scheduler:
            return stack.enter_context(Client(self.scheduler))
        cluster = stack.enter_context(
            LocalCluster(
                n_workers=1 if not self.processes else self.workers,
                threads_per_worker=self.workers if not self.processes else 1,
                processes=self.processes,
                dashboard_address=None,
            )
        )
        return stack.enter_context(Client(cluster))

    def __call__(self, runs: list[RunSpec]) -> Iterator[Outcome]:
        """Submit the runs and yield their outcomes as they complete."""
        if not runs:
            return
        from distributed import as_completed as dask_completed

        token = f"dask-{uuid.uuid4().hex}"
        log = logging.getLogger("distributed")
        level = log.level
        with contextlib.ExitStack() as stack:
            stack.callback(log.setLevel, level)  # last, once the cluster is closed
            client = self._connect(stack)
            futures = {}
            try:
                for spec in runs:
                    fut = client.submit(execute_run, spec.to_dict(), token, pure=False)
                    futures[fut] = spec
                for fut in dask_completed(list(futures)):
                    spec = futures.pop(fut)
                    try:
                        yield fut.result()
                    except Exception as e:
                        yield _failed(spec, f"dask task failed: {type(e).__name__}: {e}")
                    fut.release()
            finally:
                if futures:
                    # the warnings of the tasks cancelled now are expected: not shown
                    log.setLevel(logging.ERROR)
                    _stopped_tokens.add(token)  # tasks running in this process start nothing
                    client.cancel(list(futures))
                    kill_live_workers()


def make_executor(
    kind: str = "local", *, workers: int = 1, scheduler: str | None = None
) -> LocalExecutor | DaskExecutor:
    """The executor named ``kind`` (``"local"`` or ``"dask"``)."""
    if kind == "local":
        if scheduler:
            from schedlab import SchedlabError

            raise SchedlabError("--scheduler needs --executor dask")
        return LocalExecutor(workers)
    if kind == "dask":
        return DaskExecutor(scheduler=scheduler, workers=workers)
    from schedlab import SchedlabError

    raise SchedlabError(f"unknown executor {kind!r} (local or dask)")
