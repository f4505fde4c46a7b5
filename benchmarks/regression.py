"""Quick regression subsets: objectives and proofs of deterministic runs, to compare two
versions of schedlab (e.g. before and after a restructuring).

    python benchmarks/regression.py                 # writes benchmarks/out/regression.csv
    python benchmarks/regression.py --out benchmarks/out/regression_new.csv
    python benchmarks/regression.py --compare benchmarks/results/regression_after.csv \\
        benchmarks/out/regression.csv               # the tracked run against this one

The CSV goes to ``benchmarks/out/`` (git-ignored) unless ``--out-dir DIR`` or ``--out FILE``
says otherwise (``--out-dir benchmarks/results`` or ``--out benchmarks/results/<file>.csv``
for the tracked ones).

Subsets (exact methods that prove their optima quickly, and deterministic rules): smtt wt40
``exact``; smtt rules on n = 100 (the first 40 of ``data_100_200.txt``); memory challenging
``exact``; pipelining kernels ``cpsat``; partition ``exact``; Brandimarte rules. Uses only the
public API (``schedlab.read``, ``schedlab.solve``), so it runs on any version.
"""

from __future__ import annotations

import argparse
import csv
import glob
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # imported, not run as ``python benchmarks/regression.py``
    sys.path.insert(0, str(HERE))
from _common import ROOT, out_path  # noqa: E402

INST = ROOT / "instances"

SMTT_RULES = ["spt", "edd", "wspt", "mdd", "eddc", "mddc", "aug-mdd", "aug-mddc", "atc"]
FJSP_RULES = ["spt", "mor", "mwkr", "lwkr", "fifo", "random"]


def subsets() -> list[tuple[str, str, list[str], float]]:
    """(set, method, instance addresses, time limit)."""
    mem = sorted(glob.glob(str(INST / "memory/minimalloc/challenging/*.csv")))
    pipe = sorted(str(p) for p in (INST / "pipelining").glob("*.json"))
    part = sorted(str(p) for p in (INST / "partition").glob("*.json"))
    mk = sorted(str(p) for p in (INST / "fjsp").glob("mk*.fjs"))
    out: list[tuple[str, str, list[str], float]] = [
        ("smtt-wt40", "exact", [f"{INST}/smtt/wt40.txt#{k}" for k in range(1, 126)], 60.0)
    ]
    n100 = [f"{INST}/smtt/data_100_200.txt#{k}" for k in range(1, 41)]
    out += [("smtt-n100", m, n100, 10.0) for m in SMTT_RULES]
    out.append(("memory-challenging", "exact", mem, 60.0))
    out.append(("pipelining-kernels", "cpsat", pipe, 60.0))
    out.append(("partition", "exact", part, 120.0))
    out += [("fjsp-brandimarte", m, mk, 10.0) for m in FJSP_RULES]
    return out


def run(path: Path) -> None:
    import schedlab

    rows = []
    for set_name, method, addresses, limit in subsets():
        for a in addresses:
            inst = schedlab.read(a)
            res = schedlab.solve(inst, method, time_limit=limit, threads=1, seed=0)
            rows.append(
                {
                    "set": set_name,
                    "instance": Path(a).name,
                    "method": method,
                    "status": str(res.status),
                    "objective": "" if res.objective is None else repr(res.objective),
                    "bound": "" if res.bound is None else repr(res.bound),
                    "time_s": f"{res.runtime_s:.3f}",
                }
            )
        done = [r for r in rows if r["set"] == set_name and r["method"] == method]
        opt = sum(r["status"] == "optimal" for r in done)
        print(f"{set_name:20s} {method:10s} {len(done):4d} runs, {opt:4d} optimal", flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def compare(old: str, new: str) -> int:
    def load(p: str) -> dict[tuple[str, str, str], dict[str, str]]:
        with open(p) as fh:
            return {(r["set"], r["instance"], r["method"]): r for r in csv.DictReader(fh)}

    a, b = load(old), load(new)
    print("| set | method | runs | optimal (old) | optimal (new) | same objective | same status |")
    print("|---|---|---|---|---|---|---|")
    keys = sorted({(k[0], k[2]) for k in a})
    bad = 0
    for s, m in keys:
        ks = [k for k in a if k[0] == s and k[2] == m]
        same_obj = sum(a[k]["objective"] == b.get(k, {}).get("objective") for k in ks)
        same_st = sum(a[k]["status"] == b.get(k, {}).get("status") for k in ks)
        o1 = sum(a[k]["status"] == "optimal" for k in ks)
        o2 = sum(b.get(k, {}).get("status") == "optimal" for k in ks)
        bad += (len(ks) - same_obj) + (len(ks) - same_st)
        print(
            f"| {s} | {m} | {len(ks)} | {o1} | {o2} | {same_obj}/{len(ks)} | {same_st}/{len(ks)} |"
        )
    for k in sorted(a):
        if k in b and (a[k]["objective"], a[k]["status"]) != (b[k]["objective"], b[k]["status"]):
            print(
                f"differs: {k}: {a[k]['status']} {a[k]['objective']} -> "
                f"{b[k]['status']} {b[k]['objective']}"
            )
    return 1 if bad else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=None, help="output folder (default: benchmarks/out)")
    ap.add_argument("--out", default=None, help="the CSV (default: OUT_DIR/regression.csv)")
    ap.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"))
    args = ap.parse_args()
    if args.compare:
        sys.exit(compare(*args.compare))
    run(Path(args.out) if args.out else out_path("regression.csv", args.out_dir))


if __name__ == "__main__":
    main()
