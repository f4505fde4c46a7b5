"""Common options are validated."""

from __future__ import annotations

import pytest

from schedlab import SolveError, SolveOptions


@pytest.mark.parametrize(
    "kw",
    [
        dict(time_limit=0),
        dict(time_limit=-1),
        dict(time_limit="soon"),
        dict(threads=0),
        dict(threads=1.5),
        dict(seed=-1),
        dict(log="stdout"),
        dict(hint=[1, 2]),
    ],
)
def test_bad_options(kw):
    with pytest.raises(SolveError):
        SolveOptions(**kw)


def test_time_limit_is_float_and_deadline_set():
    o = SolveOptions(time_limit=2)
    assert isinstance(o.time_limit, float)
    assert 0 < o.deadline.remaining() <= 2.0
    assert isinstance(o.deadline.limit_for(0.5), float)
    assert SolveOptions().deadline.limit_for() is None


def test_log_callback_receives_lines():
    seen: list[str] = []
    SolveOptions(log=seen.append).emit("hello")
    assert seen == ["hello"]
