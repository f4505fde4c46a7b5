"""The service's JSON codec: orjson (the ``serve`` extra) and the standard library read and
write the same JSON; what orjson refuses goes to the standard library."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedlab.serve import protocol

orjson = pytest.importorskip("orjson")

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
docs = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


def _stdlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(protocol, "orjson", None)


def _same(a: Any, b: Any) -> bool:
    """Equal, NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@settings(max_examples=300, deadline=None)
@given(docs)
def test_encode_is_the_same_json_with_either_codec(doc: Any) -> None:
    with pytest.MonkeyPatch.context() as mp:
        fast = protocol.encode({"id": 1, "result": doc})
        _stdlib(mp)
        slow = protocol.encode({"id": 1, "result": doc})
    assert "\n" not in fast
    assert _same(json.loads(fast), json.loads(slow))


@settings(max_examples=300, deadline=None)
@given(docs)
def test_loads_reads_what_the_standard_library_reads(doc: Any) -> None:
    text = json.dumps(doc)  # NaN, Infinity and big integers included
    assert _same(protocol.loads(text), json.loads(text))
    assert _same(protocol.loads(text.encode()), json.loads(text))


@pytest.mark.parametrize(
    "text",
    [
        '{"id": 1, "op": "ping", "x": NaN}',
        '{"id": 1, "op": "ping", "x": "\\ud800"}',
    ],
)
def test_what_orjson_refuses_goes_to_the_standard_library(text: str) -> None:
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(text)
    assert _same(protocol.loads(text), json.loads(text))


@pytest.mark.parametrize("n", [-(2**63) - 1, 2**63, 2**64 + 1, 10**30, -(10**40)])
def test_integers_beyond_64_bits_stay_exact(n: int) -> None:
    # orjson reads some as floats: such texts go to the standard library
    text = json.dumps({"id": 1, "op": "ping", "x": n, "y": [1.5, n]})
    assert _same(protocol.loads(text), json.loads(text))
    assert _same(protocol.loads(text.encode()), json.loads(text))


@pytest.mark.parametrize("line", ["{", '{"id": 1, "op": ', "[1, 2,]", "nope"])
def test_errors_are_the_standard_librarys(line: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(protocol.RequestError) as fast:
        protocol.parse(line)
    _stdlib(monkeypatch)
    with pytest.raises(protocol.RequestError) as slow:
        protocol.parse(line)
    assert str(fast.value) == str(slow.value)


def test_encode_falls_back_for_what_orjson_cannot_write() -> None:
    big = 2**80
    assert json.loads(protocol.encode({"id": 1, "result": big})) == {"id": 1, "result": big}
    deep: Any = []
    for _ in range(300):  # orjson stops at 254 levels
        deep = [deep]
    assert json.loads(protocol.encode({"id": 2, "result": deep}))["result"] == deep
    assert json.loads(protocol.encode({"id": 3, "result": {1: math.inf}})) == {
        "id": 3,
        "result": {"1": None},
    }
