"""Rules about what the server's clients accept: names, schemas, descriptions, size, hints.

They read the tools as the probe's MCP session received them (`facts.server_info.tools`, each
`wire` the JSON of `tools/list`) and the client profiles of `wagents.analysis.profiles`; the
analysis lives in `wagents.analysis` (compat, schemas, budget, effects), these functions only
turn its answers into problems.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from wagents.analysis import budget, compat, effects
from wagents.analysis.profiles import DEFAULT_CLIENTS, load_profiles, profiles_markdown
from wagents.check.facts import ServerFacts
from wagents.check.rules import Problem, Stage, rule
from wagents.check.suppressions import key_line
from wagents.model import Severity
from wagents.probe.protocol import Prompt, Tool
from wagents.workspace.server import PYPROJECT

#: The MCP specification's tool names (2025-11-25, SEP-986): 1 to 128 of these characters.
SPEC_NAME = re.compile(r"[A-Za-z0-9_.-]{1,128}")
#: A description of at most this many words says too little to choose the tool by.
SHORT_DESCRIPTION_WORDS = 2
#: How many of the costliest tools a tool-budget finding names.
COSTLIEST_SHOWN = 3


def _severity(name: str) -> Severity:
    return Severity(name)


def _targets(facts: ServerFacts) -> list[str]:
    """The target clients that are profiles (unknown names are client-compat's to report)."""
    profiles = load_profiles()
    return [name for name in facts.clients.names if name in profiles]


def _name_doc() -> str:
    lines = []
    for profile in load_profiles().values():
        for item in profile.constraints:
            if item.is_name_check and not (
                profile.extends and item in load_profiles()[profile.extends].constraints
            ):
                lines.append(f"- `{item.id}` ({item.severity}): {item.summary}.")
    return "\n".join(lines)


def tool_name(facts: ServerFacts) -> Iterator[Problem]:
    server = facts.server_info
    if server is None:
        return
    counts = Counter(tool.name for tool in server.tools)
    reported: set[str] = set()
    for tool in server.tools:
        path, line = facts.location(tool.location)
        name = tool.name
        if not SPEC_NAME.fullmatch(name):
            bad = sorted({char for char in name if not SPEC_NAME.fullmatch(char)})
            why = (
                f"has {len(name)} characters (the MCP specification allows 1 to 128)"
                if not bad
                else "has characters the MCP specification does not allow in tool names ("
                + ", ".join(repr(char) for char in bad)
                + "; only A-Z a-z 0-9 _ - .)"
            )
            yield Problem(
                f"tool {name!r} {why}: rename it with @mcp.tool(name=...)",
                path,
                line,
                subject=name,
            )
        if counts[name] > 1 and name not in reported:
            reported.add(name)
            yield Problem(
                f"tool {name!r} is listed {counts[name]} times: tool names must be unique "
                "within a server (a client calls only one of them)",
                path,
                line,
                subject=name,
            )
    profiles = load_profiles()
    seen: set[tuple[str, str]] = (
        set()
    )  # (constraint, tool): an extending profile repeats its base's
    for client in _targets(facts):
        profile = profiles[client]
        for tool in server.tools:
            path, line = facts.location(tool.location)
            for constraint in profile.constraints:
                if not constraint.is_name_check or (constraint.id, tool.name) in seen:
                    continue
                seen.add((constraint.id, tool.name))
                detail = compat.name_problem(constraint, facts.server.name, tool.name)
                if detail is None:
                    continue
                violation = compat.Violation(profile, constraint, tool.name, detail)
                yield Problem(
                    violation.message,
                    path,
                    line,
                    severity=_severity(constraint.severity),
                    subject=tool.name,
                )


tool_name.__doc__ = f"""Tool names follow the MCP specification and fit every target client.

The specification (2025-11-25, SEP-986) says a tool name has 1 to 128 characters, only
`A-Z a-z 0-9 _ - .`, and is unique within the server; FastMCP warns on stderr and registers a
name that breaks this anyway (`@mcp.tool(name="get weather")`). Those are errors. Each client
then has limits of its own, warnings naming the client and the constraint: OpenAI's function
names (`^[a-zA-Z0-9_-]{{1,64}}$`, no dots), Claude Code's `mcp__<server>__<tool>` within 64
characters, Cursor's server key plus tool name under 60, Gemini's first character. The server
key is the server's directory name, the key `wagents config` writes (a user who picks another
key changes the count). The clients are the server's target clients (see `client-compat`);
the name constraints of their profiles are:

{_name_doc()}

The official conformance suite's `tools-name-format` check differs from the specification
(1 to 64 characters, `/` allowed); wagents follows the specification.

Bad::

    @mcp.tool(name="notes.search all")
    def search(query: str) -> list[str]: ...

Good::

    @mcp.tool(name="search_notes")
    def search(query: str) -> list[str]: ...
"""
rule("tool-name", Severity.ERROR, stage=Stage.RUNTIME)(tool_name)


def client_compat(facts: ServerFacts) -> Iterator[Problem]:
    yield from _client_setting_problems(facts)
    server = facts.server_info
    if server is None:
        return
    profiles = load_profiles()
    tools = [tool.wire for tool in server.tools]
    by_name = {tool.name: tool for tool in server.tools}
    seen: set[tuple[str, str | None, str]] = set()  # openai-strict repeats openai's constraints
    for client in _targets(facts):
        for violation in compat.violations(profiles[client], facts.server.name, tools):
            key = (violation.constraint.id, violation.tool, violation.detail)
            if violation.constraint.is_name_check or key in seen:
                continue  # tool-name reports names
            seen.add(key)
            tool = by_name.get(violation.tool or "")
            path, line = (
                facts.location(tool.location)
                if tool is not None
                else (facts.files.source_path, None)
            )
            yield Problem(
                violation.message,
                path,
                line,
                severity=_severity(violation.constraint.severity),
                subject=violation.tool,
            )


def _client_setting_problems(facts: ServerFacts) -> Iterator[Problem]:
    """A `clients` value that is not a list of strings, or names no profile."""
    own = facts.files.settings.problem("clients")
    pyproject = facts.path / PYPROJECT
    text = facts.files.pyproject.text if facts.files.pyproject is not None else None
    if own is not None:
        yield Problem(
            f"{own.message} (a list of client profile names)",
            pyproject,
            key_line(text or "", "clients"),
            severity=Severity.ERROR,
        )
    for problem in facts.environment.root_settings.problems:
        if problem.key == "clients":
            root = facts.workspace.root / PYPROJECT
            yield Problem(problem.message, root, None, severity=Severity.ERROR)
    targets = facts.clients
    unknown = [name for name in targets.names if name not in load_profiles()]
    if unknown:
        known = ", ".join(load_profiles())
        where = "the root pyproject.toml" if targets.origin == "workspace" else "pyproject.toml"
        line = key_line(text or "", "clients") if targets.origin == "server" else None
        yield Problem(
            f"[tool.wagents] clients in {where} names no client profile "
            f"{', '.join(repr(name) for name in unknown)} (profiles: {known}); "
            "wagents checks nothing for it",
            targets.path,
            line,
            severity=Severity.ERROR,
        )


client_compat.__doc__ = f"""Every tool's schemas and the tool list fit each target client's limits.

MCP clients hand a tool's `inputSchema` to a model API, and the APIs accept different subsets
of JSON Schema: Gemini and Bedrock AgentCore refuse `$ref`/`$defs` (FastMCP keeps them for
recursive models), VS Code and OpenAI refuse an array without `items` (pydantic's fixed
`tuple[float, float]`), Gemini refuses `type` lists and an `anyOf` without a `type` (what
`Optional[X]` becomes), OpenAI's strict mode wants every object closed and every property
required; VS Code and OpenAI stop at 128 tools, Cursor at about 40. A client that refuses a
tool often fails the whole request, so one tool can break a server for a user. The rule
applies each target client's profile to the schemas as the client received them (the probe's
`tools/list`, after FastMCP's transformations such as `dereference_schemas`); a message names
the client, the constraint's id, the JSON pointer into the schema and the fix. Name limits are
`tool-name`'s.

Target clients: `[tool.wagents] clients = ["claude", "gemini"]` in the server's pyproject.toml;
else the same key in the root pyproject.toml (the workspace's default); else
{", ".join(DEFAULT_CLIENTS)}. An unknown name is an error. `wagents compat` shows the whole
matrix of servers and clients, whatever the targets. A profile is a data file
(`wagents/analysis/data/clients/<name>.toml`, one per client, validated by
`wagents.analysis.profiles`); adding a client is adding a file. Each constraint has an id, what
it checks, its effect (the client refuses the tool or the request, drops the tool, renames it,
or handles it worse), a severity and its sources; "observed" marks behaviour reported in an
issue rather than documented by the vendor. Clients change: a constraint records what was
documented or observed when it was written, not what every version does.

What it cannot see: how a client or a proxy rewrites schemas before its model API sees them
(some strip `$defs`, some inline them), and the model's own quality with a schema it accepts.

The profiles:

{profiles_markdown()}

Bad::

    class Node(BaseModel):
        name: str
        children: list["Node"] = []  # recursive: $ref/$defs stay


    @mcp.tool
    def plot(points: tuple[float, float], tree: Node) -> str: ...  # tuple: no `items`

Good::

    class Leaf(BaseModel):
        name: str


    class Node(BaseModel):
        name: str
        children: list[Leaf] = []  # a fixed depth: inlined


    @mcp.tool
    def plot(points: list[float], tree: Node) -> str: ...
"""
rule("client-compat", Severity.WARNING, stage=Stage.RUNTIME)(client_compat)


@rule("tool-description", Severity.ERROR, stage=Stage.RUNTIME)
def tool_description(facts: ServerFacts) -> Iterator[Problem]:
    """Every tool and prompt has a description that says what it does.

    A model chooses among tools by their descriptions: a tool without one is a name the model
    has to guess from (VS Code substitutes `<empty>` and warns that tools "must be accurately
    described to be called"), and a prompt without one is a bare name in the user's menu. FastMCP
    takes the description from the function's docstring or `description=`. A missing or blank
    description is an error; one of only one or two words (`"Search."`) is info, since it rarely
    says what, on what, and what comes back.

    Bad::

        @mcp.tool
        def search(query: str) -> list[str]:
            return index.find(query)

    Good::

        @mcp.tool
        def search(query: str) -> list[str]:
            \"\"\"Search the notes' titles and bodies; return matching note ids, best first.\"\"\"
            return index.find(query)
    """
    server = facts.server_info
    if server is None:
        return
    components: list[Tool | Prompt] = [*server.tools, *server.prompts]
    for component in components:
        kind = "tool" if isinstance(component, Tool) else "prompt"
        path, line = facts.location(component.location)
        text = (component.description or "").strip()
        subject = component.name if kind == "tool" else None
        if not text:
            yield Problem(
                f"{kind} {component.name!r} has no description: a model cannot tell what it "
                "does; write a docstring (or pass description=...)",
                path,
                line,
                subject=subject,
            )
        elif len(text.split()) <= SHORT_DESCRIPTION_WORDS:
            yield Problem(
                f"{kind} {component.name!r} is described in only {len(text.split())} "
                f"word{'s' if len(text.split()) != 1 else ''} ({text!r}): say what it does, "
                "on what, and what it returns",
                path,
                line,
                severity=Severity.INFO,
                subject=subject,
            )


@rule("tool-budget", Severity.WARNING, stage=Stage.RUNTIME)
def tool_budget(facts: ServerFacts) -> Iterator[Problem]:
    """The tool list costs the model's context a reasonable number of tokens.

    A client puts every tool's name, title, description and input schema in the model's context
    on every turn, before the user has asked anything: five servers can take 55,000 tokens, and
    Anthropic recommends deferring tools to a tool search once definitions pass 10,000 tokens
    (https://www.anthropic.com/engineering/advanced-tool-use). This rule estimates the tokens of
    the server's `tools/list` as the probe received it and warns above the threshold,
    `[tool.wagents] tool-budget = N` in the server's pyproject.toml, else in the root
    pyproject.toml, else 10,000. The estimate is deterministic and documented in
    `wagents.analysis.budget`: the characters of each tool's compact JSON (name, title,
    description, inputSchema) divided by 4, rounded up; no tokenizer is downloaded. Read it as
    an order of magnitude. `wagents list` shows each server's estimate and `wagents inspect`
    each tool's. The finding names the costliest tools.

    Bad::

        @mcp.tool
        def query(sql: str, options: HugeOptionsModel) -> list[dict]:  # 300 lines of schema
            \"\"\"...two pages of prose...\"\"\"

    Good::

        @mcp.tool
        def query(sql: str, limit: int = 100) -> list[dict]:
            \"\"\"Run a read-only SQL query; return at most `limit` rows.\"\"\"
    """
    server = facts.server_info
    if server is None or not server.tools:
        return
    own = facts.files.settings
    pyproject = facts.path / PYPROJECT
    text = facts.files.pyproject.text if facts.files.pyproject is not None else None
    problem = own.problem("tool-budget")
    if problem is not None:
        yield Problem(
            f"{problem.message} (a whole number of tokens)",
            pyproject,
            key_line(text or "", "tool-budget"),
            severity=Severity.ERROR,
        )
    for root_problem in facts.environment.root_settings.problems:
        if root_problem.key == "tool-budget":
            yield Problem(
                root_problem.message, facts.workspace.root / PYPROJECT, severity=Severity.ERROR
            )
    limit = (
        own.values.tool_budget
        or facts.environment.root_settings.values.tool_budget
        or budget.DEFAULT_BUDGET
    )
    costs = sorted(
        ((budget.tool_tokens(tool.wire), tool.name) for tool in server.tools), reverse=True
    )
    total = sum(cost for cost, _ in costs)
    if total <= limit:
        return
    costliest = ", ".join(f"{name!r} ~{cost}" for cost, name in costs[:COSTLIEST_SHOWN])
    yield Problem(
        f"the tool list costs about {total} tokens of every request's context "
        f"({len(costs)} tool{'s' if len(costs) != 1 else ''}), more than the budget of {limit}; "
        f"the costliest: {costliest}. "
        "Shorten descriptions and schemas, split the server, or raise [tool.wagents] tool-budget",
        facts.files.source_path,
        None,
    )


@rule("destructive-hint", Severity.WARNING, stage=Stage.RUNTIME)
def destructive_hint(facts: ServerFacts) -> Iterator[Problem]:
    """A tool's annotations tell the truth about what its code deletes or writes.

    Clients run tools marked `readOnlyHint=True` without asking and ask before tools marked
    `destructiveHint=True`; a hint that lies turns the user's confirmation off for a delete.
    wagents reads the tool's function, and the functions of the server it calls (module-level
    helpers, functions nested in the same factory, functions imported from the server's other
    modules, up to three calls deep), for calls that change the environment: deleting or
    overwriting files (`os.remove`, `Path.unlink`, `shutil.rmtree`, `open(..., "w")`,
    `write_text`), SQL `DELETE`, `DROP`, `UPDATE`, `INSERT`, ... (by the statement's verb: a
    parameterized `SELECT` is a read), HTTP `DELETE`, `PUT`, `PATCH`, `POST`, a `.delete()`
    method, and subprocesses by the program they run (`rm`, `mv`, `git clean`, `git commit`;
    `git log` is a read, and so is a subprocess in general). The list, with its sources, is
    `wagents/analysis/data/effects.toml`. Reported:

    - a tool marked `readOnlyHint=True` whose code writes or deletes;
    - a tool whose code deletes or overwrites, or whose name says so (`delete`, `remove`,
      `drop`, `purge`, `destroy` as a word of the name), with `destructiveHint` unset or False.

    Tools without any hint are `tool-annotations`' to report. What it cannot see: writes
    through a library wagents does not know, a method of the server's own classes, a statement
    assembled at run time, a program chosen at run time. A name that only sounds destructive
    (`remove_background` returning a new image) can be suppressed with a reason.

    Bad::

        @mcp.tool(annotations=ToolAnnotations(readOnlyHint=True))
        def clean_cache() -> str:
            shutil.rmtree(CACHE_DIR)
            return "cleaned"

    Good::

        @mcp.tool(
            annotations=ToolAnnotations(
                readOnlyHint=False, destructiveHint=True, idempotentHint=True, openWorldHint=False
            )
        )
        def clean_cache() -> str:
            shutil.rmtree(CACHE_DIR)
            return "cleaned"
    """
    server = facts.server_info
    if server is None:
        return
    modules = facts.modules
    for tool in server.tools:
        hints = tool.annotations or {}
        if not any(hints.get(hint) is not None for hint in _HINTS):
            continue
        path, line = facts.location(tool.location)
        found = _effects_of(facts, modules, tool)
        read_only = hints.get("readOnlyHint") is True
        destructive = hints.get("destructiveHint") is True
        writes = found or []
        if read_only and writes:
            first = next((item for item in writes if item.destructive), writes[0])
            fix = (
                "readOnlyHint=False, destructiveHint=True"
                if first.destructive
                else "readOnlyHint=False"
            )
            yield Problem(
                f"tool {tool.name!r} is marked readOnlyHint=True but {first.describe()}: clients "
                f"run read-only tools without asking; set {fix}",
                path,
                line,
                subject=tool.name,
            )
            continue
        if destructive or read_only:
            continue
        deleting = next((item for item in writes if item.destructive), None)
        word = effects.name_word(tool.name)
        if deleting is None and word is None:
            continue
        reason = deleting.describe() if deleting is not None else f"has {word!r} in its name"
        state = "False" if hints.get("destructiveHint") is False else "unset"
        yield Problem(
            f"tool {tool.name!r} {reason}, yet destructiveHint is {state}: set "
            "destructiveHint=True so that clients ask before calling it",
            path,
            line,
            subject=tool.name,
        )


_HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")


def _effects_of(
    facts: ServerFacts, modules: dict[str, effects.Module], tool: Tool
) -> list[effects.Effect] | None:
    """The effects of the tool's function (None when it is not in the server's code)."""
    where = tool.location
    if where is None or not where.file or where.line is None:
        return None
    try:
        relative = Path(where.file).resolve().relative_to(facts.path.resolve())
    except (ValueError, OSError):
        return None
    parts = list(relative.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return effects.tool_effects(modules, ".".join(parts), where.line)
