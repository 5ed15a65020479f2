"""Looking at a server from inside its own process: the code that runs there (`child.py`, standard
library only at the top, so that any interpreter can run it), the typed result both sides share
(`protocol.py`), the fresh-process runner, the zygote, the scheduler, process-tree cleanup, the
isolated install, and what FastMCP's config models say of fastmcp.json texts (`fastmcp_models.py`:
the zygote answers it, having imported fastmcp already).

May import `workspace`, `files` and `model`; `child.py` and `protocol.py` import only the
standard library (and fastmcp inside the server's process).
"""
