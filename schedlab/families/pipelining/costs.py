"""Raw clock cycles to the model's small integer costs (Twill's ratio-keeping normalisation),
and the bundled GPU kernels built from their raw cycle counts (``data/raw/*.json``).

This is tooling for whoever (re)builds the bundled loop bodies (``data/loops``); the model
and the readers never run it (it runs CP-SAT).
"""

from __future__ import annotations

import json
from typing import Any

from ...core.errors import InstanceError
from ...core.options import SolveOptions
from .bundled import data_dir
from .model import Instance

__all__ = ["build_bundled", "from_raw", "normalise_costs"]

#: The op costs given in raw cycles besides ``busy`` (``regs`` and ``mem`` are kept as given).
RAW_COSTS = ("latency", "warp_cycles", "spill")


def normalise_costs(raw: list[int], upper: int = 300, time_limit: float = 10.0) -> list[int]:
    """Scale raw cycle counts to small integers keeping their ratios (Twill's ILP): minimise
    ``F`` subject to ``|C_i C'_j - C_j C'_i| <= F`` for every pair, ``1 <= sum C' <= upper``,
    ``C'_i >= 1`` for ``C_i > 0`` (``0`` stays ``0``); among the minimisers of ``F`` the
    smallest ``sum C'`` (the smallest problem). Exact (CP-SAT, two lexicographic solves of at
    most ``time_limit`` seconds each, one worker)."""
    from ...engines import cpsat as engine

    cp_model = engine.cp_model
    vals = [int(x) for x in raw]
    if any(x < 0 for x in vals):
        raise InstanceError("raw costs must be non-negative")
    pos = sorted({x for x in vals if x > 0})
    if not pos:
        return [0] * len(vals)
    if len(pos) > upper:
        raise InstanceError(f"{len(pos)} distinct costs do not fit a total of {upper}")
    # one worker and CP-SAT's own default seed (1), as the bundled loops were built
    opts = SolveOptions(threads=1, seed=1)

    def solve(f_cap: int | None) -> tuple[int, dict[int, int]]:
        m = cp_model.CpModel()
        c = {x: m.new_int_var(1, upper, f"c{x}") for x in pos}
        f = m.new_int_var(0, max(pos) * upper, "F")
        for i, a in enumerate(pos):
            for b in pos[i + 1 :]:
                m.add(a * c[b] - b * c[a] <= f)
                m.add(b * c[a] - a * c[b] <= f)
        m.add(sum(c.values()) <= upper)
        if f_cap is None:
            m.minimize(f)
        else:
            m.add(f <= f_cap)
            m.minimize(sum(c.values()))
        solver = engine.solver(opts, time_limit=time_limit)
        st = solver.solve(m)
        if not engine.has_solution(st):  # pragma: no cover
            raise InstanceError("cost normalisation found no solution")
        return int(solver.value(f)), {x: int(solver.value(c[x])) for x in pos}

    f_best, _ = solve(None)
    _, scale = solve(f_best)
    return [scale[x] if x > 0 else 0 for x in vals]


def from_raw(data: dict[str, Any], upper: int = 300, source: str | None = None) -> Instance:
    """Build an instance from a loop body whose costs are raw clock cycles: op ``busy`` (an
    integer, or ``{unit: cycles}`` for a table of several units from offset 0),
    ``latency``, ``warp_cycles``, ``spill`` and edge ``delay``; all of them are normalised
    together by :func:`normalise_costs` (``regs`` and ``mem`` are kept). Each op's ``cycles``
    records its raw busy time."""
    ops_in = data.get("ops")
    if not isinstance(ops_in, list):
        raise InstanceError("ops must be a list", source)
    raw: list[int] = []
    for o in ops_in:
        b = o.get("busy", 0)
        raw += list(b.values()) if isinstance(b, dict) else [b]
        raw += [o.get(k, 0) for k in RAW_COSTS]
    raw += [e.get("delay", 0) for e in data.get("edges", [])]
    scale = dict(zip(raw, normalise_costs(raw, upper), strict=True))
    out = dict(data)
    ops = []
    for o in ops_in:
        d = dict(o)
        b = d.pop("busy", None)
        if isinstance(b, dict):
            d["table"] = [[off, u, 1] for u, c in b.items() for off in range(scale[c])]
            d["unit"] = d.get("unit") or next(iter(b))
            d["cycles"] = max(b.values())
        elif b is not None:
            d["busy"] = scale[b]
            d["cycles"] = b
        for k in RAW_COSTS:
            if k in d:
                d[k] = scale[d[k]]
        ops.append(d)
    out["ops"] = ops
    out["edges"] = [dict(e, delay=scale[e.get("delay", 0)]) for e in data.get("edges", [])]
    return Instance.from_dict(out, source)


def build_bundled(name: str, upper: int = 300) -> Instance:
    """A bundled GPU kernel built from its raw cycle counts (``data/raw/<name>.json``); its
    JSON is what ``data/loops/<name>.json`` holds."""
    f = data_dir() / "raw" / f"{name}.json"
    if not f.is_file():
        raise InstanceError(f"no raw kernel {name!r}")
    return from_raw(json.loads(f.read_text()), upper, source=str(f))
