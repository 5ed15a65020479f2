"""`wagents config`: the entry each client understands, refused secrets, and merging into files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fastmcp import Client
from fastmcp.client.transports import StdioTransport

from wagents.deploy.clientconfig import (
    EntryOptions,
    build_entry,
    current_os,
    default_path,
    document,
    parse_pairs,
    stdio_command,
)
from wagents.deploy.clientfile import merge_entry
from wagents.model import UsageError
from wagents.testing import invoke_wagents, scratch_workspace
from wagents.workspace.root import Workspace
from wagents.workspace.server import ServerFiles

from .helpers import REPO_ROOT

AUTH = "Authorization=Bearer ${MCP_AUTH_TOKEN}"


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> ServerFiles:
    workspace = scratch_workspace(tmp_path_factory.mktemp("config") / "repo", ["notes"])
    (server,) = workspace.select(["notes"])
    return ServerFiles(server, workspace)


def entry_for(facts: ServerFiles, client: str, **kwargs) -> dict:
    headers = parse_pairs("--header", kwargs.pop("headers", None))
    env = parse_pairs("--env", kwargs.pop("env", None))
    return build_entry(facts, EntryOptions(client, headers=headers, env=env, **kwargs))


def test_stdio_runs_fastmcp_from_the_absolute_server_directory(facts: ServerFiles) -> None:
    command, args = stdio_command(facts)
    directory = str(facts.path.resolve())
    assert command == "uv"
    assert args == [
        "run",
        "--directory",
        directory,
        "fastmcp",
        "run",
        "server.py:mcp",
        "--transport",
        "stdio",
        "--no-banner",
    ]
    assert Path(directory).is_absolute()


@pytest.mark.parametrize(
    ("client", "key", "shape"),
    [
        ("claude-desktop", "mcpServers", {"command", "args", "env"}),
        ("claude-code", "mcpServers", {"type", "command", "args", "env"}),
        ("cursor", "mcpServers", {"command", "args", "env"}),
        ("vscode", "servers", {"type", "command", "args", "env"}),
        ("json", "mcpServers", {"command", "args", "env"}),
    ],
)
def test_stdio_shape_of_each_client(facts: ServerFiles, client: str, key: str, shape) -> None:
    entry = entry_for(facts, client, env=["LOG_LEVEL=debug", "API_KEY=${NOTES_API_KEY}"])
    assert set(entry) == shape
    if "type" in entry:
        assert entry["type"] == "stdio"
    assert entry["command"] == "uv"
    reference = "${env:NOTES_API_KEY}" if client in ("cursor", "vscode") else "${NOTES_API_KEY}"
    assert entry["env"] == {"LOG_LEVEL": "debug", "API_KEY": reference}
    assert document(client, "notes", entry) == {key: {"notes": entry}}


@pytest.mark.parametrize(
    ("client", "expected"),
    [
        (
            "claude-code",
            {
                "type": "http",
                "url": "https://mcp.example.com/mcp",
                "headers": {"Authorization": "Bearer ${MCP_AUTH_TOKEN}"},
            },
        ),
        (
            "cursor",
            {
                "url": "https://mcp.example.com/mcp",
                "headers": {"Authorization": "Bearer ${env:MCP_AUTH_TOKEN}"},
            },
        ),
        (
            "vscode",
            {
                "type": "http",
                "url": "https://mcp.example.com/mcp",
                "headers": {"Authorization": "Bearer ${env:MCP_AUTH_TOKEN}"},
            },
        ),
        (
            "json",
            {
                "type": "http",
                "url": "https://mcp.example.com/mcp",
                "headers": {"Authorization": "Bearer ${MCP_AUTH_TOKEN}"},
            },
        ),
    ],
)
def test_http_shape_of_each_client(facts: ServerFiles, client: str, expected: dict) -> None:
    entry = entry_for(facts, client, http_url="https://mcp.example.com/mcp", headers=[AUTH])
    assert entry == expected


def test_http_without_headers_has_no_headers_key(facts: ServerFiles) -> None:
    entry = entry_for(facts, "claude-code", http_url="http://127.0.0.1:8000/mcp")
    assert entry == {"type": "http", "url": "http://127.0.0.1:8000/mcp"}


def test_a_cursor_style_reference_on_the_command_line_is_accepted(facts: ServerFiles) -> None:
    entry = entry_for(facts, "claude-code", env=["TOKEN=${env:NOTES_TOKEN}"])
    assert entry["env"] == {"TOKEN": "${NOTES_TOKEN}"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"http_url": "https://h/mcp", "headers": ["Authorization=Bearer abc"]}, "literal"),
        ({"http_url": "https://h/mcp", "headers": ["X-Api-Key=hunter2"]}, "literal credential"),
        ({"http_url": "https://h/mcp", "headers": ["Cookie=session=1"]}, "literal credential"),
        ({"env": ["GITHUB_TOKEN=plain"]}, "literal credential"),
        ({"env": ["DATABASE_PASSWORD=pw"]}, "literal credential"),
        ({"env": ["OPENAI=sk-abcdefghijklmnopqrstuvwx"]}, "looks like it holds a secret"),
        ({"env": ["GH=ghp_abcdefghijklmnopqrstuvwxyz0123"]}, "looks like it holds a secret"),
        ({"env": ["SIG=0123456789abcdef0123456789abcdef01"]}, "looks like it holds a secret"),
        ({"env": ["JWT_LIKE=eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0"]}, "literal credential"),
        ({"env": ["DB=postgres://app:pw@db/x"]}, "looks like it holds a secret"),
        ({"env": ["TOKEN=$NOTES_TOKEN"]}, "write environment references as ${NAME}"),
        ({"env": ["TOKEN=${1BAD}"]}, "write environment references"),
        ({"env": ["1X=a"]}, "is not a variable name"),
        ({"env": ["A=1", "A=2"]}, "given twice"),
        ({"headers": [AUTH]}, "--header applies to HTTP entries only"),
        ({"http_url": "https://h/mcp", "env": ["A=1"]}, "--env applies to stdio entries only"),
        ({"http_url": "https://u:pw@h/mcp"}, "carries a credential"),
        ({"http_url": "https://h/mcp?api_key=abc"}, "carries a credential"),
        ({"http_url": "https://h/mcp?x=0123456789abcdef0123456789abcdef99"}, "holds a secret"),
        ({"http_url": "ftp://h/mcp"}, "http:// or https://"),
        ({"http_url": "http://:80/mcp"}, "http:// or https://"),
        ({"http_url": "http://h:99999/mcp"}, "http:// or https://"),
        (
            {"http_url": "https://h/mcp", "headers": [AUTH, "authorization=Bearer ${OTHER}"]},
            "given twice",
        ),
        ({"http_url": "https://h/mcp", "headers": ["Bad Name=x"]}, "is not a header name"),
    ],
)
def test_refused(facts: ServerFiles, kwargs: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("$", r"\$").replace("?", r"\?")) as err:
        entry_for(facts, "claude-code", **kwargs)
    for secret in ("abc", "hunter2", "pw@", "sk-abc", "ghp_abc", "0123456789abcdef"):
        assert secret not in str(err.value)


def test_claude_desktop_has_no_http_entries(facts: ServerFiles) -> None:
    with pytest.raises(UsageError, match="stdio servers only"):
        entry_for(facts, "claude-desktop", http_url="https://h/mcp")


def test_plain_values_and_references_in_urls_pass(facts: ServerFiles) -> None:
    entry = entry_for(
        facts,
        "json",
        env=[
            "LOG_LEVEL=debug",
            "DATA_DIR=/srv/notes-2024/archive-0123456789",
            "FASTMCP_DOCKET_URL=redis://:${REDIS_PASSWORD}@cache:6379/0",
        ],
    )
    assert entry["env"]["FASTMCP_DOCKET_URL"] == "redis://:${REDIS_PASSWORD}@cache:6379/0"


def test_parse_pairs_needs_an_equals_sign() -> None:
    assert parse_pairs("--env", ["A=b=c"]) == (("A", "b=c"),)
    with pytest.raises(UsageError, match="KEY=VALUE"):
        parse_pairs("--env", ["A"])


def test_default_paths(tmp_path: Path) -> None:
    home = tmp_path / "home"
    root = tmp_path / "repo"
    desktop = "claude_desktop_config.json"
    assert default_path("claude-code", root) == root / ".mcp.json"
    assert default_path("cursor", root) == root / ".cursor" / "mcp.json"
    assert default_path("vscode", root) == root / ".vscode" / "mcp.json"
    mac = default_path("claude-desktop", root, "mac", {}, home)
    assert mac == home / "Library" / "Application Support" / "Claude" / desktop
    windows = default_path("claude-desktop", root, "windows", {"APPDATA": "/appdata"}, home)
    assert windows == Path("/appdata") / "Claude" / desktop
    linux = default_path("claude-desktop", root, "linux", {}, home)
    assert linux == home / ".config" / "Claude" / desktop
    with pytest.raises(UsageError, match="APPDATA is not set"):
        default_path("claude-desktop", root, "windows", {}, home)
    with pytest.raises(UsageError, match="--file PATH"):
        default_path("json", root)
    assert current_os("darwin") == "mac"
    assert current_os("win32") == "windows"
    assert current_os("linux") == "linux"


# Merging into an existing file.

ENTRY = {"command": "uv", "args": ["run"]}


def test_merge_creates_the_file_and_its_directory(tmp_path: Path) -> None:
    path = tmp_path / ".cursor" / "mcp.json"
    outcome = merge_entry(path, "mcpServers", "notes", ENTRY)
    assert outcome.action == "added"
    assert outcome.backup is None
    assert json.loads(path.read_text()) == {"mcpServers": {"notes": ENTRY}}
    assert path.read_text().endswith("}\n")


def test_merge_keeps_every_other_key_and_backs_up(tmp_path: Path) -> None:
    path = tmp_path / "claude_desktop_config.json"
    original = {
        "globalShortcut": "Ctrl+Space",
        "mcpServers": {"other": {"command": "npx", "args": ["x"], "env": {"A": "1"}}},
        "preferences": {"theme": "dark"},
    }
    old_bytes = (json.dumps(original, indent=4) + "\n").encode()
    path.write_bytes(old_bytes)
    outcome = merge_entry(path, "mcpServers", "notes", ENTRY, now=0)
    assert outcome.action == "added"
    merged = json.loads(path.read_text())
    assert merged["globalShortcut"] == "Ctrl+Space"
    assert merged["preferences"] == {"theme": "dark"}
    assert merged["mcpServers"] == {"other": original["mcpServers"]["other"], "notes": ENTRY}
    assert list(merged) == list(original)  # key order kept
    assert '\n    "globalShortcut"' in path.read_text()  # the file's 4-space indent kept
    assert outcome.backup is not None
    assert outcome.backup.parent == tmp_path
    assert outcome.backup.name.startswith("claude_desktop_config.json.")
    assert outcome.backup.read_bytes() == old_bytes
    # Writing the same entry again changes nothing and makes no second backup.
    again = merge_entry(path, "mcpServers", "notes", ENTRY, now=0)
    assert again.action == "unchanged"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".bak") == [outcome.backup.name]
    # A changed entry replaces the old one; the earlier backup is not overwritten.
    third = merge_entry(path, "mcpServers", "notes", {**ENTRY, "env": {"A": "b"}}, now=0)
    assert third.action == "replaced"
    assert third.backup is not None and third.backup != outcome.backup
    assert outcome.backup.read_bytes() == old_bytes
    assert json.loads(path.read_text())["mcpServers"]["notes"]["env"] == {"A": "b"}
    assert list(tmp_path.glob(".*.tmp")) == []


def test_vscode_key_and_inputs_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "mcp.json"
    path.write_text('{"inputs": [{"id": "tok", "type": "promptString"}], "servers": {}}')
    merge_entry(path, "servers", "notes", {"type": "stdio", **ENTRY})
    data = json.loads(path.read_text())
    assert data["inputs"] == [{"id": "tok", "type": "promptString"}]
    assert data["servers"]["notes"]["type"] == "stdio"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"mcpServers": {"a": 1},}', "is not valid JSON"),
        ('// comment\n{"servers": {}}', "is not valid JSON"),
        ("[1, 2]", "holds a JSON array, not an object"),
        ('{"mcpServers": []}', "'mcpServers' is a array, not an object"),
        (b"\xff\xfe{}", "is not UTF-8"),
    ],
)
def test_merge_refuses_a_broken_file_and_changes_nothing(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    path = tmp_path / "mcp.json"
    raw = content if isinstance(content, bytes) else content.encode()
    path.write_bytes(raw)
    with pytest.raises(UsageError, match=message):
        merge_entry(path, "mcpServers", "notes", ENTRY)
    assert path.read_bytes() == raw
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mcp.json"]


def test_merge_writes_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "mcp.json"
    target.parent.mkdir()
    target.write_text('{"mcpServers": {}}')
    link = tmp_path / "mcp.json"
    link.symlink_to(target)
    merge_entry(link, "mcpServers", "notes", ENTRY)
    assert link.is_symlink()
    assert json.loads(target.read_text()) == {"mcpServers": {"notes": ENTRY}}


def test_an_empty_file_counts_as_an_empty_config(tmp_path: Path) -> None:
    path = tmp_path / "mcp.json"
    path.write_text("\n")
    outcome = merge_entry(path, "mcpServers", "notes", ENTRY)
    assert outcome.action == "added"
    assert json.loads(path.read_text()) == {"mcpServers": {"notes": ENTRY}}


# The real CLI.


@pytest.fixture(scope="module")
def cli_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("config-cli") / "repo"
    scratch_workspace(root, ["notes"])
    return root


def test_cli_prints_the_document(cli_root: Path) -> None:
    done = invoke_wagents("config", "notes", "--client", "vscode", cwd=cli_root)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["servers"]["notes"]["type"] == "stdio"
    assert str(cli_root / "mcp" / "notes") in data["servers"]["notes"]["args"]


def test_cli_writes_claude_code_project_file_and_backs_up(cli_root: Path) -> None:
    path = cli_root / ".mcp.json"
    path.write_text('{"mcpServers": {"other": {"command": "x"}}, "extra": true}\n')
    done = invoke_wagents("config", "notes", "--client", "claude-code", "--write", cwd=cli_root)
    assert done.returncode == 0, done.stderr
    assert "added notes" in done.stdout
    data = json.loads(path.read_text())
    assert data["extra"] is True
    assert set(data["mcpServers"]) == {"other", "notes"}
    assert len(list(cli_root.glob(".mcp.json.*.bak"))) == 1


def test_cli_file_option_and_errors(cli_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "servers.json"
    done = invoke_wagents(
        "config",
        "notes",
        "--client",
        "json",
        "--http",
        "http://127.0.0.1:8000/mcp",
        "--header",
        AUTH,
        "--file",
        str(out),
        cwd=cli_root,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["mcpServers"]["notes"]["type"] == "http"
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    for args, message in [
        (["--client", "json", "--file", str(bad)], "is not valid JSON"),
        (["--client", "json", "--write"], "no default file"),
        (["--client", "nope"], "nope"),
        (["--client", "json", "--env", "TOKEN=abc"], "literal credential"),
        (["--client", "cursor", "--os", "mac"], "--os applies to --client claude-desktop only"),
    ]:
        failed = invoke_wagents("config", "notes", *args, cwd=cli_root)
        assert failed.returncode == 2, failed.stdout
        lines = failed.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]
        assert "Traceback" not in failed.stderr
    assert bad.read_text() == "{nope"
    unknown = invoke_wagents("config", "ghost", "--client", "json", cwd=cli_root)
    assert unknown.returncode == 2 and "no server named ghost" in unknown.stderr


# The generated stdio entry really starts the server (workspace-tools of this repository).


async def test_generated_stdio_entry_serves_mcp(tmp_path: Path) -> None:
    workspace = Workspace.find(REPO_ROOT)
    (server,) = workspace.select(["workspace-tools"])
    entry = build_entry(
        ServerFiles(server, workspace),
        EntryOptions("json", env=(("WAGENTS_CONFIG_PROBE", "1"),)),
    )
    # Start it the way a client does: from elsewhere, with only the entry's command and args.
    transport = StdioTransport(
        entry["command"],
        entry["args"],
        env={**entry["env"], "PATH": os.environ["PATH"]},
        cwd=str(tmp_path),
        keep_alive=False,
    )
    async with Client(transport, timeout=60) as client:
        tools = {tool.name for tool in await client.list_tools()}
        assert {"list_servers", "explain_rule"} <= tools
        result = await client.call_tool("list_servers", {})
        names = [item["name"] for item in result.structured_content["result"]]
        assert "workspace-tools" in names
    # fastmcp.Client reads the whole `mcpServers` document too, as MCP clients do.
    async with Client(document("json", "workspace-tools", entry), timeout=60) as client:
        assert "list_rules" in {tool.name for tool in await client.list_tools()}


# JSON with comments: VS Code's mcp.json.

COMMENTED = """\
// Servers for this repository (VS Code reads this file as JSONC).
{
  "inputs": [
    { "id": "token", "type": "promptString", "password": true }, // asked once
  ],
  /* the servers */
  "servers": {
    // the first one
    "other": {
      "command": "npx",
      "args": ["x"], // trailing comma next
    },
  },
}
"""


def test_jsonc_merge_keeps_every_comment_and_byte_outside_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "mcp.json"
    path.write_text(COMMENTED)
    outcome = merge_entry(path, "servers", "notes", {"type": "stdio", **ENTRY}, jsonc=True)
    assert outcome.action == "added"
    text = path.read_text()
    added = '"notes": {"type": "stdio", "command": "uv", "args": ["run"]},\n    '
    # Added as the first member, where the first member began: after the comments before it.
    assert text == COMMENTED.replace('    "other": {', f'    {added}"other": {{', 1)
    replaced_entry = {"type": "stdio", "command": "uv", "args": ["run", "x"]}
    again = merge_entry(path, "servers", "other", replaced_entry, jsonc=True)
    assert again.action == "replaced"
    after = path.read_text()
    start = after.index('"other": ') + len('"other": ')
    end = after.index("\n  },\n}")  # the end of "other", before the servers' trailing comma
    assert after[:start] == text[:start]
    assert after[end:] == text[text.index("\n  },\n}") :]
    assert json.loads(after[start:end].rstrip().rstrip(",")) == replaced_entry
    assert merge_entry(path, "servers", "other", replaced_entry, jsonc=True).action == "unchanged"


def test_jsonc_merge_into_a_file_without_the_servers_key(tmp_path: Path) -> None:
    path = tmp_path / "mcp.json"
    path.write_text("{\n  // nothing yet\n}\n")
    merge_entry(path, "servers", "notes", ENTRY, jsonc=True)
    expected = '{"servers": {"notes": {"command": "uv", "args": ["run"]}}\n  // nothing yet\n}\n'
    assert path.read_text() == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"servers": {"a": 1}', "is not valid JSON with comments"),
        ('{"servers": {} /* open', "unterminated /\\* comment"),
        ('{"servers": []}', "'servers' is a array, not an object"),
    ],
)
def test_jsonc_merge_refuses_what_is_not_jsonc(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "mcp.json"
    path.write_text(content)
    with pytest.raises(UsageError, match=message):
        merge_entry(path, "servers", "notes", ENTRY, jsonc=True)
    assert path.read_text() == content


def test_jsonc_blanking_keeps_strings_and_offsets() -> None:
    from wagents.files import jsonc

    text = '{"url": "http://x//y", "a": "/* no */", // real\n "b": [1, 2,],}'
    blanked = jsonc.blank(text)
    assert len(blanked) == len(text)
    assert json.loads(blanked) == {"url": "http://x//y", "a": "/* no */", "b": [1, 2]}
