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

Usage: ``python benchmarks/memory.py [--quick] [--only PART] [--out-dir DIR]`` (quick: short
limits, fewer instances; ``--out-dir benchmarks/results`` refreshes the tracked CSVs).
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
from schedlab.families.memory.generate import generate_mapping
from schedlab.families.memory.model import MemoryInstance

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


def main() -> None:
    global OUT_DIR
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument(
        "--only", choices=["challenging", "traces", "mapping", "variants"], default=None
    )
    ap.add_argument("--out-dir", default=None, help="output folder (default: benchmarks/out)")
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


if __name__ == "__main__":
    main()
