"""NSGA-II (pymoo, the optional ``moo`` extra) on a random-key encoding of plans."""

from __future__ import annotations

import numpy as np

from ...core import SolveError, SolveOptions, SolverOutput, register
from ...models.partition import Instance, Plan
from . import _kernels
from ._front import output

DEFAULT_TIME = 10.0


def _nondominated(F: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated rows of an (n, 2) array (minimisation), ties kept once."""
    order = np.lexsort((F[:, 1], F[:, 0]))
    keep = []
    best = np.inf
    for r in order:
        if F[r, 1] < best:
            keep.append(r)
            best = F[r, 1]
    return np.asarray(keep, dtype=np.int64)


def decode_plan(inst: Instance, x: np.ndarray) -> Plan:
    """The plan a random-key vector encodes (see :func:`_kernels.decode`)."""
    bounds, devs = _kernels.decode(np.asarray(x, dtype=float), inst.n_devices, inst.n_layers)
    return [(int(bounds[s]) + 1, int(bounds[s + 1]), int(devs[s])) for s in range(len(devs))]


@register(
    "partition",
    "nsga2",
    exact=False,
    help="pymoo's NSGA-II on random keys (device order + cut points); needs the moo extra.",
)
def solve_nsga2(
    inst: Instance, opts: SolveOptions, *, pop_size: int = 100, generations: int | None = None
) -> SolverOutput:
    """NSGA-II with a seed and a time limit (default 10 s when neither ``time_limit`` nor
    ``generations`` is given). Genes: ``#devices`` keys ordering the devices, ``L-1`` keys
    choosing cut points (> 0.5, at most ``#devices-1``, largest first); memory excess is a
    constraint. Returns the non-dominated feasible plans of everything evaluated."""
    try:
        from pymoo.algorithms.moo.nsga2 import NSGA2
        from pymoo.core.evaluator import Evaluator
        from pymoo.core.problem import Problem
        from pymoo.problems.static import StaticProblem
    except ImportError:
        raise SolveError("nsga2 needs pymoo: pip install 'schedlab[moo]'") from None
    if pop_size < 4:
        raise SolveError("nsga2: pop_size must be at least 4")
    D, L = inst.n_devices, inst.n_layers
    a = inst.arrays
    args = (a["pre"], a["fit"], a["link"], a["need"], a["cap"])
    n_var = D + max(L - 1, 0)
    if L == 1:
        n_var = D + 1  # one dummy cut gene keeps the encoding uniform

    problem = Problem(n_var=n_var, n_obj=2, n_ieq_constr=1, xl=0.0, xu=1.0)
    algorithm = NSGA2(pop_size=pop_size)
    algorithm.setup(problem, seed=opts.seed, verbose=False)
    limit = opts.deadline
    unbounded = opts.time_limit is None and generations is None
    t_stop = DEFAULT_TIME if unbounded else None
    archive_X = np.zeros((0, n_var))
    archive_F = np.zeros((0, 2))
    gen = 0
    evals = 0
    while True:
        if limit.expired() or (t_stop is not None and limit.elapsed() >= t_stop):
            break
        if generations is not None and gen >= generations:
            break
        pop = algorithm.ask()
        X = np.ascontiguousarray(pop.get("X"), dtype=float)
        F, G = _kernels.eval_pop(X, *args)
        Evaluator().eval(StaticProblem(problem, F=F, G=G[:, None]), pop)
        algorithm.tell(infills=pop)
        evals += len(X)
        gen += 1
        ok = G <= 0
        if ok.any():
            archive_X = np.vstack([archive_X, X[ok]])
            archive_F = np.vstack([archive_F, F[ok]])
            keep = _nondominated(archive_F)
            archive_X, archive_F = archive_X[keep], archive_F[keep]
    plans = [decode_plan(inst, x) for x in archive_X]
    pts = [(*inst.evaluate(p), p) for p in plans if inst.plan_errors(p) is None]
    return output(
        inst,
        pts,
        proven=False,
        info={"generations": gen, "evaluations": evals},
        params={"pop_size": pop_size, "generations": generations},
    )
