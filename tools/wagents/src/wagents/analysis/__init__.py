"""Pure analysis of server code and text: Python syntax trees, tool poisoning, route auth,
credentials, the security analysis (components.py finds tools, resources, prompts and their
parameters; taint.py follows caller text to the sinks of sinks.py; serving.py reads how a server
is served; owasp.py maps rules to the OWASP MCP Top 10), a server's surface (`surface.py`), the
classification of its changes (`compat_diff.py`) and the version policy (`version_policy.py`).
Client compatibility: JSON schemas with pointers (`schemas`), client profiles (`profiles`, one
data file per client under `data/clients/`) applied to a tool list (`compat`), the token estimate
of a tool list (`budget`), and what a tool's code deletes or writes (`effects`, with
`data/effects.toml`). Functions of parsed code, text or JSON to findings-shaped data; no I/O but
the data files shipped in data/.

May import `model` only.
"""
