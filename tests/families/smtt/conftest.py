"""Fixtures of the smtt tests."""

from __future__ import annotations

import pytest

import schedlab


@pytest.fixture(scope="session", autouse=True)
def _compiled_kernels() -> None:
    """Compile the numba kernels once, before any test measures a time limit (a cold cache
    on a fresh machine costs tens of seconds that would otherwise land inside a solve).
    The root conftest warms every family as well; this keeps the smtt tests safe on their
    own (a family warmed once is not warmed again)."""
    schedlab.warm_up("smtt")
