"""Output comparison modes."""

from __future__ import annotations

import pytest

from rlvr.sandbox.checkers import outputs_match


@pytest.mark.parametrize(
    ("got", "want", "mode", "expected"),
    [
        ("3\n", "3", "exact", True),
        ("3  \n4\n\n", "3\n4", "exact", True),
        ("3 4", "3  4", "exact", False),
        ("3 4", "3\n4", "tokens", True),
        ("3 4", "3 5", "tokens", False),
        ("", "", "tokens", True),
        ("0.1000001", "0.1", "float", True),
        ("0.11", "0.1", "float", False),
        ("1e9 x", "1000000000.0 x", "float", True),
        ("nan", "nan", "float", True),  # identical tokens
        ("inf", "1", "float", False),
        ("1 2", "1", "float", False),
    ],
)
def test_outputs_match(got: str, want: str, mode: str, expected: bool) -> None:
    assert outputs_match(got, want, mode, 1e-6) is expected  # type: ignore[arg-type]
