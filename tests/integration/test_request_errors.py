"""Bad requests get a clear 4xx with a stable code, never a 500, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from rlvr.verifier.schemas import ErrorResponse

from ..conftest import LiveServer, running_server

ITEM = {"id": "a", "domain": "math", "completion": "\\boxed{1}", "reference": {"answer": "1"}}


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A service with tight limits, so the limits can be hit cheaply."""
    limits = {
        "workers": "1",
        "max_items": "5",
        "max_body_bytes": "20000",
        "max_completion_chars": "1000",
        "max_reference_chars": "200",
    }
    with running_server(tmp_path_factory.mktemp("small"), **limits) as server:
        yield server


@pytest.fixture
def small(small_server: LiveServer) -> Iterator[httpx.Client]:
    with small_server.client() as http:
        yield http


def _error(response: httpx.Response, status: int, code: str) -> ErrorResponse:
    assert response.status_code == status, response.text
    body = ErrorResponse.model_validate(response.json())
    assert body.error.code == code
    assert body.error.message
    return body


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b"{bad", {"content-type": "application/json"}),
        (b"{bad", {}),
        (b"", {"content-type": "application/json"}),
        (b"\xff\xfe", {"content-type": "application/json"}),
    ],
)
def test_malformed_json(small: httpx.Client, content: bytes, headers: dict[str, str]) -> None:
    _error(small.post("/verify", content=content, headers=headers), 400, "invalid_json")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ([ITEM], "body"),
        ({"items": ITEM}, "items"),
        ({"items": []}, "items"),
        ({}, "items"),
        ({"items": [ITEM], "rewards": ["accuracy", "speed"]}, "rewards"),
        ({"items": [ITEM], "rewards": ["accuracy", "accuracy"]}, "rewards"),
        ({"items": [ITEM], "weights": {"accuracy": "high"}}, "weights"),
        ({"items": [ITEM], "weights": {"nope": 1.0}}, "weights"),
        ({"items": [ITEM], "options": {"language": "klingon"}}, "options"),
        ({"items": [ITEM], "options": {"mode": "loose"}}, "options"),
        ({"items": [ITEM], "extra": 1}, "extra"),
    ],
)
def test_wrong_shapes(small: httpx.Client, body: object, where: str) -> None:
    error = _error(small.post("/verify", json=body), 422, "invalid_request").error
    assert error.details and any(where in d["loc"] for d in error.details)


def test_too_many_items(small: httpx.Client) -> None:
    body = _error(small.post("/verify", json={"items": [ITEM] * 6}), 413, "too_many_items")
    assert "split the batch" in body.error.message


def test_oversized_body_by_content_length(small: httpx.Client) -> None:
    big = {"items": [{**ITEM, "completion": "x" * 30_000}]}
    _error(small.post("/verify", json=big), 413, "payload_too_large")


def test_oversized_body_streamed_without_length(small: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"items": [{"id": "a", "domain": "math", "completion": "'
        for _ in range(30):
            yield b"x" * 1000
        yield b'"}]}'

    response = small.post("/verify", content=chunks(), headers={"content-type": "application/json"})
    _error(response, 413, "payload_too_large")


def test_oversized_strings_are_charged_to_whoever_sent_them(small: httpx.Client) -> None:
    items = [
        ITEM,
        {**ITEM, "id": "long", "completion": "\\boxed{1}" + "x" * 1000},  # the model's
        {**ITEM, "id": "big-ref", "reference": {"answer": "1" * 300}},  # the dataset's
        {**ITEM, "id": "i" * 600},  # the caller's
    ]
    ok, long, big_ref, long_id = small.post("/verify", json={"items": items}).json()["results"]
    assert ok["status"] == "ok" and ok["scores"]["accuracy"] == 1.0
    # One character over the limit is a wrong answer, never a skipped item.
    assert long["status"] == "ok" and long["scores"] == {"accuracy": 0.0, "format": 0.0}
    assert long["details"] == {"reason": "too_large", "chars": 1009} and long["reward"] == 0.0
    assert big_ref["error"]["code"] == "invalid_reference" and big_ref["reward"] is None
    assert long_id["error"]["code"] == "item_too_large" and long_id["reward"] is None


def test_unknown_route_and_method(small: httpx.Client) -> None:
    _error(small.get("/nope"), 404, "not_found")
    not_allowed = small.get("/verify")
    _error(not_allowed, 405, "method_not_allowed")
    assert not_allowed.headers["allow"] == "POST"


def test_health_and_metrics(small: httpx.Client) -> None:
    health = small.get("/health").json()
    assert health["status"] == "ok" and health["problems"] == []
    assert health["workers"] == health["workers_alive"] == 1 and "math" in health["domains"]
    assert health["processes"][0]["pid"] > 0
    small.post("/verify", json={"items": [ITEM]})
    metrics = small.get("/metrics").text
    for name in (
        "rlvr_items_total",
        "rlvr_item_latency_seconds_bucket",
        "rlvr_pool_workers 1.0",
        "rlvr_queue_depth",
        "rlvr_batch_latency_seconds_count",
        "rlvr_inflight_requests 0.0",
        "rlvr_draining 0.0",
    ):
        assert name in metrics
    assert 'rlvr_items_total{domain="math",status="ok"}' in metrics


def test_openapi_docs(small: httpx.Client) -> None:
    assert small.get("/docs").status_code == 200
    schema = small.get("/openapi.json").json()
    assert "/verify" in schema["paths"] and "VerifyRequest" in schema["components"]["schemas"]
