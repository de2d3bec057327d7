"""Plain data across the judge/program boundary (stdlib only: runs on both sides).

What a program returns reaches the judge only as data: JSON, with tags for the Python
values JSON lacks. Decoding builds exact built-in types (``int``, ``list``, ``str``…),
never an object of the program's making, so ``__eq__`` tricks cannot cross.

>>> decode(encode({"a": (1, 2.5, None), 3: {b"x"}}))
{'a': (1, 2.5, None), 3: {b'x'}}
>>> decode('{"$tuple": [1, {"$set": [[2]]}]}')  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
NotPlainData: set members must be hashable
"""

from __future__ import annotations

import binascii
import json
import math
import sys

TYPE_CHECKING = False  # not typing's: a program's startup stays short without it
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    Hook = Callable[[Any], Any]
    Tags = Mapping[str, Callable[[Any], Any]]

MAX_DEPTH = 200
MAX_ITEMS = 1_000_000  # of one iterator, which crosses as the items it yields


class NotPlainData(ValueError):
    """A value that cannot cross: an object of a custom class, a generator, a cycle…"""


def _to_json(value: Any, depth: int, other: Hook | None = None) -> Any:
    if depth > MAX_DEPTH:
        raise NotPlainData("value nested too deeply")
    # Subclasses cross as their base type's value (an IntEnum as an int).
    if value is None or isinstance(value, bool):
        return None if value is None else bool(value)
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        number = float.__float__(value)
        return number if math.isfinite(number) else {"$float": repr(number)}
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, list):
        return [_to_json(item, depth + 1, other) for item in list.__iter__(value)]
    if isinstance(value, tuple):
        return {"$tuple": [_to_json(item, depth + 1, other) for item in tuple.__iter__(value)]}
    if isinstance(value, dict):
        items = dict.items(value)
        return {
            "$dict": [
                [_to_json(k, depth + 1, other), _to_json(v, depth + 1, other)] for k, v in items
            ]
        }
    if isinstance(value, frozenset):
        return {
            "$frozenset": [_to_json(item, depth + 1, other) for item in frozenset.__iter__(value)]
        }
    if isinstance(value, set):
        return {"$set": [_to_json(item, depth + 1, other) for item in set.__iter__(value)]}
    if isinstance(value, bytes | bytearray):
        return {"$bytes": binascii.b2a_base64(bytes(value), newline=False).decode()}
    if isinstance(value, complex):
        return {"$complex": [_to_json(value.real, depth + 1), _to_json(value.imag, depth + 1)]}
    # Imported only where the value's own module already is: a program's startup stays
    # short, and a value of a module nobody imported cannot be one of its types.
    fractions, decimal = sys.modules.get("fractions"), sys.modules.get("decimal")
    if fractions is not None and isinstance(value, fractions.Fraction):
        return {"$fraction": [int(value.numerator), int(value.denominator)]}
    if decimal is not None and isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, range):
        return {"$range": [value.start, value.stop, value.step]}
    kind = type(value)
    if hasattr(kind, "__next__") and hasattr(kind, "__iter__"):  # a generator, map, zip…
        yielded: list[Any] = []
        for item in value:  # on the side that made it: a program pays for its own
            if len(yielded) >= MAX_ITEMS:
                raise NotPlainData(f"an iterator of more than {MAX_ITEMS} items")
            yielded.append(_to_json(item, depth + 1, other))
        return {"$iter": yielded}
    if other is not None:
        return other(value)
    raise NotPlainData(f"a value of type {kind.__name__} is not plain data")


def to_plain(value: Any, other: Hook | None = None) -> Any:
    """``value`` as a JSON structure; ``other`` may turn what is not plain data into a
    ``{"$tag": ...}`` of its own (the judge passes callables as handles)."""
    try:
        return _to_json(value, 0, other)
    except RecursionError as exc:
        raise NotPlainData("value nested too deeply") from exc


def encode(value: Any) -> str:
    """``value`` as one line of JSON; :class:`NotPlainData` if it cannot cross."""
    return json.dumps(to_plain(value), separators=(",", ":"))


def _hashable(value: Any, what: str) -> Any:
    try:
        hash(value)
    except TypeError as exc:
        raise NotPlainData(f"{what} must be hashable") from exc
    return value


def _items(payload: Any, depth: int, extra: Tags) -> list[Any]:
    if not isinstance(payload, list):
        raise NotPlainData("a tagged container needs a list")
    return [_from_json(item, depth + 1, extra) for item in payload]


def _tagged(tag: str, payload: Any, depth: int, extra: Tags) -> Any:
    if tag in extra:
        return extra[tag](payload)
    if tag == "$tuple":
        return tuple(_items(payload, depth, extra))
    if tag == "$set":
        return {_hashable(item, "set members") for item in _items(payload, depth, extra)}
    if tag == "$frozenset":
        return frozenset(_hashable(item, "set members") for item in _items(payload, depth, extra))
    if tag == "$dict":
        pairs = _items(payload, depth, extra)
        if not all(isinstance(pair, list) and len(pair) == 2 for pair in pairs):
            raise NotPlainData("a dict is a list of [key, value] pairs")
        return {_hashable(key, "dict keys"): value for key, value in pairs}
    if tag == "$iter":
        return iter(_items(payload, depth, extra))  # what `list(result)` wants, and no more
    if tag == "$range" and isinstance(payload, list) and len(payload) == 3:
        if not all(type(part) is int for part in payload) or payload[2] == 0:
            raise NotPlainData("a range needs three integers and a step")
        return range(*payload)
    if tag == "$float" and payload in ("inf", "-inf", "nan"):
        return float(payload)
    if tag == "$bytes" and isinstance(payload, str):
        try:
            return binascii.a2b_base64(payload, strict_mode=True)
        except (ValueError, binascii.Error) as exc:
            raise NotPlainData("bad bytes") from exc
    if tag == "$complex" and isinstance(payload, list) and len(payload) == 2:
        real, imag = (_from_json(part, depth + 1, {}) for part in payload)
        if not all(type(part) in (int, float) for part in (real, imag)):
            raise NotPlainData("a complex number needs two real parts")
        return complex(real, imag)
    if tag == "$fraction" and isinstance(payload, list) and len(payload) == 2:
        numerator, denominator = payload
        if type(numerator) is not int or type(denominator) is not int or denominator == 0:
            raise NotPlainData("a fraction needs two integers")
        from fractions import Fraction

        return Fraction(numerator, denominator)
    if tag == "$decimal" and isinstance(payload, str):
        from decimal import Decimal

        try:
            return Decimal(payload)
        except ArithmeticError as exc:
            raise NotPlainData("bad decimal") from exc
    raise NotPlainData(f"unknown or malformed tag {tag!r}")


def _from_json(value: Any, depth: int, extra: Tags) -> Any:
    if depth > MAX_DEPTH:
        raise NotPlainData("value nested too deeply")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is list:
        return [_from_json(item, depth + 1, extra) for item in value]
    if type(value) is dict and len(value) == 1:
        [(tag, payload)] = value.items()
        return _tagged(tag, payload, depth, extra)
    raise NotPlainData("not a plain value")


def from_plain(value: Any, extra: Tags | None = None) -> Any:
    """The value a JSON structure stands for; ``extra`` maps tags of the caller's own
    (``"$callable"``) to what they become on this side."""
    try:
        return _from_json(value, 0, extra or {})
    except RecursionError as exc:
        raise NotPlainData("value nested too deeply") from exc


def decode(text: str | bytes) -> Any:
    """The plain value ``text`` encodes: built-in types only; :class:`NotPlainData` else."""
    try:
        loaded = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise NotPlainData(f"not JSON: {type(exc).__name__}") from exc
    return from_plain(loaded)


def as_json_value(value: Any) -> Any:
    """``value`` as JSON would carry it (tuples as lists, keys as strings), for comparing a
    function's result with a JSON ``expected`` the way LeetCode-style datasets mean it."""
    return json.loads(json.dumps(value, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    raise TypeError(f"{type(value).__name__} has no JSON form")
