"""Helpers of the siblings server."""

from pathlib import Path

GREETING = (Path(__file__).parent / "data" / "greeting.txt").read_text().strip()


def greeting(name: str) -> str:
    return f"{GREETING}, {name}!"
