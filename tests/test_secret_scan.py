"""The secret scan reads each text once and hands detect-secrets only the lines a detector could
match: it must find exactly what detect-secrets' own `scan_file` finds reading the files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from wagents.analysis import secrets

from .helpers import REPO_ROOT

#: One line per kind of secret the detectors in use know, in the file types servers hold.
SYNTHETIC = {
    "leaky.py": (
        'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"\n'
        'GITHUB = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"\n'
        'password = "correct-horse-battery"\n'
        'db_pass = "hunter2hunter2"  # pragma: allowlist secret\n'
        'token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLWJ5dGVz"\n'
        'slack = "xoxb-1234567890-abcdefghijklmnop"\n'
        'stripe = "sk_live_abcdefghijklmnopqrstuvwx"\n'
        'url = "https://admin:s3cr3tp4ss@db.example.com/x"\n'
        'api_key = os.environ["API_KEY"]\n'
        "x = 1\n"
        "-----BEGIN RSA PRIVATE KEY-----\n"
    ),
    "settings.yaml": 'database:\n  password: "yaml-secret-value"\n  host: localhost\n',
    "app.ini": "[db]\npassword = ini-secret-value\nuser = app\n",
    ".env": 'SECRET_KEY="dotenv-secret-value"\nLOG_LEVEL=debug\n',
    "config.json": '{"api_key": "json-secret-value-123", "name": "x"}\n',
    "pyproject.toml": '[tool.x]\npassword = "toml-secret-value"\n',
}
SUFFIXES = {".py", ".toml", ".json", ".yaml", ".yml", ".ini", ".cfg", ".env"}


def _reference(paths: list[Path]) -> set[tuple[str, int, str]]:
    """detect-secrets' own scan of the files on disk, with the detectors wagents uses."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.core.scan import scan_file
    from detect_secrets.settings import transient_settings

    plugins = [
        {"name": cls.__name__}
        for cls in get_mapping_from_secret_type_to_class().values()
        if cls.__name__ not in secrets.SKIPPED_DETECTORS
    ]
    found = set()
    with transient_settings({"plugins_used": plugins}):
        for path in paths:
            found |= {(str(path), s.line_number, s.type) for s in scan_file(str(path))}
    return found


def _fast(paths: list[Path]) -> set[tuple[str, int, str]]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import transient_settings

    plugins = [
        {"name": cls.__name__}
        for cls in get_mapping_from_secret_type_to_class().values()
        if cls.__name__ not in secrets.SKIPPED_DETECTORS
    ]
    found = set()
    with transient_settings({"plugins_used": plugins}):
        triggers = [secrets._union(secrets._triggers())]
        for path in paths:
            text = path.read_text(encoding="utf-8")
            found |= {
                (str(path), line, kind) for line, kind in secrets._scan_text(path, text, triggers)
            }
    return found


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The synthetic files, and every text file of the cases, the corpus, the servers and
    wagents' own source, copied."""
    tmp_path = tmp_path_factory.mktemp("texts")
    paths = []
    for name, text in SYNTHETIC.items():
        path = tmp_path / "synthetic" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    sources = [
        REPO_ROOT / "tests" / "cases",
        REPO_ROOT / "tests" / "corpus",
        REPO_ROOT / "mcp",
        REPO_ROOT / "tools" / "wagents" / "src",
    ]
    for index, source in enumerate(sources):
        for original in sorted(source.rglob("*")):
            if not original.is_file() or (
                original.suffix not in SUFFIXES and original.name != ".env"
            ):
                continue
            try:
                original.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue  # deliberately broken encodings: both skip them
            copy = tmp_path / str(index) / original.relative_to(source)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(original, copy)
            paths.append(copy)
    return paths


def test_the_scan_finds_exactly_what_detect_secrets_finds(paths: list[Path]) -> None:
    reference = _reference(paths)
    assert len(reference) >= 10  # not vacuous: the synthetic file alone holds more
    assert _fast(paths) == reference


def test_the_texts_the_prefilter_leaves_out_hold_nothing_detect_secrets_finds(
    paths: list[Path],
) -> None:
    prefilter = secrets.Prefilter(secrets.detector_triggers(), secrets.file_type)
    triggers = re.compile(prefilter.triggers)
    texts = {path: path.read_text(encoding="utf-8") for path in paths}
    left_out = {
        path
        for path, text in texts.items()
        if secrets.finds_nothing(path, text, triggers, prefilter)
    }
    assert len(left_out) >= len(paths) // 4  # not vacuous: most source files hold no trigger
    assert {Path(path) for path, _, _ in _reference(paths)}.isdisjoint(left_out)
    assert secrets.scan_files(texts, prefilter) == secrets.scan_files(texts)


@pytest.mark.parametrize(
    ("name", "text", "left_out"),
    [
        ("server.py", '"""A server."""\nfrom fastmcp import FastMCP\nmcp = FastMCP("x")\n', True),
        ("server.py", 'db_password = "hunter2hunter2"\n', False),  # a trigger line
        ("tests.py", "[section]\nname = value\n", False),  # the INI transformer parses it
        ("settings.yaml", "name: x\n", False),  # the YAML transformer may parse it
        ("config.json", '{\n  "name": "x"\n}\n', True),  # INI fails with and without a header
        ("config.json", '{"name": "x"}\n', False),  # the eager INI transformer parses it
        ("pyproject.toml", '[project]\nname = "x"\n', False),
        ("pyproject.toml", '[project]\ndependencies = [\n  "fastmcp",\n]\n', True),
    ],
)
def test_the_prefilter_leaves_out_only_texts_read_as_they_are(
    name: str, text: str, left_out: bool
) -> None:
    prefilter = secrets.Prefilter(secrets.detector_triggers(), secrets.file_type)
    triggers = re.compile(prefilter.triggers)
    assert secrets.finds_nothing(Path(name), text, triggers, prefilter) is left_out
