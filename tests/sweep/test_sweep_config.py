"""Sweep files: parsing, expansion into runs, keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from sweep_helpers import write_sweep

from schedlab.sweep import SweepError, load_sweep, parse_sweep, run_key

WT40 = Path(__file__).resolve().parents[2] / "instances" / "smtt" / "wt40.txt"


def _sweep(tmp_path: Path, body: str):
    return load_sweep(write_sweep(tmp_path / "s.toml", body))


def test_ranges_steps_and_cartesian_product(tmp_path: Path) -> None:
    sw = _sweep(
        tmp_path,
        f"""
time_limit = [1, 2]
seeds = [0, 1, 2]
threads = 1
methods = ["edd", {{ method = "atc", params = {{ k = [1.0, 3.0] }} }}]
[sets]
a = ["{WT40}#1-3", "{WT40}#10-30:10"]
""",
    )
    runs = sw.expand()
    # 6 instances x (edd + 2 atc) x 2 time limits x 3 seeds
    assert len(runs) == 6 * 3 * 2 * 3
    assert len({r.key for r in runs}) == len(runs)
    names = sorted({r.instance_name for r in runs})
    assert names == sorted(f"wt40#{k}" for k in (1, 2, 3, 10, 20, 30))
    assert {r.label for r in runs} == {"edd", "atc(k=1.0)", "atc(k=3.0)"}
    assert all(r.watchdog == r.time_limit + sw.margin for r in runs)
    r = runs[0]
    assert r.key == run_key(r.instance, r.method, r.params, r.time_limit, r.seed, r.threads)


def test_generator_grid_and_set_restriction(tmp_path: Path) -> None:
    sw = _sweep(
        tmp_path,
        """
methods = ["edd", { method = "dp", sets = ["small"] }]
[sets]
small = { generate = { family = "smtt", n = 10, tf = [0.2, 0.6], rdd = 0.6, seeds = [1, 2] } }
big = { generate = { family = "smtt", n = 30, tf = 0.6, rdd = 0.6, weighted = true, seeds = [1] } }
""",
    )
    runs = sw.expand()
    small = [r for r in runs if r.set == "small"]
    big = [r for r in runs if r.set == "big"]
    assert len(small) == 4 * 2 and len(big) == 1
    assert {r.method for r in big} == {"edd"}
    assert all(r.time_limit is None and r.watchdog is None for r in runs)
    assert all("w" in r.instance for r in big)
    assert len({r.instance_name for r in small}) == 4


def test_key_depends_on_every_component() -> None:
    inst = {"problem": "smtt", "name": "x", "p": [1, 2], "d": [1, 1]}
    base = run_key(inst, "ls", {}, 1.0, 0, 1)
    assert base == run_key(dict(reversed(list(inst.items()))), "ls", {}, 1, 0, 1)
    others = [
        run_key({**inst, "d": [1, 2]}, "ls", {}, 1.0, 0, 1),
        run_key(inst, "edd", {}, 1.0, 0, 1),
        run_key(inst, "ls", {"k": 1}, 1.0, 0, 1),
        run_key(inst, "ls", {}, 2.0, 0, 1),
        run_key(inst, "ls", {}, None, 0, 1),
        run_key(inst, "ls", {}, 1.0, 1, 1),
        run_key(inst, "ls", {}, 1.0, 0, 2),
    ]
    assert len({base, *others}) == 1 + len(others)


def test_duplicate_instances_across_sets_are_kept_once(tmp_path: Path) -> None:
    sw = _sweep(
        tmp_path,
        f"""
methods = ["edd"]
[sets]
a = ["{WT40}#1-2"]
b = ["{WT40}#2-3"]
""",
    )
    runs = sw.expand()
    assert [(r.set, r.instance_name) for r in runs] == [
        ("a", "wt40#1"),
        ("a", "wt40#2"),
        ("b", "wt40#3"),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[sets]\na = ["X"]\nmethods = ["edd"]\n', "top-level keys before [sets]"),
        ('methods = ["nope"]\n[sets]\na = ["WT#1"]\n', "unknown method 'nope'"),
        (
            'methods = [{ method = "atc", params = { q = 1 } }]\n[sets]\na = ["WT#1"]\n',
            "no parameter q",
        ),
        ('methods = ["edd"]\n[sets]\na = ["WT#0-3"]\n', "bad instance range"),
        ('methods = ["edd"]\n[sets]\na = ["WT#120-130"]\n', "out of range"),
        ('methods = ["edd"]\n[sets]\na = ["nothing*.txt"]\n', "no file matches"),
        ('methods = ["edd"]\ntime_limit = -1\n[sets]\na = ["WT#1"]\n', "positive"),
        ('methods = ["edd"]\nbogus = 1\n[sets]\na = ["WT#1"]\n', "unknown key"),
        ('methods = [{ method = "dp", sets = ["zz"] }]\n[sets]\na = ["WT#1"]\n', "unknown set"),
    ],
)
def test_errors(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(SweepError, match=message.replace("[", r"\[").replace("(", r"\(")):
        _sweep(tmp_path, body.replace("WT", str(WT40))).expand()


def test_parse_sweep_defaults() -> None:
    sw = parse_sweep({"methods": ["edd"], "sets": {"a": ["x"]}}, default_name="demo")
    assert sw.name == "demo" and sw.seeds == [0] and sw.threads == [1]
    assert sw.time_limits == [None] and sw.margin == 10.0
