"""Time limits at size: every case of the hardening issue (its point 3, and the pipelining
values of its point 2) solved with a time limit; the overrun is the method's reported
``runtime_s`` minus the limit (target: under 0.5 s), with the process's wall time and peak
memory beside it.

    python benchmarks/limits.py                   # every case; benchmarks/out/limits.csv
    python benchmarks/limits.py --only smtt,fjsp  # some families
    python benchmarks/limits.py --out-dir benchmarks/results

Each solve runs in a fresh process (``python -c``), so peak memory is the solve's own; the
kernels are warmed up before the clock (``info.compile_s``, not counted). Run it on a quiet
machine: it measures time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import markdown, out_path, progress, write_csv  # noqa: E402

#: (family, case name, Python expression building the instance, methods, time limit)
CASES: list[tuple[str, str, str, tuple[str, ...], float]] = [
    ("smtt", "n=5000", "schedlab.generate('smtt', n=5000, tf=0.6, rdd=0.6, weighted=True, seed=1)",
     ("ils", "aug-mdd", "exact", "cpsat", "ls", "atc", "edd", "auto"), 2.0),
    ("fjsp", "100 jobs x 50 ops x 20 machines",
     "schedlab.generate('fjsp', jobs=100, machines=20, ops=50, seed=1)",
     ("rho", "tabu", "cpsat", "lns", "mwkr", "auto"), 2.0),
    ("fjsp", "100 jobs x 50 ops x 20 machines",
     "schedlab.generate('fjsp', jobs=100, machines=20, ops=50, seed=1)", ("rho",), 10.0),
    ("memory", "mapping, 20,000 steps",
     "schedlab.generate('memory', 'generate_mapping', steps=20000, seed=1)",
     ("mip", "cpsat", "xla", "benefit", "auto"), 2.0),
    ("memory", "allocation, 4,000 buffers",
     "schedlab.generate('memory', 'generate_allocation', n=4000, horizon=2000, seed=1)",
     ("exact", "cpsat", "greedy-best", "auto"), 2.0),
    ("memory", "allocation, 200,000 buffers (lifetimes <= 200)",
     "schedlab.generate('memory', 'generate_allocation', n=200000, horizon=200000, "
     "max_life=200, seed=1).with_capacity(None)",
     ("greedy-size", "first-fit", "greedy-breadth"), 30.0),
    ("pipelining", "busy 10,000",
     "_pipe(busy=10000)", ("cpsat", "ims", "mip", "auto"), 5.0),
    ("pipelining", "delay 10,000",
     "_pipe(delay=10000)", ("cpsat", "ims", "mip", "auto"), 5.0),
    ("memory", "allocation, 200,000 buffers: the Y_1 trace (idealloc) repeated in time",
     "_repeat('instances/memory/idealloc/iopddl/Y_1.csv', 200000)",
     ("greedy-size", "first-fit", "greedy-best", "auto"), 30.0),
    ("memory", "msa, resnet50 (1,029 steps)", "schedlab.read('instances/memory/msa/resnet50.json')",
     ("xla", "cpsat", "auto"), 2.0),
    ("memory", "msa, bert_base (6,471 steps)",
     "schedlab.read('instances/memory/msa/bert_base.json')", ("xla", "cpsat", "auto"), 2.0),
    ("dag", "1,000 tasks, 8 processors",
     "schedlab.generate('dag', v=1000, processors=8, ccr=1.0, seed=1)",
     ("heft", "cpop", "peft", "random", "cpsat", "lns", "auto"), 2.0),
    ("dag", "5,000 tasks, 8 processors",
     "schedlab.generate('dag', v=5000, processors=8, ccr=1.0, seed=1)",
     ("heft", "cpsat", "lns", "auto"), 2.0),
    ("pipelining", "busy 1,000,000",
     "_pipe(busy=1000000)", ("cpsat", "ims", "mip", "auto"), 5.0),
    ("pipelining", "delay 1,000,000",
     "_pipe(delay=1000000)", ("cpsat", "ims", "mip", "auto"), 5.0),
    ("pipelining", "1000 ops", "schedlab.generate('pipelining', n=1000, seed=1)",
     ("cpsat", "mip", "ims", "auto"), 2.0),
    ("pipelining", "1000 ops, one unit kind",
     "schedlab.generate('pipelining', n=1000, units=1, seed=1)",
     ("cpsat", "mip", "ims", "auto"), 2.0),
    ("pipelining", "3000 ops", "schedlab.generate('pipelining', n=3000, seed=1)",
     ("cpsat", "mip", "ims", "auto"), 2.0),
    ("pipelining", "10,000 ops", "schedlab.generate('pipelining', n=10000, seed=1)",
     ("cpsat", "mip", "ims", "auto"), 2.0),
]  # fmt: skip

PRELUDE = """
import json, resource, sys, time
import schedlab

def _repeat(path, total):
    # a real trace repeated in time (copy k shifted by k x its span) up to ``total`` buffers
    from schedlab.families.memory import Allocation, Buffer
    base = schedlab.read(path)
    span = max(b.upper for b in base.buffers)
    bufs, k = [], 0
    while len(bufs) < total:
        for b in base.buffers[: total - len(bufs)]:
            bufs.append(Buffer(len(bufs), b.lower + k * span, b.upper + k * span, b.size))
        k += 1
    return Allocation(buffers=tuple(bufs), name=f"{base.name} x{k}")

def _pipe(busy=None, delay=None):
    d = schedlab.generate('pipelining', n=4, seed=0).to_dict()
    if busy is not None:
        d['ops'][1]['busy'] = busy
    if delay is not None:
        d['edges'][0]['delay'] = delay
    return schedlab.load(d)
"""


def run_case(build: str, method: str, limit: float, timeout: float) -> dict[str, Any]:
    code = (
        PRELUDE
        + f"inst = {build}\n"
        + f"r = schedlab.solve(inst, {method!r}, time_limit={limit!r})\n"
        + "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        + "print(json.dumps({'status': str(r.status), 'objective': r.objective, "
        + "'runtime_s': r.runtime_s, 'method': r.method, 'peak_mb': rss, "
        + "'compile_s': r.info.get('compile_s', 0.0)}))\n"
    )
    t0 = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"status": f"killed after {timeout:g} s", "wall_s": round(timeout, 1)}
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1][:120]
        return {"status": f"error: {tail}", "wall_s": round(wall, 1)}
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["wall_s"] = round(wall, 2)
    return out


def refused(out: dict[str, Any]) -> bool:
    """A value past the model's documented cap, refused with a one-line InstanceError."""
    return str(out.get("status", "")).startswith("error: schedlab.core.errors.InstanceError")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="", help="comma-separated families")
    ap.add_argument("--out-dir", default=None, help="folder of limits.csv (benchmarks/out)")
    ap.add_argument("--grace", type=float, default=60.0, help="seconds past the limit to kill")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    todo = [
        (fam, case, build, m, limit)
        for fam, case, build, methods, limit in CASES
        if not only or fam in only
        for m in methods
    ]
    rows = []
    for fam, case, build, method, limit in progress(todo, "limits"):
        out = run_case(build, method, limit, limit + args.grace)
        runtime = out.get("runtime_s")
        over = None if runtime is None else runtime - limit
        rows.append(
            {
                "family": fam,
                "case": case,
                "method": method
                if out.get("method") in (None, method)
                else f"{method} -> {out['method']}",
                "limit s": limit,
                "runtime s": None if runtime is None else round(runtime, 2),
                "overrun s": None if over is None else round(over, 2),
                "ok (< 0.5 s)": "yes"
                if over is not None and over < 0.5
                else "refused"
                if refused(out)
                else "NO",
                "wall s": out.get("wall_s"),
                "peak MB": None if out.get("peak_mb") is None else round(out["peak_mb"]),
                "status": out.get("status"),
                "objective": out.get("objective"),
            }
        )
    print(markdown(rows))
    path = out_path("limits.csv", args.out_dir)
    write_csv(path, rows)
    print(f"\nCSV: {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
