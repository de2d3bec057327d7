"""JSON in and out, for any value a client or a model can produce.

In: bytes that are not UTF-8 are read as U+FFFD (they can only sit inside strings
without breaking the JSON), a UTF-8 byte-order mark is skipped, and integers longer
than Python's conversion limit (4,300 digits) are kept as :class:`LongInt` instead of
failing the whole body. Out: everything is ASCII-escaped, so a lone surrogate a client
sent in an id or a completion comes back exactly as it was sent, and non-finite floats
become null instead of invalid JSON.

>>> parse_json(b'{"n": ' + b"9" * 5000 + b', "s": "\\\\ud800"}')["n"]
LongInt(9999999999…, 5000 digits)
>>> render({"s": "\\ud800", "x": float("inf")})
b'{"s":"\\\\ud800","x":null}'
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

_MAX_DIGITS = sys.get_int_max_str_digits() or 4300


class LongInt:
    """A JSON integer too long to convert: kept as its digits. Typed fields reject it (an
    id, a count); inside a reference it is read as the text of the number."""

    __slots__ = ("digits",)

    def __init__(self, digits: str) -> None:
        self.digits = digits

    def __str__(self) -> str:
        return self.digits

    def __repr__(self) -> str:
        return f"LongInt({self.digits[:10]}…, {len(self.digits)} digits)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LongInt) and other.digits == self.digits

    def __hash__(self) -> int:
        return hash(self.digits)


def _parse_int(text: str) -> int | LongInt:
    return int(text) if len(text.lstrip("-")) <= _MAX_DIGITS else LongInt(text)


def parse_json(body: bytes) -> Any:
    """The body's JSON value; raises ValueError (with the position) when it is not JSON."""
    text = body.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return json.loads(text, parse_int=_parse_int)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None


def long_ints_as_text(value: Any) -> Any:
    """``value`` with every :class:`LongInt` inside replaced by its digits (for references)."""
    if isinstance(value, LongInt):
        return value.digits
    if isinstance(value, dict):
        return {key: long_ints_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [long_ints_as_text(item) for item in value]
    return value


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    if isinstance(value, LongInt):
        return value.digits
    return value


def render(payload: Any) -> bytes:
    """Compact, ASCII-only JSON; non-finite floats become null."""
    try:
        text = json.dumps(payload, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    except (ValueError, TypeError):  # rare: walk the value only when it needs it
        text = json.dumps(
            _finite(payload), ensure_ascii=True, allow_nan=False, separators=(",", ":"), default=str
        )
    return text.encode("ascii")
