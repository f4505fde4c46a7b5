"""Benchmark of the partition family: exact fronts of ViT-Base / ViT-Large on 8 and 16
PipeEdge devices, against dp (fixed order), greedy, split and NSGA-II.

Run: ``python benchmarks/partition.py [--nsga2-long 10] [--seeds 1] [--plots] [--out-dir DIR]``.
Prints markdown tables and writes ``partition.csv`` (and with ``--plots`` the front images
``partition_<case>.png``) under ``benchmarks/out/`` (git-ignored) or DIR (``--out-dir
benchmarks/results`` refreshes the tracked ones). ``hv`` is the normalised hypervolume (the
Result objective: area dominated inside the instance's [ideal, reference] box, see
``schedlab.families.partition.model``), ``hv ratio`` = hv / hv(exact), ``IGD+`` on the same
normalised axes against the exact front.
Sweep file of the plain solves (rerun / extend with run.py): ``benchmarks/partition.toml``.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
if str(HERE) not in sys.path:  # imported, not run as ``python benchmarks/partition.py``
    sys.path.insert(0, str(HERE))

from _common import out_path  # noqa: E402

import schedlab  # noqa: E402
from schedlab.families.partition.pareto import igd_plus  # noqa: E402

CASES = ["vit_base_8dev", "vit_large_8dev", "vit_base_16dev", "vit_large_16dev"]
TARGET = {"vit_large_8dev": 10.0, "vit_large_16dev": 60.0}


def _pts(res: schedlab.Result) -> list[tuple[float, float]]:
    if res.solution is None:
        return []
    return [(p["latency"], p["period"]) for p in res.solution["front"]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nsga2-long", type=float, default=10.0, help="second NSGA-II budget (s)")
    ap.add_argument("--seeds", type=int, default=1, help="NSGA-II seeds")
    ap.add_argument("--plots", action="store_true", help="write front plots beside the CSV")
    ap.add_argument("--out-dir", default=None, help="output folder (default: benchmarks/out)")
    args = ap.parse_args()
    schedlab.warm_up("partition")  # load the JIT kernels and pymoo first
    rows = []
    for case in CASES:
        inst = schedlab.read(ROOT / f"instances/partition/{case}.json")
        ex = schedlab.solve(inst, "exact")
        ref = _pts(ex)
        ideal, refpt = inst.hv_box
        runs = [("exact", None, ex)]
        runs.append(("dp (instance order)", None, schedlab.solve(inst, "dp")))
        runs.append(("greedy", None, schedlab.solve(inst, "greedy")))
        runs.append(("split", None, schedlab.solve(inst, "split")))
        for budget, label in ((ex.runtime_s, "nsga2 (exact's time)"), (args.nsga2_long, None)):
            label = label or f"nsga2 ({args.nsga2_long:g} s)"
            for seed in range(args.seeds):
                res = schedlab.solve(inst, "nsga2", time_limit=max(budget, 1e-3), seed=seed)
                runs.append((label, seed, res))
        fronts = {}
        for name, seed, res in runs:
            pts = _pts(res)
            rows.append(
                {
                    "instance": case,
                    "layers": inst.n_layers,
                    "devices": inst.n_devices,
                    "method": name,
                    "seed": "" if seed is None else seed,
                    "status": str(res.status),
                    "points": len(pts),
                    "hv": res.objective,
                    "hv_ratio": None if res.objective is None else res.objective / ex.objective,
                    "igd_plus": igd_plus(pts, ref, ideal, refpt) if pts else None,
                    "time_s": res.runtime_s,
                    "target_s": TARGET.get(case, "") if name == "exact" else "",
                    "ref_point": f"({refpt[0]:.4f}, {refpt[1]:.4f})",
                    "ideal": f"({ideal[0]:.4f}, {ideal[1]:.4f})",
                }
            )
            if res.solution is not None and (seed in (None, 0)):
                fronts[name.split(" ")[0]] = res.solution
        if args.plots:
            from schedlab.families.partition.plot import plot

            out = out_path(f"partition_{case}.png", args.out_dir)
            first, *rest = fronts
            fig = plot(inst, fronts[first], label=first, others={k: fronts[k] for k in rest})
            fig.savefig(str(out), dpi=120)

    def f(v: object, d: int = 4) -> str:
        return "-" if v is None or v == "" else (f"{v:.{d}f}" if isinstance(v, float) else str(v))

    print("| instance | method | status | points | hv | hv ratio | IGD+ | time s | target s |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        name = r["method"] + (f" s{r['seed']}" if r["seed"] != "" and args.seeds > 1 else "")
        print(
            f"| {r['instance']} | {name} | {r['status']} | {r['points']} | {f(r['hv'])} | "
            f"{f(r['hv_ratio'])} | {f(r['igd_plus'])} | {f(r['time_s'], 3)} | {f(r['target_s'], 0)} |"
        )
    print()
    print(
        "| method | instances | solved | proven optimal | mean hv gap to exact | mean time s | max time s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for m in dict.fromkeys(r["method"] for r in rows):
        sub = [r for r in rows if r["method"] == m]
        solved = [r for r in sub if r["hv"] is not None]
        gaps = [1 - r["hv_ratio"] for r in solved]
        times = [r["time_s"] for r in sub]
        print(
            f"| {m} | {len({r['instance'] for r in sub})} | {len(solved)} | "
            f"{sum(r['status'] == 'optimal' for r in sub)} | "
            f"{100 * statistics.mean(gaps):.2f} % | {statistics.mean(times):.3f} | {max(times):.3f} |"
        )
    out = out_path("partition.csv", args.out_dir)
    with out.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    out = out.resolve()
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
