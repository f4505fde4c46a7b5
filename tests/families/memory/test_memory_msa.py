"""The msa kind (memory-space assignment with prefetches and evictions): the model, its JSON
and schema, the checker's simulation on hand-built cases (copies, stalls, engines,
evictions, overlaps counted from a copy's issue), ``xla`` on hand-computed cases, ``cpsat``
against brute force on tiny programs, and the whole-life mapping as the copy-free case."""

from __future__ import annotations

import dataclasses
import itertools
import json
from typing import Any

import jsonschema
import pytest

import schedlab
from schedlab.core import InstanceError, SolutionError
from schedlab.families.memory import Buffer, Mapping, Msa, Step
from schedlab.families.memory.generate import generate_mapping, generate_msa
from schedlab.families.memory.methods._msa import xla_msa
from schedlab.families.memory.methods._msa_cpsat import candidates
from schedlab.families.memory.model import MemoryInstance
from schedlab.families.memory.msa import with_times


def _inst(**kw: Any) -> Msa:
    """3 steps; ``w`` (a parameter, live from 0) read at step 2, ``a`` written at step 0 and
    read at step 2; fast 10x the slow bandwidth; copies of 10 bytes take 2."""
    base: dict[str, Any] = dict(
        buffers=(Buffer("w", 0, 3, 10), Buffer("a", 0, 3, 10)),
        capacity=10,
        steps=(Step(1.0, (), ((1, 10),)), Step(1.0), Step(0.5, ((0, 10), (1, 10)))),
        fast_bandwidth=10.0,
        slow_bandwidth=1.0,
        copy_bandwidth=5.0,
        copy_engines=1,
    )
    base.update(kw)
    return Msa(**base)


def _pf(first: int, start: int, offset: int = 0, stop: int | None = None, **t: Any) -> dict:
    return {
        "offset": offset,
        "first": first,
        "end": first + 1 if stop is None else stop,
        "prefetch": {"start": start, **t},
    }


# -- the checker's simulation -------------------------------------------------------------
def test_all_slow_and_whole_life() -> None:
    inst = _inst()
    # all slow: 10 + 1 + 20
    assert inst.check({"fast": {}}) == 31.0
    assert inst.check({"fast": {"w": []}}) == 31.0
    # a in fast from its lower, no copy: 1 + 1 + (10 + 1)
    assert inst.check({"fast": {"a": [{"offset": 0, "first": 0, "end": 3}]}}) == 13.0


def test_prefetch_overlaps_compute_and_stalls() -> None:
    inst = _inst()
    # issued at step 1 (time 10), runs [10, 12]; step 1 ends at 11: step 2 waits until 12
    sol = {"fast": {"w": [_pf(2, 1)]}}
    assert inst.check(sol) == pytest.approx(12 + 11)
    sim = inst.simulate(sol)
    assert sim.copies[0].begin == 10.0 and sim.copies[0].end == 12.0
    assert list(sim.step_start) == [0.0, 10.0, 12.0]
    # issued at step 0 (time 0): done by 2, no stall: 10 + 1 + 11
    assert inst.check({"fast": {"w": [_pf(2, 0)]}}) == pytest.approx(22)
    # a slower copy (bandwidth 0.5: 20 time units) stalls step 2 until 20
    slow = _inst(copy_bandwidth=0.5)
    assert slow.check({"fast": {"w": [_pf(2, 0)]}}) == pytest.approx(20 + 11)


def test_retime_moves_a_stalling_prefetch_where_memory_is_free() -> None:
    from schedlab.families.memory.methods._msa_retime import retime

    inst = _inst()
    late = {"fast": {"w": [_pf(2, 1)]}}  # step 2 waits 1 for the copy: 23
    moved, total = retime(inst, late)
    assert moved["fast"]["w"][0]["prefetch"] == {"start": 0}
    assert inst.check(moved) == pytest.approx(22) == total
    # no time: nothing moves
    assert retime(inst, late, deadline=0.0)[0] is late
    # the addresses are taken at step 0 (a, whole life, in the only room): nothing moves
    small = _inst(
        buffers=(Buffer("w", 0, 3, 10), Buffer("a", 0, 1, 10)),
        steps=(Step(1.0, (), ((1, 10),)), Step(1.0), Step(0.5, ((0, 10),))),
    )
    busy = {"fast": {"w": [_pf(2, 1)], "a": [{"offset": 0, "first": 0, "end": 1}]}}
    assert retime(small, busy)[0] is busy


def _edf_case() -> tuple[Msa, dict[str, Any]]:
    """One engine. ``a`` (2 time units to copy) is prefetched from step 0 for step 4; at
    step 1 ``x`` (4 units, for step 4) and ``y`` (1 unit, for step 2) are prefetched."""
    inst = Msa(
        buffers=(Buffer("a", 0, 5, 2), Buffer("x", 0, 5, 4), Buffer("y", 0, 3, 1)),
        capacity=7,
        steps=(Step(1.0), Step(1.0), Step(0.0, ((2, 1),)), Step(5.0), Step(0.0, ((0, 2), (1, 4)))),
        fast_bandwidth=10.0,
        slow_bandwidth=1.0,
        copy_bandwidth=1.0,
        copy_engines=1,
    )
    sol = {"fast": {"a": [_pf(4, 0)], "x": [_pf(4, 1, offset=2)], "y": [_pf(2, 1, offset=6)]}}
    return inst, sol


def test_copies_timed_earliest_deadline_first() -> None:
    """In issue order ``x`` runs before ``y`` (2-6, then 6-7) and step 2 waits until 7:
    1 + 1 + 5 + 0.1 (y fast) ... = 12.7. Timed by the step that waits first, ``y`` runs
    2-3 and ``x`` 3-7 (done before step 4 starts at 8.1): 8.7. The checker accepts the
    given times; the better of the two is kept."""
    from schedlab.families.memory.methods._msa_retime import edf_times, timings

    inst, sol = _edf_case()
    assert inst.check(sol) == pytest.approx(12.7)
    edf = edf_times(inst, sol)
    assert inst.check(edf) == pytest.approx(8.7)
    assert edf["fast"]["y"][0]["prefetch"] == {"start": 1, "begin": 2.0, "end": 3.0}
    assert edf["fast"]["x"][0]["prefetch"] == {"start": 1, "begin": 3.0, "end": 7.0}
    assert edf["fast"]["a"][0]["prefetch"] == {"start": 0, "begin": 0.0, "end": 2.0}
    timed, sim = timings(inst, sol)
    total = sim.total
    assert timed == edf and total == pytest.approx(8.7)
    # already timed in issue order: timed anew
    assert inst.check(edf_times(inst, with_times(inst, sol))) == pytest.approx(8.7)
    # nothing to copy: unchanged
    assert edf_times(inst, {"fast": {}}) == {"fast": {}}


@pytest.mark.parametrize("engines", [1, 2])
def test_edf_prefetch_waits_for_the_eviction_done_at_its_issue_step(engines: int) -> None:
    """``a`` is written at step 0, evicted from step 1 (a copy of 5: 1-6) done by step 2,
    and prefetched again from step 2 for step 3: the prefetch reads what the eviction
    wrote, so it begins at 6 even with a second engine free at 2."""
    from schedlab.families.memory.methods._msa_retime import edf_times

    inst = Msa(
        buffers=(Buffer("a", 0, 4, 10),),
        capacity=10,
        steps=(Step(1.0, (), ((0, 10),)), Step(1.0), Step(1.0), Step(0.0, ((0, 10),))),
        fast_bandwidth=10.0,
        slow_bandwidth=1.0,
        copy_bandwidth=2.0,
        copy_engines=engines,
    )
    ev = {"offset": 0, "first": 0, "end": 1, "eviction": {"start": 1, "done": 2}}
    sol = {"fast": {"a": [ev, _pf(3, 2)]}}
    timed = edf_times(inst, sol)
    assert timed["fast"]["a"][1]["prefetch"]["begin"] == 6.0
    assert inst.check(timed) == pytest.approx(inst.check(sol)) == pytest.approx(12.0)


def test_xla_keeps_issue_order_and_the_searches_use_the_better_timing() -> None:
    """``xla`` is XLA's greedy, its copies in issue order (the checker's timing); the
    searches' answers are timed by whichever of the two is shorter."""
    inst = generate_msa(60, "transformer", 0.25, seed=3)
    r = schedlab.solve(inst, "xla")
    sim = inst.simulate(r.solution)
    order = sorted(sim.copies, key=lambda c: (c.start, c.kind != "eviction", c.buffer, c.piece))
    begins = [c.begin for c in order]
    assert begins == sorted(begins)
    assert inst.check(with_times(inst, r.solution)) == pytest.approx(r.objective)
    m = schedlab.solve(inst, "mip", threads=1, time_limit=10)
    assert m.objective <= inst.check(with_times(inst, _untimed_copy(m.solution))) + 1e-9


def _untimed_copy(sol: dict[str, Any]) -> dict[str, Any]:
    from schedlab.families.memory.methods._msa_retime import _untimed

    return _untimed(sol)


def test_copy_times_given_are_checked() -> None:
    inst = _inst()
    ok = {"fast": {"w": [_pf(2, 1, begin=10.5, end=12.5)]}}
    assert inst.check(ok) == pytest.approx(12.5 + 11)
    with pytest.raises(SolutionError, match="before step 1 is reached"):
        inst.check({"fast": {"w": [_pf(2, 1, begin=9.0)]}})
    with pytest.raises(SolutionError, match="not 13"):
        inst.check({"fast": {"w": [_pf(2, 1, begin=10.0, end=13.0)]}})
    filled = with_times(inst, {"fast": {"w": [_pf(2, 1)]}})
    assert filled["fast"]["w"][0]["prefetch"] == {"start": 1, "begin": 10.0, "end": 12.0}


def _two_params(**kw: Any) -> Msa:
    """Two parameters read at step 3, each 4 bytes; copies take 4 each."""
    base: dict[str, Any] = dict(
        buffers=(Buffer("p", 0, 4, 4), Buffer("q", 0, 4, 4)),
        capacity=8,
        steps=(Step(2.0), Step(2.0), Step(2.0), Step(0.0, ((0, 4), (1, 4)))),
        fast_bandwidth=4.0,
        slow_bandwidth=1.0,
        copy_bandwidth=1.0,
        copy_engines=1,
    )
    base.update(kw)
    return Msa(**base)


def test_copies_share_the_engines() -> None:
    sol = {"fast": {"p": [_pf(3, 1, 0)], "q": [_pf(3, 1, 4)]}}
    # one engine: [2, 6] then [6, 10]; step 3 starts at 10 and takes 8 / 4 = 2
    assert _two_params().check(sol) == pytest.approx(12)
    # two engines: both [2, 6]
    assert _two_params(copy_engines=2).check(sol) == pytest.approx(8)
    # times given that run both at once on one engine
    both = {
        "fast": {
            "p": [_pf(3, 1, 0, begin=2.0, end=6.0)],
            "q": [_pf(3, 1, 4, begin=2.0, end=6.0)],
        }
    }
    with pytest.raises(SolutionError, match="more than 1 copies run at once"):
        _two_params().check(both)
    assert _two_params(copy_engines=2).check(both) == pytest.approx(8)
    mixed = {"fast": {"p": [_pf(3, 1, 0, begin=2.0)], "q": [_pf(3, 1, 4)]}}
    with pytest.raises(SolutionError, match="every copy or for none"):
        _two_params().check(mixed)


def test_outstanding_prefetches_are_limited() -> None:
    sol = {"fast": {"p": [_pf(3, 1, 0)], "q": [_pf(3, 2, 4)]}}
    inst = _two_params(copy_engines=2, max_outstanding_prefetches=1)
    with pytest.raises(SolutionError, match="2 prefetches outstanding at step 2"):
        inst.check(sol)
    assert _two_params(copy_engines=2, max_outstanding_prefetches=2).check(sol) > 0


def test_fast_memory_is_held_from_the_copy_issue() -> None:
    # p in fast [0, 2) from its lower; q's prefetch issued at step 1 at the same offset:
    # q holds the memory from step 1, while p is there
    bufs = (Buffer("p", 0, 2, 4), Buffer("q", 0, 4, 4))
    steps = (Step(1.0, ((0, 4),)), Step(1.0, ((0, 4),)), Step(1.0), Step(1.0, ((1, 4),)))
    inst = Msa(buffers=bufs, capacity=4, steps=steps, fast_bandwidth=4.0, slow_bandwidth=1.0,
               copy_bandwidth=2.0, copy_engines=1)  # fmt: skip
    p = {"offset": 0, "first": 0, "end": 2}
    with pytest.raises(SolutionError, match="overlap in fast memory"):
        inst.check({"fast": {"p": [p], "q": [_pf(3, 1)]}})
    # issued at step 2, after p's last step: fine; copy [2, 4], step 3 waits until 4
    assert inst.check({"fast": {"p": [p], "q": [_pf(3, 2)]}}) == pytest.approx(4 + 1)


def _evict_inst(**kw: Any) -> Msa:
    """``a`` written at step 0, read at step 3; ``z`` read at steps 1 and 2; room for one."""
    base: dict[str, Any] = dict(
        buffers=(Buffer("a", 0, 4, 4), Buffer("z", 1, 3, 4)),
        capacity=4,
        steps=(
            Step(1.0, (), ((0, 4),)),
            Step(1.0, ((1, 4),)),
            Step(1.0, ((1, 4),)),
            Step(1.0, ((0, 4),)),
        ),
        fast_bandwidth=4.0,
        slow_bandwidth=1.0,
        copy_bandwidth=4.0,
        copy_engines=1,
    )
    base.update(kw)
    return Msa(**base)


def test_evictions() -> None:
    inst = _evict_inst()
    z = {"offset": 0, "first": 1, "end": 3}
    born = {"offset": 0, "first": 0, "end": 1}
    # a born in fast memory and accessed later: its only copy is in fast memory
    with pytest.raises(SolutionError, match="needs an eviction"):
        inst.check({"fast": {"a": [born]}})
    # evicted (issued at step 1, done by step 3): z cannot use the space before step 3
    ev = {**born, "eviction": {"start": 1, "done": 3}}
    with pytest.raises(SolutionError, match="overlap in fast memory"):
        inst.check({"fast": {"a": [ev], "z": [z]}})
    # done by step 2: it still holds the memory at step 1
    ev1 = {**born, "eviction": {"start": 1, "done": 2}}
    with pytest.raises(SolutionError, match="overlap in fast memory"):
        inst.check({"fast": {"a": [ev1], "z": [z]}})
    # evicted alone: step 0 takes 1, the eviction runs [1, 2], steps 1 and 2 read z from
    # slow memory (4 each), step 3 reads a from slow memory (4)
    assert inst.check({"fast": {"a": [ev1]}}) == pytest.approx(13)
    # evicted, then prefetched again for step 3
    back = {"offset": 0, "first": 3, "end": 4, "prefetch": {"start": 2}}
    sol = {"fast": {"a": [ev1, back]}}
    # step 0: 1 (fast); eviction [1, 2]; step 1 [1, 5] (z slow); prefetch issued at 5,
    # runs [5, 6]; step 2 [5, 9]; step 3 waits for nothing more: 1
    assert inst.check(sol) == pytest.approx(10)
    # an eviction where the slow copy is current is refused
    pf = {"offset": 0, "first": 1, "end": 2, "prefetch": {"start": 0}}
    ww = Msa(
        buffers=(Buffer("w", 0, 4, 4),),
        capacity=4,
        steps=(Step(1.0), Step(1.0, ((0, 4),)), Step(1.0), Step(1.0, ((0, 4),))),
        fast_bandwidth=4.0,
        slow_bandwidth=1.0,
        copy_bandwidth=4.0,
        copy_engines=1,
    )
    assert ww.check({"fast": {"w": [pf]}}) > 0
    with pytest.raises(SolutionError, match="no eviction needed"):
        ww.check({"fast": {"w": [{**pf, "eviction": {"start": 1, "done": 3}}]}})
    # evictions disabled: one piece, no eviction
    no = _evict_inst(evictions=False)
    with pytest.raises(SolutionError, match="evictions are disabled"):
        no.check(sol)
    with pytest.raises(SolutionError, match="evictions are disabled"):
        no.check({"fast": {"a": [ev1]}})


def test_a_prefetch_waits_for_the_eviction_before_it() -> None:
    # a evicted (issued at step 1, done by step 2) and prefetched again at step 2 for step 3;
    # copies take 8 on two engines: the eviction runs [1, 9]; the prefetch, ready when step 2
    # is reached (5), reads what the eviction writes: [9, 17]; step 2 runs [9, 13], step 3
    # waits until 17 and takes 1
    inst = _evict_inst(copy_bandwidth=0.5, copy_engines=2)
    ev = {"offset": 0, "first": 0, "end": 1, "eviction": {"start": 1, "done": 2}}
    back = {"offset": 0, "first": 3, "end": 4, "prefetch": {"start": 2}}
    sim = inst.simulate({"fast": {"a": [ev, back]}})
    assert [(c.kind, c.begin, c.end) for c in sim.copies] == [
        ("eviction", 1.0, 9.0),
        ("prefetch", 9.0, 17.0),
    ]
    assert sim.total == pytest.approx(18)
    early = {**back, "prefetch": {"start": 2, "begin": 5.0}}
    late = {**ev, "eviction": {"start": 1, "done": 2, "begin": 1.0}}
    with pytest.raises(SolutionError, match="before the eviction of its previous piece ends"):
        inst.check({"fast": {"a": [late, early]}})


def test_copies_disabled_and_piece_rules() -> None:
    inst = _inst(copy_engines=0)
    with pytest.raises(SolutionError, match="copies are disabled"):
        inst.check({"fast": {"w": [_pf(2, 1)]}})
    bad = [
        ({"w": [{"offset": 0, "first": 1, "end": 3}]}, "must be the first and start at"),
        ({"w": [_pf(2, 2)]}, "must lie in"),
        ({"w": [{"offset": 1, "first": 0, "end": 3}]}, "outside the fast memory"),
        ({"w": [{"offset": 0, "first": 0, "end": 4}]}, "not a non-empty part of its life"),
        ({"nope": []}, "unknown buffer id"),
        ({"w": [{"offset": 0, "first": 0}]}, 'missing key "end"'),
        ({"w": [{"offset": "0", "first": 0, "end": 3}]}, "must be an integer"),
    ]
    for fast, msg in bad:
        with pytest.raises(SolutionError, match=msg):
            _inst().check({"fast": fast})
    # a prefetch window may not hold a write of the buffer
    with pytest.raises(SolutionError, match="writes the buffer while it is prefetched"):
        _inst().check({"fast": {"a": [_pf(2, 0)]}})
    with pytest.raises(SolutionError, match="unknown key"):
        _inst().check({"fast": {}, "offsets": {}})


# -- the instance, its JSON and schema --------------------------------------------------
def test_json_round_trip_and_schema() -> None:
    inst = _inst(max_outstanding_prefetches=2, evictions=False)
    doc = inst.to_dict()
    assert doc["kind"] == "msa" and doc["copy_engines"] == 1
    back = MemoryInstance.from_dict(json.loads(json.dumps(doc)))
    assert back == inst and isinstance(back, Msa)
    v = jsonschema.Draft202012Validator(schedlab.schema("memory", "instance"))
    assert list(v.iter_errors(doc)) == []
    gen = generate_msa(30, seed=1)
    assert list(v.iter_errors(gen.to_dict())) == []
    assert list(v.iter_errors({**doc, "kind": "mapping"}))  # msa keys in a mapping
    sv = jsonschema.Draft202012Validator(schedlab.schema("memory", "solution"))
    sol = with_times(inst, {"fast": {"w": [_pf(2, 1)]}})
    assert list(sv.iter_errors(sol)) == []
    assert list(sv.iter_errors({"fast": {}, "offsets": {}}))
    rv = jsonschema.Draft202012Validator(schedlab.schema("memory", "result"))
    res = schedlab.solve(gen, "xla")
    assert list(rv.iter_errors(res.to_dict())) == []


@pytest.mark.parametrize(
    ("change", "path", "msg"),
    [
        ({"copy_engines": -1}, "$.copy_engines", ">= 0"),
        ({"copy_engines": True}, "$.copy_engines", "integer"),
        ({"copy_bandwidth": 0}, "$.copy_bandwidth", "positive"),
        ({"copy_bandwidth": "fast"}, "$.copy_bandwidth", "number"),
        ({"max_outstanding_prefetches": 0}, "$.max_outstanding_prefetches", ">= 1"),
        ({"evictions": "yes"}, "$.evictions", "true or false"),
        ({"copy_bandwidth": None}, "$.copy_bandwidth", "number"),
    ],
)
def test_bad_instances_name_the_path(change: dict[str, Any], path: str, msg: str) -> None:
    doc = {**_inst().to_dict(), **change}
    with pytest.raises(InstanceError, match=msg) as e:
        MemoryInstance.from_dict(doc)
    assert e.value.path == path


def test_more_bad_instances() -> None:
    doc = _inst().to_dict()
    for key in ("copy_bandwidth", "copy_engines"):
        with pytest.raises(InstanceError, match="missing") as e:
            MemoryInstance.from_dict({k: v for k, v in doc.items() if k != key})
        assert e.value.path == f"$.{key}"
    with pytest.raises(InstanceError, match="for msa instances only") as e:
        MemoryInstance.from_dict({**doc, "kind": "mapping"})
    assert e.value.path == "$.copy_bandwidth"
    bad = {**doc, "buffers": [{**doc["buffers"][0], "offset": 0}, doc["buffers"][1]]}
    with pytest.raises(InstanceError, match="fixed offsets") as e:
        MemoryInstance.from_dict(bad)
    assert e.value.path == "$.buffers[0].offset"
    with pytest.raises(InstanceError) as e:
        MemoryInstance.from_dict({**doc, "steps": [{"compute": 1, "reads": {"zz": 1}}]})
    assert e.value.path == "$.steps[0].reads.zz"


def test_other_methods_refuse_msa() -> None:
    with pytest.raises(schedlab.core.SolveError, match="msa"):
        schedlab.solve(_inst(), "greedy-size")
    with pytest.raises(schedlab.core.SolveError, match="mapping instances, not msa"):
        schedlab.solve(_inst(), "benefit")


# -- xla ------------------------------------------------------------------------------
def _xla_case(**kw: Any) -> Msa:
    """w (8 bytes, live from 0) read at step 2; steps of 4, 4 and (all slow) 8; a copy of w
    takes 8; two engines (XLA's copy resource: each step offers 2 x its elapsed time)."""
    return Msa(
        buffers=(Buffer("w", 0, 3, 8),),
        capacity=8,
        steps=(Step(4.0), Step(4.0), Step(1.0, ((0, 8),))),
        fast_bandwidth=8.0,
        slow_bandwidth=1.0,
        copy_bandwidth=1.0,
        copy_engines=2,
        **kw,
    )


def test_xla_hand_computed() -> None:
    inst = _xla_case()
    # max_ratio 10: the copy time of the whole memory (8) x 10 = 80 exceeds the 8 elapsed
    # before the use: w stays in fast memory from its lower, no copy: 4 + 4 + 1
    r = schedlab.solve(inst, "xla")
    assert r.solution["fast"] == {"w": [{"offset": 0, "first": 0, "end": 3}]}
    assert r.objective == 9.0
    # max_ratio 1: no-copy allowed only below 8: a prefetch. The latest start is step 1
    # (overlap 4 + the use's saving 7 >= 1 x 8); the earliest step 0 (overlap 8 <= 8); the
    # preferred overlap 1.5 x 8 = 12 is closest at step 0: copy [0, 8], no stall: 9
    r = schedlab.solve(inst, "xla", max_ratio=1.0)
    assert r.solution["fast"]["w"][0]["prefetch"] == {"start": 0, "begin": 0.0, "end": 8.0}
    assert r.objective == 9.0
    # latest first: issued at step 1 (time 4), done at 12: step 2 stalls 4: 13
    r = schedlab.solve(inst, "xla", max_ratio=1.0, order="latest")
    assert r.solution["fast"]["w"][0]["prefetch"]["start"] == 1
    assert r.objective == 13.0
    # min_ratio 2: overlap + saving must reach 16: no start works, w stays slow: 16
    r = schedlab.solve(inst, "xla", max_ratio=1.0, min_ratio=2.0)
    assert r.solution["fast"] == {} and r.objective == 16.0


def test_xla_evicts_and_prefetches_again() -> None:
    inst = _evict_inst(copy_bandwidth=8.0)
    sol = xla_msa(inst, max_ratio=0.2)  # no-copy only below 0.2 x 1 = 0.2 elapsed
    # a: at its first use (step 0) from its lower; extending it to step 3 is refused (more
    # than 0.2 elapsed): evicted, and prefetched again for step 3
    pieces = sol["fast"]["a"]
    assert len(pieces) == 2
    assert "eviction" in pieces[0] and "prefetch" in pieces[1]
    assert pieces[0]["eviction"]["start"] == 1
    assert inst.check(sol) > 0
    # without evictions a keeps no piece it would have to leave
    no = _evict_inst(copy_bandwidth=8.0, evictions=False)
    sol = xla_msa(no, max_ratio=0.2)
    assert all("eviction" not in p for ps in sol["fast"].values() for p in ps)
    assert no.check(sol) > 0


@pytest.mark.parametrize("engines", [0, 1, 2])
def test_xla_solutions_check_on_generated_programs(engines: int) -> None:
    for structure in ("chain", "transformer"):
        inst = generate_msa(60, structure, 0.25, seed=3, copy_engines=engines)
        r = schedlab.solve(inst, "xla")
        assert r.solution is not None
        assert inst.check(r.solution) == pytest.approx(r.objective)
        assert r.objective >= inst.lower_bound() - 1e-9


# -- exact: cpsat against brute force ------------------------------------------------------
def _brute(inst: Msa) -> float:
    """The best total time over every solution the checker accepts (pieces of any first,
    end, prefetch and eviction steps and offsets; copies run as early as possible)."""
    cap = int(inst.capacity or 0)
    ns = len(inst.steps)
    per: list[list[list[dict[str, Any]]]] = []
    for b in inst.buffers:
        singles = []
        for a in range(b.lower, b.upper):
            for e in range(a + 1, b.upper + 1):
                for o in range(0, cap - b.size + 1):
                    for pf in [None, *range(b.lower, a)]:
                        evs = [None] + [(s, d) for s in range(a, ns) for d in range(s + 1, ns)]
                        for ev in evs:
                            p: dict[str, Any] = {"offset": o, "first": a, "end": e}
                            if pf is not None:
                                p["prefetch"] = {"start": pf}
                            if ev is not None:
                                p["eviction"] = {"start": ev[0], "done": ev[1]}
                            singles.append(p)
        valid = []
        for p in singles:
            try:
                inst.pieces({"fast": {b.id: [p]}})
            except SolutionError:
                continue
            valid.append(p)
        options: list[list[dict[str, Any]]] = [[]]
        for k in (1, 2):
            for combo in itertools.permutations(valid, k):
                try:
                    inst.pieces({"fast": {b.id: list(combo)}})
                except SolutionError:
                    continue
                options.append(list(combo))
        per.append(options)
    best = float("inf")
    for choice in itertools.product(*per):
        sol = {"fast": {b.id: c for b, c in zip(inst.buffers, choice, strict=True) if c}}
        try:
            best = min(best, inst.check(sol))
        except SolutionError:
            continue
    return best


def _tiny(seed: int, engines: int, evictions: bool = True, nb: int = 2) -> Msa:
    """``nb`` buffers of size 1 over 5 steps with room for one: long lives, sparse accesses
    (the optimum often shares the room by copies)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    ns = 5
    bufs = []
    steps: list[list[list[tuple[int, int]]]] = [[[], []] for _ in range(ns)]
    for j in range(nb):
        lo = int(rng.integers(0, 2))
        up = int(rng.integers(lo + 3, ns + 1))
        bufs.append(Buffer(f"b{j}", lo, up, 1))
        if rng.random() < 0.5:
            steps[lo][1].append((j, int(rng.integers(1, 4))))  # written at its lower
        for s in rng.choice(np.arange(lo + 1, up), size=2, replace=False):
            steps[int(s)][0].append((j, int(rng.integers(2, 6))))
    return Msa(
        buffers=tuple(bufs),
        capacity=1,
        steps=tuple(Step(float(rng.integers(0, 3)), tuple(r), tuple(w)) for r, w in steps),
        fast_bandwidth=4.0,
        slow_bandwidth=1.0,
        copy_bandwidth=float(rng.choice([0.5, 1.0, 2.0])),
        copy_engines=engines,
        evictions=evictions,
    )


@pytest.mark.parametrize(("seed", "nb"), [*((s, 2) for s in range(8)), (0, 3)])
def test_cpsat_equals_brute_force(seed: int, nb: int) -> None:
    # engines for every copy: copies as early as possible are optimal, as brute force has it
    inst = _tiny(seed, engines=4, evictions=seed % 3 != 2, nb=nb)
    best = _brute(inst)
    r = schedlab.solve(inst, "cpsat", threads=1, time_limit=20)
    assert r.status == schedlab.Status.OPTIMAL
    assert r.objective == pytest.approx(best, rel=1e-6)
    assert inst.check(xla_msa(inst)) >= best - 1e-9


@pytest.mark.parametrize("seed", [0, 1])
def test_copies_pay_on_the_tiny_programs(seed: int) -> None:
    # the brute force is not the copy-free one: the optimum moves buffers by copies
    inst = _tiny(seed, engines=4)
    free = dataclasses.replace(inst, copy_engines=0)
    assert _brute(inst) < _brute(free) - 1e-6
    r = schedlab.solve(inst, "cpsat", threads=1, time_limit=20)
    assert any("prefetch" in p for ps in r.solution["fast"].values() for p in ps)


@pytest.mark.parametrize("seed", range(4))
def test_cpsat_one_engine_meets_fifo_brute_force(seed: int) -> None:
    inst = _tiny(seed, engines=1)
    r = schedlab.solve(inst, "cpsat", threads=1, time_limit=20)
    assert r.status == schedlab.Status.OPTIMAL
    # brute force runs the copies in issue order: an upper bound with one engine
    assert r.objective <= _brute(inst) + 1e-6
    assert r.objective >= r.bound - 1e-9


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("engines", [1, 4])
@pytest.mark.parametrize(("lead", "lead_time"), [(8, 2.0), (1, 0.0)])
def test_bounds_never_pass_the_brute_force_optimum(
    seed: int, engines: int, lead: int, lead_time: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The step bound and the ``mip`` relaxation's bound are lower bounds; ``mip``'s
    solution is checked. With one engine, brute force (copies in issue order) is an upper
    bound and ``cpsat`` proves the optimum: the bounds stay below both. ``lead`` 1 and no
    lead by time: the relaxation's columns for early prefetches and late evictions, which
    stand for several steps, are used too."""
    from schedlab.families.memory.methods import _msa_mip

    monkeypatch.setattr(_msa_mip, "LEAD", lead)
    monkeypatch.setattr(_msa_mip, "LEAD_TIME", lead_time)
    inst = _tiny(seed, engines=engines, evictions=seed % 3 != 2)
    best = _brute(inst)
    if engines == 1:
        best = schedlab.solve(inst, "cpsat", threads=1, time_limit=20).objective
    assert inst.program.lower_bound() - 1e-9 <= inst.lower_bound() <= best + 1e-9
    r = schedlab.solve(inst, "mip", threads=1, time_limit=20)
    assert r.solution is not None and r.objective >= best - 1e-9
    assert r.bound is not None and r.bound <= best + 1e-9
    assert r.bound >= inst.lower_bound() - 1e-9


def test_mip_counts_a_prefetch_issued_at_the_previous_access() -> None:
    """``p`` is read at steps 1 (1 byte) and 2 (10 bytes), ``q`` at step 1; the fast memory
    holds one of them. A prefetch of ``p`` for step 2 holds its memory from its issue, at
    step 1 at the latest, where ``q`` would be: the optimum keeps ``p`` fast from the
    start (1 + 10.1 + 1). A relaxation that does not count that step (``p`` slow there)
    had ``q`` fast at 1 and ``p`` prefetched (bound 4)."""
    inst = Msa(
        buffers=(Buffer("p", 0, 3, 10), Buffer("q", 0, 2, 10)),
        capacity=10,
        steps=(Step(1.0), Step(0.0, ((0, 1), (1, 10))), Step(0.0, ((0, 10),))),
        fast_bandwidth=10.0,
        slow_bandwidth=1.0,
        copy_bandwidth=10.0,
        copy_engines=1,
    )
    r = schedlab.solve(inst, "mip", threads=1, time_limit=20)
    assert r.status == schedlab.Status.OPTIMAL
    assert r.objective == pytest.approx(12.1) == r.bound
    assert _brute(inst) == pytest.approx(12.1)


def test_mip_does_not_start_highs_without_time_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS runs past short limits on large models (its presolve, its start): with too
    little time for it, the mip is not started and the start's answer comes back, checked,
    within the limit."""
    from schedlab.families.memory.methods import _msa_mip

    inst = generate_msa(60, "transformer", 0.25, seed=3)
    monkeypatch.setattr(_msa_mip, "INTEGRAL_COPY_STEPS", 10)
    monkeypatch.setattr(_msa_mip, "PRESOLVE_SECONDS_PER_NONZERO", 1.0)
    r = schedlab.solve(inst, "mip", threads=1, time_limit=2)
    assert r.info["highs_status"] == "not started: too little time for HiGHS's presolve"
    assert r.runtime_s < 2 + 0.5
    assert inst.check(r.solution) == pytest.approx(r.objective)
    monkeypatch.setattr(_msa_mip, "INTEGRAL_COPY_STEPS", 3000)
    monkeypatch.setattr(_msa_mip, "STARTUP_SECONDS_PER_NONZERO", 1.0)
    r = schedlab.solve(inst, "mip", threads=1, time_limit=2)
    assert r.info["highs_status"] == "not started: too little time for HiGHS"
    assert inst.check(r.solution) == pytest.approx(r.objective)


def test_mip_moves_buffers_by_copies() -> None:
    """On a program where copies pay, the relaxation's choice (prefetches, evictions) checks
    and beats the whole-life optimum; its bound is below the best found."""
    prog = generate_mapping(100, "chain", 0.1, seed=0)
    inst = Msa.from_mapping(prog, copy_bandwidth=prog.slow_bandwidth, copy_engines=1)
    whole = schedlab.solve(prog, "mip", threads=1)
    r = schedlab.solve(inst, "mip", threads=1, time_limit=30)
    assert r.info["origin"] == "relaxation"
    assert r.objective < whole.objective - 1e-6
    assert r.bound <= r.objective
    assert any("eviction" in p for ps in r.solution["fast"].values() for p in ps)


def test_max_saving_is_the_knapsack_optimum() -> None:
    import numpy as np

    from schedlab.families.memory.msa import max_saving

    rng = np.random.default_rng(0)
    for _ in range(200):
        k = int(rng.integers(0, 9))
        items = [(int(rng.integers(1, 20)), float(rng.integers(0, 30))) for _ in range(k)]
        cap = int(rng.integers(0, 40))
        brute = max(
            (
                sum(v for (w, v), on in zip(items, mask, strict=True) if on)
                for mask in itertools.product([0, 1], repeat=k)
                if sum(w for (w, _), on in zip(items, mask, strict=True) if on) <= cap
            ),
            default=0.0,
        )
        assert max_saving(items, cap) == pytest.approx(brute)
    # beyond 24 items: the fractional optimum, never below the 0/1 one
    many = [(3, 2.0)] * 30
    assert max_saving(many, 10) == pytest.approx(20.0 / 3)


def test_cpsat_limits_and_hint() -> None:
    inst = generate_msa(40, "transformer", 0.25, seed=4, copy_engines=1)
    hint = xla_msa(inst)
    r = schedlab.solve(inst, "cpsat", threads=1, work_limit=0.05, hint=hint)
    assert r.solution is not None and r.objective <= inst.check(hint) + 1e-9
    assert r.bound is not None and r.bound <= r.objective


# -- the whole-life mapping: the copy-free special case ------------------------------------
@pytest.mark.parametrize("structure", ["chain", "transformer"])
@pytest.mark.parametrize("cap", [0.1, 0.25, 0.5])
def test_copy_free_msa_has_the_mapping_optimum(structure: str, cap: float) -> None:
    prog = generate_mapping(22, structure, cap, seed=100)
    inst = Msa.from_mapping(prog)
    m = schedlab.solve(prog, "cpsat", threads=1, time_limit=20)
    r = schedlab.solve(inst, "cpsat", threads=1, time_limit=20)
    q = schedlab.solve(inst, "mip", threads=1, time_limit=20)
    assert m.status == r.status == q.status == schedlab.Status.OPTIMAL
    assert r.objective == pytest.approx(m.objective, rel=1e-9)
    assert q.objective == pytest.approx(m.objective, rel=1e-9)
    # the mapping's optimum, as msa pieces, is checked to the same time
    assert inst.check(inst.mapping_solution(m.solution)) == m.objective


def _thirty() -> list[Mapping]:
    """The 30 bundled benchmark programs (benchmarks/memory.py, ``mapping``)."""
    steps, structs, caps = [100, 200, 500, 1000, 2000], ["chain", "transformer"], [0.1, 0.25, 0.5]
    return [
        generate_mapping(n, s, c, seed=k)
        for k, (n, s) in enumerate((n, s) for n in steps for s in structs)
        for c in caps
    ]


@pytest.mark.slow
def test_copy_free_msa_is_the_mapping_on_the_thirty_programs() -> None:
    """Without copies an msa program has exactly the mapping's choices: one candidate
    piece per buffer that can be in fast memory, its whole life, and the same times; so the
    same optimum (the mapping's proven optima, as msa solutions, check to the same time)."""
    for prog in _thirty():
        inst = Msa.from_mapping(prog)
        cands = candidates(inst)
        assert len({c.buffer for c in cands}) == len(cands)
        for c in cands:
            b = inst.buffers[c.buffer]
            assert (c.first, c.end, c.prefetch, c.eviction) == (b.lower, b.upper, None, None)
        r = schedlab.solve(prog, "mip", threads=1)
        assert r.status == schedlab.Status.OPTIMAL
        assert inst.check(inst.mapping_solution(r.solution)) == r.objective
