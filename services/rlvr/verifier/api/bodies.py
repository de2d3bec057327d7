"""Request bodies: read and validated on a thread, never on the event loop.

A 20,000-item body takes a few hundred milliseconds to decode and validate; done on the
event loop, that time is stolen from every other request, ``/health`` included. So the
scoring routes take the raw request and call :func:`read_request`, and their OpenAPI body
schema comes from :func:`request_body` (FastAPI cannot see a body it does not parse).

Routes whose bodies FastAPI does parse (``/openrlhf``) use :class:`ServiceRoute`, whose
request decodes JSON the same tolerant way (:func:`rlvr.verifier.wire.parse_json`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fastapi import FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from ..admission import ARRIVED
from ..errors import ApiError, WireJSON
from ..schemas import ErrorResponse
from ..vocabulary import ErrorCode
from ..wire import parse_json

M = TypeVar("M", bound=BaseModel)
# A body this small is validated on the event loop: well under a millisecond, less than
# the hop to a thread and back (what one-sample trainers send, thousands of times a step).
INLINE_BYTES = 32 * 1024

# Every status a scoring route can answer besides 200, for its OpenAPI description.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in (
        (400, "the body is not JSON (invalid_json)"),
        (413, "too many entries or too many bytes (too_many_items, payload_too_large)"),
        (422, "the JSON does not fit the request's schema (invalid_request)"),
        (429, "the queue is too deep (overloaded): send again after Retry-After seconds"),
        (500, "a bug (internal_error); the server log has the cause"),
        (503, "the service is draining or lost its workers (draining, worker_crashed)"),
    )
}


def _validate(body: bytes, model: type[M], count: Callable[[M], int], limit: int, what: str) -> M:
    try:
        raw = parse_json(body)
    except ValueError as exc:
        raise ApiError(ErrorCode.INVALID_JSON, f"the request body is not JSON: {exc}") from None
    try:
        request = model.model_validate(raw)
    except ValidationError as exc:
        details = [
            {"loc": ["body", *map(str, err["loc"])], "msg": err["msg"], "type": err["type"]}
            for err in exc.errors()[:20]
        ]
        message = "the request does not match the API; see details"
        raise ApiError(ErrorCode.INVALID_REQUEST, message, details) from None
    # A request that fits the schema but not this server's max_items: 413, split it.
    entries = count(request)
    if entries > limit:
        message = f"{entries} {what}; the limit is {limit}: split the batch"
        raise ApiError(ErrorCode.TOO_MANY_ITEMS, message)
    return request


async def read_request(
    request: Request, model: type[M], count: Callable[[M], int], limit: int, what: str
) -> M:
    """The body as ``model``, or an :class:`ApiError` (invalid_json, invalid_request,
    too_many_items); ``count(body)`` says how many entries count against ``limit``."""
    body = await request.body()
    if len(body) <= INLINE_BYTES:
        return _validate(body, model, count, limit, what)
    return await asyncio.to_thread(_validate, body, model, count, limit, what)


async def respond(build: Callable[[], Any], inline: bool = False) -> Response:
    """A JSON response whose payload is built and rendered on a thread (or right here,
    when the caller knows it is ``inline``-small)."""
    if inline:
        return Response(WireJSON(build()).body, media_type="application/json")
    content = await asyncio.to_thread(lambda: WireJSON(build()).body)
    return Response(content, media_type="application/json")


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` that documents ``model`` as a route's JSON body."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def install_openapi(app: FastAPI, bodies: Sequence[type[BaseModel]]) -> None:
    """Add the request models the scoring routes read themselves to the app's OpenAPI."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            _, defs = models_json_schema(
                [(model, "validation") for model in bodies],
                ref_template="#/components/schemas/{model}",
            )
            known = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in defs.get("$defs", {}).items():
                if name in known and known[name] != definition:
                    raise RuntimeError(f"two different OpenAPI schemas are named {name}")
                known[name] = definition
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


class ServiceRequest(Request):
    """A request whose JSON body is decoded tolerantly, on a thread."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            self._json = await asyncio.to_thread(parse_json, body)
        return self._json


class ServiceRoute(APIRoute):
    """An APIRoute for the scoring routes: its endpoint receives a :class:`ServiceRequest`,
    and its OpenAPI lists every error status a route of this service can answer (429
    ``overloaded`` included: :class:`rlvr.verifier.admission.AdmissionMiddleware` refuses
    work while the queue is too deep, before the body is read)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        kwargs["responses"] = {**ERROR_RESPONSES, **(kwargs.get("responses") or {})}
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()

        async def tolerant(request: Request) -> Response:
            # AdmissionMiddleware noted the arrival (and refused the request when the
            # queue was too deep) before the body was read; this is for apps without it.
            request.scope.setdefault(ARRIVED, asyncio.get_running_loop().time())
            response: Response = await handler(ServiceRequest(request.scope, request.receive))
            return response

        return tolerant
