"""Methods for single-machine total (weighted) tardiness, one module a method (the
dispatching rules share :mod:`.heuristics`); importing a module registers its methods."""
