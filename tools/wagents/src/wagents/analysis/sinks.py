"""Does a call hand caller text to a dangerous argument? The sink strategies of data/sinks.toml.

`match` gets one call as the taint analysis sees it (the qualified name when known, the method
name, the values of the receiver and the arguments) and returns the sinks it triggers:

- `any`: the argument still carries the sink's family (an `open()` path, `eval()` code);
- `subprocess`: with `shell=True` (or a shell chosen at run time) any caller text in the command;
  without a shell, a string command (it names the program) or an argument list whose program is
  caller text, or that runs an interpreter on a script (`["sh", "-c", script]`). A fixed program
  with caller arguments (`["git", "log", ref]`) is not a finding;
- `yaml`: the document, unless a safe Loader (`SafeLoader`, `CSafeLoader`, `BaseLoader`) is given;
- `sql`: caller text in the SQL text (bound parameters are other arguments). On a receiver of
  unknown type, the method must be called on a name that says database (`cursor`, `conn`, `db`,
  ...) or the text must read as SQL (`SELECT ...`);
- `url`: caller text before the URL's host is settled (`values.host_fixed`): the caller chooses
  the scheme or host. A fixed base URL followed by caller text (a path segment) is not a finding.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from wagents.analysis.knowledge import Knowledge, Sink
from wagents.analysis.pyast import dotted_name
from wagents.analysis.values import UNKNOWN, Value, host_fixed


@dataclass(frozen=True)
class CallView:
    """One call as the taint analysis evaluated it."""

    node: ast.Call
    qualified: str | None
    method: str | None
    receiver_name: str | None
    receiver: Value | None
    args: tuple[Value, ...]
    keywords: dict[str, Value]


@dataclass(frozen=True)
class SinkHit:
    """A call that hands caller text to a sink: which rule, and what the argument is."""

    rule: str
    family: str
    label: str
    what: str
    value: Value


def match(knowledge: Knowledge, call: CallView) -> list[SinkHit]:
    """The sinks `call` triggers with the values it is given (at most one per rule)."""
    sinks = list(knowledge.sinks_by_call.get(call.qualified or "", ()))
    by_method = knowledge.sinks_by_method.get(call.method or "", ()) if call.method else ()
    hits: dict[str, SinkHit] = {}
    for sink in sinks:
        hit = _check(knowledge, sink, call, known=True)
        if hit is not None:
            hits.setdefault(sink.rule, hit)
    for sink in by_method:
        if sink.rule in hits or any(s.rule == sink.rule for s in sinks):
            continue  # the call's known type already decided
        hit = _check(knowledge, sink, call, known=False)
        if hit is not None:
            hits.setdefault(sink.rule, hit)
    return list(hits.values())


def _argument(sink: Sink, call: CallView) -> Value | None:
    if sink.receiver:
        return call.receiver
    if sink.keyword is not None and sink.keyword in call.keywords:
        return call.keywords[sink.keyword]
    if sink.argument is not None and sink.argument < len(call.args):
        if any(isinstance(arg, ast.Starred) for arg in call.node.args[: sink.argument + 1]):
            return None
        return call.args[sink.argument]
    return None


def _label(call: CallView) -> str:
    if call.qualified:
        return f"{call.qualified}()"
    if call.receiver_name:
        return f"{call.receiver_name}.{call.method}()"
    return f".{call.method}()"


def _check(knowledge: Knowledge, sink: Sink, call: CallView, known: bool) -> SinkHit | None:
    value = _argument(sink, call)
    if value is None:
        return None
    label = _label(call)
    if sink.check == "subprocess":
        return _subprocess(sink, call, value, label)
    if sink.family not in value.families:
        return None
    if sink.check == "yaml" and _safe_yaml(knowledge, call):
        return None
    if sink.check == "sql" and not known and not _looks_like_sql(knowledge, call, value):
        return None
    if sink.check == "url" and host_fixed(value.lead):
        return None
    return SinkHit(sink.rule, sink.family, label, sink.what, value)


def _subprocess(sink: Sink, call: CallView, value: Value, label: str) -> SinkHit | None:
    shell = _keyword(call.node, "shell")
    shell_on = shell is not None and not (
        isinstance(shell, ast.Constant) and shell.value in (False, None, 0)
    )
    if sink.family not in value.families:
        return None
    if shell_on:
        command = value.head if value.head is not None else value
        if sink.family in command.families:
            return SinkHit(
                sink.rule, sink.family, f"{label} with shell=True", "a shell command", value
            )
        return None
    if value.head is None:
        return SinkHit(
            sink.rule,
            sink.family,
            label,
            "the command (a string or a list built from caller text names the program)",
            value,
        )
    if sink.family in value.head.families:
        return SinkHit(sink.rule, sink.family, label, "the program to run", value)
    if value.script:
        return SinkHit(sink.rule, sink.family, label, "a script an interpreter runs (-c)", value)
    return None


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg == name), None)


def _safe_yaml(knowledge: Knowledge, call: CallView) -> bool:
    loader = _keyword(call.node, "Loader")
    if loader is None and len(call.node.args) > 1:
        loader = call.node.args[1]
    name = dotted_name(loader) if loader is not None else None
    return name is not None and name.rpartition(".")[2] in knowledge.safe_yaml_loaders


def _looks_like_sql(knowledge: Knowledge, call: CallView, value: Value) -> bool:
    if call.receiver_name and knowledge.sql_receiver.search(call.receiver_name.rpartition(".")[2]):
        return True
    return bool(knowledge.sql_statement.match(value.lead.replace(UNKNOWN, " ")))
