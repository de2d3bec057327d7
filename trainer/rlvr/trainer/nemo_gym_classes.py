"""The rlvr NeMo-Gym resources server's classes (nemo-gym 0.7.0), built on demand so that
this package imports without nemo-gym (which needs Python 3.13); see
:mod:`rlvr.trainer.nemo_gym`.

No ``from __future__ import annotations`` here: pydantic and FastAPI read these annotations
at class creation and at route registration, inside a function.
"""

from typing import Any


def build() -> type[Any]:
    """The ``RlvrResourcesServer`` class."""
    from typing import ClassVar

    from nemo_gym.base_resources_server import (
        BaseMultiRewardVerifyResponse,
        BaseResourcesServerConfig,
        BaseVerifyRequest,
        ReverifyMode,
        SimpleResourcesServer,
    )
    from nemo_gym.judge import JudgeError
    from pydantic import ConfigDict, Field

    from .errors import RlvrError
    from .nemo_gym import verify_row
    from .per_sample import DEFAULT_WEIGHTS

    class RlvrResourcesServerConfig(BaseResourcesServerConfig):  # type: ignore[misc]
        # Scoring is a pure function of the request: `gym eval reverify` may re-run it.
        REVERIFY_MODE: ClassVar[ReverifyMode] = ReverifyMode.STATELESS
        rlvr_url: str | None = None
        """The rlvr service (default: $RLVR_URL, then http://127.0.0.1:8000)."""
        rlvr_domain: str = "math"
        """The domain of rows that name none."""
        rlvr_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
        """Score weights; reward_components are each score times its weight."""
        rlvr_options: dict[str, Any] = Field(default_factory=dict)
        """Format options (think_in_prompt defaults to whether the prompt ends with <think>)."""
        rlvr_answer_column: str | None = None
        """The reference column, when not reference/reward_model/answer/solution/expected_answer."""

    class RlvrVerifyRequest(BaseVerifyRequest):  # type: ignore[misc]
        model_config = ConfigDict(extra="allow")  # the dataset row's own columns

    class RlvrVerifyResponse(BaseMultiRewardVerifyResponse):  # type: ignore[misc]
        model_config = ConfigDict(extra="allow")

    class RlvrResourcesServer(SimpleResourcesServer):  # type: ignore[misc]
        """Forwards each rollout's ``/verify`` to the rlvr service."""

        ray_enabled = False
        config: RlvrResourcesServerConfig

        async def verify(self, body: RlvrVerifyRequest) -> RlvrVerifyResponse:
            row = body.model_dump()
            config = self.config
            try:
                fields = await verify_row(
                    row,
                    url=config.rlvr_url,
                    domain=config.rlvr_domain,
                    weights=config.rlvr_weights,
                    options=config.rlvr_options,
                    answer_column=config.rlvr_answer_column,
                )
            except RlvrError as exc:  # after the client's retries: Gym masks and files it
                raise JudgeError(f"rlvr service: {exc}") from exc
            return RlvrVerifyResponse(**(row | fields))

    return RlvrResourcesServer
