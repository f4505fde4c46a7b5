"""The process that carries out one run: ``python -m schedlab.sweep.worker``.

It reads a run spec (JSON, :meth:`RunSpec.to_dict`) on standard input, imports the sweep's
plugins and the family's methods, writes ``READY`` on a line of its own (the parent's
watchdog starts counting then, so a slow start on a loaded machine is not a timeout), calls
:func:`schedlab.solve`, and writes one JSON object on standard output:
``{"ok": true, "result": <Result JSON text>}`` or ``{"ok": false, "error": "...",
"type": "..."}``. Anything the solver prints (even from C code) goes to standard error.

Safety nets besides the parent's watchdog: the worker asks the kernel to kill it when its
parent dies (Linux), and arms ``SIGALRM`` (default action: terminate) a few seconds after
the watchdog, so that an orphan never outlives its run for long, even while a compiled
kernel holds the GIL.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import sys
import traceback
from typing import Any

#: Environment variable carrying the parent's pid (to detect a parent that already died).
PARENT_ENV = "SCHEDLAB_SWEEP_PARENT"
#: The line the worker writes once it is ready to solve.
READY = b"READY\n"
#: Seconds after the watchdog at which the worker's own alarm fires.
ALARM_SLACK = 5


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - best effort
        return
    expected = os.environ.get(PARENT_ENV)
    if expected and expected.isdigit() and os.getppid() != int(expected):
        os._exit(3)  # the parent died before prctl took effect


def prepare(spec: dict[str, Any]) -> None:
    """Import what the run needs (plugins, the family's methods) and compile the method's
    JIT kernels, before the clock starts."""
    import schedlab

    from .config import load_plugins

    load_plugins(spec.get("plugins", []))
    problem = spec.get("instance", {}).get("problem")
    if isinstance(problem, str):
        schedlab.methods(problem)
        method = spec.get("method")
        if isinstance(method, str):
            # JIT compilation (a one-off per installation) is not the run's time
            schedlab.warm_up(problem, method)


def run_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Carry out one run in this process; return the worker's JSON payload as a dict."""
    import schedlab

    try:
        prepare(spec)
        res = schedlab.solve(
            spec["instance"],
            spec["method"],
            time_limit=spec.get("time_limit"),
            work_limit=spec.get("work_limit"),
            threads=int(spec.get("threads", 1)),
            seed=int(spec.get("seed", 0)),
            **spec.get("params", {}),
        )
        return {"ok": True, "result": res.to_json()}
    except schedlab.SchedlabError as e:
        return {"ok": False, "error": str(e), "type": type(e).__name__}
    except Exception as e:
        tb = traceback.format_exc(limit=8)
        return {"ok": False, "error": f"{type(e).__name__}: {e}", "type": "crash", "traceback": tb}


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def main() -> None:
    """Entry point: spec on stdin; on stdout, a ``READY`` line once the imports are done
    (the parent's watchdog starts then), then the payload."""
    out_fd = os.dup(1)
    os.dup2(2, 1)  # whatever the solver prints goes to stderr
    # sys.stdout keeps its own object (now writing to fd 2): aliasing it to sys.stderr
    # deadlocks Pyomo's output capture (its tee waits on one stream twice)
    _die_with_parent()
    spec = json.loads(sys.stdin.read())
    with contextlib.suppress(Exception):  # reported by run_spec below, with the others
        prepare(spec)
    _write(out_fd, READY)
    watchdog = spec.get("watchdog")
    if watchdog is not None and hasattr(signal, "alarm"):
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(int(math.ceil(float(watchdog))) + ALARM_SLACK)
    payload = run_spec(spec)
    _write(out_fd, json.dumps(payload).encode())
    os.close(out_fd)


if __name__ == "__main__":
    main()
