"""Compiled kernels (numba): where they are cached, how they see the deadline, their clock.

- **Cache**: numba keeps compiled machine code in ``$SCHEDLAB_CACHE_DIR`` if set, else in the
  user's cache folder (``$XDG_CACHE_HOME/schedlab/numba``, ``~/.cache/schedlab/numba``), never
  inside the installed package. An explicit ``NUMBA_CACHE_DIR`` wins. Within it, each family's
  kernels live under a stamp of the family's sources (and of this module): numba checks only
  a kernel's own file, so a kernel whose callee in another file changed would otherwise load
  stale machine code (an LLVM "symbol not found" abort) after an upgrade or an edit. A stamp
  folder is marked when a process uses it; those of a scope beyond the
  :data:`KEEP_STAMPS` most recently used, and unused for :data:`STALE_AFTER_S`, are removed
  (each upgrade or edit would otherwise leave its machine code behind for good).
- **Deadline**: a kernel takes the deadline as one float, the absolute ``time.perf_counter()``
  value at which it must stop; :data:`NO_DEADLINE` (``math.inf``) when there is none. Use
  :func:`deadline` to get it from the options, and :func:`now` inside kernels (and
  :func:`clock` in Python loops): both jump to ``inf`` when the solve is cancelled, so a
  cancel (a service's ``cancel``, Ctrl-C) reaches a running kernel at its next check.
- **Warm-up**: every method is warmed up by solving its family's sample instances (see
  :func:`schedlab.warm_up`); a method whose kernels the samples do not reach declares a
  ``warmup`` when it registers.

Kernel modules decorate with :func:`njit` from here (``cache=True`` by default), so that the
cache location is set before numba sees the first kernel.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import math
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import numba

from ..core.options import SolveOptions
from ..core.timing import Deadline, clock

__all__ = ["NO_DEADLINE", "cache_dir", "clock", "deadline", "njit", "now"]

#: The deadline value meaning "no deadline".
NO_DEADLINE = math.inf
#: Environment variable naming the cache folder of compiled kernels.
CACHE_ENV = "SCHEDLAB_CACHE_DIR"
#: Stamp folders of one scope kept whatever their age (the most recently used).
KEEP_STAMPS = 4
#: Older stamp folders are removed once unused for this long (seconds): a process still
#: running on one may add a kernel to it.
STALE_AFTER_S = 86_400.0


def cache_dir() -> Path:
    """The folder numba caches schedlab's compiled kernels in."""
    explicit = os.environ.get("NUMBA_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get(CACHE_ENV)
    if base:
        return Path(base) / "numba"
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(xdg) if xdg else Path.home() / ".cache"
    return root / "schedlab" / "numba"


def _scope(source: Path) -> Path:
    """The folder whose sources a kernel's machine code depends on: its family's package
    (below a ``families`` folder), else its own folder."""
    parts = source.resolve().parts
    if "families" in parts[:-1]:
        i = len(parts) - 2 - parts[-2::-1].index("families")
        return Path(*parts[: i + 2])
    return source.resolve().parent


@functools.cache
def _stamp(scope: Path) -> str:
    digest = hashlib.sha1(Path(__file__).read_bytes())
    for path in sorted(scope.rglob("*.py")):
        digest.update(str(path.relative_to(scope)).encode())
        digest.update(path.read_bytes())
    return f"{scope.name}-{digest.hexdigest()[:16]}"


@functools.cache
def _claim(folder: Path) -> None:
    """Mark the stamp ``folder`` used now; remove the stale folders of the same scope."""
    prune_stamps(folder)


def prune_stamps(folder: Path, now: float | None = None) -> list[Path]:
    """Mark the stamp ``folder`` (``<scope>-<16 hex digits>``) used at ``now`` (default: the
    clock) and remove the other stamp folders of its scope beyond the :data:`KEEP_STAMPS`
    most recently used that are unused for :data:`STALE_AFTER_S`; return those removed. A
    folder that cannot be marked or removed is left as it is."""
    when = time.time() if now is None else now
    scope = folder.name.rsplit("-", 1)[0]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder, (when, when))
        pattern = re.compile(re.escape(scope) + "-[0-9a-f]{16}")
        others = [
            (q.stat().st_mtime, q)
            for q in folder.parent.iterdir()
            if q != folder and q.is_dir() and pattern.fullmatch(q.name)
        ]
    except OSError:
        return []
    others.sort(reverse=True)
    removed = []
    for used, q in others[KEEP_STAMPS - 1 :]:
        if when - used > STALE_AFTER_S:
            shutil.rmtree(q, ignore_errors=True)
            removed.append(q)
    return removed


def _use_cache_for(source: str | None) -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    folder = cache_dir()
    if source is not None and Path(source).is_file():
        folder = folder / _stamp(_scope(Path(source)))
        _claim(folder)
    numba.config.CACHE_DIR = str(folder)  # type: ignore[attr-defined]


_use_cache_for(__file__)


def njit(*args: Any, **kwargs: Any) -> Any:
    """``numba.njit`` with ``cache=True`` unless told otherwise (bare or with arguments), its
    cache under the stamp of the kernel's family sources."""
    kwargs.setdefault("cache", True)
    if args and callable(args[0]) and len(args) == 1 and not kwargs.get("signature"):
        _use_cache_for(inspect.getsourcefile(args[0]))
        return numba.njit(**kwargs)(args[0])
    inner = numba.njit(*args, **kwargs)

    def decorate(func: Any) -> Any:
        _use_cache_for(inspect.getsourcefile(func))
        return inner(func)

    return decorate


def deadline(when: SolveOptions | Deadline | float | None) -> float:
    """The kernel deadline (absolute ``perf_counter`` seconds, or :data:`NO_DEADLINE`)."""
    if when is None:
        return NO_DEADLINE
    if isinstance(when, SolveOptions):
        when = when.deadline
    if isinstance(when, Deadline):
        return float(when.end)
    return float(when)


@numba.njit(cache=True)
def now() -> float:  # pragma: no cover - numba
    """``time.perf_counter()`` from inside compiled code (deadline checks); ``inf`` once the
    solve running in this thread is cancelled (:func:`schedlab.core.timing.clock`)."""
    with numba.objmode(t="float64"):
        t = clock()
    return t
