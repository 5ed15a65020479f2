"""GitHub-flavoured Markdown building blocks shared by the reports people read on GitHub.

Step summaries (`$GITHUB_STEP_SUMMARY`) and pull-request comments render Markdown *and* raw
HTML, so any text that came from a server (a message, a tool name, a path) is escaped before it
lands in a document: HTML's `&`, `<`, `>` become entities, Markdown punctuation gets its
backslash, `@` stops being a mention, and line breaks inside a table cell become `<br>`.

A document is a list of `Section`s; `assemble` joins them and keeps the result under a byte
limit (GitHub refuses a step summary over 1 MiB), cutting at a row boundary so that no table or
`<details>` block is left open, and saying what was cut. `wagents validate --format markdown`
uses these blocks, and so can any other command that reports in Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

#: GitHub's limit for one step's summary is 1 MiB; stay below it with room for other steps' text.
SUMMARY_LIMIT_BYTES = 1024 * 1024 - 16 * 1024

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def escape(text: str) -> str:
    """`text` as literal Markdown: shown as it is, never read as markup, HTML or a mention.

    Line breaks become `<br>` (the only line break a table cell can hold).
    """
    escaped = "".join(_HTML.get(char, char) for char in text)
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", escaped)
    escaped = escaped.replace("@", "&#64;")  # `@team` would notify in a pull-request comment
    return "<br>".join(line.strip() for line in escaped.replace("\r\n", "\n").split("\n"))


def html_text(text: str) -> str:
    """`text` for a place that holds HTML, not Markdown (a `<summary>`): entities only."""
    escaped = "".join(_HTML.get(char, char) for char in text).replace("@", "&#64;")
    return " ".join(escaped.split())


def code(text: str) -> str:
    """`text` as an inline code span (safe inside a table cell); escaped text when it holds
    a backtick or a line break, which a code span cannot carry."""
    if not text or "`" in text or "\n" in text or "\r" in text:
        return escape(text)
    # Inside a code span only `|` is special (it would end the table cell), and `\|` works there.
    return "`" + text.replace("|", "\\|") + "`"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> Section:
    """A table section: `headers` and `rows` are already-escaped cell texts."""
    head = "| " + " | ".join(headers) + " |\n|" + "|".join("---" for _ in headers) + "|\n"
    return Section(head, [_row(cells) for cells in rows])


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("\n", "<br>") for cell in cells) + " |\n"


def details(summary: str, inner: Section, *, open_: bool = False) -> Section:
    """`inner` collapsed under a `<details>` element; `summary` is shown as it is (GitHub reads
    it as HTML, so pass plain text through `html_text`)."""
    opening = f"<details{' open' if open_ else ''}><summary>{summary}</summary>\n\n"
    return Section(opening + inner.head, inner.rows, inner.tail + "\n</details>\n")


def paragraph(text: str) -> Section:
    """One block of already-formatted Markdown, followed by a blank line."""
    return Section(text.rstrip("\n") + "\n")


@dataclass(frozen=True)
class Section:
    """A block of a document: `head`, then `rows` (the part that may be cut), then `tail`.

    A blank line follows every section, so consecutive tables and paragraphs stay apart.
    """

    head: str
    rows: list[str] = field(default_factory=list)
    tail: str = ""


def assemble(
    sections: Iterable[Section],
    limit: int = SUMMARY_LIMIT_BYTES,
    cut_note: str = "The rest was cut: the summary would exceed GitHub's limit of 1 MiB.",
) -> str:
    """The sections joined into one document of at most `limit` UTF-8 bytes.

    When everything does not fit, the document ends with the last row that does (its section
    closed by its tail) and then `cut_note` with the number of rows left out.
    """
    sections = list(sections)
    total_rows = sum(len(section.rows) for section in sections)
    note_room = len(_note(cut_note, total_rows).encode()) + 64
    parts: list[str] = []
    used = 0
    shown = 0
    for section in sections:
        tail = section.tail + "\n"
        head_size = len(section.head.encode())
        tail_size = len(tail.encode())
        if used + head_size + tail_size + note_room > limit:
            return "".join(parts) + _note(cut_note, total_rows - shown)
        body = [section.head]
        size = head_size
        for row in section.rows:
            row_size = len(row.encode())
            if used + size + row_size + tail_size + note_room > limit:
                parts.append("".join(body) + tail)
                return "".join(parts) + _note(cut_note, total_rows - shown)
            body.append(row)
            size += row_size
            shown += 1
        body.append(tail)
        parts.append("".join(body))
        used += size + tail_size
    return "".join(parts)


def _note(cut_note: str, left_out: int) -> str:
    rows = f" ({left_out} row{'s' if left_out != 1 else ''} not shown)" if left_out else ""
    return f"> [!NOTE]\n> {cut_note}{rows}\n"
