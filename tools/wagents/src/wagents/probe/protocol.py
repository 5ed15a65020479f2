"""The probe protocol: what a probe reports about one server, typed, on both sides of the pipe.

`child.py` (inside the server's process) builds a `ChildReport` and writes `to_json()` to its
result descriptor; the runner and the zygote read it back with `ChildReport.from_json`, add what
only the outside sees (the exit status, stdout and stderr, the time) and hand rules a frozen
`RuntimeFacts`. Every document carries `PROTOCOL_VERSION`; a document of another version, or one
that is not shaped as below, reads as `Status.NO_RESULT` (the result descriptor lives in the
server's process, so its content is untrusted data, never code).

Standard library only: this module is imported inside the server's process, also by interpreters
that have nothing but the server's own dependencies installed (`--isolated`).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Bump when a document's shape changes; both sides must agree.
PROTOCOL_VERSION = 3
#: The key of `ChildReport.retry`: a zygote child's reason why a fresh interpreter might answer
#: differently.
RETRY_KEY = "retry"


class Status(enum.StrEnum):
    """How the import (and the description of the server) went.

    The probe reports the first five; the runner sees the last three from outside, when the
    probe could not report.
    """

    OK = "ok"
    EXCEPTION = "exception"  # the import (or the entrypoint's factory) raised
    EXIT = "exit"  # sys.exit() or os._exit() while importing
    NO_SERVER = "no-server"  # none of the entrypoint names is defined
    NOT_FASTMCP = "not-fastmcp"  # the entrypoint is something else
    TIMEOUT = "timeout"
    CRASHED = "crashed"  # killed by a signal
    NO_RESULT = "no-result"  # exited without a (readable) report


# --- decoding helpers: the result is untrusted JSON ----------------------------------------------


def _str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dict(data: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    value = data.get(key)
    return value if isinstance(value, dict) else None


def _dicts(data: Mapping[str, Any], key: str) -> tuple[dict[str, Any], ...]:
    value = data.get(key)
    return (
        tuple(item for item in value if isinstance(item, dict)) if isinstance(value, list) else ()
    )


def _strings(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()


def _optional_strings(data: Mapping[str, Any], key: str) -> tuple[str, ...] | None:
    """A list of strings, or None when the key is absent or null (unset is not empty)."""
    return _strings(data, key) if isinstance(data.get(key), list) else None


def _bool(data: Mapping[str, Any], key: str) -> bool:
    return data.get(key) is True


def to_json(value: Any) -> Any:
    """A protocol dataclass (or a tree of them) as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: to_json(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


# --- the server as the probe saw it ------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    """Where something of the server is defined: an absolute file path and a 1-based line."""

    file: str | None = None
    line: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Location | None:
        if not isinstance(data, Mapping):
            return None
        return cls(_str(data, "file"), _int(data, "line"))


def _wire(data: Mapping[str, Any]) -> dict[str, Any]:
    wire = data.get("wire")
    return wire if isinstance(wire, dict) else {}


@dataclass(frozen=True)
class _Component:
    """What every kind of component has: the JSON a client receives (`wire`: `mcp.types.Tool`,
    `Prompt`, `Resource` or `ResourceTemplate` dumped by alias, without None values), and what
    only FastMCP knows: its key, tags and where its function is defined."""

    wire: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    tags: tuple[str, ...] = ()
    location: Location | None = None

    @property
    def name(self) -> str:
        return str(self.wire.get("name") or "")

    @property
    def title(self) -> str | None:
        return _str(self.wire, "title")

    @property
    def description(self) -> str | None:
        return _str(self.wire, "description")

    @property
    def meta(self) -> dict[str, Any] | None:
        return _dict(self.wire, "_meta")

    @property
    def icons(self) -> tuple[dict[str, Any], ...]:
        return _dicts(self.wire, "icons")

    @classmethod
    def _common(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "wire": _wire(data),
            "key": _str(data, "key") or "",
            "tags": _strings(data, "tags"),
            "location": Location.from_json(data.get("location")),
        }


@dataclass(frozen=True)
class Tool(_Component):
    """A tool as `tools/list` describes it (schemas after FastMCP's transformations)."""

    #: FastMCP's task mode for the tool (`forbidden`, `optional`, `required`), when it has one.
    task: str | None = None

    @property
    def input_schema(self) -> dict[str, Any]:
        return _dict(self.wire, "inputSchema") or {}

    @property
    def output_schema(self) -> dict[str, Any] | None:
        return _dict(self.wire, "outputSchema")

    @property
    def annotations(self) -> dict[str, Any] | None:
        return _dict(self.wire, "annotations")

    @property
    def execution(self) -> dict[str, Any] | None:
        return _dict(self.wire, "execution")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Tool:
        return cls(**cls._common(data), task=_str(data, "task"))


@dataclass(frozen=True)
class Prompt(_Component):
    """A prompt and its arguments (`{"name", "description", "required"}` each)."""

    @property
    def arguments(self) -> tuple[dict[str, Any], ...]:
        return _dicts(self.wire, "arguments")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Prompt:
        return cls(**cls._common(data))


@dataclass(frozen=True)
class Resource(_Component):
    """A resource with a fixed URI."""

    @property
    def uri(self) -> str:
        return str(self.wire.get("uri") or "")

    @property
    def mime_type(self) -> str | None:
        return _str(self.wire, "mimeType")

    @property
    def annotations(self) -> dict[str, Any] | None:
        return _dict(self.wire, "annotations")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Resource:
        return cls(**cls._common(data))


@dataclass(frozen=True)
class ResourceTemplate(_Component):
    """A resource template: a URI template whose parameters FastMCP describes by a JSON schema
    (`parameters`, which clients do not receive)."""

    parameters: dict[str, Any] | None = None

    @property
    def uri_template(self) -> str:
        return str(self.wire.get("uriTemplate") or "")

    @property
    def mime_type(self) -> str | None:
        return _str(self.wire, "mimeType")

    @property
    def annotations(self) -> dict[str, Any] | None:
        return _dict(self.wire, "annotations")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResourceTemplate:
        return cls(**cls._common(data), parameters=_dict(data, "parameters"))


@dataclass(frozen=True)
class Route:
    """A custom HTTP route (`@mcp.custom_route`): path, methods and the endpoint function."""

    path: str
    methods: tuple[str, ...] = ()
    #: The endpoint function's `__qualname__`.
    endpoint: str | None = None
    location: Location | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Route:
        return cls(
            path=_str(data, "path") or "",
            methods=_strings(data, "methods"),
            endpoint=_str(data, "endpoint"),
            location=Location.from_json(data.get("location")),
        )


@dataclass(frozen=True)
class Settings:
    """The fastmcp settings in effect in the server's process once it imported."""

    stateless_http: bool | None = None
    docket_url: str | None = None
    #: FastMCP's `http_host_origin_protection` (a mode name or a boolean), None when unset.
    http_host_origin_protection: str | bool | None = None
    #: FastMCP's `http_allowed_hosts` and `http_allowed_origins` (what `mcp.http_app()` admits
    #: besides loopback), None when unset.
    http_allowed_hosts: tuple[str, ...] | None = None
    http_allowed_origins: tuple[str, ...] | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Settings:
        data = data if isinstance(data, Mapping) else {}
        stateless = data.get("stateless_http")
        protection = data.get("http_host_origin_protection")
        return cls(
            stateless_http=stateless if isinstance(stateless, bool) else None,
            docket_url=_str(data, "docket_url"),
            http_host_origin_protection=protection if isinstance(protection, str | bool) else None,
            http_allowed_hosts=_optional_strings(data, "http_allowed_hosts"),
            http_allowed_origins=_optional_strings(data, "http_allowed_origins"),
        )


@dataclass(frozen=True)
class ServerInfo:
    """The FastMCP server object: its components, routes and the settings that matter to rules."""

    name: str
    instructions: str | None = None
    version: str | None = None
    tools: tuple[Tool, ...] = ()
    prompts: tuple[Prompt, ...] = ()
    resources: tuple[Resource, ...] = ()
    templates: tuple[ResourceTemplate, ...] = ()
    mask_error_details: bool = False
    #: `FastMCP(tasks=True)`: components support background tasks by default.
    tasks: bool = False
    #: Keys of the components FastMCP hands Docket at startup (those with task support).
    task_components: tuple[str, ...] = ()
    custom_routes: tuple[Route, ...] = ()
    settings: Settings = field(default_factory=Settings)

    @property
    def component_count(self) -> int:
        return len(self.tools) + len(self.prompts) + len(self.resources) + len(self.templates)

    def as_listed(self, lists: Mapping[str, tuple[dict[str, Any], ...]]) -> ServerInfo:
        """These components as a client's session listed them: each `wire` from the session's
        lists (`tools`, `prompts`, `resources`, `templates`), FastMCP's key, tags, task mode and
        location kept where the name (or URI) matches."""

        def merged(kind: str, known: tuple[Any, ...], ident: str) -> tuple[Any, ...]:
            by_id = {component.wire.get(ident): component for component in known}
            factory = type(known[0]) if known else _KINDS[kind]
            result = []
            for wire in lists.get(kind, ()):
                original = by_id.get(wire.get(ident))
                result.append(
                    dataclasses.replace(original, wire=wire)
                    if original is not None
                    else factory(wire=wire, key=str(wire.get(ident) or ""))
                )
            return tuple(result)

        return dataclasses.replace(
            self,
            tools=merged("tools", self.tools, "name"),
            prompts=merged("prompts", self.prompts, "name"),
            resources=merged("resources", self.resources, "uri"),
            templates=merged("templates", self.templates, "uriTemplate"),
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ServerInfo:
        return cls(
            name=_str(data, "name") or "",
            instructions=_str(data, "instructions"),
            version=_str(data, "version"),
            tools=tuple(Tool.from_json(item) for item in _dicts(data, "tools")),
            prompts=tuple(Prompt.from_json(item) for item in _dicts(data, "prompts")),
            resources=tuple(Resource.from_json(item) for item in _dicts(data, "resources")),
            templates=tuple(ResourceTemplate.from_json(item) for item in _dicts(data, "templates")),
            mask_error_details=_bool(data, "mask_error_details"),
            tasks=_bool(data, "tasks"),
            task_components=_strings(data, "task_components"),
            custom_routes=tuple(Route.from_json(item) for item in _dicts(data, "custom_routes")),
            settings=Settings.from_json(data.get("settings")),
        )


_KINDS: dict[str, type[_Component]] = {
    "tools": Tool,
    "prompts": Prompt,
    "resources": Resource,
    "templates": ResourceTemplate,
}


class Phase(enum.StrEnum):
    """The steps of the probe's MCP session with the server, in order."""

    STARTUP = "startup"  # the lifespan's startup and `initialize`
    LIST = (
        "list"  # every page of tools/list, resources/list, resources/templates/list, prompts/list
    )
    PING = "ping"
    SHUTDOWN = "shutdown"  # closing the session: the lifespan's shutdown
    DONE = "done"


#: What each phase is called in a message.
PHASE_TEXT = {
    Phase.STARTUP: "starting (lifespan startup and initialize)",
    Phase.LIST: "listing its components",
    Phase.PING: "answering ping",
    Phase.SHUTDOWN: "shutting down (lifespan shutdown)",
    Phase.DONE: "done",
}


@dataclass(frozen=True)
class SessionFacts:
    """What the probe's in-memory MCP session with the server showed, as a client sees it.

    `phase` is where it stopped: DONE when every step worked. On failure, `message` is one line
    (the exception's, or what ended the process) and `location` the deepest frame of the
    server's own code that raised, when there is one. `timed_out`: it was still in `phase` when
    the probe's time was up.
    """

    phase: Phase
    message: str | None = None
    location: Location | None = None
    timed_out: bool = False
    protocol_version: str | None = None
    server_name: str | None = None
    server_version: str | None = None
    instructions: str | None = None
    capabilities: dict[str, Any] = field(default_factory=dict)
    #: Pages each list took (FastMCP pages at `list_page_size`).
    pages: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.phase is Phase.DONE

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SessionFacts:
        try:
            phase = Phase(str(data.get("phase")))
        except ValueError:
            phase = Phase.STARTUP
        pages = data.get("pages")
        seconds = data.get("seconds")
        return cls(
            phase=phase,
            message=_str(data, "message"),
            location=Location.from_json(data.get("location")),
            timed_out=_bool(data, "timed_out"),
            protocol_version=_str(data, "protocol_version"),
            server_name=_str(data, "server_name"),
            server_version=_str(data, "server_version"),
            instructions=_str(data, "instructions"),
            capabilities=_dict(data, "capabilities") or {},
            pages={k: v for k, v in pages.items() if isinstance(v, int)}
            if isinstance(pages, dict)
            else {},
            seconds=float(seconds) if isinstance(seconds, int | float) else 0.0,
        )


@dataclass(frozen=True)
class HttpApp:
    """The module-level ASGI app (`app = mcp.http_app(...)`) and its middleware."""

    attribute: str = "app"
    #: The mode of FastMCP's Host/Origin guard on the app, None when the app has none.
    origin_protection: str | bool | None = None
    #: Class names of the app's user middleware, outermost first.
    middleware: tuple[str, ...] = ()
    #: Where FastMCP's app answers MCP (`http_app(path=...)`); None for an app of another kind.
    path: str | None = None
    #: The guard's own allowlists (`http_app(allowed_hosts=..., allowed_origins=...)`, or the
    #: settings they were taken from), None when unset or when there is no guard.
    allowed_hosts: tuple[str, ...] | None = None
    allowed_origins: tuple[str, ...] | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> HttpApp | None:
        if not isinstance(data, Mapping):
            return None
        protection = data.get("origin_protection")
        return cls(
            attribute=_str(data, "attribute") or "app",
            origin_protection=protection if isinstance(protection, str | bool) else None,
            middleware=_strings(data, "middleware"),
            path=_str(data, "path"),
            allowed_hosts=_optional_strings(data, "allowed_hosts"),
            allowed_origins=_optional_strings(data, "allowed_origins"),
        )


# --- the two documents -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildReport:
    """What the probe inside the server's process writes to its result descriptor."""

    status: Status
    message: str | None = None
    #: The line of the server module the exception or exit came from.
    line: int | None = None
    exit_code: int | str | None = None
    entrypoint: str | None = None
    server: ServerInfo | None = None
    http_app: HttpApp | None = None
    #: The first server line that wrote to sys.stdout while importing.
    stdout_origin: Location | None = None
    #: The import read stdin (under stdio it carries the client's messages).
    stdin_read: bool = False
    #: The import closed stdout (where the stdio transport writes).
    stdout_closed: bool = False
    #: Processes the import started and left running (the probe killed them).
    orphans: int = 0
    #: Where the import left the working directory, when it changed it.
    cwd_after_import: str | None = None
    #: Set by a zygote child: why a fresh interpreter might answer differently.
    retry: str | None = None

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = to_json(self)
        document["protocol"] = PROTOCOL_VERSION
        return document

    @classmethod
    def from_json(cls, data: object) -> ChildReport:
        """Read a child's document; anything unreadable is `Status.NO_RESULT` with a reason."""
        if not isinstance(data, Mapping):
            return cls(Status.NO_RESULT, "the probe's report is not a JSON object")
        if data.get("protocol") != PROTOCOL_VERSION:
            return cls(
                Status.NO_RESULT,
                f"the probe speaks protocol {data.get('protocol')!r}, "
                f"wagents expects {PROTOCOL_VERSION}",
            )
        try:
            status = Status(str(data.get("status")))
        except ValueError:
            return cls(Status.NO_RESULT, f"the probe reported status {data.get('status')!r}")
        exit_code = data.get("exit_code")
        server = data.get("server")
        return cls(
            status=status,
            message=_str(data, "message"),
            line=_int(data, "line"),
            exit_code=exit_code if isinstance(exit_code, int | str) else None,
            entrypoint=_str(data, "entrypoint"),
            server=ServerInfo.from_json(server) if isinstance(server, Mapping) else None,
            http_app=HttpApp.from_json(data.get("http_app")),
            stdout_origin=Location.from_json(data.get("stdout_origin")),
            stdin_read=_bool(data, "stdin_read"),
            stdout_closed=_bool(data, "stdout_closed"),
            orphans=_int(data, "orphans") or 0,
            cwd_after_import=_str(data, "cwd_after_import"),
            retry=_str(data, RETRY_KEY),
        )


@dataclass(frozen=True)
class SideEffects:
    """What a probe created, changed or removed on disk (see wagents.probe.sandbox): real paths,
    those in HOME written `~/...`."""

    created: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.created or self.changed or self.removed)


def map_strings(value: Any, change: Callable[[str], str]) -> Any:
    """`value` (protocol dataclasses, tuples, lists, dicts) with `change` applied to each string."""
    if isinstance(value, enum.Enum):  # a StrEnum member is a str too: keep it what it is
        return value
    if isinstance(value, str):
        return change(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value,
            **{
                item.name: map_strings(getattr(value, item.name), change)
                for item in dataclasses.fields(value)
                if item.init
            },
        )
    if isinstance(value, tuple):
        return tuple(map_strings(item, change) for item in value)
    if isinstance(value, list):
        return [map_strings(item, change) for item in value]
    if isinstance(value, dict):
        return {map_strings(k, change): map_strings(v, change) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class ProbeResult:
    """Everything a probe wrote to its result descriptor, read back (see child.ResultWriter).

    `report` is None when nothing readable came; `phase` is the last session phase announced;
    `finished` says the last line came (the process did not die or hang on the way).
    """

    report: ChildReport | None = None
    phase: Phase | None = None
    finished: bool = False
    session: SessionFacts | None = None
    lists: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)
    orphans: int = 0


def read_result(data: bytes) -> ProbeResult:
    """Parse the JSON lines of a probe's result (untrusted: a foreign line is skipped, a first
    line that is not this protocol's report is a NO_RESULT report)."""
    import json

    report: ChildReport | None = None
    phase: Phase | None = None
    final: Mapping[str, Any] | None = None
    for raw in data.splitlines():
        try:
            document = json.loads(raw)
        except ValueError:
            document = None
        if report is None:
            report = ChildReport.from_json(document)
            if report.status is Status.NO_RESULT and document is None:
                report = ChildReport(Status.NO_RESULT, "the probe's report is not JSON")
            continue
        if not isinstance(document, Mapping) or document.get("protocol") != PROTOCOL_VERSION:
            continue
        if document.get("final") is True:
            final = document
        elif "phase" in document:
            try:
                phase = Phase(str(document["phase"]))
            except ValueError:
                continue
    if final is None:
        return ProbeResult(report, phase)
    session = final.get("session")
    lists = final.get("lists")
    return ProbeResult(
        report=report,
        phase=phase,
        finished=True,
        session=SessionFacts.from_json(session) if isinstance(session, Mapping) else None,
        lists={
            kind: tuple(item for item in items if isinstance(item, dict))
            for kind, items in lists.items()
            if isinstance(items, list)
        }
        if isinstance(lists, Mapping)
        else {},
        orphans=_int(final, "orphans") or 0,
    )


@dataclass(frozen=True)
class RuntimeFacts:
    """What the isolated probe of a server showed: the import's report, the MCP session's facts
    and what the runner saw from outside (output, exit status, time).

    `server` lists the components as the session's client received them when the session got
    that far, else as FastMCP's own objects describe them.
    """

    status: Status
    message: str | None = None
    line: int | None = None
    exit_code: int | str | None = None
    entrypoint: str | None = None
    server: ServerInfo | None = None
    http_app: HttpApp | None = None
    stdout_origin: Location | None = None
    stdin_read: bool = False
    stdout_closed: bool = False
    orphans: int = 0
    cwd_after_import: str | None = None
    #: The MCP session with the server (None when the import gave no server).
    session: SessionFacts | None = None
    #: What the probe left on disk (in its sandbox: nothing of it survives the probe).
    side_effects: SideEffects = field(default_factory=SideEffects)
    #: Bytes the process wrote to stdout (fd 1) while importing, and the first of them.
    stdout_bytes: int = 0
    stdout_sample: str = ""
    stderr_tail: str = ""
    seconds: float = 0.0

    @property
    def imported(self) -> bool:
        """The module imported and the entrypoint is a FastMCP server."""
        return self.status is Status.OK and self.server is not None

    @property
    def stable(self) -> bool:
        """Whether another run would show the same (a timeout depends on the machine's load)."""
        if self.status in (Status.TIMEOUT, Status.NO_RESULT):
            return False
        return self.session is None or not self.session.timed_out

    @classmethod
    def from_report(
        cls,
        report: ChildReport,
        *,
        session: SessionFacts | None = None,
        lists: Mapping[str, tuple[dict[str, Any], ...]] | None = None,
        orphans: int | None = None,
        stdout_bytes: int = 0,
        stdout_sample: str = "",
        stderr_tail: str = "",
        seconds: float = 0.0,
    ) -> RuntimeFacts:
        values = {
            item.name: getattr(report, item.name)
            for item in dataclasses.fields(report)
            if item.name != "retry"
        }
        if orphans is not None:
            values["orphans"] = orphans
        server = report.server
        if server is not None and session is not None and session.ok and lists:
            values["server"] = server.as_listed(lists)
        return cls(
            **values,
            session=session,
            stdout_bytes=stdout_bytes,
            stdout_sample=stdout_sample,
            stderr_tail=stderr_tail,
            seconds=seconds,
        )

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = to_json(self)
        return document
