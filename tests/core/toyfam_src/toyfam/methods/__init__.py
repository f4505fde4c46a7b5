"""The toy family's methods."""
