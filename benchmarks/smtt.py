"""smtt benchmark: every method on the bundled sets, against the reference values.

Prints a markdown table per set and method: instances, proven optimal, matched reference,
mean gap % to the reference (the paper's definition: mean over instances with a non-zero
reference of (value - ref) / ref * 100), mean and max time; writes one CSV row per run to
``benchmarks/out/smtt_runs.csv`` (git-ignored; ``--out-dir DIR`` or ``--csv FILE`` to change
it; not ``smtt.csv``, which is the report of the ``smtt.toml`` sweep written by ``run.py``).
The tracked per-run CSVs are refreshed with ``--csv benchmarks/results/<file>.csv``.

    python benchmarks/smtt.py --sets wt40 --time-limit 10 --threads 2
    python benchmarks/smtt.py --sets n20,n100,n200,n500 --methods edd,eddc,mdd,mddc
    python benchmarks/smtt.py --sets wt40 --methods exact \\
        --csv benchmarks/results/smtt_wt40_exact.csv                 # a tracked CSV
"""

from __future__ import annotations

import argparse
import csv
import platform
import statistics
import sys
import time
from pathlib import Path

import schedlab
from schedlab import count

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # imported, not run as ``python benchmarks/smtt.py``
    sys.path.insert(0, str(HERE))
from _common import ROOT, note, out_path, progress  # noqa: E402

SETS = {
    "wt40": "instances/smtt/wt40.txt",
    "wt100": "instances/smtt/wt100.txt",
    "n20": "instances/smtt/data_20_800_new_.txt",
    "n20normal": "instances/smtt/data_20_800_normal_solved.txt",
    "n100": "instances/smtt/data_100_200.txt",
    "n200": "instances/smtt/data_200_200.txt",
    "n500": "instances/smtt/data_500_200.txt",
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sets", default="wt40", help=f"comma-separated among {','.join(SETS)}")
    ap.add_argument("--methods", default="all", help="comma-separated method names, or 'all'")
    ap.add_argument("--skip", default="", help="methods to leave out")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--first", type=int, default=0, help="only the first K instances of each set")
    ap.add_argument("--out-dir", default=None, help="output folder (default: benchmarks/out)")
    ap.add_argument("--csv", default=None, help="the CSV file (default: OUT_DIR/smtt_runs.csv)")
    args = ap.parse_args(argv)

    names = (
        [m.name for m in schedlab.methods("smtt")]
        if args.methods == "all"
        else args.methods.split(",")
    )
    names = [m for m in names if m not in set(args.skip.split(","))]
    rows: list[dict[str, object]] = []
    print(
        f"machine: {platform.node()} {platform.machine()}, {platform.python_version()}, "
        f"time limit {args.time_limit} s, {args.threads} threads, schedlab {schedlab.__version__}",
        file=sys.stderr,
    )
    for set_name in args.sets.split(","):
        path = ROOT / SETS[set_name]
        total = count(path)
        ks = range(1, (min(total, args.first) if args.first else total) + 1)
        skipped = 0
        for k in progress(ks, set_name):
            try:
                inst = schedlab.read(f"{path}#{k}")
            except schedlab.InstanceError as e:
                skipped += 1
                note(f"skip {e}")
                continue
            for m in names:
                t0 = time.perf_counter()
                try:
                    res = schedlab.solve(
                        inst, m, time_limit=args.time_limit, threads=args.threads, seed=args.seed
                    )
                except schedlab.SolveError as e:  # e.g. dp beyond its size: recorded, not fatal
                    res = None
                    note(f"{inst.name} {m}: {e}")
                wall = time.perf_counter() - t0
                rows.append(
                    {
                        "set": set_name,
                        "instance": inst.name,
                        "n": inst.n,
                        "method": m,
                        "status": "error" if res is None else str(res.status),
                        "objective": None if res is None else res.objective,
                        "bound": None if res is None else res.bound,
                        "reference": inst.reference,
                        "runtime_s": None if res is None else round(res.runtime_s, 4),
                        "wall_s": round(wall, 4),
                    }
                )
        print(f"{set_name}: done ({skipped} invalid instances skipped)", file=sys.stderr)
    csv_path = Path(args.csv) if args.csv else out_path("smtt_runs.csv", args.out_dir)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    with open(csv_path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(table(rows))
    print(f"\nCSV: {csv_path}", file=sys.stderr)
    return 0


def table(rows: list[dict[str, object]]) -> str:
    """The markdown table: one line per (set, method)."""
    out = [
        "| set | method | instances | solved | proven optimal | matched reference | mean gap % | below reference | below a proven optimum | mean s | max s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    keys = sorted(
        {(r["set"], r["method"]) for r in rows}, key=lambda x: (list(SETS).index(x[0]), x[1])
    )
    order = {m.name: i for i, m in enumerate(schedlab.methods("smtt"))}
    keys.sort(key=lambda x: (list(SETS).index(x[0]), order.get(x[1], 99)))
    proven: dict[str, float] = {}
    for r in rows:
        if r["status"] == "optimal":
            proven[r["instance"]] = r["objective"]
    for s, m in keys:
        rs = [r for r in rows if r["set"] == s and r["method"] == m]
        solved = [r for r in rs if r["objective"] is not None]
        opt = sum(r["status"] == "optimal" for r in rs)
        matched = sum(
            r["reference"] is not None and r["objective"] == r["reference"] for r in solved
        )
        gaps = [
            (r["objective"] - r["reference"]) / r["reference"] * 100
            for r in solved
            if r["reference"] not in (None, 0)
        ]
        below = sum(r["reference"] is not None and r["objective"] < r["reference"] for r in solved)
        beats = sum(
            r["instance"] in proven and r["objective"] < proven[r["instance"]] for r in solved
        )
        times = [r["wall_s"] for r in rs]
        gap = f"{statistics.mean(gaps):.2f}" if gaps else "-"
        out.append(
            f"| {s} | {m} | {len(rs)} | {len(solved)} | {opt} | {matched} | {gap} | {below} | {beats} | "
            f"{statistics.mean(times):.3f} | {max(times):.3f} |"
        )
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
