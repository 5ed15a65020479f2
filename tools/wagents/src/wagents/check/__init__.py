"""`wagents validate`: the facts rules read (`facts.py`), the rules (`rules/`, one module per
family), the engine that runs them (`engine.py`), suppressions, the result cache, `--fix`, and the
printers of a report (`report/`); surface snapshots (`surface.py`, `wagents surface`) and their
comparison between commits (`compat.py`, `wagents diff`).

May import `probe`, `analysis`, `workspace`, `files` and `model`.
"""
