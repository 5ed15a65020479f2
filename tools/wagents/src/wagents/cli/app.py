"""The `wagents` command line: parses arguments, calls the core, prints. No logic of its own."""

from __future__ import annotations

import atexit
import contextlib
import gc
import inspect
import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any, NoReturn

import typer
from typer.exceptions import TyperException

from wagents import __version__
from wagents.model import UsageError

_SETTINGS: dict[str, Any] = {
    "name": "wagents",
    "help": "Scaffold, validate and deploy the FastMCP v3 servers of a uv workspace.",
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(**_SETTINGS)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"wagents {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Scaffold, validate and deploy the FastMCP v3 servers of a uv workspace."""


def _register_commands() -> None:
    from wagents.cli.commands import (
        adopt,
        call,
        compat,
        config,
        dev,
        diff,
        docker,
        inspect,
        list_servers,
        matrix,
        new,
        rules,
        serve,
        surface,
        test,
        validate,
        worker,
    )

    for module in (
        new,
        adopt,
        validate,
        rules,
        test,
        worker,
        matrix,
        surface,
        diff,
        list_servers,
        inspect,
        compat,
        call,
        dev,
        config,
        serve,
        docker,
    ):
        module.register(app)
    for command in app.registered_commands:
        if command.help is None and command.callback is not None:
            command.help = reflow(command.callback.__doc__ or "")


def reflow(docstring: str) -> str:
    """A docstring as help text: one line per paragraph, so the terminal wraps it, not the source.

    Typer keeps the source's line breaks after the first paragraph; at another terminal width
    they leave ragged half-empty lines.
    """
    paragraphs = inspect.cleandoc(docstring).split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


_register_commands()


def _app_for(args: Sequence[str]) -> typer.Typer:
    """The app that parses `args`: `app` itself, or, when `args` start with a command's name, an
    app holding only that command. Typer builds the parameters of every command it holds on each
    call (about 45 ms for all of them, a fifth of a warm `wagents validate`); what the one command
    parses and prints is the same either way."""
    chosen = [command for command in app.registered_commands if args and command.name == args[0]]
    if not chosen:
        return app
    single = typer.Typer(**_SETTINGS)
    single.registered_callback = app.registered_callback
    single.registered_commands = chosen
    return single


def run(args: Sequence[str] | None = None, prog_name: str | None = None) -> int:
    """The console script as a function: run `wagents ARGS` and return its exit status.

    User errors become one line on stderr and exit status 2 (`UsageError`, bad arguments), an
    interruption 130, an unexpected exception one line and 70 (`WAGENTS_DEBUG=1` lets it
    through). `args` defaults to `sys.argv[1:]`; `wagents.testing.invoke_wagents` calls this
    in-process, so what tests see is exactly what the console script prints.
    """
    args = list(sys.argv[1:] if args is None else args)
    try:
        status = _app_for(args)(args=args, prog_name=prog_name, standalone_mode=False)
    except TyperException as exc:  # bad arguments: typer's (vendored click) usage errors
        ctx = getattr(exc, "ctx", None)
        hint = f" (try `{ctx.command_path} --help`)" if ctx is not None else ""
        if exc.format_message():  # empty when bare `wagents` printed the help
            typer.echo(f"error: {exc.format_message()}{hint}", err=True)
        return exc.exit_code
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except UsageError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    except Exception as exc:
        if os.environ.get("WAGENTS_DEBUG"):
            raise
        typer.echo(
            f"internal error: {type(exc).__name__}: {exc} (set WAGENTS_DEBUG=1 for a traceback)",
            err=True,
        )
        return 70
    return status if isinstance(status, int) else 0


def main() -> NoReturn:
    """Console-script entry (see `run`).

    Two settings for speed, both as mypy has them:
    - garbage is collected less often than Python's default: the syntax trees and facts of a
      large workspace are many objects that live to the end, and the default thresholds scanned
      them again and again (about 0.15 s of the validator's 1.8 s of CPU in a cold
      100-server validation);
    - the process ends without Python freeing every object the command built, which took about
      0.25 s after validating 100 servers. Exit handlers run and both streams are flushed first,
      so nothing written is lost.
    """
    gc.set_threshold(200_000, 30, 30)
    status = run()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)
