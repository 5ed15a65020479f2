"""Replay a generated Dockerfile without Docker: its COPYs (through its ignore file), its ENV and
WORKDIR, its `uv` RUN steps, then its CMD and HEALTHCHECK, inside a temporary directory that stands
for the image's root filesystem.

There is no Docker engine on these machines. This runs the same commands with the same flags and
environment (container paths such as /app mapped under the temporary root), so a Dockerfile whose
uv sync, paths, ignore rules or CMD are wrong fails here too. What it cannot replay (the base
image, `useradd`, USER) is listed in `skipped`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Image:
    """The replayed image: its root directory, environment, working directory and commands."""

    root: Path
    env: dict[str, str]
    workdir: Path
    cmd: list[str] = field(default_factory=list)
    healthcheck: list[str] = field(default_factory=list)
    exposed: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    ran: list[list[str]] = field(default_factory=list)

    def resolve(self, argv: list[str], env: dict[str, str] | None = None) -> list[str]:
        """`argv` with its program looked up on the image's PATH (like exec form does)."""
        found = shutil.which(argv[0], path=(env or self.env).get("PATH"))
        if found is None:
            raise AssertionError(f"{argv[0]} is not on the image's PATH")
        return [found, *argv[1:]]


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    result: list[tuple[str, str]] = []
    current = ""
    for raw in dockerfile.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        keyword, _, rest = current.partition(" ")
        result.append((keyword.upper(), rest.strip()))
        current = ""
    return result


def ignore_rules(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    """A .dockerignore as (is_exception, regex) rules, in order (the last match wins)."""
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = os.path.normpath(line.removeprefix("!").strip()).lstrip("/")
        rules.append((exception, re.compile(_glob_regex(pattern))))
    return rules


def _glob_regex(pattern: str) -> str:
    out, index = "", 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out, index = out + "(?:.*/)?", index + 3
        elif pattern.startswith("**", index):
            out, index = out + ".*", index + 2
        elif pattern[index] == "*":
            out, index = out + "[^/]*", index + 1
        elif pattern[index] == "?":
            out, index = out + "[^/]", index + 1
        elif pattern[index] == "[":
            end = pattern.index("]", index)
            out, index = out + pattern[index : end + 1], end + 1
        else:
            out, index = out + re.escape(pattern[index]), index + 1
    return out


def is_ignored(relative: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker's rule: a pattern matching the path or any of its parent directories applies."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: count + 1]) for count in range(len(parts))]
    ignored = False
    for exception, regex in rules:
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            ignored = not exception
    return ignored


def replay(dockerfile: Path, context: Path, root: Path) -> Image:
    """Build the image of `dockerfile` (context = workspace root) under `root`."""
    ignore_file = dockerfile.with_name(dockerfile.name + ".dockerignore")
    rules = ignore_rules(ignore_file.read_text()) if ignore_file.exists() else []
    root.mkdir(parents=True, exist_ok=True)
    image = Image(root, _machine_env(), root)
    for keyword, args in instructions(dockerfile.read_text()):
        match keyword:
            case "FROM":
                image.skipped.append(f"FROM {args}")
            case "WORKDIR":
                image.workdir = _map(image, args)
                image.workdir.mkdir(parents=True, exist_ok=True)
            case "ENV":
                for item in shlex.split(args):
                    key, _, value = item.partition("=")
                    expanded = re.sub(
                        r"\$\{?(\w+)\}?", lambda m: image.env.get(m.group(1), ""), value
                    )
                    image.env[key] = _map_value(image, expanded)
            case "COPY":
                _copy(image, args, context, rules)
            case "RUN":
                argv = [token for token in shlex.split(args) if not token.startswith("--mount=")]
                if argv[0] != "uv":
                    image.skipped.append(f"RUN {args}")
                    continue
                image.ran.append(argv)
                done = subprocess.run(
                    image.resolve(argv),
                    cwd=image.workdir,
                    env=image.env,
                    check=False,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                if done.returncode != 0:
                    raise AssertionError(f"RUN {args} failed:\n{done.stderr}")
            case "EXPOSE":
                image.exposed += [int(port.split("/")[0]) for port in args.split()]
            case "HEALTHCHECK":
                image.healthcheck = json.loads(args[args.index("CMD") + 3 :].strip())
            case "CMD":
                image.cmd = json.loads(args)
            case "USER":
                image.skipped.append(f"USER {args}")
            case _:
                raise AssertionError(f"the replay does not know {keyword}")
    return image


#: Host settings that stand in for the build machine's network and the `--mount=type=cache` of uv.
MACHINE_ENV = re.compile(r"(UV_|SSL_|REQUESTS_CA_BUNDLE$|(HTTPS?|NO|ALL)_PROXY$)", re.IGNORECASE)


def _machine_env() -> dict[str, str]:
    """The starting environment: this machine's PATH (uv, python) and HOME (uv's cache), and its
    certificate and proxy settings; nothing else of the test process leaks into the image."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}
    env.update({key: value for key, value in os.environ.items() if MACHINE_ENV.match(key)})
    return env


def _map(image: Image, container_path: str) -> Path:
    path = Path(container_path)
    if not path.is_absolute():
        return image.workdir / path
    return image.root / path.relative_to("/")


def _map_value(image: Image, value: str) -> str:
    """Container paths (/app, /app/.venv/bin) in a value, moved under the replay root."""
    return re.sub(r"(^|:)(/app)(?=/|:|$)", lambda m: m.group(1) + str(image.root / "app"), value)


def _copy(image: Image, args: str, context: Path, rules) -> None:
    tokens = shlex.split(args)
    if any(token.startswith("--from=") for token in tokens):
        image.skipped.append(f"COPY {args}")  # uv comes from the machine's PATH instead
        return
    *sources, destination = tokens
    target = _map(image, destination)
    for source in sources:
        origin = context / source
        if origin.is_dir():
            for path in sorted(origin.rglob("*")):
                relative = path.relative_to(context).as_posix()
                if path.is_file() and not is_ignored(relative, rules):
                    copied = target / path.relative_to(origin)
                    copied.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, copied)
        else:
            relative = origin.relative_to(context).as_posix()
            if is_ignored(relative, rules):
                raise AssertionError(f"COPY {source}: the ignore file leaves it out of the context")
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, target / origin.name if destination.endswith("/") else target)
