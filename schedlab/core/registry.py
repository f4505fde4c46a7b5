"""The method registry: every family's methods, with name, kind and one line of help."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import SolveError
from .status import Status

#: The problem families, in the order the CLI lists them. A family is loaded only when its
#: model module exists.
FAMILIES: tuple[str, ...] = ("smtt", "fjsp", "pipelining", "memory", "partition")


@dataclass
class SolverOutput:
    """What a method's function returns; the core turns it into a checked :class:`Result`.

    Attributes:
        solution: the solution in the family's JSON form, or ``None`` if none was found.
        status: ``OPTIMAL`` only where proved, ``FEASIBLE``, ``INFEASIBLE`` or ``UNKNOWN``.
        bound: a proven bound on the optimum (lower for minimisation), or ``None``.
        objective: the objective the method believes it reached (cross-checked against the
            model's checker; a mismatch is a :class:`SolveError`), or ``None``.
        params: parameters as actually used (defaults filled in).
        info: method-specific figures for the record.
    """

    solution: dict[str, Any] | None
    status: Status
    bound: float | None = None
    objective: float | None = None
    params: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Method:
    """A registered method."""

    family: str
    name: str
    exact: bool
    help: str
    func: Callable[..., SolverOutput] = field(repr=False)
    engine: str = "python"
    #: ``auto`` selection: a callable (instance, time_limit) -> priority or None (not fit).
    auto: Callable[[Any, float | None], float | None] | None = field(default=None, repr=False)
    #: compiles the method's JIT kernels (numba) ahead of a timed solve; ``None``: nothing to do.
    warmup: Callable[[], None] | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        """``"exact"`` or ``"heuristic"``."""
        return "exact" if self.exact else "heuristic"

    def parameters(self) -> dict[str, Any]:
        """The method's own parameters with their defaults (beyond the common options)."""
        sig = inspect.signature(self.func)
        return {
            n: p.default
            for n, p in list(sig.parameters.items())[2:]
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        }


_REGISTRY: dict[str, dict[str, Method]] = {}
_LOADED: set[str] = set()


def register(
    family: str,
    name: str,
    *,
    exact: bool,
    help: str,
    engine: str = "python",
    auto: Callable[[Any, float | None], float | None] | None = None,
    warmup: Callable[[], None] | None = None,
) -> Callable[[Callable[..., SolverOutput]], Callable[..., SolverOutput]]:
    """Decorator registering ``func(instance, options, *, param=default, ...)`` as a method.

    ``warmup`` (optional) compiles the method's JIT kernels on a tiny input: the first call
    after an installation otherwise spends seconds compiling inside the timed solve (numba
    caches the machine code on disk, so it is a one-off per installation).
    """

    def deco(func: Callable[..., SolverOutput]) -> Callable[..., SolverOutput]:
        methods = _REGISTRY.setdefault(family, {})
        if name in methods:
            raise RuntimeError(f"method {family}/{name} registered twice")
        methods[name] = Method(family, name, exact, help, func, engine, auto, warmup)
        return func

    return deco


def family_available(family: str) -> bool:
    """True if the family's model module exists in this installation."""
    return importlib.util.find_spec(f"schedlab.models.{family}") is not None


def available_families() -> list[str]:
    """Families present in this installation."""
    return [f for f in FAMILIES if family_available(f)]


def load_family(family: str) -> None:
    """Import a family's solver package so that its methods register themselves."""
    if family in _LOADED:
        return
    if family not in FAMILIES or not family_available(family):
        raise SolveError(f"unknown problem family {family!r} (known: {', '.join(FAMILIES)})")
    if importlib.util.find_spec(f"schedlab.solvers.{family}") is not None:
        importlib.import_module(f"schedlab.solvers.{family}")
    _LOADED.add(family)


def family_methods(family: str) -> dict[str, Method]:
    """Name -> :class:`Method` for one family."""
    load_family(family)
    return dict(_REGISTRY.get(family, {}))


def get_method(family: str, name: str) -> Method:
    """Look up one method; raises :class:`SolveError` naming the known ones."""
    methods = family_methods(family)
    if name not in methods:
        known = ", ".join(sorted(methods)) or "none"
        raise SolveError(f"unknown method {name!r} for {family} (known: {known}, auto)")
    return methods[name]
