"""The public peer regression suites (``tests/data/math_peer_suites.json``) and the three
ways of scoring them side by side: our math domain through the worker's scoring path, the
same over ``POST /verify``, and math-verify in-process with its defaults.

Each case is sent in two forms: as the suite wrote the prediction (``bare``) and wrapped
in ``<answer>…</answer>`` (``tagged``). A verdict is 1, 0, or ``None`` when the item
cannot be scored (an unusable gold: ``invalid_reference``, ``reward: null``; TRL's and
open-r1's rewards return None there); ``"timeout"`` when the scorer ran out of time.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

from rlvr.verifier.parts import build_parts
from rlvr.verifier.scoring import Job, Outcome, score_item
from rlvr.verifier.settings import Settings
from rlvr.verifier.vocabulary import ErrorCode, Status

FIXTURE = Path(__file__).resolve().parents[4] / "data" / "math_peer_suites.json"
FORMS: dict[str, Callable[[str], str]] = {
    "bare": lambda prediction: prediction,
    "tagged": lambda prediction: f"<answer>{prediction}</answer>",
}
Verdict = int | str | None  # 1, 0, None (cannot be scored), "timeout"


@dataclass(frozen=True)
class Case:
    id: str
    suite: str
    test: str
    gold: str
    prediction: str
    expected: int | None
    options: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None
    source: str = ""
    path: str = ""
    commit: str | None = None


@cache
def load_cases() -> tuple[Case, ...]:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    fields = set(Case.__dataclass_fields__)
    return tuple(Case(**{k: v for k, v in case.items() if k in fields}) for case in data["cases"])


def sources() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))["sources"]
    return data


def _quiet() -> None:
    logging.getLogger("math_verify").setLevel(logging.CRITICAL)


def math_verify_default(gold: str, completion: str) -> Verdict:
    """math-verify as its README shows it, defaults everywhere; an unparseable gold is
    None, as TRL's and open-r1's ``accuracy_reward`` make it."""
    _quiet()
    try:
        gold_parsed = parse(gold)
        if not gold_parsed:
            return None
        return int(verify(gold_parsed, parse(completion)))
    except Exception:  # math-verify's own failure is its wrong verdict, not ours
        return 0


def math_verify_as_tested(case: Case) -> Verdict:
    """The call the suite's own test makes (math-verify's cases only): its match types,
    precision, strictness and set-relation option; other suites: the defaults."""
    options = case.options
    if case.suite != "math-verify" or "match_types" not in options:
        return math_verify_default(case.gold, case.prediction)
    _quiet()
    targets: list[Any] = []
    for kind in options["match_types"]:
        targets.append(
            LatexExtractionConfig(boxed_match_priority=0)
            if kind == "latex"
            else ExprExtractionConfig()
        )
    try:
        return int(
            verify(
                parse(case.gold, targets),
                parse(case.prediction, targets),
                float_rounding=options.get("precision", 6),
                strict=options.get("strict", True),
                allow_set_relation_comp=options.get("allow_set_relation_comp", False),
            )
        )
    except Exception:
        return 0


@cache
def _parts() -> Any:
    """The service's parts under default settings (the sandbox is not needed for math)."""
    return build_parts(Settings(sandbox_backend="off"))


def outcome_verdict(status: str, accuracy: float | None, code: str | None) -> Verdict:
    """A result's verdict: its accuracy score; None for an unusable reference; "timeout"
    (a timeout charged to the completion is ``status: ok`` with accuracy 0)."""
    if status == Status.TIMEOUT:
        return "timeout"
    if status == Status.ERROR:
        return None if code == ErrorCode.INVALID_REFERENCE else f"error:{code}"
    assert accuracy is not None
    return int(accuracy)


def ours(gold: str, completion: str) -> tuple[Verdict, Outcome]:
    """Our verdict through the worker's scoring path (``score_item``, as ``/verify`` runs it
    in a worker process), accuracy only."""
    parts = _parts()
    plan = replace(parts.plan, rewards=("accuracy",), weights={"accuracy": 1.0})
    outcome = score_item(Job("math", completion, {"answer": gold}), plan, parts.domains)
    code = outcome.error.code if outcome.error is not None else None
    return outcome_verdict(outcome.status, outcome.scores.get("accuracy"), code), outcome


@dataclass(frozen=True)
class Scored:
    """One case in one form, scored by us and by math-verify with its defaults."""

    case: Case
    form: str
    completion: str
    ours: Verdict
    math_verify: Verdict
    extracted: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def agrees(self) -> bool:
        return self.ours == self.case.expected

    def describe(self) -> str:
        """One disagreement, for a report: the case, both verdicts, what we read."""
        case = self.case
        lines = [
            f"{case.id} [{self.form}] {case.test}",
            f"    gold       {case.gold[:160]!r}",
            f"    prediction {case.prediction[-160:]!r}",
            f"    expected {case.expected}, ours {self.ours}, math-verify {self.math_verify};"
            f" we read {self.extracted!r} {dict(self.details)}",
        ]
        if case.options:
            lines.append(f"    the suite's call: {dict(case.options)}")
        if case.note:
            lines.append(f"    note: {case.note}")
        return "\n".join(lines)


def score_cases(
    cases: Iterable[Case], progress: Callable[[int], None] | None = None
) -> list[Scored]:
    """Every case in every form, in process: ours and math-verify's defaults."""
    rows = []
    for case in cases:
        for form, wrap in FORMS.items():
            completion = wrap(case.prediction)
            verdict, outcome = ours(case.gold, completion)
            theirs = math_verify_default(case.gold, completion)
            rows.append(
                Scored(case, form, completion, verdict, theirs, outcome.extracted, outcome.details)
            )
        if progress is not None:
            progress(1)
    return rows


def tally(rows: Iterable[Scored], **extra: Mapping[tuple[str, str], Verdict]) -> Tally:
    """Agreement per suite and form of ours and math-verify's (and any ``extra`` scorer,
    given as verdicts keyed by (case id, form))."""
    counts = Tally()
    for row in rows:
        verdicts = {"ours": row.ours, "math-verify": row.math_verify}
        for name, given in extra.items():
            if (row.case.id, row.form) in given:
                verdicts[name] = given[row.case.id, row.form]
        counts.add(row.case.suite, row.form, row.case.expected, verdicts)
    return counts


@dataclass
class Tally:
    """Agreement with the expected verdicts per scorer, suite and form (a scorer that saw a
    sample only is counted over its sample)."""

    scored: dict[str, Counter[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    agreed: dict[str, Counter[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(Counter)
    )

    def add(
        self, suite: str, form: str, expected: Verdict, verdicts: Mapping[str, Verdict]
    ) -> None:
        for scorer, verdict in verdicts.items():
            self.scored[scorer][suite, form] += 1
            self.agreed[scorer][suite, form] += verdict == expected

    def share(
        self, scorer: str, suite: str | None = None, form: str | None = None
    ) -> tuple[int, int]:
        """(agreed, scored) over the cases of ``suite`` and ``form`` (None: all)."""
        keys = [
            k
            for k in self.scored[scorer]
            if (suite is None or k[0] == suite) and (form is None or k[1] == form)
        ]
        return sum(self.agreed[scorer][k] for k in keys), sum(self.scored[scorer][k] for k in keys)

    def table(self, scorers: Iterable[str]) -> str:
        """Agreement per suite and form, one column per scorer, side by side."""
        scorers = list(scorers)
        keys = {k for scorer in scorers for k in self.scored[scorer]}
        suites = sorted({suite for suite, _ in keys})
        forms = [f for f in FORMS if any(k[1] == f for k in keys)]
        width = max(len(s) for s in [*suites, "all"]) + 9
        lines = [f"{'suite / form':<{width}}" + "".join(f"{s:>24}" for s in scorers)]
        for suite in [*suites, None]:
            for form in [*forms, None]:
                label = f"{suite or 'all'} / {form or 'both'}"
                cells = []
                for scorer in scorers:
                    agreed, total = self.share(scorer, suite, form)
                    share = f"{agreed / total:7.1%}" if total else "      -"
                    cells.append(f"{agreed:>5}/{total:<5}{share}")
                lines.append(f"{label:<{width}}" + "".join(f"{c:>24}" for c in cells))
        return "\n".join(lines)
