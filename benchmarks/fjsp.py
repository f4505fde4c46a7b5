"""fjsp benchmarks: Brandimarte mk01-mk10 and Hurink edata / rdata la01-la40 against
PyJobShop's CP-SAT model, and the long horizon (SD2 20 x 10 x 100) with ``rho`` against
plain ``cpsat``.

Run from the repository root::

    python benchmarks/fjsp.py                       # brandimarte and long, 60 s and 300 s, 2 threads
    python benchmarks/fjsp.py --part brandimarte --time-limit 10 --instances mk01,mk05
    python benchmarks/fjsp.py --part hurink --sets hurink_edata,hurink_rdata   # la01-la40
    python benchmarks/fjsp.py --part hurink --sets hurink_rdata --instances la21,la24
    python benchmarks/fjsp.py --out-dir benchmarks/results   # refresh the tracked CSVs

The Hurink sets are not bundled: they are read from ``--data`` (default
``../shared/instances/fjsp`` beside the repository), with the FJSPLib bounds of the
``bounds.csv`` there. Every run (schedlab's ``--hurink-method``, default ``auto``, and the
peer) stops early once it proves optimality.

Prints markdown tables as it goes and writes CSV files (``fjsp_brandimarte.csv``,
``fjsp_hurink.csv``, ``fjsp_long_horizon.csv``) under ``benchmarks/out/`` (git-ignored), or
``--out-dir DIR``.
PyJobShop (the ``bench`` extra) is the side-by-side peer; without it its column is skipped.
Sweep file of the plain solves (rerun / extend with benchmarks/run.py): ``benchmarks/fjsp.toml``.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from schedlab import api
from schedlab.families.fjsp.generate import generate
from schedlab.families.fjsp.model import Instance, make_solution

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # imported, not run as ``python benchmarks/fjsp.py``
    sys.path.insert(0, str(HERE))
from _common import ROOT, out_path  # noqa: E402

RULES = ["spt", "mor", "mwkr", "lwkr", "fifo", "random"]


def out(line: str = "") -> None:
    """Print and flush (the run is long and usually goes to a file)."""
    print(line, flush=True)


def peer_pyjobshop(inst: Instance, time_limit: float, threads: int) -> dict[str, Any]:
    """PyJobShop's CP-SAT model with the same budget; its schedule goes through our checker."""
    import pyjobshop

    model = pyjobshop.Model()
    machines = [model.add_machine() for _ in range(inst.machines)]
    index: list[tuple[int, int]] = []
    for job_ops in inst.jobs:
        job = model.add_job()
        tasks = []
        for op in job_ops:
            task = model.add_task(job=job)
            for m, p in op:
                model.add_mode(task, machines[m], p)
            tasks.append(task)
        for a, b in zip(tasks, tasks[1:], strict=False):
            model.add_end_before_start(a, b)
    for j, job_ops in enumerate(inst.jobs):
        index += [(j, k) for k in range(len(job_ops))]
    model.set_objective(weight_makespan=1)
    t0 = time.perf_counter()
    res = model.solve(solver="ortools", time_limit=time_limit, display=False, num_workers=threads)
    wall = time.perf_counter() - t0
    rows = []
    for (j, k), task in zip(index, res.best.tasks, strict=True):
        rows.append((j, k, int(task.resources[0]), int(task.start), int(task.end)))
    sol = make_solution(rows)
    cmax = inst.check(sol)
    status = str(res.status.value).lower()
    return {
        "objective": cmax,
        "bound": float(res.lower_bound),
        "optimal": "optimal" in status,
        "time": wall,
    }


def run_method(
    inst: Instance, method: str, time_limit: float, threads: int, **params: Any
) -> dict[str, Any]:
    """One checked schedlab solve."""
    t0 = time.perf_counter()
    res = api.solve(inst, method, time_limit=time_limit, threads=threads, seed=0, **params)
    return {
        "objective": res.objective,
        "bound": res.bound,
        "optimal": str(res.status) == "optimal",
        "time": time.perf_counter() - t0,
        "info": res.info,
    }


def gap(value: float, ref: float | None) -> float | None:
    """Relative gap to the best-known value, in percent."""
    return None if ref is None else 100.0 * (value - ref) / ref


def brandimarte(args: argparse.Namespace) -> None:
    """Part 1: mk01-mk10, every method and the peer, same budget."""
    names = args.instances.split(",") if args.instances else [f"mk{k:02d}" for k in range(1, 11)]
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    try:
        import pyjobshop  # noqa: F401

        have_peer = True
    except ImportError:
        have_peer = False
        out("(pyjobshop not installed: the peer column is skipped; pip install '.[bench]')")
    cols = methods + (["pyjobshop"] if have_peer else [])
    out(f"## Brandimarte mk01-mk10: {args.time_limit:g} s, {args.threads} threads per run")
    out()
    out("makespan per instance (* = proven optimal); BKS = best-known upper bound")
    out()
    out("| inst | BKS | LB | " + " | ".join(cols) + " |")
    out("|---" * (3 + len(cols)) + "|")
    records: list[dict[str, Any]] = []
    for name in names:
        inst = api.read(ROOT / "instances" / "fjsp" / f"{name}.fjs")
        cells = []
        for m in cols:
            if m == "pyjobshop":
                r = peer_pyjobshop(inst, args.time_limit, args.threads)
            elif m == "rho":
                r = run_method(inst, m, args.time_limit, args.threads, polish=False)
            else:
                r = run_method(inst, m, args.time_limit, args.threads)
            rec = {
                "instance": name,
                "method": m,
                "makespan": int(r["objective"]),
                "bound": r["bound"],
                "optimal": r["optimal"],
                "time_s": round(r["time"], 2),
                "bks": inst.reference,
                "gap_pct": gap(r["objective"], inst.reference),
            }
            records.append(rec)
            cells.append(f"{rec['makespan']}{'*' if rec['optimal'] else ''}")
        lb = "-" if inst.lower_bound is None else f"{inst.lower_bound:g}"
        out(f"| {name} | {inst.reference:g} | {lb} | " + " | ".join(cells) + " |")
    out()
    summary(records, cols, f"{args.time_limit:g} s")
    write_csv(out_path("fjsp_brandimarte.csv", args.out_dir), records)
    # never worse than the peer?
    if have_peer:
        worse = []
        for m in [c for c in cols if c in ("auto", "cpsat", "lns", "rho", "tabu")]:
            for name in names:
                mine = next(r for r in records if r["instance"] == name and r["method"] == m)
                peer = next(
                    r for r in records if r["instance"] == name and r["method"] == "pyjobshop"
                )
                if mine["makespan"] > peer["makespan"]:
                    worse.append(f"{m}/{name}")
        out()
        out(f"search methods worse than the peer: {', '.join(worse) if worse else 'none'}")
    out()


def summary(records: list[dict[str, Any]], cols: list[str], budget: str) -> None:
    """Per-method table: instances, solved, proven optimal, mean gap, mean/median/max time."""
    out(f"per method ({budget} budget):")
    out()
    out(
        "| method | instances | solved | proven optimal | mean gap to BKS | max gap | mean time s "
        "| median time s | max time s |"
    )
    out("|---|---|---|---|---|---|---|---|---|")
    for m in cols:
        rs = [r for r in records if r["method"] == m]
        gaps = [r["gap_pct"] for r in rs if r["gap_pct"] is not None]
        times = [r["time_s"] for r in rs]
        out(
            f"| {m} | {len(rs)} | {len(rs)} | {sum(r['optimal'] for r in rs)} | "
            f"{statistics.mean(gaps):.2f} % | {max(gaps):.2f} % | "
            f"{statistics.mean(times):.1f} | {statistics.median(times):.1f} | {max(times):.1f} |"
        )


def hurink(args: argparse.Namespace) -> None:
    """Part 3: Hurink edata / rdata la01-la40, schedlab and PyJobShop side by side."""
    data = Path(args.data)
    sets = [x.strip() for x in args.sets.split(",") if x.strip()]
    names = args.instances.split(",") if args.instances else [f"la{k:02d}" for k in range(1, 41)]
    mine = args.hurink_method
    try:
        import pyjobshop  # noqa: F401

        have_peer = True
    except ImportError:
        have_peer = False
        out("(pyjobshop not installed: the peer column is skipped; pip install '.[bench]')")
    sides = [mine] + (["pyjobshop"] if have_peer else [])
    records: list[dict[str, Any]] = []
    for set_name in sets:
        folder = data / set_name
        if not folder.is_dir():
            out(f"({folder} not found: {set_name} skipped; see --data)")
            continue
        out(
            f"## Hurink {set_name.removeprefix('hurink_')}, {len(names)} instances "
            f"({names[0]}-{names[-1]}): "
            f"{args.time_limit:g} s, {args.threads} threads per run; schedlab `{mine}`"
        )
        out()
        out("makespan (* = proven optimal), time s; BKS / LB = FJSPLib best known")
        out()
        out("| inst | ops | LB | BKS | " + " | ".join(f"{m} | {m} s" for m in sides) + " |")
        out("|---" * (4 + 2 * len(sides)) + "|")
        rows: list[dict[str, Any]] = []
        for name in names:
            inst = api.read(folder / f"{name}.fjs")
            cells = []
            for m in sides:
                if m == "pyjobshop":
                    r = peer_pyjobshop(inst, args.time_limit, args.threads)
                else:
                    r = run_method(inst, m, args.time_limit, args.threads)
                rec = {
                    "set": set_name,
                    "instance": name,
                    "method": m,
                    "ops": inst.n_operations,
                    "makespan": int(r["objective"]),
                    "bound": r["bound"],
                    "optimal": r["optimal"],
                    "time_s": round(r["time"], 2),
                    "bks": inst.reference,
                    "best_lb": inst.lower_bound,
                    "gap_pct": gap(r["objective"], inst.reference),
                    "gap_lb_pct": gap(r["objective"], inst.lower_bound),
                }
                rows.append(rec)
                cells.append(f"{rec['makespan']}{'*' if rec['optimal'] else ''} | {r['time']:.1f}")
            lb = "-" if inst.lower_bound is None else f"{inst.lower_bound:g}"
            ref = "-" if inst.reference is None else f"{inst.reference:g}"
            out(f"| {name} | {inst.n_operations} | {lb} | {ref} | " + " | ".join(cells) + " |")
        out()
        side_by_side(rows, sides, set_name)
        if have_peer:
            worse = [
                r["instance"]
                for r in rows
                if r["method"] == mine
                and r["makespan"]
                > next(
                    p["makespan"]
                    for p in rows
                    if p["method"] == "pyjobshop" and p["instance"] == r["instance"]
                )
            ]
            out()
            out(f"worse than PyJobShop: {', '.join(worse) if worse else 'none'}")
        out()
        records += rows
    if records:
        write_csv(out_path("fjsp_hurink.csv", args.out_dir), records)


def side_by_side(rows: list[dict[str, Any]], sides: list[str], label: str) -> None:
    """Per side: instances, proven, mean gap to the best known and to the best lower bound,
    median and max time."""
    out(f"{label}, per side:")
    out()
    out(
        "| side | instances | proven | mean gap to BKS | max gap to BKS | mean gap to LB | "
        "median time s | max time s |"
    )
    out("|---|---|---|---|---|---|---|---|")
    for m in sides:
        rs = [r for r in rows if r["method"] == m]
        if not rs:
            continue
        g = [r["gap_pct"] for r in rs if r["gap_pct"] is not None]
        gl = [r["gap_lb_pct"] for r in rs if r["gap_lb_pct"] is not None]
        times = [r["time_s"] for r in rs]
        out(
            f"| {m} | {len(rs)} | {sum(r['optimal'] for r in rs)} | "
            f"{statistics.mean(g):.3f} % | {max(g):.3f} % | "
            f"{statistics.mean(gl) if gl else float('nan'):.3f} % | "
            f"{statistics.median(times):.1f} | {max(times):.1f} |"
        )


def long_horizon(args: argparse.Namespace) -> None:
    """Part 2: SD2 20 x 10 x 100 (2000 operations), rho against plain cpsat."""
    tl = args.long_time_limit
    out(f"## Long horizon: SD2 20 x 10 x 100 (2000 operations), {tl:g} s, {args.threads} threads")
    out()
    out(
        "| instance | best rule | cpsat | rho pass (time s) | rho | rho vs cpsat | "
        "rho reaches cpsat's makespan at s |"
    )
    out("|---|---|---|---|---|---|---|")
    records = []
    for seed in range(args.long_count):
        inst = generate(20, 10, 100, seed=seed)
        rule = min(run_method(inst, m, 60, 1)["objective"] for m in ("mwkr", "mor", "fifo"))
        cp = run_method(inst, "cpsat", tl, args.threads)
        rho = run_method(inst, "rho", tl, args.threads, polish=True)
        info = rho["info"]
        # only rho's own schedules count: the first point is the start schedule (the best
        # rule, which cpsat starts from too) when the first pass did not beat it
        traj = info["trajectory"]
        if info["pass_makespan"] > traj[0][1]:
            traj = traj[1:]
        reach = next((t for t, v in traj if v <= cp["objective"]), None)
        rec = {
            "instance": inst.name,
            "best_rule": int(rule),
            "cpsat": int(cp["objective"]),
            "cpsat_time_s": round(cp["time"], 1),
            "rho_pass": info["pass_makespan"],
            "rho_pass_s": info["rolling_s"],
            "rho_passes": " ".join(str(c) for c in info.get("pass_makespans", [])),
            "rho_trajectory": " ".join(f"{t:.0f}:{v}" for t, v in info["trajectory"]),
            "rho": int(rho["objective"]),
            "rho_time_s": round(rho["time"], 1),
            "improvement_pct": 100.0 * (cp["objective"] - rho["objective"]) / cp["objective"],
            "rho_reach_cpsat_s": reach,
        }
        records.append(rec)
        out(
            f"| {inst.name} | {rec['best_rule']} | {rec['cpsat']} | {rec['rho_pass']} "
            f"({rec['rho_pass_s']:.0f}) | {rec['rho']} | {rec['improvement_pct']:+.2f} % | "
            f"{'-' if reach is None else f'{reach:.0f}'} |"
        )
    out()
    imp = [r["improvement_pct"] for r in records]
    reach = [r["rho_reach_cpsat_s"] for r in records]
    out(
        f"mean makespan reduction of rho vs cpsat: {statistics.mean(imp):.2f} %; "
        f"rho reached cpsat's {tl:g} s makespan within {tl / 3:.0f} s on "
        f"{sum(1 for t in reach if t is not None and t <= tl / 3)}/{len(reach)} instances"
    )
    write_csv(out_path("fjsp_long_horizon.csv", args.out_dir), records)
    out()


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write ``rows`` (dicts with the same keys) as CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=["all", "brandimarte", "hurink", "long"], default="all")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--long-time-limit", type=float, default=300.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--instances", default="", help="comma-separated, e.g. mk01,mk05 (hurink: la21,la24)"
    )
    ap.add_argument(
        "--sets", default="hurink_edata,hurink_rdata", help="hurink: folders under --data"
    )
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "instances" / "fjsp"))
    ap.add_argument("--hurink-method", default="auto", help="schedlab's side in the hurink part")
    ap.add_argument("--methods", default=",".join(RULES + ["cpsat", "rho", "lns", "tabu"]))
    ap.add_argument("--long-count", type=int, default=5)
    ap.add_argument("--out-dir", default=None, help="output folder (default: benchmarks/out)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    api.warm_up("fjsp")  # kernels and engines loaded before the first timed solve
    if args.part in ("all", "brandimarte"):
        brandimarte(args)
    if args.part == "hurink":  # not in "all": 80 instances x 2 sides, up to 2.7 h
        hurink(args)
    if args.part in ("all", "long"):
        long_horizon(args)
    out(f"total wall time {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
