"""``nsga2``: pymoo's NSGA-II (the optional ``moo`` extra) on a random-key encoding of plans."""

from __future__ import annotations

import numpy as np

from ....core.errors import SolveError
from ....core.options import SolveOptions
from ....core.registry import SolverOutput, register
from ..model import Instance, Plan
from ..pareto import pareto_filter
from . import _kernels
from ._front import output

#: Generations run without a time limit when ``generations`` is not given (10,000
#: evaluations at the default population; about 1 to 2 s on the ViT benchmark instances).
DEFAULT_GENERATIONS = 100


def decode_plan(inst: Instance, x: np.ndarray) -> Plan:
    """The plan a random-key vector encodes (see :func:`._kernels.decode`)."""
    bounds, devs = _kernels.decode(np.asarray(x, dtype=float), inst.n_devices, inst.n_layers)
    return [(int(bounds[s]) + 1, int(bounds[s + 1]), int(devs[s])) for s in range(len(devs))]


@register(
    "partition",
    "nsga2",
    exact=False,
    help="pymoo's NSGA-II on random keys (device order + cut points); needs the moo extra. "
    f"Runs `generations` generations (default: until the time limit, or {DEFAULT_GENERATIONS} "
    "without one).",
    engine="pymoo",
    work="generations",
)
def solve_nsga2(
    inst: Instance, opts: SolveOptions, *, pop_size: int = 100, generations: int | None = None
) -> SolverOutput:
    """NSGA-II with a seed. Genes: ``#devices`` keys ordering the devices, ``L-1`` keys
    choosing cut points (> 0.5, at most ``#devices-1``, largest first); memory excess is a
    constraint. Returns the non-dominated feasible plans of everything evaluated.

    It stops after ``generations`` generations or at the time limit, whichever comes first;
    ``generations=None`` runs until the time limit, or :data:`DEFAULT_GENERATIONS`
    generations when there is none. A work limit is a number of generations: it replaces
    that default and caps ``generations``; with a seed, a run with a work limit and no time
    limit repeats exactly on any load.
    """
    inst = inst.reduced  # at most L devices of each class of equal ones
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
    budget = generations
    work = opts.work.left()
    if work is not None:
        budget = int(work) if budget is None else min(budget, int(work))
    elif budget is None and opts.time_limit is None:
        budget = DEFAULT_GENERATIONS
    # the archive: non-dominated feasible (latency, period, genes) seen so far
    archive: list[tuple[float, float, np.ndarray]] = []
    gen = 0
    evals = 0
    while not limit.expired() and (budget is None or gen < budget):
        pop = algorithm.ask()
        X = np.ascontiguousarray(pop.get("X"), dtype=float)
        F, G = _kernels.eval_pop(X, *args)
        Evaluator().eval(StaticProblem(problem, F=F, G=G[:, None]), pop)
        algorithm.tell(infills=pop)
        evals += len(X)
        gen += 1
        opts.work.spend(1)
        ok = np.flatnonzero(G <= 0)
        if len(ok):
            new = [(float(F[r, 0]), float(F[r, 1]), X[r]) for r in ok]
            archive = pareto_filter(archive + new)
    plans = [decode_plan(inst, x) for _, _, x in archive]
    pts = [(*inst.evaluate(p), p) for p in plans if inst.plan_errors(p) is None]
    return output(
        inst,
        pts,
        proven=False,
        info={"generations": gen, "evaluations": evals},
        params={"pop_size": pop_size, "generations": generations},
    )
