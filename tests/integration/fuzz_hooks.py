"""Schemathesis hooks for ``test_schemathesis.py`` (loaded by the CLI through
``SCHEMATHESIS_HOOKS``). Schemathesis generates only text that encodes to UTF-8, so lone
surrogates never appear on their own; this hook appends NUL bytes, lone surrogates and
BOM/RTL marks to the free-text strings of half the bodies. The client escapes them as
``\\udXXX`` in JSON, as Python's json module does."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import strategies as st

SPICES = ["", "\x00", "\ud800", "\udfff\x00", "\ufeff\u202e"]
# Values the schema constrains to names (enums, reward keys): spicing them would turn a
# schema-valid body into an invalid one behind schemathesis' back.
NAMED = {"rewards", "weights", "options", "k"}


def spiced(value: Any, spice: str) -> Any:
    if isinstance(value, str):
        return value + spice
    if isinstance(value, dict):
        return {key: item if key in NAMED else spiced(item, spice) for key, item in value.items()}
    if isinstance(value, list):
        return [spiced(item, spice) for item in value]
    return value


@schemathesis.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(SPICES).map(lambda spice: spiced(body, spice))
