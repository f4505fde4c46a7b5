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

Side by side with SiPS (Tanaka's SSDP code, C; built outside the package by
``_peers_sips.py``), ``exact`` and SiPS on the same generated weighted instances, 1 thread
each, one after the other in this run: ``--sips gen200`` (25 instances, n = 200, one per
(TF, RDD) in {0.2, 0.4, 0.6, 0.8, 1.0}^2, seed = index, 120 s each), ``--sips gen300``
(10 instances, n = 300, the (TF, RDD) of :data:`GEN300`, seed = 100 + index, 600 s each).
Prints the summary (instances, proven, median and max time, ratio of medians) and one row an
instance (both values, checked by our checker, and their gaps); writes
``OUT_DIR/smtt_sips_<set>.csv``:

    python benchmarks/smtt.py --sips gen200            # about 10 min on a quiet machine
    python benchmarks/smtt.py --sips gen300            # up to 1-2 h (600 s limits)
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
from _common import ROOT, markdown, note, out_path, progress, write_csv  # noqa: E402

SETS = {
    "wt40": "instances/smtt/wt40.txt",
    "wt100": "instances/smtt/wt100.txt",
    "n20": "instances/smtt/data_20_800_new_.txt",
    "n20normal": "instances/smtt/data_20_800_normal_solved.txt",
    "n100": "instances/smtt/data_100_200.txt",
    "n200": "instances/smtt/data_200_200.txt",
    "n500": "instances/smtt/data_500_200.txt",
}


#: (TF, RDD) grid of the generated side-by-side sets (Potts & Van Wassenhove).
GRID = (0.2, 0.4, 0.6, 0.8, 1.0)
#: n = 300: a spread of the grid, the hard middle (TF 0.6-0.8, narrow due dates) included.
GEN300 = (
    (0.2, 0.2),
    (0.4, 0.4),
    (0.4, 0.8),
    (0.6, 0.2),
    (0.6, 0.6),
    (0.8, 0.2),
    (0.8, 0.4),
    (0.8, 1.0),
    (1.0, 0.2),
    (1.0, 0.6),
)
#: name -> (n, [(tf, rdd, seed)], time limit in seconds)
GEN_SETS: dict[str, tuple[int, list[tuple[float, float, int]], float]] = {
    "gen200": (200, [(GRID[k // 5], GRID[k % 5], k) for k in range(25)], 120.0),
    "gen300": (300, [(tf, rdd, 100 + k) for k, (tf, rdd) in enumerate(GEN300)], 600.0),
}


def side_by_side(set_name: str, first: int, time_limit: float | None, out_dir: str | None) -> str:
    """``exact`` and SiPS on one generated set, each instance by both in turn (1 thread);
    both sequences go through our checker. Returns the markdown report."""
    import _peers_sips  # noqa: PLC0415 - only for this part

    from schedlab.families.smtt.generate import generate  # noqa: PLC0415

    n, specs, limit = GEN_SETS[set_name]
    limit = time_limit or limit
    specs = specs[:first] if first else specs
    try:
        _peers_sips.build()
        have_peer = True
    except RuntimeError as e:
        note(f"SiPS unavailable, its columns stay empty: {e}")
        have_peer = False
    schedlab.warm_up("smtt", "exact")  # no JIT compilation inside the timed runs
    rows: list[dict[str, object]] = []
    for tf, rdd, seed in progress(specs, set_name):
        inst = generate(n, tf, rdd, weighted=True, seed=seed)
        row: dict[str, object] = {"instance": inst.name, "n": n, "tf": tf, "rdd": rdd}
        if have_peer:
            r = _peers_sips.run(list(inst.p), list(inst.d), list(inst.weights), limit)
            value = None
            if r["sequence"] is not None:
                value = inst.check({"sequence": r["sequence"]})
                if value != r["reported"]:
                    note(f"{inst.name}: SiPS reports {r['reported']}, its sequence costs {value}")
            row |= {
                "sips_value": value,
                "sips_bound": value if r["proven"] else r["lb"],
                "sips_proven": bool(r["proven"]) and value == r["reported"],
                "sips_s": round(r["wall_s"], 3),
            }
        t0 = time.perf_counter()
        res = schedlab.solve(inst, "exact", time_limit=limit, threads=1)
        wall = time.perf_counter() - t0
        row |= {
            "exact_value": res.objective,
            "exact_bound": res.bound,
            "exact_proven": res.status == schedlab.Status.OPTIMAL,
            "exact_s": round(wall, 3),
            "exact_info": "; ".join(f"{k}={v}" for k, v in res.info.items() if k != "labels"),
        }
        rows.append(row)
    path = out_path(f"smtt_sips_{set_name}.csv", out_dir)
    write_csv(path, rows)
    note(f"CSV: {path}")
    return sips_report(set_name, limit, rows)


def _gap(value: object, bound: object) -> float | None:
    """Gap % of a value to a bound (0 when both are 0)."""
    if value is None or bound is None:
        return None
    v, b = float(value), float(bound)  # type: ignore[arg-type]
    return 0.0 if v == b else 100.0 * (v - b) / max(abs(v), 1e-9)


def sips_report(set_name: str, limit: float, rows: list[dict[str, object]]) -> str:
    """The side-by-side summary and the per-instance rows as markdown."""
    out = [
        f"### {set_name}: exact vs SiPS, {len(rows)} instances, {limit:g} s each, 1 thread",
        "",
        "| solver | instances | proven | median s | max s | mean gap % to own bound | "
        "worse than the other's value |",
        "|---|---|---|---|---|---|---|",
    ]
    medians = {}
    for who in ("sips", "exact"):
        if f"{who}_s" not in rows[0]:
            continue
        other = "exact" if who == "sips" else "sips"
        times = [float(r[f"{who}_s"]) for r in rows]  # type: ignore[arg-type]
        gaps = [_gap(r[f"{who}_value"], r[f"{who}_bound"]) for r in rows]
        gaps_ok = [g for g in gaps if g is not None]
        worse = sum(
            r.get(f"{other}_value") is not None
            and r[f"{who}_value"] is not None
            and float(r[f"{who}_value"]) > float(r[f"{other}_value"])  # type: ignore[arg-type]
            for r in rows
        )
        medians[who] = statistics.median(times)
        out.append(
            f"| {who} | {len(rows)} | {sum(bool(r[f'{who}_proven']) for r in rows)} | "
            f"{medians[who]:.2f} | {max(times):.2f} | "
            f"{statistics.mean(gaps_ok) if gaps_ok else float('nan'):.3f} | {worse} |"
        )
    if len(medians) == 2 and medians["sips"] > 0:
        out.append("")
        out.append(f"ratio of medians exact / SiPS: {medians['exact'] / medians['sips']:.2f}")
    out.append("")
    out.append(markdown(rows))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sets", default="wt40", help=f"comma-separated among {','.join(SETS)}")
    ap.add_argument("--methods", default="all", help="comma-separated method names, or 'all'")
    ap.add_argument("--skip", default="", help="methods to leave out")
    ap.add_argument(
        "--time-limit", type=float, default=None, help="seconds an instance (default 10)"
    )
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--first", type=int, default=0, help="only the first K instances of each set")
    ap.add_argument("--out-dir", default=None, help="output folder (default: benchmarks/out)")
    ap.add_argument("--csv", default=None, help="the CSV file (default: OUT_DIR/smtt_runs.csv)")
    ap.add_argument(
        "--sips",
        default="",
        help=f"side by side with SiPS on generated sets, comma-separated among {','.join(GEN_SETS)}"
        " (--time-limit, if given, replaces their own limits; --first K their first K)",
    )
    args = ap.parse_args(argv)
    if args.sips:
        for set_name in args.sips.split(","):
            print(side_by_side(set_name, args.first, args.time_limit, args.out_dir))
            print()
        return 0
    if args.time_limit is None:
        args.time_limit = 10.0

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
