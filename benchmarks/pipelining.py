"""Classic modulo-scheduling benchmark: CHStone (263 loops) and MachSuite (91 loops).

For every loop: ``ims`` (Rau's iterative modulo scheduling) and ``cpsat`` (optimal II, then
shortest L) at a time limit per loop; every result is checked by the simulator. Prints
markdown tables (per suite and method: loops, solved, II proven optimal, II and L proven,
total / mean / max time; IMS against the optimum) and writes ``pipelining_classic.csv``
under ``benchmarks/out/`` (git-ignored), or ``--out-dir DIR``, or ``--out FILE``.

    python benchmarks/pipelining.py --time-limit 60            # both suites
    python benchmarks/pipelining.py --suite chstone --every 10 # a subset
    python benchmarks/pipelining.py --out-dir benchmarks/results  # refresh the tracked CSV

Sweep file of the plain solves (CHStone): ``benchmarks/pipelining.toml``.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import time
from pathlib import Path

import schedlab

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # imported, not run as ``python benchmarks/pipelining.py``
    sys.path.insert(0, str(HERE))
from _common import out_path  # noqa: E402

HATSCHET = Path(__file__).resolve().parents[1] / "instances" / "pipelining" / "hatschet"
CACHE = Path("/tmp/schedlab_hatschet")


def loops(suite: str, root: Path) -> list[Path]:
    """The plain GraphML graphs of a suite (MachSuite is unpacked from its archive)."""
    if suite == "chstone":
        base = root / "ChStone"
    else:
        base = CACHE / "MachSuite"
        if not base.is_dir():
            CACHE.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                ["tar", "xJf", str(root / "archives" / "MachSuite.tar.xz"), "-C", str(CACHE)],
                check=True,
            )
    files = sorted(p for p in base.rglob("graph*.graphml") if "MHz" not in p.name)
    return files


def run(args: argparse.Namespace) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    suites = ["chstone", "machsuite"] if args.suite == "all" else [args.suite]
    for suite in suites:
        files = loops(suite, Path(args.root))[:: args.every]
        for k, f in enumerate(files, 1):
            inst = schedlab.read(str(f))
            row: dict[str, object] = {
                "suite": suite,
                "loop": inst.name,
                "nodes": inst.n,
                "edges": len(inst.edges),
                "mii": inst.mii_bound(),
            }
            for method in ("ims", "cpsat"):
                t0 = time.perf_counter()
                res = schedlab.solve(inst, method, time_limit=args.time_limit, threads=args.threads)
                dt = time.perf_counter() - t0
                ok = res.solution is not None
                row[f"{method}_ii"] = res.solution["ii"] if ok else ""
                row[f"{method}_L"] = res.solution["length"] if ok else ""
                row[f"{method}_time"] = round(dt, 3)
                if method == "cpsat":
                    row["cpsat_status"] = str(res.status)
                    row["cpsat_ii_optimal"] = bool(res.info.get("ii_optimal"))
                    row["cpsat_L_optimal"] = bool(res.info.get("length_optimal"))
                    row["cpsat_bound_ii"] = int(res.bound // 1_000_000) if res.bound else ""
            print(
                f"[{suite} {k}/{len(files)}] {inst.name} n={inst.n} MII={row['mii']} "
                f"ims={row['ims_ii']} cpsat={row['cpsat_ii']} ({row['cpsat_status']}, "
                f"{row['cpsat_time']} s)",
                file=sys.stderr,
                flush=True,
            )
            rows.append(row)
    return rows


def tables(rows: list[dict[str, object]]) -> str:
    """The markdown tables of the benchmark."""
    out = []
    out.append(
        "| suite | method | loops | solved | II proven optimal | II and L proven | "
        "total time (s) | mean time (s) | max time (s) |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|")
    for suite in sorted({str(r["suite"]) for r in rows}):
        rs = [r for r in rows if r["suite"] == suite]
        for method in ("ims", "cpsat"):
            times = [float(r[f"{method}_time"]) for r in rs]  # type: ignore[arg-type]
            solved = sum(1 for r in rs if r[f"{method}_ii"] != "")
            if method == "cpsat":
                pii = sum(1 for r in rs if r["cpsat_ii_optimal"])
                pboth = sum(1 for r in rs if r["cpsat_ii_optimal"] and r["cpsat_L_optimal"])
                proven = f"{pii} ({100 * pii / len(rs):.1f} %)"
                both = f"{pboth} ({100 * pboth / len(rs):.1f} %)"
            else:
                proven = both = "-"
            out.append(
                f"| {suite} | {method} | {len(rs)} | {solved} | {proven} | {both} | "
                f"{sum(times):.1f} | {statistics.mean(times):.2f} | {max(times):.2f} |"
            )
    out.append("")
    out.append(
        "| suite | loops with proven optimal II | IMS reaches it | mean IMS II / optimal II | "
        "max ratio | MII = optimal II |"
    )
    out.append("|---|---|---|---|---|---|")
    for suite in sorted({str(r["suite"]) for r in rows}):
        rs = [
            r for r in rows if r["suite"] == suite and r["cpsat_ii_optimal"] and r["ims_ii"] != ""
        ]
        if not rs:
            continue
        ratios = [int(r["ims_ii"]) / int(r["cpsat_ii"]) for r in rs]  # type: ignore[arg-type]
        hit = sum(1 for r in rs if r["ims_ii"] == r["cpsat_ii"])
        tight = sum(1 for r in rs if r["mii"] == r["cpsat_ii"])
        out.append(
            f"| {suite} | {len(rs)} | {hit} ({100 * hit / len(rs):.1f} %) | "
            f"{statistics.mean(ratios):.4f} | {max(ratios):.3f} | {tight} |"
        )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", choices=["chstone", "machsuite", "all"], default="all")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--every", type=int, default=1, help="take every k-th loop (a subset)")
    ap.add_argument("--root", default=str(HATSCHET))
    ap.add_argument("--out-dir", default=None, help="output folder (default: benchmarks/out)")
    ap.add_argument("--out", default=None, help="the CSV (default: OUT_DIR/pipelining_classic.csv)")
    args = ap.parse_args()
    rows = run(args)
    out = Path(args.out) if args.out else out_path("pipelining_classic.csv", args.out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(
        f"classic modulo scheduling, time limit {args.time_limit:g} s per loop and method, "
        f"{args.threads} thread(s)\n"
    )
    print(tables(rows))


if __name__ == "__main__":
    main()
