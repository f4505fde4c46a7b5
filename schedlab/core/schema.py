"""Versioned JSON Schemas (draft 2020-12) of the documents schedlab reads and writes.

Every document carries ``"schema_version"``: a family's instances and solutions and the
:class:`~schedlab.core.result.Result`. A family ships its schemas as package data, in the
``schemas`` folder of its package (the parent of its methods package): ``instance.json`` and
``solution.json``. The Result's schema is the core's (``schedlab/core/schemas/result.json``);
:func:`schema` embeds the family's solution schema in it.

Readers accept a document without ``schema_version`` (written before versions existed) and
reject one with a version they do not know.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from .errors import InstanceError, SchedlabError, SolutionError

#: The version of every document schema (instances, solutions, results).
SCHEMA_VERSION = 1
#: The kinds of documents with a schema.
KINDS = ("instance", "solution", "result")
#: The JSON Schema dialect of the schemas.
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def version_error(value: Any) -> str | None:
    """Why ``value`` is not a schema version this schedlab reads (``None`` if it is)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"schema_version must be an integer, got {value!r}"
    if value != SCHEMA_VERSION:
        return (
            f"schema_version {value} is not supported (this schedlab reads version "
            f"{SCHEMA_VERSION}; upgrade schedlab)"
        )
    return None


def unstamp(
    data: dict[str, Any], kind: str = "instance", file: str | None = None
) -> dict[str, Any]:
    """``data`` without its ``schema_version`` (a shallow copy if it had one). A version this
    schedlab cannot read raises :class:`InstanceError` (``kind="instance"``, naming ``file``)
    or :class:`SolutionError` (``kind="solution"``), naming ``$.schema_version``."""
    if "schema_version" not in data:
        return data
    msg = version_error(data["schema_version"])
    if msg is not None:
        if kind == "instance":
            raise InstanceError(msg, file=file, path="$.schema_version")
        raise SolutionError(f"$.schema_version: {msg}")
    out = dict(data)
    del out["schema_version"]
    return out


def stamp(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with ``"schema_version"`` first (a new dict; ``data`` is not changed)."""
    if data.get("schema_version") == SCHEMA_VERSION and next(iter(data)) == "schema_version":
        return data
    out: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    out.update((k, v) for k, v in data.items() if k != "schema_version")
    return out


@cache
def _load(package: str, name: str) -> dict[str, Any]:
    try:
        text = resources.files(package).joinpath("schemas", name).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError, NotADirectoryError):
        raise SchedlabError(f"{package} ships no schema {name}") from None
    data: dict[str, Any] = json.loads(text)
    return data


def family_schema(package: str, family: str, kind: str) -> dict[str, Any]:
    """The schema of one kind of document (``instance``, ``solution`` or ``result``) of the
    family whose package is ``package``."""
    if kind not in KINDS:
        raise SchedlabError(f"unknown schema kind {kind!r} (known: {', '.join(KINDS)})")
    if kind != "result":
        return copy.deepcopy(_load(package, f"{kind}.json"))
    result = copy.deepcopy(_load(__name__.rpartition(".")[0], "result.json"))
    solution = copy.deepcopy(_load(package, "solution.json"))
    for key in ("$schema", "$id"):
        solution.pop(key, None)
    result["$id"] = f"https://schedlab.dev/schemas/v{SCHEMA_VERSION}/{family}/result.json"
    result["title"] = f"schedlab {family} result"
    result.setdefault("$defs", {})["solution"] = solution
    return result
