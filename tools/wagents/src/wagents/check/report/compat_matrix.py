"""`wagents compat` printers: the matrix of servers by clients as text, JSON or GitHub Markdown.

Text and Markdown show one row per server and one column per client (`ok`, `warnings: N tools`,
`refused: N tools`), then, for each cell that is not ok, its worst constraint's message. The
Markdown uses the blocks of `markdown.py` (everything a server supplied is escaped; the document
stays under GitHub's step-summary limit), for a pull-request comment or the job summary:

    uv run wagents compat --format markdown >> "$GITHUB_STEP_SUMMARY"
"""

from __future__ import annotations

import json

from wagents.check.compat import Cell, Matrix, Status
from wagents.check.report.markdown import (
    Section,
    assemble,
    code,
    details,
    escape,
    html_text,
    paragraph,
    table,
)

_ICONS = {Status.OK: "✅", Status.WARNINGS: "⚠️", Status.REFUSED: "❌"}
#: More detail rows than this are collapsed under `<details>` in Markdown.
COLLAPSE_AFTER = 10


def label(cell: Cell) -> str:
    """`ok`, `warnings: 2 tools`, `refused: 1 tool`."""
    if cell.status is Status.OK:
        return "ok"
    count = cell.tools
    return f"{cell.status}: {count} tool{'s' if count != 1 else ''}"


def summary(matrix: Matrix) -> str:
    """`2 servers, 4 clients: 1 refused, 2 with warnings, 5 ok.`"""
    cells = [cell for row in matrix.rows for cell in row.cells]
    counts = {status: sum(1 for cell in cells if cell.status is status) for status in Status}
    failed = sum(1 for row in matrix.rows if row.problem is not None)
    servers = len(matrix.rows)
    text = (
        f"{servers} server{'s' if servers != 1 else ''}, {len(matrix.clients)} client"
        f"{'s' if len(matrix.clients) != 1 else ''}: {counts[Status.REFUSED]} refused, "
        f"{counts[Status.WARNINGS]} with warnings, {counts[Status.OK]} ok"
    )
    if failed:
        text += f"; {failed} server{'s' if failed != 1 else ''} could not be probed"
    return text + "."


def render_text(matrix: Matrix) -> str:
    """The matrix as an aligned table, then one line per cell that is not ok."""
    if not matrix.rows:
        return "No servers under mcp/ (create one with `wagents new NAME`).\n"
    rows = [["SERVER", *matrix.clients]]
    for row in matrix.rows:
        if row.problem is not None:
            rows.append([row.server, *("-" for _ in matrix.clients)])
        else:
            rows.append([row.server, *(label(cell) for cell in row.cells)])
    widths = [max(len(line[column]) for line in rows) for column in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in rows
    ]
    notes = []
    for row in matrix.rows:
        if row.problem is not None:
            notes.append(f"{row.server}: could not be probed ({row.problem})")
        for cell in row.cells:
            worst = cell.worst
            if worst is not None:
                notes.append(f"{row.server}, {cell.client}: {worst.message}")
    if notes:
        lines += ["", *notes]
    lines += ["", summary(matrix)]
    return "\n".join(lines) + "\n"


def render_json(matrix: Matrix) -> str:
    """`{"clients": [...], "servers": [{"server", "problem", "clients": {name: cell}}]}`."""
    return json.dumps(matrix.as_dict(), indent=2) + "\n"


def render_markdown(matrix: Matrix) -> str:
    """The matrix as GitHub Markdown (see the module docstring)."""
    icon = "❌" if matrix.refused else ("⚠️" if _any_warnings(matrix) else "✅")
    parts: list[Section] = [paragraph(f"### {icon} wagents compat\n\n{escape(summary(matrix))}")]
    headers = ("Server", *(code(client) for client in matrix.clients))
    cells = []
    for row in matrix.rows:
        if row.problem is not None:
            cells.append((escape(row.server), *("–" for _ in matrix.clients)))  # noqa: RUF001
        else:
            cells.append(
                (
                    escape(row.server),
                    *(f"{_ICONS[cell.status]} {escape(label(cell))}" for cell in row.cells),
                )
            )
    parts.append(table(headers, cells))
    notes = []
    for row in matrix.rows:
        if row.problem is not None:
            notes.append((escape(row.server), "", escape(f"could not be probed: {row.problem}")))
        for cell in row.cells:
            worst = cell.worst
            if worst is not None:
                notes.append((escape(row.server), code(cell.client), escape(worst.message)))
    if notes:
        section = table(("Server", "Client", "Worst constraint"), notes)
        if len(notes) > COLLAPSE_AFTER:
            section = details(html_text(f"{len(notes)} servers and clients with findings"), section)
        parts.append(section)
    return assemble(parts)


def _any_warnings(matrix: Matrix) -> bool:
    return any(cell.status is not Status.OK for row in matrix.rows for cell in row.cells)
