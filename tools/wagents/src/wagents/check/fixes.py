"""`wagents validate --fix`: mechanical repairs, each keyed by the slug of the rule it satisfies.

A fixer edits files format-preservingly (tomlkit for TOML, span replacement for JSON) and
atomically, and says what it changed; when it cannot repair something safely it says why and
leaves the files alone. Fixes run under the workspace's pyproject lock, in registry order:
per-server fixes first, then the relock, which must see their result.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from wagents.check.surface import probe_surfaces, snapshot_path, write_snapshot
from wagents.files.atomic import atomic_write, exclusive_lock
from wagents.files.json_edit import set_value
from wagents.files.toml_edit import register_server, set_pytest_asyncio_auto
from wagents.model import Finding, UsageError
from wagents.workspace import requirements
from wagents.workspace.root import SERVERS_GROUP, Workspace
from wagents.workspace.server import FASTMCP_JSON, PYPROJECT, ServerFiles
from wagents.workspace.uv import check_lock, uv_executable

#: A fixer gets the facts of one server with findings of its rule (workspace fixers: of the
#: first such server) and yields what it changed, one line each; UsageError means "cannot fix".
FixFunction = Callable[[ServerFiles], Iterator[str]]


@dataclass(frozen=True)
class Fixer:
    slug: str
    fix: FixFunction
    once_per_workspace: bool


FIXERS: dict[str, Fixer] = {}


def fixer(slug: str, *, once_per_workspace: bool = False) -> Callable[[FixFunction], FixFunction]:
    def register(fix: FixFunction) -> FixFunction:
        FIXERS[slug] = Fixer(slug, fix, once_per_workspace)
        return fix

    return register


@dataclass(frozen=True)
class FixOutcome:
    """What a `--fix` run did: `changes` made and `refusals` (fixable rules it left alone)."""

    changes: list[str]
    refusals: list[str]


def apply_fixes(
    workspace: Workspace, findings: Iterable[Finding], rules: Iterable[str]
) -> FixOutcome:
    """Run the fixer of each of `rules` that has findings, once per server (or per workspace).

    The relock also runs after other fixes changed files, as long as `lockfile` is among `rules`.
    """
    selected = set(rules)
    by_rule: dict[str, list[str]] = {}
    for finding in findings:
        flagged = by_rule.setdefault(finding.rule, [])
        if finding.server not in flagged:
            flagged.append(finding.server)
    changes: list[str] = []
    refusals: list[str] = []
    servers = {server.name: server for server in workspace.servers()}
    with exclusive_lock(workspace.state_dir / "pyproject.lock"):
        for slug, item in FIXERS.items():
            if slug not in selected:
                continue
            names = [name for name in by_rule.get(slug, []) if name in servers]
            if item.once_per_workspace:
                names = names[:1] or ([next(iter(servers))] if changes and servers else [])
            for name in names:
                facts = ServerFiles(servers[name], Workspace.find(workspace.root))
                try:
                    changes += [f"{change} ({slug})" for change in item.fix(facts)]
                except UsageError as exc:
                    refusals.append(f"{name}: {exc} ({slug})")
                except OSError as exc:  # e.g. a read-only file: the atomic write left it as it was
                    refusals.append(f"{name}: {exc.strerror or exc}: {exc.filename} ({slug})")
    return FixOutcome(changes, refusals)


def _write(path: Path, before: str, after: str) -> bool:
    if after == before:
        return False
    atomic_write(path, after.encode("utf-8"))
    return True


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path.name}: {exc}") from None


@fixer("workspace-member")
def fix_workspace_member(facts: ServerFiles) -> Iterator[str]:
    """Register the server in the root pyproject, as `wagents new` does."""
    workspace = facts.workspace
    root_pyproject = workspace.root / PYPROJECT
    name = facts.project.get("name")
    if not isinstance(name, str):
        raise UsageError("the server's pyproject.toml has no [project].name")
    before = _read(root_pyproject)
    after = register_server(
        before,
        name=name,
        member_path=workspace.relative(facts.path),
        covered=workspace.is_member(facts.path),
        group=SERVERS_GROUP,
    )
    if _write(root_pyproject, before, after):
        yield f"pyproject.toml: registered {name} (workspace member, {SERVERS_GROUP} group, source)"


@fixer("dependency-parity")
def fix_dependency_parity(facts: ServerFiles) -> Iterator[str]:
    """Copy pyproject.toml's `[project].dependencies` into fastmcp.json."""
    declared = facts.project.get("dependencies")
    if not isinstance(declared, list) or not all(isinstance(item, str) for item in declared):
        raise UsageError("pyproject.toml [project].dependencies is not a list of strings")
    for item, _ in requirements.parse(declared).problems:
        raise UsageError(f"pyproject.toml has an invalid requirement {item!r}")
    if facts.config is None:
        raise UsageError("fastmcp.json is missing or not a valid JSON object")
    path = facts.path / FASTMCP_JSON
    before = _read(path)
    after = set_value(before, ["environment", "dependencies"], declared)
    if _write(path, before, after):
        relative = facts.relative(path)
        yield f"{relative}: environment.dependencies set from pyproject.toml"


@fixer("pytest-asyncio-mode")
def fix_pytest_asyncio_mode(facts: ServerFiles) -> Iterator[str]:
    """Set `asyncio_mode = "auto"` in the server's pyproject, when pytest reads its settings there.

    When pytest reads another file (a pytest.ini of the server, the root's configuration), the
    setting belongs there and is left to the user: moving the configuration would drop the
    other options it holds.
    """
    pyproject = facts.path / PYPROJECT
    config = facts.pytest_config
    if config.path is not None and config.path != pyproject:
        raise UsageError(
            f"pytest reads {facts.relative(config.path)}; set asyncio_mode = auto there"
        )
    before = _read(pyproject)
    after = set_pytest_asyncio_auto(before)
    if _write(pyproject, before, after):
        yield f'{facts.relative(pyproject)}: asyncio_mode = "auto" for pytest'


@fixer("surface-drift")
def fix_surface_drift(facts: ServerFiles) -> Iterator[str]:
    """Write the server's surface snapshot, as `wagents surface --write` does (a new probe)."""
    (taken,) = probe_surfaces(facts.workspace, [facts.server], jobs=1)
    if taken.surface is None:
        raise UsageError(f"its surface cannot be taken: {taken.problem}")
    if write_snapshot(facts, taken.surface):
        yield f"{facts.relative(snapshot_path(facts))}: written from the server's surface"


@fixer("lockfile", once_per_workspace=True)
def fix_lockfile(facts: ServerFiles) -> Iterator[str]:
    """`uv lock` at the workspace root, when uv.lock is missing or out of date."""
    root = facts.workspace.root
    if check_lock(root).state == "ok":
        return
    uv = uv_executable()
    if uv is None:
        raise UsageError("uv is not on PATH")
    completed = subprocess.run(
        [uv, "lock", "--quiet"],
        cwd=root,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        lines = [line for line in completed.stderr.splitlines() if line.strip()]
        raise UsageError(f"`uv lock` failed: {lines[0] if lines else completed.returncode}")
    yield "uv.lock: relocked with `uv lock`"
