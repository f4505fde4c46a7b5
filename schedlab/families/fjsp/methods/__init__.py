"""The methods of the flexible job shop, one module a method (the dispatching rules share
:mod:`.rules`); each registers itself when imported. Shared internals live in the
``_``-prefixed modules: flat views and schedules (:mod:`._data`), the rules' engine
(:mod:`._rules`), the CP-SAT model (:mod:`._cp`), the neighbourhood search (:mod:`._lns`)
and the compiled tabu-search kernels (:mod:`._tabu`)."""
