"""Checks shared by the families' JSON readers (``Instance.from_dict``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import InstanceError
from .schema import version_error


def check_keys(
    data: Any,
    problem: str,
    what: str,
    known: Iterable[str],
    source: str | None,
    required: Iterable[str] = (),
    path: str = "$",
) -> dict[str, Any]:
    """Check that ``data`` is a JSON object of family ``problem`` (``what`` names it in
    errors, e.g. "a toy instance") with only ``known`` keys (``schema_version`` is always
    known, and checked) and every ``required`` one; errors name the JSON path (``path`` is
    the object's own)."""
    if not isinstance(data, dict):
        raise InstanceError(f"{what} must be a JSON object", source, path=path)
    if data.get("problem", problem) != problem:
        raise InstanceError(
            f"problem is {data.get('problem')!r}, not '{problem}'", source, path=f"{path}.problem"
        )
    if "schema_version" in data:
        msg = version_error(data["schema_version"])
        if msg is not None:
            raise InstanceError(msg, source, path=f"{path}.schema_version")
    unknown = set(data) - set(known) - {"schema_version"}
    if unknown:
        first = sorted(unknown)[0]
        raise InstanceError(
            f"unknown key(s) {', '.join(sorted(unknown))}", source, path=f"{path}.{first}"
        )
    for key in required:
        if key not in data:
            raise InstanceError(f'missing key "{key}"', source, path=f"{path}.{key}")
    return data


def default_name(source: str | None, fallback: str) -> str:
    """An instance's name when its JSON gives none: the file's stem, else ``fallback``."""
    return Path(source).stem if source and source[0] != "<" else fallback
