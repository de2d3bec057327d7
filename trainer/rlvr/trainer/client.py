"""A small synchronous client for ``POST /verify`` (one request per call, retried on failure).

>>> VerifierClient("http://127.0.0.1:8000").url
'http://127.0.0.1:8000'
"""

from __future__ import annotations

import os
import time
from typing import Any

import httpx

DEFAULT_URL = "http://127.0.0.1:8000"
RETRY_STATUS = {429, 502, 503, 504}


class VerifierClient:
    """Calls the verifier; retries connection errors and 429/5xx with backoff."""

    def __init__(self, url: str | None = None, timeout_s: float = 600.0, retries: int = 3):
        self.url = (url or os.environ.get("RLVR_URL") or DEFAULT_URL).rstrip("/")
        self.retries = retries
        self._http = httpx.Client(base_url=self.url, timeout=timeout_s)

    def verify(
        self,
        items: list[dict[str, Any]],
        rewards: list[str] | None = None,
        weights: dict[str, float] | None = None,
        options: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Results for ``items``, one per item, in order."""
        body: dict[str, Any] = {"items": items}
        for key, value in (("rewards", rewards), ("weights", weights), ("options", options)):
            if value is not None:
                body[key] = value
        results: list[dict[str, Any]] = self._post("/verify", body)["results"]
        return results

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        for attempt in range(self.retries + 1):
            try:
                response = self._http.post(path, json=body)
                if response.status_code not in RETRY_STATUS or attempt == self.retries:
                    response.raise_for_status()
                    answer: dict[str, Any] = response.json()
                    return answer
            except httpx.TransportError:
                if attempt == self.retries:
                    raise
            time.sleep(min(2.0**attempt * 0.5, 10.0))
        raise RuntimeError("unreachable")

    def close(self) -> None:
        self._http.close()
