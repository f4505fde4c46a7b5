"""The problem families shipped with schedlab, one package each (found through the
``schedlab.families`` entry points, like a family from another distribution)."""
