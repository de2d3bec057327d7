"""Send each job where it is scored: worker processes for CPU-bound domains, threads of the
service for domains that wait on a sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from .domains import Domain
from .scoring import Job, Outcome, ScoringPlan, score_item
from .workers import ScoringPool


@dataclass(frozen=True)
class Scorer:
    """Scores jobs with the app's domains (all of them, code included)."""

    pool: ScoringPool
    domains: Mapping[str, Domain]
    threads: ThreadPoolExecutor  # one per sandbox container: no thread waits for one

    async def score(self, jobs: Sequence[Job], plan: ScoringPlan) -> list[Outcome]:
        """Score ``jobs`` (ideally sharing a reference); one Outcome per job, in order."""
        domain = self.domains.get(jobs[0].domain)
        if domain is not None and domain.waits_on_io:
            return await self._score_on_threads(jobs, plan)
        return await self.pool.score(jobs, plan)

    async def _score_on_threads(self, jobs: Sequence[Job], plan: ScoringPlan) -> list[Outcome]:
        """Items that wait on a sandbox: each on a thread, so a group runs in parallel.

        SIGALRM works only on the main thread; the sandbox enforces these items' limits.
        """
        loop = asyncio.get_running_loop()
        threaded = replace(plan, soft_timeout_s=0.0)
        return list(
            await asyncio.gather(
                *(
                    loop.run_in_executor(self.threads, score_item, job, threaded, self.domains)
                    for job in jobs
                )
            )
        )
