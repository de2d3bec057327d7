"""Clients for the verifier: async with batching, concurrency, retries and several URLs, and a
sync facade that works anywhere (scripts, threads, notebooks with a running event loop).

Large inputs are split into batches of ``batch_size`` items, sent concurrently (at most
``max_concurrency`` requests in flight), spread round-robin over ``urls``, and put back in
order. Retries follow a :class:`~rlvr.trainer.retry.RetryPolicy` (connection errors and
429/502/503/504, on the next URL); the requests are idempotent, so a retry never
double-counts anything. A busy service's ``Retry-After`` (429 or 503) is waited out, for up
to ``busy_wait_s`` in all. Errors are typed (:mod:`rlvr.trainer.errors`).

Each ``/verify`` request carries a deadline (``X-Request-Timeout``, by default 90% of
``timeout_s``): items the service could not start by then come back ``status: timeout``,
``deadline_exceeded`` (unscorable, :mod:`rlvr.trainer.verdicts`) rather than the whole
request outliving the client's patience and being sent again.

Connections are long-lived: an :class:`AsyncVerifierClient` keeps one connection pool per
event loop, and a :class:`VerifierClient` runs one on a private event-loop thread for its
whole life, whatever thread or loop calls it. Both pickle (to their settings), so reward
functions holding them can cross into a spawned process.

>>> VerifierClient("http://127.0.0.1:8000").urls
['http://127.0.0.1:8000']
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import os
import threading
import weakref
from collections.abc import Coroutine, Sequence
from typing import Any, Literal, TypeVar

import httpx

from .errors import ConfigError
from .retry import RetryPolicy, post_json

DEFAULT_URL = "http://127.0.0.1:8000"
# The service's deadline header: items still queued then come back deadline_exceeded
# instead of the request outliving the client's own timeout (servers without it ignore it).
DEADLINE_HEADER = "X-Request-Timeout"
DEADLINE_SHARE = 0.9  # of timeout_s, by default: the answer arrives before the client gives up
MAX_DEADLINE_S = 86_400.0
T = TypeVar("T")


def split_urls(url: str | Sequence[str] | None) -> list[str]:
    """``url`` (or ``$RLVR_URL``, or the default) as a list: comma-separated or a sequence."""
    if url is None:
        url = os.environ.get("RLVR_URL", DEFAULT_URL)
    listed = url.split(",") if isinstance(url, str) else list(url)
    return [u.strip().rstrip("/") for u in listed if u.strip()]


def _request_fields(
    rewards: Sequence[str] | None,
    weights: dict[str, float] | None,
    options: dict[str, Any] | None,
) -> dict[str, Any]:
    fields = {"rewards": list(rewards) if rewards else None, "weights": weights, "options": options}
    return {key: value for key, value in fields.items() if value is not None}


class AsyncVerifierClient:
    """``POST /verify``, ``/vote`` and ``/analyze`` for inputs of any size."""

    def __init__(
        self,
        url: str | Sequence[str] | None = None,
        batch_size: int = 1024,
        max_concurrency: int = 4,
        timeout_s: float = 600.0,
        retries: int = 4,
        backoff_s: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
        busy_wait_s: float = 600.0,
        deadline_s: float | Literal["auto"] | None = "auto",
    ) -> None:
        self.urls = split_urls(url)
        if not self.urls:
            raise ConfigError("no verifier URL: pass url= or set RLVR_URL")
        if batch_size < 1 or max_concurrency < 1:
            raise ConfigError("batch_size and max_concurrency must be at least 1")
        self.batch_size, self.max_concurrency = batch_size, max_concurrency
        self.timeout_s = timeout_s
        deadline = round(DEADLINE_SHARE * timeout_s, 3) if deadline_s == "auto" else deadline_s
        if deadline is not None and not 0 < deadline <= MAX_DEADLINE_S:
            raise ConfigError(f"deadline_s must be in (0, {MAX_DEADLINE_S:g}] seconds, or None")
        self.deadline_s = deadline
        self.policy = RetryPolicy(retries, backoff_s, busy_wait_s=busy_wait_s)
        self._transport = transport
        self._next_url = itertools.cycle(range(len(self.urls)))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._http: httpx.AsyncClient | None = None
        self._gate: asyncio.Semaphore | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.update(_loop=None, _http=None, _gate=None, _transport=None, _next_url=None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._next_url = itertools.cycle(range(len(self.urls)))

    def _session(self) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        """This loop's connection pool and concurrency gate (made on first use in a loop:
        neither may cross event loops)."""
        loop = asyncio.get_running_loop()
        if self._http is None or self._gate is None or self._loop is not loop:
            self._loop = loop
            self._http = httpx.AsyncClient(timeout=self.timeout_s, transport=self._transport)
            self._gate = asyncio.Semaphore(self.max_concurrency)
        return self._http, self._gate

    async def verify(
        self,
        items: Sequence[dict[str, Any]],
        rewards: Sequence[str] | None = None,
        weights: dict[str, float] | None = None,
        options: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """One result per item, in order, however many items there are."""
        fields = _request_fields(rewards, weights, options)
        headers = {} if self.deadline_s is None else {DEADLINE_HEADER: f"{self.deadline_s:g}"}
        return await self._batched("/verify", "items", list(items), fields, headers)

    async def vote(
        self, prompts: Sequence[dict[str, Any]], k: Sequence[int] = (1,)
    ) -> list[dict[str, Any]]:
        return await self._batched("/vote", "prompts", list(prompts), {"k": list(k)})

    async def analyze(self, completions: Sequence[Any]) -> list[dict[str, Any]]:
        return await self._batched("/analyze", "completions", list(completions), {})

    async def _batched(
        self,
        path: str,
        field: str,
        entries: list[Any],
        extra: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        if not entries:
            return []
        chunks = [entries[i : i + self.batch_size] for i in range(0, len(entries), self.batch_size)]
        answers = await asyncio.gather(
            *(self._post(path, {field: chunk, **extra}, headers) for chunk in chunks)
        )
        return [result for answer in answers for result in answer["results"]]

    async def _post(
        self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        http, gate = self._session()
        async with gate:
            return await post_json(
                http,
                lambda: self.urls[next(self._next_url)] + path,
                body,
                headers=headers,
                policy=self.policy,
            )

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
        self._http = self._gate = self._loop = None


class _LoopThread:
    """An event loop running forever on a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="rlvr-client-loop", daemon=True
        )
        self.thread.start()

    def shutdown(self, client: AsyncVerifierClient) -> None:
        """Close ``client``'s connections on the loop, then stop the loop."""
        if self.loop.is_closed() or not self.thread.is_alive():
            return
        try:
            asyncio.run_coroutine_threadsafe(client.aclose(), self.loop).result(timeout=30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
            if not self.thread.is_alive():
                self.loop.close()


class VerifierClient:
    """The sync facade: blocking calls, served by an :class:`AsyncVerifierClient` that lives
    on a private event-loop thread, so the connections last and no caller's loop is touched.

    Safe from several threads at once; ``submit`` hands back a future instead of blocking
    (``asyncio.wrap_future`` makes it awaitable). ``close()`` (or ``with``) ends it.
    """

    def __init__(self, url: str | Sequence[str] | None = None, **options: Any) -> None:
        self._setup(split_urls(url), options)

    def _setup(self, urls: list[str], options: dict[str, Any]) -> None:
        self.urls, self._options = urls, options
        self.aio = AsyncVerifierClient(urls, **options)  # fails early on bad settings
        self._runner: _LoopThread | None = None
        self._pid = os.getpid()
        self._start_lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"urls": self.urls, "options": self._options}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._setup(state["urls"], state["options"])

    def __enter__(self) -> VerifierClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _loop(self) -> asyncio.AbstractEventLoop:
        with self._start_lock:
            if self._pid != os.getpid():  # a forked child: the parent's thread is not here
                self._runner, self._pid = None, os.getpid()
                self.aio = AsyncVerifierClient(self.urls, **self._options)
            if self._runner is None:
                self._runner = _LoopThread()
                # Closed when the client is, or collected, or at exit: no socket left open.
                self._finalizer = weakref.finalize(self, self._runner.shutdown, self.aio)
            return self._runner.loop

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run ``coroutine`` on the client's loop (where :attr:`aio` lives)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop())

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the client's loop and wait for its result."""
        return self.submit(coroutine).result()

    def verify(
        self,
        items: Sequence[dict[str, Any]],
        rewards: Sequence[str] | None = None,
        weights: dict[str, float] | None = None,
        options: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        return self.run(self.aio.verify(items, rewards, weights, options))

    def vote(
        self, prompts: Sequence[dict[str, Any]], k: Sequence[int] = (1,)
    ) -> list[dict[str, Any]]:
        return self.run(self.aio.vote(prompts, k))

    def analyze(self, completions: Sequence[Any]) -> list[dict[str, Any]]:
        return self.run(self.aio.analyze(completions))

    def close(self) -> None:
        """Close the connections and stop the loop thread (a later call starts them again)."""
        with self._start_lock:
            runner, self._runner = self._runner, None
        if runner is not None and self._pid == os.getpid():
            self._finalizer()
