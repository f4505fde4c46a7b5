"""The online mode (the DeepSoCS setting): jobs (task graphs) arrive over time on one SoC, and
a policy places their tasks as they come, without knowing the jobs still to arrive.

A :class:`Trace` is a platform (processors, bandwidths, latencies) and jobs with arrival
times, each a task graph on that platform (:func:`make_trace` draws one from job templates
with exponential inter-arrival times; :func:`ds3_trace` from DS3 job files on a DS3 SoC).
:func:`simulate` replays it with a policy:

- ``heft``: HEFT on the ready tasks. Whenever a job arrives or a task ends, the tasks whose
  predecessors have all ended are taken by decreasing upward rank (their job's HEFT rank)
  and each is committed to the processor finishing it earliest (in a gap between committed
  tasks when it fits, never before now).
- ``eft``: earliest finish time, as DS3's ETF: among all ready tasks and processors, the pair
  finishing earliest is committed first, and again until none is ready.
- ``heft-plan``: planning at arrivals without CP-SAT: each arriving job is placed by HEFT
  around the plan so far (tasks may be planned ahead of their readiness), and the plan runs.
  It is ``cpsat``'s starting point, so the two tell the planning's share of the gain from
  CP-SAT's.
- ``cpsat``: rolling re-optimisation. At each arrival, every task not started yet (of the
  jobs released so far) is re-planned with CP-SAT, minimising the sum of the unfinished
  jobs' completion times; tasks already started stay as they are, the others start no
  earlier than now. The plan (hinted by the previous plan completed with HEFT for the new
  job, so never worse than that) runs until the next arrival. ``epoch_limit`` seconds
  (or ``epoch_work`` units of deterministic time, for runs that repeat exactly) a re-plan.

Metrics (:class:`OnlineResult`): each job's completion time (its last task's end) minus its
arrival (the job's response time, "job completion time"), its slowdown (that time over the
job's makespan alone on the empty SoC, by HEFT), their means, and the makespan (the last
end). :func:`check` verifies a replayed schedule from scratch (the tasks of every job on the
platform, with arrivals as release times).
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...core.errors import InstanceError, SchedlabError, SolutionError
from ...core.options import SolveOptions
from .methods._graph import Graph, Schedule
from .methods._lists import heft, upward_rank
from .model import Instance

#: The policies :func:`simulate` knows.
POLICIES = ("heft", "eft", "heft-plan", "cpsat")


@dataclass(frozen=True)
class Job:
    """A job of a trace: a task graph on the trace's platform, arriving at ``arrival``."""

    name: str
    arrival: int
    instance: Instance


@dataclass(frozen=True)
class Trace:
    """Jobs arriving on one platform (every job's processors, bandwidths and latencies are
    the same), by arrival time."""

    name: str
    jobs: tuple[Job, ...]

    def __post_init__(self) -> None:
        if not self.jobs:
            raise InstanceError("a trace needs at least one job")
        first = self.jobs[0].instance
        for k, job in enumerate(self.jobs):
            inst = job.instance
            if (
                inst.processors != first.processors
                or inst.bandwidth != first.bandwidth
                or inst.latency != first.latency
            ):
                raise InstanceError(f"job {k} ({job.name}) is not on the trace's platform")
            if isinstance(job.arrival, bool) or not isinstance(job.arrival, int) or job.arrival < 0:
                raise InstanceError(f"job {k}: arrival must be a non-negative integer")
        arrivals = [j.arrival for j in self.jobs]
        if arrivals != sorted(arrivals):
            raise InstanceError("jobs must be given by arrival time")

    @property
    def platform(self) -> Instance:
        """The first job's instance (its platform is every job's)."""
        return self.jobs[0].instance

    def merged(self) -> tuple[Instance, list[int], list[int]]:
        """Every job's tasks in one instance (task names ``job/task``), each task's job and
        the index of each job's first task."""
        times: list[tuple[int | None, ...]] = []
        names: list[str] = []
        edges: list[tuple[int, int, int]] = []
        job_of: list[int] = []
        first: list[int] = []
        for k, job in enumerate(self.jobs):
            base = len(times)
            first.append(base)
            inst = job.instance
            times.extend(inst.times)
            names.extend(f"{k}:{job.name}/{t}" for t in inst.task_names)  # type: ignore[union-attr]
            edges.extend((a + base, b + base, v) for a, b, v in inst.edges)
            job_of.extend([k] * inst.n)
        p = self.platform
        inst = Instance(
            times=tuple(times),
            edges=tuple(edges),
            processors=p.processors,
            bandwidth=p.bandwidth,
            latency=p.latency,
            task_names=tuple(names),
            name=self.name,
        )
        return inst, job_of, first

    def to_dict(self) -> dict[str, Any]:
        """The trace as JSON-ready data (each job's instance as its dag JSON)."""
        return {
            "name": self.name,
            "jobs": [
                {"name": j.name, "arrival": j.arrival, "instance": j.instance.to_dict()}
                for j in self.jobs
            ],
        }

    @classmethod
    def from_dict(cls, data: Any, source: str | None = None) -> Trace:
        """A trace from :meth:`to_dict` output."""
        if not isinstance(data, dict) or not isinstance(data.get("jobs"), list):
            raise InstanceError(
                'a trace is {"name", "jobs": [{"name", "arrival", "instance"}]}', source
            )
        jobs = []
        for k, j in enumerate(data["jobs"]):
            if not isinstance(j, dict) or "instance" not in j or "arrival" not in j:
                raise InstanceError(f"jobs[{k}] needs an arrival and an instance", source)
            inst = Instance.from_dict(j["instance"], source)
            jobs.append(Job(str(j.get("name", inst.name)), j["arrival"], inst))
        return cls(str(data.get("name", "trace")), tuple(jobs))


def make_trace(
    templates: Sequence[Instance],
    *,
    jobs: int = 50,
    load: float = 1.0,
    seed: int = 0,
    weights: Sequence[float] | None = None,
    name: str | None = None,
) -> Trace:
    """``jobs`` jobs drawn from ``templates`` (with ``weights``, else uniformly), arriving
    with exponential inter-arrival times of mean ``mean HEFT makespan / load``: ``load`` is
    the number of jobs arriving, on average, while one runs alone on the SoC (0.5: mostly
    one job at a time; 2 and more: jobs pile up). The first job arrives at 0."""
    if not templates:
        raise SchedlabError("make_trace needs at least one job template")
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise SchedlabError(f"jobs must be a positive integer, got {jobs!r}")
    if not isinstance(load, int | float) or not 0 < load <= 1e6:
        raise SchedlabError(f"load must be a positive number, got {load!r}")
    rng = np.random.default_rng(seed)
    alone = [float(heft(Graph.of(t)).makespan(Graph.of(t))) for t in templates]
    mean_gap = max(1e-9, float(np.mean(alone)) / load)
    p = None
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        if w.shape != (len(templates),) or (w < 0).any() or w.sum() <= 0:
            raise SchedlabError("weights: one non-negative weight a template, not all zero")
        p = w / w.sum()
    t = 0.0
    out = []
    for k in range(jobs):
        if k:
            t += rng.exponential(mean_gap)
        pick = int(rng.choice(len(templates), p=p))
        out.append(Job(templates[pick].name, int(round(t)), templates[pick]))
    label = name or f"trace_{jobs}jobs_load{load:g}_s{seed}"
    return Trace(label, tuple(out))


def ds3_trace(
    job_files: Sequence[str],
    soc_file: str,
    *,
    jobs: int = 50,
    load: float = 1.0,
    seed: int = 0,
    weights: Sequence[float] | None = None,
) -> Trace:
    """A trace of DS3 jobs (job files) on a DS3 SoC (see :func:`make_trace`)."""
    from .formats import read_ds3

    templates = [read_ds3(f, soc_file) for f in job_files]
    label = f"ds3_{len(job_files)}apps_{jobs}jobs_load{load:g}_s{seed}"
    return make_trace(templates, jobs=jobs, load=load, seed=seed, weights=weights, name=label)


@dataclass
class OnlineResult:
    """A replayed trace: the policy, the schedule (rows ``{"job", "task", "processor",
    "start", "end"}``), per job its arrival, completion and slowdown, and the means."""

    policy: str
    rows: list[dict[str, int]]
    arrival: list[int]
    completion: list[int]
    alone: list[int]
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def response(self) -> list[int]:
        """Each job's completion minus its arrival."""
        return [c - a for c, a in zip(self.completion, self.arrival, strict=True)]

    @property
    def mean_response(self) -> float:
        """The mean job completion time (from arrival to the last task's end)."""
        return float(np.mean(self.response))

    @property
    def mean_slowdown(self) -> float:
        """The mean of each job's response time over its makespan alone."""
        return float(
            np.mean([r / max(1, a) for r, a in zip(self.response, self.alone, strict=True)])
        )

    @property
    def makespan(self) -> int:
        """The last end."""
        return max(self.completion)

    def summary(self) -> dict[str, Any]:
        """The figures of the run."""
        return {
            "policy": self.policy,
            "jobs": len(self.arrival),
            "mean_response": round(self.mean_response, 3),
            "mean_slowdown": round(self.mean_slowdown, 4),
            "makespan": self.makespan,
            **self.info,
        }


def check(trace: Trace, rows: list[dict[str, int]]) -> int:
    """Verify a replayed schedule from scratch: the merged instance's checker (every task once,
    eligible, with its time, precedence with communication, no overlap) and no task before
    its job's arrival; returns the makespan."""
    inst, job_of, first = trace.merged()
    flat = []
    for k, r in enumerate(rows):
        try:
            j, t = int(r["job"]), int(r["task"])
        except (KeyError, TypeError, ValueError):
            raise SolutionError(f"rows[{k}]: needs integer job and task") from None
        if not 0 <= j < len(trace.jobs) or not 0 <= t < trace.jobs[j].instance.n:
            raise SolutionError(f"rows[{k}]: no task {t} in job {j}")
        if int(r["start"]) < trace.jobs[j].arrival:
            raise SolutionError(
                f"job {j} task {t} starts at {r['start']}, before its job arrives at "
                f"{trace.jobs[j].arrival}"
            )
        flat.append({**r, "task": first[j] + t})
    return int(inst.check({"tasks": flat}))


class _Platform:
    """Committed busy intervals per processor (sorted), for placing tasks online."""

    def __init__(self, P: int) -> None:
        self.starts: list[list[int]] = [[] for _ in range(P)]
        self.ends: list[list[int]] = [[] for _ in range(P)]

    def slot(self, p: int, ready: int, dur: int) -> int:
        """The earliest start at or after ``ready`` with ``dur`` free time on ``p``."""
        if dur == 0:
            return ready
        st, en = self.starts[p], self.ends[p]
        k = bisect.bisect_right(en, ready)
        t = ready
        while k < len(st):
            if st[k] >= t + dur:
                return t
            t = max(t, en[k])
            k += 1
        return t

    def add(self, p: int, s: int, e: int) -> None:
        """Commit ``[s, e)`` on ``p``."""
        if e > s:
            k = bisect.bisect_right(self.starts[p], s)
            self.starts[p].insert(k, s)
            self.ends[p].insert(k, e)


def simulate(
    trace: Trace,
    policy: str = "heft",
    *,
    epoch_limit: float = 1.0,
    epoch_work: float | None = None,
    threads: int = 1,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> OnlineResult:
    """Replay ``trace`` with ``policy`` (``"heft"``, ``"eft"`` or ``"cpsat"``; see the
    module's docstring) and return the schedule and its figures (checked by :func:`check`)."""
    if policy not in POLICIES:
        raise SchedlabError(f"unknown policy {policy!r} (known: {', '.join(POLICIES)})")
    graphs = [Graph.of(j.instance) for j in trace.jobs]
    ranks: dict[int, np.ndarray] = {}
    alone_of: dict[int, int] = {}
    for job, g in zip(trace.jobs, graphs, strict=True):
        key = id(job.instance)
        if key not in ranks:
            ranks[key] = upward_rank(g)
            alone_of[key] = heft(g).makespan(g)
    rank = [ranks[id(j.instance)] for j in trace.jobs]
    if policy in ("cpsat", "heft-plan"):
        proc, start, info = _rolling(
            trace, graphs, rank, epoch_limit, epoch_work, threads, seed, log, policy == "cpsat"
        )
    else:
        proc, start = _dispatch(trace, graphs, rank, policy)
        info = {}
    rows: list[dict[str, int]] = []
    completion = []
    for j, g in enumerate(graphs):
        end = start[j] + g.times[np.arange(g.n), proc[j]]
        completion.append(int(end.max()))
        for i in range(g.n):
            rows.append(
                {
                    "job": j,
                    "task": i,
                    "processor": int(proc[j][i]),
                    "start": int(start[j][i]),
                    "end": int(end[i]),
                }
            )
    rows.sort(key=lambda r: (r["start"], r["processor"], r["job"], r["task"]))
    out = OnlineResult(
        policy=policy,
        rows=rows,
        arrival=[j.arrival for j in trace.jobs],
        completion=completion,
        alone=[alone_of[id(j.instance)] for j in trace.jobs],
        info=info,
    )
    check(trace, rows)
    return out


def _dispatch(
    trace: Trace, graphs: list[Graph], rank: list[np.ndarray], policy: str
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The event-driven replay of the list policies (``heft``, ``eft``)."""
    P = graphs[0].P
    plat = _Platform(P)
    proc = [np.full(g.n, -1, dtype=np.int64) for g in graphs]
    start = [np.zeros(g.n, dtype=np.int64) for g in graphs]
    end = [np.zeros(g.n, dtype=np.int64) for g in graphs]
    waiting = [np.diff(g.pred_ptr).astype(np.int64) for g in graphs]
    events: list[tuple[int, int, int, int]] = []  # (time, kind 0 arrival / 1 end, job, task)
    for j, job in enumerate(trace.jobs):
        heapq.heappush(events, (job.arrival, 0, j, -1))
    ready: list[tuple[int, int]] = []
    while events:
        t = events[0][0]
        while events and events[0][0] == t:
            _, kind, j, i = heapq.heappop(events)
            g = graphs[j]
            if kind == 0:
                ready.extend((j, int(x)) for x in range(g.n) if waiting[j][x] == 0)
            else:
                for k in g.succs(i):
                    s = int(g.succ_idx[k])
                    waiting[j][s] -= 1
                    if waiting[j][s] == 0:
                        ready.append((j, s))
        if not ready:
            continue

        def place(j: int, i: int, t: int = t) -> tuple[int, int, int]:
            g = graphs[j]
            best = None
            for p in range(g.P):
                dur = int(g.times[i, p])
                if dur < 0:
                    continue
                r = t
                for k in g.preds(i):
                    a = int(g.pred_idx[k])
                    r = max(r, int(end[j][a]) + g.delay(int(g.pred_vol[k]), int(proc[j][a]), p))
                s = plat.slot(p, r, dur)
                if best is None or s + dur < best[0]:
                    best = (s + dur, p, s)
            assert best is not None
            return best

        if policy == "heft":
            ready.sort(key=lambda x: (-rank[x[0]][x[1]], trace.jobs[x[0]].arrival, x[0], x[1]))
            for j, i in ready:
                _, p, s = place(j, i)
                _commit(plat, graphs, proc, start, end, events, j, i, p, s)
        else:
            left = list(ready)
            while left:
                cands = [(place(j, i), j, i) for j, i in left]
                (_, p, s), j, i = min(cands, key=lambda c: (c[0][0], c[1], c[2], c[0][1]))
                _commit(plat, graphs, proc, start, end, events, j, i, p, s)
                left.remove((j, i))
        ready = []
    return proc, start


def _commit(
    plat: _Platform,
    graphs: list[Graph],
    proc: list[np.ndarray],
    start: list[np.ndarray],
    end: list[np.ndarray],
    events: list[tuple[int, int, int, int]],
    j: int,
    i: int,
    p: int,
    s: int,
) -> None:
    dur = int(graphs[j].times[i, p])
    proc[j][i], start[j][i], end[j][i] = p, s, s + dur
    plat.add(p, s, s + dur)
    heapq.heappush(events, (s + dur, 1, j, i))


def _rolling(
    trace: Trace,
    graphs: list[Graph],
    rank: list[np.ndarray],
    epoch_limit: float,
    epoch_work: float | None,
    threads: int,
    seed: int,
    log: Callable[[str], None] | None,
    optimise: bool,
) -> tuple[list[np.ndarray], list[np.ndarray], dict[str, Any]]:
    """The rolling re-plans (see the module's docstring): HEFT around the plan so far, then
    (with ``optimise``) CP-SAT."""
    from .methods._cp import Part, solve_part
    from .methods._kernels import list_schedule

    proc = [np.full(g.n, -1, dtype=np.int64) for g in graphs]
    start = [np.zeros(g.n, dtype=np.int64) for g in graphs]
    arrivals = sorted({j.arrival for j in trace.jobs})
    released: list[int] = []
    k_next = 0
    epochs = improved = optimal = 0
    for t in arrivals:
        while k_next < len(trace.jobs) and trace.jobs[k_next].arrival <= t:
            released.append(k_next)
            k_next += 1
        # the active jobs: released, with a task planned to end after t (or new)
        active = []
        for j in released:
            g = graphs[j]
            if (
                proc[j][0] < 0
                or int((start[j] + g.times[np.arange(g.n), np.maximum(proc[j], 0)]).max()) > t
            ):
                active.append(j)
        sub = Trace(f"epoch@{t}", tuple(trace.jobs[j] for j in active))
        inst, job_of, first = sub.merged()
        g = Graph.of(inst)
        cur_p = np.concatenate([proc[j] for j in active])
        cur_s = np.concatenate([start[j] for j in active])
        frozen = (cur_p >= 0) & (cur_s < t)
        # the hint: the plan so far, the new tasks placed by HEFT (not before t)
        hint_p = np.where(cur_p >= 0, cur_p, -1).astype(np.int64)
        hint_s = cur_s.copy()
        release = np.full(g.n, t, dtype=np.int64)
        prio = np.concatenate([rank[j] for j in active])
        list_schedule(
            prio.astype(np.float64),
            g.times,
            g.pred_ptr,
            g.pred_idx,
            g.pred_vol,
            g.succ_ptr,
            g.succ_idx,
            g.bw,
            g.lat,
            np.zeros((g.n, g.P)),
            np.full(g.n, -1, dtype=np.int64),
            release,
            True,
            hint_p,
            hint_s,
        )
        hint = Schedule(hint_p, hint_s)
        jobs_arr = np.array(job_of, dtype=np.int64)
        best = hint
        best_obj = _sum_completion(g, hint, jobs_arr)
        free = np.nonzero(~frozen)[0]
        if free.size and optimise:
            opts = SolveOptions(
                time_limit=None if epoch_work is not None else epoch_limit,
                work_limit=epoch_work,
                threads=threads,
                seed=seed,
            )
            rel = np.where(frozen, 0, t).astype(np.int64)
            part = Part(
                free=free,
                proc=np.where(frozen, cur_p, -1),
                frozen=frozen,
                start=cur_s,
                release=rel,
                hint=hint,
                jobs=(jobs_arr, np.ones(len(active), dtype=np.int64)),
                symmetry=False,
                aggregate=False,
            )
            out = solve_part(g, part, opts)
            epochs += 1
            if out.schedule is not None:
                obj = _sum_completion(g, out.schedule, jobs_arr)
                if obj < best_obj:
                    best, best_obj = out.schedule, obj
                    improved += 1
                if out.status.name == "OPTIMAL":
                    optimal += 1
        if log is not None:
            log(
                f"epoch t={t}: {len(active)} active jobs, {free.size} tasks re-planned, sum of completions {best_obj}"
            )
        for j, base in zip(active, first, strict=True):
            n = graphs[j].n
            proc[j] = best.proc[base : base + n].copy()
            start[j] = best.start[base : base + n].copy()
    if not optimise:
        return proc, start, {}
    return proc, start, {"epochs": epochs, "epochs_improved": improved, "epochs_optimal": optimal}


def _sum_completion(g: Graph, sched: Schedule, job: np.ndarray) -> int:
    end = sched.end(g)
    total = 0
    for j in np.unique(job):
        total += int(end[job == j].max())
    return total


def compare(
    trace: Trace, policies: Sequence[str] = POLICIES, **kwargs: Any
) -> list[dict[str, Any]]:
    """:func:`simulate` with each policy; their summaries."""
    return [simulate(trace, p, **kwargs).summary() for p in policies]


def isolated(templates: Sequence[Instance]) -> dict[str, int]:
    """Each template's HEFT makespan alone (the slowdowns' reference)."""
    return {t.name: heft(Graph.of(t)).makespan(Graph.of(t)) for t in templates}


__all__ = [
    "POLICIES",
    "Job",
    "OnlineResult",
    "Trace",
    "check",
    "compare",
    "ds3_trace",
    "isolated",
    "make_trace",
    "simulate",
]
