"""Methods for single-machine total (weighted) tardiness; importing registers them."""

from . import dp, heuristics, ls  # noqa: F401
