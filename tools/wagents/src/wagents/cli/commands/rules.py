"""`wagents rules`: list the rules, or print one rule's documentation (text or markdown)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from wagents.model import UsageError


class DocFormat(StrEnum):
    text = "text"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    app.command(name="rules")(rules)


def rules(
    slug: Annotated[str | None, typer.Argument(help="A rule slug to document in full.")] = None,
    doc_format: Annotated[
        DocFormat,
        typer.Option(
            "--format",
            "-f",
            help="markdown: the page docs/rules.md is generated from "
            "(`wagents rules --format markdown > docs/rules.md`).",
        ),
    ] = DocFormat.text,
) -> None:
    """List every rule (slug, severity, family, summary), or show the documentation of one."""
    from wagents.check import ruledoc
    from wagents.check.rules import all_rules

    registry = all_rules()
    if slug is not None and slug not in registry:
        raise UsageError(f"unknown rule {slug!r} (see `wagents rules` for the list)")
    if doc_format is DocFormat.markdown:
        if slug is None:
            typer.echo(ruledoc.markdown(registry.values()), nl=False)
        else:
            typer.echo(ruledoc.rule_markdown(registry[slug]))
        return
    if slug is None:
        width = max(len(name) for name in registry)
        family_width = max(len(item.family) for item in registry.values())
        for item in registry.values():
            typer.echo(
                f"{item.slug:<{width}}  {item.severity:<7}  {item.family:<{family_width}}  "
                f"{item.summary}"
            )
        return
    item = registry[slug]
    security = f"\n{item.security.summary}" if item.security is not None else ""
    typer.echo(f"{item.slug} ({item.severity}, {item.family}){security}\n\n{item.doc}")
