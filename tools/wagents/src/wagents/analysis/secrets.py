"""Find credential literals in files with detect-secrets' detectors (kinds and lines, never values).

detect-secrets (Yelp) keeps the detectors for known token formats (AWS, GitHub, Stripe, Slack,
private keys, JWTs, ...), the keyword detector (`password = "..."`, `"API_KEY": "..."` in code,
JSON, YAML, TOML and dotenv files) and its false-positive filters (`${VAR}` templates, `$VAR`,
indirect references, UUIDs, sequential strings, `# pragma: allowlist secret`). Its two
high-entropy detectors are left out: in server code they mostly find digests and ids. One check
is added: a URL with a password and an empty user name (`redis://:password@host`), which the
Basic Auth detector misses.
"""

from __future__ import annotations

import re
import threading
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
