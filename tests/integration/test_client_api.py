"""The trainer's client against the real service: batching, /vote, /analyze, the sync facade."""

from __future__ import annotations

from rlvr.trainer.client import VerifierClient

from ..conftest import LiveServer


def test_sync_client_splits_and_reassembles(live_server: LiveServer) -> None:
    client = VerifierClient([live_server.url, live_server.url], batch_size=7, max_concurrency=3)
    items = [
        {
            "id": f"i{n}",
            "domain": "math",
            "completion": f"\\boxed{{{n % 5}}}",
            "reference": {"answer": "3"},
        }
        for n in range(50)
    ]
    results = client.verify(items, rewards=["accuracy"])
    assert [r["id"] for r in results] == [it["id"] for it in items]
    assert [r["scores"]["accuracy"] for r in results] == [float(n % 5 == 3) for n in range(50)]
    [voted] = client.vote(
        [
            {
                "id": "p",
                "domain": "math",
                "completions": ["\\boxed{3}", "\\boxed{3.0}", "\\boxed{2}"],
                "reference": {"answer": "3"},
            }
        ],
        k=[1, 3],
    )
    assert voted["majority"] == "3" and voted["pass_at_k"]["3"] == 1.0
    analyzed = client.analyze(["<think>Wait, no.</think>"] * 10)
    assert len(analyzed) == 10 and analyzed[0]["counts"]["backtracking"] == 1
