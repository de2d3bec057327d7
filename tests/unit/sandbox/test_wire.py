"""Plain data across the judge/program boundary: what crosses, and what never does."""

from __future__ import annotations

import json
from decimal import Decimal
from enum import IntEnum
from fractions import Fraction
from typing import Any

import pytest

from rlvr.sandbox.wire import NotPlainData, as_json_value, decode, encode, from_plain, to_plain


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -(2**64),
        1.5,
        float("inf"),
        "",
        "héllo\x00",
        [1, [2, [3]]],
        (1, (2,)),
        {"a": 1, 2: [3], (4, 5): None, None: 0, frozenset({1}): 2},
        {1, "x", (2, 3)},
        frozenset({1}),
        b"\x00\xff",
        1 + 2j,
        Fraction(1, 3),
        Decimal("0.1"),
    ],
)
def test_round_trip_keeps_value_and_type(value: Any) -> None:
    back = decode(encode(value))
    assert back == value and type(back) is type(value)


def test_huge_integers_cross_where_the_digit_limit_is_lifted() -> None:
    """The judge and the program's harness lift Python's 4,300-digit limit."""
    import sys

    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        assert decode(encode(-(10**5000))) == -(10**5000)
    finally:
        sys.set_int_max_str_digits(old)


def test_iterators_and_ranges_cross_as_their_items() -> None:
    back = decode(encode([(i for i in (1, 2)), map(str, [3]), range(1, 10, 3)]))
    assert [type(v).__name__ for v in back] == ["list_iterator", "list_iterator", "range"]
    assert [list(v) for v in back] == [[1, 2], ["3"], [1, 4, 7]]
    with pytest.raises(NotPlainData):
        decode('{"$range": [1, 2, 0]}')


def test_nan_crosses() -> None:
    back = decode(encode(float("nan")))
    assert back != back


class AlwaysEqual(int):
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = int.__hash__


class Color(IntEnum):
    RED = 1


def test_subclasses_cross_as_their_base_value() -> None:
    back = decode(encode([AlwaysEqual(3), Color.RED]))
    assert back == [3, 1] and [type(v) for v in back] == [int, int]
    assert back[0] != 4


@pytest.mark.parametrize("value", [object(), len, {}.keys(), {"a": object()}, [[object()]]])
def test_what_is_not_plain_data_does_not_cross(value: Any) -> None:
    with pytest.raises(NotPlainData):
        encode(value)


def test_cycles_and_depth_do_not_crash() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(NotPlainData):
        encode(cycle)
    with pytest.raises(NotPlainData):
        decode("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1}',  # a bare object: dicts travel tagged
        '{"$tuple": 1}',
        '{"$set": [[1]]}',
        '{"$dict": [[[1], 2]]}',
        '{"$dict": [1]}',
        '{"$float": "1e999"}',
        '{"$bytes": "***"}',
        '{"$complex": ["1", 2]}',
        '{"$fraction": [1, 0]}',
        '{"$decimal": "x"}',
        '{"$object": "os.system"}',
        '{"$callable": 0}',  # only the judge hands out callables, and not this way
        "not json",
    ],
)
def test_malformed_data_is_refused(text: str) -> None:
    with pytest.raises(NotPlainData):
        decode(text)


def test_the_caller_chooses_extra_tags() -> None:
    handles: list[Any] = []
    plain = to_plain([len], lambda f: handles.append(f) or {"$callable": len(handles) - 1})
    assert plain == [{"$callable": 0}] and handles == [len]
    assert from_plain(plain, {"$callable": lambda h: f"stub{h}"}) == ["stub0"]


def test_json_view_of_results() -> None:
    assert as_json_value((1, {2: (3,)}, {2, 1})) == [1, {"2": [3]}, [1, 2]]
    with pytest.raises(TypeError):
        as_json_value(b"x")
    assert json.dumps(as_json_value([1.5])) == "[1.5]"
