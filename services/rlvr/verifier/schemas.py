"""The wire models of API v1. ``protos/verifier.schema.json`` is generated from these.

Items are validated one by one: an item that does not fit :class:`VerifyItem`
becomes an :class:`InvalidItem` and comes back as ``status: error`` with code
``invalid_item``, instead of failing the whole batch.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
)

from .domains.base import AnswerOptions
from .domains.fmt import FormatOptions
from .scoring import REWARD_NAMES

Status = Literal["ok", "timeout", "error"]


class ChatMessage(BaseModel):
    """One message of a chat-format completion (as TRL passes conversational data)."""

    role: str
    content: str


def chat_text(completion: str | list[ChatMessage]) -> str:
    """A completion as one string: a chat list is scored by its last message."""
    if isinstance(completion, str):
        return completion
    return completion[-1].content if completion else ""


class VerifyItem(BaseModel):
    """One completion to score against its reference."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="echoed back in the result")
    domain: str = Field(description="scoring domain, e.g. 'math'")
    completion: str | list[ChatMessage] = Field(
        description="model output; for a chat list the last message is scored"
    )
    reference: dict[str, Any] | None = Field(
        None, description="domain-specific gold data, e.g. {'answer': '0.5'} for math"
    )
    num_tokens: int | None = Field(
        None, ge=0, description="completion length in tokens, for the length rewards"
    )

    @property
    def text(self) -> str:
        """The completion as one string."""
        return chat_text(self.completion)


class AnswerChoices(BaseModel):
    """How final answers are read and judged (math and science)."""

    model_config = ConfigDict(extra="forbid")

    strict: bool | None = Field(
        None,
        description="only <answer> tags and \\boxed{} count (R1's rule); "
        "default: the server's RLVR_MATH_STRICT",
    )
    judge: bool = Field(
        False,
        description="ask the server's LLM judge where the rules gave 0 or found no answer "
        "(needs RLVR_JUDGE_URL; details.judge says what it said)",
    )

    def options(self) -> AnswerOptions:
        return AnswerOptions(strict=self.strict, judge=self.judge)


class InvalidItem(BaseModel):
    """Placeholder for an item that failed validation; never sent by clients."""

    id: str | None
    message: str


def _lenient_item(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError as exc:
        raw_id = value.get("id") if isinstance(value, dict) else None
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "item"
        return InvalidItem(
            id=str(raw_id) if isinstance(raw_id, str | int) else None,
            message=f"{where}: {first['msg']}",
        )


# At run time an entry is a VerifyItem or, when it failed validation, an InvalidItem
# (the wrap validator's doing); the schema and the type show the VerifyItem clients send.
ItemEntry = Annotated[VerifyItem, WrapValidator(_lenient_item)]
RewardName = Literal[REWARD_NAMES]  # type: ignore[valid-type]


class VerifyRequest(BaseModel):
    """A batch of items and, optionally, which rewards to compute and how to weigh them."""

    model_config = ConfigDict(extra="forbid")

    items: list[ItemEntry] = Field(min_length=1)
    rewards: list[RewardName] | None = Field(
        None, description="scores to compute; default from the server settings"
    )
    weights: dict[RewardName, float] | None = Field(
        None, description="weight per score; reward = Σ weight·score; default from settings"
    )
    options: FormatOptions | None = Field(None, description="parameters of the format rewards")
    answer: AnswerChoices | None = Field(None, description="how final answers are read")

    @field_validator("rewards")
    @classmethod
    def _no_repeats(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("each reward may be named once")
        return value


class ItemError(BaseModel):
    code: str = Field(description="stable machine-readable code, e.g. 'invalid_reference'")
    message: str


class VerifyResult(BaseModel):
    """The verdict for one item, in the same position as the item."""

    id: str | None
    reward: float | None = Field(description="weighted sum of scores; null if unscorable")
    status: Status
    scores: dict[str, float]
    extracted: str | None
    details: dict[str, Any]
    elapsed_ms: float
    error: ItemError | None = None


class VerifyResponse(BaseModel):
    results: list[VerifyResult]


class VotePrompt(BaseModel):
    """k completions of one prompt, and optionally its reference."""

    model_config = ConfigDict(extra="forbid")

    id: str
    domain: str = Field(description="math, science or logic")
    completions: list[str | list[ChatMessage]] = Field(min_length=1, max_length=4096)
    reference: dict[str, Any] | None = None

    @property
    def texts(self) -> list[str]:
        return [chat_text(c) for c in self.completions]


class VoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompts: list[VotePrompt] = Field(min_length=1, max_length=10_000)
    k: list[int] = Field(default=[1], description="k values for pass@k and maj@k")
    answer: AnswerChoices | None = Field(None, description="as in /verify")

    @field_validator("k")
    @classmethod
    def _positive(cls, value: list[int]) -> list[int]:
        if not value or any(k < 1 for k in value):
            raise ValueError("k values must be positive integers")
        return value


class VoteCluster(BaseModel):
    answer: str
    size: int
    members: list[int] = Field(description="indices of the completions in this cluster")
    correct: bool | None = Field(description="null without a reference")


class VoteResult(BaseModel):
    id: str
    status: Status
    error: ItemError | None = None
    n: int | None = None
    answers: list[str | None] | None = Field(None, description="extracted answer per completion")
    majority: str | None = None
    majority_share: float | None = None
    clusters: list[VoteCluster] | None = None
    correct: int | None = Field(None, description="correct completions (with a reference)")
    pass_at_k: dict[str, float] | None = Field(None, description="unbiased estimator, k ≤ n")
    maj_at_k: dict[str, float] | None = Field(
        None, description="1 if the majority of the first k completions is correct"
    )


class VoteResponse(BaseModel):
    results: list[VoteResult]


class AnalyzeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    completions: list[str | list[ChatMessage]] = Field(min_length=1)

    @property
    def texts(self) -> list[str]:
        return [chat_text(c) for c in self.completions]


class AnalyzeResult(BaseModel):
    counts: dict[str, int] = Field(description="occurrences per behaviour")
    spans: dict[str, list[tuple[int, int, str]]] = Field(
        description="per behaviour: [start, end, matched text] in the completion"
    )
    thinking_words: int
    thinking_chars: int


class AnalyzeResponse(BaseModel):
    results: list[AnalyzeResult]


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    """Body of every 4xx/5xx answer."""

    error: ErrorBody


class SandboxHealth(BaseModel):
    backend: str
    size: int = Field(description="executors the pool keeps")
    ready: int = Field(description="executors idle and ready now")
    recycled: int = Field(description="executors replaced since start")
    last_error: str | None = Field(description="why the last executor could not be started")


class HealthResponse(BaseModel):
    status: Literal["ok"]
    version: str
    workers: int
    pending_items: int
    domains: list[str]
    rewards: list[str]
    sandbox: SandboxHealth | None = Field(description="null when code scoring is off")
