"""Property-based tests (hypothesis): server names, requirement parity, format-preserving edits."""

from __future__ import annotations

import ast
import difflib
import json
import keyword
import tomllib

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from wagents.files.toml_edit import register_server
from wagents.model import UsageError
from wagents.scaffold.names import MAX_NAME_LENGTH, NAME_PATTERN, RESERVED_NAMES, check_server_name
from wagents.scaffold.new import check_description, render_templates
from wagents.workspace.requirements import same_requirement

NOTHING_INSTALLED: frozenset[str] = frozenset()
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- server names -------------------------------------------------------------------------------

valid_names = st.from_regex(NAME_PATTERN, fullmatch=True).filter(
    lambda name: (
        len(name) <= MAX_NAME_LENGTH
        and name not in RESERVED_NAMES
        and not keyword.iskeyword(name)
        and not keyword.issoftkeyword(name)
    )
)


@given(st.text())
@example("")
@example("a" * 65)
@example("Weather")
@example("we--ather")
@example("\ud800")
@example("x\n--y")
@settings(max_examples=300)
def test_any_text_is_accepted_or_refused_in_one_line(name: str) -> None:
    try:
        check_server_name(name, NOTHING_INSTALLED)
    except UsageError as exc:
        assert "\n" not in str(exc) and "\r" not in str(exc)
        return
    assert NAME_PATTERN.fullmatch(name) and len(name) <= MAX_NAME_LENGTH
    assert name not in RESERVED_NAMES and not keyword.iskeyword(name)


@given(valid_names)
@settings(max_examples=200)
def test_every_well_formed_name_is_accepted(name: str) -> None:
    check_server_name(name, NOTHING_INSTALLED)


@given(valid_names)
def test_an_installed_distribution_name_is_refused_in_any_spelling(name: str) -> None:
    taken = frozenset({canonicalize_name(name)})
    with pytest.raises(UsageError, match="package installed"):
        check_server_name(name, taken)


@given(valid_names, st.text(max_size=120))
@example("a", "\U00010280 beyond the BMP")
@example("a", 'quotes " and \'\'\' and """ and a trailing backslash \\')
@example("a", 'a trailing quote"')
@QUICK
def test_rendered_servers_parse_whatever_the_name_and_description(
    name: str, description: str
) -> None:
    """No accepted name or description can break out of the Python, TOML or JSON it lands in."""
    try:
        description = check_description(description)
    except UsageError:
        return
    for variant in ("plain", "tasks"):
        files = render_templates(name, description, variant)
        docstring = ast.get_docstring(ast.parse(files["server.py"]), clean=False)
        assert docstring is not None and docstring.endswith(description or "MCP server.")
        project = tomllib.loads(files["pyproject.toml"])["project"]
        assert project["name"] == name
        assert json.loads(files["fastmcp.json"])["source"]["path"] == "server.py"


# --- requirement parity -------------------------------------------------------------------------

name_parts = st.lists(st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True), min_size=1, max_size=3)
versions = st.lists(st.integers(0, 30), min_size=1, max_size=3).map(
    lambda parts: ".".join(map(str, parts))
)
operators = st.sampled_from([">=", "<=", "<", ">", "==", "!="])
specifier_lists = st.lists(st.tuples(operators, versions), min_size=0, max_size=3, unique=True)
extras = st.lists(st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True), max_size=2, unique=True)


def _spell(parts: list[str], separators: list[str], upper: list[bool]) -> str:
    """One of the many spellings of a normalized name: any case, `-`, `_` or `.` between parts."""
    words = [part.upper() if up else part for part, up in zip(parts, upper, strict=False)]
    words += parts[len(words) :]
    return "".join(
        word + (separators[index % len(separators)] if index < len(words) - 1 else "")
        for index, word in enumerate(words)
    )


def _requirement(name: str, extra_names: list[str], specifiers: list[tuple[str, str]]) -> str:
    extra = f"[{','.join(extra_names)}]" if extra_names else ""
    return name + extra + ",".join(op + version for op, version in specifiers)


@given(
    name_parts,
    extras,
    specifier_lists,
    st.lists(st.sampled_from(["-", "_", "."]), min_size=1, max_size=3),
    st.lists(st.booleans(), max_size=3),
    st.randoms(use_true_random=False),
)
@settings(max_examples=200)
def test_parity_ignores_spelling_and_order(
    parts, extra_names, specifiers, separators, upper, random
) -> None:
    left = Requirement(_requirement("-".join(parts), extra_names, specifiers))
    shuffled_specifiers = list(specifiers)
    random.shuffle(shuffled_specifiers)
    shuffled_extras = [extra.upper() for extra in reversed(extra_names)]
    right = Requirement(
        _requirement(_spell(parts, separators, upper), shuffled_extras, shuffled_specifiers)
    )
    assert same_requirement(left, left)
    assert same_requirement(left, right)
    assert same_requirement(right, left)


@given(name_parts, operators, versions, versions)
@settings(max_examples=200)
def test_parity_sees_a_different_version(parts, operator, first, second) -> None:
    assume(Version(first) != Version(second))
    name = "-".join(parts)
    left, right = Requirement(f"{name}{operator}{first}"), Requirement(f"{name}{operator}{second}")
    assert not same_requirement(left, right)
    assert not same_requirement(right, left)


@given(name_parts, name_parts, specifier_lists)
def test_parity_sees_a_different_name(first, second, specifiers) -> None:
    assume(canonicalize_name("-".join(first)) != canonicalize_name("-".join(second)))
    left = Requirement(_requirement("-".join(first), [], specifiers))
    right = Requirement(_requirement("-".join(second), [], specifiers))
    assert not same_requirement(left, right)


@given(
    name_parts, specifier_lists, st.sampled_from(["python_version >= '3.12'", "os_name == 'nt'"])
)
def test_parity_sees_a_marker(parts, specifiers, marker) -> None:
    plain = Requirement(_requirement("-".join(parts), [], specifiers))
    marked = Requirement(_requirement("-".join(parts), [], specifiers) + f" ; {marker}")
    assert not same_requirement(plain, marked)
    assert same_requirement(marked, Requirement(str(marked)))


# --- format-preserving TOML edits ---------------------------------------------------------------

comments = st.sampled_from(
    ["", "# a comment", "#", "# ünïcödé ✓", "   # indented", "# [tool.uv.workspace] in a comment"]
)
gaps = st.lists(comments, max_size=2).map(lambda lines: "".join(f"{line}\n" for line in lines))
trailing = st.sampled_from(["", "  ", "  # trailing", " #x"])
strings = st.sampled_from(['"mcp/*"', '"tools/wagents"', "'literal/*'", '"a b"', '"x\\"y"'])
DEV_ITEMS = st.sampled_from(['"pytest"', '"ruff>=0.15"'])
SERVER_ITEMS = st.sampled_from(['"alpha"', "'beta'"])
GROUP_ITEMS = st.sampled_from(['"dev"'])


@st.composite
def toml_arrays(draw, items=strings) -> str:
    values = draw(st.lists(items, max_size=3))
    if draw(st.booleans()):
        comma = draw(st.sampled_from(["", ","])) if values else ""
        return "[" + ", ".join(values) + comma + "]"
    indent = draw(st.sampled_from(["    ", "  ", "\t"]))
    lines = [f"{indent}{value},{draw(trailing)}" for value in values]
    if draw(st.booleans()):
        lines.insert(0, f"{indent}# leading comment")
    return "[\n" + "".join(line + "\n" for line in lines) + "]"


@st.composite
def pyprojects(draw) -> str:
    """A parseable root pyproject with a uv workspace, in many layouts (none made by wagents)."""
    sections = []
    sections.append(
        '[project]\nname = "root"\nversion = "0.1.0"' + draw(trailing) + "\ndependencies = []\n"
    )
    if draw(st.booleans()):
        groups = "[dependency-groups]\n"
        if draw(st.booleans()):
            groups += f"dev = {draw(toml_arrays(DEV_ITEMS))}\n"
        if draw(st.booleans()):
            groups += f"servers = {draw(toml_arrays(SERVER_ITEMS))}\n"
        sections.append(groups)
    if draw(st.booleans()):
        uv = "[tool.uv]\n"
        if draw(st.booleans()):
            uv += f"default-groups = {draw(toml_arrays(GROUP_ITEMS))}\n"
        if draw(st.booleans()):
            uv += "package = false\n"
        sections.append(uv)
    workspace = f"[tool.uv.workspace]{draw(trailing)}\nmembers = {draw(toml_arrays())}\n"
    if draw(st.booleans()):
        workspace += f"exclude = {draw(toml_arrays())}\n"
    sections.append(workspace)
    if draw(st.booleans()):
        sources = "[tool.uv.sources]\n"
        if draw(st.booleans()):
            sources += "alpha = { workspace = true }\n"
        sections.append(sources)
    if draw(st.booleans()):
        sections.append('[tool.ruff]\nline-length = 100\n\n[tool.ruff.lint]\nselect = ["E"]\n')
    order = draw(st.permutations(range(1, len(sections))))
    body = [sections[0]] + [sections[index] for index in order]
    text = "".join(draw(gaps) + section + draw(st.sampled_from(["", "\n"])) for section in body)
    if draw(st.booleans()):
        text = text.rstrip("\n")
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text


def _insertions_only(before: str, after: str) -> list[str]:
    """The pieces `after` adds to `before`; fails if anything of `before` changed or went."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    changes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    bad = [op for op in changes if op[0] != "insert"]
    assert not bad, [(tag, before[i1:i2], after[j1:j2]) for tag, i1, i2, j1, j2 in bad]
    return [after[j1:j2] for _, _, _, j1, j2 in changes]


@given(pyprojects(), valid_names, st.booleans())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_register_server_only_inserts_and_keeps_everything_else(
    text: str, name: str, covered: bool
) -> None:
    try:
        original = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assume(False)
    edited = register_server(
        text, name=name, member_path=f"mcp/{name}", covered=covered, group="servers"
    )
    data = tomllib.loads(edited)
    inserted = _insertions_only(text, edited)
    if "\r\n" in text:
        assert "\n" not in edited.replace("\r\n", ""), "a bare LF in a CRLF file"
    assert name in data["dependency-groups"]["servers"]
    assert data["tool"]["uv"]["sources"][name] == {"workspace": True}
    members = data["tool"]["uv"]["workspace"]["members"]
    assert (f"mcp/{name}" in members) == (not covered)
    # Nothing else changed in meaning.
    for key in ("project",):
        assert data[key] == original[key]
    assert data.get("tool", {}).get("ruff") == original.get("tool", {}).get("ruff")
    # Editing again changes nothing (idempotent).
    again = register_server(
        edited, name=name, member_path=f"mcp/{name}", covered=covered, group="servers"
    )
    assert again == edited
    assert all(piece for piece in inserted)
