"""What clients accept: the profiles (data files and their schema), the pure analyses behind the
clients rules (schemas with JSON pointers, a tool's effects, the token estimate), the text
printer's grouping, and `wagents compat` through the real CLI.

The rules themselves are checked by their golden cases (tests/cases/<rule>/), built from
FastMCP's own wire format; the tests here also make sure every profile constraint has one.
"""

from __future__ import annotations

import ast
import json
import shutil
import textwrap
import tomllib
from pathlib import Path

import pytest

from wagents.analysis import budget, compat, effects, schemas
from wagents.analysis.profiles import (
    DATA_DIR,
    DEFAULT_CLIENTS,
    ProfileError,
    load_profiles,
    read_profiles,
)
from wagents.model import Finding, Report, Severity
from wagents.testing import run_wagents, scratch_workspace

from .casefiles import Case, load_case
from .helpers import REPO_ROOT

CASES = REPO_ROOT / "tests" / "cases"
PROFILE_DIR = REPO_ROOT / "tools" / "wagents" / "src" / "wagents" / "analysis" / DATA_DIR
CLIENT_RULES = ("tool-name", "client-compat", "tool-description", "tool-budget", "destructive-hint")


# --- profiles ---------------------------------------------------------------------------------


def test_the_package_ships_one_valid_profile_per_client() -> None:
    profiles = load_profiles()
    assert set(profiles) == {
        "claude",
        "openai",
        "openai-strict",
        "gemini",
        "cursor",
        "vscode",
        "bedrock-agentcore",
    }
    assert set(DEFAULT_CLIENTS) <= set(profiles)
    for profile in profiles.values():
        assert profile.constraints, profile.name
        for constraint in profile.constraints:
            assert constraint.sources and all(s.startswith("https://") for s in constraint.sources)
    # openai-strict extends openai: it has openai's constraints and its own.
    strict = {item.id for item in profiles["openai-strict"].constraints}
    assert {item.id for item in profiles["openai"].constraints} < strict


def test_adding_a_client_is_adding_a_file(tmp_path: Path) -> None:
    for path in PROFILE_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path)
    (tmp_path / "acme.toml").write_text(
        textwrap.dedent(
            """
            name = "acme"
            title = "Acme"
            covers = "Acme's agent"
            extends = "cursor"

            [[constraints]]
            id = "acme.short-names"
            check = "name-length"
            max = 8
            summary = "Tool names have at most 8 characters"
            effect = "drops"
            severity = "warning"
            evidence = "observed"
            sources = ["https://example.org/acme/issues/1"]
            fix = "shorten the tool name"
            """
        )
    )
    profiles = read_profiles(tmp_path)
    acme = profiles["acme"]
    assert [item.id for item in acme.constraints][-1] == "acme.short-names"
    assert "cursor.name-charset" in {item.id for item in acme.constraints}
    found = compat.violations(acme, "srv", [{"name": "a_long_name", "inputSchema": {}}])
    assert [item.constraint.id for item in found] == ["acme.short-names"]
    assert found[0].message.startswith("tool 'a_long_name': Acme drops it [acme.short-names")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"id": "other.name"}, "must start with 'acme'."),
        ({"check": "name-charset"}, "needs `allowed`"),
        ({"check": "max-tools", "max": None}, "needs `max`"),
        ({"check": "keywords"}, "needs `keywords`"),
        ({"sources": ["http://insecure.example"]}, "not an https:// link"),
        ({"template": "{client}{tool}"}, "`template` holds"),
        ({"check": "no-such-check"}, "check"),
        ({"severity": "fatal"}, "severity"),
        ({"extra": 1}, "Extra inputs"),
    ],
)
def test_a_wrong_profile_file_is_refused_naming_it(
    tmp_path: Path, change: dict, error: str
) -> None:
    constraint = {
        "id": "acme.short-names",
        "check": "name-length",
        "max": 8,
        "summary": "Tool names have at most 8 characters",
        "effect": "drops",
        "severity": "warning",
        "evidence": "observed",
        "sources": ["https://example.org/acme/issues/1"],
        "fix": "shorten the tool name",
    } | change
    constraint = {key: value for key, value in constraint.items() if value is not None}
    lines = ['name = "acme"', 'title = "Acme"', 'covers = "Acme"', "", "[[constraints]]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in constraint.items()]
    (tmp_path / "acme.toml").write_text("\n".join(lines) + "\n")
    with pytest.raises(ProfileError, match=r"acme\.toml") as raised:
        read_profiles(tmp_path)
    assert error in str(raised.value)


def test_a_profile_file_must_be_named_after_its_profile(tmp_path: Path) -> None:
    shutil.copy(PROFILE_DIR / "cursor.toml", tmp_path / "kursor.toml")
    with pytest.raises(ProfileError, match=r"kursor\.toml holds profile 'cursor'"):
        read_profiles(tmp_path)


def test_extends_must_name_a_profile(tmp_path: Path) -> None:
    text = (PROFILE_DIR / "openai-strict.toml").read_text()
    (tmp_path / "openai-strict.toml").write_text(text)  # without openai.toml beside it
    with pytest.raises(ProfileError, match="extends 'openai'"):
        read_profiles(tmp_path)


def _case_clients(case_dir: Path) -> tuple[str, ...]:
    pyproject = case_dir / "server" / "pyproject.toml"
    root = case_dir / "root" / "pyproject.toml"
    for path in (pyproject, root):
        if path.exists():
            table = tomllib.loads(path.read_text()).get("tool", {}).get("wagents", {})
            if "clients" in table:
                return tuple(table["clients"])
    return DEFAULT_CLIENTS


def _case(case_dir: Path) -> Case:
    rule = case_dir.parent.name
    return load_case(case_dir, f"{rule}/{case_dir.name}", f"case-{rule}-{case_dir.name}")


def test_every_constraint_has_a_failing_golden_case() -> None:
    messages = [
        item["message"]
        for rule in ("tool-name", "client-compat")
        for case_dir in sorted((CASES / rule).iterdir())
        for item in _case(case_dir).findings
        if item["rule"] == rule
    ]
    missing = [
        item.id
        for profile in load_profiles().values()
        for item in profile.constraints
        if not any(f"[{item.id}" in message for message in messages)
    ]
    assert missing == []


def test_every_profile_has_a_passing_golden_case() -> None:
    passing: set[str] = set()
    for rule in ("tool-name", "client-compat"):
        for case_dir in (CASES / rule).iterdir():
            if _case(case_dir).findings == []:
                passing |= set(_case_clients(case_dir))
    assert set(load_profiles()) <= passing


def test_rules_client_compat_lists_every_profile_and_constraint_with_sources() -> None:
    result = run_wagents("rules", "client-compat", cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    for profile in load_profiles().values():
        assert f"`{profile.name}`" in result.stdout
        for item in profile.constraints:
            assert f"`{item.id}`" in result.stdout
            assert all(source in result.stdout for source in item.sources)
    docs = (REPO_ROOT / "docs" / "rules.md").read_text()
    assert "`bedrock-agentcore.refs`" in docs and "awslabs/mcp#2442" in docs


# --- schemas with JSON pointers -----------------------------------------------------------------


def test_walk_gives_pointers_and_object_depth() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a/b": {"type": "array", "prefixItems": [{"type": "number"}]},
            "m~n": {"type": "object", "properties": {"x": {"type": "string"}}},
        },
        "$defs": {"Leaf": {"type": "object", "properties": {}}},
    }
    nodes = {node.pointer: node.depth for node in schemas.walk(schema)}
    assert nodes == {
        "": 1,
        "/properties/a~1b": 1,
        "/properties/a~1b/prefixItems/0": 1,
        "/properties/m~0n": 2,
        "/properties/m~0n/properties/x": 2,
        "/$defs/Leaf": 1,
    }
    assert list(schemas.arrays_without_items(schema)) == ["/properties/a~1b"]
    assert list(schemas.with_keywords(schema, ["$defs"])) == ["/$defs"]


def test_schema_questions_on_fastmcp_shapes() -> None:
    # Shapes as FastMCP 3 writes them (see the client-compat golden cases for the real thing).
    optional = {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None}
    schema = {
        "additionalProperties": False,
        "type": "object",
        "properties": {
            "limit": optional,
            "items": {"items": {}, "type": "array"},
            "options": {"additionalProperties": True, "type": "object"},
            "by_name": {"additionalProperties": {"type": "object"}, "type": "object"},
            "nullable": {"type": ["string", "null"]},
        },
        "required": ["items"],
    }
    assert list(schemas.unions_without_type(schema)) == ["/properties/limit/anyOf"]
    assert list(schemas.arrays_without_items(schema)) == []  # `items: {}` is items
    assert list(schemas.objects_without_properties(schema)) == [
        "/properties/options",
        "/properties/by_name",
        "/properties/by_name/additionalProperties",
    ]
    assert list(schemas.schema_valued_additional_properties(schema)) == [
        "/properties/by_name/additionalProperties"
    ]
    assert list(schemas.type_arrays(schema)) == ["/properties/nullable/type"]
    assert list(schemas.open_objects(schema)) == [
        "/properties/options",
        "/properties/by_name",
        "/properties/by_name/additionalProperties",
    ]
    assert list(schemas.optional_properties(schema)) == [
        "/properties/limit",
        "/properties/options",
        "/properties/by_name",
        "/properties/nullable",
    ]
    assert schemas.property_count(schema) == 5
    assert schemas.max_depth(schema) == 3


def test_a_message_shows_three_pointers_and_counts_the_rest() -> None:
    profile = load_profiles()["vscode"]
    properties = {f"p{index}": {"type": "array"} for index in range(5)}
    tool = {"name": "t", "inputSchema": {"type": "object", "properties": properties}}
    (violation,) = [item for item in compat.violations(profile, "srv", [tool]) if item.tool == "t"]
    assert "at /properties/p0, /properties/p1, /properties/p2 and 2 more;" in violation.message
    assert violation.pointers == tuple(f"/properties/p{index}" for index in range(5))


# --- the token estimate -------------------------------------------------------------------------


def test_the_token_estimate_is_the_documented_one() -> None:
    tool = {
        "name": "echo",
        "description": "Return the text unchanged.",
        "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}},
        "outputSchema": {"type": "object", "properties": {"result": {"type": "string"}}},
        "_meta": {"fastmcp": {"tags": []}},
    }
    compact = json.dumps(
        {key: tool[key] for key in ("description", "inputSchema", "name")},
        sort_keys=True,
        separators=(",", ":"),
    )
    assert budget.tool_tokens(tool) == -(-len(compact) // 4)  # output schema and _meta left out
    assert budget.list_tokens([tool, tool]) == 2 * budget.tool_tokens(tool)


# --- a tool's effects ---------------------------------------------------------------------------


def _effects(source: str, tool: str = "tool", **others: str) -> list[effects.Effect]:
    modules = {
        name: effects.Module(name, f"{name}.py", ast.parse(textwrap.dedent(text)))
        for name, text in {"server": source, **others}.items()
    }
    tree = modules["server"].tree
    line = next(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == tool
    )
    found = effects.tool_effects(modules, "server", line)
    assert found is not None
    return found


@pytest.mark.parametrize(
    "body",
    [
        'subprocess.run(["git", "log", "--oneline"], capture_output=True)',
        'subprocess.run(["git", "-C", repo, "status"])',
        'db.execute("SELECT * FROM notes WHERE id = ?", (1,))',
        "db.execute(QUERY, (1,))",
        "db.execute(\"SELECT deleted_at, update_count FROM t WHERE kind = 'delete'\")",
        "open(path).read()",
        'open(path, "rb").read()',
        "Path(path).read_text()",
        'items.remove(1); text.replace("a", "b"); frame.drop(columns=["x"])',
        "queue.put(1)",
        "subprocess.run(program)",  # not a literal: unknown, not a write
    ],
)
def test_reads_are_not_writes(body: str) -> None:
    source = f"""
    import subprocess
    from pathlib import Path
    QUERY = "SELECT id FROM notes WHERE title = ?"

    def tool(db, path, repo, items, text, frame, queue, program):
        {body}
    """
    assert _effects(source) == []


@pytest.mark.parametrize(
    ("body", "kind", "does"),
    [
        ("os.remove(path)", "destructive", "deletes files"),
        ("sh.rmtree(path)", "destructive", "deletes files"),
        ("rmtree(path)", "destructive", "deletes files"),
        ("Path(path).unlink()", "destructive", "deletes files"),
        ('open(path, "w").write("x")', "destructive", "overwrite"),
        ('open(path, mode="a")', "write", "opens a file to write"),
        ("os.open(path, os.O_WRONLY | os.O_TRUNC)", "destructive", "O_TRUNC"),
        ('db.execute("  -- purge\\n DELETE FROM notes")', "destructive", "SQL DELETE"),
        ('db.execute(f"UPDATE {table} SET x = 1")', "destructive", "SQL UPDATE"),
        ('db.execute("WITH old AS (SELECT 1) DELETE FROM notes")', "destructive", "SQL DELETE"),
        ('db.execute("INSERT INTO notes VALUES (?)", (1,))', "write", "SQL INSERT"),
        ('db.executescript("SELECT 1; DROP TABLE notes")', "destructive", "SQL DROP"),
        ('conn.execute(text("TRUNCATE notes"))', "destructive", "SQL TRUNCATE"),
        ('stmt = text("DELETE FROM notes"); conn.execute(stmt)', "destructive", "SQL DELETE"),
        ("requests.delete(url)", "destructive", "HTTP DELETE"),
        ('client.request("PUT", url)', "destructive", "HTTP PUT"),
        ("api_session.patch(url)", "destructive", "HTTP PATCH"),
        ("store.delete(key)", "destructive", "deletes through store"),
        ('subprocess.run("rm -rf /tmp/x", shell=True)', "destructive", "`rm`"),
        ('subprocess.run(["git", "-C", repo, "clean", "-fd"])', "destructive", "`git clean`"),
        ('subprocess.check_call(["git", "commit", "-m", "x"])', "write", "`git commit`"),
        ('asyncio.create_subprocess_exec("mv", a, b)', "destructive", "`mv`"),
    ],
)
def test_writes_and_deletes(body: str, kind: str, does: str) -> None:
    source = f"""
    import asyncio, os, subprocess, requests
    import shutil as sh
    from shutil import rmtree
    from pathlib import Path
    from sqlalchemy import text

    def tool(db, conn, path, url, client, api_session, store, repo, a, b, key, table):
        {body}
    """
    (found,) = _effects(source)
    assert found.kind == kind
    assert does in found.does


def test_helpers_are_followed_into_the_server_s_modules_and_factories() -> None:
    source = """
    from storage import purge
    import storage as store

    def _level_one(path):
        _level_two(path)

    def _level_two(path):
        purge(path)

    def tool(path):
        _level_one(path)
        store.wipe(path)

    def register(mcp):
        def _helper(path):
            with open(path, "w"):
                pass

        @mcp.tool
        def nested(path):
            _helper(path)
    """
    storage = """
    import shutil

    def purge(path):
        shutil.rmtree(path)

    def wipe(path):
        open(path, "w").close()
    """
    found = _effects(source, storage=storage)
    assert [(item.module, item.via) for item in found] == [
        ("storage.py", ("_level_one", "_level_two", "purge")),
        ("storage.py", ("wipe",)),
    ]
    (nested,) = _effects(source, tool="nested", storage=storage)
    assert nested.via == ("_helper",) and nested.destructive


def test_helpers_are_followed_three_calls_deep_and_no_deeper() -> None:
    source = """
    import os

    def a(p): b(p)
    def b(p): c(p)
    def c(p): d(p)
    def d(p): os.remove(p)

    def tool(p):
        a(p)

    def three(p):
        b(p)
    """
    assert _effects(source) == []
    assert [item.via for item in _effects(source, tool="three")] == [("b", "c", "d")]


def test_a_tool_that_is_not_there_gives_none() -> None:
    module = effects.Module("server", "server.py", ast.parse("x = 1\n"))
    assert effects.tool_effects({"server": module}, "server", 1) is None
    assert effects.tool_effects({"server": module}, "other", 1) is None


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("delete_note", "delete"),
        ("removeUser", "remove"),
        ("notes.drop-table", "drop"),
        ("purge", "purge"),
        ("list_deleted_notes", None),
        ("undelete", None),
        ("dropdown_options", None),
    ],
)
def test_name_words(name: str, word: str | None) -> None:
    assert effects.name_word(name) == word


# --- text output groups one rule's finding on many tools ---------------------------------------


def _finding(tool: str, line: int, rule: str = "tool-annotations") -> Finding:
    return Finding(
        "notes",
        rule,
        Severity.WARNING,
        f"tool {tool!r} has no annotations: pass annotations=ToolAnnotations(...)",
        "mcp/notes/server.py",
        line,
        subject=tool,
    )


def test_text_groups_a_rule_s_finding_on_many_tools_and_json_keeps_each() -> None:
    from wagents.check.report import json_format, text_format

    findings = tuple(_finding(f"tool_{index}", 10 + index) for index in range(12))
    other = Finding("notes", "components", Severity.WARNING, "no components", "mcp/notes/server.py")
    report = Report(servers=("notes",), findings=(*findings, other))
    text = text_format.render(report)
    lines = [line for line in text.splitlines() if line.startswith("  ")]
    assert len(lines) == 2
    assert lines[0] == (
        "  warning[tool-annotations] mcp/notes/server.py: 12 tools (tool_0:10, tool_1:11, "
        "tool_2:12, tool_3:13, tool_4:14, tool_5:15, tool_6:16, tool_7:17, tool_8:18, tool_9:19, "
        "and 2 more): each tool has no annotations: pass annotations=ToolAnnotations(...)"
    )
    assert text.endswith("Checked 1 server: 0 errors, 13 warnings, 0 info.\n")
    document = json.loads(json_format.render(report))
    assert len(document["findings"]) == 13
    assert "subject" not in document["findings"][0]


def test_two_findings_or_different_messages_stay_apart() -> None:
    from wagents.check.report import text_format

    pair = (_finding("a", 1), _finding("b", 2))
    different = Finding(
        "notes", "tool-annotations", Severity.WARNING, "tool 'c' is odd", "x.py", 3, subject="c"
    )
    text = text_format.render(Report(servers=("notes",), findings=(*pair, different)))
    assert len([line for line in text.splitlines() if line.startswith("  ")]) == 3


def test_the_cache_keeps_a_finding_s_subject() -> None:
    from wagents.check.cache import _finding as restored
    from wagents.check.cache import _stored

    finding = _finding("a", 1)
    assert restored("notes", json.loads(json.dumps(_stored(finding)))) == finding


# --- the workspace's defaults ---------------------------------------------------------------------


def test_target_clients_come_from_the_server_then_the_workspace_then_the_default(
    tmp_path: Path,
) -> None:
    from wagents.check.facts import facts_for
    from wagents.workspace.root import Workspace

    scratch_workspace(tmp_path / "ws", ["plain", "own"])
    root = tmp_path / "ws"
    own = root / "mcp" / "own" / "pyproject.toml"
    own.write_text(own.read_text() + '\n[tool.wagents]\nclients = ["gemini"]\ntool-budget = 5\n')
    workspace = Workspace.find(root)
    plain, mine = workspace.select(["plain", "own"])
    assert facts_for(plain, workspace).clients.names == DEFAULT_CLIENTS
    assert facts_for(plain, workspace).clients.origin == "default"
    assert facts_for(mine, workspace).clients.names == ("gemini",)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.wagents]\nclients = ["cursor"]\ntool-budget = "x"\n'
    )
    workspace = Workspace.find(root)
    facts = facts_for(plain, workspace)
    assert (facts.clients.names, facts.clients.origin) == (("cursor",), "workspace")
    assert facts_for(mine, workspace).clients.names == ("gemini",)
    (problem,) = facts.environment.root_settings.problems
    assert problem.key == "tool-budget"
    assert "root pyproject.toml" in problem.message


# --- wagents compat -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compat_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`clean` as scaffolded, `tuples` with a fixed-tuple parameter, `broken` raising at import."""
    root = tmp_path_factory.mktemp("compat") / "repo"
    scratch_workspace(root, ["clean", "tuples", "broken"])
    server = root / "mcp" / "tuples" / "server.py"
    server.write_text(
        server.read_text().replace(
            'def echo(text: Annotated[str, Field(description="The text to send back unchanged.")])',
            'def echo(\n    text: Annotated[str, Field(description="The text.")],\n'
            '    at: Annotated[tuple[float, float], Field(description="Where.")] = (0, 0),\n)',
        )
    )
    assert "tuple[float, float]" in server.read_text()
    broken = root / "mcp" / "broken" / "server.py"
    broken.write_text(
        broken.read_text().replace(
            "mcp = FastMCP(", 'raise RuntimeError("boom")\nmcp = FastMCP(', 1
        )
    )
    return root


def test_compat_text_matrix(compat_workspace: Path) -> None:
    result = run_wagents(
        "compat", "clean", "tuples", "--clients", "claude,vscode", cwd=compat_workspace
    )
    assert result.returncode == 1, result.stderr  # a client refuses a server
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["SERVER", "claude", "vscode"]
    assert lines[1].split() == ["clean", "ok", "ok"]
    assert lines[2].split() == ["tuples", "ok", "refused:", "1", "tool"]
    assert any(
        line.startswith("tuples, vscode: tool 'echo': VS Code refuses it [vscode.array-items")
        for line in lines
    )
    assert lines[-1] == "2 servers, 2 clients: 1 refused, 0 with warnings, 3 ok."


def test_compat_all_profiles_json(compat_workspace: Path) -> None:
    result = run_wagents("compat", "--format", "json", cwd=compat_workspace)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["clients"] == list(load_profiles())
    rows = {row["server"]: row for row in document["servers"]}
    assert rows["broken"]["problem"].startswith("exception: RuntimeError: boom")
    assert all(cell["status"] == "ok" for cell in rows["clean"]["clients"].values())
    openai = rows["tuples"]["clients"]["openai"]
    assert (openai["status"], openai["tools"], openai["worst"]) == (
        "refused",
        1,
        "openai.array-items",
    )
    assert openai["violations"][0]["tool"] == "echo"
    # openai-strict also wants every property required: two constraints, one tool.
    strict = rows["tuples"]["clients"]["openai-strict"]
    assert {item["constraint"] for item in strict["violations"]} >= {
        "openai.array-items",
        "openai-strict.all-required",
    }


def test_compat_markdown(compat_workspace: Path) -> None:
    result = run_wagents(
        "compat", "clean", "tuples", "--format", "markdown", "-c", "vscode", cwd=compat_workspace
    )
    assert result.returncode == 1
    text = result.stdout
    assert text.startswith("### ❌ wagents compat\n")
    assert "| Server | `vscode` |" in text
    assert "| clean | ✅ ok |" in text
    assert "| tuples | ❌ refused: 1 tool |" in text
    assert "vscode\\.array\\-items" in text  # the message is escaped Markdown


def test_compat_all_ok_exits_0(compat_workspace: Path) -> None:
    result = run_wagents("compat", "clean", cwd=compat_workspace)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compat_unknown_client_is_a_usage_error(compat_workspace: Path) -> None:
    result = run_wagents("compat", "--clients", "claude,copilot", cwd=compat_workspace)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: no client profile copilot (profiles: bedrock-agentcore")
    assert len(result.stderr.splitlines()) == 1


# --- what ships stays clean ---------------------------------------------------------------------


@pytest.mark.parametrize("tasks", [False, True], ids=["plain", "tasks"])
def test_the_scaffold_is_clean_under_the_default_clients(tmp_path: Path, tasks: bool) -> None:
    from wagents.check.engine import Options, validate
    from wagents.scaffold.new import new_server
    from wagents.workspace.root import Workspace

    scratch_workspace(tmp_path / "ws")
    workspace = Workspace.find(tmp_path / "ws")
    new_server(workspace, "fresh", variant="tasks" if tasks else "plain")
    report = validate(workspace, workspace.servers(), Options(select=CLIENT_RULES, timeout=60))
    assert report.findings == ()
