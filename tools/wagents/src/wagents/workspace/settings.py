"""`[tool.wagents]` of a server's pyproject.toml: its one schema, read once per server.

The schema is the pydantic model `ServerSettings`; `read_settings` validates a table against it one
key at a time, so a key of the wrong type falls back to its default while the others still count,
and an unknown key (a typo such as `allowed_imports`) is reported with the closest known one
instead of being ignored in silence. Which rule reports a key's problem: `wagents-config` for
unknown keys, `ignore` and `probe-env`, `undeclared-import` for `allowed-imports`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError


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
def _fields() -> dict[str, tuple[str, TypeAdapter[Any]]]:
    """Each key as written in TOML → (the model's field name, a validator of its type)."""
    return {
        (info.alias or name): (name, TypeAdapter(info.annotation or Any))
        for name, info in ServerSettings.model_fields.items()
    }


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
