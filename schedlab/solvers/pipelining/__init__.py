"""Methods for modulo scheduling / warp specialization; importing registers them."""

from . import cpsat, ims, mii, mip  # noqa: F401
