"""Qualified names of what a module's code refers to, from its imports (`run`: `subprocess.run`)."""

from __future__ import annotations

import ast
import weakref
from dataclasses import dataclass

from wagents.analysis.pyast import nodes


@dataclass(frozen=True)
class ImportNames:
    """Local names bound by imports, anywhere in a module, to the qualified names they stand for.

    `import os.path` binds `os`; `import numpy as np` binds `np` to `numpy`; `from subprocess
    import run as sh` binds `sh` to `subprocess.run`. Relative imports keep their dots
    (`from .db import connect` binds `connect` to `.db.connect`), so they match no library name.
    """

    aliases: dict[str, str]

    @classmethod
    def of(cls, module: ast.Module) -> ImportNames:
        """The import names of `module` (computed once per module object)."""
        found = _CACHE.get(module)
        if found is None:
            found = _CACHE[module] = cls._read(module)
        return found

    @classmethod
    def _read(cls, module: ast.Module) -> ImportNames:
        aliases: dict[str, str] = {}
        for node in nodes(module):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        aliases[top] = top
            elif isinstance(node, ast.ImportFrom):
                base = "." * node.level + (node.module or "")
                for alias in node.names:
                    if alias.name != "*":
                        joined = (
                            f"{base}.{alias.name}"
                            if base and base[-1] != "."
                            else base + alias.name
                        )
                        aliases[alias.asname or alias.name] = joined
        return cls(aliases)

    def qualify(self, dotted: str) -> str:
        """`np.array` -> `numpy.array` when `np` is an import; other names unchanged."""
        head, dot, rest = dotted.partition(".")
        target = self.aliases.get(head)
        if target is None:
            return dotted
        return target + dot + rest

    def imported(self, name: str) -> bool:
        return name in self.aliases


_CACHE: weakref.WeakKeyDictionary[ast.Module, ImportNames] = weakref.WeakKeyDictionary()
