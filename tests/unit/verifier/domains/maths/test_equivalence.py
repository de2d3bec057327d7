"""Equivalence of answer kinds through the math domain: one row per case, correct and wrong.

Each prediction is wrapped as an R1-style completion, so these rows exercise
extraction, the fast path and math-verify together.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from rlvr.verifier.domains.maths import MathDomain

DOMAIN = MathDomain()

# (gold, predicted answer inside \boxed{}, expected accuracy)
CASES: list[tuple[str, str, float]] = [
    # integers and signs
    ("4", "4", 1),
    ("4", "5", 0),
    ("-3", "-3", 1),
    ("-3", "3", 0),
    ("-3", "−3", 1),
    ("0", "0", 1),
    ("0", "-0", 1),
    ("12", "12.0", 1),
    ("12", "12.5", 0),
    ("+7", "7", 1),
    ("1000", "1,000", 1),
    ("1000", "1{,}000", 1),
    ("1000000", "10^6", 1),
    ("100", "10^2", 1),
    ("1024", "2^{10}", 1),
    ("1023", "2^{10}", 0),
    # fractions and decimals
    ("0.5", "\\frac{1}{2}", 1),
    ("0.5", "\\frac12", 1),
    ("0.5", "1/2", 1),
    ("0.5", "\\dfrac{1}{2}", 1),
    ("\\frac{1}{2}", "0.5", 1),
    ("\\frac{1}{3}", "0.3333333", 1),
    ("\\frac{1}{3}", "0.33", 0),
    ("\\frac{2}{3}", "\\frac{4}{6}", 1),
    ("\\frac{2}{3}", "\\frac{3}{2}", 0),
    ("0.25", "\\tfrac{1}{4}", 1),
    ("-\\frac{1}{2}", "\\frac{-1}{2}", 1),
    ("-\\frac{1}{2}", "-0.5", 1),
    ("-\\frac{1}{2}", "0.5", 0),
    ("1.5", "\\frac{3}{2}", 1),
    ("1.5", "1\\frac{1}{2}", 1),
    ("3.14", "3.14", 1),
    ("3.14", "3.15", 0),
    ("0.125", ".125", 1),
    ("2.50", "2.5", 1),
    ("\\frac{7}{8}", "0.875", 1),
    ("\\frac{7}{8}", "0.88", 0),
    # percentages
    ("50\\%", "50\\%", 1),
    ("50\\%", "50", 1),
    ("0.5", "50\\%", 1),
    ("25\\%", "0.25", 1),
    ("25\\%", "20\\%", 0),
    ("12.5\\%", "0.125", 1),
    # radicals, pi, e, expressions
    ("\\sqrt{2}", "\\sqrt{2}", 1),
    ("\\sqrt{2}", "2^{1/2}", 1),
    ("\\sqrt{2}", "1.41421356", 1),
    ("\\sqrt{2}", "\\sqrt{3}", 0),
    ("\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}\\sqrt{3}", 1),
    ("2\\sqrt{3}", "\\sqrt{12}", 1),
    ("2\\sqrt{3}", "3\\sqrt{2}", 0),
    ("\\pi", "\\pi", 1),
    ("2\\pi", "2 \\pi", 1),
    ("2\\pi", "\\pi", 0),
    ("\\frac{\\pi}{4}", "0.25\\pi", 1),
    ("e^2", "e^{2}", 1),
    ("\\ln 2", "\\ln{2}", 1),
    ("x^2+2x+1", "(x+1)^2", 1),
    ("x^2+2x+1", "(x-1)^2", 0),
    ("2x", "x+x", 1),
    ("\\frac{x}{2}", "0.5x", 1),
    ("a+b", "b+a", 1),
    ("a-b", "b-a", 0),
    ("\\sin^2 x + \\cos^2 x", "1", 1),
    ("\\binom{5}{2}", "10", 1),
    ("5!", "120", 1),
    ("3^4", "81", 1),
    ("3^4", "64", 0),
    # infinity
    ("\\infty", "\\infty", 1),
    ("\\infty", "∞", 1),
    ("-\\infty", "-\\infty", 1),
    ("\\infty", "-\\infty", 0),
    # scientific notation
    ("1.5\\times10^{3}", "1500", 1),
    ("1500", "1.5 \\times 10^3", 1),
    ("6.02\\times10^{23}", "6.02\\times10^{23}", 1),
    ("6.02\\times10^{23}", "6.02\\times10^{22}", 0),
    ("3\\times10^{-2}", "0.03", 1),
    # sets
    ("\\{1,2\\}", "\\{2,1\\}", 1),
    ("\\{1,2\\}", "\\{1,2,3\\}", 0),
    ("\\{1,2,3\\}", "\\{3,1,2\\}", 1),
    ("\\{-1, 1\\}", "\\{1,-1\\}", 1),
    ("\\{\\}", "\\emptyset", 1),
    ("1, 2", "2, 1", 1),
    ("1, 2", "1, 3", 0),
    ("3, 5", "3,5", 1),
    ("\\{0\\}", "\\{1\\}", 0),
    # intervals
    ("(1,2]", "(1,2]", 1),
    ("(1,2]", "[1,2]", 0),
    ("[0,\\infty)", "[0, \\infty)", 1),
    ("(-\\infty, 3)", "(-\\infty,3)", 1),
    ("(-\\infty, 3)", "(-\\infty,3]", 0),
    ("[1,2)\\cup(3,4]", "[1,2)\\cup(3,4]", 1),
    ("[1,2)\\cup(3,4]", "[1,2]\\cup(3,4]", 0),
    ("x \\in (0, 1)", "(0,1)", 1),
    # tuples and points
    ("(1, 2)", "(1,2)", 1),
    ("(1, 2)", "(2, 1)", 0),
    ("(1,2,3)", "(1, 2, 3)", 1),
    ("(3,-4)", "(3, -4)", 1),
    ("(0.5, 1)", "(\\frac{1}{2}, 1)", 1),
    ("(1,2,3)", "(1,2,4)", 0),
    # matrices and vectors
    ("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", 1),
    ("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}", 1),
    ("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "\\begin{pmatrix}1&2\\\\4&3\\end{pmatrix}", 0),
    ("\\begin{pmatrix}1\\\\2\\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}", 1),
    ("\\begin{pmatrix}1\\\\2\\end{pmatrix}", "\\begin{pmatrix}2\\\\1\\end{pmatrix}", 0),
    (
        "\\begin{pmatrix}0.5&0\\\\0&1\\end{pmatrix}",
        "\\begin{pmatrix}\\frac{1}{2}&0\\\\0&1\\end{pmatrix}",
        1,
    ),
    # equations vs values
    ("2", "x=2", 1),
    ("x=2", "2", 1),
    ("x=2", "x=2", 1),
    ("x=2", "x=3", 0),
    ("y=2x+1", "y=2x+1", 1),
    ("y=2x+1", "y=1+2x", 1),
    ("y=2x+1", "y=2x-1", 0),
    ("5", "n = 5", 1),
    ("5", "n=6", 0),
    # units and text wrappers
    ("3", "3\\text{ cm}", 1),
    ("3", "3 \\text{cm}", 1),
    ("3", "4\\text{ cm}", 0),
    ("12", "12\\text{ apples}", 1),
    ("5", "\\text{5}", 1),
    ("5", "5^\\circ", 1),
    ("90", "90^{\\circ}", 1),
    ("90", "\\(90\\)", 1),
    ("20", "\\$20", 1),
    ("20", "20\\$", 1),
    ("20", "\\mathbf{20}", 1),
    ("20", "\\textbf{20}", 1),
    ("\\text{(B)}", "\\text{(B)}", 1),
    ("B", "B", 1),
    ("B", "C", 0),
    # LaTeX variants and spacing
    ("\\frac{1}{2}", "\\left(\\frac{1}{2}\\right)", 1),
    ("\\frac{1}{2}", "\\frac{1}{2}.", 1),
    ("100", "1\\,000", 0),
    ("1000", "1\\,000", 1),
    ("2", "\\displaystyle 2", 1),
    ("2", "{2}", 1),
    ("\\frac{3}{4}", "3/4", 1),
    ("\\frac{3}{4}", "\\frac34", 1),
    ("\\frac{3}{4}", "4/3", 0),
    ("-\\frac{3}{4}", "-\\dfrac{3}{4}", 1),
    ("\\frac{5}{2}", "2.5", 1),
    ("\\frac{5}{2}", "2.25", 0),
    ("x^{2}", "x^2", 1),
    ("x^{2}", "x^3", 0),
    ("\\sqrt[3]{8}", "2", 1),
    ("\\sqrt[3]{8}", "3", 0),
    ("2", "\\boxed{2}", 1),
    ("17", "\\fbox{17}", 1),
    ("0.1", "\\frac{1}{10}", 1),
    ("0.1", "0.01", 0),
    ("-2", "- 2", 1),
    ("-2", "2", 0),
    ("\\frac{1}{2}", "\\frac{2}{4}", 1),
    ("1/4", "0.4", 0),
    ("(1, 2)", "(1,2]", 0),
    ("\\{1, 2\\}", "\\{1\\}", 0),
    ("100\\%", "1", 1),
    ("7", "\\sqrt{49}", 1),
    ("7", "\\sqrt{50}", 0),
    ("\\pi/2", "\\frac{\\pi}{2}", 1),
    ("\\pi/2", "\\pi/3", 0),
    ("2^{100}", "2^{100}", 1),
    ("2^{100}", "2^{99}", 0),
    ("10!", "3628800", 1),
    ("\\infty", "100", 0),
    ("6", "2\\cdot3", 1),
    ("6", "2\\times3", 1),
    ("6", "2 \\times 4", 0),
    ("\\sqrt{4}", "2", 1),
    # primes name other symbols (latex2sympy drops them: E' read as E)
    ("E", "E'", 0),
    ("E'", "E", 0),
    ("f", "f'", 0),
    ("f'", "f'", 1),
    ("f''(x)", "f'(x)", 0),
    # mixed numbers (math-verify since 0.9), never their whole part
    ("\\frac{40}{9}", "4 4/9", 1),
    ("3128.5", "3128 1/2", 1),
    ("4", "4 4/9", 0),
    ("\\frac{4}{9}", "4 4/9", 0),
    ("\\frac{40}{900}", "4 4/9\\%", 1),
    # digit groups glued by a negative thin space
    ("11111111100", "11,\\!111,\\!111,\\!100", 1),
    ("32349", "32,\\! 349", 1),
    ("32349", "32, 349", 0),  # a comma and a space: a list
    ("\\$10", "10", 1),
    # a division by zero is undefined: equal to nothing
    ("0", "0 0/0", 0),
    ("4", "4 4/0", 0),
    ("0", "\\frac{0}{0}", 0),
    ("5", "5 + 1/0", 0),
    ("2", "10/05", 1),
    # a styled single letter: a unit right after a number, else the letter (math-verify
    # would lose the rest of the answer on the brace inside a brace)
    ("5", "5\\,\\text{m}", 1),
    ("5", "5\\;\\mathrm{m}", 1),
    ("5", "6\\,\\mathrm{m}", 0),
    ("\\frac{1}{\\mathrm{x}}", "\\frac{1}{x}", 1),
    ("\\frac{1}{\\mathrm{x}}", "1", 0),
    ("\\frac{d}{2}", "\\frac{\\mathrm{d}}{2}", 1),
    ("1", "1 - \\frac{1}{\\mathrm{x}}", 0),
    ("1", "1 - \\frac{1}{\\mathrm{e}}", 0),
    ("1 - e^{-1}", "1 - \\frac{1}{\\mathrm{e}}", 1),
    ("x^2", "\\mathrm{x}^2", 1),
    # an upright e or i is the constant even after a number (math-verify drops it as a
    # unit: 2+3i read as 5, 2e as 2)
    ("5", "2+3\\mathrm{i}", 0),
    ("2+3i", "2+3\\mathrm{i}", 1),
    ("2", "2\\mathrm{e}", 0),
    ("2e", "2\\,\\mathrm{e}", 1),
]


@pytest.mark.parametrize(("gold", "pred", "expected"), CASES)
def test_boxed_answer_equivalence(gold: str, pred: str, expected: float) -> None:
    completion = f"<think>work it out</think>\n<answer>\\boxed{{{pred}}}</answer>"
    verdict = DOMAIN.verify(completion, {"answer": gold})
    assert verdict.accuracy == expected, (gold, pred, verdict)


def test_case_table_is_large() -> None:
    assert len(CASES) >= 150
    assert sum(1 for *_, ok in CASES if not ok) >= 40


def test_a_division_by_zero_pays_under_no_hash_seed() -> None:
    """sympy leaves ``0*0/0`` unevaluated and whether it then equals 0 depended on the
    process's hash seed (seeds 2, 3 and 6 paid it): the verdict must not."""
    script = (
        "from rlvr.verifier.domains.maths import MathDomain\n"
        "d = MathDomain()\n"
        "pairs = [('0', '0 0/0'), ('0', '-1 000 0/0'), ('0', '4 0/0'), ('4', '4 4/0')]\n"
        "print([d.verify(p, {'answer': g}).accuracy for g, p in pairs])\n"
    )
    for seed in ("2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "[0.0, 0.0, 0.0, 0.0]", (seed, out.stdout, out.stderr)
