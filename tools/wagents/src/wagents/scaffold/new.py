"""`wagents new`: create a server from the templates and register it in the root pyproject."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable

from wagents.files.template import FileTemplate
from wagents.model import UsageError
from wagents.scaffold.create import Created, create_member, sync_environment, taken
from wagents.scaffold.names import check_server_name
from wagents.workspace.root import Workspace

__all__ = ["Created", "new_server", "render_templates", "sync_environment"]


def title_of(name: str) -> str:
    """`git-tools` → `Git Tools`."""
    return " ".join(part.capitalize() for part in name.split("-"))


def check_description(description: str) -> str:
    """One line of printable text (it lands in Python, TOML, JSON and Markdown)."""
    if any(not char.isprintable() for char in description):
        raise UsageError("the description must be a single line of printable text")
    if len(description) > 300:
        raise UsageError("the description is longer than 300 characters")
    return description.strip()


@dataclass(frozen=True)
class Variant:
    """A kind of server `wagents new` makes: the base templates, some files replaced, some values.

    `overlay` names a directory beside `templates/server/` whose `*.tmpl` files replace the base
    files of the same relative path; everything else comes from the base, so a variant holds only
    what differs.
    """

    name: str
    overlay: str | None
    fastmcp_requirement: str
    deployment_env: dict[str, str] = field(default_factory=dict)


#: `wagents new` (plain) and `wagents new --tasks` (Docket background tasks).
VARIANTS = {
    "plain": Variant("plain", None, "fastmcp>=3,<4"),
    "tasks": Variant(
        "tasks",
        "server-tasks",
        "fastmcp[tasks]>=3,<4",
        # A reference, not a value: the URL (which may hold a password) stays in the environment.
        {"FASTMCP_DOCKET_URL": "${FASTMCP_DOCKET_URL}"},
    ),
}


def render_templates(name: str, description: str, variant: str = "plain") -> dict[str, str]:
    """The files of a new server, by path relative to its directory."""
    chosen = VARIANTS[variant]
    title = title_of(name)
    description = description or f"{title} MCP server."
    values = {
        "name": name,
        "title": title,
        "description": description,
        # Every quote escaped: a trailing `"` would otherwise close the docstring early.
        "description_docstring": description.replace("\\", "\\\\").replace('"', '\\"'),
        "title_literal": json.dumps(title),
        # Characters as they are: TOML has no surrogate-pair escapes for what lies beyond U+FFFF.
        "description_literal": json.dumps(description, ensure_ascii=False),
        "fastmcp_requirement": chosen.fastmcp_requirement,
        "fastmcp_requirement_literal": json.dumps(chosen.fastmcp_requirement),
        "deployment_env": _deployment_env(chosen.deployment_env),
    }
    templates = resources.files("wagents.scaffold") / "templates"
    sources = dict(_walk(templates / "server", ""))
    if chosen.overlay is not None:
        sources.update(_walk(templates / chosen.overlay, ""))
    files: dict[str, str] = {}
    for relative, template in sorted(sources.items()):
        text = template.read_text("utf-8")
        files[relative.removesuffix(".tmpl")] = FileTemplate(text).substitute(values)
    return files


def _deployment_env(env: dict[str, str]) -> str:
    """The `"env"` member of fastmcp.json's `deployment` (with its leading comma), or nothing."""
    if not env:
        return ""
    return ',\n    "env": ' + json.dumps(env)


def _walk(directory: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for entry in sorted(directory.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _walk(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".tmpl"):
            yield f"{prefix}{entry.name}", entry


#: Files derived from the rendered ones, added to them before anything is written (the CLI adds
#: the server's surface snapshot, taken by probing the rendered files elsewhere).
Derive = Callable[[str, Mapping[str, str]], Mapping[str, str]]


def new_server(
    workspace: Workspace,
    name: str,
    description: str = "",
    variant: str = "plain",
    derive: Derive | None = None,
) -> Created:
    """Create `mcp/<name>/` (from the templates of `variant`, plus what `derive` makes of them)
    and register it, all or nothing.

    See `create.create_member` for how it is made crash-safe.
    """
    check_server_name(name)
    description = check_description(description)
    target = workspace.servers_dir / name
    if taken(target):
        raise UsageError(f"{workspace.relative(target)} already exists")
    files = render_templates(name, description, variant)
    if derive is not None:
        files = {**files, **derive(name, files)}
    return create_member(workspace, name, files)
