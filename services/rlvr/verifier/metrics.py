"""Prometheus metrics of the service, kept in a registry of their own per app."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics

# The *_created series double the output and no dashboard of ours reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """Items by domain and status, latencies, pool size and queue depth."""

    def __init__(self, domains: Iterable[str]) -> None:
        self._domains = frozenset(domains)  # any other name is labelled "unknown"
        self.registry = CollectorRegistry()
        self.items = Counter(
            "rlvr_items",
            "Items scored, by domain and status",
            ["domain", "status"],
            registry=self.registry,
        )
        self.item_latency = Histogram(
            "rlvr_item_latency_seconds",
            "Dispatch-to-verdict time of one distinct item",
            ["domain"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.batch_latency = Histogram(
            "rlvr_batch_latency_seconds",
            "Time to answer one /verify request",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.batch_items = Histogram(
            "rlvr_batch_items",
            "Items per /verify request",
            buckets=(1, 8, 64, 256, 1024, 4096, 16384),
            registry=self.registry,
        )
        self.pool_workers = Gauge(
            "rlvr_pool_workers", "Scoring worker processes", registry=self.registry
        )
        self.queue_depth = Gauge(
            "rlvr_queue_depth",
            "Items accepted and not yet scored (distinct items once read); backpressure "
            "compares it to RLVR_MAX_PENDING_ITEMS",
            registry=self.registry,
        )
        self.workers_killed = Gauge(
            "rlvr_workers_killed",
            "Workers killed for a hard timeout or that died, since start",
            registry=self.registry,
        )
        self.worker_restarts = Gauge(
            "rlvr_worker_restarts",
            "Workers replaced since start, by reason "
            "(died, hard_timeout, soft_timeout, rss, tasks)",
            ["reason"],
            registry=self.registry,
        )
        self.inflight_requests = Gauge(
            "rlvr_inflight_requests", "Scoring requests being answered", registry=self.registry
        )
        self.gathered_requests = Histogram(
            "rlvr_gathered_requests",
            "Scoring requests read as one batch (1: not gathered with any other)",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
            registry=self.registry,
        )
        self.refused = Counter(
            "rlvr_requests_refused",
            "Scoring requests refused, by code (overloaded: 429, the queue was too deep)",
            ["code"],
            registry=self.registry,
        )
        self.drain_rate = Gauge(
            "rlvr_drain_rate",
            "Tasks answered per second while there was work, over the last 10 s",
            registry=self.registry,
        )
        self.draining = Gauge(
            "rlvr_draining", "1 while the service drains before stopping", registry=self.registry
        )

        self.judge = Counter(
            "rlvr_judge_verdicts",
            "LLM judge outcomes where the rules gave 0; result=rescued counts rescues",
            ["domain", "result"],
            registry=self.registry,
        )

    def observe_judge(self, domain: str, said: Mapping[str, Any] | None, count: int = 1) -> None:
        """Count what the judge said about ``count`` items (nothing when it was not asked)."""
        if said is not None:
            domain = domain if domain in self._domains else "unknown"
            self.judge.labels(domain=domain, result=str(said.get("status"))).inc(count)

    def observe(self, domain: str, status: str, seconds: float, count: int = 1) -> None:
        """Record ``count`` items that share one verdict computed in ``seconds``."""
        domain = domain if domain in self._domains else "unknown"
        self.items.labels(domain=domain, status=status).inc(count)
        if seconds > 0:
            self.item_latency.labels(domain=domain).observe(seconds)
