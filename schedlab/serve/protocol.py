"""The JSON-lines protocol of ``schedlab serve``: one request object a line, one response
object a line, matched by ``id``.

Requests (``op`` names the operation; ``id`` is any JSON scalar the client chooses):

- ``{"id": 1, "op": "solve", "instance": {...} | "path#k", "method": "auto",
  "time_limit": 1.0, "work_limit": null, "threads": 1, "seed": 0, "params": {}, "hint": null,
  "family": null}``: answers ``{"id": 1, "result": <Result as JSON>}``.
- ``{"id": 2, "op": "check", "instance": ..., "solution": {...}}``: ``{"objective": x}``.
- ``{"id": 3, "op": "methods", "family": null}``: a list of ``{family, name, kind, help,
  work, parameters}`` (``work``: the unit of ``work_limit``, or null).
- ``{"id": 4, "op": "warm_up", "family": "memory", "method": null}``: the methods warmed.
- ``{"id": 5, "op": "cancel", "target": 1}``: the running (or queued) solve ``1`` stops and
  answers with its best solution so far (``info.interrupted``); this answers
  ``{"cancelled": 1, "found": true}``.
- ``{"id": 6, "op": "ping"}``: ``"pong"``. ``{"id": 7, "op": "shutdown"}``: ``"bye"``, after
  the requests already taken are answered.

Errors: ``{"id": ..., "error": {"type", "message", "file", "line", "path"}}`` for bad JSON,
bad requests, bad instances, unknown methods and solver failures alike (``path`` is the JSON
path of the bad field where there is one). A line that is not JSON is answered with
``"id": null``.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import socket
from collections.abc import Callable, Iterator
from typing import Any

from .. import api
from ..core.errors import InstanceError, SchedlabError, SolutionError, SolveError
from ..core.result import Result
from ..core.timing import CancelToken

try:  # the ``serve`` extra: a faster codec for the same JSON
    import orjson
except ImportError:  # pragma: no cover - the standard library's codec then
    orjson = None  # type: ignore[assignment]

#: Version of this protocol, sent in the answer to ``ping`` and ``hello``.
PROTOCOL_VERSION = 1
#: Operations a request may name.
OPS = ("solve", "check", "methods", "warm_up", "cancel", "ping", "shutdown")
_SOLVE_KEYS = {
    "id",
    "op",
    "instance",
    "method",
    "time_limit",
    "work_limit",
    "threads",
    "seed",
    "params",
    "hint",
    "family",
}


class RequestError(SchedlabError):
    """A request that is not valid JSON or not a valid request; ``path`` names its field."""

    def __init__(self, message: str, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)


#: 19 digits in a row: a number that may be beyond 64 bits.
_LONG_TEXT = re.compile(r"[0-9]{19}")
_LONG_BYTES = re.compile(rb"[0-9]{19}")


def loads(text: str | bytes) -> Any:
    """JSON text as Python data, exactly as :func:`json.loads` reads it: with orjson (the
    ``serve`` extra) when it is installed, else (and for whatever orjson refuses that the
    standard library reads, such as ``NaN``, and for the message of an error) with the
    standard library. A text with a run of 19 digits or more goes to the standard library
    too: orjson reads some integers beyond 64 bits as floats, where the standard library
    keeps them exact (for the instance's check to name them)."""
    if orjson is not None:
        long = _LONG_BYTES if isinstance(text, bytes) else _LONG_TEXT
        if long.search(text) is None:  # type: ignore[arg-type]
            try:
                return orjson.loads(text)
            except orjson.JSONDecodeError:
                pass
    return json.loads(text)


def parse(line: str) -> dict[str, Any]:
    """One request line as a dict with a known ``op``; raises :class:`RequestError`."""
    try:
        req = loads(line)
    except json.JSONDecodeError as e:
        raise RequestError(f"not valid JSON: {e.msg} (column {e.colno})") from None
    except RecursionError:
        raise RequestError("not valid JSON: nested too deeply") from None
    if not isinstance(req, dict):
        raise RequestError("a request must be a JSON object")
    op = req.get("op")
    if op not in OPS:
        raise RequestError(f"unknown op {op!r} (known: {', '.join(OPS)})", "$.op")
    rid = req.get("id")
    if isinstance(rid, dict | list):
        raise RequestError("id must be a string, a number or null", "$.id")
    return req


def request_id(line: str) -> Any:
    """The ``id`` of a request line, if it can be read at all (for error responses)."""
    try:
        req = loads(line)
    except (json.JSONDecodeError, RecursionError):
        return None
    rid = req.get("id") if isinstance(req, dict) else None
    return None if isinstance(rid, dict | list) else rid


def limit_of(req: Any) -> float:
    """A request's ``time_limit`` in seconds (-1 if it has none)."""
    limit = req.get("time_limit") if isinstance(req, dict) else None
    if isinstance(limit, int | float) and not isinstance(limit, bool) and limit >= 0:
        with contextlib.suppress(OverflowError):  # past any float: no limit to watch
            return float(limit)
    return -1.0


def time_limit(line: str) -> float:
    """The ``time_limit`` of a request line (-1 if it has none or cannot be read)."""
    try:
        return limit_of(loads(line))
    except (json.JSONDecodeError, RecursionError):
        return -1.0


def error(rid: Any, exc: BaseException) -> dict[str, Any]:
    """The error response for ``exc``."""
    message = getattr(exc, "message", None) if isinstance(exc, InstanceError) else None
    return {
        "id": rid,
        "error": {
            "type": getattr(exc, "kind", None) or type(exc).__name__,
            "message": message or str(exc) or type(exc).__name__,
            "file": getattr(exc, "file", None),
            "line": getattr(exc, "line", None),
            "path": getattr(exc, "path", None),
        },
    }


def encode(response: dict[str, Any]) -> str:
    """A response as one line of strict JSON (non-finite numbers become ``null``); orjson
    writes it when installed (the same JSON, up to how a float's exponent is spelt), the
    standard library otherwise and for anything orjson does not take (integers beyond 64
    bits, objects it does not know)."""
    if orjson is not None:
        try:
            return orjson.dumps(response, option=orjson.OPT_NON_STR_KEYS).decode()
        except TypeError:
            pass
    try:
        return json.dumps(response, allow_nan=False, separators=(",", ":"))
    except ValueError:
        return json.dumps(_finite(response), separators=(",", ":"))


def _finite(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite(v) for v in x]
    return x


def _number(req: dict[str, Any], key: str, *, integer: bool = False) -> Any:
    v = req.get(key)
    if v is None:
        return None
    ok = isinstance(v, int) if integer else isinstance(v, int | float)
    if not ok or isinstance(v, bool):
        kind = "an integer" if integer else "a number"
        raise RequestError(f"{key} must be {kind}, got {v!r}", f"$.{key}")
    return v


def _instance(req: dict[str, Any]) -> Any:
    inst = req.get("instance")
    family = req.get("family")
    if family is not None and not isinstance(family, str):
        raise RequestError("family must be a string", "$.family")
    if isinstance(inst, dict):
        try:
            return api.load(inst, family=family)
        except InstanceError as e:  # the path of the bad field within the request
            sub = "" if e.path is None else e.path[1:]
            raise InstanceError(
                e.message, file=e.file, line=e.line, path="$.instance" + sub
            ) from None
    if isinstance(inst, str):
        return api.as_instance(inst, family=family)
    raise RequestError("instance must be a JSON object or a file path", "$.instance")


def solve(
    req: dict[str, Any],
    cancel: CancelToken | None = None,
    started: Callable[[], object] | None = None,
) -> dict[str, Any]:
    """Carry out a ``solve`` request; return the Result as JSON data. ``started`` is called
    once the method's engines and kernels are loaded, as its time limit starts."""
    unknown = sorted(set(req) - _SOLVE_KEYS)
    if unknown:
        raise RequestError(f"unknown key {unknown[0]!r} in a solve request", f"$.{unknown[0]}")
    params = req.get("params") or {}
    if not isinstance(params, dict):
        raise RequestError("params must be an object", "$.params")
    hint = req.get("hint")
    if hint is not None and not isinstance(hint, dict):
        raise RequestError("hint must be a solution object", "$.hint")
    method = req.get("method", "auto")
    if not isinstance(method, str):
        raise RequestError("method must be a string", "$.method")
    inst = _instance(req)
    time_limit = _number(req, "time_limit")
    if started is not None:  # load (compile) first, as api.solve would, then say so
        name = api.pick_auto(inst, time_limit).name if method == "auto" else method
        api.warm_up(inst.problem, name)
        started()
    res = api.solve(  # which loads engines and kernels before its clock starts
        inst,
        method,
        time_limit=time_limit,
        work_limit=_number(req, "work_limit"),
        threads=_number(req, "threads", integer=True) or 1,
        seed=_number(req, "seed", integer=True) or 0,
        hint=hint,
        cancel=cancel,
        **params,
    )
    return res.to_dict(copy=False)


def check(req: dict[str, Any]) -> dict[str, Any]:
    """Carry out a ``check`` request."""
    sol = req.get("solution")
    if isinstance(sol, dict) and "solution" in sol and "problem" in sol:
        sol = sol["solution"]  # a whole Result
    if not isinstance(sol, dict):
        raise RequestError("solution must be an object", "$.solution")
    return {"objective": api.check(_instance(req), sol)}


def methods(req: dict[str, Any]) -> list[dict[str, Any]]:
    """Carry out a ``methods`` request."""
    family = req.get("family")
    if family is not None:
        api.family(str(family))
    return [
        {
            "family": m.family,
            "name": m.name,
            "kind": m.kind,
            "help": m.help,
            "work": m.work,
            "parameters": {k: _jsonable(v) for k, v in m.parameters().items()},
        }
        for m in api.methods(family)
    ]


def _jsonable(v: Any) -> Any:
    try:
        json.dumps(v, allow_nan=False)
        return v
    except (TypeError, ValueError):
        return repr(v)


def warm_up(req: dict[str, Any]) -> dict[str, Any]:
    """Carry out a ``warm_up`` request (every family if none is named)."""
    family = req.get("family")
    names = [str(family)] if family is not None else api.family_names()
    return {f: api.warm_up(f, req.get("method")) for f in names}


def execute(
    req: dict[str, Any],
    cancel: CancelToken | None = None,
    started: Callable[[], object] | None = None,
) -> dict[str, Any]:
    """Carry out a request (any op but ``cancel`` and ``shutdown``) into its response; every
    failure becomes an error response. ``started``: see :func:`solve`."""
    rid = req.get("id")
    try:
        op = req["op"]
        if op == "solve":
            return {"id": rid, "result": solve(req, cancel, started)}
        if op == "check":
            return {"id": rid, "result": check(req)}
        if op == "methods":
            return {"id": rid, "result": methods(req)}
        if op == "warm_up":
            return {"id": rid, "result": warm_up(req)}
        if op == "ping":
            return {"id": rid, "result": "pong", "protocol": PROTOCOL_VERSION}
        raise RequestError(f"op {op!r} cannot be executed here", "$.op")
    except RecursionError:
        return error(rid, RequestError("input nested too deeply"))
    except Exception as e:  # every failure is an answer, never a dead server
        return error(rid, e)


def raise_error(err: dict[str, Any]) -> None:
    """Raise the schedlab exception an error response describes (clients)."""
    kind = err.get("type")
    msg = str(err.get("message"))
    if kind == "InstanceError":
        raise InstanceError(msg, err.get("file"), err.get("line"), err.get("path"))
    if kind == "SolutionError":
        raise SolutionError(msg)
    if kind in ("SolveError", "WorkerCrashed", "WorkerTimeout"):
        raise SolveError(msg if kind == "SolveError" else f"{kind}: {msg}")
    if kind == "RequestError":
        raise RequestError(msg, err.get("path"))
    raise SchedlabError(f"{kind}: {msg}")


def result(data: dict[str, Any]) -> Result:
    """A Result from a ``solve`` response's ``result``."""
    return Result.from_dict(data)


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to a file descriptor (a pipe may take it in parts)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def socket_lines(conn: socket.socket) -> Iterator[str]:
    """The lines a client sends, as they arrive (until it closes the connection)."""
    pending = b""
    while True:
        try:
            chunk = conn.recv(65536)
        except OSError:
            return
        if not chunk:
            if pending.strip():
                yield pending.decode("utf-8", errors="replace")
            return
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            yield line.decode("utf-8", errors="replace")
