"""`${VAR}` references in values wagents writes for clients, and refusing literal secrets.

Client configs are files people commit, sync and paste into chats. A credential belongs in the
environment of the client; the config names it: `Authorization=Bearer ${MCP_AUTH_TOKEN}`. These
helpers find the references in a value, rewrite them into a client's own syntax, and refuse a value
that carries a credential itself. Error messages name the key, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from wagents.model import UsageError

#: `${NAME}`, or `${env:NAME}` (the Cursor / VS Code spelling), as accepted on the command line.
REFERENCE = re.compile(r"\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}")
#: A `$` that does not start a reference: `$NAME`, `${}`, `${1X}`, `${env}`.
STRAY_DOLLAR = re.compile(r"\$(?!\{(?:env:)?[A-Za-z_][A-Za-z0-9_]*\})")
#: Words of a key (header or variable name) that say its value is a credential.
SENSITIVE_WORDS = frozenset(
    {
        "apikey",
        "auth",
        "authorization",
        "bearer",
        "cookie",
        "credential",
        "credentials",
        "jwt",
        "key",
        "pass",
        "passwd",
        "password",
        "pat",
        "private",
        "pwd",
        "secret",
        "session",
        "signature",
        "token",
    }
)
SENSITIVE_PARTS = ("token", "secret", "password", "passwd", "apikey", "credential")
#: Scheme words that may stand before a reference: `Bearer ${TOKEN}`, `Basic ${CREDENTIALS}`.
AUTH_SCHEMES = frozenset({"bearer", "basic", "token", "digest", "apikey", "api-key", "key"})
#: Shapes of well-known credentials, anywhere in a value.
TOKEN_SHAPES = re.compile(
    r"(?:sk-[A-Za-z0-9_-]{16,}"  # OpenAI-style API keys
    r"|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"  # GitHub tokens
    r"|glpat-[A-Za-z0-9_-]{16,}"  # GitLab
    r"|xox[abprs]-[A-Za-z0-9-]{10,}"  # Slack
    r"|AKIA[0-9A-Z]{16}"  # AWS access key id
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # a JWT
    r")"
)
#: A long run of letters and digits mixing both (hex digests, base64 keys); paths, UUIDs and
#: hyphenated names break into shorter runs.
LONG_RUN = re.compile(r"[A-Za-z0-9+=]{24,}")


def references(value: str) -> list[str]:
    """The variable names `value` refers to, in order."""
    return REFERENCE.findall(value)


def rewrite(value: str, spell: Callable[[str], str]) -> str:
    """`value` with every reference spelled by `spell(name)` (e.g. `${env:NAME}` for Cursor)."""
    return REFERENCE.sub(lambda match: spell(match.group(1)), value)


def is_sensitive(key: str) -> bool:
    """Whether a header or variable name says its value is a credential."""
    lowered = key.lower()
    words = {word for word in re.split(r"[^a-z0-9]+", lowered) if word}
    return bool(words & SENSITIVE_WORDS) or any(part in lowered for part in SENSITIVE_PARTS)


def looks_like_token(text: str) -> bool:
    """Whether `text` holds something shaped like a credential (a known prefix, a JWT, or a long
    run of letters and digits such as a hex digest or base64 key)."""
    if TOKEN_SHAPES.search(text):
        return True
    for run in LONG_RUN.findall(text):
        if any(char.isdigit() for char in run) and any(char.isalpha() for char in run):
            return True
    return False


def _literal_part(value: str) -> str:
    """What is left of `value` once references and auth-scheme words are taken out."""
    words = REFERENCE.sub(" ", value).split()
    return " ".join(word for word in words if word.lower().rstrip(":") not in AUTH_SCHEMES)


def check_value(what: str, key: str, value: str) -> None:
    """Refuse a value (of header or variable `key`) that carries a credential literally.

    `what` names the option for the message, e.g. `--header`. A value made of references (and
    auth-scheme words such as `Bearer`) is fine; so is plain configuration (`LOG_LEVEL=debug`).
    """
    hint = (
        f"pass a reference instead, e.g. {what} '{key}={_example(key)}' "
        "(single quotes keep your shell from expanding it)"
    )
    stray = STRAY_DOLLAR.search(value)
    if stray is not None:
        raise UsageError(
            f"{what} {key}: write environment references as ${{NAME}} "
            "(letters, digits, underscores), nothing else after a $"
        )
    literal = _literal_part(value)
    if literal and is_sensitive(key):
        raise UsageError(f"{what} {key} holds a literal credential; {hint}")
    if looks_like_token(REFERENCE.sub(" ", value)) or _has_url_secret(value):
        raise UsageError(f"{what} {key} looks like it holds a secret; {hint}")


def check_url(url: str) -> None:
    """Refuse a server URL that carries credentials (`user:pass@`, `?token=...`)."""
    if REFERENCE.search(url) is None and looks_like_token(url):
        raise UsageError(
            "the --http URL looks like it holds a secret; pass credentials in a header "
            "that refers to a variable (--header 'Authorization=Bearer ${MCP_AUTH_TOKEN}')"
        )
    if _has_url_secret(url):
        raise UsageError(
            "the --http URL carries a credential (a password or a token parameter); pass it in "
            "a header that refers to a variable (--header 'Authorization=Bearer ${MCP_AUTH_TOKEN}')"
        )


def _has_url_secret(value: str) -> bool:
    """A URL in `value` with a literal password or a literal credential query parameter."""
    for candidate in re.findall(r"[A-Za-z][A-Za-z0-9+.-]*://\S+", value):
        try:
            parts = urlsplit(candidate)
            password = parts.password
        except ValueError:
            continue
        if password and not REFERENCE.fullmatch(password):
            return True
        for name, item in parse_qsl(parts.query, keep_blank_values=True):
            if is_sensitive(name) and item and not REFERENCE.fullmatch(item):
                return True
    return False


def _example(key: str) -> str:
    variable = re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_").upper() or "SECRET"
    if key.lower() in {"authorization", "proxy-authorization"}:
        return "Bearer ${MCP_AUTH_TOKEN}"
    return f"${{{variable}}}"
