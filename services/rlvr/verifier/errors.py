"""Request-level errors: one JSON envelope ``{"error": {code, message, details}}``, stable codes.

The codes and their HTTP statuses are :data:`rlvr.verifier.vocabulary.REQUEST_ERRORS`.
Problems with a single item are *not* request errors: they come back in that
item's result (``status: error`` with codes such as ``invalid_item``,
``unknown_domain``, ``missing_reference``, ``invalid_reference``, ``item_too_large``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .vocabulary import REQUEST_ERRORS, ErrorCode
from .wire import render

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: ErrorCode.INVALID_JSON,  # FastAPI's only 400: a body it could not read
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
}


class WireJSON(JSONResponse):
    """Every JSON answer of the service: ASCII-escaped (a lone surrogate a client sent comes
    back as sent), non-finite floats as null; never an encoding error."""

    def render(self, content: Any) -> bytes:
        return render(content)


class ApiError(Exception):
    """Raise from a route to answer with ``code`` (and the HTTP status the vocabulary gives it)."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = REQUEST_ERRORS[code], code, message
        self.details, self.headers = details, headers


def error_response(
    code: ErrorCode,
    message: str,
    details: list[dict[str, Any]] | None = None,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return WireJSON(
        {"error": body}, status_code=status or REQUEST_ERRORS[code], headers=dict(headers or {})
    )


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": [str(part) for part in err.get("loc", ())],
            "msg": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors()[:20]
    ]


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    not_json = any(err.get("type") == "json_invalid" for err in errors) or any(
        tuple(err.get("loc", ())) == ("body",)
        and (isinstance(err.get("input"), bytes | str) or err.get("type") == "missing")
        for err in errors
    )
    if not_json:
        return error_response(
            ErrorCode.INVALID_JSON,
            "the request body is not valid JSON (send it with Content-Type: application/json)",
        )
    return error_response(
        ErrorCode.INVALID_REQUEST,
        "the request does not match the API; see details",
        _validation_details(exc),
    )


async def _on_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.code, exc.message, exc.details, headers=exc.headers)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, ErrorCode.INVALID_REQUEST)
    # Starlette's headers matter: a 405 names the allowed methods in Allow.
    return error_response(code, str(exc.detail), status=exc.status_code, headers=exc.headers)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s", request.url.path)
    return error_response(ErrorCode.INTERNAL_ERROR, "internal error; the server log has the cause")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)


class BodySizeLimit:
    """ASGI middleware: refuse bodies over ``max_bytes`` with 413, before the app sees them.

    Checks Content-Length up front; a streamed (chunked) body is read and counted
    here, then replayed to the app, so the app never holds more than the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = error_response(
            ErrorCode.PAYLOAD_TOO_LARGE,
            f"the request body exceeds {self.max_bytes} bytes: split the batch",
        )
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await too_large(scope, receive, send)
                return
        messages: list[Message] = []
        received = 0
        while True:
            message = await receive()
            messages.append(message)
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                await too_large(scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
