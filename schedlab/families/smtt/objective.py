"""The objective of 1||Σ w_j T_j, written once for the checker and the methods.

:func:`total_tardiness` is plain Python over indexable sequences: the model's checker runs it
on tuples (exact integers), and the methods' compiled kernels are the same function handed to
numba (``schedlab.families.smtt.methods._kernels.total_tardiness``), so the value a method
believes it reached and the value the checker recomputes come from one definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: An indexable sequence of integers (a tuple, a list or a one-dimensional numpy array).
Ints = Sequence[int] | Any


def total_tardiness(p: Ints, d: Ints, w: Ints, seq: Ints) -> Any:
    """Σ w_j max(0, C_j - d_j) of the jobs of ``seq`` processed in that order from time 0
    without idle time (``C_j``: the processing times up to and including job ``j``).

    ``seq`` may be a partial sequence (its jobs' tardiness only). Returns an integer (a
    numpy integer when the inputs are numpy arrays).
    """
    t = 0
    total = 0
    for k in range(len(seq)):
        j = seq[k]
        t += p[j]
        if t > d[j]:
            total += w[j] * (t - d[j])
    return total
