"""Checks shared by the families' JSON readers (``Instance.from_dict``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import InstanceError


def check_keys(
    data: Any,
    problem: str,
    what: str,
    known: Iterable[str],
    source: str | None,
    required: Iterable[str] = (),
) -> dict[str, Any]:
    """Check that ``data`` is a JSON object of family ``problem`` (``what`` names it in
    errors, e.g. "a toy instance") with only ``known`` keys and every ``required`` one."""
    if not isinstance(data, dict):
        raise InstanceError(f"{what} must be a JSON object", source)
    if data.get("problem", problem) != problem:
        raise InstanceError(f"problem is {data.get('problem')!r}, not '{problem}'", source)
    unknown = set(data) - set(known)
    if unknown:
        raise InstanceError(f"unknown key(s) {', '.join(sorted(unknown))}", source)
    for key in required:
        if key not in data:
            raise InstanceError(f'missing key "{key}"', source)
    return data


def default_name(source: str | None, fallback: str) -> str:
    """An instance's name when its JSON gives none: the file's stem, else ``fallback``."""
    return Path(source).stem if source and source[0] != "<" else fallback
