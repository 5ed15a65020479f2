"""The scrubbed environment every probe and every launched server starts from.

Its own module, standard library only: the validation cache hashes it into its key without
loading the probe machinery.
"""

from __future__ import annotations

import os

#: How every probe interpreter (a fresh probe, the zygote, the kept zygote) is started. -I: no
#: PYTHON* variables, user site or script directory; -B: never write __pycache__ into the server
#: (-I ignores PYTHONDONTWRITEBYTECODE); -u: output is counted even before a crash.
PYTHON_FLAGS = ("-I", "-B", "-u")
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
