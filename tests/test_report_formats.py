"""`--format github` and `--format sarif`: the real CLI on a scratch workspace, and the printers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from wagents.check.report import FORMATS, MODULES, renderer
from wagents.check.report.github_format import annotation, escape_data, escape_property
from wagents.check.report.sarif_format import document
from wagents.check.ruledoc import parse
from wagents.check.rules import all_rules
from wagents.model import Finding, Report, Severity, Suppressed
from wagents.testing import invoke_wagents, scratch_workspace, write_surfaces
from wagents.workspace.root import Workspace

BAD_SERVER = '''"""A server with findings of several severities."""

from fastmcp import FastMCP

mcp = FastMCP("Bad")
print("hello")


@mcp.tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b
'''

IGNORE = """
[tool.wagents]
ignore = [{ rule = "mask-error-details", reason = "errors: shown on purpose, 100% of them" }]
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("formats") / "repo"
    scratch_workspace(root, ["good", "bad"], locked=True)
    bad = root / "mcp" / "bad"
    (bad / "server.py").write_text(BAD_SERVER)
    with (bad / "pyproject.toml").open("a") as pyproject:
        pyproject.write(IGNORE)
    write_surfaces(root)
    return root


@pytest.fixture(scope="module")
def findings(workspace: Path) -> list[dict[str, Any]]:
    result = invoke_wagents("validate", "--format", "json", cwd=workspace)
    assert result.returncode == 1, result.stdout + result.stderr
    return json.loads(result.stdout)["findings"]


def test_the_registry_holds_every_format() -> None:
    assert set(MODULES) == {"text", "json", "github", "sarif", "markdown"}
    assert tuple(MODULES) == FORMATS
    assert all(callable(renderer(name)) for name in FORMATS)


def test_the_workspace_has_the_expected_findings(findings: list[dict[str, Any]]) -> None:
    assert [(f["rule"], f["severity"], f["line"]) for f in findings] == [
        ("stdout-at-import", "error", 6),
        ("param-descriptions", "warning", 9),
        ("tool-annotations", "warning", 9),
    ]


# ---- github ---------------------------------------------------------------------------------

_COMMAND = re.compile(r"^::(?P<level>error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def _unescape(text: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def test_github_annotations_round_trip_to_the_findings(
    workspace: Path, findings: list[dict[str, Any]]
) -> None:
    result = invoke_wagents("validate", "--format", "github", cwd=workspace)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert (
        lines[-1]
        == "Checked 2 servers: 1 error, 2 warnings, 0 info; 1 suppressed by [tool.wagents] ignore."
    )
    commands = [_COMMAND.match(line) for line in lines[:-1]]
    assert all(commands), lines
    levels = {"error": "error", "warning": "warning", "info": "notice"}
    for match, finding in zip(commands, findings, strict=True):
        assert match is not None
        props = dict(prop.split("=", 1) for prop in match["props"].split(","))
        assert match["level"] == levels[finding["severity"]]
        assert _unescape(props["file"]) == finding["path"]
        assert int(props["line"]) == finding["line"]
        assert _unescape(props["title"]) == finding["rule"]
        assert _unescape(match["message"]) == f"bad: {finding['message']}"
        assert "\n" not in match["message"]


def test_github_escaping_follows_the_runner() -> None:
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("dir,x/a:b%.py") == "dir%2Cx/a%3Ab%25.py"


def test_github_annotation_shapes() -> None:
    finding = Finding("srv", "tool-poisoning", Severity.INFO, "line 1\nline 2", "mcp/srv/a,b.py", 3)
    assert annotation(finding, "sub/") == (
        "::notice file=sub/mcp/srv/a%2Cb.py,line=3,title=tool-poisoning::srv: line 1%0Aline 2"
    )
    pathless = Finding("srv", "internal-error", Severity.ERROR, "boom")
    assert annotation(pathless) == "::error title=internal-error::srv: boom"


# ---- sarif ----------------------------------------------------------------------------------


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


_TEXT = _object({"text": {"type": "string"}, "markdown": {"type": "string"}}, ("text",))
_LEVEL = {"enum": ["none", "note", "warning", "error"]}
_BAG = {
    "type": "object",
    "properties": {"tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True}},
}
#: The part of the SARIF 2.1.0 schema (OASIS, errata01) that wagents writes: its property names,
#: required properties, enums and minimums. `additionalProperties: false` makes a misspelt or
#: invented property fail, as it does against the full schema. (The full schema is not shipped
#: by any installed package; no test downloads it.)
SARIF_SUBSET = _object(
    {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"]},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": _object(
                {
                    "tool": _object(
                        {
                            "driver": _object(
                                {
                                    "name": {"type": "string"},
                                    "version": {"type": "string"},
                                    "semanticVersion": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "items": _object(
                                            {
                                                "id": {"type": "string"},
                                                "name": {"type": "string"},
                                                "shortDescription": _TEXT,
                                                "fullDescription": _TEXT,
                                                "help": _TEXT,
                                                "defaultConfiguration": _object({"level": _LEVEL}),
                                                "properties": _BAG,
                                            },
                                            ("id",),
                                        ),
                                    },
                                },
                                ("name",),
                            )
                        },
                        ("driver",),
                    ),
                    "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                    "results": {
                        "type": "array",
                        "items": _object(
                            {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": -1},
                                "level": _LEVEL,
                                "message": _object({"text": {"type": "string"}}, ("text",)),
                                "locations": {
                                    "type": "array",
                                    "items": _object(
                                        {
                                            "physicalLocation": _object(
                                                {
                                                    "artifactLocation": _object(
                                                        {
                                                            "uri": {"type": "string"},
                                                            "uriBaseId": {"type": "string"},
                                                        }
                                                    ),
                                                    "region": _object(
                                                        {
                                                            "startLine": {
                                                                "type": "integer",
                                                                "minimum": 1,
                                                            }
                                                        }
                                                    ),
                                                }
                                            )
                                        }
                                    ),
                                },
                                "suppressions": {
                                    "type": "array",
                                    "items": _object(
                                        {
                                            "kind": {"enum": ["inSource", "external"]},
                                            "justification": {"type": "string"},
                                        },
                                        ("kind",),
                                    ),
                                },
                                "properties": {"type": "object"},
                            },
                            ("message",),
                        ),
                    },
                },
                ("tool",),
            ),
        },
    },
    ("version", "runs"),
)


def _sarif_errors(log: dict[str, Any]) -> list[str]:
    validator = Draft4Validator(SARIF_SUBSET)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


def test_the_subset_schema_rejects_what_the_full_schema_rejects() -> None:
    """The check can fail: a misspelt property, a bad level and a line 0 are all caught."""
    log = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": []}]}
    assert _sarif_errors(log) == []
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["tool"]["driver"]["rulez"] = []
    broken["runs"][0]["results"] = [
        {
            "message": {"text": "m"},
            "level": "info",
            "locations": [{"physicalLocation": {"region": {"startLine": 0}}}],
        }
    ]
    assert len(_sarif_errors(broken)) == 3


def test_sarif_is_valid_and_describes_every_rule_that_ran(
    workspace: Path, findings: list[dict[str, Any]]
) -> None:
    result = invoke_wagents("validate", "--format", "sarif", cwd=workspace)
    assert result.returncode == 1
    log = json.loads(result.stdout)
    assert _sarif_errors(log) == []
    (run,) = log["runs"]
    descriptors = run["tool"]["driver"]["rules"]
    rules = all_rules()
    assert [d["id"] for d in descriptors] == list(rules)
    for descriptor in descriptors:
        rule = rules[descriptor["id"]]
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"] == (
            parse(rule.doc).description or rule.summary
        )
        assert descriptor["help"]["text"] == rule.doc
        assert "Bad:" in descriptor["help"]["markdown"]
    results = run["results"]
    assert len(results) == len(findings) + 1  # the suppressed one is there, marked
    for sarif_result, finding in zip(results, findings, strict=False):
        assert (
            descriptors[sarif_result["ruleIndex"]]["id"]
            == sarif_result["ruleId"]
            == finding["rule"]
        )
        assert sarif_result["message"]["text"] == finding["message"]
        location = sarif_result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": finding["path"], "uriBaseId": "%SRCROOT%"}
        assert location["region"] == {"startLine": finding["line"]}
        assert "suppressions" not in sarif_result
    suppressed = results[-1]
    assert suppressed["ruleId"] == "mask-error-details"
    assert suppressed["suppressions"] == [
        {"kind": "external", "justification": "errors: shown on purpose, 100% of them"}
    ]
    assert suppressed["level"] == "warning"


def test_sarif_paths_are_relative_to_the_repository_and_pathless_findings_point_at_the_server() -> (
    None
):
    rules = list(all_rules().values())
    report = Report(
        servers=["srv"],
        findings=[
            Finding("srv", "internal-error", Severity.ERROR, "rule x crashed: KeyError: 'a'"),
            Finding("srv", "origin-protection", Severity.INFO, "m", "mcp/srv/my server.py", 0),
        ],
        suppressed=[Suppressed(Finding("srv", "components", Severity.WARNING, "m"), "why")],
        rules=rules,
        server_paths={"srv": "mcp/srv"},
        path_prefix="sub/",
    )
    log = document(report)
    assert _sarif_errors(log) == []
    (run,) = log["runs"]
    ids = [d["id"] for d in run["tool"]["driver"]["rules"]]
    assert ids[-1] == "internal-error" and len(ids) == len(rules) + 1
    crashed, info, suppressed = run["results"]
    assert crashed["ruleIndex"] == len(rules)
    assert crashed["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "sub/mcp/srv/", "uriBaseId": "%SRCROOT%"}
    }
    assert info["level"] == "note"
    assert info["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "sub/mcp/srv/my%20server.py", "uriBaseId": "%SRCROOT%"}
    }
    assert suppressed["suppressions"][0]["justification"] == "why"


def test_the_repository_prefix_of_a_nested_workspace(tmp_path: Path) -> None:
    scratch_workspace(tmp_path / "repo" / "tools" / "ws")
    (tmp_path / "repo" / ".git").mkdir()
    assert Workspace.find(tmp_path / "repo" / "tools" / "ws").repository_prefix == "tools/ws/"
    (tmp_path / "repo" / "tools" / "ws" / ".git").write_text("gitdir: elsewhere\n")
    assert Workspace.find(tmp_path / "repo" / "tools" / "ws").repository_prefix == ""


def test_strict_makes_warnings_fail(workspace: Path) -> None:
    warnings_only = ["validate", "bad", "--select", "tool-annotations"]
    assert invoke_wagents(*warnings_only, cwd=workspace).returncode == 0
    strict = invoke_wagents(*warnings_only, "--strict", cwd=workspace)
    assert strict.returncode == 1
    assert "warning[tool-annotations]" in strict.stdout
    assert invoke_wagents("validate", "good", "--strict", cwd=workspace).returncode == 0


# ---- markdown -------------------------------------------------------------------------------


def _markdown_tokens(text: str) -> list[Any]:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").parse(text)


def _table_rows(text: str) -> list[list[str]]:
    """The body rows of every table in `text` as GitHub would render them (cell texts)."""
    rows: list[list[str]] = []
    current: list[str] | None = None
    in_body = False
    for token in _markdown_tokens(text):
        if token.type == "tbody_open":
            in_body = True
        elif token.type == "tbody_close":
            in_body = False
        elif in_body and token.type == "tr_open":
            current = []
        elif in_body and token.type == "tr_close" and current is not None:
            rows.append(current)
        elif in_body and token.type == "inline" and current is not None:
            current.append(
                "".join(child.content for child in token.children or [] if child.content)
            )
    return rows


def test_markdown_of_the_real_cli_has_one_row_per_finding(
    workspace: Path, findings: list[dict[str, Any]]
) -> None:
    result = invoke_wagents("validate", "--format", "markdown", cwd=workspace)
    assert result.returncode == 1, result.stderr
    text = result.stdout
    assert text.startswith("### ❌ wagents validate\n")
    assert "Checked 2 servers: 1 error, 2 warnings, 0 info" in text
    rows = _table_rows(text)
    overview, body, suppressed = rows[:2], rows[2:5], rows[5:]
    assert overview == [["bad", "1", "2", "0"], ["good", "0", "0", "0"]]
    assert [(row[1], row[2]) for row in body] == [
        (finding["rule"], f"{finding['path']}:{finding['line']}") for finding in findings
    ]
    assert [row[3] for row in body] == [finding["message"] for finding in findings]
    assert "<details><summary>1 finding suppressed by [tool.wagents] ignore</summary>" in text
    assert [row[0] for row in suppressed] == ["mask-error-details"]
    assert suppressed[0][3] == "errors: shown on purpose, 100% of them"


def test_markdown_of_a_clean_run() -> None:
    text = renderer("markdown")(Report(servers=["a"]), False)
    assert text == "### ✅ wagents validate\n\nAll checks passed \\(1 server\\)\\.\n\n"


HOSTILE = (
    "x | y <img src=x onerror=alert(1)> **bold** `tick` [a](http://e) @team\nsecond </details>"
)


def test_markdown_escapes_what_a_server_supplies() -> None:
    finding = Finding("srv|<b>", "tool-poisoning", Severity.ERROR, HOSTILE, "mcp/a|b.py", 2)
    report = Report(
        servers=["srv|<b>"], findings=[finding], suppressed=[Suppressed(finding, HOSTILE)]
    )
    text = renderer("markdown")(report, False)
    html_tags = [
        node.content
        for token in _markdown_tokens(text)
        for node in [token, *(token.children or [])]
        if node.type in {"html_block", "html_inline"}
    ]
    # Only the <details>/<summary> wagents writes itself are HTML; nothing from the message.
    assert all("img" not in tag and "<b>" not in tag for tag in html_tags), html_tags
    body, suppressed = _table_rows(text)
    shown = HOSTILE.replace("\n", "<br>")  # rendered as a line break inside the cell
    assert body == ["❌ error", "tool-poisoning", "mcp/a|b.py:2", shown]
    assert suppressed[2] == "srv|<b>: " + shown
    assert "@team" not in text and "&#64;team" in text
    assert "<br>second" in text  # a line break stays inside its cell


def test_markdown_collapses_long_tables_and_stays_under_the_limit() -> None:
    from wagents.check.report.markdown import SUMMARY_LIMIT_BYTES

    many = [
        Finding("big", "tool-annotations", Severity.WARNING, "x" * 400, "mcp/big/server.py", n)
        for n in range(1, 5001)
    ]
    few = [Finding("small", "components", Severity.WARNING, "nothing", None, None)] * 3
    report = Report(servers=["big", "small"], findings=[*many, *few])
    text = renderer("markdown")(report, False)
    assert len(text.encode()) <= SUMMARY_LIMIT_BYTES < 1024 * 1024
    assert "<details><summary>5000 findings</summary>" in text
    assert text.count("<details>") == text.count("</details>")  # the cut closed its block
    shown = len(_table_rows(text)) - 2  # minus the overview
    assert 0 < shown < 5000
    assert text.rstrip().endswith(f"({5003 - shown} rows not shown)")
    assert "exceed GitHub's limit of 1 MiB" in text


def test_markdown_assemble_keeps_everything_that_fits() -> None:
    from wagents.check.report.markdown import assemble, paragraph, table

    sections = [paragraph("# Title"), table(("A", "B"), [("1", "2"), ("3", "4")])]
    assert assemble(sections) == "# Title\n\n| A | B |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n"
    whole = len(assemble(sections).encode())
    limits = range(whole + 300, 200, -1)  # from everything to little more than the note
    cuts = [assemble(sections, limit=limit) for limit in limits]
    assert all(len(cut.encode()) <= limit for cut, limit in zip(cuts, limits, strict=True))
    cut = next(cut for cut in cuts if "| 3 | 4 |" not in cut)
    assert "| 1 | 2 |" in cut
    assert cut.endswith("(1 row not shown)\n")
