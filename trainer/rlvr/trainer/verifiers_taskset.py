"""The ``rlvr-verifiers`` taskset's classes (verifiers 0.4.0, v1 API), built on demand so
that this package imports without verifiers installed; see :mod:`rlvr.trainer.verifiers`.

No ``from __future__ import annotations`` here: pydantic reads these annotations at class
creation, inside a function.
"""

from typing import Any


def build() -> type[Any]:
    """The ``RlvrTaskset`` class (and its task, data and config classes)."""
    import verifiers.v1 as vf
    from pydantic import ConfigDict, Field

    from .per_sample import DEFAULT_WEIGHTS
    from .verifiers import read_rows, service_verdict

    class RlvrData(vf.TaskData):  # type: ignore[misc]
        """A row: the prompt, its reference columns (kept as given), its domain."""

        model_config = ConfigDict(frozen=True, extra="allow")

        reference: Any = None
        domain: str | None = None

    class RlvrTaskConfig(vf.TaskConfig):  # type: ignore[misc]
        url: str | None = None
        """The service, e.g. http://127.0.0.1:8000 (default: $RLVR_URL, then that)."""
        weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
        """Score weights; the reward is their weighted sum, as the service computes it."""
        options: dict[str, Any] = Field(default_factory=dict)
        """Format options (think_in_prompt defaults to whether the prompt ends with <think>)."""
        domain: str = "math"
        """The domain of rows that name none."""
        answer_column: str | None = None
        """The reference column when it is not reference/reward_model/answer/solution."""

    class RlvrTask(vf.Task[RlvrData, vf.State, RlvrTaskConfig]):  # type: ignore[misc]
        async def _verdict(self, task: Any, trace: Any) -> Any:
            config = self.config
            return await service_verdict(
                task,
                trace,
                url=config.url,
                domain=config.domain,
                weights=config.weights,
                options=config.options,
                answer_column=config.answer_column,
            )

        @vf.metric  # type: ignore[untyped-decorator]
        async def rlvr(self, task: Any, trace: Any) -> dict[str, float]:
            """Every score, unweighted (recorded, not summed)."""
            verdict = await self._verdict(task, trace)
            return dict(verdict.scores)

        @vf.reward(weight=1.0)  # type: ignore[untyped-decorator]
        async def reward(self, task: Any, trace: Any) -> float:
            """The service's weighted reward (the same request as the metric's)."""
            verdict = await self._verdict(task, trace)
            return float(verdict.reward)

    class RlvrTasksetConfig(vf.TasksetConfig):  # type: ignore[misc]
        path: str
        """A .jsonl or .parquet file of rows (prompt, reference/answer/solution, domain?)."""
        prompt_column: str = "prompt"
        task: RlvrTaskConfig = RlvrTaskConfig()

    class RlvrTaskset(vf.Taskset[RlvrTask, RlvrTasksetConfig]):  # type: ignore[misc]
        """Tasks from a file; their rewards come from the rlvr service."""

        def load(self) -> Any:
            config = self.config
            for number, row in enumerate(read_rows(config.path)):
                fields = {k: v for k, v in row.items() if k not in RESERVED}
                data = RlvrData(
                    id=str(row.get("id", number)),
                    prompt=row.get(config.prompt_column),
                    **fields,
                )
                yield RlvrTask(data, config.task)

    # Row columns that would clash with TaskData's own fields of another meaning.
    RESERVED = frozenset({"id", "idx", "prompt", "name", "timeout", "resources", "image"})
    return RlvrTaskset
