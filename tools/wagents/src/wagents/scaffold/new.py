"""`wagents new`: create a server from the templates and register it in the root pyproject."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from wagents.files.atomic import atomic_write, exclusive_lock, fsync_directory, fsync_tree
from wagents.files.load import Loaded, present
from wagents.files.template import FileTemplate
from wagents.files.toml_edit import register_server
from wagents.model import UsageError
from wagents.scaffold.names import check_server_name
from wagents.workspace import requirements
from wagents.workspace.root import (
    INCOMPLETE_MARKER,
    SERVERS_DIR,
    SERVERS_GROUP,
    STATE_DIR,
    Workspace,
    is_incomplete,
)
from wagents.workspace.uv import uv_executable


@dataclass(frozen=True)
class Created:
    """What `new_server` made."""

    path: Path
    files: list[str]
    root_pyproject_changed: bool
    #: An interrupted run had already made and registered this server; this run finished it.
    finished_interrupted: bool = False


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


def new_server(
    workspace: Workspace, name: str, description: str = "", variant: str = "plain"
) -> Created:
    """Create `mcp/<name>/` (from the templates of `variant`) and register it, all or nothing.

    The server is built in a scratch directory under `.wagents/` and renamed into place, then the
    root pyproject is replaced atomically; both happen under a lock beside the root pyproject, so
    concurrent runs serialize and an interrupted run leaves the old state or the new one.
    """
    check_server_name(name)
    description = check_description(description)
    target = workspace.servers_dir / name
    if _taken(target):
        raise UsageError(f"{workspace.relative(target)} already exists")
    files = render_templates(name, description, variant)
    try:
        return _create(workspace, name, target, files)
    except OSError as exc:  # permissions, a full disk, a read-only file system
        where = f" ({exc.filename})" if exc.filename else ""
        raise UsageError(
            f"cannot create {workspace.relative(target)}: {exc.strerror or exc}{where}; "
            "nothing was changed"
        ) from None


def _create(workspace: Workspace, name: str, target: Path, files: dict[str, str]) -> Created:
    scratch_root = workspace.state_dir / "tmp"
    root_pyproject = workspace.root / "pyproject.toml"
    with exclusive_lock(workspace.state_dir / "pyproject.lock"):
        before = _read_root(root_pyproject)
        finished = recover_interrupted(workspace.root, before)
        if name in finished:
            return Created(target, sorted(files), False, finished_interrupted=True)
        if _taken(target):
            raise UsageError(f"{workspace.relative(target)} already exists")
        after = register_server(
            before,
            name=name,
            member_path=f"{SERVERS_DIR}/{name}",
            covered=_fresh(workspace, before).is_member(target),
            group=SERVERS_GROUP,
        )
        scratch_root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f"new-{name}-", dir=scratch_root))
        try:
            for relative, content in {**files, INCOMPLETE_MARKER: ""}.items():
                path = scratch / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
            fsync_tree(scratch)
            workspace.servers_dir.mkdir(exist_ok=True)
            scratch.rename(target)
            fsync_directory(workspace.servers_dir)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        try:
            if after != before:
                atomic_write(root_pyproject, after.encode("utf-8"))
        except BaseException:
            _discard(target, scratch_root)
            raise
        # The commit point: from here on the server exists for every command.
        (target / INCOMPLETE_MARKER).unlink()
        fsync_directory(target)
    return Created(target, sorted(files), after != before)


def _discard(server_dir: Path, scratch_root: Path) -> None:
    """Remove a server directory: renamed into scratch space first, so a kill leaves no half."""
    graveyard = Path(tempfile.mkdtemp(prefix="undo-", dir=scratch_root))
    server_dir.rename(graveyard / server_dir.name)
    fsync_directory(server_dir.parent)
    shutil.rmtree(graveyard, ignore_errors=True)


def _fresh(workspace: Workspace, root_text: str) -> Workspace:
    """The workspace as the root pyproject reads now (another run may have changed it)."""
    try:
        value = tomllib.loads(root_text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{workspace.root / 'pyproject.toml'} is not valid TOML: {exc}") from None
    return Workspace(workspace.root, Loaded(workspace.root / "pyproject.toml", value, root_text))


def _taken(target: Path) -> bool:
    """A server (or anything else) is at `target`, other than the remains of a killed run."""
    return present(target) and not is_incomplete(target)


def recover_interrupted(root: Path, root_text: str) -> list[str]:
    """Finish or undo what killed `wagents new` runs left; the caller holds the lock.

    A server directory still holding the incomplete marker is kept (marker removed) when the
    root pyproject already registers it, since only the marker's removal was left to do, and
    removed otherwise. Scratch directories and temporary pyproject files are removed: no run
    that could still be using them exists while we hold the lock. Returns the names of the
    servers it finished.
    """
    finished = []
    scratch_root = root / STATE_DIR / "tmp"
    registered = _registered_names(root_text)
    servers_dir = root / SERVERS_DIR
    for marker in sorted(servers_dir.glob(f"*/{INCOMPLETE_MARKER}")):
        server_dir = marker.parent
        if requirements.normalize(server_dir.name) in registered:
            marker.unlink()
            fsync_directory(server_dir)
            finished.append(server_dir.name)
        else:
            scratch_root.mkdir(parents=True, exist_ok=True)
            _discard(server_dir, scratch_root)
    if scratch_root.is_dir():
        for entry in scratch_root.iterdir():
            shutil.rmtree(entry, ignore_errors=True)
    for leftover in root.glob(".pyproject.toml.*.tmp"):
        leftover.unlink(missing_ok=True)
    return finished


def _registered_names(root_text: str) -> set[str]:
    """Normalized names in the root's `servers` dependency group (empty if unreadable)."""
    try:
        group = tomllib.loads(root_text).get("dependency-groups", {}).get(SERVERS_GROUP, [])
    except (tomllib.TOMLDecodeError, AttributeError):
        return set()
    return set(requirements.parse(group).names)


def _read_root(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None


def sync_environment(workspace: Workspace) -> None:
    """`uv lock` then `uv sync` at the root, so the new server's dependencies are installed."""
    uv = uv_executable()
    if uv is None:
        raise UsageError("uv is not on PATH; install it (`pip install uv`) or pass --no-sync")
    for command in ([uv, "lock"], [uv, "sync"]):
        completed = subprocess.run(command, cwd=workspace.root, check=False)
        if completed.returncode != 0:
            step = " ".join(["uv", *command[1:]])
            raise UsageError(f"`{step}` failed (exit {completed.returncode}); see its output above")
