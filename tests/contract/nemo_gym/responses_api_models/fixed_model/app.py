"""A NeMo-Gym model server standing in for the policy (no GPU, no vLLM here): it answers
``/v1/responses`` with the reply the prompt dictates, so each dataset row of the contract
test says what the "model" writes. The prompt's last line is ``ECHO <json>`` with ``text``
(the assistant message) and optionally ``reasoning`` (a reasoning item before it).

NeMo-Gym runs it (``python app.py``) in ``.contracts/gym``; its imports wait for that, so
the project's test collection can import this file without nemo-gym.
"""

import json
import time
import uuid
from typing import Any


def _prompt_text(body: Any) -> str:
    entry = body.input if isinstance(body.input, str) else body.input[-1]
    if isinstance(entry, str):
        return entry
    content = entry["content"] if isinstance(entry, dict) else entry.content
    if isinstance(content, str):
        return content
    return "".join(part["text"] if isinstance(part, dict) else part.text for part in content)


def build() -> Any:
    from nemo_gym.base_responses_api_model import (
        BaseResponsesAPIModelConfig,
        SimpleResponsesAPIModel,
    )
    from nemo_gym.openai_utils import NeMoGymResponse, NeMoGymResponseCreateParamsNonStreaming

    class FixedModel(SimpleResponsesAPIModel):  # type: ignore[misc]
        ray_enabled = False
        config: BaseResponsesAPIModelConfig

        async def responses(self, body: NeMoGymResponseCreateParamsNonStreaming) -> NeMoGymResponse:
            reply = json.loads(_prompt_text(body).rsplit("ECHO ", 1)[1])
            output: list[dict[str, Any]] = []
            if reply.get("reasoning"):
                summary = [{"type": "summary_text", "text": reply["reasoning"]}]
                output.append(
                    {"id": f"rs_{uuid.uuid4().hex}", "type": "reasoning", "summary": summary}
                )
            text = {"type": "output_text", "text": reply["text"], "annotations": []}
            output.append(
                {
                    "id": f"msg_{uuid.uuid4().hex}",
                    "type": "message",
                    "role": "assistant",
                    "status": "completed",
                    "content": [text],
                }
            )
            return NeMoGymResponse(
                id=f"resp_{uuid.uuid4().hex}",
                created_at=time.time(),
                model="fixed",
                object="response",
                output=output,
                parallel_tool_calls=False,
                tool_choice="auto",
                tools=[],
            )

        async def chat_completions(self, body: Any) -> Any:
            raise NotImplementedError("fixed_model answers /v1/responses only")

    return FixedModel


if __name__ == "__main__":
    build().run_webserver()
