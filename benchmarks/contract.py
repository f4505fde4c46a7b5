"""The library contract a compiler relies on, measured: imports, first solves, work limits
under load, per-call overhead.

    python benchmarks/contract.py                       # benchmarks/out/contract.csv
    python benchmarks/contract.py --out-dir benchmarks/results

Prints markdown tables:

1. the packages a greedy placement and a dispatching rule load (a fresh interpreter each);
2. the first solve in a fresh process: a 5-buffer placement with ``greedy-size`` (no kernels
   needed) and with ``exact -t 0.1``, with an empty kernel cache (cold: compiled first, outside
   the limit) and with the cache filled (warm);
3. a work-limited ``exact`` on a MiniMalloc trace, run idle and then beside two CPU burners:
   the same result;
4. the per-call overhead of ``schedlab.solve`` (wall time minus the method's ``runtime_s``)
   for ``greedy-size`` on 50 buffers, with the check kept.

Run it on a quiet machine: parts 2 and 4 measure time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, markdown, out_path, write_csv  # noqa: E402

import schedlab  # noqa: E402

FIVE = {
    "problem": "memory",
    "name": "five",
    "buffers": [
        {"id": "a", "lower": 0, "upper": 3, "size": 4},
        {"id": "b", "lower": 1, "upper": 4, "size": 8},
        {"id": "c", "lower": 2, "upper": 6, "size": 2},
        {"id": "d", "lower": 4, "upper": 7, "size": 4},
        {"id": "e", "lower": 5, "upper": 9, "size": 6},
    ],
}
HEAVY = ("numba", "llvmlite", "scipy", "ortools", "pandas", "pyarrow", "pyomo", "highspy")
TRACE = ROOT / "instances" / "memory" / "minimalloc" / "challenging" / "E.1048576.csv"


def _fresh(code: str, env: dict[str, str] | None = None) -> tuple[float, dict[str, Any]]:
    """Run ``code`` in a fresh interpreter; (wall seconds, the JSON it prints last)."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    wall = time.perf_counter() - t0
    return wall, json.loads(done.stdout.strip().splitlines()[-1])


def imports() -> list[dict[str, Any]]:
    rows = []
    cases = {
        "memory greedy-size (5 buffers)": f"schedlab.solve({FIVE!r}, 'greedy-size')",
        "memory greedy-size (300 buffers)": (
            "schedlab.solve(schedlab.generate('memory', 'generate_allocation', n=300, "
            "horizon=100, seed=1), 'greedy-size')"
        ),
        "smtt edd (rule)": (
            "schedlab.solve(schedlab.generate('smtt', n=20, tf=0.6, rdd=0.6, seed=1), 'edd')"
        ),
        "pipelining ims": "schedlab.solve(schedlab.generate('pipelining', n=8, seed=1), 'ims')",
    }
    for name, call in cases.items():
        code = (
            "import sys, json, schedlab\n"
            f"{call}\n"
            f"heavy = {HEAVY!r}\n"
            "tops = sorted({m.split('.')[0] for m in sys.modules})\n"
            "print(json.dumps({'heavy': [m for m in heavy if m in sys.modules], 'n': len(tops)}))"
        )
        _, out = _fresh(code)
        rows.append({"case": name, "engines loaded": ", ".join(out["heavy"]) or "none"})
    return rows


def first_solves(repeats: int) -> list[dict[str, Any]]:
    rows = []
    code_for = {
        "greedy-size": f"r = schedlab.solve({FIVE!r}, 'greedy-size')",
        "exact -t 0.1": f"r = schedlab.solve({FIVE!r}, 'exact', time_limit=0.1)",
    }
    with tempfile.TemporaryDirectory() as cache:
        env = {"SCHEDLAB_CACHE_DIR": cache}
        for method, call in code_for.items():
            for state in ("cold", "warm"):
                walls, outs = [], []
                for _ in range(1 if state == "cold" else repeats):
                    code = (
                        f"import json, schedlab\n{call}\n"
                        "print(json.dumps({'status': str(r.status), 'objective': r.objective, "
                        "'runtime_s': r.runtime_s, 'compile_s': r.info.get('compile_s', 0.0)}))"
                    )
                    wall, out = _fresh(code, env)
                    walls.append(wall)
                    outs.append(out)
                    if state == "cold" and method == "greedy-size":
                        break
                out = outs[-1]
                rows.append(
                    {
                        "method": method,
                        "kernel cache": state,
                        "wall s (median)": round(statistics.median(walls), 3),
                        "compile s": out["compile_s"],
                        "solve s": round(out["runtime_s"], 4),
                        "status": out["status"],
                        "objective": out["objective"],
                    }
                )
    return rows


def loaded(work: float) -> list[dict[str, Any]]:
    inst = schedlab.read(str(TRACE)).with_capacity(None)
    rows = []
    for load in ("idle", "2 CPU burners"):
        burners = []
        if load != "idle":
            burners = [
                subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)
            ]
            time.sleep(0.5)
        try:
            res = schedlab.solve(inst, "exact", work_limit=work, threads=1, seed=0)
        finally:
            for p in burners:
                p.kill()
                p.wait()
        rows.append(
            {
                "run": load,
                "work_limit": work,
                "status": str(res.status),
                "objective": res.objective,
                "bound": res.bound,
                "steps": res.info.get("steps"),
                "solution sha256": hashlib.sha256(
                    json.dumps(res.solution, sort_keys=True).encode()
                ).hexdigest()[:12],
                "runtime s": round(res.runtime_s, 3),
            }
        )
    return rows


def overhead(calls: int) -> list[dict[str, Any]]:
    inst = schedlab.generate(
        "memory", "generate_allocation", n=50, horizon=40, slack=0.2, seed=3
    ).with_capacity(None)
    schedlab.warm_up("memory", "greedy-size")
    for _ in range(300):
        schedlab.solve(inst, "greedy-size")
    over, run = [], []
    for _ in range(calls):
        t0 = time.perf_counter()
        res = schedlab.solve(inst, "greedy-size")
        wall = time.perf_counter() - t0
        over.append(wall - res.runtime_s)
        run.append(res.runtime_s)
    t0 = time.perf_counter()
    for _ in range(calls):
        inst.check(res.solution)
    check = (time.perf_counter() - t0) / calls
    over.sort()
    return [
        {
            "calls": calls,
            "overhead p50 ms": round(statistics.median(over) * 1e3, 4),
            "overhead p90 ms": round(over[int(0.9 * len(over))] * 1e3, 4),
            "method runtime p50 ms": round(statistics.median(run) * 1e3, 4),
            "of which the check ms": round(check * 1e3, 4),
        }
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir", default=None, help="folder of contract.csv (benchmarks/out)")
    ap.add_argument("--repeats", type=int, default=5, help="fresh processes a warm case")
    ap.add_argument("--calls", type=int, default=5000, help="calls for the overhead")
    ap.add_argument("--work", type=float, default=200_000, help="exact's work limit (steps)")
    args = ap.parse_args()
    parts = {
        "Engines loaded by one solve in a fresh interpreter": imports(),
        "First solve in a fresh process (5 buffers)": first_solves(args.repeats),
        "Work-limited exact on E.1048576 (min peak), idle and loaded": loaded(args.work),
        "Per-call overhead, greedy-size on 50 buffers": overhead(args.calls),
    }
    rows = []
    for title, part in parts.items():
        print(f"\n### {title}\n\n{markdown(part)}")
        rows += [{"part": title, **r} for r in part]
    path = out_path("contract.csv", args.out_dir)
    write_csv(path, rows)
    print(f"\nCSV: {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
