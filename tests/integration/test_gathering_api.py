"""Cross-request batching and deadlines against a real service over HTTP: concurrent one-item
requests with one plan are scored as one batch (identical items once), requests with other
plans never see each other's results, a client that hangs up takes nothing from the others,
and a deadline cuts what has not started while a slow completion is still charged.

One worker, so that a slow item holds the only worker and what follows waits in the queue.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ..conftest import LiveServer, running_server

SLOW = "\\boxed{2^{2^{2^{100}}}}"  # sympy grinds on it until the soft limit stops it
ACCURACY = {"rewards": ["accuracy"], "weights": {"accuracy": 1.0}}
BOTH = {"rewards": ["accuracy", "format"], "weights": {"accuracy": 0.5, "format": 0.5}}


def _item(item_id: str, completion: str, answer: object) -> dict[str, Any]:
    reference = {"answer": answer}
    return {"id": item_id, "domain": "math", "completion": completion, "reference": reference}


def _slow(n: int) -> str:
    return SLOW.replace("100", str(100 + n))


@pytest.fixture(scope="module")
def gathering(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = {
        "workers": "1",
        "item_timeout_s": "1.5",
        "kill_grace_s": "1",
        "gather_ms": "100",  # wide, so that concurrent test requests surely meet
        "sandbox_backend": "off",
    }
    with running_server(tmp_path_factory.mktemp("gathering"), **settings) as live:
        yield live


def _metric(server: LiveServer, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` with ``labels`` on ``/metrics``."""
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    total = 0.0
    for line in text.splitlines():
        match = re.match(r"^([a-z_]+)(\{[^}]*\})? (\S+)$", line)
        if match is None or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(key) == value for key, value in labels.items()):
            total += float(match.group(3))
    return total


def _scored_jobs(server: LiveServer) -> float:
    """Distinct jobs scored so far (one latency sample per job, however many items share it)."""
    return _metric(server, "rlvr_item_latency_seconds_count", domain="math")


async def _post_all(url: str, requests: list[tuple[str, dict[str, Any]]]) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        return list(await asyncio.gather(*(http.post(path, json=body) for path, body in requests)))


def _idle(server: LiveServer) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        health = httpx.get(f"{server.url}/health", timeout=10)
        if health.status_code == 200 and health.json()["pending_items"] == 0:
            return
        time.sleep(0.05)
    raise AssertionError(f"the service did not go idle: {health.text}")


def test_concurrent_one_item_requests_are_one_batch_and_repeats_score_once(
    gathering: LiveServer,
) -> None:
    _idle(gathering)
    jobs, batches, requests = (
        _scored_jobs(gathering),
        _metric(gathering, "rlvr_gathered_requests_count"),
        _metric(gathering, "rlvr_gathered_requests_sum"),
    )
    # 48 one-sample requests, as OpenRLHF sends: 6 prompts x 8 samples, 3 distinct answers each
    bodies = []
    for n in range(48):
        prompt, answer = n // 8, n % 3
        completion = f"<answer>\\boxed{{{prompt + answer}}}</answer>"
        bodies.append(("/verify", {"items": [_item(f"r{n}", completion, str(prompt))], **ACCURACY}))
    responses = asyncio.run(_post_all(gathering.url, bodies))
    for n, response in enumerate(responses):
        assert response.status_code == 200, response.text
        [result] = response.json()["results"]
        assert result["id"] == f"r{n}"
        assert result["reward"] == (1.0 if n % 3 == 0 else 0.0), result
    gathered = _metric(gathering, "rlvr_gathered_requests_sum") - requests
    assert gathered == 48
    assert _metric(gathering, "rlvr_gathered_requests_count") - batches < 48
    # 6 prompts x 3 answers: 18 distinct jobs at most, whatever the batches' borders
    assert _scored_jobs(gathering) - jobs <= 18


def test_concurrent_requests_with_other_plans_never_get_each_others_results(
    gathering: LiveServer,
) -> None:
    _idle(gathering)
    completion = "<think>two</think><answer>\\boxed{2}</answer>"
    requests: list[tuple[str, dict[str, Any]]] = []
    for n in range(24):
        kind = n % 4
        if kind == 0:
            requests.append(("/verify", {"items": [_item(f"a{n}", completion, "2")], **ACCURACY}))
        elif kind == 1:
            requests.append(("/verify", {"items": [_item(f"b{n}", completion, "2")], **BOTH}))
        elif kind == 2:  # a wrong answer to the same text: its own reference
            requests.append(("/verify", {"items": [_item(f"c{n}", completion, "3")], **BOTH}))
        else:
            body = {"prompt": "q", "response": completion, "label": "2"}
            requests.append(("/slime?rewards=accuracy&rewards=format&weights=format:1", body))
    responses = asyncio.run(_post_all(gathering.url, requests))
    for n, response in enumerate(responses):
        assert response.status_code == 200, response.text
        body = response.json()
        kind = n % 4
        if kind == 3:
            assert (body["score"], body["accuracy"], body["format"]) == (1.0, 1.0, 1.0)
            continue
        [result] = body["results"]
        assert result["id"] == f"{'abc'[kind]}{n}"
        if kind == 0:
            assert result["scores"] == {"accuracy": 1.0} and result["reward"] == 1.0
        elif kind == 1:
            assert result["scores"] == {"accuracy": 1.0, "format": 1.0}
            assert result["reward"] == 1.0
        else:
            assert result["scores"] == {"accuracy": 0.0, "format": 1.0}
            assert result["reward"] == 0.5


def test_a_client_that_hangs_up_takes_nothing_from_the_others(gathering: LiveServer) -> None:
    _idle(gathering)
    jobs = _scored_jobs(gathering)
    shared = [_item("s1", "\\boxed{11}", "11"), _item("s2", "\\boxed{12}", "13")]
    mine = [_item("mine", "\\boxed{14}", "14")]

    async def main() -> tuple[httpx.Response, httpx.Response]:
        async with httpx.AsyncClient(base_url=gathering.url, timeout=60) as http:
            blocker = asyncio.ensure_future(
                http.post("/verify", json={"items": [_item("b", _slow(1), "5")], **ACCURACY})
            )
            await asyncio.sleep(0.3)  # the only worker is busy with it
            async with httpx.AsyncClient(base_url=gathering.url, timeout=0.6) as impatient:
                leaving = asyncio.ensure_future(
                    impatient.post("/verify", json={"items": shared + mine, **ACCURACY})
                )
                staying = asyncio.ensure_future(
                    http.post("/verify", json={"items": shared[::-1], **ACCURACY})
                )
                with pytest.raises(httpx.TimeoutException):
                    await leaving  # it hangs up while everything still waits for the worker
            return await blocker, await staying

    blocker, staying = asyncio.run(main())
    assert blocker.json()["results"][0]["details"]["reason"] == "timeout"
    assert [(r["id"], r["status"], r["reward"]) for r in staying.json()["results"]] == [
        ("s2", "ok", 0.0),
        ("s1", "ok", 1.0),
    ]
    _idle(gathering)
    # the blocker and the two shared items; "mine", wanted by nobody any more, never ran
    assert _scored_jobs(gathering) - jobs == 3


def test_a_deadline_cuts_what_has_not_started_and_charges_what_is_slow(
    gathering: LiveServer,
) -> None:
    _idle(gathering)
    items = [_item("slow", _slow(2), "5")] + [
        _item(f"q{n}", f"\\boxed{{{n}}}", str(n)) for n in range(5)
    ]
    started = time.monotonic()
    response = httpx.post(
        f"{gathering.url}/verify", json={"items": items, "deadline_s": 0.3, **ACCURACY}, timeout=60
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["id"] for r in results] == [i["id"] for i in items]
    slow, *queued = results
    # it had started: finished under the item limit and charged (no skip to be had)
    assert (slow["status"], slow["reward"], slow["details"]["reason"]) == ("ok", 0.0, "timeout")
    for result in queued:
        assert (result["status"], result["reward"]) == ("timeout", None)
        assert result["error"]["code"] == "deadline_exceeded"
    assert elapsed < 1.5 + 1 + 2  # the item limit, its kill grace, and slack: not all six


def test_the_deadline_header_and_query_reach_every_scoring_route(gathering: LiveServer) -> None:
    _idle(gathering)

    async def main() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=gathering.url, timeout=60) as http:
            blocker = asyncio.ensure_future(
                http.post("/verify", json={"items": [_item("b", _slow(3), "5")], **ACCURACY})
            )
            await asyncio.sleep(0.3)
            sample = {"prompt": "q", "response": "\\boxed{4}", "label": "4"}
            late = await asyncio.gather(
                http.post(
                    "/verify",
                    json={"items": [_item("v", "\\boxed{4}", "4")]},
                    headers={"X-Request-Timeout": "0.2"},
                ),
                http.post("/slime", json=sample, headers={"X-Request-Timeout": "0.2"}),
                http.post("/slime?deadline_s=0.2", json=sample),
                http.post(
                    "/openrlhf?deadline_s=0.2",
                    json={"query": ["q\\boxed{4}"], "prompts": ["q"], "labels": ["4"]},
                ),
            )
            await blocker
            return late

    verify, slime_header, slime_query, openrlhf = asyncio.run(main())
    assert verify.json()["results"][0]["error"]["code"] == "deadline_exceeded"
    for slime in (slime_header, slime_query):
        body = slime.json()
        # not the completion's doing: flagged unscorable, never the worst answer's penalty
        assert (body["verdict"], body["unscorable"], body["score"]) == ("unscorable", 1.0, 0.0)
    logs = openrlhf.json()["extra_logs"]
    assert logs["unscorable"] == [1.0]
    for bad in ("0", "-1", "nan", "soon"):
        refused = httpx.post(
            f"{gathering.url}/verify",
            json={"items": [_item("v", "\\boxed{4}", "4")]},
            headers={"X-Request-Timeout": bad},
        )
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_request"


def test_without_gathering_each_request_is_scored_alone(tmp_path: Path) -> None:
    settings = {"workers": "1", "gather_ms": "0", "sandbox_backend": "off"}
    with running_server(tmp_path, **settings) as server:
        bodies = [
            ("/verify", {"items": [_item(f"r{n}", "\\boxed{7}", "7")], **ACCURACY})
            for n in range(16)
        ]
        responses = asyncio.run(_post_all(server.url, bodies))
        assert all(r.json()["results"][0]["reward"] == 1.0 for r in responses)
        assert _metric(server, "rlvr_gathered_requests_count") == 16
        assert _scored_jobs(server) == 16  # the same item, scored once per request
