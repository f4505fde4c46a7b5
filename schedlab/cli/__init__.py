"""The ``schedlab`` command line (click)."""
