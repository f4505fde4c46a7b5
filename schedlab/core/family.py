"""What a problem family declares: one :class:`Family` object in its package's ``__init__``.

A family is a Python package (inside schedlab or in another distribution) advertised by an
entry point in the group ``schedlab.families``::

    [project.entry-points."schedlab.families"]
    dag = "mydist.dag:family"

The object names everything the rest of schedlab needs: the instance type, the readers of
its file formats, its generators, its plot, its command-line extras and the package holding
its methods (one module a method, each registering itself with
:func:`schedlab.core.registry.register`). Heavy parts (plots, CLI extras) are named as
``"module:attribute"`` strings and imported only when used.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import SchedlabError
from .model import Instance
from .schema import family_schema

#: ``accepts(path, head) -> bool``: whether the file (``head``: its first 4 KiB as text) is
#: in this reader's format. It must look at the file itself, never at other families.
Accepts = Callable[[str, str], bool]
#: ``read(path, index) -> Instance``: instance ``index`` (1-based; ``None`` for the only or
#: first one) of the file; raises :class:`~schedlab.core.errors.InstanceError` with file and line.
ReadFn = Callable[[str, "int | None"], Instance]


@dataclass(frozen=True)
class Reader:
    """One file format of a family.

    Attributes:
        format: a short name (``"orlib"``, ``"fjs"``, ``"minimalloc-csv"``).
        description: one line for the documentation and ``schedlab formats``.
        accepts: the sniffer (see :data:`Accepts`).
        read: the reader (see :data:`ReadFn`).
        count: the number of instances in a multi-instance file (``None``: one a file).
    """

    format: str
    description: str
    accepts: Accepts
    read: ReadFn
    count: Callable[[str], int] | None = None


def resolve(ref: str) -> Any:
    """Import ``"package.module:attribute"`` and return the attribute."""
    module, _, attr = ref.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split(".") if attr else []:
        obj = getattr(obj, part)
    return obj


@dataclass(frozen=True)
class Family:
    """A problem family.

    Attributes:
        name: the family's name, as written in the ``"problem"`` key of its JSON documents.
        description: one line (shown by ``schedlab methods``).
        instance_type: the instance class (satisfying :class:`~schedlab.core.model.Instance`).
        methods_package: the package whose modules register the family's methods.
        readers: the native file formats, tried in this order (JSON with a ``"problem"`` key
            is read by the core through ``instance_type.from_dict``).
        generators: name -> seeded generator ``f(**args, seed=...) -> Instance``; ``"generate"``
            is the default one (used by sweeps and the warm-up).
        plot: ``"module:function"`` drawing a solution:
            ``f(instance, solution, ax=None, title=None) -> matplotlib Figure`` (the figure
            is built on ``ax`` when given; saving is the caller's).
        solution_matches: whether a solution dict is of this family (plots without an instance).
        cli: ``"module:function"``: ``f(main, generate)`` adds the family's click commands
            (its ``generate`` subcommand, extra groups).
        samples: tiny instances solved by every method at warm-up (compiles JIT kernels and
            loads engines before any timed solve).
        warmup_params: method name -> parameters for those warm-up solves (a small work
            budget for searches whose default budget is long, e.g. ``{"iterations": 200}``).
    """

    name: str
    description: str
    instance_type: type[Any]
    methods_package: str
    readers: tuple[Reader, ...] = ()
    generators: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    plot: str | None = None
    solution_matches: Callable[[dict[str, Any]], bool] | None = None
    cli: str | None = None
    samples: Callable[[], list[Any]] | None = None
    warmup_params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("-", "_").isidentifier():
            raise SchedlabError(f"family name {self.name!r} is not an identifier")
        if getattr(self.instance_type, "problem", None) != self.name:
            raise SchedlabError(
                f"family {self.name!r}: its instance type's `problem` is "
                f"{getattr(self.instance_type, 'problem', None)!r}"
            )

    def method_modules(self) -> list[str]:
        """The modules of :attr:`methods_package` (one a method), sorted by name."""
        pkg = importlib.import_module(self.methods_package)
        paths = getattr(pkg, "__path__", None)
        if paths is None:
            return [self.methods_package]
        return [
            f"{self.methods_package}.{m.name}"
            for m in sorted(pkgutil.iter_modules(paths), key=lambda m: m.name)
            if not m.name.startswith("_")
        ]

    def plotter(self) -> Callable[..., Any] | None:
        """The plot function, imported on first use (``None`` if the family has none)."""
        return None if self.plot is None else resolve(self.plot)

    def cli_extension(self) -> Callable[..., Any] | None:
        """The CLI extras' ``register(main, generate)``, imported on first use (or ``None``)."""
        return None if self.cli is None else resolve(self.cli)

    def schema(self, kind: str = "instance") -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of the family's ``instance``, ``solution`` or
        ``result`` documents, from the ``schemas`` folder of the family's package (the parent
        of :attr:`methods_package`)."""
        return family_schema(self.methods_package.rpartition(".")[0], self.name, kind)

    def sample_instances(self) -> list[Any]:
        """The tiny instances used for warm-up (may be empty)."""
        return [] if self.samples is None else list(self.samples())
