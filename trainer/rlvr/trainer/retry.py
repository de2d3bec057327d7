"""Idempotent JSON POSTs with retries, shared by the verifier client and the OpenAI backend.

What is retried, and how long to wait, is a :class:`RetryPolicy`: connection errors and
429/502/503/504 by default, with exponential backoff, each attempt on the next URL (so load
moves off a failing server). Every other error status is raised at once as a
:class:`~rlvr.trainer.errors.ServiceError` carrying the service's error code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from .errors import RETRYABLE_STATUS, ServiceError, ServiceUnavailable

RETRY_STATUS = RETRYABLE_STATUS


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to retry, and how long to wait before attempt ``n + 1``."""

    retries: int = 4
    backoff_s: float = 0.5
    max_backoff_s: float = 30.0

    def delay_s(self, attempt: int, response: httpx.Response | None = None) -> float:
        """Seconds to wait after failed ``attempt`` (0-based); ``response`` is the failed
        answer, if there was one (a hook for servers that say when to come back)."""
        return float(min(self.backoff_s * 2**attempt, self.max_backoff_s))


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
    failure: Exception | None = None
    for attempt in range(policy.retries + 1):
        url = next_url()
        response: httpx.Response | None = None
        try:
            response = await http.post(url, json=body, headers=headers)
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
        if attempt < policy.retries:
            await asyncio.sleep(policy.delay_s(attempt, response))
    if isinstance(failure, ServiceError):
        raise failure
    raise ServiceUnavailable(
        f"no answer after {policy.retries + 1} attempts (last: {type(failure).__name__}: "
        f"{failure}); is the service running? Check the URL(s) and /health"
    ) from failure
