"""Reports of a result store: a summary table (markdown or CSV) and performance profiles.

Per group (by default per method and instance set) the table gives: runs, solved (a
solution was found), optimal (proven), failed (timeout or error), at ref (objective at or
better than the instance's reference value), mean gap % to the reference (over the solved
runs whose instance has a non-zero reference), and mean and max time (the solver's own
runtime, or the wall time of a run that did not finish).

The gap of a run to the reference ``r`` is ``(objective - r) / |r|`` (sign flipped for
maximisation); with ``r = 0`` it is 0 when the objective is 0 too and infinite otherwise.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterable, Sequence
from typing import Any

import schedlab

from .store import Store

_TOL = 1e-9

#: ``--by`` names and the store columns they read.
GROUP_COLUMNS: dict[str, str] = {
    "method": "label",
    "method_name": "method",
    "set": "set_name",
    "sweep": "sweep",
    "problem": "problem",
    "instance": "instance",
    "time_limit": "time_limit",
    "work_limit": "work_limit",
    "threads": "threads",
    "seed": "seed",
    "status": "status",
    "host": "host",
    "executor": "executor",
}

HEADERS: tuple[str, ...] = (
    "runs",
    "solved",
    "optimal",
    "failed",
    "at ref",
    "mean gap %",
    "mean time s",
    "max time s",
)


class ReportError(schedlab.SchedlabError):
    """A report cannot be made (unknown grouping, empty store, ...)."""


def load_rows(store: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every run of a store (see :data:`schedlab.sweep.store.COLUMNS`, without ``result``)."""
    with Store(store, create=False) as st:
        return st.rows()


def reference_gap(row: dict[str, Any]) -> float | None:
    """The run's relative gap to its instance's reference (``None`` without either)."""
    obj, ref = row.get("objective"), row.get("reference")
    if obj is None or ref is None:
        return None
    obj, ref = float(obj), float(ref)
    diff = obj - ref if row.get("sense", "min") != "max" else ref - obj
    if abs(diff) <= _TOL * max(1.0, abs(ref)):
        return 0.0 if diff >= 0 else diff / abs(ref)
    if ref == 0:
        return math.inf if diff > 0 else -math.inf
    return diff / abs(ref)


def run_time(row: dict[str, Any]) -> float:
    """The solver's runtime, or the wall time for a run without a result."""
    t = row.get("runtime_s")
    if t is None:
        t = row.get("wall_s")
    return float(t or 0.0)


def is_solved(row: dict[str, Any]) -> bool:
    """A solution was found."""
    return row.get("status") in ("optimal", "feasible")


def is_at_reference(row: dict[str, Any]) -> bool:
    """Proven optimal, or at (or better than) the instance's reference value."""
    if row.get("status") == "optimal":
        return True
    g = reference_gap(row)
    return g is not None and g <= _TOL


def _parse_by(by: str | Sequence[str]) -> list[str]:
    names = [b.strip() for b in (by.split(",") if isinstance(by, str) else by) if b.strip()]
    bad = [b for b in names if b not in GROUP_COLUMNS]
    if bad:
        raise ReportError(f"cannot group by {', '.join(bad)} (use: {', '.join(GROUP_COLUMNS)})")
    return names


def summarize(
    rows: Iterable[dict[str, Any]], by: str | Sequence[str] = ("method", "set")
) -> list[dict[str, Any]]:
    """One dict per group: the ``by`` fields, then :data:`HEADERS` (numbers, not text).

    Groups are sorted by the first ``by`` field, then the second, ..., each field's values in
    the order they first appear in the store.
    """
    names = _parse_by(by)
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    first_seen: list[dict[Any, int]] = [{} for _ in names]
    for row in rows:
        key = tuple(row[GROUP_COLUMNS[n]] for n in names)
        for seen, value in zip(first_seen, key, strict=True):
            seen.setdefault(value, len(seen))
        groups.setdefault(key, []).append(row)
    order = sorted(groups, key=lambda k: [seen[v] for seen, v in zip(first_seen, k, strict=True)])
    table = []
    for key in order:
        members = groups[key]
        pairs = [(r, reference_gap(r)) for r in members]
        nonzero = [g for r, g in pairs if g is not None and r["reference"]]
        times = [run_time(r) for r in members]
        entry: dict[str, Any] = dict(zip(names, key, strict=True))
        entry.update(
            {
                "runs": len(members),
                "solved": sum(is_solved(r) for r in members),
                "optimal": sum(r["status"] == "optimal" for r in members),
                "failed": sum(r["status"] in ("timeout", "error") for r in members),
                "at ref": sum(1 for _, g in pairs if g is not None and g <= _TOL),
                "mean gap %": 100 * sum(nonzero) / len(nonzero) if nonzero else None,
                "mean time s": sum(times) / len(times) if times else None,
                "max time s": max(times) if times else None,
            }
        )
        table.append(entry)
    return table


def _cell(name: str, v: Any) -> str:
    if v is None:
        return "-"
    if name == "mean gap %":
        return f"{v:.2f}"
    if name.endswith("time s"):
        return f"{v:.3f}"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def to_markdown(table: list[dict[str, Any]]) -> str:
    """The table as GitHub markdown."""
    if not table:
        return "(no runs)"
    cols = list(table[0])
    numeric = set(HEADERS)
    lines = [
        "| " + " | ".join(cols) + " |",
        "|" + "|".join("---:" if c in numeric else "---" for c in cols) + "|",
    ]
    for row in table:
        lines.append("| " + " | ".join(_cell(c, row[c]) for c in cols) + " |")
    return "\n".join(lines)


def to_csv(table: list[dict[str, Any]]) -> str:
    """The table as CSV (numbers unrounded)."""
    buf = io.StringIO()
    if table:
        writer = csv.DictWriter(buf, fieldnames=list(table[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)
    return buf.getvalue()


def report(
    store: str | os.PathLike[str],
    by: str | Sequence[str] = ("method", "set"),
    fmt: str = "markdown",
) -> str:
    """The summary table of a store as markdown or CSV text."""
    rows = load_rows(store)
    table = summarize(rows, by)
    if fmt == "markdown":
        return to_markdown(table)
    if fmt == "csv":
        return to_csv(table)
    raise ReportError(f"unknown report format {fmt!r} (markdown or csv)")


def profile_curves(
    rows: Iterable[dict[str, Any]], kind: str = "gap", by: str = "method"
) -> dict[str, tuple[list[float], list[float]]]:
    """Per group, the points ``(x, share)`` of a performance profile.

    ``kind="gap"``: among the runs whose instance has a reference value, the share whose
    gap to it is at most ``x`` (in %; a run without a solution never counts); groups without
    such runs are left out. ``kind="time"``: share of runs proven optimal or at the reference
    within ``x`` seconds.
    """
    if kind not in ("gap", "time"):
        raise ReportError(f"unknown profile {kind!r} (gap or time)")
    col = GROUP_COLUMNS[_parse_by([by])[0]]
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if kind == "gap" and row.get("reference") is None:
            continue
        groups.setdefault(str(row[col]), []).append(row)
    curves = {}
    for name, members in groups.items():
        if kind == "gap":
            values = []
            for r in members:
                g = reference_gap(r) if is_solved(r) else None
                if g is not None and math.isfinite(g):
                    values.append(max(0.0, 100 * g))
        else:
            values = [run_time(r) for r in members if is_at_reference(r)]
        values.sort()
        n = len(members)
        curves[name] = (values, [(i + 1) / n for i in range(len(values))])
    return curves


def plot_profile(
    store: str | os.PathLike[str],
    ax: Any | None = None,
    kind: str = "gap",
    by: str = "method",
    title: str | None = None,
) -> Any:
    """Draw a performance profile per method (or per ``by`` group) on ``ax`` (a matplotlib
    ``Axes``; a new figure if ``None``) and return the figure; saving is the caller's."""
    try:
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - depends on the environment
        raise ReportError("plotting needs matplotlib: pip install 'schedlab[plot]'") from None

    rows = load_rows(store)
    if not rows:
        raise ReportError(f"{store}: no runs to plot")
    curves = profile_curves(rows, kind, by)
    if not curves:
        raise ReportError("no run has a reference value: try --profile time")
    if ax is None:
        fig = Figure(figsize=(8, 4.5))
        ax = fig.subplots()
    else:
        fig = ax.figure
    xmax = max((xs[-1] for xs, _ in curves.values() if xs), default=1.0)
    if kind == "time":
        xmin = min((xs[0] for xs, _ in curves.values() if xs), default=1e-3)
        xmin = max(xmin, 1e-4)
        xmax = max(xmax, xmin * 10)
    else:
        xmin = 0.0
        xmax = max(xmax, 1e-3)
    styles = ("-", "--", ":", "-.")
    for i, (name, (xs, ys)) in enumerate(sorted(curves.items())):
        px = [xmin] + xs + [xmax * (1.5 if kind == "time" else 1.05)]
        py = [0.0] + ys + [ys[-1] if ys else 0.0]
        if kind == "time":
            px = [max(x, xmin) for x in px]
        ax.step(px, py, where="post", label=name, linestyle=styles[(i // 10) % len(styles)])
    if kind == "time":
        ax.set_xscale("log")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("share of runs optimal or at the reference")
    else:
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_xlim(left=0)
        ax.set_xlabel("gap to the reference (%), linear to 1 % then logarithmic")
        ax.set_ylabel("share of runs within the gap")
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    ax.set_title(title or f"performance profile ({kind})")
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig
