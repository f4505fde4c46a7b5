"""Memory family benchmarks: markdown tables, and CSVs under benchmarks/out/ (git-ignored).

1. MiniMalloc's challenging suite at capacity 2^20 (feasibility): greedy peaks, CP-SAT and
   ``exact`` placements found within the time limits.
2. idealloc real traces (minimum peak): peak / max load of the greedy baselines and of the
   best schedlab method (``exact`` up to its size limit, else ``greedy-best``).
3. Mapping: generated programs, objective of ``xla``, ``benefit``, ``cpsat`` (hinted) and
   ``mip``, improvement of the best over ``xla`` and the most any method could gain (from
   the best proven lower bound); small programs (<= 60 buffers) for cpsat's optimality proofs.
4. Mapping variants: the same programs under other generator settings (weights as entry
   parameters, memory-bound ops, other bandwidth ratios), the most any method can gain over
   ``xla`` on each (from ``mip``'s proven optima).
5. Msa (memory-space assignment with prefetches and evictions; figures, not timed tests):
   the 30 mapping programs of part 3 with copies enabled, and the two real-model programs
   of ``instances/memory/msa/`` (resnet50, bert_base); per program ``xla``, the msa ``mip``
   (its relaxation's bound and choice), the best found (``cpsat``, hinted by the better
   ``mip`` solution), the bound, the gain of the best over ``xla``, and the gain that copies
   bring over the whole-life optimum (``mip`` on the copy-free program); ``--big`` adds a
   10,000-step program (``mip`` then ``lns``, 5 minutes together). See :func:`msa`.

6. Zero-slack allocations (``--only zeroslack``; not in the default run): a time x address
   rectangle cut at random into 200 pieces (20 seeds) or 600 pieces with 10 % of them
   removed (10 seeds), capacity its height (``generate_zero_slack``); ``exact`` (60 s, 1
   thread) and MiniMalloc (the C++ solver, 60 s, built by ``_peers_minimalloc.py`` into
   ``/tmp/schedlab-peers``) side by side, each placement checked by our checker. See
   :func:`zeroslack`.

Usage: ``python benchmarks/memory.py [--quick] [--only PART] [--out-dir DIR]`` (quick: short
limits, fewer instances; ``--out-dir benchmarks/results`` refreshes the tracked CSVs);
part 5 takes ``--time-limit`` (default 60 s), ``--threads`` (default 2), ``--limit N`` (the
first N programs) and ``--match TEXT`` (programs whose name contains it; repeatable);
part 6 (only with ``--only zeroslack``) takes ``--time-limit`` too (default 60 s; about 30
to 45 minutes in all at 60 s, most of it in the runs that time out), and MiniMalloc's source
from ``SCHEDLAB_MINIMALLOC_SRC`` if set (see ``_peers_minimalloc.py``).
Sweep file of the plain solves (rerun / extend with benchmarks/run.py): ``benchmarks/memory.toml``.
"""

from __future__ import annotations

import argparse
import csv
import glob
import os
import sys
import time
from pathlib import Path

import schedlab
from schedlab.families.memory import formats
from schedlab.families.memory.generate import (
    generate_mapping,
    generate_msa,
    generate_zero_slack,
)
from schedlab.families.memory.model import Mapping, MemoryInstance
from schedlab.families.memory.msa import Msa

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # imported, not run as ``python benchmarks/memory.py``
    sys.path.insert(0, str(HERE))
from _common import ROOT, out_path  # noqa: E402

INST = ROOT / "instances" / "memory"
#: The CSV folder (``--out-dir``; None: benchmarks/out).
OUT_DIR: str | None = None


def _run(inst: MemoryInstance, method: str, tl: float | None, **params: object) -> dict:
    t = time.perf_counter()
    try:
        r = schedlab.solve(inst, method, time_limit=tl, **params)
    except schedlab.SchedlabError as e:
        return {"ok": False, "obj": None, "status": f"error: {e}", "time": 0.0, "info": {}}
    return {
        "ok": r.solution is not None,
        "obj": r.objective,
        "bound": r.bound,
        "status": str(r.status),
        "time": time.perf_counter() - t,
        "info": r.info,
        "solution": r.solution,
    }


def _write(name: str, rows: list[dict]) -> None:
    if not rows:
        return
    with open(out_path(name, OUT_DIR), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def challenging(quick: bool) -> None:
    files = sorted(glob.glob(str(INST / "minimalloc" / "challenging" / "*.csv")))
    if quick:
        files = files[:3]
    tl_cp, tl_ex = (5.0, 5.0) if quick else (30.0, 10.0)
    rows = []
    print(
        f"\n### Challenging suite (capacity 2^20; cpsat {tl_cp:g} s 1 thread, exact {tl_ex:g} s)\n"
    )
    print(
        "| inst | buffers | load/cap | greedy-size peak/cap | greedy-best peak/cap | cpsat | exact | exact time (s) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for f in files:
        inst = formats.read(f)
        cap = inst.capacity
        free = inst.with_capacity(None)
        gs = _run(free, "greedy-size", None)
        gb = _run(free, "greedy-best", None)
        cp = _run(inst, "cpsat", tl_cp, minimize=False)
        ex = _run(inst, "exact", tl_ex)
        row = {
            "instance": inst.name,
            "buffers": inst.n,
            "load_over_cap": inst.max_load / cap,
            "greedy_size": gs["obj"] / cap,
            "greedy_best": gb["obj"] / cap,
            "cpsat_found": cp["ok"],
            "cpsat_time": cp["time"],
            "exact_found": ex["ok"],
            "exact_status": ex["status"],
            "exact_time": ex["time"],
            "exact_nodes": ex["info"].get("nodes"),
        }
        rows.append(row)
        print(
            f"| {inst.name} | {inst.n} | {row['load_over_cap']:.3f} | {row['greedy_size']:.2f} | "
            f"{row['greedy_best']:.2f} | {'yes' if cp['ok'] else 'no'} ({cp['time']:.1f} s) | "
            f"{'yes' if ex['ok'] else 'no'} | {ex['time']:.2f} |",
            flush=True,
        )
    n_ex = sum(r["exact_found"] for r in rows)
    n_cp = sum(r["cpsat_found"] for r in rows)
    tot = sum(r["exact_time"] for r in rows)
    print(f"| **total** | | | | | {n_cp}/{len(rows)} | {n_ex}/{len(rows)} | {tot:.1f} |")
    _write("memory_challenging.csv", rows)


def traces(quick: bool) -> None:
    files = sorted(glob.glob(str(INST / "idealloc" / "*" / "*.csv")))
    if quick:
        files = [f for f in files if formats.read(f).n <= 2000]
    rows = []
    print("\n### idealloc traces (minimum peak; ratio to the max load)\n")
    print("| trace | buffers | greedy-size | greedy-breadth | best schedlab | method | time (s) |")
    print("|---|---|---|---|---|---|---|")
    for f in files:
        inst = formats.read(f).with_capacity(None)
        gs = _run(inst, "greedy-size", None)
        gbr = _run(inst, "greedy-breadth", None)
        method = "exact" if inst.n <= 4000 else "greedy-best"
        best = _run(inst, method, 30.0 if method == "exact" else 60.0)
        lb = inst.max_load
        row = {
            "trace": inst.name,
            "buffers": inst.n,
            "max_load": lb,
            "greedy_size": gs["obj"] / lb,
            "greedy_breadth": gbr["obj"] / lb,
            "best": min(best["obj"], gs["obj"], gbr["obj"]) / lb,
            "method": method,
            "variant": best["info"].get("variant", ""),
            "time": best["time"],
        }
        rows.append(row)
        label = f"{method} ({row['variant']})" if row["variant"] else method
        print(
            f"| {inst.name} | {inst.n} | {row['greedy_size']:.4f} | {row['greedy_breadth']:.4f} | "
            f"{row['best']:.4f} | {label} | {best['time']:.1f} |",
            flush=True,
        )
    within = sum(r["best"] <= 1.005 for r in rows)
    print(f"| **within 0.5 %** | | | | {within}/{len(rows)} | | |")
    _write("memory_traces.csv", rows)


def mapping(quick: bool) -> None:
    steps = [100, 200] if quick else [100, 200, 500, 1000, 2000]
    structs = ["chain", "transformer"]
    caps = [0.1, 0.25, 0.5]
    tl_cp, tl_mip = (5.0, 10.0) if quick else (15.0, 30.0)
    methods = {"xla": None, "benefit": None, "cpsat": tl_cp, "mip": tl_mip}
    rows = []
    print(
        f"\n### Mapping (objective: total time; cpsat {tl_cp:g} s hinted, mip {tl_mip:g} s; "
        "1 thread)\n"
    )
    print(
        "| program | buffers | cap | xla | benefit | cpsat | mip | best vs xla "
        "| proven optimum vs xla |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    insts = [
        generate_mapping(n, s, c, seed=k)
        for k, (n, s) in enumerate((n, s) for n in steps for s in structs)
        for c in caps
    ]
    small = [
        generate_mapping(22, s, c, seed=100 + k) for k, s in enumerate(structs * 2) for c in caps
    ]
    for inst in insts + small:
        frac = round(inst.capacity / inst.max_load, 2)
        res = {m: _run(inst, m, tl, threads=1, seed=0) for m, tl in methods.items()}
        x = res["xla"]["obj"]
        best = min(v["obj"] for v in res.values() if v["ok"])
        proven = [v for v in res.values() if v["status"] == "optimal"]
        opt = proven[0]["obj"] if proven else None
        bound = max(v["bound"] for v in res.values() if v["ok"])
        row = {
            "program": inst.name,
            "buffers": inst.n,
            "steps": len(inst.steps),
            "capacity_fraction": int(round(100 * frac)),
            "small": inst.n <= 60,
            "best": best,
            "bound": bound,
            "improvement": (x - best) / x,
            "max_improvement": (x - bound) / x,
        }
        for m, v in res.items():
            row[m] = v["obj"]
            row[f"{m}_status"] = v["status"]
            row[f"{m}_time"] = round(v["time"], 3)
        rows.append(row)
        cells = " | ".join(
            f"{v['obj']:.1f}" + ("*" if v["status"] == "optimal" else "")
            for m, v in res.items()
            if m != "xla"
        )
        optimum = f"{100 * (x - opt) / x:.2f} %" if opt is not None else "-"
        print(
            f"| {inst.name} | {inst.n} | {row['capacity_fraction']} % | {x:.1f} | {cells} | "
            f"{100 * row['improvement']:.2f} % | {optimum} |",
            flush=True,
        )
    big = [r for r in rows if not r["small"]]
    sm = [r for r in rows if r["small"]]
    print("\n(* = proven optimal)\n")
    print(
        "| method | programs | solved | proven optimal | mean improvement over xla "
        "| mean gap to best known | mean time s | max time s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for part, rs in (("generated, 100-2000 steps", big), ("small, <= 60 buffers", sm)):
        for m in methods:
            ok = [r for r in rs if r[m] is not None]
            imp = sum((r["xla"] - r[m]) / r["xla"] for r in ok) / max(1, len(ok))
            gap = sum((r[m] - r["best"]) / r["best"] for r in ok) / max(1, len(ok))
            times = [r[f"{m}_time"] for r in rs]
            print(
                f"| {m} ({part}) | {len(rs)} | {len(ok)} | "
                f"{sum(r[f'{m}_status'] == 'optimal' for r in rs)} | {100 * imp:.2f} % | "
                f"{100 * gap:.2f} % | {sum(times) / max(1, len(times)):.2f} | "
                f"{max(times, default=0):.2f} |"
            )
    mean = sum(r["improvement"] for r in big) / max(1, len(big))
    ceiling = sum(r["max_improvement"] for r in big) / max(1, len(big))
    print(
        f"\nmean improvement of the best schedlab method over xla ({len(big)} programs): "
        f"{100 * mean:.2f} %; no method can exceed {100 * ceiling:.2f} % on these programs "
        "(the mean of (xla - best lower bound) / xla)"
    )
    _write("memory_mapping.csv", rows)


#: Generator variants for :func:`variants` (keyword arguments of ``generate_mapping``).
VARIANTS: dict[str, dict] = {
    "as bundled (the mapping table above)": {},
    "weights live from step 0 (XLA entry parameters)": {"weights": "parameter"},
    "memory-bound ops (batch-1 decoding: every intensity 0.03-0.1)": {
        "intensity": {k: (0.03, 0.1) for k in ("eltwise", "matmul", "attention")}
    },
    "fast memory 3x the slow bandwidth (not 8x)": {"bandwidth_ratio": 3.0},
    "fast memory 20x the slow bandwidth": {"bandwidth_ratio": 20.0},
}


def variants(quick: bool) -> None:
    """How much any method can gain over xla when the programs change: the same 30 programs
    (seeds, sizes, capacities) under generator variants, each solved to proven optimality
    by mip; the gain is measured from mip's lower bound, so it holds for every method."""
    steps = [100, 200] if quick else [100, 200, 500, 1000, 2000]
    structs = ["chain", "transformer"]
    caps = [0.1, 0.25, 0.5]
    rows = []
    print("\n### Mapping: the most any method can gain over xla, by generator variant\n")
    print(
        "| generator variant | programs | mip proven optimal | mean gain of the optimum over xla | max |"
    )
    print("|---|---|---|---|---|")
    for label, kw in VARIANTS.items():
        gains, proven = [], 0
        for k, (n, s) in enumerate((n, s) for n in steps for s in structs):
            for c in caps:
                inst = generate_mapping(n, s, c, seed=k, **kw)
                x = _run(inst, "xla", None, threads=1, seed=0)
                m = _run(inst, "mip", 30.0, threads=1, seed=0)
                proven += m["status"] == "optimal"
                gains.append((x["obj"] - m["bound"]) / x["obj"])
                rows.append({"variant": label, "program": inst.name, "xla": x["obj"],
                             "mip": m["obj"], "mip_status": m["status"], "bound": m["bound"],
                             "gain_bound": gains[-1]})  # fmt: skip
        print(
            f"| {label} | {len(gains)} | {proven} | {100 * sum(gains) / len(gains):.2f} % | "
            f"{100 * max(gains):.2f} % |",
            flush=True,
        )
    _write("memory_mapping_variants.csv", rows)


#: Copies of the mapping programs in part 5: bandwidth = the slow memory's, one engine.
MSA_COPY_RATIO = 1.0
MSA_COPY_ENGINES = 1


def msa_programs(quick: bool) -> list[tuple[Msa, Mapping]]:
    """The programs of part 5 with their copy-free versions: the 30 mapping programs of
    part 3 (same seeds, sizes, capacities; weights live on their step) turned into msa
    programs by :meth:`Msa.from_mapping` with copies enabled (bandwidth
    :data:`MSA_COPY_RATIO` x the slow memory's, :data:`MSA_COPY_ENGINES` engine, evictions
    allowed, no limit on outstanding prefetches: the defaults of ``generate_msa``), then the
    real-model programs of ``instances/memory/msa/`` (an A100 cost model on idealloc traces:
    see ``schedlab.families.memory.trace_to_msa``)."""
    steps = [100, 200] if quick else [100, 200, 500, 1000, 2000]
    structs = ["chain", "transformer"]
    caps = [0.1, 0.25, 0.5]
    out: list[tuple[Msa, Mapping]] = []
    for k, (n, s) in enumerate((n, s) for n in steps for s in structs):
        for c in caps:
            prog = generate_mapping(n, s, c, seed=k)
            name = (
                prog.name.replace("map_", "msa_", 1) + f"_cp{MSA_COPY_RATIO:g}x{MSA_COPY_ENGINES}"
            )
            m = Msa.from_mapping(
                prog,
                copy_bandwidth=prog.slow_bandwidth * MSA_COPY_RATIO,
                copy_engines=MSA_COPY_ENGINES,
                name=name,
            )
            out.append((m, prog))
    for f in sorted((INST / "msa").glob("*.json")):
        m = schedlab.read(str(f))
        assert isinstance(m, Msa)
        out.append((m, m.program))
    return out


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.2f} %"


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def msa(
    quick: bool,
    time_limit: float = 60.0,
    threads: int = 2,
    limit: int | None = None,
    match: list[str] | None = None,
    big: bool = False,
) -> None:
    """Part 5: per msa program, ``mip`` (``time_limit`` s, ``threads``) on its copy-free
    version (the whole-life optimum), ``xla``, the msa ``mip`` (its relaxation: the bound,
    and its choice as a solution) and ``cpsat`` (the same limits; ``lns`` beyond its
    candidate limit) hinted by the better of the two ``mip`` solutions (the best found is
    never worse than the whole-life optimum), unless ``mip`` proved its answer optimal.
    With ``big``: a 10,000-step program, ``mip`` (150 s) and then ``lns`` (140 s) from its
    answer, within 5 minutes together. Kernels and engines are
    warmed up first."""
    for method in ("xla", "cpsat", "mip", "lns"):
        schedlab.warm_up("memory", method)
    progs = msa_programs(quick)
    if match:
        progs = [(m, p) for m, p in progs if any(t in m.name for t in match)]
    if limit is not None:
        progs = progs[:limit]
    rows = []
    print(
        f"\n### Msa: prefetches and evictions (mip and cpsat {time_limit:g} s each, whole-life "
        f"mip {time_limit:g} s, {threads} threads)\n"
    )
    print(
        "| program | buffers | steps | xla | mip | best | bound | best vs xla | proven | gap to bound "
        "| whole-life optimum (mip) | copies vs whole-life | mip, cpsat time (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    runs = [(m, prog, time_limit, time_limit, "cpsat") for m, prog in progs]
    if big:
        m = generate_msa(10_000, "transformer", 0.1, seed=31, copy_engines=MSA_COPY_ENGINES)
        runs.append((m, m.program, 150.0, 140.0, "lns"))
    for m, prog, tl_mip, tl_search, search in runs:
        wl = _run(prog, "mip", time_limit, threads=threads, seed=0)
        x = _run(m, "xla", None)
        mp = _run(m, "mip", tl_mip, threads=threads, seed=0)
        starts = [(m.mapping_solution(wl["solution"]), wl["obj"])] if wl["ok"] else []
        if mp["ok"]:
            starts.append((mp["solution"], mp["obj"]))
        hint = min(starts, key=lambda s: s[1])[0] if starts else None
        if mp["status"] == "optimal":  # nothing left for the search to find
            cp = {"ok": False, "obj": None, "status": "skipped", "time": 0.0, "info": {}}
        else:
            cp = _run(m, search, tl_search, threads=threads, seed=0, hint=hint)
        found = [v for v in (x, mp, cp) if v["ok"]]
        best = min(v["obj"] for v in found) if found else None
        bounds = [v["bound"] for v in (x, mp, cp) if v["ok"] and v["bound"] is not None]
        bound = max(bounds) if bounds else None
        proven = any(v["status"] == "optimal" for v in (mp, cp)) or (
            best is not None and bound is not None and best <= bound * (1 + 1e-9)
        )
        gap = None if best is None or bound is None else (best - bound) / best
        xo = x["obj"] if x["ok"] else None
        gain = None if xo is None or best is None else (xo - best) / xo
        wl_obj = wl["obj"] if wl["ok"] else None
        wl_proven = wl["status"] == "optimal"
        copy_gain = None if wl_obj is None or best is None else (wl_obj - best) / wl_obj
        row = {
            "program": m.name,
            "buffers": m.n,
            "steps": len(m.steps),
            "xla": xo,
            "xla_time": round(x["time"], 3),
            "mip": mp["obj"],
            "mip_bound": mp.get("bound"),
            "mip_status": mp["status"],
            "mip_time": round(mp["time"], 3),
            "search": search,
            "search_obj": cp["obj"],
            "search_status": cp["status"],
            "search_time": round(cp["time"], 3),
            "search_lns": "lns_windows" in cp["info"],
            "candidates": cp["info"].get("candidates"),
            "search_origin": cp["info"].get("origin", ""),
            "best": best,
            "bound": bound,
            "gain_over_xla": gain,
            "proven": proven,
            "gap_to_bound": gap,
            "whole_life": wl_obj,
            "whole_life_status": wl["status"],
            "whole_life_bound": wl.get("bound"),
            "whole_life_time": round(wl["time"], 3),
            "copy_gain": copy_gain,
            "total_time": round(mp["time"] + cp["time"], 3),
        }
        rows.append(row)
        lns = " (lns)" if row["search_lns"] else ""
        search_time = "-" if cp["status"] == "skipped" else f"{cp['time']:.1f}{lns}"
        print(
            f"| {m.name} | {m.n} | {len(m.steps)} | {_num(xo)} | {_num(mp['obj'])} | "
            f"{_num(best)} | {_num(bound)} | {_pct(gain)} | {'yes' if proven else 'no'} | "
            f"{_pct(gap)} | {_num(wl_obj)}{'*' if wl_proven else ''} | {_pct(copy_gain)} | "
            f"{mp['time']:.1f}, {search_time} |",
            flush=True,
        )
    small = [r for r in rows if r["steps"] <= 2000]
    ok = [r for r in small if r["proven"] or (r["gap_to_bound"] or 1.0) <= 0.01]
    gains = [r["gain_over_xla"] for r in rows if r["gain_over_xla"] is not None]
    cgains = [r["copy_gain"] for r in rows if r["copy_gain"] is not None]
    print(
        "\n(* = whole-life optimum proven by mip; bound: the best of the msa mip's relaxation, "
        "cpsat's and the step bound; gaps and gains relative to the row's value)\n"
    )
    print(
        f"programs of up to 2,000 steps proven optimal or within 1 % of the bound: "
        f"{len(ok)}/{len(small)}"
    )
    gen = [r for r in small if r["program"].startswith("msa_")]
    gen_ok = [r for r in gen if r in ok]
    print(
        f"of them the {len(gen)} generated programs (the mapping programs with copies): "
        f"{len(gen_ok)}/{len(gen)}"
    )
    for r in rows:
        if not r["program"].startswith("msa_"):
            print(
                f"real-model program {r['program']} ({r['steps']} steps): "
                f"{'proven' if r['proven'] else 'gap ' + _pct(r['gap_to_bound'])}"
            )
    for r in rows:
        if r["steps"] >= 10_000:
            print(
                f"{r['steps']:,}-step program: gap {_pct(r['gap_to_bound'])} after "
                f"{r['total_time']:.0f} s (mip, then lns)"
            )
    if gains:
        print(
            f"gain of the best over xla: mean {_pct(sum(gains) / len(gains))}, "
            f"max {_pct(max(gains))}"
        )
    if cgains:
        print(
            f"gain of copies over the whole-life optimum: mean "
            f"{_pct(sum(cgains) / len(cgains))}, max {_pct(max(cgains))}"
        )
    _write("memory_msa.csv", rows)


#: Zero-slack sets of part 6: (label, pieces, removed fraction, seeds).
ZERO_SLACK_SETS = (("200 pieces", 200, 0.0, 20), ("600 pieces, 10 % removed", 600, 0.1, 10))


def _median(xs: list[float]) -> float:
    ys = sorted(xs)
    n = len(ys)
    return 0.0 if not n else ys[n // 2] if n % 2 else (ys[n // 2 - 1] + ys[n // 2]) / 2


def zeroslack(quick: bool, time_limit: float = 60.0, peer: bool = True) -> None:
    """Part 6: zero-slack instances (:data:`ZERO_SLACK_SETS`), ``exact`` (``time_limit``
    s, 1 thread, seed 0) and MiniMalloc (its own ``--timeout``) on each in the same run; a
    table per set (placed, median and max time; a run that places nothing counts its full
    time), then the per-instance rows. ``quick``: 3 seeds per set, 10 s."""
    import _peers_minimalloc as mm

    if quick:
        time_limit = min(time_limit, 10.0)
    mm_err = None
    if peer:
        try:
            mm.build()
        except mm.PeerUnavailable as e:
            mm_err = str(e)
            print(f"\n(MiniMalloc unavailable: {e})")
    schedlab.warm_up("memory", "exact")
    rows = []
    print(
        f"\n### Zero-slack allocations (capacity = the rectangle's height; exact and MiniMalloc {time_limit:g} s)\n"
    )
    print("| instance | buffers | exact | exact time (s) | MiniMalloc | MiniMalloc time (s) |")
    print("|---|---|---|---|---|---|")
    for label, pieces, removed, seeds in ZERO_SLACK_SETS:
        for seed in range(3 if quick else seeds):
            inst = generate_zero_slack(pieces, seed, removed)
            ex = _run(inst, "exact", time_limit, threads=1, seed=0)
            if ex["ok"]:
                inst.check(ex["solution"])
            if peer and mm_err is None:
                pr = mm.run(inst, time_limit)
            else:
                pr = {"ok": False, "status": "not run", "time": 0.0}
            row = {
                "set": label,
                "instance": inst.name,
                "buffers": inst.n,
                "exact_placed": ex["ok"],
                "exact_status": ex["status"],
                "exact_time": round(ex["time"], 3),
                "minimalloc_placed": pr["ok"],
                "minimalloc_status": pr["status"],
                "minimalloc_time": round(pr["time"], 3),
            }
            rows.append(row)
            print(
                f"| {inst.name} | {inst.n} | {'placed' if ex['ok'] else ex['status']} | "
                f"{ex['time']:.2f} | {'placed' if pr['ok'] else pr['status']} | "
                f"{pr['time']:.2f} |",
                flush=True,
            )
    print("\n| set | solver | instances | placed | median time (s) | max time (s) |")
    print("|---|---|---|---|---|---|")
    for label, *_ in ZERO_SLACK_SETS:
        rs = [r for r in rows if r["set"] == label]
        for who, key in (("MiniMalloc (C++)", "minimalloc"), ("schedlab exact", "exact")):
            times = [r[f"{key}_time"] for r in rs]
            print(
                f"| {label} | {who} | {len(rs)} | {sum(r[f'{key}_placed'] for r in rs)} | "
                f"{_median(times):.2f} | {max(times, default=0):.2f} |"
            )
    _write("memory_zeroslack.csv", rows)


def main() -> None:
    global OUT_DIR
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument(
        "--only",
        choices=["challenging", "traces", "mapping", "variants", "msa", "zeroslack"],
        default=None,
    )
    ap.add_argument("--out-dir", default=None, help="output folder (default: benchmarks/out)")
    ap.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        help="msa: cpsat and mip seconds; zeroslack: exact and MiniMalloc seconds (default 60)",
    )
    ap.add_argument("--threads", type=int, default=2, help="msa: solver threads (default 2)")
    ap.add_argument("--limit", type=int, default=None, help="msa: the first N programs only")
    ap.add_argument(
        "--match", action="append", default=None, help="msa: programs whose name contains it"
    )
    ap.add_argument(
        "--big", action="store_true", help="msa: also the 10,000-step program (5 minutes)"
    )
    args = ap.parse_args()
    OUT_DIR = args.out_dir
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    parts = (
        ("challenging", challenging),
        ("traces", traces),
        ("mapping", mapping),
        ("variants", variants),
    )
    for name, fn in parts:
        if args.only in (None, name):
            fn(args.quick)
    if args.only in (None, "msa"):
        msa(args.quick, args.time_limit, args.threads, args.limit, args.match, args.big)
    if args.only == "zeroslack":
        zeroslack(args.quick, args.time_limit)


if __name__ == "__main__":
    main()
