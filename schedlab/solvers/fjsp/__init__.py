"""Methods for the flexible job shop; importing registers them."""

from . import cpsat, heuristics, lns, rho, tabu  # noqa: F401
