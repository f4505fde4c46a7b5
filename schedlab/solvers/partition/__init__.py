"""Methods for the partition family (pipelined DNN inference on heterogeneous devices);
importing registers them.

- ``exhaustive``: every plan (small cases; the reference in the tests).
- ``dp``: the exact front for a fixed device order (epsilon-constraint sweep, each step a DP).
- ``exact``: the exact front with device selection and ordering: the same sweep, each step a
  DP over (layers done, multiset of device classes used, class of the last stage), as
  PipeEdge's scheduler, interchangeable devices forming one class.
- baselines: ``split`` (single split between two devices), ``greedy`` and ``nsga2`` (pymoo).
"""

from . import exact, heuristics, nsga2  # noqa: F401
