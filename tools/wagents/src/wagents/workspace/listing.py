"""Which files of a server directory are its code, its tests and its configuration."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePath

#: Directories never looked into: environments, caches, build output, VCS metadata.
SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "venv", "build", "dist", "site-packages"})
#: Directories that hold a server's tests (relative to the server directory, top level only).
TEST_DIRS = frozenset({"tests", "test"})
#: Suffixes of configuration files (besides dotenv files).
CONFIG_SUFFIXES = frozenset({".toml", ".json", ".yaml", ".yml", ".ini", ".cfg"})
#: Files that start processes in a deployment (Procfiles, container and shell scripts).
DEPLOY_NAMES = frozenset({"Procfile", "Dockerfile", "Containerfile", "Makefile", "justfile"})
#: A server directory with more files than this is only partly looked at.
MAX_FILES = 2000
#: The snapshot of the server's MCP surface (`wagents surface --write`): generated, so it has no
#: role (its descriptions are the code's, scanned there).
SURFACE_FILE = "mcp-surface.json"


@dataclass(frozen=True)
class FileRoles:
    """A server's files by role, each list sorted (absolute paths)."""

    code: list[Path] = field(default_factory=list)
    tests: list[Path] = field(default_factory=list)
    config: list[Path] = field(default_factory=list)
    deploy: list[Path] = field(default_factory=list)

    @property
    def dotenv(self) -> list[Path]:
        """The dotenv files among the config files (`.env`, `.env.*`, `*.env`)."""
        return [path for path in self.config if is_dotenv(path.name)]


def is_dotenv(name: str) -> bool:
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def is_test_module(relative: PurePath) -> bool:
    """Test code: anything under tests/ (or test/), `test_*.py`, `*_test.py`, `conftest.py`."""
    name = relative.name
    return (
        relative.parts[0] in TEST_DIRS
        or name == "conftest.py"
        or name.startswith("test_")
        or name.endswith("_test.py")
    )


def list_server_files(server_dir: Path) -> FileRoles:
    """Walk `server_dir` (no symlinks, no hidden or skipped directories) and sort files by role.

    Hidden files are skipped too, except dotenv files, which configure the server.
    """
    files = FileRoles()
    seen = 0
    for dirpath, dirnames, filenames in os.walk(server_dir):
        dirnames[:] = sorted(
            name
            for name in dirnames
            if not name.startswith(".")
            and name not in SKIPPED_DIRS
            and not name.endswith(".egg-info")
            and not (Path(dirpath) / name).is_symlink()
        )
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink() or (name.startswith(".") and not is_dotenv(name)):
                continue
            seen += 1
            if seen > MAX_FILES:
                return files
            relative = path.relative_to(server_dir)
            if relative.as_posix() == SURFACE_FILE:
                continue
            if path.suffix == ".py":
                (files.tests if is_test_module(relative) else files.code).append(path)
            elif relative.parts[0] in TEST_DIRS:
                continue
            elif path.suffix in CONFIG_SUFFIXES or is_dotenv(name):
                files.config.append(path)
            elif name in DEPLOY_NAMES or name.startswith("Dockerfile") or path.suffix == ".sh":
                files.deploy.append(path)
    return files


def local_module_names(server_dir: Path) -> set[str]:
    """Top-level names importable from the server directory: `x.py` and packages `x/`."""
    names: set[str] = set()
    try:
        entries = list(server_dir.iterdir())
    except OSError:
        return names
    for entry in entries:
        if entry.suffix == ".py" and entry.is_file():
            names.add(entry.stem)
        elif entry.is_dir() and not entry.name.startswith(".") and entry.name not in SKIPPED_DIRS:
            names.add(entry.name)
    return names


@dataclass(frozen=True)
class Ignored:
    """What git ignores under a directory: untracked paths an ignore rule excludes (tracked files
    are never ignored), directories among them standing for everything inside.

    A git-ignored `.env` is where local secrets belong; it never reaches the repository.
    """

    paths: frozenset[Path] = frozenset()

    def covers(self, path: Path) -> bool:
        return path in self.paths or any(parent in self.paths for parent in path.parents)


#: `git ls-files` listing untracked paths an ignore rule excludes (whole directories as one).
LS_IGNORED = ("ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory")


def git_ignored(root: Path, under: str = ".") -> Ignored:
    """The paths git ignores below `root / under`, in one `git ls-files` call (nothing when git
    or a repository is missing: then nothing is ignored)."""
    git = shutil.which("git")
    if git is None:
        return Ignored()
    try:
        completed = subprocess.run(
            [git, *LS_IGNORED, "--", under],
            cwd=root,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.TimeoutExpired):
        return Ignored()
    if completed.returncode != 0:  # 128: not a repository
        return Ignored()
    return Ignored(
        frozenset(
            root / os.fsdecode(raw).rstrip("/") for raw in completed.stdout.split(b"\0") if raw
        )
    )
