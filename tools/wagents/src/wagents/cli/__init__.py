"""The command line: the typer app (`app.py`), one module per subcommand (`commands/`) and what
only a terminal needs (`progress.py`, `inspect_text.py`).

It parses arguments, calls the core and prints what the core returns; it holds no logic of its
own. May import every other room; no room imports it.
"""
