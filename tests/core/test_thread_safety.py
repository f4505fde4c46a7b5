"""Thread safety: every method of every family, solved from two threads at once, gives the
results it gives sequentially, and the host's stdout and stderr are untouched (no method
redirects a process-wide file descriptor).

Each method solves each of its family's sample instances that it accepts, with the family's
warm-up parameters (small deterministic budgets) and one thread: such a run repeats exactly.
The default run solves each case up to 200 times a thread within a small time budget per
method; ``-m slow`` runs exactly 200 solves a thread for every method.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

import pytest

import schedlab
from schedlab import api
from schedlab.core.errors import SchedlabError

#: solves a thread and a method in the full (slow) run, as the contract states it
FULL = 200
#: seconds of sequential solving a method may take in the default run (before doubling)
BUDGET_S = 0.1


def _fingerprint(res: schedlab.Result) -> tuple[Any, ...]:
    return (str(res.status), res.objective, res.bound, repr(res.solution))


def _cases(family: str) -> list[tuple[str, list[tuple[Any, dict[str, Any]]]]]:
    """(method, [(instance, params)]) for every method of the family: the samples it takes."""
    fam = schedlab.family(family)
    samples = fam.sample_instances()
    out = []
    for m in schedlab.methods(family):
        params = dict(fam.warmup_params.get(m.name, {}))
        taken = []
        for inst in samples:
            try:
                schedlab.solve(inst, m.name, **params)
            except SchedlabError:
                continue  # a kind the method does not solve
            taken.append((inst, params))
        assert taken, f"{family}/{m.name} solves none of the family's samples"
        out.append((m.name, taken))
    return out


def _fds() -> tuple[str, str]:
    def target(fd: int) -> str:
        try:
            return os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # not Linux: compare the device and inode
            st = os.fstat(fd)
            return f"{st.st_dev}:{st.st_ino}"

    return target(1), target(2)


def _worker(
    family: str,
    method: str,
    cases: list[tuple[Any, dict[str, Any]]],
    expected: list[tuple[Any, ...]],
    reps: int,
    errors: list[str],
) -> None:
    try:
        for _ in range(reps):
            for (inst, params), want in zip(cases, expected, strict=True):
                got = _fingerprint(schedlab.solve(inst, method, **params))
                if got != want:
                    errors.append(f"{family}/{method} on {inst.name}: {got} != {want}")
                    return
    except Exception as e:  # a crash in a thread is a failure too
        errors.append(f"{family}/{method}: {type(e).__name__}: {e}")


def _hammer(family: str, full: bool) -> None:
    before = _fds()
    for method, cases in _cases(family):
        expected = []
        t0 = time.perf_counter()
        for inst, params in cases:
            expected.append(_fingerprint(schedlab.solve(inst, method, **params)))
        one = max(time.perf_counter() - t0, 1e-6)
        reps = FULL if full else max(2, min(FULL, int(BUDGET_S / one)))
        errors: list[str] = []
        args = (family, method, cases, expected, reps, errors)
        threads = [threading.Thread(target=_worker, args=args) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors[0]
    assert _fds() == before, "a method redirected the process's stdout or stderr"
    print("stdout still works", file=sys.stdout)
    print("stderr still works", file=sys.stderr)


def _families() -> list[str]:
    return [f for f in api.family_names() if schedlab.family(f).samples is not None]


@pytest.mark.parametrize("family", _families())
def test_two_threads_give_the_sequential_results(
    family: str, capfd: pytest.CaptureFixture[str]
) -> None:
    _hammer(family, full=False)
    out, err = capfd.readouterr()
    assert "stdout still works" in out and "stderr still works" in err


@pytest.mark.slow
@pytest.mark.parametrize("family", _families())
def test_two_threads_times_200_solves(family: str, capfd: pytest.CaptureFixture[str]) -> None:
    _hammer(family, full=True)
    out, err = capfd.readouterr()
    assert "stdout still works" in out and "stderr still works" in err


def test_the_fingerprint_sees_a_different_solution() -> None:
    inst = schedlab.generate("smtt", n=6, tf=0.6, rdd=0.6, seed=3)
    a = schedlab.solve(inst, "edd")
    b = schedlab.solve(inst, "spt")
    assert a.solution != b.solution
    assert _fingerprint(a) != _fingerprint(b)
