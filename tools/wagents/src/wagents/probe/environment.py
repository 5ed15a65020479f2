"""The scrubbed environment every probe and every launched server starts from.

Its own module, standard library only: the validation cache hashes it into its key without
loading the probe machinery.
"""

from __future__ import annotations

import os

#: Environment variables a probe inherits; everything else (tokens, secrets) is dropped.
ENV_ALLOWLIST = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "SYSTEMROOT")


def probe_environment() -> dict[str, str]:
    """The scrubbed environment of a probe: the allowlist plus quiet, bytecode-free Python."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ENV_ALLOWLIST or key.startswith("LC_")
    }
    env.update(
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        PYTHONIOENCODING="utf-8",
        FASTMCP_LOG_LEVEL="WARNING",
        FASTMCP_SHOW_CLI_BANNER="false",
    )
    return env
