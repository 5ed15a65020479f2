"""Load the files wagents reads (TOML, JSON, Python), turning every way they break into data.

Nothing here raises for bad content: each loader returns a `Loaded` whose `error` says what is wrong
and where, so that rules can report it as a finding and commands as a one-line error.
"""

from __future__ import annotations

import ast
import codecs
import json
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")

#: Config files larger than this are refused rather than read into memory.
MAX_CONFIG_BYTES = 1024 * 1024
#: Python sources larger than this are refused (a hand-written server module is far smaller).
MAX_SOURCE_BYTES = 1024 * 1024
#: Nesting deeper than this in fastmcp.json is refused before the JSON parser recurses.
MAX_JSON_DEPTH = 64


@dataclass(frozen=True)
class ParseError:
    """Why a file could not be read or parsed, with a 1-based position when there is one."""

    message: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class Loaded(Generic[T]):
    """The outcome of loading one file: the parsed value, or an error (never both)."""

    path: Path
    value: T | None = None
    text: str | None = None
    error: ParseError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def present(path: Path) -> bool:
    """Whether `path` has a directory entry; unlike `Path.exists`, never raises and counts a
    dangling symlink or an entry that cannot be read (its loader then says what is wrong)."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True
    return True


def read_text(
    path: Path, limit: int, *, bom: str = "strip"
) -> tuple[str | None, ParseError | None]:
    """Read a UTF-8 text file, refusing what is not a regular file, unreadable, oversized or
    not UTF-8.

    `bom="strip"` drops a leading UTF-8 byte order mark; `bom="refuse"` reports it (for files
    whose real reader chokes on one). At most `limit` bytes are ever read, even from a file that
    grows or lies about its size.
    """
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            return None, ParseError("is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            return None, ParseError("is not a regular file (a pipe, socket or device)")
        if info.st_size > limit:
            return None, _too_big(info.st_size, limit)
        with path.open("rb") as stream:
            raw = stream.read(limit + 1)
    except FileNotFoundError:
        if path.is_symlink():
            return None, ParseError(f"is a symlink to {path.readlink()}, which does not exist")
        return None, ParseError("does not exist")
    except PermissionError:
        return None, ParseError("cannot be read (permission denied)")
    except OSError as exc:  # symlink loops, I/O errors
        return None, ParseError(f"cannot be read ({exc.strerror or exc})")
    if len(raw) > limit:
        return None, _too_big(len(raw), limit)
    if raw.startswith(codecs.BOM_UTF8):
        if bom == "refuse":
            return None, ParseError(
                "starts with a UTF-8 byte order mark, which FastMCP's loader rejects; "
                "save it as UTF-8 without BOM",
                1,
                1,
            )
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, ParseError(
            f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8", line, column
        )
    return text, None


def _too_big(size: int, limit: int) -> ParseError:
    return ParseError(f"is {_human_bytes(size)}; wagents reads at most {_human_bytes(limit)}")


def load_toml(path: Path) -> Loaded[dict[str, Any]]:
    """Parse a TOML file; errors carry the line and column tomllib reports."""
    text, error = read_text(path, MAX_CONFIG_BYTES)
    if error is not None:
        return Loaded(path, error=error)
    assert text is not None
    try:
        value = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Loaded(path, text=text, error=_toml_error(exc, text))
    return Loaded(path, value=value, text=text)


_TOML_POSITION = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def _toml_error(exc: tomllib.TOMLDecodeError, text: str) -> ParseError:
    message = str(exc)
    if message.endswith("(at end of document)"):
        return ParseError(f"is not valid TOML: {message}", len(text.rstrip("\n").split("\n")))
    match = _TOML_POSITION.match(message)
    if match is None:
        return ParseError(f"is not valid TOML: {message}")
    return ParseError(f"is not valid TOML: {match['msg']}", int(match["line"]), int(match["col"]))


class _DuplicateKey(ValueError):
    pass


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def load_json(path: Path, limit: int = MAX_CONFIG_BYTES) -> Loaded[Any]:
    """Parse a strict JSON file: no BOM, duplicate keys or NaN/Infinity; at most `limit` bytes,
    bounded depth."""
    text, error = read_text(path, limit, bom="refuse")
    if error is not None:
        return Loaded(path, error=error)
    assert text is not None
    if not text.strip():
        return Loaded(path, text=text, error=ParseError("is empty", 1, 1))
    depth_error = _json_depth_error(text)
    if depth_error is not None:
        return Loaded(path, text=text, error=depth_error)
    try:
        value = json.loads(
            text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant
        )
    except json.JSONDecodeError as exc:
        return Loaded(
            path,
            text=text,
            error=ParseError(f"is not valid JSON: {exc.msg}", exc.lineno, exc.colno),
        )
    except _DuplicateKey as exc:
        line = json_key_line(text, str(exc), occurrence=2)
        return Loaded(path, text=text, error=ParseError(f"has a duplicate key {str(exc)!r}", line))
    except ValueError as exc:
        constant = _NON_JSON_CONSTANT.search(text)
        line = text.count("\n", 0, constant.start()) + 1 if constant else None
        return Loaded(path, text=text, error=ParseError(f"is not valid JSON: {exc}", line))
    return Loaded(path, value=value, text=text)


#: Python's json accepts these words; JSON (and other tools) do not.
_NON_JSON_CONSTANT = re.compile(r"(?<![\w\"])-?(?:NaN|Infinity)(?![\w\"])")


def _json_depth_error(text: str) -> ParseError | None:
    """Refuse pathological nesting before `json` recurses into it (strings are skipped)."""
    depth = 0
    in_string = escaped = False
    line = 1
    for char in text:
        if char == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return ParseError(f"nests deeper than {MAX_JSON_DEPTH} levels", line)
        elif char in "]}":
            depth -= 1
    return None


def json_key_line(text: str, key: str, occurrence: int = 1) -> int | None:
    """The 1-based line of the `occurrence`-th `"key":` in JSON text (the last one if fewer)."""
    needle = json.dumps(key)
    lines = [
        number
        for number, line in enumerate(text.splitlines(), 1)
        if re.search(re.escape(needle) + r"\s*:", line)
    ]
    return lines[min(occurrence, len(lines)) - 1] if lines else None


def toml_key_line(text: str, key: str) -> int | None:
    """The 1-based line of the first `key = ...` assignment in TOML text."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return None


def load_python(path: Path) -> Loaded[ast.Module]:
    """Parse a Python source file without running it."""
    text, error = read_text(path, MAX_SOURCE_BYTES)
    if error is not None:
        return Loaded(path, error=error)
    assert text is not None
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        return Loaded(path, text=text, error=ParseError("contains a null byte", line))
    try:
        module = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        return Loaded(
            path,
            text=text,
            error=ParseError(f"has a syntax error: {exc.msg}", exc.lineno, exc.offset),
        )
    except ValueError as exc:  # e.g. "source code string cannot contain null bytes"
        return Loaded(path, text=text, error=ParseError(f"cannot be parsed: {exc}"))
    return Loaded(path, value=module, text=text)


def _human_bytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MiB"
    if size >= 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size} bytes"
