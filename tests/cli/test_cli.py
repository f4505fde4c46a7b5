"""The command line: solve, methods, generate, check, plot, and one-line errors with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from schedlab.cli.main import main

RESULT_KEYS = {
    "problem",
    "instance",
    "method",
    "status",
    "objective",
    "bound",
    "gap",
    "runtime_s",
    "solution",
    "params",
    "seed",
    "threads",
    "versions",
}


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_solve_summary(instances_dir):
    r = run("solve", f"{instances_dir}/smtt/wt40.txt#1", "--method", "mddc")
    assert r.exit_code == 0
    assert "status     feasible" in r.output and "reference  913" in r.output


def test_solve_json_keys_and_versions(instances_dir):
    r = run("solve", f"{instances_dir}/smtt/wt40.txt#2", "-m", "edd", "--json", "--seed", "4")
    data = json.loads(r.output)
    assert set(data) >= RESULT_KEYS
    assert data["seed"] == 4 and data["threads"] == 1
    assert {"schedlab", "ortools", "highspy", "pyomo"} <= set(data["versions"])


def test_solve_stdin_json_and_out_file(tmp_path):
    inst = {"problem": "smtt", "name": "tiny", "p": [3, 2, 1], "d": [2, 6, 1], "w": [1, 3, 1]}
    out = tmp_path / "sol.json"
    r = run("solve", "-", "-m", "dp", "--json", "--out", str(out), input=json.dumps(inst))
    data = json.loads(r.output)
    assert data["status"] == "optimal" and data["objective"] == 2.0
    assert json.loads(out.read_text()) == data["solution"]
    f = tmp_path / "tiny.json"
    f.write_text(json.dumps(inst))
    chk = run("check", str(f), str(out))
    assert chk.exit_code == 0 and "objective 2" in chk.output


def test_auto_and_param(instances_dir):
    r = run("solve", f"{instances_dir}/smtt/wt40.txt#3", "-m", "atc", "-p", "k=1.5", "--json")
    assert json.loads(r.output)["params"]["k"] == 1.5
    tiny = '{"problem": "smtt", "p": [1, 2], "d": [1, 1]}'
    r = run("solve", "-", "--json", input=tiny)
    assert json.loads(r.output)["info"].get("auto") is True


def test_methods_and_generate():
    r = run("methods", "smtt")
    assert r.exit_code == 0 and "dp" in r.output and "exact" in r.output and "heuristic" in r.output
    g = run("generate", "smtt", "--n", "12", "--weighted", "--seed", "5")
    data = json.loads(g.output)
    assert data["problem"] == "smtt" and len(data["p"]) == 12 and len(data["w"]) == 12
    assert run("generate", "smtt", "--n", "12", "--weighted", "--seed", "5").output == g.output


@pytest.mark.parametrize(
    "content, name, fragment",
    [
        ("1 2 3\n4 5\n", "wt2.txt", "line 2: truncated"),
        ("1 2 3\n4 x 6\n", "wt2.txt", "line 2: expected an integer, found 'x'"),
        ("-1 2 3\n4 5 6\n", "wt2.txt", "line 1: negative processing time -1"),
    ],
)
def test_bad_files_one_line_exit_2(tmp_path, content, name, fragment):
    f = tmp_path / name
    f.write_text(content)
    r = CliRunner().invoke(main, ["solve", str(f)])
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and str(f) in lines[0]


def test_bad_index_method_and_check(tmp_path, instances_dir):
    for args, fragment in [
        (["solve", f"{instances_dir}/smtt/wt40.txt#999"], "out of range"),
        (["solve", f"{instances_dir}/smtt/wt40.txt#1", "-m", "nope"], "unknown method 'nope'"),
        (["solve", f"{instances_dir}/smtt/wt40.txt#1", "-t", "-3"], "time_limit must be positive"),
        (["methods", "tsp"], "unknown family"),
        (["solve", str(tmp_path / "missing.txt")], "no such file"),
    ]:
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 2, args
        assert len(r.output.strip().splitlines()) == 1 and fragment in r.output, r.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"sequence": [0, 0]}')
    r = CliRunner().invoke(main, ["check", f"{instances_dir}/smtt/wt40.txt#1", str(bad)])
    assert r.exit_code == 2 and "appears twice" in r.output


def test_plot(tmp_path, instances_dir):
    pytest.importorskip("matplotlib")
    png = tmp_path / "s.png"
    r = run("solve", f"{instances_dir}/smtt/wt40.txt#1", "-m", "mdd", "--plot", str(png))
    assert r.exit_code == 0 and png.stat().st_size > 1000
    res = tmp_path / "r.json"
    res.write_text(run("solve", f"{instances_dir}/smtt/wt40.txt#1", "-m", "mdd", "--json").output)
    png2 = tmp_path / "s2.png"
    r = run("plot", str(res), "--instance", f"{instances_dir}/smtt/wt40.txt#1", "--out", str(png2))
    assert r.exit_code == 0 and png2.exists()


def test_console_script_runs(instances_dir):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "schedlab.cli.main",
            "solve",
            f"{instances_dir}/smtt/wt40.txt#1",
            "-m",
            "edd",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and "objective" in r.stdout


def test_warm_up_command():
    r = run("warm-up", "smtt")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("smtt: ") and "ils" in r.output
    r = CliRunner().invoke(main, ["warm-up", "nope"])
    assert r.exit_code == 2 and "unknown family 'nope'" in r.output


def test_check_compares_a_results_claims(tmp_path, instances_dir):
    """A Result whose objective, bound, status or instance is falsified fails the check."""
    inst = f"{instances_dir}/smtt/wt40.txt#1"
    res = json.loads(run("solve", inst, "-m", "edd", "--json").output)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(res))
    r = CliRunner().invoke(main, ["check", inst, str(good)])
    assert r.exit_code == 0 and f"objective {int(res['objective'])}" in r.output
    for change, fragment in [
        ({"objective": 1.0, "bound": 1.0}, "claimed objective 1.0"),
        ({"status": "optimal"}, "claimed optimal"),
        ({"bound": res["objective"] + 5}, "beats"),
        ({"instance": "wt40#2"}, "instance"),
        ({"status": "unknown"}, "status 'unknown' with a solution"),
        ({"problem": "fjsp"}, "family fjsp"),
    ]:
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({**res, **change}))
        r = CliRunner().invoke(main, ["check", inst, str(bad)])
        assert r.exit_code == 1, (change, r.output)
        assert len(r.output.strip().splitlines()) == 1 and fragment in r.output, r.output


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "schedlab.cli.main", *args]


def test_usage_error_is_one_line_and_a_closed_pipe_is_quiet(instances_dir):
    done = subprocess.run(_cmd("solve", "x.json", "--bogus"), capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("error: ")
    assert len(done.stderr.strip().splitlines()) == 1
    p = subprocess.Popen(_cmd("methods"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.read(10)
    p.stdout.close()
    err = p.stderr.read().decode()
    p.wait(60)
    assert "Broken pipe" not in err and "Traceback" not in err


def test_a_hash_in_a_file_name(tmp_path):
    inst = {"problem": "smtt", "name": "tiny", "p": [3, 2, 1], "d": [2, 6, 1]}
    f = tmp_path / "my#run.json"
    f.write_text(json.dumps(inst))
    r = run("solve", str(f), "-m", "edd")
    assert r.exit_code == 0 and "instance   tiny" in r.output


def test_bad_plot_suffix_fails_before_solving_and_deep_json_is_one_line(tmp_path, instances_dir):
    r = CliRunner().invoke(
        main, ["solve", f"{instances_dir}/smtt/wt40.txt#1", "-m", "edd", "--plot", "x.xyz"]
    )
    assert r.exit_code == 2 and "x.xyz" in r.output and "status" not in r.output
    deep = tmp_path / "deep.json"
    deep.write_text('{"problem": "smtt", "p": ' + "[" * 100000 + "]" * 100000 + "}")
    r = CliRunner().invoke(main, ["solve", str(deep)])
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1, r.output


@pytest.mark.parametrize(
    "extra, fragment",
    [
        ('"reference": NaN', "NaN is not a JSON number"),
        ('"reference": Infinity', "Infinity is not a JSON number"),
        ('"reference": 1e999', "not a finite number"),
        ('"w": [1, 99999999999999999999999]', "$.w[1]"),
    ],
)
def test_non_finite_and_huge_numbers_are_one_line_errors(tmp_path, extra, fragment):
    f = tmp_path / "x.json"
    f.write_text('{"problem": "smtt", "p": [1, 2], "d": [1, 1], ' + extra + "}")
    r = CliRunner().invoke(main, ["solve", str(f), "--json"])
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1, r.output
    assert fragment in r.output
