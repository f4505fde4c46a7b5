"""The families (found through entry points) and their methods.

Families are advertised in the entry-point group ``schedlab.families`` (see
:mod:`schedlab.core.family`); a family's methods register themselves with :func:`register`
when the modules of its methods package are imported, which happens the first time a
method of that family is asked for. Plugins (a sweep's ``plugins``, user code) may register
further methods for any family the same way.
"""

from __future__ import annotations

import importlib
import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from .errors import SchedlabError, SolveError
from .family import Family
from .status import Status

#: The entry-point group that advertises families.
ENTRY_POINT_GROUP = "schedlab.families"


@dataclass
class SolverOutput:
    """What a method's function returns; the API turns it into a checked Result.

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


#: ``auto`` selection: ``(instance, time_limit) -> priority`` (higher wins) or ``None`` (unfit).
AutoFn = Callable[[Any, "float | None"], "float | None"]


@dataclass(frozen=True)
class Method:
    """A registered method."""

    family: str
    name: str
    exact: bool
    help: str
    func: Callable[..., SolverOutput] = field(repr=False)
    engine: str = "python"
    auto: AutoFn | None = field(default=None, repr=False)
    #: compiles kernels the family's sample instances would not reach (optional; every method
    #: is also warmed up by solving the family's samples).
    warmup: Callable[[], None] | None = field(default=None, repr=False)
    #: the unit of ``work_limit`` for this method (``None``: it does no search and ignores it)
    work: str | None = None
    #: ``needs_kernels(instance)``: whether solving it needs the method's warm-up (compiled
    #: kernels, engines) first; ``None``: always. A method that solves small instances
    #: without its kernels answers them in a fresh process without loading them.
    needs_kernels: Callable[[Any], bool] | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        """``"exact"`` or ``"heuristic"``."""
        return "exact" if self.exact else "heuristic"

    def parameters(self) -> dict[str, Any]:
        """The method's own parameters with their defaults (beyond the common options)."""
        return dict(_parameters(self.func))


_SIGNATURES: dict[Callable[..., Any], dict[str, Any]] = {}


def _parameters(func: Callable[..., Any]) -> dict[str, Any]:
    got = _SIGNATURES.get(func)
    if got is None:
        sig = inspect.signature(func)
        got = {
            n: p.default
            for n, p in list(sig.parameters.items())[2:]
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        }
        _SIGNATURES[func] = got
    return got


_METHODS: dict[str, dict[str, Method]] = {}
_LOADED: set[str] = set()
_FAMILIES: dict[str, Family] | None = None


def register(
    family: str,
    name: str,
    *,
    exact: bool,
    help: str,
    engine: str = "python",
    auto: AutoFn | None = None,
    warmup: Callable[[], None] | None = None,
    work: str | None = None,
    needs_kernels: Callable[[Any], bool] | None = None,
) -> Callable[[Callable[..., SolverOutput]], Callable[..., SolverOutput]]:
    """Decorator registering ``func(instance, options, *, param=default, ...)`` as a method
    of ``family``.

    ``engine`` names what the method drives (``"ortools"``, ``"highs"``, ``"pyomo"``,
    ``"numba"``, ``"python"``); ``auto`` makes it a candidate of ``method="auto"``; ``work``
    names the unit of ``work_limit`` for the method (``None`` for a method that does no search);
    ``needs_kernels(instance)`` says whether a solve of that instance needs the method's warm-up
    first (default: always).
    """

    def deco(func: Callable[..., SolverOutput]) -> Callable[..., SolverOutput]:
        methods = _METHODS.setdefault(family, {})
        if name in methods and methods[name].func is not func:
            raise SchedlabError(f"method {family}/{name} registered twice")
        methods[name] = Method(
            family, name, exact, help, func, engine, auto, warmup, work, needs_kernels
        )
        return func

    return deco


def families() -> dict[str, Family]:
    """Name -> :class:`Family` of every installed family (entry points), sorted by name.

    A plugin whose entry point cannot be loaded is left out with a warning.
    """
    global _FAMILIES
    if _FAMILIES is None:
        found: dict[str, Family] = {}
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in found:
                continue
            try:
                fam = ep.load()
            except Exception as e:  # a broken plugin must not break schedlab
                warnings.warn(
                    f"schedlab: family plugin {ep.name!r} ({ep.value}) cannot be loaded: {e}",
                    stacklevel=2,
                )
                continue
            if not isinstance(fam, Family) or fam.name != ep.name:
                warnings.warn(
                    f"schedlab: entry point {ep.name!r} ({ep.value}) is not a Family named "
                    f"{ep.name!r}; ignored",
                    stacklevel=2,
                )
                continue
            found[ep.name] = fam
        _FAMILIES = dict(sorted(found.items()))
    return _FAMILIES


def get_family(name: str) -> Family:
    """The family named ``name``; raises :class:`SolveError` naming the known ones."""
    fams = families()
    if name not in fams:
        raise SolveError(f"unknown family {name!r} (known: {', '.join(fams) or 'none'})")
    return fams[name]


def load_methods(family: str) -> None:
    """Import the family's method modules, so that its methods register themselves."""
    if family in _LOADED:
        return
    fam = get_family(family)
    for module in fam.method_modules():
        importlib.import_module(module)
    _LOADED.add(family)


def family_methods(family: str) -> dict[str, Method]:
    """Name -> :class:`Method` for one family."""
    load_methods(family)
    return dict(_METHODS.get(family, {}))


def get_method(family: str, name: str) -> Method:
    """Look up one method; raises :class:`SolveError` naming the known ones."""
    methods = family_methods(family)
    if name not in methods:
        known = ", ".join(sorted(methods)) or "none"
        raise SolveError(f"unknown method {name!r} for {family} (known: {known}, auto)")
    return methods[name]
