"""Sweep files: parsing, expansion into runs, keys."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sweep_helpers import cli, write_sweep

import schedlab
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


CHALLENGING_A = (
    Path(__file__).resolve().parents[2]
    / "instances"
    / "memory"
    / "minimalloc"
    / "challenging"
    / "A.1048576.csv"
)


def test_method_time_limit_replaces_the_sweeps(tmp_path: Path) -> None:
    sw = _sweep(
        tmp_path,
        f"""
time_limit = [1, 2]
margin = 3
methods = ["edd", {{ method = "atc", time_limit = 5 }}, {{ method = "ls", time_limit = [0.5, 4] }}]
[sets]
a = ["{WT40}#1-2"]
""",
    )
    runs = sw.expand()
    limits = {
        m: sorted({r.time_limit for r in runs if r.method == m}) for m in ("edd", "atc", "ls")
    }
    assert limits == {"edd": [1.0, 2.0], "atc": [5.0], "ls": [0.5, 4.0]}
    assert len(runs) == 2 * (2 + 1 + 2)
    assert all(r.watchdog == r.time_limit + 3 for r in runs)
    r = next(r for r in runs if r.method == "atc")
    assert r.key == run_key(r.instance, "atc", {}, 5.0, 0, 1)


def test_method_time_limit_without_a_sweep_time_limit(tmp_path: Path) -> None:
    sw = _sweep(
        tmp_path,
        f"""
methods = ["edd", {{ method = "atc", time_limit = 5 }}]
[sets]
a = ["{WT40}#1"]
""",
    )
    got = {(r.method, r.time_limit, r.watchdog) for r in sw.expand()}
    assert got == {("edd", None, None), ("atc", 5.0, 15.0)}


def test_named_generator(tmp_path: Path) -> None:
    sw = _sweep(
        tmp_path,
        """
methods = ["xla"]
[sets]
m = { generate = { family = "memory", generator = "generate_mapping", steps = 12, structure = "chain", capacity_fraction = [0.25, 0.5], seeds = [3] } }
""",
    )
    runs = sw.expand()
    assert len(runs) == 2
    assert all(r.instance["kind"] == "mapping" for r in runs)
    assert runs[0].source.startswith("generate:memory.generate_mapping steps=12")
    gen = schedlab.family("memory").generators["generate_mapping"]
    assert runs[1].instance == gen(12, "chain", 0.5, seed=3).to_dict()


def test_drop_fields(tmp_path: Path) -> None:
    sw = _sweep(
        tmp_path,
        f"""
methods = ["greedy-size"]
[sets]
capped = ["{CHALLENGING_A}"]
free = [{{ files = ["{CHALLENGING_A}"], drop = ["capacity"] }}]
""",
    )
    runs = sw.expand()
    assert [r.set for r in runs] == ["capped", "free"]
    capped, free = runs
    assert capped.instance["capacity"] == 1048576 and free.instance.get("capacity") is None
    assert free.instance["buffers"] == capped.instance["buffers"]
    assert free.key != capped.key and free.source.endswith("-capacity")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'methods = [{ method = "edd", time_limit = -1 }]\n[sets]\na = ["WT#1"]\n',
            "method edd: time_limit must be positive",
        ),
        (
            'methods = ["edd"]\n[sets]\na = { generate = { family = "smtt", generator = '
            '"generate_nope", n = 5 } }\n',
            "no generator 'generate_nope'",
        ),
        (
            'methods = ["edd"]\n[sets]\na = { generate = { family = "smtt", generator = '
            '"read", n = 5 } }\n',
            "no generator 'read'",
        ),
        ('methods = ["edd"]\n[sets]\na = { files = ["WT#1"], drop = ["name"] }\n', "cannot drop"),
        ('methods = ["edd"]\n[sets]\na = { files = ["WT#1"], drop = ["p"] }\n', "without"),
        ('methods = ["edd"]\n[sets]\na = { files = ["WT#1"], drop = [1] }\n', "field names"),
    ],
)
def test_new_key_errors(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(SweepError, match=message):
        _sweep(tmp_path, body.replace("WT", str(WT40))).expand()


def test_the_readme_sweep_example_works_as_written(tmp_path: Path) -> None:
    """The README's sweep file, saved where it says (``sweeps/compare.toml`` next to
    ``instances/``), expands from the repository root: its paths are relative to the file."""
    import re

    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    block = re.search(r"```toml\n# (sweeps/compare\.toml)\n(.*?)```", readme, re.S)
    assert block is not None, "the README's sweep example moved"
    (tmp_path / "instances").symlink_to(root / "instances")
    path = tmp_path / block.group(1)
    path.parent.mkdir()
    path.write_text(block.group(2))
    done = subprocess.run(
        cli("sweep", block.group(1), "--dry-run"),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    # 125 wt40 instances + 4 generated, x 5 methods (atc twice) x 2 limits x 2 seeds
    assert done.stdout.strip().splitlines()[-1] == "2580 runs, 0 stored, 2580 to do"
