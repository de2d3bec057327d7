"""The wire models of API v1. ``protos/verifier.schema.json`` is generated from these.

Items are validated one by one: an item that does not fit :class:`VerifyItem`
becomes an :class:`InvalidItem` and comes back as ``status: error`` with code
``invalid_item``, instead of failing the whole batch (the schema says so: an entry of
``items`` is a VerifyItem or any other value, answered ``invalid_item``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, get_type_hints

from annotated_types import Interval
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from rlvr.trainer.items import is_models

from .domains.base import AnswerOptions
from .domains.fmt import LANGUAGE_SCRIPTS, FormatOptions
from .scoring import REWARD_NAMES, Outcome
from .vocabulary import ErrorCode, Status
from .wire import long_ints_as_text

Reference = Annotated[dict[str, Any] | None, BeforeValidator(long_ints_as_text)]


class ChatMessage(BaseModel):
    """One message of a chat-format completion (as TRL passes conversational data)."""

    role: str
    content: str


def chat_text(completion: str | list[ChatMessage]) -> str:
    """A completion as one string: a chat list is scored by its last message from the model.

    What follows it (a tool's output, a planted user or system turn) is not the model's
    answer, however right it is; a list with no model message has no answer.
    """
    if isinstance(completion, str):
        return completion
    mine = [m.content for m in completion if is_models(m.role)]
    return mine[-1] if mine else ""


class VerifyItem(BaseModel):
    """One completion to score against its reference."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="echoed back in the result")
    domain: str = Field(description="scoring domain, e.g. 'math'")
    completion: str | list[ChatMessage] = Field(
        description="model output; for a chat list the last assistant (or model) message is "
        "scored: a tool's or user's message after it is not the model's answer"
    )
    reference: Reference = Field(
        None, description="domain-specific gold data, e.g. {'answer': '0.5'} for math"
    )
    num_tokens: int | None = Field(
        None, ge=0, le=2**31, description="completion length in tokens, for the length rewards"
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
        strict=True,
        description="only <answer> tags and \\boxed{} count (R1's rule); "
        "default: the server's RLVR_MATH_STRICT",
    )
    judge: bool = Field(
        False,
        strict=True,
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


class _AnyEntry:
    """Schema of an ``items`` entry: a VerifyItem, or any other value (answered invalid_item)."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        other = {"description": "any other value: its result is status error, invalid_item"}
        return {"anyOf": [handler(core_schema), other]}


# At run time an entry is a VerifyItem or, when it failed validation, an InvalidItem
# (the wrap validator's doing); the type shows the VerifyItem clients send.
ItemEntry = Annotated[VerifyItem, WrapValidator(_lenient_item), _AnyEntry]
RewardName = Literal[REWARD_NAMES]  # type: ignore[valid-type]
Weight = Annotated[float, Field(strict=True, ge=-1e6, le=1e6)]
# What a request may set in the integer format options (FormatOptions checks the floor too).
_OPTION_BOUNDS = {
    "min_steps": (1, 10_000),
    "max_length": (1, 10_000_000),
    "overlong_buffer": (1, 10_000_000),
    "ngram_size": (1, 100),
}


def json_int(value: Any) -> Any:
    """A JSON integer as JSON Schema reads one: ``3`` or ``3.0``, never ``"3"`` nor ``true``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a JSON integer")
    return value


def _option_types() -> dict[str, tuple[type, ...]]:
    """The JSON types each format option accepts, from FormatOptions' own annotations."""
    accepted: dict[str, tuple[type, ...]] = {}
    for name, hint in get_type_hints(FormatOptions).items():
        if hint is bool:
            accepted[name] = (bool,)
        elif hint is int:
            accepted[name] = (int,)
        elif hint is float:
            accepted[name] = (int, float)
        else:  # str, or a Literal of strings
            accepted[name] = (str,)
    return accepted


_OPTION_TYPES = _option_types()


def _options_in_bounds(value: Any) -> Any:
    """Check the options' JSON types strictly (no "3" for 3, no true for 1) and the integer
    bounds; an ``overlong_buffer`` beyond ``max_length`` is read as ``max_length`` (the whole
    length range), so setting ``max_length`` alone always works."""
    if not isinstance(value, dict):
        return value
    value = dict(value)
    for name, number in value.items():
        types = _OPTION_TYPES.get(name)
        if types == (int,):
            value[name] = json_int(number)
        elif types is not None and (
            not isinstance(number, types) or (isinstance(number, bool) and bool not in types)
        ):
            kinds = " or ".join(t.__name__ for t in types)
            raise ValueError(f"{name} must be a JSON {kinds}")
    for name, (low, high) in _OPTION_BOUNDS.items():
        number = value.get(name)
        if isinstance(number, int) and not isinstance(number, bool) and not low <= number <= high:
            raise ValueError(f"{name} must be between {low} and {high}")
    length = value.get("max_length", FormatOptions.max_length)
    buffer = value.get("overlong_buffer", FormatOptions.overlong_buffer)
    if isinstance(length, int) and isinstance(buffer, int) and buffer > length:
        value = {**value, "overlong_buffer": length}
    return value


class _OptionsSchema:
    """FormatOptions' schema, with the bounds and languages a request may use."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(core_schema)
        target = handler.resolve_ref_schema(json_schema)
        properties = target["properties"]
        properties["language"]["enum"] = sorted(LANGUAGE_SCRIPTS)
        for name, (low, high) in _OPTION_BOUNDS.items():
            properties[name].update(minimum=low, maximum=high)
        properties["overlong_buffer"]["description"] = "read as max_length when larger"
        return json_schema


Options = Annotated[FormatOptions, BeforeValidator(_options_in_bounds), _OptionsSchema]


class VerifyRequest(BaseModel):
    """A batch of items and, optionally, which rewards to compute and how to weigh them."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    items: list[ItemEntry] = Field(min_length=1)
    rewards: list[RewardName] | None = Field(
        None,
        description="scores to compute; default from the server settings",
        json_schema_extra={"uniqueItems": True},
    )
    weights: dict[RewardName, Weight] | None = Field(
        None, description="weight per score; reward = Σ weight·score; default from settings"
    )
    options: Options | None = Field(None, description="parameters of the format rewards")
    answer: AnswerChoices | None = Field(None, description="how final answers are read")
    deadline_s: Annotated[float, Field(strict=True, gt=0, le=86_400)] | None = Field(
        None,
        description="seconds from the request's arrival after which items still waiting "
        "for a worker come back status timeout, deadline_exceeded, reward null (an item "
        "being scored is finished under the server's item limit); the X-Request-Timeout "
        "header does the same, the earliest wins",
    )

    @field_validator("rewards")
    @classmethod
    def _no_repeats(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("each reward may be named once")
        return value


class ItemError(BaseModel):
    code: ErrorCode = Field(description="stable machine-readable code, e.g. 'invalid_reference'")
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

    @classmethod
    def of(cls, item_id: str | None, outcome: Outcome) -> VerifyResult:
        """The result of the item ``item_id`` whose verdict is ``outcome``."""
        error = outcome.error
        return cls.model_construct(
            id=item_id,
            reward=outcome.reward,
            status=outcome.status,
            scores=outcome.scores,
            extracted=outcome.extracted,
            details=outcome.details,
            elapsed_ms=round(outcome.elapsed_s * 1000, 3),
            error=None
            if error is None
            else ItemError.model_construct(code=error.code, message=error.message),
        )


class VerifyResponse(BaseModel):
    results: list[VerifyResult]


_RESULTS = TypeAdapter(list[VerifyResult])


def results_wire(results: Sequence[VerifyResult]) -> list[dict[str, Any]]:
    """The results' wire form (plain JSON values), from the model: the one place it is built."""
    wire: list[dict[str, Any]] = _RESULTS.dump_python(list(results), mode="json")
    return wire


class VotePrompt(BaseModel):
    """k completions of one prompt, and optionally its reference."""

    model_config = ConfigDict(extra="forbid")

    id: str
    domain: str = Field(description="math, science or logic")
    completions: list[str | list[ChatMessage]] = Field(min_length=1, max_length=4096)
    reference: Reference = None

    @property
    def texts(self) -> list[str]:
        return [chat_text(c) for c in self.completions]


MAX_PROMPTS = 10_000


class VoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompts: list[VotePrompt] = Field(min_length=1, max_length=MAX_PROMPTS)
    k: list[Annotated[int, Interval(ge=1, le=4096), BeforeValidator(json_int)]] = Field(
        default=[1],
        max_length=64,
        description="k values for pass@k and maj@k (none: no pass@k or maj@k); k > n is skipped",
    )
    answer: AnswerChoices | None = Field(None, description="as in /verify")
    think_in_prompt: bool = Field(
        False,
        strict=True,
        description="the prompt's template opened <think> (Qwen3/R1): a completion that never "
        "closes it gives no answer, as in /verify's format option",
    )


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
    error: ItemError | None = Field(
        None, description="set when this completion could not be analysed (counts are then 0)"
    )


class AnalyzeResponse(BaseModel):
    results: list[AnalyzeResult]


class ErrorBody(BaseModel):
    code: ErrorCode
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


class WorkerHealth(BaseModel):
    pid: int | None = Field(description="null while the worker is being replaced")
    rss_mb: float = Field(description="resident memory after its last task")
    tasks: int = Field(description="tasks since it started")
    busy: bool


class HealthResponse(BaseModel):
    """200 when ``ok``; 503 when ``degraded`` (``problems`` says why) or ``draining``."""

    status: Literal["ok", "degraded", "draining"]
    problems: list[str] = Field(description="what makes the service degraded")
    version: str
    workers: int = Field(description="scoring worker processes configured")
    workers_alive: int = Field(description="scoring workers started and ready")
    worker_restarts: dict[str, int] = Field(
        description="workers replaced since start, by reason: died, hard_timeout, "
        "soft_timeout, rss, tasks"
    )
    processes: list[WorkerHealth]
    pending_items: int = Field(
        description="items accepted and not yet scored (distinct items once read), in the "
        "workers and on the sandbox threads; past RLVR_MAX_PENDING_ITEMS new scoring "
        "requests get 429 overloaded"
    )
    inflight_requests: int = Field(description="scoring requests being answered")
    domains: list[str]
    rewards: list[str]
    sandbox: SandboxHealth | None = Field(description="null when code scoring is off")
