"""The memory methods, one module a method (``greedy`` holds the three one-pass greedy
variants); the family imports each module, which registers its method(s). Shared internals
live in the ``_``-prefixed modules."""
