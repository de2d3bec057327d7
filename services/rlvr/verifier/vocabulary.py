"""The service's words, defined once: error codes, item statuses, score names, and who is to
blame for each failure.

Every module that emits one of these imports it from here, so a code cannot be misspelled,
the contract (``protos/verifier.schema.json``) lists exactly what the code can emit, and the
README's attribution table has one source.

>>> ErrorCode.INVALID_REFERENCE == "invalid_reference"
True
>>> BLAME[ErrorCode.SANDBOX_UNAVAILABLE]
<Blame.INFRASTRUCTURE: 'infrastructure'>
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class ErrorCode(StrEnum):
    """Stable machine-readable codes, in request errors and in item results."""

    # The request as a whole (HTTP 4xx/5xx with the error envelope).
    INVALID_JSON = "invalid_json"
    INVALID_REQUEST = "invalid_request"
    TOO_MANY_ITEMS = "too_many_items"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    DRAINING = "draining"
    OVERLOADED = "overloaded"
    # One item (status error or timeout, reward null); some also answer a whole request.
    INVALID_ITEM = "invalid_item"
    ITEM_TOO_LARGE = "item_too_large"
    UNKNOWN_DOMAIN = "unknown_domain"
    MISSING_REFERENCE = "missing_reference"
    INVALID_REFERENCE = "invalid_reference"
    UNSUPPORTED_LANGUAGE = "unsupported_language"
    VOTE_UNSUPPORTED = "vote_unsupported"
    SANDBOX_UNAVAILABLE = "sandbox_unavailable"
    ITEM_TIMEOUT = "item_timeout"
    DEADLINE_EXCEEDED = "deadline_exceeded"
    WORKER_CRASHED = "worker_crashed"
    SCORING_FAILED = "scoring_failed"
    INTERNAL_ERROR = "internal_error"


# HTTP status of each code that can answer a whole request.
REQUEST_ERRORS: MappingProxyType[ErrorCode, int] = MappingProxyType(
    {
        ErrorCode.INVALID_JSON: 400,
        ErrorCode.INVALID_REQUEST: 422,
        ErrorCode.TOO_MANY_ITEMS: 413,
        ErrorCode.PAYLOAD_TOO_LARGE: 413,
        ErrorCode.NOT_FOUND: 404,
        ErrorCode.METHOD_NOT_ALLOWED: 405,
        ErrorCode.DRAINING: 503,
        ErrorCode.OVERLOADED: 429,
        ErrorCode.WORKER_CRASHED: 503,
        ErrorCode.INTERNAL_ERROR: 500,
    }
)


class Blame(StrEnum):
    """Who caused an item's failure, which decides what the trainer is told.

    A failure the *completion* caused is never an error: the item is scored with accuracy 0
    and ``details.reason`` (see :class:`Reason`), so a policy cannot escape a penalty by
    making the scorer fail. The others give ``reward: null`` so the trainer skips the item.
    """

    REFERENCE = "reference"  # the dataset's gold data is unusable
    CALLER = "caller"  # the request named something that does not exist or is malformed
    # the service could not do its job (in the time the caller gave); retrying may help
    INFRASTRUCTURE = "infrastructure"


BLAME: MappingProxyType[ErrorCode, Blame] = MappingProxyType(
    {
        ErrorCode.INVALID_ITEM: Blame.CALLER,
        ErrorCode.ITEM_TOO_LARGE: Blame.CALLER,
        ErrorCode.UNKNOWN_DOMAIN: Blame.CALLER,
        ErrorCode.VOTE_UNSUPPORTED: Blame.CALLER,
        ErrorCode.MISSING_REFERENCE: Blame.REFERENCE,
        ErrorCode.INVALID_REFERENCE: Blame.REFERENCE,
        ErrorCode.UNSUPPORTED_LANGUAGE: Blame.REFERENCE,
        ErrorCode.SANDBOX_UNAVAILABLE: Blame.INFRASTRUCTURE,
        ErrorCode.ITEM_TIMEOUT: Blame.INFRASTRUCTURE,
        # Only items still waiting for a worker are cut at a deadline (an item being scored
        # is finished under its own limits), so a slow completion cannot earn this.
        ErrorCode.DEADLINE_EXCEEDED: Blame.INFRASTRUCTURE,
        ErrorCode.WORKER_CRASHED: Blame.INFRASTRUCTURE,
        ErrorCode.SCORING_FAILED: Blame.INFRASTRUCTURE,
        ErrorCode.INTERNAL_ERROR: Blame.INFRASTRUCTURE,
    }
)
ITEM_ERRORS: frozenset[ErrorCode] = frozenset(BLAME)


class Status(StrEnum):
    """An item's status: ``ok`` (scored, maybe 0), ``timeout`` or ``error`` (not scored)."""

    OK = "ok"
    TIMEOUT = "timeout"
    ERROR = "error"


class Reason(StrEnum):
    """``details.reason`` of an item scored 0 because its completion broke the scorer."""

    TIMEOUT = "timeout"  # checking the answer ran past the item's time limit
    TOO_LARGE = "too_large"  # the completion is longer than max_completion_chars
    SCORER_FAILED = "scorer_failed"  # checking the answer raised or killed its worker


class Score(StrEnum):
    """Names of the scores a request can select (``rewards``) and weigh (``weights``)."""

    ACCURACY = "accuracy"
    PASS_RATE = "pass_rate"
    FORMAT = "format"
    TAG_COUNT = "tag_count"
    REASONING_STEPS = "reasoning_steps"
    LENGTH = "length"
    OVERLONG = "overlong"
    REPETITION = "repetition"
    LANGUAGE_CONSISTENCY = "language_consistency"


# Scores that come from the domain's verdict; every other score is a format reward.
DOMAIN_SCORES: tuple[Score, ...] = (Score.ACCURACY, Score.PASS_RATE)
