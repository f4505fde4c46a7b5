"""Helpers shared by the readers of whitespace-separated numeric text formats."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .errors import InstanceError

_INT = re.compile(r"[+-]?\d+")


def read_text(path: str) -> str:
    """A file's text, with a clear :class:`InstanceError` on failure."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstanceError("no such file", path) from None
    except UnicodeDecodeError:
        raise InstanceError("not a text file (invalid UTF-8)", path) from None
    except OSError as e:
        raise InstanceError(f"cannot read: {e.strerror}", path) from None


def int_tokens(text: str, path: str) -> Iterator[tuple[int, int]]:
    """Yield ``(value, line)`` for each whitespace-separated integer token.

    A token that is not an integer raises :class:`InstanceError` with its line.
    """
    for lineno, line in enumerate(text.splitlines(), start=1):
        for tok in line.split():
            if not _INT.fullmatch(tok):
                raise InstanceError(f"expected an integer, found {tok!r}", path, lineno)
            yield int(tok), lineno


def parse_int(tok: str, path: str, line: int, what: str) -> int:
    """Parse one integer token, naming ``what`` it is in the error."""
    if not _INT.fullmatch(tok):
        raise InstanceError(f"{what}: expected an integer, found {tok!r}", path, line)
    return int(tok)


def parse_float(tok: str, path: str, line: int, what: str) -> float:
    """Parse one real number token, naming ``what`` it is in the error."""
    try:
        return float(tok)
    except ValueError:
        raise InstanceError(f"{what}: expected a number, found {tok!r}", path, line) from None


def looks_numeric(head: str, allow_float: bool = False) -> bool:
    """True if the text's tokens (the last, possibly cut, token aside) are all numbers."""
    toks = head.split()
    if len(toks) > 1 and not head[-1:].isspace():
        toks = toks[:-1]
    if not toks:
        return False
    pat = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?") if allow_float else _INT
    return all(pat.fullmatch(t) for t in toks)
