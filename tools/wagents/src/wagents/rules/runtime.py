"""Rules about what happens when a server is imported (facts from its isolated probe process)."""

from __future__ import annotations

from collections.abc import Iterator

from wagents.facts import ServerFacts
from wagents.model import Severity
from wagents.rules import Problem, rule


@rule("import-check", Severity.ERROR, runtime=True)
def import_check(facts: ServerFacts) -> Iterator[Problem]:
    """`from server import mcp` works in a fresh process and yields a FastMCP server.

    The seed's import check, run for every server in a process of its own (the server directory
    as working directory, stdin closed, a scrubbed environment, a timeout). It reports an
    exception raised at import (with its last line), `sys.exit()` at import (exit status 0
    included: a client would see the server vanish), a hang or an endless loop, a crash of the
    interpreter, and an entrypoint that is not a FastMCP instance.

    A module wagents cannot read (unreadable, not UTF-8, larger than 1 MiB, a directory) is
    reported without importing it. Reading stdin or closing stdout at import (under stdio they
    carry the protocol) and leaving processes running are errors; changing the working
    directory is a warning. Whatever the import started is killed, even daemons.

    Bad: `import missing_module` at the top of server.py.
    Good: every import of server.py is a declared dependency and nothing runs at import time but
    the definitions.
    """
    source = facts.source_path
    name = facts.source_name
    loaded = facts.source
    if loaded is not None and loaded.error is not None and loaded.text is None:
        yield Problem(f"{name} {loaded.error.message}", source, loaded.error.line)
        return
    runtime = facts.runtime
    if runtime is None:
        return
    if runtime.stdin_read:
        yield Problem(
            f"{name} reads stdin while being imported; under the stdio transport stdin carries "
            "the client's messages",
            source,
        )
    if runtime.stdout_closed:
        yield Problem(
            f"{name} closes stdout while being imported; the stdio transport writes the "
            "server's messages there",
            source,
        )
    if runtime.orphans:
        yield Problem(
            f"{name} leaves {runtime.orphans} process(es) running after its import (the import "
            "check killed them); start processes in a lifespan or a tool, not at import",
            source,
        )
    if runtime.cwd_after_import is not None:
        yield Problem(
            f"{name} changes the working directory while being imported "
            f"(to {runtime.cwd_after_import!r}); relative paths then resolve elsewhere",
            source,
            severity=Severity.WARNING,
        )
    match runtime.status:
        case "ok" | "no-server":
            return  # entrypoint reports a missing server object
        case "exception":
            yield Problem(f"importing {name} raised {runtime.message}", source, runtime.line)
        case "exit":
            code = runtime.exit_code
            detail = runtime.message or f"the process exited with status {code!r}"
            if runtime.message is None:
                detail = f"{name} called sys.exit({code!r}) while being imported"
            yield Problem(detail, source, runtime.line)
        case "timeout":
            yield Problem(
                f"importing {name} {runtime.message} (a hang or endless loop at import time)",
                source,
            )
        case "crashed":
            tail = _last_line(runtime.stderr_tail)
            yield Problem(
                f"importing {name}: {runtime.message}" + (f": {tail}" if tail else ""), source
            )
        case "not-fastmcp":
            yield Problem(f"{name}: {runtime.message}", source)
        case _:
            tail = _last_line(runtime.stderr_tail)
            yield Problem(
                f"the import check of {name} gave no result ({runtime.status})"
                + (f": {tail}" if tail else ""),
                source,
            )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""
