"""A NeMo-Gym resources server backed by the service (checked against nemo-gym 0.7.0; what it
answers also passes NeMo-RL's check that ``reward`` is the sum of ``reward_components``).

NeMo-Gym runs each resources server from a directory (``app.py``, ``requirements.txt``,
``configs/``, ``data/``) in a venv of its own, made with uv from ``requirements.txt``; it
needs Python 3.13, so the server talks to the service over HTTP like any client. Write
that directory with ``python -m rlvr.trainer.nemo_gym DIR`` and start it::

    NEMO_GYM_EXTRA_ROOTS=DIR gym env start \
        "+config_paths=[DIR/resources_servers/rlvr/configs/rlvr.yaml,<your model config>]"

The agent posts each rollout's dataset row plus the model's ``response`` to ``/verify``: the
completion is the last assistant message of the response (its reasoning items put back as
``<think>…</think>``), the reference the row's ``reference``, verl's ``reward_model``, the
``answer``, ``solution`` or ``expected_answer`` column (``answer_column`` to name another),
the domain the row's ``domain`` or the config's. Concurrent ``/verify`` calls go to the
service as one request. The answer echoes the request, as Gym's servers do, plus:

- ``reward``: the weighted reward, and ``reward_components``: each score times its weight
  (they sum to ``reward``, as NeMo-RL requires; GDPO reads them as ``reward/<name>``);
- ``rlvr_<score>`` (each score, unweighted) and ``rlvr_unscorable``: top-level numbers,
  which ``/aggregate_metrics`` summarises; ``rlvr_verdict`` and ``rlvr_extracted``;
- for an **unscorable** item (no usable reference, the sandbox down), Gym's own "skip":
  ``mask_sample`` (and ``instance_config.mask_sample``, which NeMo-RL reads), with
  ``failure_kind: verifier_error`` and the reason; the reward is then 0.0 and left out of
  the metrics and the loss. A failure of the completion's own doing scores as the worst
  answer (:mod:`rlvr.trainer.verdicts`), never as masked.

A busy service's 429 is waited out here (``Retry-After``), since Gym never retries a status
and NeMo-RL would regenerate the rollout; a service that stays unreachable raises Gym's
``JudgeError``, which masks the row and files it with Gym's failures.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from .errors import RlvrError
from .items import ANSWER_COLUMNS, completion_of, plain, record_reference
from .per_sample import DEFAULT_WEIGHTS, Verdict, format_options, loop_coalescer, verdict_of

SERVER_FILES = Path(__file__).with_name("nemo_gym_server")
SERVER_NAME = "rlvr"
GYM_ANSWER_COLUMN = "expected_answer"  # the column Gym's own datasets use


def _texts(parts: Any) -> str:
    if isinstance(parts, str):
        return parts
    if not isinstance(parts, Sequence):
        return ""
    return "".join(str(part.get("text", "")) for part in parts if isinstance(part, Mapping))


def response_completion(response: Mapping[str, Any]) -> str | list[dict[str, str]]:
    """The model's answer in a Responses API ``response``: the last assistant message, with
    the reasoning items between it and the previous message put back in front.

    >>> response_completion({"output": [
    ...     {"type": "reasoning", "summary": [{"type": "summary_text", "text": "2+2"}]},
    ...     {"type": "message", "role": "assistant", "content": [{"text": "4"}]}]})
    [{'role': 'assistant', 'content': '<think>\\n2+2\\n</think>\\n4'}]
    """
    reasoning: list[str] = []
    last: dict[str, str] | None = None
    for entry in response.get("output") or []:
        if not isinstance(entry, Mapping):
            continue
        kind = entry.get("type")
        if kind == "reasoning":
            text = _texts(entry.get("content")) or _texts(entry.get("summary"))
            if text.strip():
                reasoning.append(text.strip())
        elif kind == "message" and entry.get("role") == "assistant":
            message = {"role": "assistant", "content": _texts(entry.get("content"))}
            if reasoning:
                message["reasoning_content"] = "\n".join(reasoning)
            last, reasoning = message, []
        elif kind == "message":
            reasoning = []  # reasoning before someone else spoke is not this answer's
    completion = completion_of([last]) if last is not None else ""
    return completion


def verify_item(
    row: Mapping[str, Any], domain: str = "math", answer_column: str | None = None
) -> dict[str, Any]:
    """The ``/verify`` item for one Gym ``/verify`` body (the dataset row + ``response``)."""
    ours = ("reference", "reward_model", *ANSWER_COLUMNS)
    if answer_column is None and all(row.get(column) is None for column in ours):
        answer_column = GYM_ANSWER_COLUMN
    return {
        "id": str(row.get("_ng_task_index", "")),
        "domain": str(plain(row.get("domain")) or domain),
        "completion": response_completion(row.get("response") or {}),
        "reference": record_reference(row, answer_column),
    }


def answer_fields(
    verdict: Verdict, weights: Mapping[str, float], names: Sequence[str], row: Mapping[str, Any]
) -> dict[str, Any]:
    """What ``/verify`` adds to the echoed request for ``verdict``.

    >>> v = Verdict(None, None, "unscorable", "", "missing_reference: no reference")
    >>> fields = answer_fields(v, {"accuracy": 1.0}, ["accuracy"], {})
    >>> fields["reward"], fields["mask_sample"], fields["instance_config"]
    (0.0, True, {'mask_sample': True})
    """
    components = verdict.components(weights)
    fields: dict[str, Any] = {
        "reward": sum(components.values()),  # exactly their sum: NeMo-RL checks it
        "reward_components": components,
        **{f"rlvr_{name}": value for name, value in verdict.score_values(names).items()},
        "rlvr_unscorable": float(verdict.unscorable),
        "rlvr_verdict": verdict.label,
        "rlvr_extracted": verdict.extracted,
    }
    if verdict.unscorable:
        config = row.get("instance_config")
        fields |= {
            "mask_sample": True,
            "failure_kind": "verifier_error",
            "failure_reason": f"rlvr could not score this item: {verdict.reason}",
            "instance_config": {
                **(config if isinstance(config, dict) else {}),
                "mask_sample": True,
            },
        }
    return fields


async def verify_row(
    row: Mapping[str, Any],
    *,
    url: str | None = None,
    domain: str = "math",
    weights: Mapping[str, float] | None = None,
    options: Mapping[str, Any] | None = None,
    answer_column: str | None = None,
) -> dict[str, Any]:
    """Score one ``/verify`` body; the fields to add to its echo (raises :class:`RlvrError`
    when the service gives no answer)."""
    weights = dict(weights or DEFAULT_WEIGHTS)
    names = list(weights) if "accuracy" in weights else ["accuracy", *weights]
    item = verify_item(row, domain, answer_column)
    prompt = (row.get("responses_create_params") or {}).get("input")
    chosen = format_options(_prompt_text(prompt), options)
    result = await loop_coalescer(url).verify(item, names, weights, chosen)
    return answer_fields(verdict_of(result, weights, names, chosen), weights, names, row)


def _prompt_text(prompt: Any) -> str:
    """The Responses ``input`` as text: a string, or the last input message's text."""
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, Sequence) and prompt and isinstance(prompt[-1], Mapping):
        return _texts(prompt[-1].get("content"))
    return ""


@cache
def resources_server_class() -> type[Any]:
    """``RlvrResourcesServer``, built on first use (nemo_gym is imported only then)."""
    from .nemo_gym_classes import build

    return build()


def client_spec() -> str:
    """What the server's venv installs the client from: this source tree when the client
    runs from one (``pip install -e ./trainer``), else ``rlvr-client`` from the index."""
    root = Path(__file__).resolve().parents[2]
    manifest = root / "pyproject.toml"
    if manifest.is_file() and 'name = "rlvr-client"' in manifest.read_text():
        return str(root)
    return "rlvr-client"


def write_server(directory: Path, url: str | None = None, client: str | None = None) -> Path:
    """Copy the server directory to ``directory/resources_servers/rlvr`` (the layout Gym
    looks for under ``NEMO_GYM_EXTRA_ROOTS``), with ``url`` in its config and ``client``
    (default :func:`client_spec`) in its requirements; return it."""
    target = directory / "resources_servers" / SERVER_NAME
    if target.exists():
        raise RlvrError(f"{target} exists: remove it, or choose another directory")
    shutil.copytree(SERVER_FILES, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    requirements = target / "requirements.txt"
    spec = client or client_spec()
    requirements.write_text(requirements.read_text().replace("\nrlvr-client\n", f"\n{spec}\n"))
    if url:
        config = target / "configs" / "rlvr.yaml"
        config.write_text(config.read_text().replace("http://127.0.0.1:8000", url))
    return target


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m rlvr.trainer.nemo_gym",
        description="Write the rlvr NeMo-Gym resources server into DIR/resources_servers/rlvr.",
    )
    parser.add_argument("directory", type=Path, help="where NEMO_GYM_EXTRA_ROOTS will point")
    parser.add_argument("--url", help="the rlvr service (default http://127.0.0.1:8000)")
    parser.add_argument(
        "--client",
        help="the requirement the server's venv installs the client by (default: this "
        "source tree if the client runs from one, else rlvr-client)",
    )
    args = parser.parse_args(argv)
    try:
        target = write_server(args.directory, args.url, args.client)
    except RlvrError as exc:
        sys.exit(f"error: {exc}")
    print(
        f"wrote {target.resolve()}\nstart it with NeMo-Gym:\n  "
        f"NEMO_GYM_EXTRA_ROOTS={args.directory.resolve()} "
        f'gym env start "+config_paths=[{target.resolve() / "configs" / "rlvr.yaml"},'
        '<your model config>]"'
    )


if __name__ == "__main__":
    main()
