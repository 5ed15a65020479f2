"""`[tool.wagents]` of a server's pyproject.toml: its one schema, read once per server.

The schema is the pydantic model `ServerSettings`; `read_settings` validates a table against it one
key at a time, so a key of the wrong type falls back to its default while the others still count,
and an unknown key (a typo such as `allowed_imports`) is reported with the closest known one
instead of being ignored in silence. Which rule reports a key's problem: `wagents-config` for
unknown keys, `ignore` and `probe-env`, `undeclared-import` for `allowed-imports`,
`client-compat` for `clients`, `tool-budget` for `tool-budget`.

The root pyproject's `[tool.wagents]` holds the workspace's defaults for the keys that have one
(`WorkspaceSettings`: `clients`, `tool-budget`); a server's own table wins. It also holds
`keep-zygote`, which only the root may set.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

#: Help texts shared by a server's table and the workspace's.
CLIENTS_HELP = (
    "The MCP clients whose limits the server must meet (profile names, see "
    "`wagents rules client-compat`); default: the workspace's, else claude, cursor, vscode, "
    "openai."
)
TOOL_BUDGET_HELP = (
    "The estimated tokens of the tool list above which tool-budget warns (default 10000)."
)


class ServerSettings(BaseModel):
    """What a server's `[tool.wagents]` table may hold."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    ignore: list[Any] = Field(
        default_factory=list,
        description='Rules that do not apply to this server: [{rule = "SLUG", reason = "why"}].',
    )
    allowed_imports: list[str] | None = Field(
        default=None,
        alias="allowed-imports",
        description="Modules the server may import through a declared dependency "
        "(undeclared-import).",
    )
    probe_env: dict[str, str] = Field(
        default_factory=dict,
        alias="probe-env",
        description="Variables the validator's probe gives the server (committed, non-secret "
        'placeholders): {NAME = "value"}.',
    )
    clients: list[str] | None = Field(default=None, description=CLIENTS_HELP)
    tool_budget: int | None = Field(
        default=None, alias="tool-budget", gt=0, description=TOOL_BUDGET_HELP
    )


class WorkspaceSettings(BaseModel):
    """What the root pyproject's `[tool.wagents]` sets for every server (a server's own table
    wins), and how the workspace is validated; other keys there are left to the tools that read
    them."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    clients: list[str] | None = Field(default=None, description=CLIENTS_HELP)
    tool_budget: int | None = Field(
        default=None, alias="tool-budget", gt=0, description=TOOL_BUDGET_HELP
    )
    keep_zygote: float = Field(
        default=0.0,
        alias="keep-zygote",
        ge=0,
        le=86400,
        description="Seconds the preloaded probe parent (the zygote) is kept after a "
        "`wagents validate`, so that the next run need not import fastmcp again (see "
        "wagents.probe.kept); 0, the default: each run starts and stops its own.",
    )


@dataclass(frozen=True)
class SettingsProblem:
    """One problem of a `[tool.wagents]` table: the key, and what is wrong with it."""

    key: str
    message: str


@dataclass(frozen=True)
class Settings:
    """A server's settings (defaults where the table says nothing usable) and the problems."""

    values: ServerSettings
    problems: tuple[SettingsProblem, ...] = ()
    #: Whether the table had the key at all (as opposed to a default).
    given: frozenset[str] = frozenset()

    def problem(self, key: str) -> SettingsProblem | None:
        return next((item for item in self.problems if item.key == key), None)


@cache
def _fields(model: type[BaseModel] = ServerSettings) -> dict[str, tuple[str, TypeAdapter[Any]]]:
    """Each key as written in TOML → (the model's field name, a validator of its type and its
    constraints, such as `gt=0`)."""
    fields = {}
    for name, info in model.model_fields.items():
        annotation: Any = info.annotation or Any
        if info.metadata:
            annotation = Annotated[(annotation, *info.metadata)]
        fields[info.alias or name] = (name, TypeAdapter(annotation))
    return fields


def known_keys() -> tuple[str, ...]:
    """The keys `[tool.wagents]` may hold, as written in TOML."""
    return tuple(_fields())


def read_settings(table: dict[str, Any]) -> Settings:
    """Validate a `[tool.wagents]` table key by key (see the module docstring)."""
    fields = _fields()
    values: dict[str, Any] = {}
    problems: list[SettingsProblem] = []
    for key, value in table.items():
        if key not in fields:
            close = difflib.get_close_matches(key, sorted(fields), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(sorted(fields))
            problems.append(
                SettingsProblem(
                    key,
                    f"[tool.wagents] has an unknown key {key!r}{hint}; wagents would ignore it "
                    f"(known keys: {known})",
                )
            )
            continue
        name, adapter = fields[key]
        try:
            values[name] = adapter.validate_python(value)
        except ValidationError as exc:
            first = exc.errors()[0]["msg"] if exc.errors() else str(exc)
            problems.append(SettingsProblem(key, f"[tool.wagents] {key}: {first}"))
    given = frozenset(key for key in table if key in fields)
    return Settings(ServerSettings(**values), tuple(problems), given)


@dataclass(frozen=True)
class RootSettings:
    """The workspace's defaults (root pyproject `[tool.wagents]`) and the problems of its keys."""

    values: WorkspaceSettings
    problems: tuple[SettingsProblem, ...] = ()


def read_workspace_settings(table: dict[str, Any]) -> RootSettings:
    """Validate the keys of the root's `[tool.wagents]` that are workspace defaults, one by one
    (a key of the wrong type keeps its default and is a problem)."""
    values: dict[str, Any] = {}
    problems: list[SettingsProblem] = []
    for key, (name, adapter) in _fields(WorkspaceSettings).items():
        if key not in table:
            continue
        try:
            values[name] = adapter.validate_python(table[key])
        except ValidationError as exc:
            first = exc.errors()[0]["msg"] if exc.errors() else str(exc)
            problems.append(
                SettingsProblem(key, f"[tool.wagents] {key} of the root pyproject.toml: {first}")
            )
    return RootSettings(WorkspaceSettings(**values), tuple(problems))
