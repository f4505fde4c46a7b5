"""The online mode: traces, the three policies, the replayed schedules checked from scratch."""

from __future__ import annotations

import pytest

from schedlab.core import InstanceError, SchedlabError, SolutionError
from schedlab.families.dag import online
from schedlab.families.dag.generate import generate


@pytest.fixture(scope="module")
def trace() -> online.Trace:
    templates = [generate(8, 3, ccr=1.0, seed=s, name=f"job{s}") for s in range(3)]
    return online.make_trace(templates, jobs=8, load=2.0, seed=4)


def test_make_trace_is_seeded(trace: online.Trace) -> None:
    templates = [generate(8, 3, ccr=1.0, seed=s, name=f"job{s}") for s in range(3)]
    assert online.make_trace(templates, jobs=8, load=2.0, seed=4) == trace
    arrivals = [j.arrival for j in trace.jobs]
    assert arrivals == sorted(arrivals) and arrivals[0] == 0 and len(set(arrivals)) > 1
    with pytest.raises(SchedlabError):
        online.make_trace(templates, jobs=0)
    with pytest.raises(InstanceError, match="platform"):
        online.Trace("x", (online.Job("a", 0, templates[0]), online.Job("b", 1, generate(4, 2))))


@pytest.mark.parametrize("policy", online.POLICIES)
def test_policies_give_checked_schedules(trace: online.Trace, policy: str) -> None:
    res = online.simulate(trace, policy, epoch_work=0.05)
    assert online.check(trace, res.rows) == res.makespan
    assert len(res.rows) == sum(j.instance.n for j in trace.jobs)
    for r in res.rows:
        assert r["start"] >= trace.jobs[r["job"]].arrival
    s = res.summary()
    assert s["policy"] == policy and s["jobs"] == 8 and s["mean_response"] > 0
    for job, response in zip(trace.jobs, res.response, strict=True):
        assert response >= job.instance.trivial_bound


def test_heft_commits_only_ready_tasks(trace: online.Trace) -> None:
    """HEFT on ready tasks: no task starts before the job arrives (checked), and a job alone
    on the SoC gets HEFT's schedule (slowdown 1)."""
    solo = online.Trace("solo", trace.jobs[:1])
    res = online.simulate(solo, "heft")
    assert res.response == res.alone and res.mean_slowdown == 1.0


def test_rolling_cpsat_repeats_with_a_work_limit(trace: online.Trace) -> None:
    a = online.simulate(trace, "cpsat", epoch_work=0.05)
    b = online.simulate(trace, "cpsat", epoch_work=0.05)
    assert a.rows == b.rows and a.info["epochs"] >= 1
    # alone, the re-plan is at least as good as HEFT's plan (its hint)
    solo = online.Trace("solo", trace.jobs[:1])
    assert (
        online.simulate(solo, "cpsat", epoch_work=0.05).response
        <= online.simulate(solo, "heft").response
    )


def test_check_rejects_bad_replays(trace: online.Trace) -> None:
    res = online.simulate(trace, "eft")
    rows = [dict(r) for r in res.rows]
    late = next(r for r in rows if r["job"] > 0 and r["start"] > 0)
    late["start"] = trace.jobs[late["job"]].arrival - 1
    late["end"] = late["start"]
    with pytest.raises(SolutionError):
        online.check(trace, rows)
    with pytest.raises(SchedlabError, match="unknown policy"):
        online.simulate(trace, "fifo")


def test_trace_round_trip(trace: online.Trace) -> None:
    assert online.Trace.from_dict(trace.to_dict()) == trace
