"""Probe: exact SSDP and iterated dynasearch on the OR-Library and n=500 SMTT sets.

Standalone: reads the instance files from the bundled ``instances/smtt`` directly.

    python benchmarks/smtt_scale_probe.py                     # all sets
    python benchmarks/smtt_scale_probe.py --sets wt40 --limit 20
    python benchmarks/smtt_scale_probe.py --isolate           # one process per instance
    python benchmarks/smtt_scale_probe.py --sets n500 --step 20 --time-limit 60

Prints a markdown table: set, instances, proven optimal, equal to reference, median s, max s.
Times are wall-clock seconds of the solver call inside the process (the numba kernels are
warmed up first with ``schedlab.warm_up``, so compilation / cache loading is not counted).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from schedlab.families.smtt.methods._ils import ils_solve  # noqa: E402
from schedlab.families.smtt.methods._ssdp import exact_solve  # noqa: E402
from schedlab.families.smtt.objective import total_tardiness  # noqa: E402

DATA_CANDIDATES = [ROOT / "instances" / "smtt"]  # the bundled copies


def data_dir() -> Path:
    env = os.environ.get("SMTT_DATA")
    if env:
        return Path(env)
    for c in DATA_CANDIDATES:
        if c.is_dir():
            return c
    raise SystemExit("instance folder instances/smtt not found (set SMTT_DATA)")


def load_orlib(n: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """OR-Library wt<n>.txt: per instance n p, n w, n d."""
    a = np.array((data_dir() / f"wt{n}.txt").read_text().split(), dtype=np.int64)
    m = a.size // (3 * n)
    out = []
    for k in range(m):
        b = a[3 * n * k : 3 * n * (k + 1)]
        out.append((b[:n].copy(), b[2 * n :].copy(), b[n : 2 * n].copy()))
    return out


def load_ref(name: str) -> list[int]:
    return [int(x) for x in (data_dir() / name).read_text().split()]


def load_cetinkaya(name: str) -> tuple[list[tuple[np.ndarray, np.ndarray, np.ndarray]], list[int]]:
    """data_<n>_<m>.txt: header 'm n', then per instance 'idx RDD TF k opt', p line, d line."""
    lines = (data_dir() / name).read_text().splitlines()
    m, n = (int(x) for x in lines[0].split())
    inst, opts = [], []
    for k in range(m):
        head = lines[1 + 3 * k].split()
        p = np.array(lines[2 + 3 * k].split(), dtype=np.int64)
        d = np.array(lines[3 + 3 * k].split(), dtype=np.int64)
        assert p.size == n and d.size == n
        inst.append((p, d, np.ones(n, dtype=np.int64)))
        opts.append(int(head[4]))
    return inst, opts


def get_set(name: str):
    if name == "wt40":
        return load_orlib(40), load_ref("wtopt40.txt"), "exact"
    if name == "wt100":
        return load_orlib(100), load_ref("wtbest100b.txt"), "exact"
    if name == "n500":
        inst, opts = load_cetinkaya("data_500_200.txt")
        return inst, opts, "exact"
    if name == "ils100":
        return load_orlib(100), load_ref("wtbest100b.txt"), "ils"
    raise SystemExit(f"unknown set {name}")


def warm_up() -> None:
    """Load / compile every numba kernel (the family's samples and the methods' own
    warm-ups: stages 1-3 of SSDP, the unweighted solver, ILS), outside the timed solves."""
    import schedlab

    schedlab.warm_up("smtt", "exact")
    schedlab.warm_up("smtt", "ils")


def run_one(setname: str, k: int, time_limit: float, ils_limit: float) -> dict:
    inst, ref, mode = get_set(setname)
    p, d, w = inst[k]
    t0 = time.perf_counter()
    if mode == "exact":
        seq, obj, lb, proven = exact_solve(p, d, w, t0 + time_limit)
        el = time.perf_counter() - t0
        assert sorted(seq) == list(range(len(p)))
        assert total_tardiness(p, d, w, seq) == int(obj)
        return {"k": k, "obj": obj, "lb": lb, "proven": proven, "ref": ref[k], "time": el}
    seq = ils_solve(p, d, w, ils_limit, seed=k, target=ref[k])
    el = time.perf_counter() - t0
    obj = int(total_tardiness(p, d, w, seq))
    return {"k": k, "obj": obj, "lb": None, "proven": False, "ref": ref[k], "time": el}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sets", default="wt40,wt100,n500,ils100")
    ap.add_argument("--limit", type=int, default=0, help="first N instances only (0 = all)")
    ap.add_argument("--only", default="", help="comma-separated instance indices (0-based)")
    ap.add_argument("--step", type=int, default=1, help="every STEP-th instance (e.g. 20)")
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--ils-limit", type=float, default=10.0)
    ap.add_argument("--isolate", action="store_true", help="one process per instance")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        setname, k = args.child.split(":")
        warm_up()
        print(json.dumps(run_one(setname, int(k), args.time_limit, args.ils_limit)))
        return

    rows = []
    if not args.isolate:
        warm_up()
    for setname in args.sets.split(","):
        inst, ref, mode = get_set(setname)
        ks = list(range(len(inst)))
        if args.only:
            ks = [int(x) for x in args.only.split(",")]
        elif args.limit:
            ks = ks[: args.limit]
        ks = ks[:: max(1, args.step)]
        res = []
        for k in ks:
            if args.isolate:
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        f"{setname}:{k}",
                        "--time-limit",
                        str(args.time_limit),
                        "--ils-limit",
                        str(args.ils_limit),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                r = json.loads(out.stdout.strip().splitlines()[-1])
            else:
                r = run_one(setname, k, args.time_limit, args.ils_limit)
            res.append(r)
            if args.verbose:
                flag = "" if r["obj"] == r["ref"] else "  <-- differs"
                print(
                    f"{setname} #{k}: obj={r['obj']:.0f} ref={r['ref']} lb={r['lb']} "
                    f"proven={r['proven']} {r['time']:.3f}s{flag}",
                    flush=True,
                )
        times = [r["time"] for r in res]
        row = {
            "set": setname,
            "instances": len(res),
            "proven": sum(1 for r in res if r["proven"]) if mode == "exact" else "-",
            "equal": sum(1 for r in res if int(r["obj"]) == r["ref"]),
            "below": sum(1 for r in res if int(r["obj"]) < r["ref"]),
            "median": statistics.median(times) if times else 0.0,
            "max": max(times) if times else 0.0,
        }
        if mode == "ils":
            row["within2"] = sum(1 for r in res if int(r["obj"]) == r["ref"] and r["time"] <= 2.0)
        rows.append(row)

    print()
    print("| set | instances | proven optimal | equal to reference | median s | max s |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        eq = str(r["equal"])
        if r["below"]:
            eq += f" ({r['below']} below ref!)"
        if "within2" in r:
            eq += f" ({r['within2']} within 2 s)"
        print(
            f"| {r['set']} | {r['instances']} | {r['proven']} | {eq} | "
            f"{r['median']:.3f} | {r['max']:.3f} |"
        )


if __name__ == "__main__":
    main()
