"""Methods for single-machine total (weighted) tardiness; importing registers them."""

from . import cpsat, dp, exact, heuristics, ils, ls, mip  # noqa: F401
