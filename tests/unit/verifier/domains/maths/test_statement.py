"""Reading one stretch of answer text: number formats, lists, chains, prose."""

from __future__ import annotations

import pytest

from rlvr.verifier.domains.maths.compare import numeric_value
from rlvr.verifier.domains.maths.statement import (
    is_math_only,
    normalize_numbers,
    read_math,
    read_statement,
    strip_delimiters,
)


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("7,425,000", True, "7425000"),
        ("7{,}425{,}000", True, "7425000"),
        ("7\\,425\\,000", True, "7425000"),
        ("1 000", True, "1000"),
        ("1\u202f000", True, "1000"),
        ("1,000.99", True, "1000.99"),
        ("1000,99", True, "1000.99"),
        ("1,22", True, "1.22"),
        ("1,22", False, "1,22"),
        ("0,111", True, "0.111"),
        (".4", True, "0.4"),
        ("x = .4", True, "x = 0.4"),
        ("(1,2)", True, "(1,2)"),  # a point, never 1.2
        ("1, 2", True, "1, 2"),  # a list
        ("12,345,6", True, "12,345,6"),  # no reading: left alone
        ("\\ldots.5", True, "\\ldots.5"),
        ("10,\\!000", True, "10000"),  # a negative thin space glues digit groups
        ("16,\\! 386.20", True, "16386.20"),
        ("56,\\!01,\\!78,\\!95,\\!760", True, "56017895760"),
        ("(12,102)", True, "(12,102)"),  # an interval or a point, as math-verify reads it
        ("(2,12) \\cup (12,102)", True, "(2,12) \\cup (12,102)"),
        ("[-36,104]", True, "[-36,104]"),
        ("(7,425,000)", True, "(7425000)"),  # two groups: a number
        ("4 4/9", True, "40/9"),  # a mixed number, as math-verify reads it since 0.9
        ("-4 4/9", True, "-40/9"),
        ("The answer is 4 4/9.", True, "The answer is 40/9."),
        ("1 000 4/9", True, "9004/9"),
        ("0 4/9", True, "4/9"),
        ("4 4/9%", True, "40/9%"),
        ("11 7/6", True, "11 7/6"),  # not a proper fraction: two values
        ("4 4/0", True, "4 4/0"),
        ("11\n5/6", True, "11\n5/6"),  # a line apart: two values
        ("11/10 4/9", True, "11/10 4/9"),
        ("11.0 4/9", True, "11.0 4/9"),
        ("28 percent", True, "28\\%"),
        ("4 4/9pct", True, "40/9\\%"),
        ("28 percentile", True, "28 percentile"),
    ],
)
def test_number_formats(text: str, decimal_comma: bool, expected: str) -> None:
    assert normalize_numbers(text, decimal_comma) == expected


@pytest.mark.parametrize(
    ("text", "math"),
    [
        ("x = \\frac{1}{2}", True),
        ("12 \\text{ apples}", True),
        ("12 \\text{ or } 72", True),
        ("12 or 72", True),
        ("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", True),
        ("12 apples", False),
        ("So we get 72", False),
    ],
)
def test_math_only(text: str, math: bool) -> None:
    assert is_math_only(text) is math


def test_delimiters_and_bold_are_stripped() -> None:
    for text in ["$72$", "$$72$$", "\\(72\\)", "\\[72\\]", "**72**", "72.", "$72.$", "72\\"]:
        assert strip_delimiters(text) == "72"
    assert strip_delimiters("$1$ and $2$") == "$1$ and $2$"


def test_an_ellipsis_is_not_a_full_stop() -> None:
    """Stripping a final "..." as punctuation turned ``1, 2, 3, ...`` into the finite list
    1, 2, 3: an elided list must stay elided."""
    for text in ["1, 2, 3, ...", "$1, 2, 3, ...$", "1, 2, 3, …"]:
        assert read_math(text).elided, text
    assert strip_delimiters("1, 2, 3, ...") == "1, 2, 3, ..."


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("(2, 2), (6, 2)", ("(2, 2)", "(6, 2)")),
        ("[0, 1) \\cup (2, 3]", ("[0, 1) \\cup (2, 3]",)),
        ("\\{1, 2\\}", ("\\{1, 2\\}",)),
        ("f(1, 2) = 3", ("f(1, 2) = 3",)),
        ("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", ("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}",)),
        ("x = 1 \\text{ or } x = 2", ("x = 1", "x = 2")),
        ("5\\,\\text{m}", ("5\\,\\text{m}",)),
        ("12; 72", ("12", "72")),
        ("\\boxed{}", ()),
        ("\\{\\}", ("\\{\\}",)),
    ],
)
def test_lists_split_at_depth_zero_only(text: str, parts: tuple[str, ...]) -> None:
    assert read_math(text).parts == parts


def test_elisions_are_remembered() -> None:
    reading = read_math("1, 2, \\ldots, 72")
    assert reading.parts == ("1", "2", "72") and reading.elided


@pytest.mark.parametrize(
    ("text", "parts", "conflict"),
    [
        ("x = 3 \\cdot 24 = 72", ("x = 72",), ()),
        ("3 \\cdot 24 = 72", ("72",), ()),
        ("x = 2", ("x = 2",), ()),
        ("x^2 - 9 = 0", ("x^2 - 9 = 0",), ()),
        ("2x + 1 = y", ("2x + 1 = y",), ()),
        ("1 = 2 = 72", ("72",), ("1", "2", "72")),  # the last side, as math-verify reads it
        ("x = 70 = 72", ("x = 72",), ("70", "72")),
        ("\\frac{1}{2} = 0.5", ("0.5",), ()),
        ("2 \\text{ h} = 120 \\text{ min}", ("120 \\text{ min}",), ()),
        ("x \\leq 3", ("x \\leq 3",), ()),
    ],
)
def test_equation_chains(text: str, parts: tuple[str, ...], conflict: tuple[str, ...]) -> None:
    reading = read_math(text, numeric_value)
    assert (reading.parts, reading.conflict) == (parts, conflict)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("So we get $72$.", ("72",)),
        ("The total is 72 apples.", ("72",)),
        ("There are 3 boxes with 24 apples each, so 72 apples.", ("72",)),
        ("the number is not 10 which is 1,000.99€", ("1000.99",)),
        ("Soucis : 2,74 $ a..", ("2.74",)),
        ("$1,000.99", ("1000.99",)),
        ("AZYUK2A", ()),
        ("The solutions are $(2, 2)$ and $(6, 2)$.", ("(2, 2)", "(6, 2)")),
        ("either 12 or 72", ("12", "72")),
        ("12, or perhaps 72", ("12", "72")),
        ("12, not 72", ("12",)),
        ("not 12 and not 72", ()),
        ("Since 3 × 8 = 24, we get 24 × 3 = 72", ("72",)),
        ("Answer \\( (9+1) \\)", ("(9+1)",)),
        ("we have $x = 3 \\cdot 24 = 72$ in the end", ("x = 72",)),
    ],
)
def test_statements(text: str, parts: tuple[str, ...]) -> None:
    assert read_statement(text, numeric_value).parts == parts


@pytest.mark.parametrize(
    "completion",
    [
        "\\begin{align} x " * 20000,
        "\\[ 1 " * 40000,
        "\\( 1 " * 40000,
        "$$ 1 " * 40000,
        "$1 " * 60000,
        "1, " * 100000,
        "1\n" * 100000,
        "= 1\n" * 50000,
        "1=" * 50000 + "1",
    ],
    ids=["begin", "bracket", "paren", "display", "dollar", "commas", "column", "chain", "eq"],
)
def test_unclosed_or_endless_markup_is_read_within_the_item_limit(completion: str) -> None:
    """A lazy regex rescans the text from every unclosed opener, and Python's regex engine
    cannot be interrupted by the soft limit: the reader must stay linear. (This checks that
    scoring ends as ``ok`` under the default limit, not how fast it is.)"""
    from rlvr.verifier.domains import build_domains
    from rlvr.verifier.scoring import Job, ScoringPlan, score_item

    job = Job("math", completion, {"answer": "1"})
    outcome = score_item(job, ScoringPlan(soft_timeout_s=10), build_domains())
    # A timeout would be scored too (status ok, details.reason timeout): it must not be one.
    assert outcome.status == "ok", outcome.error
    assert outcome.details.get("reason") not in ("timeout", "scorer_failed"), outcome.details
