"""Methods for memory allocation and mapping; importing registers them."""

from . import cpsat, exact, greedy, mip  # noqa: F401
