"""Pure analysis of server code and text: Python syntax trees, tool poisoning, route auth,
credentials, a server's surface (`surface.py`), the classification of its changes
(`compat_diff.py`) and the version policy (`version_policy.py`). Functions of parsed code, text or
JSON to findings-shaped data; no I/O.

May import `model` only.
"""
