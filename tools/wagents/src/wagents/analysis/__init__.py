"""Pure analysis of server code and text: Python syntax trees, tool poisoning, route auth,
credentials. Functions of parsed code or text to findings-shaped data; no I/O.

May import `model` only.
"""
