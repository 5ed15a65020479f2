"""`wagents inspect` as text: a `fastmcp inspect --format fastmcp` report for a terminal.

Each tool shows the estimated tokens its definition costs a model's context, and the Tools
heading their sum (`wagents.analysis.budget`: the same estimate as the tool-budget rule, from
the report's name, title, description and input schema).
"""

from __future__ import annotations

import json
from typing import Any

from wagents.analysis import budget

INDENT = "  "


def render_inspection(report: dict[str, Any]) -> str:
    """The server line, its instructions, then each kind of component with its schemas."""
    server = _dict(report.get("server"))
    environment = _dict(report.get("environment"))
    lines = [_title(server, environment)]
    if server.get("instructions"):
        lines.append(str(server["instructions"]))
    sections = (
        ("Tools", "tools", _tool),
        ("Resources", "resources", _resource),
        ("Resource templates", "templates", _template),
        ("Prompts", "prompts", _prompt),
    )
    for heading, key, render in sections:
        items = [_dict(item) for item in report.get(key) or []]
        cost = ""
        if key == "tools" and items:
            cost = f", ~{sum(tool_tokens(item) for item in items)} tokens"
        lines += ["", f"{heading} ({len(items)}{cost})"]
        for item in items:
            lines += render(item)
    return "\n".join(lines) + "\n"


def _title(server: dict[str, Any], environment: dict[str, Any]) -> str:
    details = []
    if server.get("version"):
        details.append(f"version {server['version']}")
    if environment.get("fastmcp"):
        details.append(f"FastMCP {environment['fastmcp']}")
    if environment.get("mcp"):
        details.append(f"MCP {environment['mcp']}")
    suffix = f" ({', '.join(details)})" if details else ""
    return f"{server.get('name', '?')}{suffix}"


def tool_tokens(tool: dict[str, Any]) -> int:
    """The estimated tokens of a tool of the report (its keys mapped to the wire's)."""
    wire = {
        "name": tool.get("name"),
        "title": tool.get("title"),
        "description": tool.get("description"),
        "inputSchema": tool.get("input_schema"),
    }
    return budget.tool_tokens(wire)


def _tool(tool: dict[str, Any]) -> list[str]:
    lines = [f"{INDENT}{tool.get('name')}  (~{tool_tokens(tool)} tokens)", *_description(tool)]
    annotations = {
        key: value
        for key, value in _dict(tool.get("annotations")).items()
        if value is not None and key != "title"
    }
    if annotations:
        hints = ", ".join(f"{key}={json.dumps(value)}" for key, value in annotations.items())
        lines.append(f"{INDENT * 2}annotations: {hints}")
    if tool.get("tags"):
        lines.append(f"{INDENT * 2}tags: {', '.join(sorted(map(str, tool['tags'])))}")
    lines += _schema("input schema", tool.get("input_schema"))
    lines += _schema("output schema", tool.get("output_schema"))
    return lines


def _resource(resource: dict[str, Any]) -> list[str]:
    mime = f"  ({resource['mime_type']})" if resource.get("mime_type") else ""
    return [
        f"{INDENT}{resource.get('uri')}  {resource.get('name')}{mime}",
        *_description(resource),
    ]


def _template(template: dict[str, Any]) -> list[str]:
    mime = f"  ({template['mime_type']})" if template.get("mime_type") else ""
    return [
        f"{INDENT}{template.get('uri_template')}  {template.get('name')}{mime}",
        *_description(template),
        *_schema("parameters", template.get("parameters")),
    ]


def _prompt(prompt: dict[str, Any]) -> list[str]:
    lines = [f"{INDENT}{prompt.get('name')}", *_description(prompt)]
    for argument in map(_dict, prompt.get("arguments") or []):
        required = " (required)" if argument.get("required") else ""
        about = f": {argument['description']}" if argument.get("description") else ""
        lines.append(f"{INDENT * 2}argument {argument.get('name')}{required}{about}")
    return lines


def _description(component: dict[str, Any]) -> list[str]:
    text = str(component.get("description") or "").strip()
    return [f"{INDENT * 2}{line}" if line else "" for line in text.splitlines()]


def _schema(label: str, schema: Any) -> list[str]:
    if not schema:
        return []
    body = json.dumps(schema, indent=2, sort_keys=True).splitlines()
    return [f"{INDENT * 2}{label}:", *(f"{INDENT * 3}{line}" for line in body)]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
