"""What the client raises on purpose: one base class, a few typed errors, no ``SystemExit``.

Library code (the HTTP client, the adapters, the data jobs) raises these; only the command
line entry points turn them into an exit message. A trainer or a notebook can therefore
catch :class:`RlvrError` (or one of its kinds) and decide what to do.

>>> err = ServiceError(413, "too_many_items", "5000 items; the limit is 4096: split the batch")
>>> isinstance(err, RlvrError), err.retryable
(True, False)
"""

from __future__ import annotations

RETRYABLE_STATUS = frozenset({429, 502, 503, 504})


class RlvrError(Exception):
    """Base of every error the client raises on purpose."""


class ConfigError(RlvrError, ValueError):
    """A run configuration or an argument is wrong; the message says what to change."""


class DataError(RlvrError, ValueError):
    """An input file or record cannot be used as it is; the message says where and why."""


class ServiceError(RlvrError):
    """The service answered with an error status (its ``{"error": {code, message}}`` when
    it sent one)."""

    def __init__(self, status: int, code: str, message: str, url: str = "") -> None:
        where = f" from {url}" if url else ""
        super().__init__(f"HTTP {status} {code}{where}: {message}")
        self.status, self.code, self.message, self.url = status, code, message, url

    @property
    def retryable(self) -> bool:
        """Busy or a gateway failure: the same request may succeed later or elsewhere."""
        return self.status in RETRYABLE_STATUS


class ServiceUnavailable(RlvrError):
    """No URL answered after every retry (connection refused, timeouts, 5xx)."""
