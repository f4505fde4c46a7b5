"""Embedding benchmark: round trips through `schedlab serve` against in-process calls.

    python benchmarks/embed.py                 # 1,000 requests a case; benchmarks/out/embed.csv
    python benchmarks/embed.py --requests 200  # quicker
    python benchmarks/embed.py --out-dir benchmarks/results  # refresh the tracked CSV

Per case (memory allocation with 20-50 buffers: `exact`, `greedy-size`; pipelining loops of
5-10 ops: `ims`, `cpsat`; smtt n = 10 `exact`) the p50/p99 wall time of one request: in
process (`schedlab.solve`), through `serve` solving in its own process (`--workers 0`) and
through one worker process (`--workers 1`). Then: the first answer after `serve` starts
(kernels cached), `schedlab solve -` cold, and the throughput of 2,000 small memory requests (servers warmed for the memory family, `--family memory`, after a first burst)
with 1 and 2 workers. Run it on a quiet machine: it measures time. The CSV goes to
``benchmarks/out/embed.csv`` (git-ignored) unless ``--out-dir DIR`` says otherwise.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import schedlab

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # imported, not run as ``python benchmarks/embed.py``
    sys.path.insert(0, str(HERE))
from _common import out_path  # noqa: E402


def instances(count: int) -> dict[str, list[dict[str, Any]]]:
    """Small instances a case, generated with seeds 0..count-1 (cycled over the requests)."""
    mem = [
        schedlab.generate(
            "memory", "generate_allocation", n=20 + (k * 7) % 31, horizon=60, seed=k
        ).to_dict()
        for k in range(count)
    ]
    pipe = [
        schedlab.generate("pipelining", n=5 + k % 6, units=2, seed=k).to_dict()
        for k in range(count)
    ]
    smtt = [
        schedlab.generate("smtt", n=10, tf=0.6, rdd=0.6, weighted=True, seed=k).to_dict()
        for k in range(count)
    ]
    return {"memory": mem, "pipelining": pipe, "smtt": smtt}


CASES = [
    ("memory", "exact"),
    ("memory", "greedy-size"),
    ("pipelining", "ims"),
    ("pipelining", "cpsat"),
    ("smtt", "exact"),
]


class Serve:
    """A `schedlab serve` child; `call` sends one request and waits for its answer."""

    def __init__(
        self, workers: int, first: dict[str, Any] | None = None, families: tuple[str, ...] = ()
    ) -> None:
        t0 = time.perf_counter()
        warm = [arg for f in families for arg in ("--family", f)]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "schedlab.cli.main", "serve", "--workers", str(workers), *warm],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        self.n = 0
        self.call(first or {"op": "ping"})
        self.first_answer_s = time.perf_counter() - t0

    def call(self, req: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.n += 1
        req = {"id": self.n, **req}
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        msg: dict[str, Any] = json.loads(self.proc.stdout.readline())
        if "error" in msg:
            raise RuntimeError(msg["error"])
        return msg

    def burst(self, reqs: list[dict[str, Any]]) -> float:
        """Send every request at once (a writer thread), read every answer; seconds."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        t0 = time.perf_counter()

        def write() -> None:
            assert self.proc.stdin is not None
            for k, r in enumerate(reqs):
                self.proc.stdin.write(json.dumps({"id": f"b{k}", **r}) + "\n")
            self.proc.stdin.flush()

        w = threading.Thread(target=write)
        w.start()
        for _ in reqs:
            msg = json.loads(self.proc.stdout.readline())
            if "error" in msg:
                raise RuntimeError(msg["error"])
        w.join()
        return time.perf_counter() - t0

    def close(self) -> None:
        self.call({"op": "shutdown"})
        self.proc.wait(60)


def pct(xs: list[float], q: float) -> float:
    """The q-quantile (0..1) of xs, in milliseconds."""
    ys = sorted(xs)
    return 1000 * ys[min(len(ys) - 1, int(q * len(ys)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--burst", type=int, default=2000)
    ap.add_argument("--out-dir", default=None, help="output folder (default: benchmarks/out)")
    args = ap.parse_args()
    insts = instances(50)
    for fam in insts:
        schedlab.warm_up(fam)
    rows: list[dict[str, Any]] = []
    first = {"op": "solve", "instance": insts["memory"][0], "method": "exact", "time_limit": 1}
    servers = {0: Serve(0, first), 1: Serve(1, first)}
    print(
        "| family | method | requests | in-process p50 / p99 (ms) | serve p50 / p99 (ms) "
        "| serve, 1 worker p50 / p99 (ms) |"
    )
    print("|---|---|---|---|---|---|")
    for fam, method in CASES:
        pool = insts[fam]
        times: dict[str, list[float]] = {"inproc": [], "serve0": [], "serve1": []}
        for k in range(args.requests):
            inst = pool[k % len(pool)]
            t0 = time.perf_counter()
            schedlab.solve(inst, method, time_limit=10)
            times["inproc"].append(time.perf_counter() - t0)
            for w, s in servers.items():
                t0 = time.perf_counter()
                s.call({"op": "solve", "instance": inst, "method": method, "time_limit": 10})
                times[f"serve{w}"].append(time.perf_counter() - t0)
        row = {"family": fam, "method": method, "requests": args.requests}
        for key, xs in times.items():
            row[f"{key}_p50_ms"] = round(pct(xs, 0.5), 3)
            row[f"{key}_p99_ms"] = round(pct(xs, 0.99), 3)
        rows.append(row)
        print(
            f"| {fam} | {method} | {args.requests} "
            f"| {row['inproc_p50_ms']:.2f} / {row['inproc_p99_ms']:.2f} "
            f"| {row['serve0_p50_ms']:.2f} / {row['serve0_p99_ms']:.2f} "
            f"| {row['serve1_p50_ms']:.2f} / {row['serve1_p99_ms']:.2f} |",
            flush=True,
        )
    firsts = {w: s.first_answer_s for w, s in servers.items()}
    for s in servers.values():
        s.close()
    cold = []
    tiny = json.dumps(insts["memory"][0])
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "schedlab.cli.main", "solve", "-", "-m", "exact", "--json"],
            input=tiny, capture_output=True, text=True, check=True,
        )  # fmt: skip
        cold.append(time.perf_counter() - t0)
    burst = [
        {"op": "solve", "instance": insts["memory"][k % 50], "method": "greedy-size"}
        for k in range(args.burst)
    ]
    through = {}
    for w in (1, 2):
        # a memory client's server: its workers warm up the memory family only, and a first
        # burst brings every worker to a steady state before the measured one
        s = Serve(w, families=("memory",))
        s.burst(burst[: 100 * w])
        through[w] = args.burst / s.burst(burst)
        s.close()
    print()
    print("| figure | value |")
    print("|---|---|")
    print(f"| first answer (a memory `exact` solve) after `serve` starts | {firsts[0]:.2f} s |")
    print(f"| first answer (the same) after `serve --workers 1` starts | {firsts[1]:.2f} s |")
    print(
        f"| `schedlab solve - -m exact` (memory, 1 request), median of 5 "
        f"| {statistics.median(cold):.2f} s |"
    )
    print(f"| throughput, {args.burst} greedy-size requests, 1 worker | {through[1]:.0f} /s |")
    print(
        f"| throughput, {args.burst} greedy-size requests, 2 workers | {through[2]:.0f} /s "
        f"({through[2] / through[1]:.2f}x) |"
    )
    with open(out_path("embed.csv", args.out_dir), "w", newline="") as fh:
        wr = csv.DictWriter(fh, fieldnames=list(rows[0]))
        wr.writeheader()
        wr.writerows(rows)


if __name__ == "__main__":
    main()
