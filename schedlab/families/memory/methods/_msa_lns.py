"""Large-neighbourhood search for msa programs too big to prove (``cpsat`` with
``lns=True``, or when the full model has too many candidates): CP-SAT re-decides the pieces
of the buffers used in a window of steps, the rest fixed."""

from __future__ import annotations

import math
import sys
import time
from typing import Any

import numpy as np

from ....core import SolutionError, SolveOptions, SolverOutput
from ....core.timing import clock
from ..msa import Msa
from ._msa import best_start, msa_output
from ._msa_cpsat import Cand, candidates, run_model

#: Windows of a search without a time or work limit.
DEFAULT_WINDOWS = 30


def _fixed(inst: Msa, sol: dict[str, Any], keep: set[int]) -> tuple[list[Cand], dict[int, int]]:
    """The pieces of ``sol`` of the buffers in ``keep`` as candidates fixed at their offsets."""
    cands: list[Cand] = []
    fixed: dict[int, int] = {}
    for j, ps in enumerate(inst.pieces(sol)):
        if j not in keep:
            continue
        for p in ps:
            ev = (
                None
                if p.evict_start is None or p.evict_done is None
                else (p.evict_start, p.evict_done)
            )
            fixed[len(cands)] = p.offset
            cands.append(Cand(j, p.first, p.end, p.prefetch, ev, (p.occ_start, p.occ_end)))
    return cands, fixed


def solve_msa_lns(
    msa: Msa,
    opts: SolveOptions,
    *,
    windows: int | None = None,
    width: int = 12,
    max_free: int = 24,
    max_lead: int = 8,
    window_work: float = 2.0,
) -> SolverOutput:
    """Start from the better of ``xla`` and the whole-life greedy (or the hint), then
    ``windows`` times: pick a window of ``width`` steps (seeded), free up to ``max_free`` of
    the buffers accessed in it (their pieces re-decided among the candidates with
    prefetches issued at most ``max_lead`` steps ahead) and keep every other piece as it
    is; CP-SAT solves that model (at most ``window_work`` of deterministic time, and a
    quarter of the time left) hinted by the current solution, and a better answer is kept.
    ``windows`` (``None``: until the time or work limit; :data:`DEFAULT_WINDOWS` without
    either) caps the windows; a work limit caps the CP-SAT time of all windows together;
    with one worker and a seed the run repeats exactly. Never proves optimality (the bound
    is the instance's lower bound).

    Deadline: the start's greedy gets a quarter of the time left; a window is started only
    when the time left exceeds 1.5 times the longest time a window has spent outside CP-SAT so
    far (building its candidates and model, checking its answer) plus twice the time of a
    check (for the answer's), since the candidates are not interrupted; a window whose build
    outlasts the limit returns at once. Without a limit the clock decides nothing."""
    end = opts.deadline.end
    timed = end < math.inf  # without a limit no time is measured
    cur: dict[str, Any] = best_start(msa, clock() + opts.deadline.remaining() / 4 if timed else end)
    if opts.hint:
        try:
            if msa.check(opts.hint) < msa.check(cur):
                cur = opts.hint
        except SolutionError:
            pass
    c0 = time.perf_counter() if timed else 0.0
    cur_obj = msa.check(cur)
    # kept for the answer's check and copy times (twice a check) after the last window
    reserve = 2.0 * (time.perf_counter() - c0) if timed else 0.0
    rng = np.random.default_rng(opts.seed)
    ns = len(msa.steps)
    tried = improved = 0
    overhead = 0.0  # the longest time a window spent outside CP-SAT (no limit: never read)
    if windows is None:
        limited = timed or opts.work.left() is not None
        windows = sys.maxsize if limited else DEFAULT_WINDOWS
    for _ in range(windows):
        work_left = opts.work.left()
        if opts.deadline.expired() or (work_left is not None and work_left <= 0):
            break
        if timed and opts.deadline.remaining() < 1.5 * overhead + reserve:
            break  # too little time for another window's build
        w0 = time.perf_counter() if timed else 0.0
        t0 = int(rng.integers(0, max(1, ns - width + 1)))
        used = sorted(
            {j for j in range(msa.n) for s in msa.access_steps[j] if t0 <= s < t0 + width}
        )
        if not used:
            continue
        free = [int(j) for j in rng.permutation(used)[:max_free]]
        keep = set(range(msa.n)) - set(free)
        fixed_cands, fixed = _fixed(msa, cur, keep)
        cands = fixed_cands + (candidates(msa, sorted(free), max_lead) or [])
        sol, _proved, _bound, info = run_model(
            msa, opts, cands, cur, fixed, share=0.25, work=window_work
        )
        tried += 1
        if sol is not None:
            obj = msa.check(sol)
            if obj < cur_obj * (1 - 1e-9):
                cur, cur_obj = sol, obj
                improved += 1
        if timed:
            spent = time.perf_counter() - w0 - float(info.get("wall_time", 0.0))
            overhead = max(overhead, spent)
    return msa_output(msa, cur, {"lns_windows": tried, "lns_improved": improved})
