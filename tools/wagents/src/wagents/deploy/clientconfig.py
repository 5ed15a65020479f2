"""MCP client configuration for a server: the entry each client understands, and where it lives.

Every client takes a JSON object of servers by name; they differ in the key holding it, whether an
entry names its `type`, how an HTTP entry looks, and how a value refers to an environment variable:

- claude-desktop: the OS's claude_desktop_config.json, `mcpServers`, stdio only, `${VAR}`.
- claude-code: `<root>/.mcp.json`, `mcpServers`, `type: stdio|http`, `${VAR}`.
- cursor: `<root>/.cursor/mcp.json`, `mcpServers`, no `type` (HTTP is `url`), `${env:VAR}`.
- vscode: `<root>/.vscode/mcp.json`, `servers`, `type: stdio|http`, `${env:VAR}`.
- json: a file you name, `mcpServers`, `type: http` for HTTP, `${VAR}`.

A stdio entry starts the server the way it is deployed: `uv run --directory <absolute server dir>
fastmcp run <source>:<entrypoint> --transport stdio --no-banner`. uv finds the workspace from the
server directory and runs it in the workspace environment (syncing it first when needed);
`fastmcp run` honours fastmcp.json's source and entrypoint and needs no `__main__` block.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wagents.deploy import envrefs
from wagents.model import UsageError
from wagents.workspace.server import ServerFiles

CLIENTS = ("claude-desktop", "claude-code", "cursor", "vscode", "json")
OPERATING_SYSTEMS = ("mac", "windows", "linux")
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Client:
    """How one client spells its server entries."""

    name: str
    servers_key: str
    stdio_type: bool
    http_type: bool
    http_supported: bool
    env_reference: str  # a format with `{name}`
    #: The client reads its file as JSON with comments (VS Code): merges keep the comments.
    jsonc: bool = False

    def spell(self, value: str) -> str:
        """`value` with its `${VAR}` references in this client's syntax."""
        return envrefs.rewrite(value, lambda name: self.env_reference.format(name=name))


CLIENT_SPECS = {
    "claude-desktop": Client("claude-desktop", "mcpServers", False, False, False, "${{{name}}}"),
    "claude-code": Client("claude-code", "mcpServers", True, True, True, "${{{name}}}"),
    "cursor": Client("cursor", "mcpServers", False, False, True, "${{env:{name}}}"),
    "vscode": Client("vscode", "servers", True, True, True, "${{env:{name}}}", jsonc=True),
    "json": Client("json", "mcpServers", False, True, True, "${{{name}}}"),
}


@dataclass(frozen=True)
class EntryOptions:
    """What the user asked for: a client, stdio or an HTTP URL, headers and variables."""

    client: str
    http_url: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    env: tuple[tuple[str, str], ...] = ()


def client_spec(name: str) -> Client:
    if name not in CLIENT_SPECS:
        raise UsageError(f"unknown client {name!r} (choose from {', '.join(CLIENTS)})")
    return CLIENT_SPECS[name]


def parse_pairs(option: str, items: list[str] | None) -> tuple[tuple[str, str], ...]:
    """`KEY=VALUE` items of a repeatable option; a missing `=` or an empty key is a usage error."""
    pairs = []
    for item in items or []:
        key, separator, value = item.partition("=")
        if not separator or not key.strip():
            raise UsageError(f"{option} takes KEY=VALUE, got {key.strip()[:40]!r} without '='")
        pairs.append((key.strip(), value))
    return tuple(pairs)


def stdio_command(facts: ServerFiles) -> tuple[str, list[str]]:
    """The command and arguments that start `facts`' server over stdio, from any directory (the
    same that `wagents validate --live` starts)."""
    from wagents.probe.live import client_command

    return client_command(facts.path, facts.source_name, facts.entrypoint)


def build_entry(facts: ServerFiles, options: EntryOptions) -> dict[str, Any]:
    """The server's entry in the client's config (not yet placed under its name)."""
    client = client_spec(options.client)
    _check_pairs("--header", options.headers, HEADER_NAME, "a header name")
    _check_pairs("--env", options.env, VARIABLE_NAME, "a variable name (letters, digits, _)")
    entry: dict[str, Any] = {}
    if options.http_url is None:
        if options.headers:
            raise UsageError("--header applies to HTTP entries only (give --http URL)")
        command, args = stdio_command(facts)
        if client.stdio_type:
            entry["type"] = "stdio"
        entry["command"] = command
        entry["args"] = args
        if options.env:
            entry["env"] = {key: client.spell(value) for key, value in options.env}
        return entry
    if not client.http_supported:
        raise UsageError(
            f"{client.name} starts stdio servers only from its config file; add a remote server "
            "in its settings (Connectors) instead, or use --client json"
        )
    if options.env:
        raise UsageError("--env applies to stdio entries only (the HTTP server has its own)")
    url = _check_http_url(options.http_url)
    if client.http_type:
        entry["type"] = "http"
    entry["url"] = client.spell(url)
    if options.headers:
        entry["headers"] = {key: client.spell(value) for key, value in options.headers}
    return entry


def document(client_name: str, server_name: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A whole config holding only this entry (what `wagents config` prints)."""
    return {client_spec(client_name).servers_key: {server_name: entry}}


def _check_pairs(
    option: str, pairs: tuple[tuple[str, str], ...], pattern: re.Pattern[str], kind: str
) -> None:
    seen: set[str] = set()
    for key, value in pairs:
        if not pattern.fullmatch(key):
            raise UsageError(f"{option} {key[:40]!r} is not {kind}")
        folded = key.lower() if option == "--header" else key
        if folded in seen:
            raise UsageError(f"{option} {key} is given twice")
        seen.add(folded)
        envrefs.check_value(option, key, value)


def _check_http_url(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise UsageError("--http takes an http:// or https:// URL with a host") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError("--http takes an http:// or https:// URL with a host")
    envrefs.check_url(url)
    return url.strip()


def current_os(platform: str | None = None) -> str:
    """`mac`, `windows` or `linux` for `sys.platform` (other Unixes count as linux)."""
    platform = platform or sys.platform
    if platform == "darwin":
        return "mac"
    if platform.startswith(("win", "cygwin", "msys")):
        return "windows"
    return "linux"


def default_path(
    client_name: str,
    workspace_root: Path,
    os_name: str | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> Path:
    """Where the client reads its servers from (project files live at the workspace root)."""
    environ = os.environ if environ is None else environ
    match client_name:
        case "claude-code":
            return workspace_root / ".mcp.json"
        case "cursor":
            return workspace_root / ".cursor" / "mcp.json"
        case "vscode":
            return workspace_root / ".vscode" / "mcp.json"
        case "claude-desktop":
            return _claude_desktop_path(os_name or current_os(), environ, home)
    raise UsageError(f"--client {client_name} has no default file; give one with --file PATH")


def _claude_desktop_path(os_name: str, environ: Mapping[str, str], home: Path | None) -> Path:
    home = home or Path.home()
    if os_name == "mac":
        return home / "Library" / "Application Support" / "Claude" / "claude_desktop_config.json"
    if os_name == "windows":
        appdata = environ.get("APPDATA")
        if not appdata:
            raise UsageError("APPDATA is not set: give the config file with --file PATH")
        return Path(appdata) / "Claude" / "claude_desktop_config.json"
    config_home = environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    return Path(config_home) / "Claude" / "claude_desktop_config.json"
