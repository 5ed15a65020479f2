"""Reads that look like writes to a careless eye, and honest writers."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Annotated

import httpx
from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field

from storage import purge_folder

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
WRITES = ToolAnnotations(readOnlyHint=False, idempotentHint=False, openWorldHint=False)
DB = "notes.db"
DELETE_NOTE = "DELETE FROM notes WHERE id = ?"
ROOT = Path("notes").resolve()


def _history(repo: str) -> str:
    done = subprocess.run(["git", "-C", repo, "log", "--oneline"], capture_output=True, text=True)
    return done.stdout


@mcp.tool(annotations=READ_ONLY)
def history(repo: Annotated[str, Field(description="The repository.")]) -> str:
    """Return the repository's commit history, newest first."""
    return _history(repo)


@mcp.tool(annotations=READ_ONLY)
def find(title: Annotated[str, Field(description="The title to find.")]) -> list[int]:
    """Return the ids of the notes with a title."""
    with sqlite3.connect(DB) as db:
        rows = db.execute("SELECT id FROM notes WHERE title = ?", (title,)).fetchall()
    return [row[0] for row in rows]


@mcp.tool(annotations=READ_ONLY)
def read(path: Annotated[str, Field(description="The file to read.")]) -> str:
    """Return a file's text."""
    target = (ROOT / path).resolve()
    if not target.is_relative_to(ROOT):
        raise ValueError("outside the notes folder")
    with open(target, encoding="utf-8") as handle:
        return handle.read()


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False))
def add_note(text: Annotated[str, Field(description="The note's text.")]) -> None:
    """Add a note (nothing is overwritten)."""
    with sqlite3.connect(DB) as db:
        db.execute("INSERT INTO notes (text) VALUES (?)", (text,))


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=True))
def delete_folder(path: Annotated[str, Field(description="The folder to delete.")]) -> None:
    """Delete a folder and everything in it."""
    target = (ROOT / path).resolve()
    if not target.is_relative_to(ROOT):
        raise ValueError("outside the notes folder")
    purge_folder(str(target))
    shutil.rmtree(target, ignore_errors=True)
