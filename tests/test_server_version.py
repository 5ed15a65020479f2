"""A server's own serverInfo.version: the function the scaffold and `wagents adopt` give it, and
the edit adopt makes to an existing entry module (only the call and one function are added)."""

from __future__ import annotations

import ast
import importlib.metadata
from pathlib import Path

import pytest

from wagents.analysis.entrypoints import find_servers
from wagents.scaffold.new import render_templates
from wagents.scaffold.version import FUNCTION, add_version


def added(text: str, name: str = "weather") -> tuple[str, str]:
    tree = ast.parse(text)
    (entry,) = find_servers({"server.py": tree})
    return add_version(text, tree, entry, name)


def test_an_instance_gets_the_keyword_and_the_function_and_nothing_else_changes() -> None:
    source = (
        "# a server\r\n"
        "from fastmcp import FastMCP as Server\r\n"
        "\r\n"
        "# the server, with a comment that stays with it\r\n"
        "mcp = Server(\r\n"
        '    "Weather",  # the name\r\n'
        '    instructions="Forecasts é",\r\n'
        ")\r\n"
    )
    edited, note = added(source)
    assert 'instructions="Forecasts é", version=server_version("weather"),\r\n)' in edited
    assert "\n" not in edited.replace("\r\n", "")  # the file's line endings are kept
    before, _, after = edited.partition("def server_version(")
    assert before == source.split("# the server", maxsplit=1)[0] + "\r\n"
    assert after.split("\r\n\r\n\r\n", 1)[1] == source.split("\r\n\r\n", 1)[1].replace(
        '"Forecasts é",', '"Forecasts é", version=server_version("weather"),'
    )
    ast.parse(edited)
    assert "clients see [project].version" in note


def test_a_factory_and_an_empty_call() -> None:
    source = (
        "import fastmcp\n\n\n@cache\ndef build():\n    server = fastmcp.FastMCP()\n"
        "    return server\n"
    )
    edited, _ = added(source)
    assert 'server = fastmcp.FastMCP(version=server_version("weather"))' in edited
    assert edited.index("def server_version(") < edited.index("@cache")
    ast.parse(edited)


@pytest.mark.parametrize(
    ("call", "note"),
    [
        ('FastMCP("x", version="2.0")', "keeps its own version="),
        ('FastMCP("x", **options)', "**kwargs"),
    ],
)
def test_what_is_left_alone(call: str, note: str) -> None:
    source = f"from fastmcp import FastMCP\n\noptions = {{}}\nmcp = {call}\n"
    edited, said = added(source)
    assert edited == source and note in said


def test_a_taken_name_is_avoided() -> None:
    source = "from fastmcp import FastMCP\n\nserver_version = 1\nmcp = FastMCP('x')\n"
    edited, _ = added(source)
    assert "def _server_version(" in edited and "version=_server_version(" in edited


def run_function(source: str, module_file: Path, name: str) -> str | None:
    """The version function of `source` (not the server: only the function is executed)."""
    tree = ast.parse(source)
    function = next(
        node for node in tree.body if isinstance(node, ast.FunctionDef) and "version" in node.name
    )
    namespace: dict[str, object] = {"__file__": str(module_file)}
    exec(compile(ast.Module([*_imports(tree), function], []), "server.py", "exec"), namespace)
    result = namespace[function.name](name)  # type: ignore[operator]
    assert result is None or isinstance(result, str)
    return result


def _imports(tree: ast.Module) -> list[ast.stmt]:
    return [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]


@pytest.mark.parametrize(
    "source",
    [render_templates("weather", "")["server.py"], FUNCTION.format(function="server_version")],
    ids=["scaffold", "adopt"],
)
def test_the_function_reads_the_nearest_pyproject_of_that_name(source: str, tmp_path: Path) -> None:
    package = tmp_path / "mcp" / "weather" / "pkg"
    package.mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "root"\nversion = "9.9.9"\n')
    (package.parent / "pyproject.toml").write_text(
        '[project]\nname = "weather"\nversion = "1.4.0"\n'
    )
    (package / "pyproject.toml").write_text("not toml [")
    module = package / "server.py"
    assert run_function(source, module, "weather") == "1.4.0"
    # no pyproject names it: the installed distribution's version, else None
    assert run_function(source, module, "packaging") == importlib.metadata.version("packaging")
    assert run_function(source, module, "no-such-distribution-here") is None
