"""dag benchmarks: the targets of issue #17, one markdown table each.

1. ``topcuoglu``: the 10-task example of Topcuoglu, Hariri & Wu (2002): HEFT 80, CPOP 86 as
   published, the optimum 73 proved by ``cpsat``.
2. ``stg``: the STG random 50-task graphs on p = 2, 4, 8 identical processors: ``cpsat`` against
   Kasahara Lab's published table (optima matched; open instances proved optimal, each
   closed one listed with its makespan and bound, its schedule written beside the CSVs as
   the certificate of the upper bound).
3. ``hetero``: heterogeneous graphs, the DS3 jobs on the DS3 SoCs and Topcuoglu random graphs
   (v = 20, 50, 100; CCR 0.1, 1, 10; 3 and 8 processors): mean makespan of the best of
   ``cpsat`` and ``lns`` against ``heft``, and the share proved optimal.
4. ``workflows``: Montage, Epigenomics and CyberShake of about 1,000 tasks (Pegasus DAX) on the
   8-processor default platform: ``lns`` against ``heft``.
5. ``online``: DS3 arrival traces at three loads on the MULTIPLE_BAL SoC (DS3's job mix):
   mean job completion time (and slowdown, makespan) of HEFT on the ready tasks, EFT, HEFT
   planning at arrivals (rolling CP-SAT's starting point) and rolling CP-SAT.

Run from the repository root::

    python benchmarks/dag.py                                  # everything, 60 s, 2 threads
    python benchmarks/dag.py --tables stg --first 20 --time-limit 10
    python benchmarks/dag.py --tables stg --open               # only the open STG instances
    python benchmarks/dag.py --tables stg --open --verify      # ... each closure re-proved
    python benchmarks/dag.py --out-dir benchmarks/results      # refresh the tracked CSVs

The DS3 jobs and SoCs and the workflow traces are not bundled (GPL/LGPL): they are read from
``--data`` (default ``../shared/instances/dag`` beside the repository); tables without their
data are skipped with a note. CSVs (``dag_<table>.csv``) go to ``benchmarks/out/`` (git-ignored)
or ``--out-dir``. The plain solves as a sweep: ``benchmarks/dag.toml``.
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
from schedlab.core import InstanceError
from schedlab.families.dag import formats, online
from schedlab.families.dag.generate import generate

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # imported, not run as ``python benchmarks/dag.py``
    sys.path.insert(0, str(HERE))
from _common import ROOT, note, out_path, progress  # noqa: E402

TABLES = ("topcuoglu", "stg", "hetero", "workflows", "online")
STG = ROOT / "instances" / "dag" / "stg"
DS3_JOBS = ("WIFI_5TXM", "WIFI_5RXM", "LAG", "SCT", "SCR", "TEMP_MIT")
WORKFLOWS = ("Montage_1000", "Epigenomics_997", "CyberShake_1000")


def out(line: str = "") -> None:
    """Print and flush (the run is long and usually goes to a file)."""
    print(line, flush=True)


def solve(
    inst: Any, method: str, time_limit: float | None, threads: int, **params: Any
) -> dict[str, Any]:
    """One solve as a row (objective, bound, status, seconds)."""
    res = api.solve(inst, method, time_limit=time_limit, threads=threads, **params)
    return {
        "method": method,
        "objective": res.objective,
        "bound": res.bound,
        "status": str(res.status),
        "time_s": round(res.runtime_s, 3),
    }


def write_csv(name: str, rows: list[dict[str, Any]], out_dir: str | None) -> None:
    """Rows as a CSV file (the union of their keys as columns)."""
    if not rows:
        return
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    path = out_path(f"dag_{name}.csv", out_dir)
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)
    note(f"wrote {path}")


def fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.3f}"
    return str(v)


# -- 1. the Topcuoglu example -------------------------------------------------------------------
def table_topcuoglu(args: argparse.Namespace) -> list[dict[str, Any]]:
    inst = api.read(ROOT / "instances" / "dag" / "topcuoglu2002_fig2.json")
    published = {"heft": 80, "cpop": 86, "cpsat": 73}
    rows = []
    for m in ("heft", "cpop", "peft", "random", "lns", "cpsat"):
        tl = None if m in ("heft", "cpop", "peft") else args.time_limit
        r = solve(inst, m, tl, args.threads)
        r["published"] = published.get(m)
        rows.append(r)
    out("## Topcuoglu et al. (2002), 10 tasks on 3 processors (optimum 73)\n")
    out("| method | makespan | published | bound | status | time (s) |")
    out("|---|---|---|---|---|---|")
    for r in rows:
        out(
            f"| {r['method']} | {fmt(r['objective'])} | {fmt(r['published'])} | "
            f"{fmt(r['bound'])} | {r['status']} | {r['time_s']:.2f} |"
        )
    out()
    return rows


# -- 2. STG ---------------------------------------------------------------------------------------
def stg_table(p: int) -> dict[str, tuple[float | None, float | None, float | None]]:
    """Published ``name -> (opt, lb, ub)`` for p processors."""
    got = {}
    with (STG / "optimal" / f"Case50_{p}_OPT.csv").open() as fh:
        for row in csv.reader(fh):
            name = Path(row[0]).stem
            vals = [float(x) for x in row[2:]]
            got[name] = (vals[0], None, None) if len(vals) == 1 else (None, vals[0], vals[1])
    return got


def cumulative_check(inst: Any, makespan: int, time_limit: float, threads: int) -> str:
    """An independent proof that no schedule of an STG instance (identical processors, no
    communication: P|prec|Cmax) ends before ``makespan``: a model of its own (start times,
    precedence, one cumulative of capacity P, none of the family's code) with every task
    ending by ``makespan - 1``, which CP-SAT must find infeasible."""
    from ortools.sat.python import cp_model

    times = [int(min(t for t in row if t is not None)) for row in inst.times]
    m = cp_model.CpModel()
    top = makespan - 1
    if any(d > top for d in times):
        return "infeasible (a task longer)"
    start = [m.new_int_var(0, top - d, f"s{i}") for i, d in enumerate(times)]
    ivs = [
        m.new_fixed_size_interval_var(s, d, f"i{i}")
        for i, (s, d) in enumerate(zip(start, times, strict=True))
    ]
    for e in inst.edges:
        m.add(start[e[1]] >= start[e[0]] + times[e[0]])
    m.add_cumulative(ivs, [1] * len(ivs), inst.n_processors)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = threads
    return solver.status_name(solver.solve(m)).lower()


def table_stg(args: argparse.Namespace) -> list[dict[str, Any]]:
    files = sorted((STG / "50").glob("rand*.stg"))
    if args.first:
        files = files[: args.first]
    rows = []
    closed_dir = out_path("dag_stg_closed", args.out_dir)
    closed_dir.mkdir(exist_ok=True)
    for p in (2, 4, 8):
        table = stg_table(p)
        chosen = [f for f in files if not args.open or table[f.stem][0] is None]
        for f in progress(chosen, f"stg p={p}"):
            inst = api.read(f"{f}#{p}")
            heft = api.solve(inst, "heft").objective
            res = api.solve(inst, "cpsat", time_limit=args.time_limit, threads=args.threads)
            opt, lb, ub = table[f.stem]
            row = {
                "instance": f.stem,
                "p": p,
                "published_opt": opt,
                "published_lb": lb,
                "published_ub": ub,
                "heft": heft,
                "objective": res.objective,
                "bound": res.bound,
                "status": str(res.status),
                "time_s": round(res.runtime_s, 3),
            }
            if opt is None and res.status.value == "optimal":
                cert = closed_dir / f"{f.stem}_p{p}.json"
                cert.write_text(res.to_json(indent=1) + "\n")
                if args.verify:
                    row["check"] = cumulative_check(
                        inst, int(res.objective), args.time_limit, args.threads
                    )
            rows.append(row)
    out(f"## STG 50 tasks, cpsat at {args.time_limit:g} s / {args.threads} threads\n")
    out(
        "| p | instances | published optima | matched | beaten | open | proved optimal | open closed |"
    )
    out("|---|---|---|---|---|---|---|---|")
    for p in (2, 4, 8):
        rs = [r for r in rows if r["p"] == p]
        solved = [r for r in rs if r["published_opt"] is not None]
        matched = sum(r["objective"] == r["published_opt"] for r in solved)
        beaten = sum(r["objective"] < r["published_opt"] for r in solved)
        opened = [r for r in rs if r["published_opt"] is None]
        closed = sum(r["status"] == "optimal" for r in opened)
        proved = sum(r["status"] == "optimal" for r in rs)
        out(
            f"| {p} | {len(rs)} | {len(solved)} | {matched} | {beaten} | {len(opened)} | "
            f"{proved} | {closed} of {len(opened)} |"
        )
    opened = [r for r in rows if r["published_opt"] is None]
    if opened:
        out("\nOpen instances of the published table:\n")
        check = " makespan - 1, cumulative model |" if args.verify else ""
        out(
            "| instance | p | published LB | published UB | heft | cpsat | bound | status | "
            f"time (s) |{check}"
        )
        out("|---|---|---|---|---|---|---|---|---|" + ("---|" if args.verify else ""))
        for r in opened:
            extra = f" {r.get('check', '-')} |" if args.verify else ""
            out(
                f"| {r['instance']} | {r['p']} | {fmt(r['published_lb'])} | {fmt(r['published_ub'])} | "
                f"{fmt(r['heft'])} | {fmt(r['objective'])} | {fmt(r['bound'])} | {r['status']} | "
                f"{r['time_s']:.1f} |{extra}"
            )
        out(
            f"\n(proof of each closed instance: CP-SAT's optimality status with bound = makespan; "
            f"the schedule, checked, is in {closed_dir}"
            + (
                "; the last column: the same question asked of an independent model (start "
                "times, precedence, a cumulative of capacity p), infeasible below the makespan"
                if args.verify
                else ""
            )
            + ")"
        )
    missed = [
        r for r in rows if r["published_opt"] is not None and r["objective"] != r["published_opt"]
    ]
    for r in missed:
        out(
            f"\nnot matched: {r['instance']} p={r['p']}: {fmt(r['objective'])} vs {fmt(r['published_opt'])}"
        )
    out()
    return rows


# -- 3. heterogeneous graphs ----------------------------------------------------------------------
def hetero_instances(args: argparse.Namespace) -> list[tuple[str, Any]]:
    out_list: list[tuple[str, Any]] = []
    ds3 = Path(args.data) / "ds3"
    if (ds3 / "config_Jobs").is_dir():
        for soc in ("SoC.MULTIPLE_BAL.txt", "SoC.BAL_only.txt"):
            for job in DS3_JOBS:
                try:
                    inst = formats.read_ds3(
                        str(ds3 / "config_Jobs" / f"job_{job}.txt"), str(ds3 / "config_SoC" / soc)
                    )
                except InstanceError:
                    continue  # a job the SoC cannot run
                out_list.append(("ds3", inst))
        pulse = ds3 / "history_pulse_doppler"
        if (pulse / "job_PULSE_64.txt").is_file():
            out_list.append(
                (
                    "ds3",
                    formats.read_ds3(
                        str(pulse / "job_PULSE_64.txt"), str(pulse / "DASH.SoC.MULTIPLE_BAL.txt")
                    ),
                )
            )
    else:
        note(f"hetero: no DS3 data under {ds3}; DS3 rows skipped")
    for v in (20, 50, 100):
        for ccr in (0.1, 1.0, 10.0):
            for procs in (3, 8):
                for seed in range(args.seeds):
                    out_list.append(("topcuoglu", generate(v, procs, ccr=ccr, seed=seed)))
    if args.first:
        out_list = out_list[: args.first]
    return out_list


def table_hetero(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    for kind, inst in progress(hetero_instances(args), "hetero"):
        heft = api.solve(inst, "heft").objective
        cp = api.solve(inst, "cpsat", time_limit=args.time_limit, threads=args.threads)
        ln = api.solve(inst, "lns", time_limit=args.time_limit, threads=args.threads)
        best = min(cp.objective, ln.objective)
        rows.append(
            {
                "set": kind,
                "instance": inst.name,
                "tasks": inst.n,
                "processors": inst.n_processors,
                "heft": heft,
                "cpsat": cp.objective,
                "cpsat_bound": cp.bound,
                "cpsat_status": str(cp.status),
                "lns": ln.objective,
                "best": best,
                "optimal": cp.status.value == "optimal" or ln.status.value == "optimal",
                "reduction": 1 - best / heft,
            }
        )
    out(
        f"## Heterogeneous graphs: best of cpsat and lns at {args.time_limit:g} s / {args.threads} threads vs heft\n"
    )
    out(
        "| set | instances | mean heft | mean best | mean reduction | best vs heft (median) | proved optimal |"
    )
    out("|---|---|---|---|---|---|---|")
    for kind in ("ds3", "topcuoglu", "all"):
        rs = [r for r in rows if kind in ("all", r["set"])]
        if not rs:
            continue
        out(
            f"| {kind} | {len(rs)} | {statistics.mean(r['heft'] for r in rs):.1f} | "
            f"{statistics.mean(r['best'] for r in rs):.1f} | "
            f"{100 * (1 - statistics.mean(r['best'] for r in rs) / statistics.mean(r['heft'] for r in rs)):.1f} % | "
            f"{100 * statistics.median(r['reduction'] for r in rs):.1f} % | "
            f"{sum(r['optimal'] for r in rs)} of {len(rs)} |"
        )
    out("\n| instance | tasks | P | heft | cpsat | bound | lns | reduction |")
    out("|---|---|---|---|---|---|---|---|")
    for r in rows:
        out(
            f"| {r['instance']} | {r['tasks']} | {r['processors']} | {fmt(r['heft'])} | {fmt(r['cpsat'])} | "
            f"{fmt(r['cpsat_bound'])} | {fmt(r['lns'])} | {100 * r['reduction']:.1f} % |"
        )
    out()
    return rows


# -- 4. workflows ----------------------------------------------------------------------------------
def load_bound(inst: Any) -> float:
    """The LP bound of the processors' loads (unrelated machines, fractional assignment):
    min C with every task split over its processors and every processor's load at most C;
    a lower bound on the makespan (HiGHS through scipy)."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    n, P = inst.n, inst.n_processors
    cells = [
        (i, p, t) for i, row in enumerate(inst.times) for p, t in enumerate(row) if t is not None
    ]
    m = len(cells)
    c = np.zeros(m + 1)
    c[-1] = 1.0
    eq = coo_matrix((np.ones(m), ([i for i, _, _ in cells], list(range(m)))), shape=(n, m + 1))
    rows = [p for _, p, _ in cells] + list(range(P))
    cols = list(range(m)) + [m] * P
    vals = [float(t) for _, _, t in cells] + [-1.0] * P
    ub = coo_matrix((vals, (rows, cols)), shape=(P, m + 1))
    res = linprog(
        c, A_ub=ub, b_ub=np.zeros(P), A_eq=eq, b_eq=np.ones(n), bounds=(0, None), method="highs"
    )
    return float(res.fun) if res.status == 0 else 0.0


def table_workflows(args: argparse.Namespace) -> list[dict[str, Any]]:
    dax = Path(args.data) / "pegasus_synthetic_dax"
    rows = []
    names = [w for w in WORKFLOWS if (dax / f"{w}.xml").is_file()]
    if not names:
        note(f"workflows: no DAX files under {dax}; table skipped")
        return rows
    if args.first:
        names = names[: args.first]
    for w in progress(names, "workflows"):
        inst = formats.read_dax(str(dax / f"{w}.xml"))
        t0 = time.perf_counter()
        heft = api.solve(inst, "heft")
        heft_s = time.perf_counter() - t0
        best_list = min(api.solve(inst, m).objective for m in ("heft", "peft", "cpop"))
        ln = api.solve(inst, "lns", time_limit=args.time_limit, threads=args.threads)
        bound = max(float(ln.bound or 0), load_bound(inst))
        rows.append(
            {
                "workflow": w,
                "tasks": inst.n,
                "edges": len(inst.edges),
                "heft": heft.objective,
                "heft_s": round(heft_s, 3),
                "best_list": best_list,
                "lns": ln.objective,
                "lns_bound": ln.bound,
                "load_bound": bound,
                "heft_gap": heft.objective / bound - 1,
                "improvement": 1 - ln.objective / heft.objective,
                "lns_windows": ln.info.get("iterations"),
            }
        )
    out(
        f"## Workflows on the default 8-processor platform: lns at {args.time_limit:g} s / {args.threads} threads\n"
    )
    out(
        "| workflow | tasks | edges | heft | best of heft/peft/cpop | lns | lns vs heft | windows | "
        "lower bound | heft above it |"
    )
    out("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        out(
            f"| {r['workflow']} | {r['tasks']} | {r['edges']} | {fmt(r['heft'])} | {fmt(r['best_list'])} | "
            f"{fmt(r['lns'])} | {100 * r['improvement']:.2f} % | {r['lns_windows']} | "
            f"{r['load_bound']:.0f} | {100 * r['heft_gap']:.1f} % |"
        )
    out(
        "\n(lower bound: the larger of lns's proven bound and the LP bound of the processors' "
        "loads, a fractional assignment of the tasks)"
    )
    out()
    return rows


# -- 5. online -------------------------------------------------------------------------------------
def table_online(args: argparse.Namespace) -> list[dict[str, Any]]:
    ds3 = Path(args.data) / "ds3"
    if not (ds3 / "config_Jobs").is_dir():
        note(f"online: no DS3 data under {ds3}; table skipped")
        return []
    jobs = [str(ds3 / "config_Jobs" / f"job_{j}.txt") for j in DS3_JOBS]
    soc = str(ds3 / "config_SoC" / "SoC.MULTIPLE_BAL.txt")
    # DS3's own job mix (config_file.ini: job_probabilities)
    weights = [0.2, 0.2, 0.2, 0.1, 0.1, 0.2]
    rows = []
    for load in args.loads:
        for seed in range(args.seeds):
            trace = online.ds3_trace(
                jobs, soc, jobs=args.jobs, load=load, seed=seed, weights=weights
            )
            for pol in online.POLICIES:
                res = online.simulate(
                    trace, pol, epoch_limit=args.epoch_limit, threads=args.threads, seed=seed
                )
                rows.append({"load": load, "seed": seed, **res.summary()})
    out(
        f"## Online: DS3 traces of {args.jobs} jobs on SoC.MULTIPLE_BAL (cpsat: {args.epoch_limit:g} s a "
        f"re-plan, {args.threads} threads)\n"
    )
    out("| load | policy | mean job completion | mean slowdown | makespan |")
    out("|---|---|---|---|---|")
    for load in args.loads:
        for pol in online.POLICIES:
            rs = [r for r in rows if r["load"] == load and r["policy"] == pol]
            out(
                f"| {load:g} | {pol} | {statistics.mean(r['mean_response'] for r in rs):.1f} | "
                f"{statistics.mean(r['mean_slowdown'] for r in rs):.3f} | "
                f"{statistics.mean(r['makespan'] for r in rs):.0f} |"
            )
    out()
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--tables", default=",".join(TABLES), help=f"comma-separated, of {', '.join(TABLES)}"
    )
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds a solve (default 60)")
    ap.add_argument("--threads", type=int, default=2, help="threads a solve (default 2)")
    ap.add_argument("--first", type=int, default=None, help="only the first K instances of a table")
    ap.add_argument(
        "--open",
        action="store_true",
        help="stg: only the instances the published table leaves open",
    )
    ap.add_argument(
        "--verify",
        action="store_true",
        help="stg: re-prove each closed open instance with an independent cumulative model",
    )
    ap.add_argument(
        "--seeds", type=int, default=1, help="generated graphs and traces a setting (default 1)"
    )
    ap.add_argument("--jobs", type=int, default=50, help="online: jobs a trace (default 50)")
    ap.add_argument(
        "--loads",
        type=lambda s: [float(x) for x in s.split(",")],
        default=[2.0, 8.0, 32.0],
        help="online: loads, jobs arriving while one runs alone (default 2,8,32)",
    )
    ap.add_argument(
        "--epoch-limit", type=float, default=1.0, help="online cpsat: seconds a re-plan"
    )
    ap.add_argument(
        "--data",
        default=str(ROOT.parent / "shared" / "instances" / "dag"),
        help="DS3 and workflow data",
    )
    ap.add_argument("--out-dir", default=None, help="where the CSVs go (default benchmarks/out)")
    args = ap.parse_args(argv)
    chosen = [t.strip() for t in args.tables.split(",") if t.strip()]
    unknown = set(chosen) - set(TABLES)
    if unknown:
        ap.error(f"unknown table(s): {', '.join(sorted(unknown))}")
    api.warm_up("dag")
    for name in chosen:
        rows = globals()[f"table_{name}"](args)
        write_csv(name, rows, args.out_dir)


if __name__ == "__main__":
    main()
