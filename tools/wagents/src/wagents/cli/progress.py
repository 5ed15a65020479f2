"""A live count on a terminal while a long command runs (`validating 37/100`), silent elsewhere."""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: Seconds between redraws (the last count is always drawn).
REDRAW_INTERVAL = 0.1


class Progress:
    """Counts finished items on `stream` (default stderr) when it is a terminal.

    The line is redrawn in place with a carriage return and erased at the end, so that what the
    command prints afterwards (on stdout or stderr) starts on a clean line.
    """

    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self.total = total
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self.enabled = total > 0 and _is_terminal(self.stream)
        self._drawn = 0
        self._last = 0.0

    def __enter__(self) -> Progress:
        self._draw()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.enabled and self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self.stream.flush()

    def advance(self, _item: object = None) -> None:
        """One more item is done."""
        self.done += 1
        if self.done >= self.total or time.monotonic() - self._last >= REDRAW_INTERVAL:
            self._draw()

    def _draw(self) -> None:
        if not self.enabled:
            return
        text = f"{self.label} {self.done}/{self.total}"
        self.stream.write("\r" + text.ljust(self._drawn))
        self.stream.flush()
        self._drawn = max(self._drawn, len(text))
        self._last = time.monotonic()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
