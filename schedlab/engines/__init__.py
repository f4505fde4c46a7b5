"""Solver engines: set-up, limits, logs, warm-up and caches shared by every family's methods.

- :mod:`.cpsat`: OR-Tools CP-SAT solvers configured from the solve options.
- :mod:`.highs`: HiGHS (highspy) without its banner, with threads and a float time limit.
- :mod:`.jit`: numba kernels: the cache location, one deadline convention, the clock.

Each module imports its engine on import, so a method imports the engine module inside the
function that uses it (loading a family never loads an engine it does not use).
"""
