"""The hand-written corpus: the math domain must agree with it at least as often as
math-verify called in-process with its defaults, and no hedge may ever pass."""

from __future__ import annotations

import logging
from collections import Counter

import pytest
from math_verify import parse, verify

from rlvr.verifier.domains.maths import MathDomain

from .math_corpus import ANSWERS, HEDGES, PROSE, cases

DOMAIN = MathDomain()


def math_verify_verdict(gold: str, completion: str) -> int:
    """math-verify as its README shows it: parse both, verify, defaults."""
    logging.getLogger("math_verify").setLevel(logging.CRITICAL)
    try:
        return int(
            verify(
                parse(gold, parsing_timeout=None),
                parse(completion, parsing_timeout=None),
                timeout_seconds=None,
            )
        )
    except Exception:  # math-verify's own failure is its wrong verdict, not ours
        return 0


def test_the_corpus_covers_every_class_both_ways() -> None:
    assert sum(len(rows) for rows in ANSWERS.values()) >= 300
    assert len(PROSE) >= 40
    for kind, rows in ANSWERS.items():
        verdicts = {expected for _, _, expected in rows}
        assert verdicts == {0, 1} or kind == "hedges", kind
    assert sum(1 for *_, expected in HEDGES if expected == 0) >= 20


def test_service_domain_agrees_at_least_as_often_as_math_verify(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ours: Counter[str] = Counter()
    theirs: Counter[str] = Counter()
    total: Counter[str] = Counter()
    missed = []
    for kind, form, gold, completion, expected in cases():
        got = int(DOMAIN.verify(completion, {"answer": gold}).accuracy)
        key = f"{kind}/{form}"
        total[key] += 1
        ours[key] += got == expected
        theirs[key] += math_verify_verdict(gold, completion) == expected
        if got != expected:
            missed.append((kind, form, gold, completion, expected))
    n, a, b = sum(total.values()), sum(ours.values()), sum(theirs.values())
    with capsys.disabled():
        print(f"\nmath corpus, {n} cases: domain {a}/{n} = {a / n:.1%}, ", end="")
        print(f"in-process math-verify {b}/{n} = {b / n:.1%}")
        for form in ("bare", "tagged", "boxed"):
            keys = [k for k in total if k.endswith(f"/{form}")]
            t, o, m = (sum(c[k] for k in keys) for c in (total, ours, theirs))
            print(f"  {form:<7} {o}/{t} vs math-verify {m}/{t}")
    assert a >= b, missed
    assert not [m for m in missed if m[4] == 0], "a wrong answer or a hedge was paid"
    assert not missed, "every row passes: a miss here is a regression"
