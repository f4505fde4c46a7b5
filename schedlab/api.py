"""The public API: read, load, solve, check, methods, families, generate, warm_up.

The command line, sweeps and the service call only these functions.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .core.errors import ClaimError, InstanceError, SchedlabError, SolutionError, SolveError
from .core.family import Family, Reader
from .core.model import Instance
from .core.options import LogFn, SolveOptions
from .core.registry import (
    Method,
    SolverOutput,
    families,
    family_methods,
    get_family,
    get_method,
)
from .core.result import Result
from .core.schema import KINDS, stamp, unstamp
from .core.status import Status
from .core.timing import CancelToken
from .core.versions import versions

#: Bytes of a file shown to the readers' sniffers.
HEAD_BYTES = 4096


def family(name: str) -> Family:
    """The installed family named ``name`` (see :class:`~schedlab.core.family.Family`)."""
    return get_family(name)


def family_names() -> list[str]:
    """Names of the installed families, sorted."""
    return list(families())


def split_address(address: str) -> tuple[str, int | None]:
    """Split ``"path#k"`` into ``(path, k)`` (``k`` 1-based, ``None`` if absent).

    A ``#`` followed by anything but a positive integer is part of the file name.
    """
    path, sep, frag = str(address).rpartition("#")
    if not sep or not path:
        return str(address), None
    frag = frag.strip()
    if not frag.isdigit():
        return str(address), None
    if int(frag) < 1:
        raise InstanceError(f"instance number after '#' must be at least 1, got {frag!r}", path)
    return path, int(frag)


#: The integers a document may hold: those of a signed 64-bit machine word.
INT64 = 2**63 - 1


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def strict_json(text: str) -> Any:
    """Parse JSON as the standard has it: ``NaN`` and ``Infinity`` are rejected (Python's
    parser accepts them) with a :class:`json.JSONDecodeError`-like :class:`ValueError`."""
    return json.loads(text, parse_constant=_no_constant)


def _bad_number(x: Any) -> bool:
    """Whether a document holds an integer beyond int64 or a non-finite float (fast walk)."""
    stack = [x]
    while stack:
        x = stack.pop()
        t = type(x)
        if t is int:
            if not -INT64 - 1 <= x <= INT64:
                return True
        elif t is float:
            if not math.isfinite(x):
                return True
        elif t is list:
            stack.extend(x)
        elif t is dict:
            stack.extend(x.values())
    return False


def _check_numbers(data: Any, source: str | None, path: str = "$") -> None:
    """Reject integers beyond int64 and non-finite floats anywhere in a document, naming the
    JSON path (the families' arrays are int64)."""
    if not _bad_number(data):
        return
    if isinstance(data, bool):
        return
    if isinstance(data, int) and not -INT64 - 1 <= data <= INT64:
        raise InstanceError(f"{data} is beyond the 64-bit integer range", source, path=path)
    if isinstance(data, float) and not math.isfinite(data):
        raise InstanceError(f"{data} is not a finite number", source, path=path)
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for k, v in items:
        if _bad_number(v):
            _check_numbers(v, source, f"{path}.{k}" if isinstance(data, dict) else f"{path}[{k}]")


def _family_or_error(name: str, source: str | None) -> Family:
    try:
        return get_family(name)
    except SolveError as e:
        raise InstanceError(str(e), source) from None


def load(
    data: dict[str, Any] | str, source: str | None = None, *, family: str | None = None
) -> Instance:
    """Build an instance from its JSON form (a dict or a JSON string).

    The ``"problem"`` key names the family; ``family`` names it for documents without one
    (and must agree with it otherwise).
    """
    if isinstance(data, str):
        data = _parse_json(data, source)
    if not isinstance(data, dict):
        raise InstanceError("a JSON instance must be an object", source)
    _check_numbers(data, source)
    unstamp(data, "instance", file=source)  # an unknown schema_version is named here
    problem = data.get("problem", family)
    if not isinstance(problem, str):
        raise InstanceError('a JSON instance needs a "problem" key naming its family', source)
    if family is not None and problem != family:
        raise InstanceError(f"the document is a {problem} instance, not {family}", source)
    fam = _family_or_error(problem, source)
    inst: Instance = fam.instance_type.from_dict(data, source=source)
    return inst


def _read_head(file: str) -> str:
    p = Path(file)
    if not p.is_file():
        raise InstanceError("no such file" if not p.exists() else "not a file", file)
    try:
        with p.open("rb") as fh:
            raw = fh.read(HEAD_BYTES)
    except OSError as e:
        raise InstanceError(f"cannot read: {e.strerror}", file) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(raw) - 4:  # not merely a character cut at the end of the head
            raise InstanceError("not a text file (invalid UTF-8)", file) from None
        return raw[: e.start].decode("utf-8")


def _parse_json(text: str, source: str | None) -> Any:
    """A JSON document, or an :class:`InstanceError` naming the source and line."""
    try:
        return strict_json(text)
    except json.JSONDecodeError as e:
        raise InstanceError(f"invalid JSON: {e.msg}", source, e.lineno) from None
    except ValueError as e:  # NaN, Infinity
        raise InstanceError(f"invalid JSON: {e}", source) from None
    except RecursionError:
        raise InstanceError("invalid JSON: nested too deeply", source) from None


def _read_json(file: str) -> Any:
    try:
        text = Path(file).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InstanceError("not a text file (invalid UTF-8)", file) from None
    return _parse_json(text, file)


def _is_json_instance(head: str) -> bool:
    return head.lstrip().startswith("{") and '"problem"' in head


def readers_for(path: str, family: str | None = None) -> list[tuple[Family, Reader]]:
    """Every (family, reader) that accepts the file (of ``family`` only, if given)."""
    file, _ = split_address(os.fspath(path))
    return _accepting(file, _read_head(file), family)


def _accepting(file: str, head: str, family: str | None) -> list[tuple[Family, Reader]]:
    fams = [_family_or_error(family, file)] if family is not None else list(families().values())
    found: list[tuple[Family, Reader]] = []
    for fam in fams:
        for reader in fam.readers:
            if reader.accepts(file, head):
                found.append((fam, reader))
                break  # a family's own readers are tried in its order
    return found


def _one_reader(file: str, head: str, family: str | None) -> tuple[Family, Reader]:
    found = _accepting(file, head, family)
    if not found:
        if family is not None:
            raise InstanceError(f"not in any format of family {family}", file)
        raise InstanceError("unrecognised file format (no family's reader accepts it)", file)
    if len(found) > 1:
        names = ", ".join(f"{f.name} ({r.format})" for f, r in found)
        raise InstanceError(
            f"ambiguous file format: readers of several families accept it ({names}); "
            "name one with --family (family= in Python)",
            file,
        )
    return found[0]


def read(path: str | os.PathLike[str], *, family: str | None = None) -> Instance:
    """Read an instance from a file, asking every family's readers.

    ``path`` may end in ``#k`` to address instance ``k`` (1-based) of a multi-instance file;
    ``"-"`` reads a JSON instance from standard input. When readers of more than one family
    accept the file, name the family with ``family=``.
    """
    address = os.fspath(path)
    if address == "-":
        return load(sys.stdin.read(), source="<stdin>", family=family)
    file, index = split_address(address)
    head = _read_head(file)
    if head.lstrip().startswith("{"):
        data = _read_json(file)
        if isinstance(data, dict) and "problem" in data:
            if index not in (None, 1):
                raise InstanceError(f"instance #{index} out of range: the file holds 1", file)
            return load(data, source=file, family=family)
        if not _accepting(file, head, family):
            if family is not None and isinstance(data, dict):
                return load(data, source=file, family=family)
            raise InstanceError('a JSON instance needs a "problem" key naming its family', file)
    _, reader = _one_reader(file, head, family)
    return reader.read(file, index)


def count(path: str | os.PathLike[str], *, family: str | None = None) -> int:
    """Number of instances in a file (1 for single-instance files)."""
    file = os.fspath(path)
    head = _read_head(file)
    if _is_json_instance(head):
        return 1
    _, reader = _one_reader(file, head, family)
    return 1 if reader.count is None else int(reader.count(file))


#: Classes already seen to satisfy the :class:`Instance` protocol.
_INSTANCE_TYPES: set[type] = set()


def as_instance(
    instance: Instance | dict[str, Any] | str | os.PathLike[str], *, family: str | None = None
) -> Instance:
    """Accept an instance object, its JSON (dict or string), or a path (``file#k``)."""
    if type(instance) in _INSTANCE_TYPES:  # the fast path of a compiler's every call
        return instance  # type: ignore[return-value]
    if isinstance(instance, dict):
        return load(instance, family=family)
    if isinstance(instance, str) and instance.lstrip().startswith("{"):
        return load(instance, family=family)
    if isinstance(instance, str | os.PathLike):
        return read(instance, family=family)
    if isinstance(instance, Instance):  # a runtime Protocol check: slow, so done once a type
        _INSTANCE_TYPES.add(type(instance))
        return instance
    raise SolveError(
        f"cannot solve a {type(instance).__name__}: pass an instance, its JSON or a path"
    )


def generate(family: str, generator: str = "generate", **args: Any) -> Instance:
    """A generated instance of ``family`` (``generator`` names one of its generators)."""
    fam = get_family(family)
    gen = fam.generators.get(generator)
    if gen is None:
        known = ", ".join(sorted(fam.generators)) or "none"
        raise SolveError(f"family {family} has no generator {generator!r} (known: {known})")
    try:
        inst: Instance = gen(**args)
    except TypeError as e:  # a missing or unknown argument
        raise SolveError(f"generator {family}.{generator}: {e}") from None
    return inst


def schema(family: str, kind: str = "instance") -> dict[str, Any]:
    """The versioned JSON Schema (draft 2020-12) of a family's ``instance``, ``solution`` or
    ``result`` documents."""
    if kind not in KINDS:
        raise SolveError(f"unknown schema kind {kind!r} (known: {', '.join(KINDS)})")
    try:
        return get_family(family).schema(kind)
    except SolveError:
        raise
    except SchedlabError as e:
        raise SolveError(str(e)) from None


def methods(family: str | None = None) -> list[Method]:
    """Registered methods, of one family or of all."""
    fams = [family] if family is not None else list(families())
    out: list[Method] = []
    for f in fams:
        out.extend(family_methods(f).values())
    return out


_WARMED: set[tuple[str, str]] = set()


def warm_up(family: str, method: str | None = None) -> list[str]:
    """Load the engines and compile the JIT kernels of one method (``None`` or ``"auto"``:
    every method of the family), so that no later timed solve pays for it; return the
    methods warmed.

    Every method is warmed up the same way: its own kernel warm-up if it declares one, then
    (for the family's own methods) a solve of each of the family's sample instances (no time
    limit). numba caches machine
    code on disk, so compiling is a one-off per installation; imports are per process.
    Sweep workers and the service call this before their clocks start.
    """
    if method is not None and method != "auto" and (family, method) in _WARMED:
        return [method]  # the fast path of a service's every solve
    known = family_methods(family)
    if method is None or method == "auto":
        chosen = list(known.values())
    else:
        chosen = [get_method(family, method)]
    if all((family, m.name) in _WARMED for m in chosen):
        return [m.name for m in chosen]
    fam = get_family(family)
    samples = fam.sample_instances()
    done = []
    for m in chosen:
        if (family, m.name) not in _WARMED:
            if m.warmup is not None:
                m.warmup()
            # the family's own methods solve its samples; a plugin's method (which may do
            # anything with them) is warmed by its own ``warmup`` only
            own = m.func.__module__.startswith(fam.methods_package + ".")
            params = dict(fam.warmup_params.get(m.name, {}))
            for inst in samples if own else []:
                # a sample outside the method's scope (e.g. a kind it does not solve) is skipped
                with contextlib.suppress(SchedlabError):
                    _run(m, inst, SolveOptions(), params)
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
            solution = strict_json(solution)
        except json.JSONDecodeError as e:
            raise SolutionError(f"solution is not valid JSON: {e.msg} (line {e.lineno})") from None
        except (ValueError, RecursionError) as e:
            raise SolutionError(f"solution is not valid JSON: {e}") from None
    if not isinstance(solution, dict):
        raise SolutionError("a solution must be a JSON object")
    return float(inst.check(unstamp(solution, "solution")))


def verify(instance: Instance | dict[str, Any] | str, result: dict[str, Any]) -> float:
    """Check a Result (its JSON data) against an instance from scratch: its solution's
    feasibility, and its claims — family, instance name, status, objective and bound — against
    the recomputed objective; return that objective.

    Raises :class:`SolutionError` for an infeasible solution and :class:`ClaimError` for a
    claim the solution does not bear out.
    """
    inst = as_instance(instance)
    if result.get("problem") != inst.problem:
        raise ClaimError(f"the result is for family {result.get('problem')}, not {inst.problem}")
    if result.get("instance") != inst.name:
        raise ClaimError(
            f"the result is for instance {result.get('instance')!r}, not {inst.name!r}"
        )
    status = result.get("status")
    sol = result.get("solution")
    if sol is None:
        if status in ("optimal", "feasible"):
            raise ClaimError(f"status {status} without a solution")
        return math.nan
    if status not in ("optimal", "feasible"):
        raise ClaimError(f"status {status!r} with a solution (expected optimal or feasible)")
    value = check(inst, sol)
    tol = 1e-6 * max(1.0, abs(value))
    claimed = result.get("objective")
    if not isinstance(claimed, int | float) or abs(float(claimed) - value) > tol:
        raise ClaimError(f"claimed objective {claimed}, but the solution's objective is {value:g}")
    bound = result.get("bound")
    if bound is not None:
        if not isinstance(bound, int | float) or math.isnan(bound):
            raise ClaimError(f"bound {bound!r} is not a number")
        beats = bound > value + tol if inst.sense == "min" else bound < value - tol
        if beats:
            raise ClaimError(f"claimed bound {bound} beats the solution's objective {value:g}")
    if status == "optimal" and (bound is None or abs(float(bound) - value) > tol):
        raise ClaimError(f"claimed optimal, but the bound {bound} is not the objective {value:g}")
    return value


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
    with opts.deadline.active():
        out = method.func(inst, opts, **params)
    return _Timed(out, time.perf_counter() - t0)


def solve(
    instance: Instance | dict[str, Any] | str | os.PathLike[str],
    method: str = "auto",
    *,
    time_limit: float | None = None,
    work_limit: float | None = None,
    threads: int = 1,
    seed: int = 0,
    log: LogFn | None = None,
    hint: dict[str, Any] | None = None,
    family: str | None = None,
    cancel: CancelToken | None = None,
    **params: Any,
) -> Result:
    """Solve an instance with a method and return a checked :class:`Result`.

    Args:
        instance: an instance object, its JSON (dict or string), or a path (``file#k``).
        method: a method name of the instance's family (see :func:`methods`), or ``"auto"``
            for the strongest method for the size and time limit.
        time_limit: seconds of wall-clock time; the solve returns within it plus a small margin.
        work_limit: a deterministic budget of work in the method's unit (``Method.work``:
            CP-SAT deterministic time, nodes, iterations); with one thread and a seed the
            result then repeats exactly on any load. Constructive methods ignore it.
        threads: worker threads the method may use.
        seed: random seed (with one thread, a run repeats exactly).
        log: callback receiving log lines; nothing is printed otherwise.
        hint: an initial solution (the family's solution JSON) to warm-start from.
        family: the family, for a file or document that does not name it unambiguously.
        cancel: a :class:`~schedlab.core.timing.CancelToken`; cancelling it ends the solve
            early with the best solution so far (``info["interrupted"]`` is then true).
        **params: the method's own parameters (see ``Method.parameters()``).

    The returned solution has been checked by the model's own checker, and the objective is
    the checker's, never the solver's. The method's engines and compiled kernels are loaded
    (compiled on first use) before the time limit starts; ``info["compile_s"]`` says how long
    that took when it took any time.
    """
    inst = as_instance(instance, family=family)
    # Resolve the method first: importing a family's engines is a one-time cost that should
    # not eat into the time limit.
    m = pick_auto(inst, time_limit) if method == "auto" else get_method(inst.problem, method)
    # Load the method's engines and compile its kernels before the clock starts (a no-op once
    # warm): a time limit is the method's, never the compiler's.
    t_warm = time.perf_counter()
    if m.needs_kernels is None or m.needs_kernels(inst):
        warm_up(inst.problem, m.name)
    compile_s = time.perf_counter() - t_warm
    if hint is not None:
        try:
            if not isinstance(hint, dict):
                raise SolutionError("a hint must be a solution object")
            hint = unstamp(hint, "solution")
            inst.check(hint)
        except SolutionError as e:
            raise SolveError(f"hint rejected: {e}") from None
    opts = SolveOptions(
        time_limit=time_limit,
        work_limit=work_limit,
        threads=threads,
        seed=seed,
        log=log,
        hint=hint,
        cancel=cancel,
    )
    if method == "auto":
        opts.emit(f"auto: using method {m.name}")
    timed = _run(m, inst, opts, params)
    res = _build_result(inst, m, opts, params, timed, chosen_by_auto=method == "auto")
    if compile_s >= 0.01:
        res.info["compile_s"] = round(compile_s, 3)
    return res


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
    solution = out.solution
    if solution is not None:
        try:
            objective = float(inst.check(solution))
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
        solution = stamp(solution)
    status = Status(out.status)
    if out.solution is None and status.has_solution:
        raise SolveError(f"method {m.name} claimed status {status} without a solution")
    if out.solution is not None and not status.has_solution:
        status = Status.FEASIBLE
    used = {**m.parameters(), **params, **out.params}
    info = dict(out.info)
    if chosen_by_auto:
        info["auto"] = True
    if opts.deadline.cancelled:
        info["interrupted"] = True
    if opts.work_limit is not None and m.work is not None:
        info.setdefault("work", opts.work.used)
    try:
        return Result(
            problem=inst.problem,
            instance=inst.name,
            method=m.name,
            status=status,
            objective=objective,
            bound=None if out.bound is None else float(out.bound),
            runtime_s=timed.runtime,
            solution=solution,
            params=used,
            seed=opts.seed,
            threads=opts.threads,
            time_limit=opts.time_limit,
            work_limit=opts.work_limit,
            versions=versions(),
            sense=inst.sense,
            reference=inst.reference,
            info=info,
        )
    except ValueError as e:
        raise SolveError(f"method {m.name} produced an impossible result: {e}") from None


__all__ = [
    "as_instance",
    "check",
    "count",
    "family",
    "family_names",
    "generate",
    "load",
    "methods",
    "pick_auto",
    "read",
    "readers_for",
    "schema",
    "solve",
    "split_address",
    "verify",
    "warm_up",
]
