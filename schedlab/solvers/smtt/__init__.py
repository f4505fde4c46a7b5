"""Methods for single-machine total (weighted) tardiness; importing registers them."""

from . import cpsat, dp, heuristics, ls, mip  # noqa: F401
