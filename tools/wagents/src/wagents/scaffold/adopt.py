"""`wagents adopt`: bring an existing FastMCP server into the workspace as `mcp/<name>/`.

`plan_adoption` reads the source (a directory or one `.py` file) without running any of it and
returns the files the member will hold; `adopt` writes them through the same crash-safe path as
`wagents new` (`create.create_member`), then locks and syncs before the commit point, so a failure
at any step leaves the workspace as it was.

What the member looks like:

- **The entry module keeps its name.** `main.py` stays `main.py` and fastmcp.json's
  `source.path` names it: the source's tests, sibling modules and docs import it by that name
  (`from main import mcp`), and every wagents command follows `source.path`.
- **A package's server gets a `server.py` beside it** that imports it (`from pkg.hub import
  hub_mcp`): FastMCP imports `source.path` as a lone file, where a package's relative and
  package imports fail. A `src/` layout is flattened (`src/pkg/` → `pkg/`): workspace servers
  are not built or installed, they import from their own directory.
- **Dependencies** come from the source's `[project].dependencies`, else its requirements.txt,
  else a single file's inline script metadata (`# /// script`), with specifiers, extras and
  markers as they were, plus `fastmcp>=3,<4` (a fastmcp requirement admitting other versions,
  or a direct reference, is replaced and a note says so). The same list goes into pyproject.toml
  and fastmcp.json. Imports that no declared requirement covers are listed with their likely
  distribution; they are not added.
- **Tests**: the source's own when it has any, else a smoke test that starts the server in
  memory and checks that it lists its tools, each with an input schema.
- Left out: `.git`, virtual environments, caches, build output, `.env` files (secrets),
  `uv.lock` (the workspace has one) and `.python-version` (the workspace's Python applies).
"""

from __future__ import annotations

import ast
import json
import os
import re
import stat
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import tomlkit
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from wagents.analysis.entrypoints import Candidate, find_servers, tool_names
from wagents.analysis.pyast import imports, names_bound, top_level_names
from wagents.files.json_edit import set_value
from wagents.files.template import FileTemplate
from wagents.files.toml_edit import edit_toml
from wagents.model import UsageError
from wagents.scaffold.create import Created, create_member, sync_environment, taken
from wagents.scaffold.names import check_server_name
from wagents.scaffold.new import render_templates
from wagents.scaffold.version import add_version
from wagents.workspace import distributions, requirements
from wagents.workspace.listing import is_test_module
from wagents.workspace.requirements import Requirement, normalize, parse_one
from wagents.workspace.root import Workspace
from wagents.workspace.specifiers import admitted_outside

FASTMCP_REQUIREMENT = "fastmcp>=3,<4"
DEFAULT_REQUIRES_PYTHON = ">=3.11"
FASTMCP_RANGE = Requirement(FASTMCP_REQUIREMENT).specifier
#: Directories never brought along.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".env",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".wagents",
        ".idea",
        "node_modules",
        "build",
        "dist",
        "site-packages",
        "htmlcov",
    }
)
#: Files never brought along (see the module docstring).
SKIPPED_FILES = frozenset({"uv.lock", ".python-version", ".DS_Store", ".coverage"})
#: Dotenv files that hold no secrets by convention.
EXAMPLE_DOTENV = frozenset({".env.example", ".env.sample", ".env.template", ".env.dist"})
#: A source larger than this is not one server (a home directory, a monorepo): refused.
MAX_FILES = 2000
MAX_BYTES = 64 * 1024 * 1024
#: Keys of the source's pyproject that only building or installing it used.
BUILD_ONLY_PROJECT_KEYS = ("scripts", "gui-scripts", "entry-points")
BUILD_ONLY_TOOLS = ("hatch", "setuptools", "setuptools_scm", "flit", "pdm", "poetry", "maturin")
SMOKE_TEST = "tests/test_server.py"
_SCRIPT_BLOCK = re.compile(
    r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"
)


@dataclass(frozen=True)
class Adoption:
    """What `adopt` will create: the member's files and what to tell the user."""

    name: str
    source: Path
    entry: Candidate
    #: fastmcp.json `source.path`, relative to the member.
    source_path: str
    dependencies: list[str]
    files: dict[str, bytes]
    #: (import name, likely distribution, how it was found) for imports nothing declared covers.
    undeclared: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    brought_tests: bool = False


def plan_adoption(
    workspace: Workspace, source: Path, name: str | None = None, entrypoint: str | None = None
) -> Adoption:
    """Read `source` and decide what `mcp/<name>/` will hold; raises UsageError on bad input."""
    tree = _read_tree(source)
    notes: list[str] = []
    pyproject = _source_pyproject(tree)
    name = name or _default_name(source, pyproject)
    check_server_name(name)
    target = workspace.servers_dir / name
    if taken(target):
        raise UsageError(f"{workspace.relative(target)} already exists; choose another --name")
    tree, moved = _flatten_src(tree)
    if moved:
        notes.append(f"src/ layout flattened: {', '.join(sorted(moved))} now at the top")
    modules = _parse_modules(source, tree)
    entry = _choose_entry(modules, entrypoint, source)
    notes.append(f"entrypoint: {entry.spec} ({_describe(entry)})")
    files = {
        relative: content
        for relative, content in tree.items()
        if relative not in {"pyproject.toml", "fastmcp.json"}
    }
    files[entry.module], version_note = _with_version(files[entry.module], modules, entry, name)
    notes.append(version_note)
    source_path = entry.module
    if "/" in entry.module:
        source_path = _shim_name(tree)
        files[source_path] = _shim(entry, modules[entry.module]).encode()
        notes.append(f"{source_path} written: it imports {entry.name} from {_dotted(entry.module)}")
    dependencies, dependency_notes = _dependencies(tree, pyproject, entry, modules)
    notes += dependency_notes
    description = _description(pyproject) or f"{name} MCP server (adopted)."
    pyproject_text, pyproject_notes = _pyproject(name, description, pyproject, dependencies, tree)
    notes += pyproject_notes
    files["pyproject.toml"] = pyproject_text.encode()
    files["fastmcp.json"] = _fastmcp_json(tree, source_path, entry.name, dependencies).encode()
    brought_tests = any(
        is_test_module(PurePosixPath(path)) for path in tree if path.endswith(".py")
    )
    if not brought_tests:
        files[SMOKE_TEST] = _smoke_test(entry, modules).encode()
    local = {PurePosixPath(path).parts[0].removesuffix(".py") for path in files}
    undeclared = _undeclared(modules, dependencies, local)
    return Adoption(
        name=name,
        source=source,
        entry=entry,
        source_path=source_path,
        dependencies=dependencies,
        files=files,
        undeclared=undeclared,
        notes=notes,
        brought_tests=brought_tests,
    )


def adopt(workspace: Workspace, adoption: Adoption, *, sync: bool = True) -> Created:
    """Create and register the member; with `sync`, `uv lock` and `uv sync` before the commit
    point, so that a failing lock or sync leaves nothing behind."""

    def settle(_member: Path) -> None:
        if sync:
            sync_environment(workspace, capture=True)

    return create_member(workspace, adoption.name, adoption.files, settle)


# --- reading the source ------------------------------------------------------------------------


def _read_tree(source: Path) -> dict[str, bytes]:
    """Every file to bring along, by POSIX path relative to the source root."""
    try:
        info = source.stat()
    except FileNotFoundError:
        raise UsageError(f"{source} does not exist") from None
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from None
    if stat.S_ISREG(info.st_mode):
        if source.suffix != ".py":
            raise UsageError(f"{source} is not a Python file or a directory")
        return {source.name: _read_file(source)}
    if not stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{source} is not a Python file or a directory")
    tree: dict[str, bytes] = {}
    total = 0

    def refuse(exc: OSError) -> None:
        raise UsageError(f"cannot read {exc.filename}: {exc.strerror or exc}; nothing was written")

    for dirpath, dirnames, filenames in os.walk(source, onerror=refuse):
        here = Path(dirpath)
        dirnames[:] = sorted(
            name
            for name in dirnames
            if name not in SKIPPED_DIRS
            and not name.endswith(".egg-info")
            and not (here / name).is_symlink()
        )
        for filename in sorted(filenames):
            path = here / filename
            if _skipped_file(filename) or path.is_symlink():
                continue
            relative = path.relative_to(source).as_posix()
            content = _read_file(path)
            total += len(content)
            tree[relative] = content
            if len(tree) > MAX_FILES or total > MAX_BYTES:
                raise UsageError(
                    f"{source} holds more than {MAX_FILES} files or {MAX_BYTES // 2**20} MiB: "
                    "point wagents adopt at the server's own directory"
                )
    return tree


def _skipped_file(name: str) -> bool:
    if name in SKIPPED_FILES or name.endswith((".pyc", ".pyo")):
        return True
    return (name == ".env" or name.startswith(".env.")) and name not in EXAMPLE_DOTENV


def _read_file(path: Path) -> bytes:
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would block the read forever
            raise UsageError(f"{path} is not a regular file; nothing was written")
        with path.open("rb") as stream:
            return stream.read()
    except OSError as exc:
        raise UsageError(
            f"cannot read {path}: {exc.strerror or exc}; nothing was written"
        ) from None


def _source_pyproject(tree: Mapping[str, bytes]) -> tuple[dict[str, Any], str] | None:
    """The source's pyproject.toml (value and text), or None."""
    if "pyproject.toml" not in tree:
        return None
    text = _text(tree, "pyproject.toml")
    import tomllib

    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"the source's pyproject.toml is not valid TOML: {exc}") from None


def _text(tree: Mapping[str, bytes], relative: str) -> str:
    try:
        return tree[relative].decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"the source's {relative} is not UTF-8 text") from None


def _default_name(source: Path, pyproject: tuple[dict[str, Any], str] | None) -> str:
    """The source's project name, else its directory's (or file's) name, as a server name."""
    project = (pyproject or ({}, ""))[0].get("project")
    candidates = []
    if isinstance(project, dict) and isinstance(project.get("name"), str):
        candidates.append(project["name"])
    candidates.append(source.resolve().stem if source.is_file() else source.resolve().name)
    for candidate in candidates:
        normalized = re.sub(r"[^a-z0-9]+", "-", candidate.lower()).strip("-")
        if normalized:
            return normalized
    raise UsageError(f"cannot derive a server name from {source}; pass --name")


def _flatten_src(tree: dict[str, bytes]) -> tuple[dict[str, bytes], set[str]]:
    """`src/pkg/...` → `pkg/...` (src layouts import from their directory once flattened)."""
    packages = {
        PurePosixPath(path).parts[1]
        for path in tree
        if path.startswith("src/") and len(PurePosixPath(path).parts) > 2
    }
    if not packages:
        return tree, set()
    tops = {PurePosixPath(path).parts[0].removesuffix(".py") for path in tree}
    clash = packages & tops
    if clash:
        raise UsageError(
            f"src/{sorted(clash)[0]} and {sorted(clash)[0]} both exist in the source; "
            "flattening the src layout would merge them"
        )
    flat = {}
    for path, content in tree.items():
        flat[path.removeprefix("src/") if path.startswith("src/") else path] = content
    return flat, packages


def _parse_modules(source: Path, tree: Mapping[str, bytes]) -> dict[str, ast.Module]:
    """The source's Python modules but its tests, parsed (a syntax error is bad input)."""
    modules = {}
    for relative, content in tree.items():
        if not relative.endswith(".py") or is_test_module(PurePosixPath(relative)):
            continue
        try:
            modules[relative] = ast.parse(content, filename=relative)
        except (SyntaxError, ValueError) as exc:
            where = f":{exc.lineno}" if isinstance(exc, SyntaxError) and exc.lineno else ""
            raise UsageError(
                f"{source / relative}{where} cannot be parsed ({exc}); nothing was written"
            ) from None
    return modules


# --- the entrypoint ----------------------------------------------------------------------------


def _choose_entry(
    modules: Mapping[str, ast.Module], entrypoint: str | None, source: Path
) -> Candidate:
    found = find_servers(modules)
    if entrypoint:
        return _named_entry(modules, found, entrypoint, source)
    if len(found) == 1:
        return found[0]
    if not found:
        raise UsageError(
            f"no FastMCP server found in {source} (looked for FastMCP(...) bound at module "
            "level and for functions returning one); name it with --entrypoint FILE.py:OBJECT"
        )
    listed = ", ".join(f"{item.spec} ({item.kind}, line {item.line})" for item in found)
    raise UsageError(
        f"{len(found)} FastMCP servers in {source}: {listed}; choose one with --entrypoint"
    )


def _named_entry(
    modules: Mapping[str, ast.Module], found: list[Candidate], entrypoint: str, source: Path
) -> Candidate:
    """`--entrypoint NAME` or `--entrypoint path.py:NAME`: a recognised server, or a name the
    module binds at top level (the import check then says whether it is a server)."""
    path, _, name = entrypoint.rpartition(":")
    path = path.removeprefix("src/") if path.startswith("src/") else path
    matching = [item for item in found if item.name == name and path in ("", item.module)]
    if len(matching) == 1:
        return matching[0]
    bound = [
        module
        for module, tree in modules.items()
        if path in ("", module) and name in top_level_names(tree)
    ]
    if len(bound) == 1:
        tree = modules[bound[0]]
        line = next((node.lineno for node in tree.body if name in names_bound(node)), 1)
        return Candidate(bound[0], name, "named", line)
    if not bound:
        where = path or str(source)
        raise UsageError(f"--entrypoint {entrypoint}: {where} does not define {name} at top level")
    raise UsageError(
        f"--entrypoint {entrypoint}: {name} is defined in {', '.join(bound)}; "
        "say which with --entrypoint FILE.py:NAME"
    )


def _describe(entry: Candidate) -> str:
    return {
        "instance": "a FastMCP instance",
        "factory": "a factory function; fastmcp calls it",
        "named": "named with --entrypoint",
    }[entry.kind]


def _dotted(module: str) -> str:
    parts = list(PurePosixPath(module).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _with_version(
    content: bytes, modules: Mapping[str, ast.Module], entry: Candidate, name: str
) -> tuple[bytes, str]:
    """The entry module with `version=` passed to its FastMCP(...) (see scaffold/version.py)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return content, f"{entry.module} is not UTF-8: pass version= to FastMCP(...) yourself"
    edited, note = add_version(text, modules[entry.module], entry, name)
    try:
        ast.parse(edited)
    except (SyntaxError, ValueError):  # never expected; the source stays as it was
        return content, f"{entry.module}: pass version= to FastMCP(...) yourself"
    return edited.encode("utf-8"), note


def _shim_name(tree: Mapping[str, bytes]) -> str:
    for candidate in ("server.py", "mcp_server.py", "wagents_entry.py"):
        if candidate not in tree:
            return candidate
    raise UsageError("server.py, mcp_server.py and wagents_entry.py all exist in the source")


def _shim(entry: Candidate, module: ast.Module) -> str:
    exported = [entry.name]
    if entry.name != "app" and "app" in top_level_names(module):
        exported.append("app")  # `wagents serve --transport http` serves `<module>:app`
    dotted = _dotted(entry.module)
    call = f"{entry.name}()" if entry.kind == "factory" else entry.name
    runner = (
        ""
        if _is_async_factory(entry, module)
        else (f'\n\nif __name__ == "__main__":\n    {call}.run()\n')
    )
    return (
        f'"""Entry point for wagents and `fastmcp run`: {entry.name} of {dotted}.\n\n'
        "Written by `wagents adopt`: fastmcp.json's source.path names this file, which imports\n"
        "the package from this directory (FastMCP imports source.path as a lone file, where the\n"
        'package\'s own imports would fail)."""\n\n'
        f"from {dotted} import {', '.join(exported)}\n\n"
        f"__all__ = {json.dumps(exported)}{runner}"
    ).rstrip("\n") + "\n"


def _is_async_factory(entry: Candidate, module: ast.Module) -> bool:
    return entry.kind == "factory" and any(
        isinstance(node, ast.AsyncFunctionDef) and node.name == entry.name for node in module.body
    )


# --- dependencies ------------------------------------------------------------------------------


def _dependencies(
    tree: Mapping[str, bytes],
    pyproject: tuple[dict[str, Any], str] | None,
    entry: Candidate,
    modules: Mapping[str, ast.Module],
) -> tuple[list[str], list[str]]:
    """The member's requirements (fastmcp first) and notes on where they came from."""
    notes: list[str] = []
    project = (pyproject or ({}, ""))[0].get("project")
    declared = project.get("dependencies") if isinstance(project, dict) else None
    texts: list[str]
    if isinstance(declared, list) and declared:
        texts = [str(item) for item in declared]
        origin = "pyproject.toml [project].dependencies"
        if "requirements.txt" in tree:
            notes.append("requirements.txt not read: pyproject.toml declares the dependencies")
    elif "requirements.txt" in tree:
        texts = _requirements_file(tree, "requirements.txt", notes, set())
        origin = "requirements.txt"
    elif (script := _script_dependencies(_text(tree, entry.module))) is not None:
        texts, origin = script, f"the inline script metadata of {entry.module}"
    else:
        texts, origin = [], ""
        tool = (pyproject or ({}, ""))[0].get("tool")
        if isinstance(tool, dict) and "poetry" in tool:
            notes.append("[tool.poetry] dependencies are not converted: add them by hand")
    texts += _config_dependencies(tree, texts, project, notes)
    requirements: list[str] = []
    has_fastmcp = False
    for text in texts:
        requirement = parse_one(text)
        if isinstance(requirement, str):
            reason = requirement.splitlines()[0]  # packaging adds the text and a caret below
            raise UsageError(f"{origin}: invalid requirement {text!r}: {reason}")
        rendered = text.strip()
        if normalize(requirement.name) == "fastmcp":
            has_fastmcp = True
            replaced = _fastmcp_requirement(requirement)
            if replaced is not None:
                notes.append(
                    f"{rendered} replaced by {replaced}: this workspace runs FastMCP 3 "
                    "(FastMCP 2 code may need changes; validation says where)"
                )
                rendered = replaced
        if rendered not in requirements:
            requirements.append(rendered)
    if not has_fastmcp:
        requirements.insert(0, FASTMCP_REQUIREMENT)
    if origin:
        notes.append(f"dependencies from {origin}")
    return requirements, notes


def _config_dependencies(
    tree: Mapping[str, bytes], texts: list[str], project: object, notes: list[str]
) -> list[str]:
    """The source's fastmcp.json `environment.dependencies` that the other lists lack (by
    name), but not the source itself (`pkg @ git+...` of its own project)."""
    if "fastmcp.json" not in tree:
        return []
    try:
        config = json.loads(_text(tree, "fastmcp.json"))
    except json.JSONDecodeError:
        return []  # reported when the file is written
    environment = config.get("environment") if isinstance(config, dict) else None
    listed = environment.get("dependencies") if isinstance(environment, dict) else None
    if not isinstance(listed, list):
        return []
    names = set(requirements.parse(texts).names)
    own = project.get("name") if isinstance(project, dict) else None
    if isinstance(own, str):
        names.add(normalize(own))
    added = []
    for item in listed:
        requirement = parse_one(str(item))
        if isinstance(requirement, str):
            continue
        if normalize(requirement.name) not in names:
            names.add(normalize(requirement.name))
            added.append(str(item))
    if added:
        notes.append(f"from fastmcp.json environment.dependencies: {', '.join(added)}")
    return added


def _fastmcp_requirement(requirement: Requirement) -> str | None:
    """None if `requirement` stays inside `>=3,<4`, else `fastmcp>=3,<4` with its extras and
    marker."""
    if (
        requirement.url is None
        and str(requirement.specifier)
        and admitted_outside(requirement.specifier, FASTMCP_RANGE) is None
    ):
        return None
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    marker = f"; {requirement.marker}" if requirement.marker else ""
    return f"fastmcp{extras}{FASTMCP_REQUIREMENT.removeprefix('fastmcp')}{marker}"


def _requirements_file(
    tree: Mapping[str, bytes], relative: str, notes: list[str], seen: set[str]
) -> list[str]:
    """Requirement lines of a requirements file, following `-r` includes inside the source."""
    if relative in seen:
        return []
    seen.add(relative)
    if relative not in tree:
        raise UsageError(f"requirements file {relative} is not in the source")
    lines = _text(tree, relative).replace("\\\n", " ").splitlines()
    found: list[str] = []
    for raw in lines:
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ", "-r", "--requirement=")):
            included = re.sub(r"^(-r|--requirement)[ =]?", "", line).strip()
            base = PurePosixPath(relative).parent
            found += _requirements_file(tree, (base / included).as_posix(), notes, seen)
            continue
        if line.startswith("-"):
            notes.append(f"{relative}: {line.split()[0]} not carried over ({line})")
            continue
        line = re.split(r"\s+--hash[ =]", line)[0].strip()
        found.append(line)
    return found


def _script_dependencies(text: str) -> list[str] | None:
    """`dependencies` of a PEP 723 `# /// script` block, or None without one."""
    import tomllib

    for match in _SCRIPT_BLOCK.finditer(text):
        if match["type"] != "script":
            continue
        content = "".join(
            line[2:] if line.startswith("# ") else line[1:]
            for line in match["content"].splitlines(keepends=True)
        )
        try:
            value = tomllib.loads(content)
        except tomllib.TOMLDecodeError:
            return None
        dependencies = value.get("dependencies")
        if isinstance(dependencies, list):
            return [str(item) for item in dependencies]
    return None


def _undeclared(
    modules: Mapping[str, ast.Module], dependencies: list[str], local: set[str]
) -> list[tuple[str, str, str]]:
    """Third-party imports no requirement covers, each with its likely distribution."""
    parsed = requirements.parse(dependencies)
    declared = set(parsed.names)
    pulled = set(distributions.pulled_in(parsed.requirements))
    missing = [name for name in declared if not distributions.installed(name)]
    mapping = _import_map()
    result: dict[str, tuple[str, str, str]] = {}
    for tree in modules.values():
        for found in imports(tree):
            module = found.module
            if module in local or module in sys.stdlib_module_names or module in result:
                continue
            providers = distributions.providers(module)
            if normalize(module) in declared or providers & (declared | pulled):
                continue
            if providers:
                result[module] = (module, ", ".join(sorted(providers)), "installed here")
                continue
            likely = mapping.get(module, normalize(module))
            if normalize(likely) in declared or any(normalize(module) in name for name in missing):
                continue  # a declared requirement that is not installed yet probably provides it
            how = "import-name mapping" if module in mapping else "a guess from the import name"
            result[module] = (module, likely, how)
    return sorted(result.values())


def _import_map() -> dict[str, str]:
    """Import names whose distribution is named differently (data/import_names.toml)."""
    import tomllib
    from importlib import resources

    text = (resources.files("wagents.scaffold") / "data" / "import_names.toml").read_text("utf-8")
    table = tomllib.loads(text).get("imports", {})
    return {str(key): str(value) for key, value in table.items()}


# --- the member's files ------------------------------------------------------------------------


def _description(pyproject: tuple[dict[str, Any], str] | None) -> str | None:
    project = (pyproject or ({}, ""))[0].get("project")
    value = project.get("description") if isinstance(project, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def _template_pyproject(name: str, description: str) -> str:
    return render_templates(name, " ".join(description.split())[:300])["pyproject.toml"]


def _pyproject(
    name: str,
    description: str,
    pyproject: tuple[dict[str, Any], str] | None,
    dependencies: list[str],
    tree: Mapping[str, bytes],
) -> tuple[str, list[str]]:
    """The member's pyproject: the source's, edited, or the template's."""
    notes: list[str] = []
    has_project = pyproject is not None and isinstance(pyproject[0].get("project"), dict)
    text = (
        pyproject[1]
        if pyproject is not None and has_project
        else _template_pyproject(name, description)
    )
    if pyproject is not None and not has_project:
        notes.append("the source's pyproject.toml has no [project] table: the template's is used")

    def edit(document: Any) -> None:
        project = document["project"]
        project["name"] = name
        for key in BUILD_ONLY_PROJECT_KEYS:
            if key in project:
                del project[key]
                notes.append(f"[project.{key}] dropped: workspace servers are not installed")
        if "dynamic" in project:
            del project["dynamic"]
            notes.append("[project].dynamic dropped: the metadata is written out")
        project.setdefault("version", "0.1.0")
        python = _workspace_python(project.get("requires-python"))
        if python is not None:
            notes.append(python[1])
            project["requires-python"] = python[0]
        readme = project.get("readme")
        if isinstance(readme, str) and readme not in tree:
            del project["readme"]
        array = tomlkit.array()
        for requirement in dependencies:
            array.add_line(requirement, indent="    ")
        array.add_line(indent="")
        project["dependencies"] = array
        if "build-system" in document:
            del document["build-system"]
            notes.append("[build-system] dropped: workspace servers are not built")
        tool = document.setdefault("tool", tomlkit.table(is_super_table=True))
        for key in BUILD_ONLY_TOOLS:
            if key in tool:
                del tool[key]
                notes.append(f"[tool.{key}] dropped: it configured building the package")
        uv = tool.setdefault("uv", tomlkit.table())
        uv["package"] = False
        sources = uv.get("sources")
        if isinstance(sources, dict) and "fastmcp" in sources:
            del sources["fastmcp"]
        _test_settings(document, tool, dependencies)

    return edit_toml(text, edit), notes


def _test_settings(document: Any, tool: Any, dependencies: list[str]) -> None:
    """pytest and pytest-asyncio in the dev group; asyncio_mode auto and `.` on pythonpath."""
    groups = document.setdefault("dependency-groups", tomlkit.table())
    dev = groups.setdefault("dev", tomlkit.array())
    present_names = requirements.parse([*dev, *dependencies]).names
    for requirement in ("pytest>=8", "pytest-asyncio>=1"):
        if requirements.parse([requirement]).names.isdisjoint(present_names):
            dev.append(requirement)
    pytest_table = tool.setdefault("pytest", tomlkit.table(is_super_table=True))
    native = any(key != "ini_options" for key in pytest_table)
    options = pytest_table if native else pytest_table.setdefault("ini_options", tomlkit.table())
    options["asyncio_mode"] = "auto"
    options.setdefault("asyncio_default_fixture_loop_scope", "function")
    paths = options.setdefault("pythonpath", ["."])
    if isinstance(paths, list) and "." not in paths:
        paths.insert(0, ".")


def _workspace_python(requires: object) -> tuple[str, str] | None:
    """A `requires-python` that admits the workspace's Python, and a note, when `requires` does
    not (all members share one environment: uv would look for another interpreter)."""
    running = ".".join(map(str, sys.version_info[:3]))
    if requires is None:
        return DEFAULT_REQUIRES_PYTHON, f"requires-python set to {DEFAULT_REQUIRES_PYTHON}"
    try:
        admits = SpecifierSet(str(requires)).contains(running, prereleases=True)
    except InvalidSpecifier:
        admits = False
    if admits:
        return None
    return DEFAULT_REQUIRES_PYTHON, (
        f"requires-python {requires} does not admit this workspace's Python {running}: set to "
        f"{DEFAULT_REQUIRES_PYTHON} (every server shares one environment; the import check says "
        "whether the code runs on it)"
    )


def _fastmcp_json(
    tree: Mapping[str, bytes], source_path: str, entrypoint: str, dependencies: list[str]
) -> str:
    """The source's fastmcp.json with source and dependencies set, or a new one."""
    if "fastmcp.json" in tree:
        text = _text(tree, "fastmcp.json")
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"the source's fastmcp.json is not valid JSON: {exc}") from None
        if isinstance(value, dict):
            for path, item in (
                (["source", "path"], source_path),
                (["source", "entrypoint"], entrypoint),
                (["environment", "dependencies"], dependencies),
            ):
                text = set_value(text, path, item)
            return text
    document = {
        "$schema": "https://gofastmcp.com/public/schemas/fastmcp.json/v1.json",
        "source": {"path": source_path, "entrypoint": entrypoint},
        "environment": {"dependencies": dependencies},
        "deployment": {"transport": "stdio"},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


SMOKE_TEMPLATE = '''\
"""Smoke test written by `wagents adopt`: the server starts in memory and lists its tools."""

from __future__ import annotations

from fastmcp import Client
from ${module} import ${name}

#: Tools the source registers with a decorator (found by reading it); others may come on top.
EXPECTED_TOOLS = ${expected}


async def test_lists_its_tools_each_with_an_input_schema() -> None:
    server = ${server}
    async with Client(server) as client:
        tools = await client.list_tools()
    names = {tool.name for tool in tools}
    assert set(EXPECTED_TOOLS) <= names, sorted(names)
    for tool in tools:
        assert tool.inputSchema.get("type") == "object", tool.name
'''


def _smoke_test(entry: Candidate, modules: Mapping[str, ast.Module]) -> str:
    module = modules[entry.module]
    if entry.kind == "factory":
        server = f"await {entry.name}()" if _is_async_factory(entry, module) else f"{entry.name}()"
        servers = _factory_locals(module, entry.name)
    else:
        server, servers = entry.name, {entry.name}
    expected = [] if entry.kind == "named" else tool_names(module, servers)
    return FileTemplate(SMOKE_TEMPLATE).substitute(
        module=_dotted(entry.module),
        name=entry.name,
        server=server,
        expected=json.dumps(list(dict.fromkeys(expected))),
    )


def _factory_locals(module: ast.Module, factory: str) -> set[str]:
    """Names a factory binds to its server (`mcp = FastMCP(...)` inside it), for tool lookup."""
    for node in module.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == factory:
            return {
                target.id
                for child in ast.walk(node)
                if isinstance(child, ast.Assign)
                for target in child.targets
                if isinstance(target, ast.Name)
            }
    return set()


def files_summary(files: Iterable[str]) -> str:
    """`server.py, tests/ (3 files), ...`: what a member holds, shortened for one line."""
    top: dict[str, int] = {}
    for path in sorted(files):
        head = PurePosixPath(path).parts[0]
        top[head] = top.get(head, 0) + 1
    return ", ".join(
        f"{head}/ ({count} file{'s' if count != 1 else ''})"
        if count > 1 or "." not in head
        else head
        for head, count in top.items()
    )


__all__ = ["Adoption", "adopt", "files_summary", "plan_adoption"]
