"""What Docket (FastMCP's background-task engine) accepts as its URL.

Docket takes `memory://` (inside one process, through burner-redis) or a Redis that processes
share; pydocket 0.27 with redis-py 8 reads the schemes below (`docket.docket.Docket` hands the URL
to `redis.asyncio.from_url`, and its own `memory://` branch). There is no SQL backend: the
`sqlite:///` some guides show fails when the worker starts.
"""

from __future__ import annotations

#: The variable FastMCP reads its Docket URL from (`fastmcp.settings.docket.url`).
DOCKET_URL_ENV = "FASTMCP_DOCKET_URL"
#: URL schemes Docket can share between processes.
SHARED_SCHEMES = (
    "redis",
    "rediss",
    "unix",
    "redis+sentinel",
    "rediss+sentinel",
    "redis+cluster",
    "rediss+cluster",
)
