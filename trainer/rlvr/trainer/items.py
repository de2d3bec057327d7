"""The one rule for turning a dataset record (or a trainer's label) into a ``/verify`` item.

Every path that sends records to the service reads them here: the TRL reward functions,
verl's ``compute_score``, the data jobs, evaluation, and the service's own ``/openrlhf``
route (which imports this module: it is stdlib only, so the service needs nothing more).

A record's **reference**, first match wins:

1. its ``reference`` column;
2. verl's ``reward_model.ground_truth``;
3. its answer column: the one named, else ``answer``, else ``solution`` (TRL's and open-r1's name);
4. HumanEval's and MBPP's columns: ``test`` (a ``check(candidate)``) with ``entry_point``; the
   prompt, when it is text, is the test's trusted setup (the helpers it defines and the
   test calls, such as ``poly`` or ``encode_cyclic``), so the program cannot redefine them.

Whatever the source, the value is read by :func:`reference_of`: a dict is the reference; a
string holding a JSON object is parsed; anything else is ``{"answer": <value>}``. Values come
from JSON, Parquet, Arrow or numpy alike: numpy arrays and scalars become lists and numbers
(a one-element array is its element), keys an Arrow struct filled with ``None`` are dropped,
and the code ground truths of verl, APPS, TACO and PRIME (``inputs``/``outputs``/``fn_name``,
or ``assert_case``) become the service's code tests. A record's own ``domain`` wins over the
job's.

A **completion** is a string or chat messages; a message's reasoning, which chat parsers split
off into ``reasoning_content`` (or ``reasoning``/``thinking``), is put back in front of its
content as ``<think>\\n…\\n</think>\\n``, which is what the model wrote. Messages after the
last assistant message (a tool's output, a planted user turn) are dropped: the service scores
the last message, and only the model's own may be scored. A trainer's decoded
prompt + response (OpenRLHF's query) becomes the response by :func:`response_of`.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

Record = Mapping[str, Any]

ANSWER_COLUMNS = ("answer", "solution")
REASONING_KEYS = ("reasoning_content", "reasoning", "thinking")
MODEL_ROLES = frozenset({"assistant", "model"})  # the roles a policy's own messages have


def is_models(role: str) -> bool:
    """True for a message the model wrote (``assistant``, Gemini's ``model``, any case):
    the service scores a chat completion by the last of these.

    >>> is_models(" Assistant"), is_models("tool")
    (True, False)
    """
    return role.strip().lower() in MODEL_ROLES


# A null here is a value (a function that returns None), not a key Arrow filled in.
_NULL_IS_A_VALUE = frozenset({"expected"})
# End-of-turn, end-of-text and padding tokens as tokenizers spell them: <|im_end|>,
# <|eot_id|>, <｜end▁of▁sentence｜>, </s>, <eos>, <end_of_turn>, <pad>.
_SPECIAL_TOKEN = r"(?:<\|[^<>|\s]{1,40}\|>|<｜[^<>｜\s]{1,40}｜>|</s>|<eos>|<end_of_turn>|<pad>)"
_TRAILING_SPECIALS = re.compile(rf"(?:\s*{_SPECIAL_TOKEN})+\s*$")
_MIN_PROMPT_TAIL = 16  # shorter shared text is too likely to be a coincidence


def plain(value: Any) -> Any:
    """``value`` with numpy/Arrow containers and scalars turned into JSON-ready Python.

    >>> plain({"a": (1, 2), "b": b"x"})
    {'a': [1, 2], 'b': 'x'}
    """
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if hasattr(value, "as_py"):  # a pyarrow scalar
        return plain(value.as_py())
    if hasattr(value, "tolist") and hasattr(value, "dtype"):  # numpy array or scalar
        return plain(value.tolist())
    if isinstance(value, Sequence | set | frozenset):
        return [plain(item) for item in value]
    return value


def _drop_nulls(value: Any) -> Any:
    """Dict keys whose value is None removed, at every depth (Arrow structs carry every key
    of the column's schema, the absent ones as None)."""
    if isinstance(value, dict):
        return {
            key: _drop_nulls(item)
            for key, item in value.items()
            if item is not None or key in _NULL_IS_A_VALUE
        }
    if isinstance(value, list):
        return [_drop_nulls(item) for item in value]
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(_as_text(line) for line in value)
    return json.dumps(value)


def _function_args(line_per_argument: Any) -> list[Any]:
    """APPS/TACO call-based inputs: one JSON value per line (or already a list)."""
    if isinstance(line_per_argument, list):
        return line_per_argument
    return [json.loads(line) for line in str(line_per_argument).split("\n") if line.strip()]


def _json_value(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _code_tests(reference: dict[str, Any]) -> dict[str, Any]:
    """verl/APPS/TACO/PRIME code ground truths as the service's code reference.

    >>> _code_tests({"inputs": ["1 2\\n"], "outputs": ["3\\n"]})
    {'language': 'python', 'tests': [{'stdin': '1 2\\n', 'stdout': '3\\n'}]}
    """
    if "tests" in reference or "test_code" in reference:
        return reference
    rest = {k: v for k, v in reference.items() if k not in ("inputs", "outputs", "assert_case")}
    language = rest.pop("language", "python")
    fn_name = rest.pop("fn_name", None)
    asserts = reference.get("assert_case")
    if isinstance(asserts, list) and asserts:
        # The assertions name the function themselves; check() only gives them a scope.
        body = "\n".join(
            "    " + line for case in asserts for line in str(case).splitlines() if line.strip()
        )
        return {
            **rest,
            "language": language,
            "test_code": f"def check(candidate):\n{body}\n",
            "entry_point": fn_name if isinstance(fn_name, str) and fn_name else "None",
        }
    inputs, outputs = reference.get("inputs"), reference.get("outputs")
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        return reference
    if len(inputs) != len(outputs):
        return reference  # the service answers invalid_reference; not ours to guess
    if isinstance(fn_name, str) and fn_name:
        try:
            tests = [
                {"args": _function_args(i), "expected": _json_value(o)}
                for i, o in zip(inputs, outputs, strict=True)
            ]
        except ValueError:
            return reference
        return {**rest, "language": language, "fn_name": fn_name, "tests": tests}
    tests = [
        {"stdin": _as_text(i), "stdout": _as_text(o)} for i, o in zip(inputs, outputs, strict=True)
    ]
    return {**rest, "language": language, "tests": tests}


def reference_of(label: Any) -> dict[str, Any] | None:
    """A label (a dict, a JSON object string, an answer) as a verifier reference.

    >>> reference_of(4), reference_of('{"answer": "x", "unit": null}'), reference_of(["5"])
    ({'answer': '4'}, {'answer': 'x'}, {'answer': '5'})
    """
    value = plain(label)
    if isinstance(value, list) and len(value) == 1:  # Parquet's one-answer arrays
        value = value[0]
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None  # a set such as "{1, 2}" is an answer, not JSON
        if isinstance(parsed, dict):
            value = parsed
    if value is None:
        return None
    if isinstance(value, dict):
        return _code_tests(_drop_nulls(value))
    if isinstance(value, bool | list):
        return {"answer": value}
    return {"answer": str(value)}


def record_reference(record: Record, answer_column: str | None = None) -> dict[str, Any] | None:
    """The reference of ``record`` (see the module's order of sources).

    >>> record_reference({"solution": "\\\\frac12"}), record_reference({"answer": 4, "solution": 5})
    ({'answer': '\\\\frac12'}, {'answer': '4'})
    """
    if record.get("reference") is not None:
        return reference_of(record["reference"])
    verl_reward = plain(record.get("reward_model"))
    if isinstance(verl_reward, dict) and verl_reward.get("ground_truth") is not None:
        return reference_of(verl_reward["ground_truth"])
    columns = (answer_column,) if answer_column else ANSWER_COLUMNS
    for column in columns:
        if record.get(column) is not None:
            return reference_of(record[column])
    return _assertion_tests(record)


def _assertion_tests(record: Record) -> dict[str, Any] | None:
    """HumanEval/MBPP-shaped records as a ``test_code`` reference; None for any other record.

    >>> record = {"prompt": "def f(): ...", "test": "def check(c): pass", "entry_point": "f"}
    >>> _assertion_tests(record)["test_setup"], _assertion_tests({"test": "assert 1"})
    ('def f(): ...', None)
    """
    test, entry = plain(record.get("test")), plain(record.get("entry_point"))
    if not (isinstance(test, str) and "def check" in test and isinstance(entry, str)):
        return None
    reference = {"language": "python", "test_code": test, "entry_point": entry}
    prompt = plain(record.get("prompt"))
    if isinstance(prompt, str) and _is_python(prompt):
        reference["test_setup"] = prompt
    # A prompt that is not Python (instructions, a chat template) cannot be the setup: the
    # judge would refuse the reference, and every sample would be unscorable. Without it,
    # the program's own helpers are used and ``details.program_helpers`` says so.
    return reference


def _is_python(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return bool(text.strip())


def _content_text(content: Any) -> str:
    """A message's content: a string, or content blocks whose text parts are joined."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(block.get("text", "")) if isinstance(block, Mapping) else str(block)
            for block in content
        )
    return str(content)


def _message(message: Mapping[str, Any]) -> dict[str, str]:
    role = str(message.get("role") or "assistant")
    content = _content_text(message.get("content"))
    reasoning = next(
        (message[key] for key in REASONING_KEYS if isinstance(message.get(key), str)), ""
    )
    if reasoning.strip() and is_models(role):
        content = f"<think>\n{reasoning.strip()}\n</think>\n{content.lstrip()}"
    return {"role": role, "content": content}


def completion_of(completion: Any) -> str | list[dict[str, str]]:
    """A completion as the service takes it: a string, or ``{role, content}`` messages with
    the reasoning put back (the service scores the last message the model wrote: a tool's
    output after it is not the model's answer).

    >>> completion_of([{"role": "assistant", "reasoning_content": "2+2", "content": "4"}])
    [{'role': 'assistant', 'content': '<think>\\n2+2\\n</think>\\n4'}]
    """
    completion = plain(completion)
    if isinstance(completion, dict):
        completion = [completion]
    if isinstance(completion, list):
        return [_message(m) for m in completion if isinstance(m, Mapping)]
    return "" if completion is None else str(completion)


def item_of(
    record: Record,
    item_id: str,
    domain: str,
    completion: Any = None,
    answer_column: str | None = None,
    num_tokens: int | None = None,
) -> dict[str, Any]:
    """The ``/verify`` item for ``record`` (its ``completion`` unless one is given).

    >>> item_of({"completion": "\\\\boxed{4}", "answer": 4}, "0", "math")
    {'id': '0', 'domain': 'math', 'completion': '\\\\boxed{4}', 'reference': {'answer': '4'}}
    """
    item: dict[str, Any] = {
        "id": item_id,
        "domain": str(plain(record.get("domain")) or domain),
        "completion": completion_of(record.get("completion") if completion is None else completion),
        "reference": record_reference(record, answer_column),
    }
    if num_tokens is not None:
        item["num_tokens"] = int(num_tokens)
    return item


def strip_special_tokens(text: str) -> str:
    """``text`` without the special tokens a decoder kept at its end (only there: one
    inside the text is the model's own writing and stays).

    >>> strip_special_tokens("<answer>4</answer><|im_end|><|endoftext|>")
    '<answer>4</answer>'
    """
    return _TRAILING_SPECIALS.sub("", text)


def response_of(query: str, prompt: str | None) -> str | None:
    """The response inside ``query`` = prompt + response, as decoded by a trainer, with
    trailing special tokens removed; ``None`` when the prompt cannot be found in it.

    The prompt is cut off exactly, or, when the trainer cut the front of a long prompt, by
    its longest tail that starts the query. Scoring a query whole would score the prompt
    too (its examples, its ``\\boxed{}``), so an unmatched prompt is never guessed at.

    >>> response_of("Q: 1+1?\\nA: <answer>2</answer></s>", "Q: 1+1?\\nA: ")
    '<answer>2</answer>'
    >>> response_of("an unrelated text", "Q: 1+1?\\nA: ") is None
    True
    """
    if not prompt:
        return strip_special_tokens(query)
    if query.startswith(prompt):
        return strip_special_tokens(query[len(prompt) :])
    start = prompt.find(query[:1], 1)
    while 0 < start <= len(prompt) - _MIN_PROMPT_TAIL:
        if query.startswith(prompt[start:]):
            return strip_special_tokens(query[len(prompt) - start :])
        start = prompt.find(query[:1], start + 1)
    return None
