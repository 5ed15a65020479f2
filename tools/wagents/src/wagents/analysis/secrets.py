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

Importing and configuring detect-secrets costs about 70 ms. Given a `Prefilter` (what an earlier
run learnt from the installed detect-secrets), a text detect-secrets could find nothing in is not
handed to it (`finds_nothing`), and a server with no other text does not import it.
"""

from __future__ import annotations

import configparser
import functools
import io
import os
import re
import threading
import tokenize
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

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


@dataclass(frozen=True)
class Prefilter:
    """What the installed detect-secrets needs to see before it can report a text's line: the
    pattern such a line matches (`detector_triggers()`) and the type it gives a file name's
    suffix (`file_type`), on which its transformers depend."""

    triggers: str
    file_type: Callable[[str], str]


def detector_triggers() -> str:
    """The pattern every line a detector in use reports matches (see `_triggers`); configures
    detect-secrets."""
    with _SETTINGS_LOCK:
        return _configured()[0].pattern


def file_type(suffix: str) -> str:
    """The name of the type detect-secrets gives a file name ending in `suffix` (`.py`:
    "PYTHON", `.yaml`: "YAML", one it does not know: "OTHER")."""
    from detect_secrets.util.filetype import determine_file_type

    return determine_file_type("file" + suffix).name


def finds_nothing(path: Path, text: str, triggers: re.Pattern[str], prefilter: Prefilter) -> bool:
    """Whether detect-secrets' `scan_file` is sure to find nothing in `text` (as `path`).

    It scans the lines its transformers give when one of them can parse the file, else the
    lines as they are (see `_scan_text`). So it finds nothing when no line as it is matches the
    `triggers`, and no transformer parses the file: the YAML one (for its YAML types), the INI
    one (any file, parsed as detect-secrets' `IniFileParser` does) and the eager INI one (for
    the type "OTHER": the same with a `[global]` header put in front). A text one of them could
    parse goes to detect-secrets, which decides.
    """
    # detect-secrets splits the name so (Path.suffix differs for a name that ends in a dot).
    kind = prefilter.file_type(os.path.splitext(str(path))[1])  # noqa: PTH122
    if kind == "YAML":
        return False
    if any(triggers.search(line.rstrip()) for line in io.StringIO(text, newline=None)):
        return False
    if _ini_sections(text):
        return False
    return not (kind == "OTHER" and _ini_sections("[global]\n" + text))


def _ini_sections(content: str) -> bool:
    """Whether detect-secrets' `IniFileParser` could read `content` (a ConfigParser reading it
    without an error finds a section); any surprise counts as yes."""
    parser = configparser.ConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(content)
    except configparser.Error:
        return False
    except Exception:
        return True
    return bool(parser.sections())


def scan_files(texts: Mapping[Path, str], prefilter: Prefilter | None = None) -> list[SecretHit]:
    """Every line of the files `texts` holds (path → text, as read) that holds a credential,
    sorted by path and line. With a `prefilter`, the texts `finds_nothing` is sure of are not
    handed to detect-secrets (the same findings, see tests/test_secret_scan.py)."""
    kinds: dict[tuple[Path, int], set[str]] = {}
    pending = dict(texts)
    if prefilter is not None:
        pattern = re.compile(prefilter.triggers)
        pending = {
            path: text
            for path, text in pending.items()
            if not finds_nothing(path, text, pattern, prefilter)
        }
    if pending:
        with _SETTINGS_LOCK:
            triggers = _configured()
            for path, text in pending.items():
                for line, kind in _scan_text(path, text, triggers):
                    kinds.setdefault((path, line), set()).add(kind)
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


@functools.cache
def _configured() -> list[re.Pattern[str]]:
    """Configure detect-secrets with the detectors in use, once per process (its settings are a
    process-wide singleton; re-configuring them for every server cost about 10 ms each), and
    return their triggers. Called with _SETTINGS_LOCK held."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import cache_bust, configure_settings_from_baseline

    detectors: dict[str, type] = get_mapping_from_secret_type_to_class()
    plugins = [
        {"name": detector.__name__}
        for detector in detectors.values()
        if detector.__name__ not in SKIPPED_DETECTORS
    ]
    cache_bust()
    configure_settings_from_baseline({"plugins_used": plugins})
    return [_union(_triggers())]


def _union(patterns: list[re.Pattern[str]]) -> re.Pattern[str]:
    """One pattern that a line matches exactly when it matches one of `patterns` (each keeps its
    own flags, scoped): one search per line instead of one per detector."""

    def scoped(pattern: re.Pattern[str]) -> str:
        flags = "".join(
            letter
            for flag, letter in ((re.I, "i"), (re.M, "m"), (re.S, "s"), (re.X, "x"))
            if pattern.flags & flag
        )
        return f"(?{flags}:{pattern.pattern})" if flags else f"(?:{pattern.pattern})"

    return re.compile("|".join(scoped(pattern) for pattern in patterns))


def _triggers() -> list[re.Pattern[str]]:
    """A pattern for each detector in use that no line it reports can lack: its own denylist
    patterns, and for the keyword detector its keywords (every pattern it tries contains one).
    A line that none of them matches cannot yield a secret, so it skips detect-secrets' costly
    per-detector calls; the lines that do go through detect-secrets exactly as `scan_file` sends
    them (same lines, same context, same filters)."""
    from detect_secrets.plugins import keyword
    from detect_secrets.settings import get_plugins

    patterns: list[re.Pattern[str]] = []
    for plugin in get_plugins():
        if isinstance(plugin, keyword.KeywordDetector):
            patterns.append(re.compile(keyword.DENYLIST_REGEX, re.IGNORECASE))
        else:
            patterns += list(plugin.denylist)
    return patterns


def _scan_text(path: Path, text: str, triggers: list[re.Pattern[str]]) -> Iterator[tuple[int, str]]:
    """`(line, kind)` of every secret detect-secrets' `scan_file` finds in `text` as `path`.

    The same steps as `detect_secrets.core.scan.scan_file` on the text already read: the file
    filters, its line sets (transformed, then with the eager transformers only when the first set
    found nothing), the line and secret filters; only lines no detector could match are left out.
    """
    from detect_secrets.core import scan
    from detect_secrets.settings import get_plugins
    from detect_secrets.transformers import get_transformed_file
    from detect_secrets.types import NamedIO
    from detect_secrets.util.code_snippet import get_code_snippet

    filename = str(path)
    if scan._is_filtered_out(required_filter_parameters=["filename"], filename=filename):
        return
    for eager in (False, True):
        stream = _NamedText(text, filename)
        lines = get_transformed_file(cast(NamedIO, stream), use_eager_transformers=eager)
        if not lines:
            if eager:
                return
            stream.seek(0)
            lines = stream.readlines()
        found = False
        for number, raw in enumerate(lines, start=1):
            line = raw.rstrip()
            if not any(trigger.search(line) for trigger in triggers):
                continue
            context = get_code_snippet(lines=lines, line_number=number)
            if scan._is_filtered_out(
                required_filter_parameters=["line"], filename=filename, line=line, context=context
            ):
                continue
            for plugin in get_plugins():
                for secret in scan._scan_line(
                    plugin=plugin, filename=filename, line=line, line_number=number, context=context
                ):
                    if not scan._is_filtered_out(
                        required_filter_parameters=["context"],
                        filename=secret.filename,
                        secret=secret.secret_value,
                        plugin=plugin,
                        line=line,
                        context=context,
                    ):
                        found = True
                        yield number, secret.type
        if found:
            return


class _NamedText(io.StringIO):
    """A text as the file object detect-secrets' transformers read (they look at `.name`)."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text, newline=None)
        self.name = name


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
