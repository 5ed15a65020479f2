"""Pure analysis of server code and text: Python syntax trees, tool poisoning, route auth,
credentials, JSON schemas with pointers (`schemas`), client profiles (`profiles`, one data file
per client under `clients/`) applied to a tool list (`compat`), the token estimate of a tool list
(`budget`), and what a tool's code deletes or writes (`effects`, with `effects.toml`). Functions
of parsed code or text to findings-shaped data; no I/O but reading their own package data.

May import `model` only.
"""
