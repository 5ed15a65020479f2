"""The workspace: its root and members, its servers and their files, what changed since a git ref
(and the one definition of the files every server shares), requirement strings, uv, pytest
settings and the installed distributions.

Reads the disk and asks git and uv; never imports a server. May import `files` and `model`.
"""
