"""No input, fault or shutdown loses a batch — against a real service process, with real
faults: hostile values on every route, ``kill -9`` of idle and busy workers, SIGTERM in the
middle of a long batch, a stream of items that time out (worker memory checked after)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from ..conftest import LiveServer, running_server, start_server

SLOW = "\\boxed{2^{2^{2^{100}}}}"  # sympy grinds on it until the soft limit stops it


def _item(item_id: str, completion: str, answer: object = "1", **extra: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "domain": "math",
        "completion": completion,
        "reference": {"answer": answer},
        **extra,
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = {"workers": "2", "item_timeout_s": "2", "kill_grace_s": "1"}
    with running_server(tmp_path_factory.mktemp("reliability"), **settings) as live:
        yield live


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client(timeout=120) as client:
        yield client


def _health(http: httpx.Client) -> dict[str, Any]:
    body: dict[str, Any] = http.get("/health").json()
    return body


def _healthy(http: httpx.Client, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = http.get("/health")
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            if body["workers_alive"] == body["workers"]:
                return body
        time.sleep(0.1)
    raise AssertionError(f"the service did not recover: {http.get('/health').text}")


# -- hostile values -----------------------------------------------------------------------

LONG = "9" * 5000  # past Python's 4,300-digit limit on int(str)


def test_hostile_values_in_items_come_back_as_item_results(http: httpx.Client) -> None:
    items = [
        _item("lone \ud800 surrogate", "\\boxed{1}\udfff"),
        _item("nul\x00byte", "<think>1\x00=1</think><answer>\\boxed{1}</answer>"),
        {
            "id": "inf-m/s2",
            "domain": "science",
            "completion": "\\boxed{1e999 m/s^2}",
            "reference": {"value": 9.8, "unit": "m/s^2"},
        },
        {
            "id": "avogadro-tower",
            "domain": "science",
            "completion": "\\boxed{6.02\\times10^{100000000}}",
            "reference": {"value": 6.02e23},
        },
        {
            "id": "inf-reference",
            "domain": "science",
            "completion": "\\boxed{1}",
            "reference": {"value": 1e999},
        },
        _item("nan-gold", "\\boxed{1}", float("nan")),
        _item("long-gold", f"\\boxed{{{LONG}}}", "LONG"),
        _item("deep-reference", "\\boxed{1}", [[[[[[[[[[[[["deep"]]]]]]]]]]]]]),
        {"id": "no-domain", "completion": "x"},
        ["not", "an", "item"],
    ]
    body = json.dumps({"items": items}).replace('"LONG"', LONG)  # a JSON integer, not a string
    response = http.post("/verify", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["id"] for r in results] == [
        "lone \ud800 surrogate",  # echoed exactly as sent
        "nul\x00byte",
        "inf-m/s2",
        "avogadro-tower",
        "inf-reference",
        "nan-gold",
        "long-gold",
        "deep-reference",
        "no-domain",  # an invalid item still gets its id back
        None,
    ]
    by_id = {r["id"]: r for r in results if r["id"]}
    assert by_id["lone \ud800 surrogate"]["scores"]["accuracy"] == 1.0
    assert by_id["nul\x00byte"]["scores"] == {"accuracy": 1.0, "format": 1.0}
    for name in ("inf-m/s2", "avogadro-tower"):  # overflowing answers are wrong answers
        assert by_id[name]["status"] == "ok" and by_id[name]["scores"]["accuracy"] == 0.0
    assert by_id["long-gold"]["scores"]["accuracy"] == 1.0  # the 5,000-digit gold, compared
    for result in results:
        assert result["status"] in ("ok", "error")
        assert (result["reward"] is None) == (result["status"] == "error")


def test_invalid_utf8_inside_strings_is_read_not_refused(http: httpx.Client) -> None:
    body = b'{"items": [{"id": "a", "domain": "math", "completion": "\\\\boxed{1} \xff\xfe",'
    body += b' "reference": {"answer": "1"}}]}'
    response = http.post("/verify", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert result["scores"]["accuracy"] == 1.0


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("weights", '{"accuracy": 1e999}', "weights"),
        ("weights", f'{{"accuracy": {LONG}}}', "weights"),
        ("options", '{"cosine_max_correct": 1e999}', "options"),
        ("options", f'{{"max_length": {LONG}}}', "options"),
    ],
)
def test_hostile_values_in_request_fields_are_documented_422s(
    http: httpx.Client, field: str, value: str, where: str
) -> None:
    item = json.dumps(_item("a", "\\boxed{1}"))
    body = f'{{"items": [{item}], "{field}": {value}}}'
    response = http.post("/verify", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and any(where in d["loc"] for d in error["details"])


def test_hostile_values_on_the_other_routes(http: httpx.Client) -> None:
    vote = {
        "k": [1, 2],
        "prompts": [
            {
                "id": "v\ud800",
                "domain": "math",
                "completions": ["\\boxed{1}\ud800", "\\boxed{1e999}"],
                "reference": {"answer": "LONG"},
            },
            {
                "id": "sci",
                "domain": "science",
                "completions": ["\\boxed{1e999 m/s^2}"] * 2,
                "reference": {"value": 9.8, "unit": "m/s^2"},
            },
        ],
    }
    response = http.post(
        "/vote",
        content=json.dumps(vote).replace('"LONG"', LONG),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert [r["id"] for r in response.json()["results"]] == ["v\ud800", "sci"]

    analyze = {"completions": ["<think>Wait\ud800, no.\x00</think>", "\udfff"]}
    # json.dumps escapes lone surrogates (httpx's json= cannot encode them at all)
    response = http.post("/analyze", content=json.dumps(analyze))
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["spans"]["backtracking"][0][2] == "Wait"

    openrlhf = {
        "query": ["q \\boxed{1}\ud800", "q \\boxed{1e999}"],
        "prompts": ["q ", "q "],
        "labels": ["1", "LONG"],
    }
    response = http.post(
        "/openrlhf",
        content=json.dumps(openrlhf).replace('"LONG"', LONG),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["rewards"][0] > 0


# -- dead workers -------------------------------------------------------------------------


def test_idle_workers_killed_are_replaced_and_health_tells_the_truth(
    http: httpx.Client,
) -> None:
    before = _healthy(http)
    pids = [p["pid"] for p in before["processes"]]
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while {p["pid"] for p in _health(http)["processes"]} & set(pids):
        assert time.monotonic() < deadline, "health still lists the dead workers"
        time.sleep(0.01)
    after = _healthy(http)
    assert not {p["pid"] for p in after["processes"]} & set(pids)
    assert after["worker_restarts"]["died"] >= before["worker_restarts"].get("died", 0) + 2
    results = http.post("/verify", json={"items": [_item("a", "\\boxed{1}")]}).json()["results"]
    assert results[0]["scores"]["accuracy"] == 1.0


def test_busy_workers_killed_mid_batch_lose_no_item(http: httpx.Client) -> None:
    _healthy(http)
    slow = [_item(f"slow-{n}", SLOW.replace("100", str(100 + n)), "5") for n in range(4)]
    normal = [_item(f"ok-{n}", f"\\boxed{{{n}}}", str(n)) for n in range(40)]
    answer: dict[str, Any] = {}

    def send() -> None:
        answer["response"] = http.post("/verify", json={"items": slow + normal})

    sender = threading.Thread(target=send)
    sender.start()
    killed: set[int] = set()
    deadline = time.monotonic() + 30
    while len(killed) < 2 and time.monotonic() < deadline and sender.is_alive():
        for process in _health(http)["processes"]:
            if process["busy"] and process["pid"] and process["pid"] not in killed:
                os.kill(process["pid"], signal.SIGKILL)
                killed.add(process["pid"])
        time.sleep(0.05)
    sender.join(120)
    assert len(killed) == 2
    response = answer["response"]
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [i["id"] for i in slow + normal]
    assert all(r["status"] == "ok" for r in results)
    assert [r["scores"]["accuracy"] for r in results[4:]] == [1.0] * 40
    assert all(r["scores"]["accuracy"] == 0.0 for r in results[:4])
    _healthy(http)


# -- slow items, memory -------------------------------------------------------------------


def test_a_group_of_slow_items_is_not_serialised(http: httpx.Client) -> None:
    """A GRPO group (one reference) of slow items: each is its own task under its own
    limit, never one task whose hard limit multiplies with the group."""
    before = _healthy(http)["worker_restarts"].get("soft_timeout", 0)
    group = [_item(f"g{n}", SLOW.replace("100", str(200 + n)), "5") for n in range(4)]
    results = http.post("/verify", json={"items": group}).json()["results"]
    assert all(r["details"]["reason"] == "timeout" for r in results)
    assert all(r["details"]["limit_s"] == 2 and "killed" not in r["details"] for r in results)
    # each slow item ran (and recycled) a worker of its own
    assert _healthy(http)["worker_restarts"]["soft_timeout"] - before >= 4


def test_worker_memory_stays_bounded_under_a_stream_of_hostile_items(
    http: httpx.Client,
) -> None:
    hostile = [
        "\\boxed{" + "{" * 3000 + "1" + "}" * 3000 + "}",
        "\\boxed{" + "\\frac{1}{" * 60 + "2" + "}" * 60 + "}",
        "\\boxed{" + "\\sqrt{" * 200 + "2" + "}" * 200 + "}",
        SLOW,
    ]
    for round_ in range(3):
        items = [_item(f"h{round_}-{n}", text, "5") for n, text in enumerate(hostile)]
        items += [_item(f"n{round_}", "\\boxed{5}", "5")]
        results = http.post("/verify", json={"items": items}).json()["results"]
        assert [r["status"] for r in results] == ["ok"] * 5
        assert [r["scores"]["accuracy"] for r in results] == [0.0] * 4 + [1.0]
    health = _healthy(http)
    assert health["worker_restarts"]["soft_timeout"] >= 12
    for process in health["processes"]:
        rss_mb = psutil.Process(process["pid"]).memory_info().rss / 2**20
        assert rss_mb < 400, f"worker {process['pid']} holds {rss_mb:.0f} MiB"


def test_health_answers_while_batches_are_scored(http: httpx.Client) -> None:
    items = [_item(f"b{n}", f"\\boxed{{{n}}}", str(n)) for n in range(300)]
    sender = threading.Thread(target=lambda: http.post("/verify", json={"items": items}))
    sender.start()
    statuses = []
    while sender.is_alive():
        statuses.append(http.get("/health").status_code)
    sender.join()
    assert statuses and set(statuses) == {200}


# -- graceful drain -----------------------------------------------------------------------


def test_sigterm_lets_a_long_batch_finish_and_refuses_new_work(tmp_path: Path) -> None:
    server = start_server(
        tmp_path, workers="1", item_timeout_s="2", kill_grace_s="1", drain_timeout_s="60"
    )
    try:
        slow = [_item(f"s{n}", SLOW.replace("100", str(300 + n)), "5") for n in range(3)]
        items = slow + [_item(f"ok-{n}", f"\\boxed{{{n}}}", str(n)) for n in range(50)]
        answer: dict[str, Any] = {}
        with server.client(timeout=120) as http:

            def send() -> None:
                answer["response"] = http.post("/verify", json={"items": items})

            sender = threading.Thread(target=send)
            sender.start()
            deadline = time.monotonic() + 30
            while _health(http)["inflight_requests"] == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            server.process.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            refused = http.post("/verify", json={"items": [_item("late", "\\boxed{1}")]})
            assert refused.status_code == 503 and refused.headers["retry-after"]
            assert refused.json()["error"]["code"] == "draining"
            health = http.get("/health")
            assert health.status_code == 503 and health.json()["status"] == "draining"
            sender.join(120)
        response = answer["response"]
        assert response.status_code == 200
        results = response.json()["results"]
        assert [r["id"] for r in results] == [i["id"] for i in items]
        assert [r["scores"]["accuracy"] for r in results] == [0.0] * 3 + [1.0] * 50
        assert server.process.wait(timeout=30) == 0
        assert "draining" in server.log.read_text()
    finally:
        if server.process.poll() is None:
            server.process.kill()
