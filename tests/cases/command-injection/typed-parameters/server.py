"""${name}: a golden case."""

from __future__ import annotations

import enum
import subprocess
from typing import Annotated, Literal

from fastmcp import FastMCP
from pydantic import Field

mcp = FastMCP("Systemd")


class Action(enum.StrEnum):
    START = "start"
    STOP = "stop"


@mcp.tool
def control(
    action: Action,
    unit: Annotated[str, Field(pattern=r"^[a-z0-9@_-]+\.service$")],
    scope: Literal["--user", "--system"] = "--user",
    timeout: int = 30,
) -> str:
    """Start or stop a systemd unit."""
    return subprocess.run(f"systemctl {scope} {action} {unit} --timeout {timeout}", shell=True,
                          capture_output=True, text=True).stdout
