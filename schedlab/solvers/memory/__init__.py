"""Methods for memory allocation and mapping; importing registers them."""

from . import cpsat, exact, greedy  # noqa: F401
