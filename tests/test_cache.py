"""The per-server result cache: what its key covers, hits, corrupt entries, unstable results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wagents.check.cache import ResultCache
from wagents.check.engine import Options, validate
from wagents.testing import scratch_workspace
from wagents.workspace.root import Workspace

STATIC = ("server-layout", "fastmcp-json", "dependency-parity")


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """Servers `good` (as scaffolded) and `bad` (a typo in fastmcp.json)."""
    workspace = scratch_workspace(tmp_path / "ws", ["good", "bad"])
    config = workspace.servers_dir / "bad" / "fastmcp.json"
    data = json.loads(config.read_text())
    data["enviroment"] = data.pop("environment")
    config.write_text(json.dumps(data, indent=2))
    (workspace.root / "uv.lock").write_text("version = 1\n")
    return workspace


def keys(workspace: Workspace, rules: tuple[str, ...] = STATIC, **options) -> dict:
    cache = ResultCache.for_run(workspace, Options(select=rules, **options))
    return {server.name: cache.key(server) for server in workspace.servers()}


def run(workspace: Workspace, **options):
    options = {"select": STATIC, "cache": True} | options
    return validate(workspace, workspace.servers(), Options(**options))


def test_the_key_covers_what_can_change_a_result(workspace: Workspace) -> None:
    root, good = workspace.root, workspace.servers_dir / "good"
    before = keys(workspace)
    assert before["good"] != before["bad"]

    (good / "__pycache__").mkdir()
    (good / "__pycache__" / "server.cpython-311.pyc").write_bytes(b"compiled")
    (good / "tests" / "__pycache__").mkdir(parents=True, exist_ok=True)
    (good / ".pytest_cache").mkdir()
    (good / ".pytest_cache" / "v").write_text("anything")
    assert keys(workspace) == before, "tool caches do not count"

    steps = {
        "a server file": lambda: (good / "server.py").write_text("# edited\n"),
        "a new file": lambda: (good / "helper.py").write_text(""),
        "a nested file": lambda: (good / "tests" / "test_more.py").write_text(""),
        # Whether uv.lock is current depends on every member's pyproject (the lockfile rule).
        "the pyproject of good": lambda: (good / "pyproject.toml").write_text(
            (good / "pyproject.toml").read_text() + "\n# comment\n"
        ),
        "the root .gitignore": lambda: (root / ".gitignore").write_text("*.log\n"),
        "uv.lock": lambda: (root / "uv.lock").write_text("version = 2\n"),
        "the root pyproject": lambda: (root / "pyproject.toml").write_text(
            (root / "pyproject.toml").read_text() + "\n# comment\n"
        ),
        "a shared tool": lambda: (
            (root / "tools" / "lib").mkdir(parents=True)
            or (root / "tools" / "lib" / "x.py").write_text("")
        ),
    }
    previous = keys(workspace)
    for what, change in steps.items():
        change()
        now = keys(workspace)
        assert now["good"] != previous["good"], what
        if what.startswith("a ") and what != "a shared tool":
            assert now["bad"] == previous["bad"], f"{what} of good changed bad's key"
        else:
            assert now["bad"] != previous["bad"], what
        previous = now
    assert keys(workspace) == previous
    assert keys(workspace, rules=STATIC[:2]) != previous
    assert keys(workspace, timeout=5.0) != previous
    assert keys(workspace, isolated=True) != previous


def test_a_second_run_reuses_every_result(workspace: Workspace) -> None:
    first = run(workspace)
    assert first.info.cached == 0 and first.info.stored == 2
    second = run(workspace)
    assert second.findings == first.findings and second.servers == first.servers
    assert second.info.cached == 2 and second.info.checked == 0
    assert sorted(f.rule for f in second.findings) == ["dependency-parity", "fastmcp-json"]
    ignore = workspace.root / ".wagents" / "cache" / ".gitignore"
    assert ignore.read_text().splitlines()[-1] == "*"
    (workspace.servers_dir / "good" / "server.py").write_text("# edited\n")
    third = run(workspace)
    assert third.info.cached == 1 and third.info.checked == 1


def test_runtime_results_are_cached_too(workspace: Workspace) -> None:
    source = workspace.servers_dir / "good" / "server.py"
    source.write_text('raise RuntimeError("at import")\n')
    first = run(workspace, select=("import-check",))
    assert [f.message for f in first.findings] == [
        "importing server.py raised RuntimeError: at import"
    ]
    assert first.info.probes.runner in {"zygote", "process"}
    second = run(workspace, select=("import-check",))
    assert second.findings == first.findings
    assert second.info.cached == 2 and second.info.probes.runner == "none"


def entry_of(workspace: Workspace, server: str) -> Path:
    (entry,) = (workspace.root / ".wagents" / "cache" / "validate" / server).glob("*.json")
    return entry


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: "\0\xff garbage",
        lambda text: json.dumps({"format": 1}),
        lambda text: text.replace('"server": "bad"', '"server": "good"'),
        lambda text: text.replace('"severity": "error"', '"severity": "fatal"'),
        lambda text: text.replace('"line": ', '"line": "x", "was": '),
        lambda text: "[]",
    ],
)
def test_a_corrupt_entry_is_ignored_and_rebuilt(workspace: Workspace, damage) -> None:
    first = run(workspace)
    entry = entry_of(workspace, "bad")
    intact = entry.read_text()
    entry.write_text(damage(intact))
    second = run(workspace)
    assert second.findings == first.findings
    assert second.info.cached == 1 and second.info.stored == 1
    assert json.loads(entry.read_text()) == json.loads(intact)


def test_a_valid_entry_is_believed(workspace: Workspace) -> None:
    """The cache is really read: an entry edited by hand shows up in the findings."""
    run(workspace)
    entry = entry_of(workspace, "good")
    data = json.loads(entry.read_text())
    data["findings"] = [
        {
            "server": "good",
            "rule": "fastmcp-json",
            "severity": "warning",
            "message": "from the cache",
            "path": None,
            "line": None,
        }
    ]
    entry.write_text(json.dumps(data))
    report = run(workspace)
    assert "from the cache" in [finding.message for finding in report.findings]
    assert "from the cache" not in [f.message for f in run(workspace, cache=False).findings]


@pytest.mark.slow  # waits for two probe timeouts
def test_unstable_results_and_edited_servers_are_not_stored(workspace: Workspace) -> None:
    source = workspace.servers_dir / "good" / "server.py"
    source.write_text("import time\nwhile True:\n    time.sleep(0.05)\n")
    # Fails at once, without importing fastmcp: quick in either runner.
    (workspace.servers_dir / "bad" / "server.py").write_text("raise SystemExit(2)\n")
    report = run(workspace, select=("import-check",), timeout=3.0)
    assert sorted(f.server for f in report.findings) == ["bad", "good"]
    assert report.info.stored == 1  # bad's exit is kept; good's timeout is not
    assert run(workspace, select=("import-check",), timeout=3.0).info.cached == 1

    cache = ResultCache.for_run(workspace, Options(select=STATIC))
    (good,) = [server for server in workspace.servers() if server.name == "good"]
    lookup = cache.lookup(good)
    source.write_text("# edited while being checked\n")
    assert cache.store(good, lookup.key, [], [], None) is False


def test_entries_are_pruned_per_server(workspace: Workspace) -> None:
    source = workspace.servers_dir / "good" / "server.py"
    for number in range(7):
        source.write_text(f"# version {number}\n")
        run(workspace)
    directory = workspace.root / ".wagents" / "cache" / "validate" / "good"
    assert len(list(directory.glob("*.json"))) == 4


def test_suppressed_findings_are_cached_with_their_reason(workspace: Workspace) -> None:
    pyproject = workspace.servers_dir / "bad" / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.wagents]\nignore = [{ rule = "fastmcp-json", reason = "on purpose" }]\n'
    )
    first = run(workspace, select=(*STATIC, "wagents-config"))
    assert [(item.finding.rule, item.reason) for item in first.suppressed] == [
        ("fastmcp-json", "on purpose")
    ]
    second = run(workspace, select=(*STATIC, "wagents-config"))
    assert second.info.cached == 2
    assert second.suppressed == first.suppressed and second.findings == first.findings


def test_odd_member_globs_do_not_break_the_key(workspace: Workspace) -> None:
    pyproject = workspace.root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('members = ["mcp/*"]', 'members = ["mcp/*", "/abs/*", ""]')
    )
    workspace = Workspace.find(workspace.root)
    assert set(keys(workspace)) == {"good", "bad"}


def test_wagents_own_source_in_every_room_is_in_the_key() -> None:
    """An edited probe, rule or printer must not reuse old results: the whole package is hashed."""
    from wagents.check import cache

    package = Path(cache.__file__).resolve().parents[1]
    hashed = {relative for relative, _kind, _content in cache._walk(package)}
    for module in ("probe/child.py", "check/rules/runtime.py", "workspace/server.py", "model.py"):
        assert module in hashed, module


def test_a_file_left_alone_is_not_read_again_and_any_change_is_seen(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digest index: an unchanged stat spares the read; a changed file is read and hashed,
    even one whose size and modification time were put back."""
    import hashlib
    import os
    import time

    from wagents.check import cache as cache_module

    server = workspace.servers_dir / "good" / "server.py"
    old = time.time() - 60  # old enough to be trusted by its stat (RACY_SECONDS)
    for path in workspace.root.rglob("*"):
        if path.is_file():
            os.utime(path, (old, old))
    reads: list[str] = []
    real = hashlib.file_digest

    def counting(file, digest):  # type: ignore[no-untyped-def]
        reads.append(file.name)
        return real(file, digest)

    monkeypatch.setattr(hashlib, "file_digest", counting)
    first = ResultCache.for_run(workspace, Options(select=STATIC))
    first_key = first.key(workspace.servers()[1])  # good
    first.index.save()
    assert any(name == str(server) for name in reads)
    reads.clear()
    second = ResultCache.for_run(workspace, Options(select=STATIC))
    assert second.key(workspace.servers()[1]) == first_key
    assert not [name for name in reads if name.startswith(str(workspace.servers_dir))]

    text = server.read_text()
    server.write_text(text.replace("Return", "Rturn!"))  # same size
    os.utime(server, (old, old))  # the same modification time too: the change time differs
    assert cache_module.DigestIndex(second.index.path).known  # the index was written
    third = ResultCache.for_run(workspace, Options(select=STATIC))
    assert third.key(workspace.servers()[1]) != first_key


def test_uvs_verdict_on_the_lock_is_asked_again_only_when_its_inputs_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The environment memory answers for `uv lock --check` while uv.lock, every pyproject.toml
    and uv stay the same; a pyproject edit that makes the lock stale is asked about again."""
    import shutil
    import stat

    workspace = scratch_workspace(tmp_path / "ws", ["alpha", "beta"], locked=True)
    real = shutil.which("uv")
    assert real is not None
    calls = tmp_path / "uv-calls"
    wrapper = tmp_path / "uv"  # the real uv, counting its calls
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {calls}\nexec {real} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("UV", str(wrapper))

    def lock_findings() -> set[str]:
        report = run(workspace, select=("lockfile",))
        return {finding.message.partition(" (")[0] for finding in report.findings}

    def checks() -> int:
        lines = calls.read_text().splitlines() if calls.exists() else []
        return sum(1 for line in lines if line.startswith("lock --check"))

    assert (lock_findings(), checks()) == (set(), 1)
    source = workspace.servers_dir / "alpha" / "server.py"
    source.write_text(source.read_text() + "\n# edited\n")  # alpha is checked again
    assert (lock_findings(), checks()) == (set(), 1)  # uv's answer, remembered
    pyproject = workspace.servers_dir / "beta" / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"fastmcp', '"httpx>=0.27",\n    "fastmcp'))
    stale = {"uv.lock is out of date with the pyproject files"}
    assert (lock_findings(), checks()) == (stale, 2)
