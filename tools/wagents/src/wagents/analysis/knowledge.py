"""What the code analysis knows about libraries, read once from `data/sinks.toml`.

The data file is the knowledge (sinks, sanitizers, kinds of objects, blocking calls, stdout
writers, each with its source); this module only turns it into frozen lookups. `{a,b}` in a name
expands to one name per alternative.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Sink:
    """Where a value of `family` reaching the given argument is a finding of `rule`."""

    rule: str
    family: str
    check: str
    what: str
    argument: int | None
    keyword: str | None
    receiver: bool


@dataclass(frozen=True)
class StdoutWriter:
    """A call that writes to stdout unless keyword `unless` points elsewhere."""

    unless: str | None
    descriptor: int | None


@dataclass(frozen=True)
class Trampoline:
    """A call that calls its argument number `function` with the arguments after it."""

    function: int
    thread: bool


@dataclass(frozen=True)
class Knowledge:
    """The contents of sinks.toml as lookups by qualified name or method name."""

    families: frozenset[str]
    sinks_by_call: dict[str, tuple[Sink, ...]]
    sinks_by_method: dict[str, tuple[Sink, ...]]
    sanitizers: dict[str, frozenset[str]]
    no_text_calls: frozenset[str]
    no_text_methods: frozenset[str]
    kinds: dict[str, str]
    kind_attributes: dict[str, frozenset[str]]
    untainted_types: frozenset[str]
    containers: frozenset[str]
    enum_bases: frozenset[str]
    injected_types: frozenset[str]
    injected_defaults: frozenset[str]
    pattern_constraints: frozenset[str]
    pattern_probes: dict[str, tuple[str, ...]]
    resolving: frozenset[str]
    containment_methods: frozenset[str]
    commonpath: frozenset[str]
    url_parsers: frozenset[str]
    host_attributes: frozenset[str]
    transparent_methods: frozenset[str]
    interpreters: frozenset[str]
    script_flags: frozenset[str]
    safe_yaml_loaders: frozenset[str]
    sql_receiver: re.Pattern[str]
    sql_statement: re.Pattern[str]
    blocking: frozenset[str]
    stdout_writers: dict[str, StdoutWriter]
    stdout_handlers: frozenset[str]
    stdout_stream_keyword: str
    stdout_streams: frozenset[str]
    http_transports: frozenset[str]
    loopback_hosts: frozenset[str]
    credential_name: re.Pattern[str]
    trampolines_by_call: dict[str, Trampoline]
    trampolines_by_method: dict[str, Trampoline]


def expand(name: str) -> list[str]:
    """`os.{remove,unlink}` -> ["os.remove", "os.unlink"] (several braces multiply)."""
    match = re.search(r"\{([^{}]*)\}", name)
    if match is None:
        return [name]
    head, tail = name[: match.start()], name[match.end() :]
    return [out for part in match[1].split(",") for out in expand(head + part.strip() + tail)]


def _names(items: list[str]) -> frozenset[str]:
    return frozenset(out for item in items for out in expand(item))


@cache
def knowledge() -> Knowledge:
    """The shipped sinks.toml, parsed once per process."""
    text = resources.files("wagents.analysis").joinpath("data", "sinks.toml").read_text("utf-8")
    return parse(tomllib.loads(text))


def parse(data: dict[str, Any]) -> Knowledge:
    """Knowledge from the parsed data file (tests may pass their own)."""
    families = frozenset(data["families"])
    by_call: dict[str, list[Sink]] = {}
    by_method: dict[str, list[Sink]] = {}
    for entry in data["sink"]:
        sink = Sink(
            rule=entry["rule"],
            family=entry["family"],
            check=entry["check"],
            what=entry["what"],
            argument=entry.get("argument"),
            keyword=entry.get("keyword"),
            receiver=bool(entry.get("receiver", False)),
        )
        for name in _names(entry.get("calls", [])):
            by_call.setdefault(name, []).append(sink)
        for name in _names(entry.get("methods", [])):
            by_method.setdefault(name, []).append(sink)
    sanitizers: dict[str, frozenset[str]] = {}
    for entry in data["sanitizer"]:
        ends = families if entry["ends"] == "all" else frozenset(entry["ends"])
        for name in _names(entry["calls"]):
            sanitizers[name] = ends
    kinds = {name: kind for key, kind in data["kinds"].items() for name in expand(key)}
    parameters, checks = data["parameters"], data["checks"]
    writers = {
        name: StdoutWriter(entry.get("unless"), entry.get("descriptor"))
        for entry in data["stdout"]
        for name in _names(entry["calls"])
    }
    handlers, serving = data["stdout_handlers"], data["serving"]
    by_call_trampoline: dict[str, Trampoline] = {}
    by_method_trampoline: dict[str, Trampoline] = {}
    for entry in data["trampoline"]:
        trampoline = Trampoline(entry["function"], bool(entry["thread"]))
        by_call_trampoline.update(dict.fromkeys(_names(entry.get("calls", [])), trampoline))
        by_method_trampoline.update(dict.fromkeys(_names(entry.get("methods", [])), trampoline))
    return Knowledge(
        families=families,
        sinks_by_call={name: tuple(sinks) for name, sinks in by_call.items()},
        sinks_by_method={name: tuple(sinks) for name, sinks in by_method.items()},
        sanitizers=sanitizers,
        no_text_calls=_names(data["no_text"]["calls"]),
        no_text_methods=_names(data["no_text"]["methods"]),
        kinds=kinds,
        kind_attributes={kind: frozenset(v) for kind, v in data["attributes"].items()},
        untainted_types=_names(parameters["untainted_types"]),
        containers=_names(parameters["containers"]),
        enum_bases=_names(parameters["enum_bases"]),
        injected_types=_names(parameters["injected_types"]),
        injected_defaults=_names(parameters["injected_defaults"]),
        pattern_constraints=_names(parameters["pattern_constraints"]),
        pattern_probes={
            family: tuple(probes) for family, probes in parameters["pattern_probes"].items()
        },
        resolving=_names(checks["resolving"]),
        containment_methods=_names(checks["containment_methods"]),
        commonpath=_names(checks["commonpath"]),
        url_parsers=_names(checks["url_parsers"]),
        host_attributes=_names(checks["host_attributes"]),
        transparent_methods=_names(checks["transparent_methods"]),
        interpreters=_names(data["command"]["interpreters"]),
        script_flags=_names(data["command"]["script_flags"]),
        safe_yaml_loaders=_names(data["yaml"]["safe_loaders"]),
        sql_receiver=re.compile(data["sql"]["receiver_names"], re.IGNORECASE),
        sql_statement=re.compile(data["sql"]["statement"], re.IGNORECASE),
        blocking=_names(data["blocking"]["calls"]),
        stdout_writers=writers,
        stdout_handlers=_names(handlers["calls"]),
        stdout_stream_keyword=handlers["stream_keyword"],
        stdout_streams=_names(handlers["stdout"]),
        http_transports=_names(serving["http_transports"]),
        loopback_hosts=_names(serving["loopback_hosts"]),
        credential_name=re.compile(serving["credential_name"], re.IGNORECASE),
        trampolines_by_call=by_call_trampoline,
        trampolines_by_method=by_method_trampoline,
    )
