"""The language-neutral wire contract: JSON Schema of every API v1 body.

``protos/verifier.schema.json`` is this module's output, committed so that
clients in any language can generate types from it. A test fails when the file
and the models drift apart; regenerate with::

    python -m rlvr.verifier.contract > protos/verifier.schema.json
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from . import __version__
from .schemas import (
    AnalyzeRequest,
    AnalyzeResponse,
    ErrorResponse,
    HealthResponse,
    VerifyRequest,
    VerifyResponse,
    VoteRequest,
    VoteResponse,
)
from .vocabulary import BLAME, REQUEST_ERRORS

_BODIES: dict[str, tuple[type[BaseModel], JsonSchemaMode]] = {
    "POST /verify request": (VerifyRequest, "validation"),
    "POST /verify response": (VerifyResponse, "serialization"),
    "error response": (ErrorResponse, "serialization"),
    "GET /health response": (HealthResponse, "serialization"),
    "POST /vote request": (VoteRequest, "validation"),
    "POST /vote response": (VoteResponse, "serialization"),
    "POST /analyze request": (AnalyzeRequest, "validation"),
    "POST /analyze response": (AnalyzeResponse, "serialization"),
}


def build_contract() -> dict[str, Any]:
    """The contract as a JSON-serialisable dict (deterministic for a given code base)."""
    keys, defs = models_json_schema(
        list(_BODIES.values()),
        ref_template="#/$defs/{model}",
    )
    bodies = {name: keys[(model, mode)] for name, (model, mode) in _BODIES.items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "rlvr verifier API v1",
        "version": __version__,
        "bodies": bodies,
        "error_codes": {
            "request": {code.value: status for code, status in REQUEST_ERRORS.items()},
            "item": {code.value: blame.value for code, blame in BLAME.items()},
        },
        "$defs": defs["$defs"],
    }


def render() -> str:
    return json.dumps(build_contract(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(render(), end="")
