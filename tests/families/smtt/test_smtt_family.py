"""The smtt family object: readers through the API, samples and warm-up, generators."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import schedlab
from schedlab.families.smtt import family, samples
from schedlab.families.smtt.model import Instance


def test_family_declaration():
    assert schedlab.family("smtt") is family
    assert family.instance_type is Instance
    assert [r.format for r in family.readers] == ["orlib", "cetinkaya", "pairs"]
    assert schedlab.generate("smtt", n=5, tf=0.6, rdd=0.6, seed=1).n == 5
    assert family.solution_matches is not None and family.solution_matches({"sequence": [0]})


def test_samples_are_small_weighted_and_unweighted():
    insts = samples()
    assert {inst.weighted for inst in insts} == {True, False}
    assert all(inst.n <= 10 for inst in insts)


def test_warm_up_covers_every_method():
    assert set(schedlab.warm_up("smtt")) == {m.name for m in schedlab.methods("smtt")}


# Run in a fresh process: warm up one method, then solve with it (with and without a time
# limit, weighted and unweighted instances of other sizes): no kernel may be compiled or
# loaded from the cache inside those solves.
_NO_COMPILE = r"""
import importlib, json, pkgutil, sys, warnings
warnings.simplefilter("ignore")
import numba
import schedlab
import schedlab.families.smtt.methods as pkg
from schedlab.families.smtt.generate import generate

method = sys.argv[1]
schedlab.warm_up("smtt", method)
mods = [importlib.import_module(f"{pkg.__name__}.{m.name}") for m in pkgutil.iter_modules(pkg.__path__)]

def signatures():
    return {
        (mod.__name__, name): len(obj.signatures)
        for mod in mods
        for name, obj in vars(mod).items()
        if isinstance(obj, numba.core.registry.CPUDispatcher)
    }

before = signatures()
for inst in (generate(14, 0.6, 0.4, True, 5), generate(14, 0.8, 0.2, False, 6)):
    for limit in (None, 0.5):
        schedlab.solve(inst, method, time_limit=limit)
after = signatures()
print(json.dumps({f"{k[0]}.{k[1]}": [before.get(k, 0), v] for k, v in after.items() if v != before.get(k, 0)}))
"""


@pytest.mark.parametrize("method", ["ls", "dp", "ils", "exact", "aug-mddc"])
def test_warm_up_of_one_method_compiles_all_it_needs(method):
    out = subprocess.run(
        [sys.executable, "-c", _NO_COMPILE, method],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {}


def test_loading_the_family_and_running_a_rule_loads_no_engine():
    code = (
        "import sys, warnings; warnings.simplefilter('ignore')\n"
        "import schedlab.families.smtt as f\n"
        "assert 'numba' not in sys.modules\n"
        "import schedlab\n"
        "schedlab.solve(f.samples()[0], 'edd')\n"
        "print(sorted(m for m in ('ortools', 'pyomo', 'highspy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
