"""Embedding benchmark: round trips through `schedlab serve` against in-process calls.

    python benchmarks/embed.py                 # 1,000 requests a case; benchmarks/out/embed.csv
    python benchmarks/embed.py --requests 200  # quicker
    python benchmarks/embed.py --out-dir benchmarks/results  # refresh the tracked CSV

Per case (memory allocation with 20-50 buffers: `exact`, `greedy-size`; pipelining loops of
5-10 ops: `ims`, `cpsat`; smtt n = 10 `exact`) the p50/p99 wall time of one request: in
process (`schedlab.solve`), through `serve` solving in its own process (`--workers 0`) and
through one worker process (`--workers 1`), once both servers are warm. Then: the first answer after `serve` starts
(kernels cached), `schedlab solve -` cold, and the throughput of 2,000 small memory requests
(`greedy-size` and `exact`) with 1 and 2 workers: servers that warm up the memory family
(`--family memory`), measured once `ping` says the warm-up is done and after a first burst;
the client writes the 2,000 request lines (encoded beforehand) from one thread and reads and
parses every answer in another. Beside each rate, the CPU time a request costs in the
client, the server's dispatching process and the workers (from /proc: the 2 cores are
shared by all of them). Run it on a quiet machine: it measures time. The CSV goes to
``benchmarks/out/embed.csv`` (git-ignored) unless ``--out-dir DIR`` says otherwise.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import schedlab
from schedlab.serve import protocol

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
        # the codec of schedlab.Client (orjson when the `serve` extra is installed)
        self.proc.stdin.write(protocol.encode(req) + "\n")
        self.proc.stdin.flush()
        msg: dict[str, Any] = protocol.loads(self.proc.stdout.readline())
        if "error" in msg:
            raise RuntimeError(msg["error"])
        return msg

    def wait_warm(self) -> None:
        """Wait until the server's warm-up is done (its `ping` answer says so)."""
        while not self.call({"op": "ping"}).get("warm"):
            time.sleep(0.2)

    def close(self) -> None:
        self.call({"op": "shutdown"})
        self.proc.wait(60)


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        kids.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return kids


def throughput(workers: int, lines: list[bytes], reps: int = 3) -> dict[str, float]:
    """Requests a second through `serve --workers N` (the best of ``reps`` bursts, after a
    first one), and the CPU time a request costs in each process of that best burst."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "schedlab.cli.main", "serve", "--workers", str(workers),
         "--family", "memory"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    stdin, stdout = proc.stdin, proc.stdout

    def ask(req: dict[str, Any]) -> dict[str, Any]:
        stdin.write(protocol.encode(req).encode() + b"\n")
        stdin.flush()
        answer: dict[str, Any] = protocol.loads(stdout.readline())
        return answer

    while not ask({"id": "warm?", "op": "ping"}).get("warm"):
        time.sleep(0.2)
    best: dict[str, float] = {}
    for rep in range(reps + 1):
        data = b"".join(lines[: 100 * workers] if rep == 0 else lines)
        n = data.count(b"\n")
        pids = [proc.pid, *_children(proc.pid)]
        cpu0 = [_cpu_s(p) for p in pids]
        own0 = time.process_time()
        t0 = time.perf_counter()

        def write(data: bytes = data) -> None:
            stdin.write(data)
            stdin.flush()

        writer = threading.Thread(target=write)
        writer.start()
        for _ in range(n):
            if "error" in protocol.loads(stdout.readline()):
                raise RuntimeError("a request failed")
        writer.join()
        wall = time.perf_counter() - t0
        own = time.process_time() - own0
        cpu = [_cpu_s(p) - c for p, c in zip(pids, cpu0, strict=True)]
        if rep and n / wall > best.get("rate", 0.0):
            best = {
                "rate": n / wall,
                "client_us": 1e6 * own / n,
                "server_us": 1e6 * cpu[0] / n,
                "workers_us": 1e6 * sum(cpu[1:]) / n,
            }
    ask({"id": "bye", "op": "shutdown"})
    proc.wait(60)
    return best


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
    for server in servers.values():  # the round trips are measured on warm servers
        server.wait_warm()
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
    through: dict[tuple[str, int], dict[str, float]] = {}
    for method in ("greedy-size", "exact"):
        lines = [
            json.dumps(
                {"id": k, "op": "solve", "instance": insts["memory"][k % 50], "method": method}
            ).encode()
            + b"\n"
            for k in range(args.burst)
        ]
        for w in (1, 2):
            through[method, w] = throughput(w, lines)
    print()
    print("| figure | value |")
    print("|---|---|")
    print(f"| first answer (a memory `exact` solve) after `serve` starts | {firsts[0]:.2f} s |")
    print(f"| first answer (the same) after `serve --workers 1` starts | {firsts[1]:.2f} s |")
    print(
        f"| `schedlab solve - -m exact` (memory, 1 request), median of 5 "
        f"| {statistics.median(cold):.2f} s |"
    )
    print()
    print(
        f"| throughput, {args.burst} memory requests | workers | requests/s | vs 1 worker "
        "| CPU us a request: client / dispatcher / workers |"
    )
    print("|---|---|---|---|---|")
    for (method, w), t in through.items():
        ratio = t["rate"] / through[method, 1]["rate"]
        print(
            f"| {method} | {w} | {t['rate']:.0f} | {ratio:.2f}x "
            f"| {t['client_us']:.0f} / {t['server_us']:.0f} / {t['workers_us']:.0f} |"
        )
    with open(out_path("embed.csv", args.out_dir), "w", newline="") as fh:
        wr = csv.DictWriter(fh, fieldnames=list(rows[0]))
        wr.writeheader()
        wr.writerows(rows)


if __name__ == "__main__":
    main()
