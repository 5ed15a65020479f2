"""The token cost of a tool list: a documented, deterministic estimate (no tokenizer, no download).

A client puts each tool's definition in the model's context on every turn: its name, title,
description and input schema (the output schema and `_meta` stay with the client). wagents
estimates the tokens of that part as the length of its compact JSON (keys sorted, no spaces) in
characters divided by `CHARS_PER_TOKEN`, rounded up, per tool; a server's cost is the sum. Four
characters per token is the usual rule of thumb for English text with BPE tokenizers; JSON
punctuation costs more, plain prose less, and every model's tokenizer differs, so read the figure
as an order of magnitude, the same on every machine. No tokenizer is used: none that ships its
vocabulary inside a well-kept package covers the models clients use, and nothing may be
downloaded at run time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

#: Characters per token of the estimate.
CHARS_PER_TOKEN = 4
#: The parts of a tool definition a client hands the model.
MODEL_KEYS = ("name", "title", "description", "inputSchema")
#: The default threshold of the tool-budget rule: Anthropic recommends deferring tools to a tool
#: search once definitions pass 10,000 tokens (https://www.anthropic.com/engineering/advanced-tool-use).
DEFAULT_BUDGET = 10_000


def model_view(tool: dict[str, Any]) -> dict[str, Any]:
    """The part of a tool's wire JSON a client puts in the model's context."""
    return {key: tool[key] for key in MODEL_KEYS if tool.get(key) is not None}


def tool_tokens(tool: dict[str, Any]) -> int:
    """The estimated tokens of one tool definition (see the module docstring)."""
    text = json.dumps(model_view(tool), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def list_tokens(tools: Iterable[dict[str, Any]]) -> int:
    """The estimated tokens of a whole tool list."""
    return sum(tool_tokens(tool) for tool in tools)
