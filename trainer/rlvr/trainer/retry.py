"""Idempotent JSON POSTs with retries, shared by the verifier client and the OpenAI backend.

What is retried, and how long to wait, is a :class:`RetryPolicy`: connection errors and
429/502/503/504 by default, with exponential backoff, each attempt on the next URL (so load
moves off a failing server). Every other error status is raised at once as a
:class:`~rlvr.trainer.errors.ServiceError` carrying the service's error code.

A busy server that says when to come back (``429`` or ``503`` with ``Retry-After``, in
seconds or as an HTTP date) is taken at its word: the client waits that long, never less,
and such waits draw on a time budget (``busy_wait_s``) instead of the retry count, so
backpressure slows a training step down rather than failing it after four quick tries.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from .errors import RETRYABLE_STATUS, ServiceError, ServiceUnavailable

RETRY_STATUS = RETRYABLE_STATUS
# Statuses whose Retry-After means "busy, come back then" (RFC 9110 §10.2.3).
BUSY_STATUS = frozenset({429, 503})
_JITTER = 0.1  # clients told the same time spread over the next 10% of it


def retry_after_s(response: httpx.Response | None, now: float | None = None) -> float | None:
    """Seconds a 429/503 ``response`` asks the client to wait (``None``: it does not say).

    >>> busy = httpx.Response(429, headers={"Retry-After": "2"})
    >>> retry_after_s(busy), retry_after_s(httpx.Response(500, headers={"Retry-After": "2"}))
    (2.0, None)
    """
    if response is None or response.status_code not in BUSY_STATUS:
        return None
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None  # unreadable: fall back to our own backoff
        seconds = when - (time.time() if now is None else now)
    return max(0.0, seconds) if seconds == seconds else None  # NaN is no answer


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to retry, and how long to wait before attempt ``n + 1``.

    ``busy_wait_s`` bounds the total time spent waiting on servers that answered 429/503
    with ``Retry-After``; ``max_retry_after_s`` cuts one such wait (a server asking for an
    hour is waited on for that long at most, then asked again).
    """

    retries: int = 4
    backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    busy_wait_s: float = 600.0
    max_retry_after_s: float = 120.0

    def delay_s(self, attempt: int, response: httpx.Response | None = None) -> float:
        """Seconds to wait after failed ``attempt`` (0-based); ``response`` is the failed
        answer, if there was one: its ``Retry-After`` wins over our backoff."""
        asked = retry_after_s(response)
        if asked is not None:
            asked = min(asked, self.max_retry_after_s)
            return asked + random.uniform(0.0, _JITTER * asked)
        return float(min(self.backoff_s * 2**attempt, self.max_backoff_s))


def json_body(body: dict[str, Any]) -> bytes:
    """``body`` as UTF-8 JSON (as httpx would send it), except that text which is not valid
    Unicode (a lone surrogate, e.g. from a ``surrogateescape`` decode) becomes ``?``: one
    such completion must not make the whole batch unsendable.

    >>> json_body({"completion": "4\\udc80"})
    b'{"completion":"4?"}'
    """
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8", errors="replace")


def service_error(response: httpx.Response) -> ServiceError:
    """The error a response carries: the service's ``{"error": {code, message}}``, or the
    status and the start of the body from anything else (a proxy, another server)."""
    code, message = f"http_{response.status_code}", response.text[:300]
    try:
        envelope = response.json().get("error")
    except (ValueError, AttributeError):
        envelope = None
    if isinstance(envelope, dict):
        code = str(envelope.get("code", code))
        message = str(envelope.get("message", message))
        details = envelope.get("details")
        if isinstance(details, list) and details:  # which field, and what is wrong with it
            message += ": " + "; ".join(
                f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg', '')}"
                for d in details[:3]
                if isinstance(d, dict)
            )
    return ServiceError(response.status_code, code, message, str(response.request.url))


async def post_json(
    http: httpx.AsyncClient,
    next_url: Callable[[], str],
    body: dict[str, Any],
    retries: int = 4,
    backoff_s: float = 0.5,
    headers: dict[str, str] | None = None,
    policy: RetryPolicy | None = None,
) -> dict[str, Any]:
    """POST ``body`` and return the JSON answer, retrying as ``policy`` (default: built from
    ``retries`` and ``backoff_s``) says."""
    policy = policy or RetryPolicy(retries, backoff_s)
    content = json_body(body)
    headers = {"Content-Type": "application/json", **(headers or {})}
    failure: Exception | None = None
    attempt = 0  # failed attempts counted against policy.retries
    busy_waited = 0.0
    while True:
        url = next_url()
        response: httpx.Response | None = None
        try:
            response = await http.post(url, content=content, headers=headers)
        except httpx.TransportError as exc:
            failure = exc
        else:
            if response.is_success:
                try:
                    answer: dict[str, Any] = response.json()
                except ValueError as exc:
                    raise ServiceError(
                        response.status_code, "invalid_json", f"not JSON: {exc}", url
                    ) from exc
                return answer
            failure = service_error(response)
            if response.status_code not in RETRYABLE_STATUS:
                raise failure
            if retry_after_s(response) is not None:
                delay = policy.delay_s(attempt, response)
                if busy_waited + delay <= policy.busy_wait_s:
                    busy_waited += delay
                    await asyncio.sleep(delay)
                    continue
                raise ServiceError(
                    failure.status,
                    failure.code,
                    f"{failure.message} (still busy after waiting {busy_waited:.0f} s as "
                    "its Retry-After asked: add capacity, or raise busy_wait_s)",
                    failure.url,
                )
        if attempt >= policy.retries:
            break
        await asyncio.sleep(policy.delay_s(attempt, response))
        attempt += 1
    if isinstance(failure, ServiceError):
        raise failure
    raise ServiceUnavailable(
        f"no answer after {attempt + 1} attempts (last: {type(failure).__name__}: "
        f"{failure}); is the service running? Check the URL(s) and /health"
    ) from failure
