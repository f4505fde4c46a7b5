"""Helpers shared by the CLI commands: one-line errors with exit status 2."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from ..core import Result, SchedlabError

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> NoReturn:
    """Print one line to stderr and exit with status 2."""
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def user_errors(func: F) -> F:
    """Turn every :class:`SchedlabError` (and unreadable files) into one line and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SchedlabError as e:
            fail(str(e))
        except BrokenPipeError:
            raise  # the reader went away (`| head`): the entry point ends quietly
        except OSError as e:
            fail(f"{e.filename or ''}: {e.strerror}" if e.filename else str(e))

    return wrapper  # type: ignore[return-value]


def fmt_value(v: float | None, digits: int = 6) -> str:
    """A number as the CLI shows it: integers without a point, others to `digits` digits."""
    if v is None:
        return "-"
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.{digits}g}"


def summary(res: Result) -> str:
    """A short human-readable summary of a result."""
    lines = [
        f"instance   {res.instance} ({res.problem})",
        f"method     {res.method}" + ("  (chosen by auto)" if res.info.get("auto") else ""),
        f"status     {res.status}" + ("  (interrupted)" if res.info.get("interrupted") else ""),
        f"objective  {fmt_value(res.objective)}",
        f"bound      {fmt_value(res.bound)}",
        f"gap        {'-' if res.gap is None else f'{100 * res.gap:.2f} %'}",
        f"time       {res.runtime_s:.3f} s",
    ]
    if res.reference is not None:
        rg = res.reference_gap
        extra = ""
        if rg is not None:
            extra = (
                f"  (gap {100 * rg:.2f} %)" if res.reference else f"  (difference {fmt_value(rg)})"
            )
        lines.append(f"reference  {fmt_value(res.reference)}{extra}")
    return "\n".join(lines)


def parse_params(items: tuple[str, ...]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs; values parsed as JSON where they can be (numbers, true, lists)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SchedlabError(f"--param expects KEY=VALUE, got {item!r}")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out
