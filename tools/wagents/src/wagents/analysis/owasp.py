"""The OWASP MCP Top 10 and where wagents' security rules sit in it, read from `data/owasp.toml`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: The project page every category links to.
PROJECT = "https://owasp.org/www-project-mcp-top-10/"
YEAR = "2025"


@dataclass(frozen=True)
class Category:
    """One item of the OWASP MCP Top 10, and what wagents checks of it."""

    id: str
    title: str
    rules: tuple[str, ...]
    checks: str
    cannot_see: str

    @property
    def label(self) -> str:
        return f"{self.id}:{YEAR} {self.title}"


@dataclass(frozen=True)
class Classification:
    """A security rule's category, weaknesses and the severity GitHub code scanning ranks by."""

    owasp: Category
    cwe: tuple[int, ...]
    security_severity: str

    @property
    def tags(self) -> list[str]:
        """SARIF `properties.tags`: `security`, the OWASP id, `external/cwe/cwe-NNN`."""
        return [
            "security",
            f"owasp-mcp-top-10/{self.owasp.id}:{YEAR}",
            *(f"external/cwe/cwe-{number:03d}" for number in self.cwe),
        ]

    @property
    def summary(self) -> str:
        """`OWASP MCP05:2025 (Command Injection & Execution) · CWE-78, CWE-94 · ...`."""
        weaknesses = ", ".join(f"CWE-{number}" for number in self.cwe)
        return (
            f"OWASP {self.owasp.id}:{YEAR} ({self.owasp.title}) · {weaknesses} · "
            f"security-severity {self.security_severity}"
        )


@cache
def _data() -> tuple[dict[str, Category], dict[str, Classification]]:
    text = resources.files("wagents.analysis").joinpath("data", "owasp.toml").read_text("utf-8")
    data = tomllib.loads(text)
    categories = {
        key: Category(
            key, entry["title"], tuple(entry["rules"]), entry["checks"], entry["cannot_see"]
        )
        for key, entry in data["categories"].items()
    }
    rules = {
        slug: Classification(
            categories[entry["owasp"]], tuple(entry["cwe"]), str(entry["security_severity"])
        )
        for slug, entry in data["rules"].items()
    }
    return categories, rules


def categories() -> list[Category]:
    """MCP01 to MCP10, in order."""
    return [category for _, category in sorted(_data()[0].items())]


def classification(slug: str) -> Classification | None:
    """The classification of a security rule, None for the others."""
    return _data()[1].get(slug)
