"""The pipelining methods, one module a method (``mii``, ``ims``, ``cpsat``, ``mip``); the
``_``-prefixed modules hold what several of them share."""
