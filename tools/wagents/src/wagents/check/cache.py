"""A per-server cache of validation results, keyed by the content of all that can change them.

An entry holds one server's findings (and the runtime facts its probe showed) under
`<workspace>/.wagents/cache/validate/<server>/<key>.json`. The key is a hash of:

- every file of the server directory (path, kind and content), except tool caches such as
  `__pycache__` and `.pytest_cache`;
- the shared inputs (`wagents.workspace.changes.shared_inputs`: the root `pyproject.toml`,
  `uv.lock`, `.python-version`, `.gitignore` and pytest settings, `tools/`, the workflows and
  every workspace member outside `mcp/`, the files whose change makes `--changed-since` select
  every server); and every server's `pyproject.toml`, because whether uv.lock is up to date
  (the lockfile rule) depends on all of them;
- wagents itself (version and a hash of its source), the Python interpreter and fastmcp version,
  the workspace location and the probe environment;
- the rules selected, the probe timeout, `--isolated` and `--live`.

A server's import may depend on more than this (a file elsewhere on disk, the network); such a
server needs `--no-cache`. Entries are written atomically; two validations at once may both write
an entry and the last one wins (they hold the same findings). An entry that does not parse or does
not match its key is ignored and rewritten. Results that depend on the machine's load (a probe
that timed out or gave no result) are not stored.

Beside the entries, `.wagents/cache/environment/` remembers what is costly to learn of the
environment (`ResultCache.remember`), keyed by wagents, Python and fastmcp, each answer also by
what else it depends on:

- what FastMCP's config model says of each fastmcp.json seen (else an import of fastmcp);
- which distribution provides which module, and what each declared set of requirements pulls in
  (else a walk of every installed distribution's metadata), by the site-packages directories'
  mtimes;
- what detect-secrets' detectors need to see on a line, and the type it gives each file suffix
  (else an import of detect-secrets), by the same mtimes;
- uv's verdict on the lock (else `uv lock --check`), by the run's context, uv and `UV_*`.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wagents import __version__
from wagents.files.atomic import atomic_write
from wagents.model import Finding, Server, Severity, Suppressed
from wagents.probe.environment import probe_environment
from wagents.workspace.changes import shared_inputs
from wagents.workspace.root import Workspace

if TYPE_CHECKING:
    from wagents.probe.protocol import RuntimeFacts

#: Bump when the entry format or the key's recipe changes.
FORMAT = 2
#: The digest index's file, beside the entries.
DIGESTS = "digests.json"
#: Directories whose content never changes a result (tool caches): left out of keys.
SKIPPED_DIRS = frozenset(
    {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis", ".venv", ".git"}
)
#: Entries kept per server (different rule selections, recent edits); older ones are removed.
ENTRIES_PER_SERVER = 4
#: Values the environment memory keeps (the oldest learnt go first).
MEMORY_ENTRIES = 512


@dataclass(frozen=True)
class Entry:
    """What is stored for a server: the findings that stand and those its ignores suppressed."""

    findings: list[Finding]
    suppressed: list[Suppressed]


@dataclass(frozen=True)
class Lookup:
    """A server's cache key (None when its files could not be listed) and, on a hit, its entry."""

    key: str | None
    entry: Entry | None


class DigestIndex:
    """The content digests of files hashed before, by path, with the stat they had then.

    Hashing every file of every server is most of a warm run. A file whose stat (size,
    modification and change times in nanoseconds, inode, device) is what it was when it was
    hashed is not read again: its digest is taken from here. Any doubt means reading: a file
    whose modification time lies within `RACY_SECONDS` of the moment it was hashed is never
    recorded (it could still change within the clock's granularity without its stat changing),
    so it is hashed on every run until it is older. The index lives beside the cache entries
    (`digests.json`), is written atomically, and a damaged one is ignored.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.known: dict[str, list[Any]] = {}
        self.changed = False
        if path is not None:
            try:
                data = json.loads(path.read_bytes())
                if isinstance(data, dict) and data.get("format") == FORMAT:
                    self.known = {k: v for k, v in data["files"].items() if isinstance(v, list)}
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                self.known = {}

    def digest(self, path: Path, info: os.stat_result) -> bytes:
        """The sha256 of the regular file `path` whose stat is `info`."""
        signature = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev]
        name = os.fsdecode(path)
        entry = self.known.get(name)
        if entry is not None and entry[:-1] == signature:
            return bytes.fromhex(entry[-1])
        with path.open("rb") as file:
            value = hashlib.file_digest(file, "sha256").digest()
        if self.path is not None and time.time_ns() - info.st_mtime_ns > RACY_SECONDS * 10**9:
            self.known[name] = [*signature, value.hex()]
            self.changed = True
        return value

    def save(self) -> None:
        """Write the index when something was added (a read-only workspace only loses speed)."""
        if self.path is None or not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            document = {"format": FORMAT, "files": self.known}
            atomic_write(self.path, json.dumps(document), durable=False)
            self.changed = False
        except OSError:
            return


#: Seconds a file must have been left alone before its digest is trusted by its stat.
RACY_SECONDS = 2
#: No index: every file is read (what --no-cache and library callers get).
NO_INDEX = DigestIndex()


class ResultCache:
    """The validation cache of one workspace for one rule selection."""

    def __init__(
        self,
        workspace: Workspace,
        context: str,
        index: DigestIndex = NO_INDEX,
        environment: str = "",
    ) -> None:
        self.workspace = workspace
        self.directory = cache_directory(workspace)
        self.context = context
        self.index = index
        #: The part of the context the installed environment alone makes up (`remember`).
        self.environment = environment
        self._memory: dict[str, Any] | None = None
        self._remembered = 0

    @classmethod
    def for_run(cls, workspace: Workspace, options: Any) -> ResultCache:
        """The cache for validating `workspace` with `engine.Options` (its rule selection as
        given: which rules exist is wagents' source, hashed too)."""
        index = DigestIndex(cache_directory(workspace) / DIGESTS)
        installed = (
            f"format {FORMAT}",
            f"wagents {__version__} {_wagents_source_digest(index)}",
            f"python {sys.version} {sys.executable}",
            f"fastmcp {_distribution_version('fastmcp')}",
        )
        environment = hashlib.sha256("\0".join(installed).encode("utf-8", "surrogateescape"))
        digest = hashlib.sha256()
        for part in (
            *installed,
            f"root {workspace.root}",
            f"shared {_shared_digest(workspace, index)}",
            f"select {' '.join(options.select)} ignore {' '.join(options.ignore)}",
            f"timeout {options.timeout!r} isolated {options.isolated!r} live {options.live!r}",
            f"environment {json.dumps(sorted(probe_environment().items()))}",
        ):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        return cls(workspace, digest.hexdigest(), index, environment.hexdigest())

    def remember(
        self, name: str, compute: Callable[[], Any], keep: Callable[[Any], bool] | None = None
    ) -> Any:
        """The JSON value `compute()` gave under `name` in an earlier run with the same wagents,
        Python and fastmcp (`.wagents/cache/environment/`); computed, and kept unless `keep`
        says no, when there is none. For facts of the environment that cost an import of fastmcp,
        a walk of every installed distribution or a subprocess."""
        if self._memory is None:
            try:
                loaded = json.loads((self._memory_path()).read_bytes())
                self._memory = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                self._memory = {}
        if name in self._memory:
            return self._memory[name]
        value = compute()
        if keep is None or keep(value):
            self._memory[name] = value
            self._remembered += 1
        return value

    def save(self) -> None:
        """Write what this run learnt: the digest index, and the remembered values."""
        self.index.save()
        if not self._remembered or self._memory is None or not self.environment:
            return
        directory = self._memory_path().parent
        newest = dict(list(self._memory.items())[-MEMORY_ENTRIES:])  # in the order learnt
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._ignore_in_git()
            atomic_write(self._memory_path(), json.dumps(newest), durable=False)
        except OSError:
            return  # a read-only workspace still validates, only slower
        _prune(directory)

    def _memory_path(self) -> Path:
        return self.directory.parent / "environment" / f"{self.environment}.json"

    def key(self, server: Server) -> str:
        """The hash of this run's context and every file of the server."""
        digest = hashlib.sha256(self.context.encode())
        _hash_tree(digest, server.path, self.index)
        return digest.hexdigest()

    def lookup(self, server: Server) -> Lookup:
        """The server's key and its stored entry (None when absent or unreadable)."""
        try:
            key = self.key(server)
        except OSError:  # the server cannot be hashed: it is checked, and nothing is stored
            return Lookup(None, None)
        return Lookup(key, self._load(server, key))

    def store(
        self,
        server: Server,
        key: str | None,
        findings: list[Finding],
        suppressed: list[Suppressed],
        runtime: RuntimeFacts | None,
    ) -> bool:
        """Store a server's findings unless they are unstable or its files changed meanwhile."""
        if key is None or (runtime is not None and not runtime.stable):
            return False
        try:
            if self.key(server) != key:  # edited while being checked: the findings may be stale
                return False
        except OSError:
            return False
        entry = {
            "format": FORMAT,
            "key": key,
            "server": server.name,
            "findings": [_stored(finding) for finding in findings],
            "suppressed": [
                {"finding": _stored(item.finding), "reason": item.reason} for item in suppressed
            ],
            "runtime": runtime.to_json() if runtime is not None else None,
        }
        directory = self.directory / server.name
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._ignore_in_git()
            atomic_write(directory / f"{key}.json", json.dumps(entry), durable=False)
        except OSError:
            return False  # a read-only workspace still validates, only slower
        _prune(directory)
        return True

    def _load(self, server: Server, key: str) -> Entry | None:
        path = self.directory / server.name / f"{key}.json"
        try:
            entry = json.loads(path.read_bytes())
            if (
                entry.get("format") != FORMAT
                or entry.get("key") != key
                or entry.get("server") != server.name
            ):
                return None
            return Entry(
                [_finding(server.name, item) for item in entry["findings"]],
                [
                    Suppressed(_finding(server.name, item["finding"]), str(item["reason"]))
                    for item in entry["suppressed"]
                ],
            )
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None  # absent, or corrupt: checked again and rewritten

    def _ignore_in_git(self) -> None:
        ignore = self.directory.parent / ".gitignore"
        if not ignore.exists():
            atomic_write(ignore, "# wagents' validation cache: never committed.\n*\n")


def cache_directory(workspace: Workspace) -> Path:
    """Where a workspace's validation results live (git-ignored)."""
    return workspace.state_dir / "cache" / "validate"


def _stored(finding: Finding) -> dict[str, object]:
    return {**finding.as_dict(), "subject": finding.subject}


def _finding(server: str, item: dict[str, Any]) -> Finding:
    path, line, subject = item["path"], item["line"], item.get("subject")
    if item["server"] != server or not isinstance(item["message"], str):
        raise ValueError("entry for another server")
    if not (path is None or isinstance(path, str)) or not (line is None or isinstance(line, int)):
        raise TypeError("bad location")
    if not (subject is None or isinstance(subject, str)):
        raise TypeError("bad subject")
    return Finding(
        server=server,
        rule=str(item["rule"]),
        severity=Severity(item["severity"]),
        message=item["message"],
        path=path,
        line=line,
        subject=subject,
    )


def _prune(directory: Path) -> None:
    """Keep the newest entries of a server; drop temporary files of killed writers."""
    now = time.time()
    try:
        entries = [(path.stat().st_mtime, path) for path in directory.iterdir()]
    except OSError:
        return
    stale_temporaries = [p for m, p in entries if p.name.startswith(".") and now - m > 3600]
    kept = sorted((e for e in entries if e[1].suffix == ".json"), reverse=True)
    for path in stale_temporaries + [path for _, path in kept[ENTRIES_PER_SERVER:]]:
        try:
            path.unlink()
        except OSError:
            continue  # another validation removed it first


def _hash_tree(digest: Any, root: Path, index: DigestIndex = NO_INDEX) -> None:
    """Feed every entry under `root` (relative path, kind, content) to `digest`, in order."""
    for relative, kind, content in _walk(root, index):
        digest.update(f"{kind} {relative}\0".encode("utf-8", "surrogateescape"))
        digest.update(content)
        digest.update(b"\0")


def _walk(root: Path, index: DigestIndex = NO_INDEX) -> Iterator[tuple[str, str, bytes]]:
    errors: list[OSError] = []
    for directory, dirnames, filenames in os.walk(root, onerror=errors.append):
        dirnames.sort()
        here = Path(directory)
        prefix = here.relative_to(root).as_posix()
        for name in list(dirnames):
            path = here / name
            relative = f"{prefix}/{name}" if prefix != "." else name
            if name in SKIPPED_DIRS:
                dirnames.remove(name)
            elif path.is_symlink():  # os.walk does not follow it; its target counts
                yield relative, "dir-link", os.fsencode(path.readlink())
        for name in sorted(filenames):
            relative = f"{prefix}/{name}" if prefix != "." else name
            if name.endswith((".pyc", ".pyo")):
                continue
            yield relative, *_file_content(here / name, index)
    for error in errors:  # a directory that could not be listed counts as such
        where = Path(error.filename or root)
        relative = where.relative_to(root).as_posix() if where != root else "."
        yield relative, "unlistable", str(error.errno).encode()


def _file_content(path: Path, index: DigestIndex = NO_INDEX) -> tuple[str, bytes]:
    try:
        info = path.stat()  # follows symlinks: the probe reads the target
        mode = info.st_mode
    except OSError as exc:
        try:
            link = str(path.readlink())
        except OSError:
            link = ""
        return "unreadable", f"{exc.errno} {link}".encode("utf-8", "surrogateescape")
    if not stat.S_ISREG(mode):
        return "special", str(stat.S_IFMT(mode)).encode()  # a fifo is never read
    try:
        return "file", index.digest(path, info)
    except OSError as exc:
        return "unreadable", str(exc.errno).encode()


def _shared_digest(workspace: Workspace, index: DigestIndex = NO_INDEX) -> str:
    """The hash of the files every server depends on (see changes.shared_inputs), and of every
    server's pyproject.toml (the lockfile rule's answer depends on all of them)."""
    digest = hashlib.sha256()
    root = workspace.root
    inputs = shared_inputs(workspace)
    for name in inputs.files:
        path = root / name
        if path.is_file():
            digest.update(f"root {name}\0".encode())
            digest.update(_file_content(path, index)[1])
    for server in workspace.servers():
        digest.update(f"member {server.name}\0".encode())
        kind, content = _file_content(server.path / "pyproject.toml", index)
        digest.update(kind.encode() + b"\0" + content)
    for relative in inputs.directories:
        directory = root / relative
        if not directory.is_dir():
            continue
        digest.update(f"dir {relative}\0".encode())
        _hash_tree(digest, directory, index)
    return digest.hexdigest()


def _wagents_source_digest(index: DigestIndex = NO_INDEX) -> str:
    """A hash of wagents' own files (the whole package: rules, the analysis and its data files):
    an edited rule must not reuse old results."""
    digest = hashlib.sha256()
    _hash_tree(digest, Path(__file__).resolve().parents[1], index)  # the whole wagents package
    return digest.hexdigest()


def _distribution_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"
