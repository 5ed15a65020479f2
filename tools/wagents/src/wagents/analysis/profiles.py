"""Client profiles: what each MCP client accepts, as data files with a source for every limit.

Each file `wagents/analysis/data/clients/<name>.toml` is one client's profile: its name, what it
covers, optionally the profile it `extends`, and its constraints. A constraint has an `id`
(`<profile>.<what>`), the `check` that applies it (see `CHECKS`), a `summary` of what it checks,
the `effect` on a server that breaks it (the client refuses the tool or the request, drops the
tool, renames it, or handles it worse), a `severity`, the `evidence` (`documented`: the vendor's
docs or code; `observed`: behaviour reported in an issue), the `sources` (links), a `fix`, and
the parameters of its check. Adding a client is adding a file; `load_profiles` validates every
file against the pydantic models below and refuses the package's data when one is wrong (a test
loads them all).

Which rule applies a constraint depends on its check: name checks belong to `tool-name`, the
others to `client-compat` (see `NAME_CHECKS`).
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

#: The profiles a server is checked against when neither it nor the workspace names any.
DEFAULT_CLIENTS = ("claude", "cursor", "vscode", "openai")
#: The package folder holding the profile files (in `wagents/analysis/`).
DATA_DIR = "data/clients"

Check = Literal[
    "name-charset",
    "name-start",
    "name-length",
    "keywords",
    "type-array",
    "union-without-type",
    "array-without-items",
    "object-without-properties",
    "additional-properties-schema",
    "closed-objects",
    "all-required",
    "max-depth",
    "max-properties",
    "max-tools",
]
#: What each check verifies (the docs print it next to each constraint).
CHECKS: dict[str, str] = {
    "name-charset": "every character of the tool name is in `allowed`",
    "name-start": "the tool name's first character matches `allowed`",
    "name-length": "the name the client builds from `template` has at most `max` characters",
    "keywords": "the schemas use none of `keywords`",
    "type-array": "no `type` is a list",
    "union-without-type": "no `anyOf`/`oneOf` lacks a `type` beside it",
    "array-without-items": "every array has `items`",
    "object-without-properties": "every object below the root has `properties`",
    "additional-properties-schema": "no `additionalProperties` is a schema",
    "closed-objects": 'every object says `"additionalProperties": false`',
    "all-required": "every property is listed in `required`",
    "max-depth": "objects nest at most `max` levels",
    "max-properties": "the schema declares at most `max` properties in all",
    "max-tools": "the server lists at most `max` tools",
}
#: Checks of a tool's name: the `tool-name` rule applies them; the others are `client-compat`'s.
NAME_CHECKS = frozenset({"name-charset", "name-start", "name-length"})
#: Checks of a tool's schemas.
SCHEMA_CHECKS = frozenset(CHECKS) - NAME_CHECKS - {"max-tools"}
#: Checks that need a `max`.
MAX_CHECKS = frozenset({"name-length", "max-depth", "max-properties", "max-tools"})

Effect = Literal["refuses", "drops", "renames", "degrades"]
#: What each effect means for the server, as the docs and `wagents compat` say it.
EFFECTS: dict[str, str] = {
    "refuses": "the client rejects the tool, or every request that carries it",
    "drops": "the client hides the tool from the model",
    "renames": "the client calls the tool by another name",
    "degrades": "the tool works, worse",
}
#: Effects after which the tool cannot be used as written (`wagents compat` says "refused").
BLOCKING_EFFECTS = frozenset({"refuses", "drops"})


class ProfileError(Exception):
    """A profile file that does not parse or does not fit the schema (a bug in the package)."""


class Constraint(BaseModel):
    """One limit of a client, with where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9-]+\.[a-z0-9-]+$")
    check: Check
    summary: str = Field(min_length=10)
    effect: Effect
    severity: Literal["error", "warning", "info"]
    evidence: Literal["documented", "observed"]
    sources: tuple[str, ...] = Field(min_length=1)
    fix: str = Field(min_length=10)
    #: name-charset: a regular-expression character class body (`A-Za-z0-9_-`); name-start:
    #: a class for the first character.
    allowed: str | None = None
    #: The limit of name-length, max-depth, max-properties and max-tools.
    max: int | None = Field(default=None, gt=0)
    #: name-length: the name as the client spells it, from `{server}` (the key `wagents config`
    #: writes: the server's directory name) and `{tool}`.
    template: str = "{tool}"
    #: keywords: the schema keywords the client refuses.
    keywords: tuple[str, ...] = ()
    #: Which schemas a schema check reads.
    schemas: Literal["input", "output", "both"] = "input"

    @model_validator(mode="after")
    def _parameters(self) -> Constraint:
        if self.check in ("name-charset", "name-start"):
            if not self.allowed:
                raise ValueError(f"{self.check} needs `allowed`")
            try:
                re.compile(f"[{self.allowed}]")
            except re.error as exc:
                raise ValueError(f"`allowed` is not a character class: {exc}") from None
        if self.check in MAX_CHECKS and self.max is None:
            raise ValueError(f"{self.check} needs `max`")
        if self.check == "keywords" and not self.keywords:
            raise ValueError("keywords needs `keywords`")
        if "{tool}" not in self.template or self.template.replace("{tool}", "").replace(
            "{server}", ""
        ).count("{"):
            raise ValueError("`template` holds {tool} and optionally {server}, nothing else")
        for source in self.sources:
            if not source.startswith("https://"):
                raise ValueError(f"source {source!r} is not an https:// link")
        return self

    @property
    def observed(self) -> bool:
        return self.evidence == "observed"

    @property
    def is_name_check(self) -> bool:
        return self.check in NAME_CHECKS


class Profile(BaseModel):
    """One client (or family of clients sharing one backend)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    covers: str
    #: Another profile whose constraints this one has too (openai-strict extends openai).
    extends: str | None = None
    constraints: tuple[Constraint, ...] = ()

    @model_validator(mode="after")
    def _ids(self) -> Profile:
        ids = [item.id for item in self.constraints]
        for constraint_id in ids:
            if not constraint_id.startswith(f"{self.name}."):
                raise ValueError(f"constraint {constraint_id!r} must start with {self.name!r}.")
        if len(set(ids)) != len(ids):
            raise ValueError("two constraints share an id")
        return self


@cache
def load_profiles() -> dict[str, Profile]:
    """Every profile of the package by name (see `read_profiles`)."""
    return read_profiles(resources.files("wagents.analysis").joinpath(*DATA_DIR.split("/")))


def read_profiles(folder: Traversable) -> dict[str, Profile]:
    """Every `<name>.toml` profile of `folder` by name, sorted, `extends` resolved into the
    constraints. Raises ProfileError naming the file when one is invalid."""
    raw: dict[str, Profile] = {}
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".toml"):
            continue
        try:
            profile = Profile.model_validate(tomllib.loads(entry.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, ValidationError) as exc:
            raise ProfileError(f"clients/{entry.name}: {exc}") from None
        if f"{profile.name}.toml" != entry.name:
            raise ProfileError(f"clients/{entry.name} holds profile {profile.name!r}")
        raw[profile.name] = profile
    return {name: _resolved(raw, name) for name in sorted(raw)}


def _resolved(raw: dict[str, Profile], name: str, seen: tuple[str, ...] = ()) -> Profile:
    profile = raw[name]
    if profile.extends is None:
        return profile
    if profile.extends not in raw or profile.extends in (*seen, name):
        raise ProfileError(f"profile {name!r} extends {profile.extends!r}, which is not usable")
    base = _resolved(raw, profile.extends, (*seen, name))
    return profile.model_copy(update={"constraints": (*base.constraints, *profile.constraints)})


def unknown_clients(names: list[str]) -> list[str]:
    """The names that are no profile of the package."""
    profiles = load_profiles()
    return [name for name in names if name not in profiles]


def profiles_markdown() -> str:
    """Every profile and constraint as Markdown (the client-compat rule's documentation)."""
    lines: list[str] = []
    for profile in load_profiles().values():
        inherited = (
            f" It has every constraint of `{profile.extends}` too." if profile.extends else ""
        )
        lines += [f"**`{profile.name}`**: {profile.title} ({profile.covers}).{inherited}", ""]
        lines += ["| constraint | checks | effect | severity | source |", "|---|---|---|---|---|"]
        for item in profile.constraints:
            links = ", ".join(_link(source) for source in item.sources)
            evidence = "observed: " if item.observed else ""
            summary = item.summary.replace("|", "\\|")
            lines.append(
                f"| `{item.id}` | {summary} | {item.effect} | {item.severity} | {evidence}{links} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def _link(url: str) -> str:
    """A short label for a source: `owner/repo#123`, or the host and path."""
    match = re.match(r"https://github\.com/([^/]+/[^/]+)/(?:issues|pull)/(\d+)", url)
    if match:
        label = f"{match[1]}#{match[2]}"
    else:
        match = re.match(r"https://github\.com/([^/]+/[^/]+)/blob/[^/]+/(.+)", url)
        label = f"{match[1]} {match[2].rsplit('/', 1)[-1]}" if match else url.split("://", 1)[1]
    return f"[{label.replace('|', '/')}]({url})"
