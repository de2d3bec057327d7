"""Compare a program's output with the expected output (stdlib only).

>>> outputs_match("1 2\\n", "1  2", "tokens")
True
>>> outputs_match("0.3333333", "0.333333333", "float", 1e-6)
True
"""

from __future__ import annotations

import math

from .protocol import Compare


def _as_float(token: str) -> float | None:
    try:
        value = float(token)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _floats_match(got: list[str], want: list[str], tolerance: float) -> bool:
    if len(got) != len(want):
        return False
    for g, w in zip(got, want, strict=True):
        if g == w:
            continue
        a, b = _as_float(g), _as_float(w)
        if a is None or b is None or not math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance):
            return False
    return True


def outputs_match(got: str, want: str, mode: Compare, tolerance: float = 1e-6) -> bool:
    """exact: identical but for trailing whitespace at the end of lines and of the text;
    tokens: identical whitespace-separated tokens; float: tokens, numbers within tolerance."""
    if mode == "exact":

        def clean(text: str) -> list[str]:
            return [line.rstrip() for line in text.rstrip().splitlines()]

        return clean(got) == clean(want)
    if mode == "tokens":
        return got.split() == want.split()
    return _floats_match(got.split(), want.split(), tolerance)
