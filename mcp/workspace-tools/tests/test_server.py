"""Tests of the Workspace Tools server, in memory through FastMCP's own client."""

from __future__ import annotations

import json
from pathlib import Path

import fastmcp
import httpx
import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError
from server import app, mcp

from wagents.scaffold.new import new_server
from wagents.testing import lock_workspace, scratch_workspace, write_surfaces
from wagents.workspace.root import Workspace


@pytest.fixture(autouse=True)
def in_process_docket(monkeypatch: pytest.MonkeyPatch) -> None:
    """Background tasks run in this process (memory://), whatever FASTMCP_DOCKET_URL says."""
    monkeypatch.setattr(fastmcp.settings.docket, "url", "memory://")


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch workspace with one scaffolded server, served instead of this repository."""
    root = tmp_path / "repo"
    scratch_workspace(root, ["alpha"], surfaces=True)
    monkeypatch.setenv("WAGENTS_WORKSPACE", str(root))
    return root


async def test_every_tool_is_annotated_and_documented() -> None:
    async with Client(mcp) as client:
        tools = await client.list_tools()
    names = {tool.name for tool in tools}
    assert names == {
        "list_servers",
        "validate_servers",
        "validate_workspace",
        "list_rules",
        "explain_rule",
        "scaffold_server",
    }
    for tool in tools:
        assert tool.annotations is not None, tool.name
        for name, schema in tool.inputSchema.get("properties", {}).items():
            assert schema.get("description"), f"{tool.name}.{name}"


async def test_list_servers_describes_the_workspace(workspace: Path) -> None:
    async with Client(mcp) as client:
        result = await client.call_tool("list_servers", {})
    assert result.structured_content == {
        "result": [
            {
                "name": "alpha",
                "path": "mcp/alpha",
                "description": "Alpha MCP server.",
                "transport": "stdio",
            }
        ]
    }


async def test_validate_reports_a_broken_server(workspace: Path) -> None:
    config = workspace / "mcp" / "alpha" / "fastmcp.json"
    data = json.loads(config.read_text())
    data["enviroment"] = data.pop("environment")
    config.write_text(json.dumps(data))
    async with Client(mcp) as client:
        result = await client.call_tool("validate_servers", {"names": ["alpha"]})
    findings = result.structured_content["findings"]
    rules = {finding["rule"] for finding in findings}
    assert "fastmcp-json" in rules  # the typo'd key
    assert "dependency-parity" in rules  # fastmcp.json now declares no dependencies
    assert result.structured_content["summary"]["errors"] == len(findings)


async def test_validate_passes_a_fresh_server(workspace: Path) -> None:
    lock_workspace(workspace)  # the lockfile rule wants an up-to-date uv.lock
    async with Client(mcp) as client:
        result = await client.call_tool("validate_servers", {})
    assert result.structured_content["findings"] == []
    assert result.structured_content["summary"]["servers"] == 1


async def test_validate_rejects_an_unknown_server(workspace: Path) -> None:
    async with Client(mcp) as client:
        with pytest.raises(ToolError, match="no server named nope"):
            await client.call_tool("validate_servers", {"names": ["nope"]})


async def test_validate_workspace_runs_as_a_task_with_progress(workspace: Path) -> None:
    for name in ("beta", "gamma"):  # three servers in all
        new_server(Workspace.find(workspace), name)
    write_surfaces(workspace, ["beta", "gamma"])  # as the `wagents new` command does
    lock_workspace(workspace)  # the lockfile rule wants an up-to-date uv.lock
    config = workspace / "mcp" / "gamma" / "fastmcp.json"
    data = json.loads(config.read_text())
    data["enviroment"] = data.pop("environment")
    config.write_text(json.dumps(data))
    messages: list[str] = []
    async with Client(mcp) as client:
        task = await client.call_tool("validate_workspace", {}, task=True)
        task.on_status_change(lambda status: messages.append(status.statusMessage or ""))
        assert not task.returned_immediately  # accepted as a background task
        result = await task.result()
        assert (await task.status()).status == "completed"
    content = result.structured_content
    assert content["summary"]["servers"] == 3
    by_server = {entry["name"]: entry for entry in content["servers"]}
    assert sorted(by_server) == ["alpha", "beta", "gamma"]
    assert by_server["alpha"]["errors"] == by_server["beta"]["errors"] == 0
    assert by_server["gamma"]["errors"] >= 2  # the typo'd key and dependency parity
    assert {finding["server"] for finding in content["findings"]} == {"gamma"}
    assert any("servers checked (" in message for message in messages), messages


async def test_validate_workspace_refuses_unknown_rules_at_once(workspace: Path) -> None:
    async with Client(mcp) as client:
        task = await client.call_tool("validate_workspace", {"rules": ["no-such-rule"]}, task=True)
        with pytest.raises(ToolError, match="unknown rule no-such-rule"):
            await task.result()


async def test_rules_are_listed_and_explained() -> None:
    async with Client(mcp) as client:
        listed = await client.call_tool("list_rules", {})
        slugs = [item["slug"] for item in listed.structured_content["result"]]
        assert "dependency-parity" in slugs and "import-check" in slugs
        explained = await client.call_tool("explain_rule", {"slug": "dependency-parity"})
        assert "fastmcp.json" in explained.data and "Bad:" in explained.data
        resource = await client.read_resource("wagents://rules/import-check")
        assert "sys.exit" in resource[0].text
        with pytest.raises(ToolError, match="unknown rule"):
            await client.call_tool("explain_rule", {"slug": "no-such-rule"})


async def test_scaffold_creates_a_registered_server(workspace: Path) -> None:
    async with Client(mcp) as client:
        result = await client.call_tool("scaffold_server", {"name": "beta", "description": "Beta."})
        assert result.structured_content["path"] == "mcp/beta"
        assert (workspace / "mcp" / "beta" / "server.py").is_file()
        assert '"beta"' in (workspace / "pyproject.toml").read_text()
        with pytest.raises(ToolError, match="already exists"):
            await client.call_tool("scaffold_server", {"name": "beta"})
        with pytest.raises(ToolError, match="invalid server name"):
            await client.call_tool("scaffold_server", {"name": "../escape"})
    assert not (workspace / "escape").exists()


async def test_health_route_answers() -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "healthy"}
