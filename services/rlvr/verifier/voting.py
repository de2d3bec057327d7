"""Majority vote and pass@k over k completions of one prompt (test-time scaling, as in R1).

Completions are grouped by their *answers*, compared with the domain's own notion of
equivalence (``0.5``, ``1/2`` and ``\\frac{1}{2}`` are one vote in math). Voting asks the
domain (see :class:`~rlvr.verifier.domains.base.AnswerDomain`): its answer for a completion
(the very extraction and settings ``/verify`` uses; a hedge casts no vote), whether two
answers are the same, and whether it votes at all. With a reference, each completion is
checked by the domain's ``verify`` and the unbiased pass@k estimator
1 − C(n−c, k)/C(n, k) is computed (Chen et al., 2021).

>>> pass_at_k(n=4, c=1, k=2)
0.5
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from math import comb
from typing import Any

from .domains import CannotScore, Domain, build_domains
from .domains.base import AnswerDomain, AnswerOptions, votes
from .timeouts import ItemTimeout, time_limit
from .vocabulary import ErrorCode


class CannotVote(CannotScore):
    code = ErrorCode.VOTE_UNSUPPORTED


class VoteTimeout(CannotScore):
    code = ErrorCode.ITEM_TIMEOUT


def voter(domain: str, domains: Mapping[str, Domain]) -> AnswerDomain:
    """The domain named ``domain``, if it votes (it answers voting's questions)."""
    checker = domains.get(domain)
    if checker is None or not votes(checker):
        voting = sorted(name for name, d in domains.items() if votes(d))
        raise CannotVote(f"voting works for {', '.join(voting)}, not {domain!r}")
    return checker


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of k samples drawn from n (c correct) is correct."""
    if n - c < k:
        return 1.0
    return 1.0 - comb(n - c, k) / comb(n, k)


@dataclass
class Cluster:
    answer: str
    members: list[int] = field(default_factory=list)
    correct: bool | None = None


def cluster(
    domain: str | AnswerDomain,
    answers: Sequence[str | None],
    correct: Sequence[bool] | None = None,
) -> list[Cluster]:
    """Group answer indices by the domain's equivalence (greedy, first member represents the
    cluster); completions without an answer join no cluster.

    With each completion's verdict (``correct``), a cluster never mixes verdicts: a right
    answer and a wrong one that read alike ("Yes" and "yes" under an exact match) are two
    votes, else one right member would make its wrong look-alikes a right majority; and the
    right answers are one vote, since each equals the gold ("true" and "yes" under a boolean
    match, "9.8" and "980 cm/s^2" for 9.8 m/s^2).
    """
    checker = voter(domain, build_domains()) if isinstance(domain, str) else domain
    clusters: list[Cluster] = []
    for index, answer in enumerate(answers):
        if answer is None:
            continue
        for group in clusters:
            if correct is None:
                same = checker.same_answer(group.answer, answer)
            else:
                first = group.members[0]
                same = correct[first] == correct[index] and (
                    correct[index] or checker.same_answer(group.answer, answer)
                )
            if same:
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
    options: AnswerOptions | None = None,
    domains: Mapping[str, Domain] | None = None,
) -> dict[str, Any]:
    """:func:`vote` for a worker process: every failure becomes ``status: error``."""
    try:
        result = vote(domain, completions, reference, ks, soft_timeout_s, options, domains)
        return {"status": "ok", **result}
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
    options: AnswerOptions | None = None,
    domains: Mapping[str, Domain] | None = None,
) -> dict[str, Any]:
    """The vote of one prompt; raises :class:`CannotScore` for an unusable request."""
    checker = voter(domain, domains or build_domains())
    try:
        with time_limit(soft_timeout_s):
            return _vote(checker, completions, reference, ks, options or AnswerOptions())
    except ItemTimeout:
        raise VoteTimeout(f"voting took longer than {soft_timeout_s:g} s") from None


def _vote(
    domain: AnswerDomain,
    completions: Sequence[str],
    reference: Mapping[str, Any] | None,
    ks: Sequence[int],
    options: AnswerOptions,
) -> dict[str, Any]:
    n = len(completions)
    answers = [domain.answer(c, reference, options) for c in completions]
    correct: list[bool] = []
    if reference is not None:
        # Each completion is checked exactly as /verify checks it, so c (and pass@k) is what
        # /verify would count; a cluster holds one verdict (see cluster()).
        checked: dict[str, bool] = {}
        for completion in completions:
            if completion not in checked:
                verdict = domain.verify(completion, reference, options)
                checked[completion] = verdict.accuracy >= 1
            correct.append(checked[completion])
    clusters = cluster(domain, answers, correct if reference is not None else None)
    for group in clusters if reference is not None else ():
        group.correct = correct[group.members[0]]
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
        c = sum(correct)
        result["correct"] = c
        result["pass_at_k"] = {str(k): round(pass_at_k(n, c, k), 6) for k in ks if k <= n}
        maj = {}
        for k in ks:
            if k <= n:
                winner = _majority(clusters, k)
                maj[str(k)] = float(bool(winner and winner.correct))
        result["maj_at_k"] = maj
    return result
