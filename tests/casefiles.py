"""The one case format of the golden cases (tests/cases/<rule>/<case>/) and the corpus
(tests/corpus/<case>/): a directory with `case.json` and the files laid over a fresh scaffold.

A case directory holds:
- `case.json` (keys below; any other key is an error, so a typo cannot silently do nothing);
- `server/`: files laid byte for byte over a freshly scaffolded server (`${name}` becomes the
  server's name, `${outside}` a scratch directory outside the workspace; files that are not
  UTF-8, or start with a byte order mark, are copied as they are);
- `root/`: files laid over the workspace root (`pyproject.toml`): the case then gets a workspace
  of its own.

`case.json` keys:
- `title` (required): what the input is, for people and for the corpus table in tests/README.md;
- `expect` (required): `{"findings": [...], "exit": N, "error": "..."}`. A finding is
  `{"rule", "message" (a substring), "severity" (default "error"), "path"?, "line"?}`: `path`
  relative to the workspace root (`mcp/${name}/...`), `line` null for "no line"; a key left
  out matches anything. `exit` is the command's exit status, `error` a substring of its one-line
  error;
- `locked`: the workspace's uv.lock: `true` locks it after the case's files are laid (what a
  clean workspace has: the `lockfile` rule passes), `"before-files"` locks the scaffold, then
  lays the files (a changed pyproject.toml makes it stale), `false` (the default) leaves none;
- `remove`: paths of the scaffolded server deleted after the files are laid;
- `isolated`: validate with `--isolated` (each server installed alone; slow);
- `surface`: the server's mcp-surface.json: `true` writes it after the case's files are laid (as
  `wagents surface --write` leaves a server: `surface-drift` passes), `"before-files"` writes
  the scaffold's (as `wagents new` does), then lays the files (a changed server drifts from it),
  `false` (the default) leaves none;
- `live`: validate with `--live` too (the server started over stdio and HTTP; its workspace's
  `.venv` is the running environment);
- `solo`: a workspace (and a run) of its own even without `root/`;
- `timeout`: the probe's timeout in seconds for a case that waits for it (a hang): such cases
  share a run of their own with that timeout, so that they do not hold the shared run's probe
  slots for its generous one;
- `slow`: the case takes seconds by design (it waits for a timeout): marked `slow`, so that
  `pytest -m "not slow"` leaves it out;
- `group`, `args`, `setup`, `verify`, `unprivileged`, `pending`: the corpus's (see
  corpus_cases.py).

How the two suites use a case differs in one way: a golden case lists every finding its server
gets from any rule (a passing case: none at all), a corpus case the findings it must at least
produce (see test_golden.py and test_corpus.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CASE_FILE = "case.json"
DEFAULT_ARGS = ("validate", "--format", "json")
KEYS = frozenset(
    {
        "title",
        "expect",
        "locked",
        "remove",
        "isolated",
        "live",
        "surface",
        "solo",
        "timeout",
        "slow",
        "group",
        "args",
        "setup",
        "verify",
        "unprivileged",
        "pending",
    }
)
EXPECT_KEYS = frozenset({"findings", "exit", "error"})
FINDING_KEYS = frozenset({"rule", "message", "severity", "path", "line"})


class CaseError(ValueError):
    """A case.json that does not follow the format."""


@dataclass(frozen=True)
class Case:
    """One case, as read from its directory. `name` is its id in test ids and `-k`; `server`
    the name of the server it is built into."""

    name: str
    server: str
    directory: Path
    title: str
    expect: dict[str, Any]
    locked: bool | str = False
    remove: tuple[str, ...] = ()
    isolated: bool = False
    live: bool = False
    surface: bool | str = False
    solo: bool = False
    timeout: float | None = None
    slow: bool = False
    group: str | None = None
    args: tuple[str, ...] = DEFAULT_ARGS
    setup: str | None = None
    verify: str | None = None
    unprivileged: bool = False
    pending: str | None = None

    @property
    def marks(self) -> list[Any]:
        """pytest marks: `slow` for slow and isolated cases."""
        import pytest

        return [pytest.mark.slow] if self.slow or self.isolated else []

    @property
    def server_files(self) -> Path:
        return self.directory / "server"

    @property
    def root_files(self) -> Path:
        return self.directory / "root"

    @property
    def findings(self) -> list[dict[str, Any]]:
        """The expected findings, `${name}` replaced by the server's name."""
        text = json.dumps(self.expect.get("findings", []))
        return json.loads(text.replace("${name}", self.server))


def load_case(directory: Path, name: str, server: str) -> Case:
    """Read `directory/case.json`; CaseError if it does not follow the format."""
    path = directory / CASE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CaseError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise CaseError(f"{path}: must hold a JSON object")
    unknown = set(data) - KEYS
    if unknown:
        raise CaseError(f"{path}: unknown key(s) {sorted(unknown)} (known: {sorted(KEYS)})")
    missing = {"title", "expect"} - set(data)
    if missing:
        raise CaseError(f"{path}: missing key(s) {sorted(missing)}")
    expect = data["expect"]
    if not isinstance(expect, dict) or set(expect) - EXPECT_KEYS:
        raise CaseError(f"{path}: expect takes the keys {sorted(EXPECT_KEYS)}")
    for finding in expect.get("findings", []):
        if set(finding) - FINDING_KEYS or not {"rule", "message"} <= set(finding):
            raise CaseError(f"{path}: a finding is {sorted(FINDING_KEYS)}, rule and message given")
    if data.get("locked", False) not in (True, False, "before-files"):
        raise CaseError(f'{path}: locked is true, false or "before-files"')
    return Case(
        name=name,
        server=server,
        directory=directory,
        title=data["title"],
        expect=expect,
        locked=data.get("locked", False),
        remove=tuple(data.get("remove", ())),
        isolated=bool(data.get("isolated", False)),
        live=bool(data.get("live", False)),
        surface=data.get("surface", False),
        solo=bool(data.get("solo", False)),
        timeout=float(data["timeout"]) if "timeout" in data else None,
        slow=bool(data.get("slow", False)),
        group=data.get("group"),
        args=tuple(data.get("args", DEFAULT_ARGS)),
        setup=data.get("setup"),
        verify=data.get("verify"),
        unprivileged=bool(data.get("unprivileged", False)),
        pending=data.get("pending"),
    )


def matches(want: dict[str, Any], got: dict[str, Any]) -> bool:
    """Whether finding `got` (a `Finding.as_dict()`) is what `want` (from case.json) describes."""
    return (
        got["rule"] == want["rule"]
        and want["message"] in got["message"]
        and got["severity"] == want.get("severity", "error")
        and ("path" not in want or got["path"] == want["path"])
        and ("line" not in want or got["line"] == want["line"])
    )


def lay_files(source: Path, target: Path, values: dict[str, str]) -> None:
    """Copy `source` over `target`, substituting `${key}` in UTF-8 files, bytes kept otherwise."""
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            destination.write_bytes(data)
            continue
        if text.startswith("\ufeff"):  # a deliberate BOM: keep the bytes as they are
            destination.write_bytes(data)
            continue
        for key, value in values.items():
            text = text.replace("${" + key + "}", value)
        destination.write_bytes(text.encode("utf-8"))


def remove_paths(server_dir: Path, paths: tuple[str, ...]) -> None:
    """Delete `paths` (relative to the server) from the scaffolded server."""
    import shutil

    for relative in paths:
        victim = server_dir / relative
        shutil.rmtree(victim) if victim.is_dir() else victim.unlink()
