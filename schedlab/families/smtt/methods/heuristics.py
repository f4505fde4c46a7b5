"""Constructive heuristics for smtt: the dispatching rules and ATC (one pass each). Under a
time limit, a rule that builds its sequence job by job and is still running at the deadline
places the jobs left in EDD order (see :mod:`._rules`): the sequence is complete and
feasible, and the run returns within the limit."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ....core import SolveError, SolveOptions, SolverOutput, Status, register
from ..model import Instance
from . import _rules

Rule = Callable[[np.ndarray, np.ndarray, np.ndarray, float], list[int]]


def _output(seq: list[int], **info: object) -> SolverOutput:
    return SolverOutput(
        solution={"sequence": [int(j) for j in seq]}, status=Status.FEASIBLE, info=dict(info)
    )


def _rule_method(name: str, rule: Rule, help: str) -> None:
    def run(inst: Instance, opts: SolveOptions) -> SolverOutput:
        p, d, w = inst.arrays
        return _output(rule(p, d, w, opts.deadline.end))

    run.__name__ = f"solve_{name.replace('-', '_')}"
    run.__doc__ = help
    register("smtt", name, exact=False, help=help)(run)


_rule_method("spt", _rules.spt, "Shortest processing time first (ties by job index).")
_rule_method("edd", _rules.edd, "Earliest due date first (ties by job index).")
_rule_method("wspt", _rules.wspt, "Smith's rule: largest weight / processing time first.")
_rule_method("mdd", _rules.mdd, "Modified due date (Baker & Bertrand): smallest max(t+p, d) next.")
_rule_method("eddc", _rules.eddc, "EDD Challenger (Cetinkaya et al. 2025).")
_rule_method("mddc", _rules.mddc, "MDD Challenger (Cetinkaya et al. 2025).")
_rule_method(
    "aug-mdd", _rules.aug_mdd, "Augmented MDD: MDD with a best move-to-end after each append."
)
_rule_method(
    "aug-mddc",
    _rules.aug_mddc,
    "Augmented MDDC: MDDC with a best move-to-end after each append.",
)


@register(
    "smtt", "atc", exact=False, help="Apparent tardiness cost (Vepsalainen & Morton), look-ahead k."
)
def solve_atc(inst: Instance, opts: SolveOptions, *, k: float = 2.0) -> SolverOutput:
    """Apparent tardiness cost rule with look-ahead parameter ``k`` (> 0)."""
    if not k > 0:
        raise SolveError(f"atc: k must be positive, got {k}")
    p, d, w = inst.arrays
    return _output(_rules.atc(p, d, w, float(k), opts.deadline.end), k=k)
