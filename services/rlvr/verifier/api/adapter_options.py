"""What the trainer routes (``/openrlhf``, ``/slime``) score, from their URL's query.

Those trainers post a fixed body and let us choose only the URL, so the rewards, weights
and format options ride in its query string; both routes read them here, the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from pydantic import StringConstraints

from ..errors import ApiError
from ..scoring import REWARD_NAMES
from ..settings import Settings
from ..vocabulary import ErrorCode, Score

# ``name:value`` with a known score name and a plain decimal under 1e6 in size, in the
# OpenAPI document too, so that clients (and fuzzers) know the form before they send it.
WEIGHT_PAIR = rf"^\s*({'|'.join(REWARD_NAMES)})\s*:\s*[-+]?(\d{{1,6}}(\.\d*)?|\.\d+)\s*$"
WeightPair = Annotated[str, StringConstraints(pattern=WEIGHT_PAIR)]


def parse_weights(pairs: Sequence[str] | None) -> dict[str, float] | None:
    """``["accuracy:1", "format:0.2"]`` → ``{"accuracy": 1.0, "format": 0.2}``; None if none.

    >>> parse_weights(["format:0.1"])
    {'format': 0.1}
    """
    if not pairs:
        return None
    weights: dict[str, float] = {}
    for pair in pairs:
        name, _, value = pair.partition(":")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise ApiError(
                ErrorCode.INVALID_REQUEST, f"weights={pair!r}: write name:value, e.g. format:0.1"
            ) from None
    return weights


def chosen_scores(
    settings: Settings, rewards: Sequence[str] | None, weights: Sequence[str] | None
) -> tuple[list[str], dict[str, float]]:
    """(the scores to compute, accuracy always among them; their weights), from the query
    or else the server's defaults. Weights for a score that is not computed are refused."""
    chosen = parse_weights(weights)
    names = list(rewards or settings.default_rewards)
    if chosen is None:
        chosen = {k: v for k, v in settings.default_weights.items() if k in names}
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        message = f"weights for {unknown}, which are not in rewards"
        raise ApiError(ErrorCode.INVALID_REQUEST, message)
    # Both trainers filter or log by accuracy, so it is always computed.
    computed = names if Score.ACCURACY in names else [Score.ACCURACY.value, *names]
    return computed, chosen
