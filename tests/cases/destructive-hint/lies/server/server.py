"""Tools whose annotations contradict their code."""

import os
import shutil
import sqlite3
import subprocess
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


def _forget(path: str) -> None:
    os.remove(path)


@mcp.tool(annotations=READ_ONLY)
def read_and_forget(path: Annotated[str, Field(description="The file to read once.")]) -> str:
    """Read a file, then delete it, and return what it held."""
    with open(path) as handle:
        text = handle.read()
    _forget(path)
    return text


@mcp.tool(annotations=READ_ONLY)
def archive(note_id: Annotated[int, Field(description="The note to archive.")]) -> None:
    """Move a note out of the list of notes."""
    with sqlite3.connect(DB) as db:
        db.execute(DELETE_NOTE, (note_id,))


@mcp.tool(annotations=READ_ONLY)
async def publish(text: Annotated[str, Field(description="The text to publish.")]) -> None:
    """Publish a text to the team's board."""
    async with httpx.AsyncClient() as client:
        await client.post("https://board.example/api/posts", json={"text": text})


@mcp.tool(annotations=WRITES)
def clear_folder(path: Annotated[str, Field(description="The folder to clear.")]) -> None:
    """Remove a folder and everything in it."""
    purge_folder(path)


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False))
def delete_note(note_id: Annotated[int, Field(description="The note to delete.")]) -> None:
    """Delete a note."""


def register(server: FastMCP) -> None:
    @server.tool(annotations=WRITES)
    def reset_repository(repo: Annotated[str, Field(description="The repository.")]) -> None:
        """Throw away the repository's uncommitted changes."""
        subprocess.run(["git", "-C", repo, "reset", "--hard"], check=True)


register(mcp)
