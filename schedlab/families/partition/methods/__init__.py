"""Methods of the partition family (pipelined DNN inference on heterogeneous devices), one
module a method; importing a module registers its method.

- ``exhaustive``: every plan (small cases; the reference in the tests).
- ``dp``: the exact front for a fixed device order (epsilon-constraint sweep, each step a DP).
- ``exact``: the exact front with device selection and ordering: the same sweep, each step a
  DP over (layers done, multiset of device classes used, class of the last stage), as
  PipeEdge's scheduler, interchangeable devices forming one class.
- baselines: ``split`` (single split between two devices), ``greedy`` and ``nsga2`` (pymoo).

Shared internals: :mod:`._front` (the sweep, fronts to outputs), :mod:`._orders` (device
orders), :mod:`._kernels` (numba kernels).
"""
