"""Files as data: bounded loading with errors as values, atomic writes and locks,
format-preserving TOML and JSON edits, the line of a key.

Knows nothing of servers or rules. May import `model` only.
"""
