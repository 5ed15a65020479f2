"""`wagents docker`: a Dockerfile and its ignore file for one server, built from the workspace lock.

The image is built from the workspace root, so `uv sync --frozen --package NAME` installs exactly
what uv.lock pins for that server: its own dependencies and the workspace members it depends on
(found in uv.lock), nothing of the other servers. The server reads `HOST`/`PORT` from the
environment in its `__main__` block (the scaffold's contract), so the image sets `HOST=0.0.0.0`
and runs `python server.py` with `MCP_TRANSPORT=http`, stateless.

The ignore file is `<Dockerfile>.dockerignore` beside the Dockerfile: BuildKit prefers it to the
root's `.dockerignore`, so every server has its own and none of them touches the root.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from wagents.analysis.pyast import is_main_guard
from wagents.files.atomic import atomic_write
from wagents.files.template import FileTemplate
from wagents.model import UsageError
from wagents.workspace.server import ServerFiles
from wagents.workspace.uv import uv_executable

#: Used when `uv --version` cannot be run (the image's uv should be the one that wrote uv.lock).
FALLBACK_UV_VERSION = "0.9.5"
#: The Debian release of the python image (slim: no compilers, no curl).
DEBIAN = "bookworm"
DOCKERFILE = "Dockerfile"
IGNORE_FILE = "Dockerfile.dockerignore"
WORKSPACE_SOURCES = ("editable", "virtual", "directory")


@dataclass(frozen=True)
class DockerFiles:
    """The generated files, by path relative to the workspace root."""

    files: dict[str, str]
    notes: list[str]


def uv_version() -> str:
    """The version of the uv on PATH (`uv 0.13.9 (...)` → `0.13.9`), or a fallback."""
    uv = uv_executable()
    if uv is not None:
        try:
            output = subprocess.run(
                [uv, "--version"], capture_output=True, text=True, timeout=30, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            output = ""
        match = re.search(r"\buv (\d+\.\d+\.\d+)\b", output)
        if match:
            return match.group(1)
    return FALLBACK_UV_VERSION


def python_version(requested: str | None, requires_python: str | None) -> str:
    """The image's Python: `requested`, else this interpreter's (X.Y.Z), checked against the
    server's `requires-python`."""
    text = requested or ".".join(str(part) for part in sys.version_info[:3])
    if not re.fullmatch(r"3\.\d+(\.\d+)?", text):
        raise UsageError(f"--python takes a version such as 3.12 or 3.12.7, not {text[:20]!r}")
    if requires_python:
        try:
            allowed = SpecifierSet(requires_python)
            version = Version(text)
        except (InvalidSpecifier, InvalidVersion):
            return text
        if not allowed.contains(version, prereleases=True):
            raise UsageError(f"Python {text} does not satisfy requires-python {requires_python!r}")
    return text


@dataclass(frozen=True)
class Member:
    """A workspace member in a server's dependency closure: its directory and uv.lock source kind
    (`virtual` members are not built, so only their pyproject.toml matters to `uv sync`)."""

    path: str
    kind: str


def workspace_members(root: Path, name: str) -> list[Member]:
    """`name` and every workspace member it depends on, from uv.lock (the root itself excluded).
    A server missing from the lock is a usage error (run `uv lock`)."""
    lock_path = root / "uv.lock"
    try:
        lock = tomllib.loads(lock_path.read_text("utf-8"))
    except FileNotFoundError:
        raise UsageError("uv.lock is missing: run `uv lock` at the workspace root") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read uv.lock: {exc}") from None
    packages = {}
    for package in lock.get("package", []):
        if isinstance(package, dict) and isinstance(package.get("name"), str):
            packages[canonicalize_name(package["name"])] = package
    start = canonicalize_name(name)
    if start not in packages:
        raise UsageError(f"{name} is not in uv.lock: run `uv lock` at the workspace root")
    members: list[Member] = []
    pending, seen = [start], set()
    while pending:
        current = pending.pop(0)
        if current in seen or current not in packages:
            continue
        seen.add(current)
        package = packages[current]
        member = _workspace_member(package.get("source"))
        if member is None:
            continue  # a registry package: its own dependencies come from the lock, not the tree
        if member.path not in (".", ""):
            members.append(member)
        for dependency in package.get("dependencies", []):
            if isinstance(dependency, dict) and isinstance(dependency.get("name"), str):
                pending.append(canonicalize_name(dependency["name"]))
    return members


def _workspace_member(source: object) -> Member | None:
    if not isinstance(source, dict):
        return None
    for kind in WORKSPACE_SOURCES:
        value = source.get(kind)
        if isinstance(value, str):
            return Member(Path(value).as_posix().rstrip("/"), kind)
    return None


def check_reads_host(facts: ServerFiles) -> None:
    """The image runs `python <source>` and sets HOST: the module must have a `__main__` block
    that reads HOST (the scaffold's). Anything else would serve stdio or bind 127.0.0.1."""
    loaded = facts.source
    relative = facts.relative(facts.source_path)
    if loaded is None or not loaded.ok or loaded.value is None:
        raise UsageError(f"{relative} is missing or does not parse; run `wagents validate`")
    main_blocks = [node for node in loaded.value.body if is_main_guard(node)]
    reads_host = any(
        isinstance(node, ast.Constant) and node.value == "HOST"
        for block in main_blocks
        for node in ast.walk(block)
    )
    if not reads_host:
        raise UsageError(
            f'{relative} needs an `if __name__ == "__main__":` block that serves HTTP on '
            'os.environ["HOST"] when MCP_TRANSPORT=http (as `wagents new` writes it)'
        )


def render(facts: ServerFiles, python: str | None = None, uv: str | None = None) -> DockerFiles:
    """The Dockerfile and ignore file for `facts`' server (nothing written)."""
    workspace = facts.workspace
    name = facts.server.name
    server_dir = facts.relative(facts.path)
    if not facts.source_inside_server or not facts.source_name.endswith(".py"):
        raise UsageError(f"{name}: fastmcp.json source.path must be a .py file inside the server")
    check_reads_host(facts)
    requires = facts.project.get("requires-python")
    version = python_version(python, requires if isinstance(requires, str) else None)
    members = {member.path: member for member in workspace_members(workspace.root, name)}
    server = members.pop(server_dir, Member(server_dir, "virtual"))
    before_sync = [f"{path}/" for path in sorted(members)]
    after_sync = []
    if server.kind == "virtual":
        # Not built: uv needs only its pyproject, so code changes do not redo the install layer.
        before_sync.insert(0, f"{server_dir}/pyproject.toml")
        after_sync.append(f"{server_dir}/")
    else:
        before_sync.insert(0, f"{server_dir}/")
    env_names = _runtime_env(facts)
    runtime_env = ""
    if env_names:
        names = ", ".join(env_names)
        runtime_env = f"\n# This server reads {names} (fastmcp.json deployment.env)."
    values = {
        "name": name,
        "server_dir": server_dir,
        "source": facts.source_name,
        "python_tag": f"{version}-slim-{DEBIAN}",
        "uv_version": uv or uv_version(),
        "copy_install": "\n".join(_copy(path) for path in before_sync),
        "copy_server": "".join(f"\n{_copy(path)}" for path in after_sync),
        "include_members": "\n".join(f"!{path}/" for path in [server_dir, *sorted(members)]),
        "runtime_env": runtime_env,
    }
    templates = resources.files("wagents.deploy") / "templates" / "docker"
    files = {
        f"{server_dir}/{DOCKERFILE}": FileTemplate(
            (templates / f"{DOCKERFILE}.tmpl").read_text("utf-8")
        ).substitute(values),
        f"{server_dir}/{IGNORE_FILE}": FileTemplate(
            (templates / f"{IGNORE_FILE}.tmpl").read_text("utf-8")
        ).substitute(values),
    }
    notes = []
    if python is None:
        notes.append(f"Python {version} (this interpreter); choose another with --python")
    return DockerFiles(files, notes)


def _copy(path: str) -> str:
    """`COPY a/b/ a/b/` for a directory, `COPY a/b/file a/b/` for a file."""
    target = path if path.endswith("/") else path.rpartition("/")[0] + "/"
    return f"COPY {path} {target}"


def _runtime_env(facts: ServerFiles) -> list[str]:
    return sorted(key for key in facts.deployment_env if isinstance(key, str))


@dataclass(frozen=True)
class Written:
    path: str
    action: str  # written, unchanged


def write(root: Path, generated: DockerFiles, force: bool = False) -> list[Written]:
    """Write the files; an existing file with other content is kept unless `force`."""
    outcomes = []
    existing = {}
    for relative in generated.files:
        path = root / relative
        if path.is_file():
            existing[relative] = path.read_text("utf-8", "replace")
    changed = [rel for rel, text in generated.files.items() if existing.get(rel, text) != text]
    if changed and not force:
        raise UsageError(
            f"{changed[0]} exists and differs (edited by hand?); pass --force to replace it"
        )
    for relative, text in generated.files.items():
        if existing.get(relative) == text:
            outcomes.append(Written(relative, "unchanged"))
            continue
        atomic_write(root / relative, text)
        if relative not in existing:  # a new file: readable like any source file, not 0600
            (root / relative).chmod(0o644)
        outcomes.append(Written(relative, "written"))
    return outcomes
