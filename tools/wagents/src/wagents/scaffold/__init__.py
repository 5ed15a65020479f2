"""Making servers: `wagents new`, the name rules and the server templates (`templates/`).

May import `workspace`, `files` and `model`.
"""
