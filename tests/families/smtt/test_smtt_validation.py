"""Numbers in smtt instances: beyond int64, sums the solvers would overflow, NaN, infinity,
bools and strings are InstanceErrors naming the field (its JSON path from JSON, its name
from the constructor), never a raw TypeError/OverflowError or a silent conversion."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import schedlab
from schedlab import InstanceError
from schedlab.families.smtt.model import MAX_OBJECTIVE, Instance

BAD_NUMBERS = [
    pytest.param("16", id="string"),
    pytest.param(True, id="bool"),
    pytest.param(math.nan, id="nan"),
    pytest.param(math.inf, id="inf"),
    pytest.param(-math.inf, id="-inf"),
    pytest.param(2**63, id="2^63"),
    pytest.param(-(2**63), id="-2^63"),
    pytest.param(1e19, id="1e19"),
    pytest.param(2.5, id="fraction"),
    pytest.param(None, id="null"),
    pytest.param([1], id="list"),
]


def _doc(**fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"problem": "smtt", "p": [3, 2, 4], "d": [1, 5, 2], "w": [1, 2, 1]}
    doc.update(fields)
    return doc


@pytest.mark.parametrize("bad", BAD_NUMBERS)
@pytest.mark.parametrize("field", ["p", "d", "w"])
def test_a_bad_number_is_named_by_json_path_and_by_field(field: str, bad: Any) -> None:
    values = [3, 2, 4]
    values[1] = bad
    doc = _doc(**{field: values})
    with pytest.raises(InstanceError) as e:
        Instance.from_dict(doc)
    assert e.value.path == f"$.{field}[1]" and str(e.value).startswith(f"$.{field}[1]: ")
    with pytest.raises(InstanceError) as e:
        schedlab.load(doc)
    assert e.value.path == f"$.{field}[1]"
    kwargs = {k: doc[k] for k in ("p", "d", "w")}
    with pytest.raises(InstanceError) as e:
        Instance(**kwargs)
    assert e.value.path is None and str(e.value).startswith(f"{field}[1]: ")


@pytest.mark.parametrize("bad", ["3", 5, [], {"a": 1}])
def test_a_list_field_that_is_not_a_list(bad: Any) -> None:
    with pytest.raises(InstanceError) as e:
        Instance.from_dict(_doc(d=bad))
    assert e.value.path is not None and e.value.path.startswith("$.d")


def test_integral_floats_are_integers() -> None:
    inst = Instance.from_dict(_doc(p=[3.0, 2, 4]))
    assert inst.p == (3, 2, 4) and all(type(x) is int for x in inst.p)


def test_sums_the_solvers_would_overflow() -> None:
    big = 2**62
    with pytest.raises(InstanceError) as e:
        Instance.from_dict(_doc(p=[big, big, 1], d=[0, 0, 0], w=None))
    assert e.value.path == "$.p" and "total processing time" in str(e.value)
    with pytest.raises(InstanceError) as e:
        Instance.from_dict(_doc(d=[1, -(2**63) + 5, 2]))
    assert e.value.path == "$.d[1]"
    with pytest.raises(InstanceError) as e:  # each number fits, the weighted sum does not
        Instance.from_dict(_doc(p=[2**31, 2**31, 1], d=[0, 0, 0], w=[2**31, 1, 1]))
    assert e.value.path == "$.w" and "2^62" in str(e.value)
    with pytest.raises(InstanceError) as e:
        Instance(p=[2**61, 2**60, 1], d=[0, 0, 0])
    assert str(e.value).startswith("d: ")  # unweighted: the due dates make it large
    # just below the limit is accepted, and every method's arithmetic stays exact
    p = [2**30, 2**30]
    worst = MAX_OBJECTIVE // (2 * 2**31) - 1
    inst = Instance(p=p, d=[0, 0], w=[worst, worst])
    assert inst.check({"sequence": [0, 1]}) == worst * (2**30 + 2**31)
    assert schedlab.solve(inst, "ils").objective == worst * (2**30 + 2**31)


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"reference": "5"}, "$.reference"),
        ({"reference": True}, "$.reference"),
        ({"reference": math.nan}, "$.reference"),
        ({"reference": 2**70}, "$.reference"),
        ({"name": 5}, "$.name"),
        ({"name": ""}, "$.name"),
        ({"d": [1, 2]}, "$.d"),
        ({"w": [1]}, "$.w"),
        ({"p": [1, -2, 3]}, "$.p[1]"),
        ({"w": [1, 2, -1]}, "$.w[2]"),
        ({"p": [], "d": [], "w": None}, "$.p"),
    ],
)
def test_other_fields_are_named(fields: dict[str, Any], path: str) -> None:
    with pytest.raises(InstanceError) as e:
        Instance.from_dict(_doc(**fields))
    assert e.value.path == path


def test_constructor_errors_name_fields() -> None:
    with pytest.raises(InstanceError, match=r"^reference: "):
        Instance(p=[1], d=[1], reference="3")
    with pytest.raises(InstanceError, match=r"^name: "):
        Instance(p=[1], d=[1], name=7)  # type: ignore[arg-type]
    with pytest.raises(InstanceError, match=r"^p\[0\]: negative processing time"):
        Instance(p=[-1], d=[1])


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("SDT_big.txt", "3 5\n2 1\n9223372036854775808 4\n", 3),
        ("SDT_neg.txt", "3 5\n2 -9223372036854775808\n", 2),
        ("wt2_big.txt", "1 2 3\n4 5 99999999999999999999\n", 2),
    ],
)
def test_text_files_report_the_line_of_a_number_beyond_int64(
    tmp_path: Path, name: str, text: str, line: int
) -> None:
    f = tmp_path / name
    f.write_text(text)
    with pytest.raises(InstanceError) as e:
        schedlab.read(str(f))
    assert e.value.line == line and "64-bit" in str(e.value)


def test_cetinkaya_rejects_a_non_finite_optimum(tmp_path: Path) -> None:
    f = tmp_path / "data.txt"
    f.write_text("1 3\n1 0.2 0.2 1 1e999\n1 2 3\n4 5 6\n")
    with pytest.raises(InstanceError) as e:
        schedlab.read(str(f))
    assert e.value.line == 2 and "optimum" in str(e.value)
