"""Find hidden instructions in text a server hands to a model (tool-poisoning signs).

Tool, prompt and resource descriptions reach the model verbatim and are rarely read by the
user who approves a tool. A poisoned description hides orders for the model in them: tags such as
`<IMPORTANT>`, "ignore previous instructions", requests to read `~/.ssh` or `.env` files or to
send data somewhere, or characters the user cannot see (zero-width, bidirectional controls,
Unicode tag characters). `scan` returns where each sign is; `excerpt` shows one safely.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Hit:
    """One sign of a hidden instruction: what kind, and where in the text."""

    reason: str
    start: int
    end: int


_WORDS = r"(?:\w+\W+){0,6}?"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "an instruction tag",
        re.compile(
            r"<\s*/?\s*(?:important|system|instructions?|hidden|admin|override|critical"
            r"|assistant|sys)\b[^<>]{0,80}>"
            r"|<\|\s*(?:im_start|im_end|system|endoftext)\s*\|>|\[/?(?:INST|SYS)\]",
            re.IGNORECASE,
        ),
    ),
    (
        "an order to ignore earlier instructions",
        re.compile(
            r"\b(?:ignore|disregard|forget|override|bypass)\s+"
            + _WORDS
            + r"(?:previous|prior|above|earlier|preceding|other|system|original)\s+"
            r"(?:instructions?|prompts?|rules|directions|guidelines|messages?)",
            re.IGNORECASE,
        ),
    ),
    (
        "an order to keep something from the user",
        re.compile(
            r"\b(?:do\s+not|don'?t|never)\s+(?:tell|inform|mention|show|reveal|notify|alert)\b"
            r"[^.\n]{0,40}?\buser\b"
            r"|\bwithout\s+(?:telling|informing|notifying|alerting|asking)\s+(?:the\s+)?user\b"
            r"|\b(?:the\s+)?user\s+(?:must|should|need)\s+not\s+(?:know|see|be\s+told|notice)",
            re.IGNORECASE,
        ),
    ),
    (
        "a reference to secret files",
        re.compile(
            r"~/\.ssh\b|\.ssh/|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\.aws/credentials|\.netrc\b"
            r"|\.pgpass\b|/etc/(?:passwd|shadow)\b|\.docker/config\.json|\.kube/config"
            r"|(?:cursor|claude|vscode|codeium)\S*/mcp\.json|(?<![\w.-])\.env(?![\w-])",
            re.IGNORECASE,
        ),
    ),
    (
        "a request for credentials",
        re.compile(
            r"\b(?:read|cat|include|send|upload|forward|copy|attach|append|leak|exfiltrate"
            r"|extract|dump|collect)\b\s+"
            + _WORDS
            + r"(?:credentials|secrets|passwords?|private\s+keys?|api\s+keys?|access\s+tokens?"
            r"|session\s+tokens?|cookies)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "a request to send data elsewhere",
        re.compile(
            r"\bexfiltrat\w*"
            r"|\b(?:send|post|upload|forward|transmit|leak|copy|mail|email)\b[^.\n]{0,80}?"
            r"\bto\s+(?:https?://|ftp://|[\w.+-]+@[\w-]+\.[\w.-]+)",
            re.IGNORECASE,
        ),
    ),
]

_JOINER = "\u200d"


def scan(text: str) -> list[Hit]:
    """Every sign of a hidden instruction in `text`, in order of position."""
    hits = [
        Hit(reason, match.start(), match.end())
        for reason, pattern in _PATTERNS
        for match in pattern.finditer(text)
    ]
    hits += [
        Hit(f"an invisible character ({describe(char)})", index, index + 1)
        for index, char in enumerate(text)
        if is_hidden(text, index)
    ]
    return sorted(hits, key=lambda hit: (hit.start, hit.reason))


def is_hidden(text: str, index: int) -> bool:
    """Whether `text[index]` is a character a reader does not see (or sees wrongly).

    Format characters (category Cf: zero-width spaces and joiners, bidirectional controls, the
    byte order mark, Unicode tag characters), control characters other than tab and newline,
    private-use and unassigned code points, and the variation selectors that can smuggle data.
    A zero-width joiner inside an emoji sequence is what it seems and is allowed.
    """
    char = text[index]
    category = unicodedata.category(char)
    if char == _JOINER:
        before = text[index - 1] if index > 0 else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        return not (_is_emoji_part(before) and _is_emoji_part(after))
    if category == "Cc":
        return char not in "\t\n\r"
    if category in ("Cf", "Co", "Cn"):
        return True
    return 0xE0100 <= ord(char) <= 0xE01EF  # variation selectors supplement


def _is_emoji_part(char: str) -> bool:
    return bool(char) and (
        unicodedata.category(char) == "So" or 0xFE00 <= ord(char) <= 0xFE0F or char == "\u20e3"
    )


def describe(char: str) -> str:
    """`U+200B ZERO WIDTH SPACE`."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}"


def excerpt(text: str, hit: Hit, width: int = 40) -> str:
    """The hit with up to `width` characters of context, on one line, hidden characters escaped.

    Nothing invisible or bidirectional survives: a finding must not carry the attack itself to
    the terminal or the CI log that shows it.
    """
    start = max(0, hit.start - width)
    end = min(len(text), hit.end + width)
    shown = "".join(_visible(text, index) for index in range(start, end))
    return ("…" if start > 0 else "") + shown + ("…" if end < len(text) else "")


def _visible(text: str, index: int) -> str:
    char = text[index]
    if char in "\n\r\t":
        return " "
    if is_hidden(text, index) or unicodedata.category(char) in ("Zl", "Zp"):
        code = ord(char)
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    return char


def schema_texts(schema: Any, where: str) -> list[tuple[str, str]]:
    """(where, text) for every `description` and `title` in a JSON schema, nested ones too."""
    found: list[tuple[str, str]] = []
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key in ("description", "title") and isinstance(value, str):
                found.append((f"{where}.{key}", value))
            else:
                found += schema_texts(value, f"{where}.{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found += schema_texts(value, f"{where}[{index}]")
    return found


def describe_where(where: str) -> str:
    """`input_schema.properties.city.description` → `parameter 'city' description`."""
    match = re.fullmatch(
        r"(?:input_schema|parameters)\.properties\.([^.]+)\.(description|title)", where
    )
    if match:
        return f"parameter {match[1]!r} {match[2]}"
    return where
