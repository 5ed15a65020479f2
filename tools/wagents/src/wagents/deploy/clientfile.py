"""Put one server entry into a client's JSON config file without losing anything else in it.

The file is read, checked (valid JSON, an object, the servers key an object), the entry is set
under its name, and the result replaces the file atomically after the old content was copied to a
backup beside it. For a client whose file is JSON with comments (VS Code's `mcp.json`), only
the entry's span is rewritten (`files.jsonc`): every comment, trailing comma and byte outside it
stays. For the others a file that is not valid JSON is refused and left as it is. A symlinked
config (dotfile managers) is written through: the link stays, its target changes.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wagents.files import jsonc
from wagents.files.atomic import atomic_write
from wagents.model import UsageError

#: Larger files are not client configs; refuse rather than read them.
MAX_CONFIG_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class MergeOutcome:
    """What `merge_entry` did: `added`, `replaced` or `unchanged`, and the backup it made."""

    path: Path
    action: str
    backup: Path | None


def merge_entry(
    path: Path,
    servers_key: str,
    name: str,
    entry: dict[str, Any],
    now: float | None = None,
    *,
    jsonc: bool = False,
) -> MergeOutcome:
    """Set `data[servers_key][name] = entry` in the JSON file at `path` (created if missing);
    `jsonc` for files the client reads as JSON with comments."""
    target = path.resolve() if path.is_symlink() else path
    old_bytes = _read(target)
    if jsonc and old_bytes is not None and old_bytes.strip():
        return _merge_jsonc(path, target, old_bytes, servers_key, name, entry, now)
    data = _parse(target, old_bytes) if old_bytes is not None else {}
    servers = data.setdefault(servers_key, {})
    if not isinstance(servers, dict):
        raise UsageError(
            f"{path}: {servers_key!r} is a {_json_type(servers)}, not an object; "
            "fix the file first (nothing was changed)"
        )
    if servers.get(name) == entry:
        return MergeOutcome(path, "unchanged", None)
    action = "replaced" if name in servers else "added"
    servers[name] = entry
    new_text = json.dumps(data, indent=_indent(old_bytes), ensure_ascii=False) + "\n"
    return _write(path, target, old_bytes, new_text, action, now)


def _merge_jsonc(
    path: Path,
    target: Path,
    old_bytes: bytes,
    servers_key: str,
    name: str,
    entry: dict[str, Any],
    now: float | None,
) -> MergeOutcome:
    """The JSONC merge: the entry's span rewritten, every other byte kept."""
    try:
        text = old_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text; nothing was changed") from None
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    try:
        data = jsonc.loads(text.removeprefix(bom))
    except jsonc.JsoncError as exc:
        raise UsageError(
            f"{path}:{exc.line}:{exc.column} is not valid JSON with comments ({exc.message}); "
            "fix it or move it away, then run again (nothing was changed)"
        ) from None
    if not isinstance(data, dict):
        raise UsageError(
            f"{path} holds a JSON {_json_type(data)}, not an object; nothing was changed"
        )
    servers = data.get(servers_key, {})
    if not isinstance(servers, dict):
        raise UsageError(
            f"{path}: {servers_key!r} is a {_json_type(servers)}, not an object; "
            "fix the file first (nothing was changed)"
        )
    if servers.get(name) == entry:
        return MergeOutcome(path, "unchanged", None)
    action = "replaced" if name in servers else "added"
    new_text = bom + jsonc.set_value(text.removeprefix(bom), [servers_key, name], entry)
    return _write(path, target, old_bytes, new_text, action, now)


def _write(
    path: Path,
    target: Path,
    old_bytes: bytes | None,
    new_text: str,
    action: str,
    now: float | None,
) -> MergeOutcome:
    backup = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if old_bytes is not None:
            backup = _backup_path(target, now)
            atomic_write(backup, old_bytes)
        atomic_write(target, new_text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    return MergeOutcome(path, action, backup)


def _read(path: Path) -> bytes | None:
    try:
        if path.is_dir():
            raise UsageError(f"{path} is a directory, not a config file")
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise UsageError(f"{path} is too large to be a client config (nothing was changed)")
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def _parse(path: Path, raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text; nothing was changed") from None
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{path}:{exc.lineno}:{exc.colno} is not valid JSON ({exc.msg}); fix it or move it "
            "away, then run again (nothing was changed)"
        ) from None
    if not isinstance(data, dict):
        raise UsageError(
            f"{path} holds a JSON {_json_type(data)}, not an object; nothing was changed"
        )
    return data


def _json_type(value: object) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )


def _indent(raw: bytes | None) -> int | str:
    """The indentation of the existing file (first indented line), 2 spaces by default."""
    for line in (raw or b"").decode("utf-8", "replace").splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and stripped != line:
            prefix = line[: len(line) - len(stripped)]
            return "\t" if prefix.startswith("\t") else len(prefix)
    return 2


def _backup_path(path: Path, now: float | None) -> Path:
    """`<file>.<YYYYmmdd-HHMMSS>.bak` beside the file, never overwriting an earlier backup."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    candidate = path.with_name(f"{path.name}.{stamp}.bak")
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = path.with_name(f"{path.name}.{stamp}-{counter}.bak")
    return candidate
