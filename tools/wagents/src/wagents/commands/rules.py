"""`wagents rules`: list the rules, or print one rule's documentation."""

from __future__ import annotations

from typing import Annotated

import typer

from wagents.model import UsageError


def register(app: typer.Typer) -> None:
    app.command(name="rules")(rules)


def rules(
    slug: Annotated[str | None, typer.Argument(help="A rule slug to document in full.")] = None,
) -> None:
    """List every rule (slug, severity, summary), or show the documentation of one."""
    from wagents.rules import all_rules

    registry = all_rules()
    if slug is None:
        width = max(len(name) for name in registry)
        for item in registry.values():
            typer.echo(f"{item.slug:<{width}}  {item.severity:<7}  {item.summary}")
        return
    if slug not in registry:
        raise UsageError(f"unknown rule {slug!r} (see `wagents rules` for the list)")
    item = registry[slug]
    typer.echo(f"{item.slug} ({item.severity}, {item.family})\n\n{item.doc}")
