"""A worker process of ``schedlab serve --workers N``: warms up, then carries out requests
received on its pipe, one at a time. The parent cancels the running request by writing its
sequence number into a shared cell, which a watcher thread turns into a cancelled solve."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from typing import Any

from ..core.timing import CancelToken

#: Seconds without a request after which the worker takes a warm-up step.
IDLE_S = 0.05
#: Seconds between two looks of the watcher at the cancel cell.
POLL_S = 0.002


def main(conn: Any, cancel_cell: Any, families: list[str] | None) -> None:
    """The worker's entry point (run in a spawned process)."""
    sys.stdout.flush()
    os.dup2(2, 1)  # nothing a solver prints reaches the parent's protocol stream
    # a stream object of its own on descriptor 1 (aliasing sys.stderr deadlocks Pyomo's tee)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", closefd=False)  # noqa: SIM115
    from .. import api
    from . import protocol

    try:
        pending = [
            (f, m.name)
            for f in (families if families is not None else api.family_names())
            for m in api.methods(f)
        ]
    except Exception as e:  # reported to the parent, which fails to start
        conn.send({"ready": False, "error": f"{type(e).__name__}: {e}"})
        return
    conn.send({"ready": True})  # requests are served at once; the warm-up runs between them
    state: dict[str, Any] = {"seq": 0, "token": None}
    lock = threading.Lock()

    def watch() -> None:
        while True:
            time.sleep(POLL_S)
            value = cancel_cell.value
            if value:
                with lock:
                    if value == state["seq"] and state["token"] is not None:
                        state["token"].cancel()

    threading.Thread(target=watch, daemon=True).start()
    while True:
        while pending and not conn.poll(IDLE_S):  # warm up while no request comes
            family, method = pending.pop(0)
            with contextlib.suppress(Exception):  # a failing warm-up shows at its solve
                api.warm_up(family, method)
        try:
            seq, req = conn.recv()
        except (EOFError, OSError):
            return
        token = CancelToken()
        with lock:
            state["seq"], state["token"] = seq, token
        if cancel_cell.value == seq:
            token.cancel()
        response = protocol.encode(protocol.execute(json.loads(req), token))
        with lock:
            state["seq"], state["token"] = 0, None
        with contextlib.suppress(OSError):
            conn.send((seq, response))  # the encoded line: the parent only writes it
