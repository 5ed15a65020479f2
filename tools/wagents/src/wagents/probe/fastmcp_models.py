"""What FastMCP's own models say of fastmcp.json texts, computed where fastmcp is imported.

`wagents validate` checks every fastmcp.json with `MCPServerConfig`, the model `fastmcp run`
loads. Importing fastmcp for it costs about half a second of CPU, which the zygote has paid
already: when the probes run forked from one, the validator sends it the run's texts (one
request, answered by the zygote itself, which runs no server code) and imports nothing. Without
a zygote (`--runner process`, no probe to run, outside Linux, a zygote that failed) the
validator calls the same functions in its own process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ConfigError:
    """One error `MCPServerConfig` (the model `fastmcp run` loads) reports on a fastmcp.json."""

    location: str
    message: str
    #: The innermost key of the location, to find the line by.
    key: str | None = None


@dataclass(frozen=True)
class Answers:
    """The keys `MCPServerConfig` understands per section ("" is the top level), and its
    errors for each fastmcp.json text asked about (`config_text` of the parsed object)."""

    keys: dict[str, frozenset[str]]
    errors: dict[str, tuple[ConfigError, ...]]

    def to_json(self) -> dict[str, Any]:
        return {
            "keys": {section: sorted(keys) for section, keys in self.keys.items()},
            "errors": {
                text: [[e.location, e.message, e.key] for e in errors]
                for text, errors in self.errors.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answers:
        return cls(
            keys={str(section): frozenset(keys) for section, keys in data["keys"].items()},
            errors={
                str(text): tuple(ConfigError(*error) for error in errors)
                for text, errors in data["errors"].items()
            },
        )


def config_text(config: dict[str, Any]) -> str:
    """The text a fastmcp.json object is asked about by (key order kept: errors follow it)."""
    return json.dumps(config, ensure_ascii=False)


def answer(texts: list[str]) -> Answers:
    """What `MCPServerConfig` says of each text (a JSON object, see `config_text`)."""
    return Answers(config_keys(), {text: config_errors(json.loads(text)) for text in texts})


def config_keys() -> dict[str, frozenset[str]]:
    """Keys `MCPServerConfig` understands, per section ("" is the top level)."""
    from fastmcp.utilities.mcp_server_config.v1.environments.uv import UVEnvironment
    from fastmcp.utilities.mcp_server_config.v1.mcp_server_config import (
        Deployment,
        MCPServerConfig,
    )
    from fastmcp.utilities.mcp_server_config.v1.sources.filesystem import FileSystemSource

    def keys(model: Any) -> frozenset[str]:
        return frozenset(field.alias or name for name, field in model.model_fields.items())

    return {
        "": keys(MCPServerConfig),
        "source": keys(FileSystemSource),
        "environment": keys(UVEnvironment),
        "deployment": keys(Deployment),
    }


def config_errors(config: dict[str, Any]) -> tuple[ConfigError, ...]:
    """What `MCPServerConfig` says of a fastmcp.json object (empty: valid)."""
    from fastmcp.utilities.mcp_server_config import MCPServerConfig
    from pydantic import ValidationError

    try:
        MCPServerConfig.model_validate(config)
    except ValidationError as exc:
        return tuple(
            ConfigError(
                ".".join(str(part) for part in error["loc"]) or "(top level)",
                error["msg"],
                next((str(p) for p in reversed(error["loc"]) if isinstance(p, str)), None),
            )
            for error in exc.errors()
        )
    except (TypeError, ValueError) as exc:  # validators raising outside pydantic's wrapping
        return (ConfigError("", f"is not a valid FastMCP config: {exc}"),)
    return ()
