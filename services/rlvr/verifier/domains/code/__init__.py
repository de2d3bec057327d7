"""Code domain: run the completion's program against tests in the sandbox.

Reference: ``{"language": "python" | "cpp", "tests": [...]}`` or
``{"language": "python", "test_code": ..., "entry_point": ...}``; see :mod:`.tests`.
Scores: ``accuracy`` (all tests passed) and ``pass_rate``; ``details.verdict`` says
why: ``passed``, ``wrong_answer``, ``runtime_error``, ``timeout``, ``memory_limit``,
``output_limit``, ``compile_error``, ``no_code`` or ``killed_sandbox``;
``details.isolation`` how the verdict was reached (``output``: the executor compared
what the program printed; ``judge``: a trusted judge made the calls and checks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rlvr.sandbox.languages import find_language
from rlvr.sandbox.pool import SandboxCrashed, SandboxUnavailable
from rlvr.sandbox.protocol import Job, JobResult

from ...vocabulary import ErrorCode
from ..base import CannotScore, InvalidReference, Verdict
from .extract import extract_program
from .tests import Limits, build_job, summarize

Runner = Callable[[Job, float], JobResult]


class SandboxFailure(CannotScore):
    """The sandbox could not run the item: not the model's fault, so no reward."""

    code = ErrorCode.SANDBOX_UNAVAILABLE


class UnsupportedLanguage(CannotScore):
    code = ErrorCode.UNSUPPORTED_LANGUAGE


@dataclass(frozen=True)
class CodeDomain:
    """Extract, build the job, run it in the sandbox, score the outcome.

    The job gets the item's budget (``limits.budget_s``); the sandbox must answer within
    it plus ``grace_s``, as a worker must within the soft limit plus the kill grace.
    """

    runner: Runner
    limits: Limits = field(default_factory=Limits)
    grace_s: float = 2.0
    name: str = "code"
    waits_on_io: bool = True  # scored on threads of the service, not in worker processes

    def verify(self, completion: str, reference: Mapping[str, Any]) -> Verdict:
        requested = reference.get("language", "python")
        language = find_language(requested) if isinstance(requested, str) else None
        if language is None:
            raise UnsupportedLanguage(f"language {requested!r} is not supported (python, cpp)")
        program = extract_program(completion, language.name)
        # Built before the no-code check, so a bad reference is an error, never a 0.
        job = build_job(program.text or "", language.name, reference, self.limits)
        if program.text is None:
            return Verdict(0.0, None, {"verdict": "no_code"}, {"pass_rate": 0.0})
        try:
            result = self.runner(job, job.budget_s + self.grace_s)
        except SandboxUnavailable as exc:
            raise SandboxFailure(str(exc)) from exc
        except SandboxCrashed:
            details = {"verdict": "killed_sandbox", "source": program.source}
            return Verdict(0.0, program.text, details, {"pass_rate": 0.0})
        if result.error is not None:
            raise InvalidReference(f"the sandbox refused the job: {result.error}")
        rate, verdict, details = summarize(result)
        details = {"verdict": verdict, "source": program.source, **details}
        return Verdict(float(verdict == "passed"), program.text, details, {"pass_rate": rate})
