"""The public entry points: read, load, solve, check, methods."""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InstanceError, SchedlabError, SolutionError, SolveError
from .model import Instance
from .options import LogFn, SolveOptions
from .registry import (
    FAMILIES,
    Method,
    SolverOutput,
    available_families,
    family_methods,
    get_method,
)
from .result import Result
from .status import Status
from .versions import versions


def model_module(family: str) -> Any:
    """The model module of a family."""
    if family not in FAMILIES:
        raise InstanceError(f"unknown problem family {family!r} (known: {', '.join(FAMILIES)})")
    try:
        return importlib.import_module(f"schedlab.models.{family}")
    except ModuleNotFoundError as e:
        if e.name == f"schedlab.models.{family}":
            raise InstanceError(f"problem family {family!r} is not available yet") from None
        raise


def split_address(address: str) -> tuple[str, int | None]:
    """Split ``"path#k"`` into ``(path, k)`` (``k`` 1-based, ``None`` if absent)."""
    path, sep, frag = str(address).rpartition("#")
    if not sep or not path:
        return str(address), None
    if not frag.strip().isdigit() or int(frag) < 1:
        raise InstanceError(
            f"instance number after '#' must be a positive integer, got {frag!r}", path
        )
    return path, int(frag)


def load(data: dict[str, Any] | str, source: str | None = None) -> Instance:
    """Build an instance from its JSON form (a dict or a JSON string).

    The ``"problem"`` key names the family, so no flag is needed.
    """
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as e:
            raise InstanceError(f"invalid JSON: {e.msg}", source, e.lineno) from None
    if not isinstance(data, dict):
        raise InstanceError("a JSON instance must be an object", source)
    problem = data.get("problem")
    if not isinstance(problem, str):
        raise InstanceError('a JSON instance needs a "problem" key naming its family', source)
    return model_module(problem).Instance.from_dict(data, source=source)


def read(path: str | os.PathLike[str]) -> Instance:
    """Read an instance from a file, picking the reader from the file itself.

    ``path`` may end in ``#k`` to address instance ``k`` (1-based) of a multi-instance file;
    ``"-"`` reads a JSON instance from standard input.
    """
    address = os.fspath(path)
    if address == "-":
        return load(sys.stdin.read(), source="<stdin>")
    file, index = split_address(address)
    p = Path(file)
    if not p.is_file():
        raise InstanceError("no such file" if not p.exists() else "not a file", file)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InstanceError(f"cannot read: {e.strerror}", file) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InstanceError("not a text file (invalid UTF-8)", file) from None
    if text.lstrip().startswith("{"):
        if index not in (None, 1):
            raise InstanceError(f"instance #{index} out of range: the file holds 1", file)
        return load(text, source=file)
    head = text[:4096]
    for family in available_families():
        mod = model_module(family)
        if mod.sniff(file, head):
            return mod.read(file, index)
    raise InstanceError("unrecognised file format (no family's reader accepts it)", file)


def count(path: str | os.PathLike[str]) -> int:
    """Number of instances in a file (1 for single-instance files)."""
    file = os.fspath(path)
    inst_head = Path(file).read_text(errors="replace")[:4096] if Path(file).is_file() else ""
    if not inst_head.lstrip().startswith("{"):
        for family in available_families():
            mod = model_module(family)
            if mod.sniff(file, inst_head) and hasattr(mod, "count"):
                return int(mod.count(file))
    read(file)
    return 1


def as_instance(instance: Instance | dict[str, Any] | str | os.PathLike[str]) -> Instance:
    """Accept an instance object, its JSON (dict or string), or a path (``file#k``)."""
    if isinstance(instance, dict):
        return load(instance)
    if isinstance(instance, str) and instance.lstrip().startswith("{"):
        return load(instance)
    if isinstance(instance, str | os.PathLike):
        return read(instance)
    if isinstance(instance, Instance):
        return instance
    raise SolveError(
        f"cannot solve a {type(instance).__name__}: pass an instance, its JSON or a path"
    )


def methods(family: str | None = None) -> list[Method]:
    """Registered methods, of one family or of all."""
    fams = [family] if family is not None else available_families()
    out: list[Method] = []
    for f in fams:
        out.extend(family_methods(f).values())
    return out


_WARMED: set[tuple[str, str]] = set()


def warm_up(family: str, method: str | None = None) -> list[str]:
    """Compile the JIT kernels of one method (``None`` or ``"auto"``: every method of the
    family) so that a later timed solve does not pay for it; return the methods warmed.

    numba caches the machine code on disk, so this matters once per installation (or after
    an upgrade): a cold first call of ``exact`` or ``ils`` can otherwise spend longer
    compiling than its time limit. Sweep workers call it before their watchdog starts.
    """
    known = family_methods(family)
    if method is None or method == "auto":
        chosen = list(known.values())
    else:
        chosen = [get_method(family, method)]
    done = []
    for m in chosen:
        if m.warmup is not None:
            if (family, m.name) not in _WARMED:
                m.warmup()
                _WARMED.add((family, m.name))
            done.append(m.name)
    return done


def pick_auto(instance: Instance, time_limit: float | None) -> Method:
    """The method ``auto`` runs for this instance and time limit: the highest priority
    among the methods that declare themselves fit."""
    best: tuple[float, Method] | None = None
    for m in family_methods(instance.problem).values():
        if m.auto is None:
            continue
        prio = m.auto(instance, time_limit)
        if prio is not None and (best is None or prio > best[0]):
            best = (prio, m)
    if best is None:
        raise SolveError(f"no method of {instance.problem} fits this instance for auto")
    return best[1]


def check(instance: Instance | dict[str, Any] | str, solution: dict[str, Any] | str) -> float:
    """Check a solution against an instance from scratch; return its objective.

    Raises :class:`SolutionError` if the solution is malformed or infeasible.
    """
    inst = as_instance(instance)
    if isinstance(solution, str):
        try:
            solution = json.loads(solution)
        except json.JSONDecodeError as e:
            raise SolutionError(f"solution is not valid JSON: {e.msg} (line {e.lineno})") from None
    if not isinstance(solution, dict):
        raise SolutionError("a solution must be a JSON object")
    return float(inst.check(solution))


@dataclass(frozen=True)
class _Timed:
    out: SolverOutput
    runtime: float


def _run(method: Method, inst: Instance, opts: SolveOptions, params: dict[str, Any]) -> _Timed:
    known = method.parameters()
    unknown = sorted(set(params) - set(known))
    if unknown:
        allowed = ", ".join(sorted(known)) or "none"
        raise SolveError(
            f"method {method.name} has no parameter {', '.join(unknown)} (its parameters: {allowed})"
        )
    t0 = time.perf_counter()
    out = method.func(inst, opts, **params)
    return _Timed(out, time.perf_counter() - t0)


def solve(
    instance: Instance | dict[str, Any] | str | os.PathLike[str],
    method: str = "auto",
    *,
    time_limit: float | None = None,
    threads: int = 1,
    seed: int = 0,
    log: LogFn | None = None,
    hint: dict[str, Any] | None = None,
    **params: Any,
) -> Result:
    """Solve an instance with a method and return a checked :class:`Result`.

    Args:
        instance: an instance object, its JSON (dict or string), or a path (``file#k``).
        method: a method name of the instance's family (see :func:`methods`), or ``"auto"``
            for the strongest method for the size and time limit.
        time_limit: seconds of wall-clock time; the solve returns within it plus a small margin.
        threads: worker threads the method may use.
        seed: random seed (with one thread, a run repeats exactly).
        log: callback receiving log lines; nothing is printed otherwise.
        hint: an initial solution (the family's solution JSON) to warm-start from.
        **params: the method's own parameters (see ``Method.parameters()``).

    The returned solution has been checked by the model's own checker, and the objective is
    the checker's, never the solver's.
    """
    inst = as_instance(instance)
    # Resolve the method first: importing a family's engines is a one-time cost that should
    # not eat into the time limit.
    m = pick_auto(inst, time_limit) if method == "auto" else get_method(inst.problem, method)
    opts = SolveOptions(time_limit=time_limit, threads=threads, seed=seed, log=log, hint=hint)
    if hint is not None:
        try:
            inst.check(hint)
        except SolutionError as e:
            raise SolveError(f"hint rejected: {e}") from None
    if method == "auto":
        opts.emit(f"auto: using method {m.name}")
    timed = _run(m, inst, opts, params)
    return _build_result(inst, m, opts, params, timed, chosen_by_auto=method == "auto")


def _build_result(
    inst: Instance,
    m: Method,
    opts: SolveOptions,
    params: dict[str, Any],
    timed: _Timed,
    chosen_by_auto: bool,
) -> Result:
    out = timed.out
    objective: float | None = None
    if out.solution is not None:
        try:
            objective = float(inst.check(out.solution))
        except SolutionError as e:
            raise SolveError(
                f"method {m.name} returned a solution that the {inst.problem} checker rejects: {e}"
            ) from None
        if out.objective is not None and abs(out.objective - objective) > 1e-6 * max(
            1.0, abs(objective)
        ):
            raise SolveError(
                f"method {m.name} reported objective {out.objective}, "
                f"but its solution's checked objective is {objective}"
            )
    status = Status(out.status)
    if out.solution is None and status.has_solution:
        raise SolveError(f"method {m.name} claimed status {status} without a solution")
    if out.solution is not None and not status.has_solution:
        status = Status.FEASIBLE
    used = {**m.parameters(), **params, **out.params}
    info = dict(out.info)
    if chosen_by_auto:
        info["auto"] = True
    try:
        return Result(
            problem=inst.problem,
            instance=inst.name,
            method=m.name,
            status=status,
            objective=objective,
            bound=None if out.bound is None else float(out.bound),
            runtime_s=timed.runtime,
            solution=out.solution,
            params=used,
            seed=opts.seed,
            threads=opts.threads,
            time_limit=opts.time_limit,
            versions=versions(),
            sense=inst.sense,
            reference=inst.reference,
            info=info,
        )
    except ValueError as e:
        raise SolveError(f"method {m.name} produced an impossible result: {e}") from None


__all__ = [
    "SchedlabError",
    "as_instance",
    "check",
    "count",
    "load",
    "methods",
    "pick_auto",
    "read",
    "solve",
    "split_address",
    "warm_up",
]
