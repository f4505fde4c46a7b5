"""The dag methods, one module a method (each registers itself with
:func:`schedlab.core.registry.register`); ``_``-prefixed modules are shared internals."""
