"""Find credential literals in files with detect-secrets' detectors (kinds and lines, never values).

detect-secrets (Yelp) keeps the detectors for known token formats (AWS, GitHub, Stripe, Slack,
private keys, JWTs, ...), the keyword detector (`password = "..."`, `"API_KEY": "..."` in code,
JSON, YAML, TOML and dotenv files) and its false-positive filters (`${VAR}` templates, `$VAR`,
indirect references, UUIDs, sequential strings, `# pragma: allowlist secret`). Its two
high-entropy detectors are left out: in server code they mostly find digests and ids. One check
is added: a URL with a password and an empty user name (`redis://:password@host`), which the
Basic Auth detector misses. One false positive is removed: a URL template in a comment or a
docstring whose password is a placeholder (`# mysql://user:password@host`, `<password>`,
`{password}`, `xxx`, `***`), which documents the format of a setting and holds no secret.
"""

from __future__ import annotations

import io
import re
import threading
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: detect-secrets detectors left out, by class name (see the module docstring).
SKIPPED_DETECTORS = frozenset(
    {"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"}
)
URL_PASSWORD_KIND = "Basic Auth Credentials"
_URL_PASSWORD = re.compile(
    r"\b[a-z][a-z0-9+.-]*://[^\s:/?#@'\"]*:(?P<password>[^\s/?#@'\"]+)@", re.IGNORECASE
)
#: Passwords that stand for one in documentation (issue 16: `user:password@host`, `<password>`,
#: `xxx`), compared case-insensitively.
PLACEHOLDER_PASSWORD = re.compile(
    r"(<[^<>]*>|\{[^{}]*\}|\[[^\[\]]*\]|x{3,}|\*{3,}|\.{3}|…|_+|-+|password|passwd|pass|pwd|pw"
    r"|secret|your[-_]?pass(word)?|my[-_]?pass(word)?|changeme|change[-_]me|placeholder)",
    re.IGNORECASE,
)
#: Comment markers of the configuration formats scanned (TOML, YAML, INI, dotenv).
CONFIG_COMMENT = re.compile(r"(^|\s)[#;]")
# detect-secrets keeps its settings in a process-wide singleton: one scan at a time.
_SETTINGS_LOCK = threading.Lock()


@dataclass(frozen=True)
class SecretHit:
    """A line holding what looks like a credential: where, and which kinds (never the value)."""

    path: Path
    line: int
    kinds: tuple[str, ...]


def scan_files(texts: Mapping[Path, str]) -> list[SecretHit]:
    """Every line of the files `texts` holds (path → text, as read) that holds a credential,
    sorted by path and line."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.core.scan import scan_file
    from detect_secrets.settings import transient_settings

    kinds: dict[tuple[Path, int], set[str]] = {}
    detectors: dict[str, type] = get_mapping_from_secret_type_to_class()
    plugins = [
        {"name": detector.__name__}
        for detector in detectors.values()
        if detector.__name__ not in SKIPPED_DETECTORS
    ]
    with _SETTINGS_LOCK, transient_settings({"plugins_used": plugins}):
        for path in texts:
            for secret in scan_file(str(path)):
                kinds.setdefault((path, secret.line_number), set()).add(secret.type)
    for path, text in texts.items():
        for line in _url_password_lines(text):
            kinds.setdefault((path, line), set()).add(URL_PASSWORD_KIND)
    for path, text in texts.items():
        candidates = {
            line
            for (hit_path, line), found in kinds.items()
            if hit_path == path and URL_PASSWORD_KIND in found
        }
        for line in _documented_placeholders(path, text, candidates):
            found = kinds[(path, line)]
            found.discard(URL_PASSWORD_KIND)
            if not found:
                del kinds[(path, line)]
    return [
        SecretHit(path, line, tuple(sorted(found))) for (path, line), found in sorted(kinds.items())
    ]


def _url_password_lines(text: str) -> list[int]:
    lines = []
    for number, line in enumerate(text.splitlines(), 1):
        if "pragma: allowlist secret" in line:
            continue
        for match in _URL_PASSWORD.finditer(line):
            if not match["password"].startswith("$"):  # ${VAR} and $VAR are references
                lines.append(number)
                break
    return lines


def _documented_placeholders(path: Path, text: str, candidates: set[int]) -> set[int]:
    """The candidate lines whose every URL password is a placeholder inside a comment or a
    docstring (a URL template documenting a setting)."""
    if not candidates:
        return set()
    lines = text.splitlines()
    prose = _python_prose(text) if path.suffix == ".py" else None
    out = set()
    for number in candidates:
        if number > len(lines):
            continue
        line = lines[number - 1]
        matches = list(_URL_PASSWORD.finditer(line))
        if not matches or not all(PLACEHOLDER_PASSWORD.fullmatch(m["password"]) for m in matches):
            continue
        if prose is not None:
            spans = prose.get(number, [])
            inside = all(any(start <= m.start() < end for start, end in spans) for m in matches)
        else:
            comment = CONFIG_COMMENT.search(line)
            inside = comment is not None and all(m.start() > comment.start() for m in matches)
        if inside:
            out.add(number)
    return out


def _python_prose(text: str) -> dict[int, list[tuple[int, int]]]:
    """Line -> column spans of comments and docstrings (strings that are a whole statement)."""
    spans: dict[int, list[tuple[int, int]]] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return spans
    starts = {tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING}
    for index, token in enumerate(tokens):
        if token.type == tokenize.COMMENT:
            spans.setdefault(token.start[0], []).append((token.start[1], token.end[1]))
        elif token.type == tokenize.STRING:
            before = tokens[index - 1].type if index else tokenize.NEWLINE
            after = tokens[index + 1].type if index + 1 < len(tokens) else tokenize.NEWLINE
            if before in starts and after in (tokenize.NEWLINE, tokenize.ENDMARKER):
                for number in range(token.start[0], token.end[0] + 1):
                    spans.setdefault(number, []).append((0, 1 << 30))
    return spans
