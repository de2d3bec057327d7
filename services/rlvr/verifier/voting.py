"""Majority vote and pass@k over k completions of one prompt (test-time scaling, as in R1).

Completions are grouped by their *answers*, compared with the domain's own notion of
equivalence (``0.5``, ``1/2`` and ``\\frac{1}{2}`` are one vote in math). With a
reference, each cluster is checked once and the unbiased pass@k estimator
1 − C(n−c, k)/C(n, k) is computed (Chen et al., 2021).

>>> pass_at_k(n=4, c=1, k=2)
0.5
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from math import comb
from typing import Any

from .domains import CannotScore, Domain, InvalidReference, build_domains
from .domains.logic import final_answer
from .domains.maths.compare import fast_compare, math_equal, normalize
from .domains.maths.extract import extract_answer
from .domains.science import chosen_letters
from .timeouts import ItemTimeout, time_limit
from .vocabulary import ErrorCode

VOTABLE = ("math", "science", "logic")


class CannotVote(CannotScore):
    code = ErrorCode.VOTE_UNSUPPORTED


class VoteTimeout(CannotScore):
    code = ErrorCode.ITEM_TIMEOUT


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of k samples drawn from n (c correct) is correct."""
    if n - c < k:
        return 1.0
    return 1.0 - comb(n - c, k) / comb(n, k)


def answer_of(domain: str, completion: str) -> str | None:
    """The answer a completion commits to, as the domain extracts it."""
    if domain == "logic":
        return final_answer(completion)
    if domain == "science":
        letters = chosen_letters(completion, [])
        if len(letters) == 1:
            return letters[0]
    found = extract_answer(completion)
    return None if found.hedged else found.text


def same_answer(domain: str, a: str, b: str) -> bool:
    """Whether two extracted answers are one vote."""
    if domain == "logic" or (len(a) == 1 and a.isalpha()) or (len(b) == 1 and b.isalpha()):
        return " ".join(a.lower().split()) == " ".join(b.lower().split())
    decided = fast_compare(a, b)
    if decided is not None:
        return decided
    try:
        return math_equal(a, b)
    except InvalidReference:  # `a` is not parseable as math: compare the text
        return normalize(a) == normalize(b)


@dataclass
class Cluster:
    answer: str
    members: list[int] = field(default_factory=list)
    correct: bool | None = None


def cluster(domain: str, answers: Sequence[str | None]) -> list[Cluster]:
    """Group answer indices by equivalence (greedy, first member represents the cluster);
    completions without an answer join no cluster."""
    clusters: list[Cluster] = []
    for index, answer in enumerate(answers):
        if answer is None:
            continue
        for group in clusters:
            if same_answer(domain, group.answer, answer):
                group.members.append(index)
                break
        else:
            clusters.append(Cluster(answer, [index]))
    return clusters


def _majority(clusters: list[Cluster], within: int) -> Cluster | None:
    """The largest cluster among the first ``within`` completions; ties go to the earliest."""
    best, best_size = None, 0
    for group in sorted(clusters, key=lambda g: g.members[0]):
        size = sum(1 for m in group.members if m < within)
        if size > best_size:
            best, best_size = group, size
    return best


def vote_safely(
    domain: str,
    completions: Sequence[str],
    reference: Mapping[str, Any] | None,
    ks: Sequence[int],
    soft_timeout_s: float = 0.0,
    domains: Mapping[str, Domain] | None = None,
) -> dict[str, Any]:
    """:func:`vote` for a worker process: every failure becomes ``status: error``."""
    try:
        return {"status": "ok", **vote(domain, completions, reference, ks, soft_timeout_s, domains)}
    except CannotScore as exc:
        return {"status": "error", "error": {"code": exc.code, "message": str(exc)}}
    except Exception as exc:  # a bug must not lose the prompt
        return {
            "status": "error",
            "error": {"code": ErrorCode.SCORING_FAILED, "message": type(exc).__name__},
        }


def vote(
    domain: str,
    completions: Sequence[str],
    reference: Mapping[str, Any] | None,
    ks: Sequence[int],
    soft_timeout_s: float = 0.0,
    domains: Mapping[str, Domain] | None = None,
) -> dict[str, Any]:
    """The vote of one prompt; raises :class:`CannotScore` for an unusable request."""
    if domain not in VOTABLE:
        raise CannotVote(f"voting works for {', '.join(VOTABLE)}, not {domain!r}")
    try:
        with time_limit(soft_timeout_s):
            return _vote(domain, completions, reference, ks, domains or build_domains())
    except ItemTimeout:
        raise VoteTimeout(f"voting took longer than {soft_timeout_s:g} s") from None


def _vote(
    domain: str,
    completions: Sequence[str],
    reference: Mapping[str, Any] | None,
    ks: Sequence[int],
    domains: Mapping[str, Domain],
) -> dict[str, Any]:
    n = len(completions)
    answers = [answer_of(domain, c) for c in completions]
    clusters = cluster(domain, answers)
    if reference is not None:
        checker = domains[domain]
        for group in clusters:
            group.correct = checker.verify(completions[group.members[0]], reference).accuracy >= 1
    top = _majority(clusters, n)
    result: dict[str, Any] = {
        "n": n,
        "answers": answers,
        "majority": top.answer if top else None,
        "majority_share": len(top.members) / n if top and n else 0.0,
        "clusters": [
            {"answer": g.answer, "size": len(g.members), "members": g.members, "correct": g.correct}
            for g in sorted(clusters, key=lambda g: -len(g.members))
        ],
    }
    if reference is not None:
        c = sum(len(g.members) for g in clusters if g.correct)
        result["correct"] = c
        result["pass_at_k"] = {str(k): round(pass_at_k(n, c, k), 6) for k in ks if k <= n}
        maj = {}
        for k in ks:
            if k <= n:
                winner = _majority(clusters, k)
                maj[str(k)] = float(bool(winner and winner.correct))
        result["maj_at_k"] = maj
    return result
