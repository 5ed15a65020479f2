"""The pytest configuration in effect for a directory, found the way pytest itself finds it."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class PytestConfig:
    """The config file pytest would use when run in a directory (None: none) and its options.

    `error` says why the configuration could not be read (pytest would refuse it too).
    """

    path: Path | None
    options: dict[str, object] = field(default_factory=dict)
    error: str | None = None

    @property
    def asyncio_mode(self) -> str | None:
        """`asyncio_mode` from the options, or from `--asyncio-mode` in `addopts`."""
        mode = self.options.get("asyncio_mode")
        if mode is not None:
            return str(mode)
        addopts = self.options.get("addopts", [])
        if isinstance(addopts, str):
            words = shlex.split(addopts)
        elif isinstance(addopts, list | tuple):
            words = [str(a) for a in addopts]
        else:
            words = []
        for index, word in enumerate(words):
            if word.startswith("--asyncio-mode="):
                return word.partition("=")[2]
            if word == "--asyncio-mode" and index + 1 < len(words):
                return words[index + 1]
        return None


def effective_config(directory: Path) -> PytestConfig:
    """What `python -m pytest` started in `directory` (no arguments) reads its settings from.

    Uses pytest's own search (`_pytest.config.findpaths.locate_config`: pytest.toml, pytest.ini,
    pyproject.toml with `[tool.pytest]` or `[tool.pytest.ini_options]`, tox.ini, setup.cfg, from
    the directory upwards), so the answer follows the installed pytest's rules.
    """
    try:
        from _pytest.config.findpaths import locate_config
        from _pytest.outcomes import OutcomeException
    except ImportError:
        return PytestConfig(None, error="pytest is not installed")
    try:
        located = locate_config(directory, [directory])
    except (Exception, OutcomeException) as exc:  # pytest would stop on these files too
        return PytestConfig(None, error=str(exc).splitlines()[0] if str(exc) else repr(exc))
    _rootdir, inifile, options = located[0], located[1], located[2]
    values = {key: getattr(value, "value", value) for key, value in options.items()}
    return PytestConfig(inifile, values)
