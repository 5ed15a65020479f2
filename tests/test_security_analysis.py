"""The code analysis behind the security rules, beyond the golden cases and the corpus: its data
files, its SARIF classification, docs/rules.md's OWASP table, and cases of the taint model that
are easiest to state on a module's text."""

from __future__ import annotations

import ast
import textwrap
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from wagents.analysis import owasp
from wagents.analysis.knowledge import expand, knowledge
from wagents.analysis.secrets import scan_files
from wagents.analysis.taint import analyze
from wagents.check.report.sarif_format import document
from wagents.check.rules import all_rules
from wagents.model import Report

from .conftest import REPO_ROOT

RULES = all_rules()


def _flows(source: str) -> list[tuple[str, int, str]]:
    report = analyze(ast.parse(textwrap.dedent(source)))
    return [(flow.rule, flow.line, flow.component) for flow in report.flows]


def test_every_sink_and_sanitizer_of_the_data_file_cites_its_source() -> None:
    text = resources.files("wagents.analysis").joinpath("data", "sinks.toml").read_text("utf-8")
    data = tomllib.loads(text)
    for table in ("sink", "sanitizer", "stdout", "trampoline"):
        for entry in data[table]:
            assert entry.get("source"), (table, entry)
    for table in ("parameters", "checks", "command", "yaml", "sql", "blocking", "serving"):
        assert data[table].get("source"), table
    assert {sink["rule"] for sink in data["sink"]} == {
        "command-injection",
        "sql-injection",
        "path-traversal",
        "ssrf",
    }
    assert expand("os.{remove,unlink}") == ["os.remove", "os.unlink"]
    assert "sqlite3.Cursor.executescript" in knowledge().sinks_by_call


def test_the_owasp_mapping_names_real_rules_and_every_category() -> None:
    categories = owasp.categories()
    assert [category.id for category in categories] == [f"MCP{n:02d}" for n in range(1, 11)]
    for category in categories:
        assert set(category.rules) <= set(RULES), category.id
    for slug, item in RULES.items():
        classified = owasp.classification(slug)
        if classified is not None:
            assert slug in classified.owasp.rules, slug
            assert 0 < float(classified.security_severity) <= 10
            assert item.security is not None and item.security.severity == (
                classified.security_severity
            )
            assert list(item.security.tags) == classified.tags
        else:
            assert item.security is None, slug
    for slug in ("command-injection", "sql-injection", "path-traversal", "ssrf", "http-auth"):
        assert RULES[slug].security is not None, slug
    for slug in ("blocking-call", "stdout-at-runtime", "lockfile"):
        assert RULES[slug].security is None, slug


def test_sarif_tags_security_rules_with_owasp_and_cwe_and_a_security_severity() -> None:
    log = document(Report(servers=(), rules=tuple(RULES.values())))
    descriptors = {entry["id"]: entry for entry in log["runs"][0]["tool"]["driver"]["rules"]}
    injection = descriptors["command-injection"]["properties"]
    assert injection["tags"] == [
        "wagents",
        "security",
        "owasp-mcp-top-10/MCP05:2025",
        "external/cwe/cwe-078",
        "external/cwe/cwe-094",
        "external/cwe/cwe-502",
    ]
    assert injection["security-severity"] == "9.8"
    assert "external/cwe/cwe-306" in descriptors["http-auth"]["properties"]["tags"]
    assert descriptors["blocking-call"]["properties"] == {"tags": ["wagents", "security"]}
    assert "security-severity" not in descriptors["lockfile"]["properties"]


def test_docs_have_the_taint_model_and_the_owasp_coverage_table() -> None:
    text = (REPO_ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "## Taint analysis" in text and "## OWASP MCP Top 10 coverage" in text
    table = text.split("## OWASP MCP Top 10 coverage", 1)[1]
    for number in range(1, 11):
        assert f"| MCP{number:02d}:2025 " in table
    assert "Security: OWASP MCP05:2025 (Command Injection & Execution)" in text


def test_a_url_template_with_a_placeholder_password_in_prose_is_no_secret(tmp_path: Path) -> None:
    module = tmp_path / "server.py"
    module.write_text(
        '"""Set DATABASE_URL, e.g. postgresql://app:<password>@db/app."""\n'
        "# mysql://user:password@host/db\n"
        "# redis://:xxx@localhost:6379/0 or amqp://guest:***@rabbit/\n"
        "# postgres://app:9fQk2LmZ7x@db.internal/app\n"
        'DSN = "postgres://user:password@localhost/db"\n'
    )
    config = tmp_path / "settings.toml"
    config.write_text('# url = "mysql://user:password@host/db"\nurl = "mysql://u:password@h/db"\n')
    hits = scan_files({path: path.read_text() for path in (module, config)})
    assert [(hit.path.name, hit.line) for hit in hits] == [
        ("server.py", 4),
        ("server.py", 5),
        ("settings.toml", 2),
    ]


def test_a_literal_match_case_pins_the_subject() -> None:
    flows = _flows(
        """
        import subprocess
        from fastmcp import FastMCP
        mcp = FastMCP("x")

        @mcp.tool
        def service(action: str, name: str) -> str:
            match action:
                case "start" | "stop":
                    return subprocess.run(f"systemctl {action} app", shell=True).stdout
                case _:
                    return subprocess.run(f"systemctl {action} {name}", shell=True).stdout
        """
    )
    assert flows == [("command-injection", 12, "tool 'service'")]


def test_the_low_level_server_handlers_are_components() -> None:
    flows = _flows(
        """
        import httpx
        from mcp.server.lowlevel import Server
        server = Server("fetch")

        @server.call_tool()
        async def call_tool(name: str, arguments: dict) -> list:
            async with httpx.AsyncClient() as client:
                return [(await client.get(arguments["url"])).text]
        """
    )
    assert flows == [("ssrf", 9, "tool 'call_tool'")]


def test_recursive_helpers_and_deep_chains_end() -> None:
    flows = _flows(
        """
        import os
        from fastmcp import FastMCP
        mcp = FastMCP("x")

        def a(x, n):
            return a(x, n - 1) if n else b(x)

        def b(x):
            return c(x)

        def c(x):
            return d(x)

        def d(x):
            return os.system(x)

        @mcp.tool
        def run(command: str) -> int:
            return a(command, 3) + c(command)
        """
    )
    # d() is four calls deep from run() through a(), three through c(): only that one is seen.
    assert flows == [("command-injection", 16, "tool 'run'")]


@pytest.mark.parametrize(
    "root", ["tools/wagents/src/wagents", "mcp", "tests/security_corpus"], ids=lambda r: r
)
def test_the_analysis_runs_on_any_module_without_crashing(root: str) -> None:
    modules = sorted((REPO_ROOT / root).rglob("*.py"))
    assert modules
    for path in modules:
        analyze(ast.parse(path.read_text(encoding="utf-8")))


def test_the_cache_key_covers_the_analysis_and_its_data_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An edited sink list must not reuse cached results (the key hashes wagents' source)."""
    from wagents.check import cache

    roots: list[Path] = []
    monkeypatch.setattr(cache, "_hash_tree", lambda digest, root, index=None: roots.append(root))
    cache._wagents_source_digest()
    assert len(roots) == 1
    assert (roots[0] / "analysis" / "data" / "sinks.toml").is_file()
    assert (roots[0] / "check" / "rules" / "security.py").is_file()


def test_an_expression_too_deep_to_follow_skips_its_component_without_crashing() -> None:
    terms = "+".join(["x"] * 600)  # parses, but nests deeper than the interpreter can follow
    source = (
        "import os\nfrom fastmcp import FastMCP\nmcp = FastMCP('x')\n\n"
        f"@mcp.tool\ndef deep(x: str) -> int:\n    return os.system({terms})\n\n"
        "@mcp.tool\ndef shallow(x: str) -> int:\n    return os.system(x)\n"
    )
    report = analyze(ast.parse(source))
    assert report.skipped == ("tool 'deep'",)
    assert [(flow.component, flow.line) for flow in report.flows] == [("tool 'shallow'", 11)]
