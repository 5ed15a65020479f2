"""Rules about credentials written into a server's files."""

from __future__ import annotations

import re
from collections.abc import Iterator

from wagents.check.facts import ServerFacts
from wagents.check.rules import Problem, rule
from wagents.files.load import json_key_line
from wagents.model import Severity
from wagents.workspace.server import FASTMCP_JSON

#: deployment.env variables whose name says they hold a credential (detect-secrets' keyword
#: list leaves out TOKEN, which is too common in code, but a variable named so is one).
CREDENTIAL_NAME = re.compile(
    r"TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL", re.IGNORECASE
)
CREDENTIAL_NAME_KIND = "credential-named variable"


@rule("hardcoded-secret", Severity.ERROR)
def hardcoded_secret(facts: ServerFacts) -> Iterator[Problem]:
    """No credential is written into the server's code or configuration files.

    A key in a file ends up in git history, container images, logs and every copy of the
    repository; rotating it is the only cure. Secrets come from the environment: read them with
    `os.environ[...]` in code, and pass them through fastmcp.json as references
    (`"API_KEY": "${API_KEY}"` in `deployment.env`), never as values.

    The scan covers the server's Python modules (tests excluded), fastmcp.json, pyproject.toml
    and the other `.toml`, `.json`, `.yaml`, `.ini`, `.cfg` and dotenv files of the server
    directory, except files git ignores (a git-ignored `.env` is where local secrets belong). It
    uses detect-secrets' detectors: known token formats (AWS, GitHub, GitLab, Slack, Stripe,
    OpenAI, PyPI, private keys, JWTs, ...), assignments to names such as `password`, `api_key` or
    `secret`, and URLs with a password (`redis://:pw@host`). In fastmcp.json `deployment.env`,
    a variable named like a credential (`*TOKEN*`, `*SECRET*`, `*PASSWORD*`, `*API_KEY*`,
    `*ACCESS_KEY*`, `*PRIVATE_KEY*`, `*CREDENTIAL*`) must hold a `${VAR}` reference. `${VAR}`
    and `$VAR` references are not secrets, nor is a URL template in a comment or a docstring
    whose password is a placeholder (`# mysql://user:password@host`, `<password>`, `{password}`,
    `xxx`, `***`): it documents a setting's format. The same URL in code, or with a real-looking
    password in a comment, is still reported. A finding names the kind of secret and the line,
    never the value. A line holding a known false positive can end with
    `# pragma: allowlist secret`. Sources: OWASP MCP Top 10 MCP01:2025; CWE-798; detect-secrets.

    Bad::

        // fastmcp.json
        "deployment": {"env": {"WEATHER_API_KEY": "9f1c2e7a5b3d4c6e"}}

    Good::

        // fastmcp.json
        "deployment": {"env": {"WEATHER_API_KEY": "${WEATHER_API_KEY}"}}
    """
    config_path = facts.path / FASTMCP_JSON
    env_lines = _deployment_env_lines(facts)
    hits = {(hit.path, hit.line): set(hit.kinds) for hit in facts.secrets}
    for line in _credential_named_literals(facts, env_lines):
        hits.setdefault((config_path, line), set()).add(CREDENTIAL_NAME_KIND)
    for (path, line), found in sorted(hits.items()):
        kinds = ", ".join(sorted(found))
        variables = env_lines.get(line, []) if path == config_path else []
        if len(variables) == 1:
            (variable,) = variables
            yield Problem(
                f"fastmcp.json deployment.env.{variable} holds a literal secret ({kinds}): "
                f'pass a reference, "{variable}": "${{{variable}}}", and set it in the '
                "environment",
                path,
                line,
            )
        elif variables:
            yield Problem(
                f"fastmcp.json deployment.env holds a literal secret ({kinds}) in one of "
                f'{", ".join(variables)}: pass references such as "${{{variables[0]}}}"',
                path,
                line,
            )
        else:
            yield Problem(
                f"{path.name} holds a literal secret ({kinds}): read it from the environment "
                "instead",
                path,
                line,
            )


def _credential_named_literals(
    facts: ServerFacts, env_lines: dict[int, list[str]]
) -> Iterator[int]:
    """Lines of deployment.env variables named like credentials whose value is a literal."""
    env = facts.files.deployment_env
    for line, names in env_lines.items():
        for name in names:
            value = env.get(name)
            if (
                CREDENTIAL_NAME.search(name)
                and isinstance(value, str)
                and value.strip()
                and "$" not in value
            ):
                yield line


def _deployment_env_lines(facts: ServerFacts) -> dict[int, list[str]]:
    """The line of each `deployment.env` variable in fastmcp.json."""
    loaded = facts.files.fastmcp_json
    if loaded is None:
        return {}
    lines: dict[int, list[str]] = {}
    for name in facts.files.deployment_env:
        line = json_key_line(loaded.text or "", name)
        if line is not None:
            lines.setdefault(line, []).append(name)
    return lines
