"""Bundled GPU loop bodies: optimal II (and L) proven by ``cpsat`` on 2 threads, against
``ims`` + greedy warps; every result simulated. Prints a markdown table and writes
``pipelining_kernels.csv`` under ``benchmarks/out/`` (git-ignored), or ``--out-dir DIR``, or
``--out FILE``.

    python benchmarks/pipelining_kernels.py --time-limit 10
    python benchmarks/pipelining_kernels.py --out-dir benchmarks/results  # the tracked CSV

Sweep file of the plain solves: ``benchmarks/pipelining_kernels.toml``.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import schedlab
from schedlab.families.pipelining.bundled import bundled_loop, bundled_loops

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # imported, not run as ``python benchmarks/pipelining_kernels.py``
    sys.path.insert(0, str(HERE))
from _common import out_path  # noqa: E402


def roles(inst: schedlab.Instance, sol: dict) -> str:
    """Which ops each used warp runs, e.g. ``w0: ldK ldV | w1: S_a P_a O_a``."""
    by: dict[int, list[str]] = {}
    for r in sol["ops"]:
        ws = r["warp"] if isinstance(r["warp"], list) else [r["warp"]]
        for w in sorted(set(ws)):
            by.setdefault(w, []).append(r["name"])
    return " / ".join(f"w{w}: {' '.join(names)}" for w, names in sorted(by.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out-dir", default=None, help="output folder (default: benchmarks/out)")
    ap.add_argument("--out", default=None, help="the CSV (default: OUT_DIR/pipelining_kernels.csv)")
    args = ap.parse_args()
    rows = []
    for name in bundled_loops():
        inst = bundled_loop(name)
        t0 = time.perf_counter()
        a = schedlab.solve(inst, "ims", time_limit=args.time_limit)
        ta = time.perf_counter() - t0
        t0 = time.perf_counter()
        b = schedlab.solve(inst, "cpsat", time_limit=args.time_limit, threads=args.threads)
        tb = time.perf_counter() - t0
        rep = inst.simulate(b.solution)
        rows.append(
            {
                "kernel": name,
                "ops": inst.n,
                "mii": inst.mii_bound(),
                "ims_ii": a.solution["ii"] if a.solution else "",
                "ims_L": a.solution["length"] if a.solution else "",
                "ims_time": round(ta, 3),
                "cpsat_ii": b.solution["ii"],
                "cpsat_L": b.solution["length"],
                "ii_proven": bool(b.info.get("ii_optimal")),
                "L_proven": bool(b.info.get("length_optimal")),
                "cpsat_time": round(tb, 3),
                "sim_ii": rep.ii,
                "unpipelined": rep.sequential_ii,
                "warp_regs": " ".join(f"w{w}={r}" for w, r in sorted(rep.warp_regs.items())),
                "warps": roles(inst, b.solution),
            }
        )
    out = Path(args.out) if args.out else out_path("pipelining_kernels.csv", args.out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"bundled kernels, cpsat on {args.threads} threads, limit {args.time_limit:g} s\n")
    print(
        "| kernel | ops | MII | ims II / L | cpsat II / L | proven | cpsat time (s) | "
        "simulated II (unpipelined) | warp registers |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        proven = "II+L" if r["ii_proven"] and r["L_proven"] else ("II" if r["ii_proven"] else "-")
        print(
            f"| {r['kernel']} | {r['ops']} | {r['mii']} | {r['ims_ii']} / {r['ims_L']} | "
            f"{r['cpsat_ii']} / {r['cpsat_L']} | {proven} | {r['cpsat_time']:.2f} | "
            f"{r['sim_ii']:g} ({r['unpipelined']}) | {r['warp_regs']} |"
        )
    print("\n| kernel | warp roles found by cpsat |\n|---|---|")
    for r in rows:
        print(f"| {r['kernel']} | {r['warps']} |")


if __name__ == "__main__":
    main()
