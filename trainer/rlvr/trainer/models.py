"""Loading the policy model: a local path or hub name, or ``tiny-qwen2`` built from a config.

``tiny-qwen2`` is a 2-layer Qwen2 model with a byte-level Qwen2 tokenizer and Qwen's chat
markup, made here with nothing downloaded, so GRPO, SFT, generation and budget forcing
all run end to end on CPU in tests.
"""

from __future__ import annotations

from typing import Any

TINY = "tiny-qwen2"

# Qwen's turn markup; the {% generation %} block lets SFT train on assistant tokens only.
TINY_CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['role'] == 'assistant' %}"
    "{% generation %}{{ message['content'] }}<|im_end|>{% endgeneration %}"
    "{% else %}{{ message['content'] }}<|im_end|>{% endif %}{{ '\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def tiny_qwen2() -> tuple[Any, Any]:
    """A 2-layer Qwen2 model and a byte-level Qwen2 tokenizer with no merges (one token per
    byte), built here with nothing downloaded; both save and load like hub checkpoints."""
    from tokenizers import pre_tokenizers
    from transformers import Qwen2Config, Qwen2ForCausalLM, Qwen2Tokenizer

    specials = ["<|endoftext|>", "<|im_end|>", "<|im_start|>"]
    symbols = specials + sorted(pre_tokenizers.ByteLevel.alphabet())
    tokenizer = Qwen2Tokenizer(
        vocab={symbol: i for i, symbol in enumerate(symbols)},
        merges=[],
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>"],
    )
    tokenizer.chat_template = TINY_CHAT_TEMPLATE
    config = Qwen2Config(
        vocab_size=len(symbols),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=2048,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=1,
    )
    return Qwen2ForCausalLM(config), tokenizer


def load_model(name: str) -> tuple[Any, Any]:
    """``(model, tokenizer)`` for ``name``: ``tiny-qwen2``, a local directory or a hub name."""
    if name == TINY:
        return tiny_qwen2()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(name)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return AutoModelForCausalLM.from_pretrained(name), tokenizer


def load_tokenizer(name: str) -> Any:
    if name == TINY:
        return tiny_qwen2()[1]
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(name)
