"""Sweep files (TOML) and their expansion into runs.

A sweep file names instance sets, methods (with parameter grids), time limits, threads and
seeds; the Cartesian product is the list of runs. Relative paths are taken relative to the
sweep file. Example::

    name = "smtt-small"
    time_limit = [1.0, 10.0]     # seconds; a number or a list (omit for no limit)
    work_limit = 5.0             # deterministic work in each method's unit (omit for none)
    seeds = [0, 1]               # an integer or a list (default 0)
    threads = 1                  # an integer or a list (default 1)
    margin = 5.0                 # watchdog: a run is killed after time_limit + margin
    store = "results/smtt.sqlite"  # default store (the CLI's --store wins)
    plugins = []                 # modules or .py files the worker imports (user methods)

    [sets]
    wt40 = ["../instances/smtt/wt40.txt#1-125"]          # globs, FILE#k, FILE#a-b, FILE#a-b:step
    n20 = ["../instances/smtt/data_20_800_new_.txt#1-800:40"]
    gen50 = { generate = { family = "smtt", n = 50, tf = [0.2, 0.6], rdd = 0.6, seeds = [1, 2] } }

    methods = ["edd", "mdd", { method = "atc", params = { k = [1.0, 2.0] } },
               { method = "dp", sets = ["n20"] }]

A file without ``#`` means every instance in it. In a generator spec, list values form a grid
(``seeds`` are the generator's seeds); the instance comes from
the family's default generator (``Family.generators["generate"]``) called as
``generate(**args, seed=s)``, or another of its generators named by ``generator`` (e.g. ``generator = "generate_mapping"``). A
set entry that is a table (``{ files = [...], generate = [...] }``) may also have
``drop = ["field", ...]``: those fields are removed from each of its instances (e.g.
``drop = ["capacity"]`` turns a memory allocation instance into its minimum-peak version). In
``params``, list values form a grid too (wrap a list-valued parameter in another list). A
method entry's ``sets`` restricts it to some sets, and its ``time_limit`` (a number or a
list) replaces the sweep's time limits for that method.

Every run has a key: the sha256 of the canonical JSON of the instance's content
(``to_dict()``), the method, its parameters, the time limit, the work limit (when set), the
seed and the threads. A run
that appears twice (the same instance in two sets) is kept once, under the first set.
"""

from __future__ import annotations

import glob
import hashlib
import importlib
import importlib.util
import itertools
import json
import os
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schedlab
from schedlab.api import count as count_instances

#: Default watchdog margin, in seconds, added to a run's time limit.
DEFAULT_MARGIN = 10.0

_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*(?::\s*(\d+)\s*)?)?$")
_TOP_KEYS = {
    "name",
    "time_limit",
    "time_limits",
    "work_limit",
    "work_limits",
    "seeds",
    "seed",
    "threads",
    "margin",
    "store",
    "plugins",
    "sets",
    "methods",
    "description",
}


class SweepError(schedlab.SchedlabError):
    """A sweep file is malformed or refers to something that does not exist."""


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: everything a worker needs, JSON-ready.

    Attributes:
        key: the run's identity (sha256 hex, see :func:`run_key`).
        sweep: the sweep's name.
        set: the instance set's name.
        source: where the instance came from (``file#k`` or a generator spec).
        instance: the instance's JSON (``to_dict()``).
        method: the method name.
        label: the method and its grid parameters, e.g. ``atc(k=2.0)``.
        params: the method's parameters.
        time_limit: seconds, or ``None``.
        seed: the solver seed.
        work_limit: the deterministic work budget, or ``None``.
        threads: threads for the run.
        watchdog: hard wall-clock limit in seconds (``None``: none).
        plugins: modules or files the worker imports before solving.
    """

    key: str
    sweep: str
    set: str
    source: str
    instance: dict[str, Any]
    method: str
    label: str
    params: dict[str, Any]
    time_limit: float | None
    seed: int
    threads: int
    watchdog: float | None
    plugins: tuple[str, ...] = ()
    work_limit: float | None = None

    @property
    def instance_name(self) -> str:
        """The instance's name."""
        return str(self.instance.get("name", "?"))

    @property
    def problem(self) -> str:
        """The instance's family."""
        return str(self.instance.get("problem", "?"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what the worker reads)."""
        return {
            "key": self.key,
            "sweep": self.sweep,
            "set": self.set,
            "source": self.source,
            "instance": self.instance,
            "method": self.method,
            "label": self.label,
            "params": self.params,
            "time_limit": self.time_limit,
            "work_limit": self.work_limit,
            "seed": self.seed,
            "threads": self.threads,
            "watchdog": self.watchdog,
            "plugins": list(self.plugins),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSpec:
        """Inverse of :meth:`to_dict`."""
        d = dict(data)
        d["plugins"] = tuple(d.get("plugins", ()))
        return cls(**d)


@dataclass(frozen=True)
class MethodSpec:
    """A method entry of a sweep file: a name, a parameter grid, optional set restriction."""

    method: str
    grid: dict[str, list[Any]] = field(default_factory=dict)
    sets: tuple[str, ...] | None = None
    label: str | None = None
    time_limits: tuple[float | None, ...] | None = None

    def combos(self) -> list[dict[str, Any]]:
        """Every parameter combination of the grid (one empty dict without a grid)."""
        names = list(self.grid)
        return [
            dict(zip(names, vals, strict=True)) for vals in itertools.product(*self.grid.values())
        ]

    def label_for(self, params: dict[str, Any]) -> str:
        """A readable name for one combination, e.g. ``atc(k=2.0)``."""
        base = self.label or self.method
        if not params:
            return base
        inner = ",".join(f"{k}={json.dumps(v, separators=(',', ':'))}" for k, v in params.items())
        return f"{base}({inner})"


@dataclass(frozen=True)
class InstanceSource:
    """One instance of a set: where it came from and its content."""

    source: str
    instance: dict[str, Any]


@dataclass
class Sweep:
    """A parsed sweep file.

    Attributes:
        name: the sweep's name (default: the file's stem).
        sets: set name -> list of instance entries (address strings or generator tables).
        methods: the method entries.
        time_limits: time limits (``None``: no limit).
        work_limits: deterministic work limits (``None``: none).
        seeds: solver seeds.
        threads: threads per run.
        margin: watchdog margin in seconds.
        store: the default store path, or ``None``.
        plugins: modules (or absolute .py paths) the workers import before solving.
        base: the directory relative paths refer to.
        first: if set, only the first ``first`` instances of each set (for smoke runs).
    """

    name: str
    sets: dict[str, list[Any]]
    methods: list[MethodSpec]
    time_limits: list[float | None] = field(default_factory=lambda: [None])
    work_limits: list[float | None] = field(default_factory=lambda: [None])
    seeds: list[int] = field(default_factory=lambda: [0])
    threads: list[int] = field(default_factory=lambda: [1])
    margin: float = DEFAULT_MARGIN
    store: str | None = None
    plugins: list[str] = field(default_factory=list)
    base: Path = field(default_factory=Path.cwd)
    first: int | None = None

    def instances(self) -> dict[str, list[InstanceSource]]:
        """Set name -> its instances, read or generated, in order."""
        return {
            name: _set_instances(name, entries, self.base, self.first)
            for name, entries in self.sets.items()
        }

    def expand(self) -> list[RunSpec]:
        """The runs: sets x instances x methods x params x time limits x work limits x seeds
        x threads.

        Raises :class:`SweepError` for unknown methods or parameters (plugins are imported
        first so that their methods are known).
        """
        load_plugins(self.plugins)
        known = _KnownMethods()
        for m in self.methods:
            if m.sets is not None:
                missing = sorted(set(m.sets) - set(self.sets))
                if missing:
                    raise SweepError(f"method {m.method}: unknown set(s) {', '.join(missing)}")
        runs: list[RunSpec] = []
        seen: set[str] = set()
        for set_name, items in self.instances().items():
            for item in items:
                problem = str(item.instance.get("problem"))
                for m in self.methods:
                    if m.sets is not None and set_name not in m.sets:
                        continue
                    known.check(problem, m)
                    limits = self.time_limits if m.time_limits is None else list(m.time_limits)
                    for params in m.combos():
                        for tl, wl, seed, threads in itertools.product(
                            limits, self.work_limits, self.seeds, self.threads
                        ):
                            key = run_key(item.instance, m.method, params, tl, seed, threads, wl)
                            if key in seen:
                                continue
                            seen.add(key)
                            runs.append(
                                RunSpec(
                                    key=key,
                                    sweep=self.name,
                                    set=set_name,
                                    source=item.source,
                                    instance=item.instance,
                                    method=m.method,
                                    label=m.label_for(params),
                                    params=params,
                                    time_limit=tl,
                                    seed=seed,
                                    threads=threads,
                                    watchdog=None if tl is None else tl + self.margin,
                                    plugins=tuple(self.plugins),
                                    work_limit=wl,
                                )
                            )
        return runs


def canonical_json(data: Any) -> str:
    """JSON with sorted keys and no spaces: the same data always gives the same text."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )


def run_key(
    instance: dict[str, Any],
    method: str,
    params: dict[str, Any],
    time_limit: float | None,
    seed: int,
    threads: int,
    work_limit: float | None = None,
) -> str:
    """The identity of a run: sha256 of the canonical JSON of its defining data (the work
    limit only when set, so that runs without one keep their keys)."""
    payload = {
        # the schema version is the document's format, not its content: runs keep their keys
        "instance": {k: v for k, v in instance.items() if k != "schema_version"},
        "method": method,
        "params": params,
        "time_limit": None if time_limit is None else float(time_limit),
        "seed": int(seed),
        "threads": int(threads),
    }
    if work_limit is not None:
        payload["work_limit"] = float(work_limit)
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def load_sweep(path: str | os.PathLike[str]) -> Sweep:
    """Read and validate a sweep file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise SweepError(f"{p}: cannot read: {e.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SweepError(f"{p}: invalid TOML: {e}") from None
    return parse_sweep(data, base=p.resolve().parent, default_name=p.stem)


def parse_sweep(
    data: dict[str, Any], base: Path | None = None, default_name: str = "sweep"
) -> Sweep:
    """Build a :class:`Sweep` from parsed TOML data (``base``: where relative paths start)."""
    base = Path.cwd() if base is None else Path(base)
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise SweepError(f"unknown key(s) in sweep file: {', '.join(unknown)}")
    name = str(data.get("name", default_name))
    sets = data.get("sets")
    if isinstance(sets, dict):
        misplaced = sorted(k for k in sets if k in _TOP_KEYS and k not in data)
        if misplaced:
            raise SweepError(
                f"[sets] has {', '.join(misplaced)}: in TOML, keys after a [table] header belong "
                "to that table, so write top-level keys before [sets]"
            )
    if not isinstance(sets, dict) or not sets:
        raise SweepError("a sweep needs a [sets] table with at least one instance set")
    norm_sets: dict[str, list[Any]] = {}
    for set_name, entry in sets.items():
        entries = entry if isinstance(entry, list) else [entry]
        if not entries:
            raise SweepError(f"set {set_name}: no instances")
        norm_sets[str(set_name)] = entries
    methods = _parse_methods(data.get("methods"))
    time_limits = _time_limits(data.get("time_limits", data.get("time_limit")))
    work_limits = _time_limits(data.get("work_limits", data.get("work_limit")), "work_limit")
    seeds = _int_list(data.get("seeds", data.get("seed", 0)), "seeds", minimum=0)
    threads = _int_list(data.get("threads", 1), "threads", minimum=1)
    margin = data.get("margin", DEFAULT_MARGIN)
    if isinstance(margin, bool) or not isinstance(margin, int | float) or margin < 0:
        raise SweepError(f"margin must be a non-negative number, got {margin!r}")
    store = data.get("store")
    if store is not None:
        store = str(base / str(store))
    plugins = []
    for plug in _as_list(data.get("plugins", [])):
        if not isinstance(plug, str):
            raise SweepError(f"plugins must be module names or .py paths, got {plug!r}")
        plugins.append(str((base / plug).resolve()) if plug.endswith(".py") else plug)
    return Sweep(
        name=name,
        sets=norm_sets,
        methods=methods,
        time_limits=time_limits,
        work_limits=work_limits,
        seeds=seeds,
        threads=threads,
        margin=float(margin),
        store=store,
        plugins=plugins,
        base=base,
    )


def load_plugins(plugins: list[str] | tuple[str, ...]) -> None:
    """Import plugin modules (dotted names or .py files) so that their methods register."""
    for plug in plugins:
        if plug.endswith(".py"):
            mod_name = "schedlab_sweep_plugin_" + hashlib.sha256(plug.encode()).hexdigest()[:12]
            if mod_name in sys.modules:
                continue
            spec = importlib.util.spec_from_file_location(mod_name, plug)
            if spec is None or spec.loader is None or not Path(plug).is_file():
                raise SweepError(f"plugin {plug}: no such file")
            module = importlib.util.module_from_spec(spec)
            sys.modules[mod_name] = module
            spec.loader.exec_module(module)
        else:
            try:
                importlib.import_module(plug)
            except ImportError as e:
                raise SweepError(f"plugin {plug}: cannot import ({e})") from None


# -- helpers ---------------------------------------------------------------------------------
def _as_list(v: Any) -> list[Any]:
    return list(v) if isinstance(v, list | tuple) else [v]


def _time_limits(raw: Any, what: str = "time_limit") -> list[float | None]:
    out: list[float | None] = []
    for v in _as_list(raw if raw is not None else [None]):
        if v is None:
            out.append(None)
        elif isinstance(v, bool) or not isinstance(v, int | float) or not v > 0:
            raise SweepError(f"{what} must be positive numbers, got {v!r}")
        else:
            out.append(float(v))
    if not out:
        raise SweepError(f"{what}: empty list")
    return out


def _int_list(v: Any, what: str, minimum: int) -> list[int]:
    out = []
    for x in _as_list(v):
        if isinstance(x, bool) or not isinstance(x, int) or x < minimum:
            raise SweepError(f"{what} must be integers >= {minimum}, got {x!r}")
        out.append(x)
    if not out:
        raise SweepError(f"{what}: empty list")
    return out


def _parse_methods(raw: Any) -> list[MethodSpec]:
    if raw is None or (isinstance(raw, list | dict) and not raw):
        raise SweepError("a sweep needs methods (a list of names or tables)")
    items: list[Any]
    if isinstance(raw, dict):  # [methods] name = { params... } form
        items = [{"method": k, "params": v} for k, v in raw.items()]
    else:
        items = _as_list(raw)
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(MethodSpec(item))
            continue
        if not isinstance(item, dict):
            raise SweepError(f"a method entry is a name or a table, got {item!r}")
        extra = sorted(
            set(item) - {"method", "name", "params", "sets", "label", "time_limit", "time_limits"}
        )
        if extra:
            raise SweepError(f"method entry: unknown key(s) {', '.join(extra)}")
        name = item.get("method", item.get("name"))
        if not isinstance(name, str):
            raise SweepError(f"method entry without a method name: {item!r}")
        params = item.get("params", {}) or {}
        if not isinstance(params, dict):
            raise SweepError(f"method {name}: params must be a table")
        grid = {str(k): _as_list(v) for k, v in params.items()}
        for k, vals in grid.items():
            if not vals:
                raise SweepError(f"method {name}: parameter {k} has an empty list")
        sets = item.get("sets")
        tl_raw = item.get("time_limits", item.get("time_limit"))
        out.append(
            MethodSpec(
                name,
                grid,
                None if sets is None else tuple(str(s) for s in _as_list(sets)),
                item.get("label"),
                None
                if tl_raw is None
                else tuple(_time_limits(tl_raw, f"method {name}: time_limit")),
            )
        )
    return out


class _KnownMethods:
    """Method name -> parameters, per family, loaded only for the families a sweep uses."""

    def __init__(self) -> None:
        self._cache: dict[str, dict[str, dict[str, Any]]] = {}

    def family(self, problem: str) -> dict[str, dict[str, Any]]:
        if problem not in self._cache:
            self._cache[problem] = {m.name: m.parameters() for m in schedlab.methods(problem)}
        return self._cache[problem]

    def check(self, problem: str, m: MethodSpec) -> None:
        if m.method == "auto":
            return
        fam = self.family(problem)
        if m.method not in fam:
            names = ", ".join(sorted(fam)) or "none"
            raise SweepError(f"unknown method {m.method!r} for {problem} (known: {names}, auto)")
        bad = sorted(set(m.grid) - set(fam[m.method]))
        if bad:
            raise SweepError(f"method {m.method} has no parameter {', '.join(bad)}")


def parse_range(frag: str, total: int | None, where: str) -> list[int]:
    """Instance numbers of ``k``, ``a-b`` or ``a-b:step`` (several joined by commas)."""
    out: list[int] = []
    for part in frag.split(","):
        m = _RANGE.match(part)
        if not m:
            raise SweepError(f"{where}: bad instance range {part!r} (use k, a-b or a-b:step)")
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else a
        step = int(m.group(3)) if m.group(3) else 1
        if a < 1 or b < a or step < 1:
            raise SweepError(f"{where}: bad instance range {part!r}")
        if total is not None and b > total:
            raise SweepError(f"{where}: instance {b} out of range (the file holds {total})")
        out.extend(range(a, b + 1, step))
    return out


def _set_instances(
    set_name: str, entries: list[Any], base: Path, first: int | None = None
) -> list[InstanceSource]:
    out: list[InstanceSource] = []
    for entry in entries:
        if first is not None and len(out) >= first:
            break
        left = None if first is None else first - len(out)
        if isinstance(entry, str):
            out.extend(_file_instances(set_name, entry, base, left))
        elif isinstance(entry, dict) and set(entry) <= {"files", "generate", "drop"}:
            got: list[InstanceSource] = []
            for f in _as_list(entry.get("files", [])):
                got.extend(_file_instances(set_name, str(f), base, left))
            for g in _as_list(entry.get("generate", [])):
                got.extend(_generated(set_name, g))
            out.extend(_dropped(set_name, got, entry.get("drop", [])))
        else:
            raise SweepError(
                f"set {set_name}: an entry is a file address or a table with files/generate/drop, "
                f"got {entry!r}"
            )
    if not out:
        raise SweepError(f"set {set_name}: no instances")
    return out if first is None else out[:first]


def _file_instances(
    set_name: str, address: str, base: Path, limit: int | None = None
) -> list[InstanceSource]:
    pattern, sep, frag = address.rpartition("#")
    if not sep:
        pattern, frag = address, ""
    full = pattern if os.path.isabs(pattern) else str(base / pattern)
    files = sorted(glob.glob(full)) if glob.has_magic(full) else [full]
    if not files:
        raise SweepError(f"set {set_name}: no file matches {address!r}")
    out: list[InstanceSource] = []
    for f in files:
        if limit is not None and len(out) >= limit:
            break
        if not Path(f).is_file():
            raise SweepError(f"set {set_name}: no such file {f}")
        total = count_instances(f)
        numbers = parse_range(frag, total, f) if frag else None
        shown = os.path.relpath(f, base) if not os.path.isabs(pattern) else f
        if numbers is None and total == 1:
            out.append(InstanceSource(shown, schedlab.read(f).to_dict()))
            continue
        for k in numbers or range(1, total + 1):
            if limit is not None and len(out) >= limit:
                break
            out.append(InstanceSource(f"{shown}#{k}", schedlab.read(f"{f}#{k}").to_dict()))
    return out


def _generated(set_name: str, spec: Any) -> list[InstanceSource]:
    if not isinstance(spec, dict) or "family" not in spec:
        raise SweepError(f"set {set_name}: a generator spec is a table with a family, got {spec!r}")
    args = dict(spec)
    family = str(args.pop("family"))
    gen_name = str(args.pop("generator", "generate"))
    seeds = _int_list(args.pop("seeds", args.pop("seed", 0)), "generator seeds", minimum=0)
    if family not in schedlab.family_names():
        raise SweepError(f"set {set_name}: unknown family {family!r}")
    gen = schedlab.family(family).generators.get(gen_name)
    if gen is None:
        what = "no generator" if gen_name == "generate" else f"no generator {gen_name!r}"
        raise SweepError(f"set {set_name}: family {family} has {what}")
    names = list(args)
    out = []
    for vals in itertools.product(*(_as_list(args[k]) for k in names)):
        kwargs = dict(zip(names, vals, strict=True))
        for s in seeds:
            try:
                inst = gen(**kwargs, seed=s)
            except TypeError as e:
                raise SweepError(f"set {set_name}: generator {family}: {e}") from None
            desc = " ".join(f"{k}={v}" for k, v in kwargs.items())
            fn = family if gen_name == "generate" else f"{family}.{gen_name}"
            out.append(InstanceSource(f"generate:{fn} {desc} seed={s}", inst.to_dict()))
    return out


def _dropped(set_name: str, items: list[InstanceSource], drop: Any) -> list[InstanceSource]:
    """``items`` without the fields ``drop`` names (each instance rebuilt, so validated)."""
    fields = _as_list(drop)
    if not all(isinstance(f, str) for f in fields):
        raise SweepError(f"set {set_name}: drop must be field names, got {drop!r}")
    if not fields:
        return items
    keep = {"problem", "name"} & set(fields)
    if keep:
        raise SweepError(f"set {set_name}: cannot drop {', '.join(sorted(keep))}")
    out = []
    for item in items:
        data = {k: v for k, v in item.instance.items() if k not in fields}
        try:
            inst = schedlab.load(data).to_dict()
        except schedlab.SchedlabError as e:
            raise SweepError(f"set {set_name}: {item.source} without {drop}: {e}") from None
        what = "+".join(fields)
        out.append(InstanceSource(f"{item.source} -{what}", inst))
    return out
