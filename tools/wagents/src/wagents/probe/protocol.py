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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Bump when a document's shape changes; both sides must agree.
PROTOCOL_VERSION = 2
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


@dataclass(frozen=True)
class Tool:
    """A tool as FastMCP describes it to clients (schemas after FastMCP's transformations)."""

    key: str
    name: str
    description: str | None = None
    title: str | None = None
    input_schema: dict[str, Any] = field(default_factory=dict)
    output_schema: dict[str, Any] | None = None
    annotations: dict[str, Any] | None = None
    tags: tuple[str, ...] = ()
    meta: dict[str, Any] | None = None
    #: FastMCP's task mode for the tool (`forbidden`, `optional`, `required`), when it has one.
    task: str | None = None
    location: Location | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Tool:
        name = _str(data, "name") or ""
        return cls(
            key=_str(data, "key") or name,
            name=name,
            description=_str(data, "description"),
            title=_str(data, "title"),
            input_schema=_dict(data, "input_schema") or {},
            output_schema=_dict(data, "output_schema"),
            annotations=_dict(data, "annotations"),
            tags=_strings(data, "tags"),
            meta=_dict(data, "meta"),
            task=_str(data, "task"),
            location=Location.from_json(data.get("location")),
        )


@dataclass(frozen=True)
class Prompt:
    """A prompt and its arguments (`{"name", "description", "required"}` each)."""

    key: str
    name: str
    description: str | None = None
    title: str | None = None
    arguments: tuple[dict[str, Any], ...] = ()
    tags: tuple[str, ...] = ()
    meta: dict[str, Any] | None = None
    location: Location | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Prompt:
        name = _str(data, "name") or ""
        return cls(
            key=_str(data, "key") or name,
            name=name,
            description=_str(data, "description"),
            title=_str(data, "title"),
            arguments=_dicts(data, "arguments"),
            tags=_strings(data, "tags"),
            meta=_dict(data, "meta"),
            location=Location.from_json(data.get("location")),
        )


@dataclass(frozen=True)
class Resource:
    """A resource with a fixed URI."""

    key: str
    uri: str
    name: str | None = None
    description: str | None = None
    title: str | None = None
    mime_type: str | None = None
    annotations: dict[str, Any] | None = None
    tags: tuple[str, ...] = ()
    meta: dict[str, Any] | None = None
    location: Location | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Resource:
        uri = _str(data, "uri") or ""
        return cls(
            key=_str(data, "key") or uri,
            uri=uri,
            name=_str(data, "name"),
            description=_str(data, "description"),
            title=_str(data, "title"),
            mime_type=_str(data, "mime_type"),
            annotations=_dict(data, "annotations"),
            tags=_strings(data, "tags"),
            meta=_dict(data, "meta"),
            location=Location.from_json(data.get("location")),
        )


@dataclass(frozen=True)
class ResourceTemplate:
    """A resource template: a URI template whose parameters are described by a JSON schema."""

    key: str
    uri_template: str
    name: str | None = None
    description: str | None = None
    title: str | None = None
    mime_type: str | None = None
    parameters: dict[str, Any] | None = None
    annotations: dict[str, Any] | None = None
    tags: tuple[str, ...] = ()
    meta: dict[str, Any] | None = None
    location: Location | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResourceTemplate:
        template = _str(data, "uri_template") or ""
        return cls(
            key=_str(data, "key") or template,
            uri_template=template,
            name=_str(data, "name"),
            description=_str(data, "description"),
            title=_str(data, "title"),
            mime_type=_str(data, "mime_type"),
            parameters=_dict(data, "parameters"),
            annotations=_dict(data, "annotations"),
            tags=_strings(data, "tags"),
            meta=_dict(data, "meta"),
            location=Location.from_json(data.get("location")),
        )


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

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Settings:
        data = data if isinstance(data, Mapping) else {}
        stateless = data.get("stateless_http")
        protection = data.get("http_host_origin_protection")
        return cls(
            stateless_http=stateless if isinstance(stateless, bool) else None,
            docket_url=_str(data, "docket_url"),
            http_host_origin_protection=protection if isinstance(protection, str | bool) else None,
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


@dataclass(frozen=True)
class HttpApp:
    """The module-level ASGI app (`app = mcp.http_app(...)`) and its middleware."""

    attribute: str = "app"
    #: The mode of FastMCP's Host/Origin guard on the app, None when the app has none.
    origin_protection: str | bool | None = None
    #: Class names of the app's user middleware, outermost first.
    middleware: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> HttpApp | None:
        if not isinstance(data, Mapping):
            return None
        protection = data.get("origin_protection")
        return cls(
            attribute=_str(data, "attribute") or "app",
            origin_protection=protection if isinstance(protection, str | bool) else None,
            middleware=_strings(data, "middleware"),
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
class RuntimeFacts:
    """What the isolated import of a server showed: the child's report plus what the runner saw
    from outside (output, exit status, time)."""

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
    #: Bytes the process wrote to stdout (fd 1) while importing, and the first of them.
    stdout_bytes: int = 0
    stdout_sample: str = ""
    stderr_tail: str = ""
    seconds: float = 0.0

    @property
    def imported(self) -> bool:
        """The module imported and the entrypoint is a FastMCP server."""
        return self.status is Status.OK and self.server is not None

    @classmethod
    def from_report(
        cls,
        report: ChildReport,
        *,
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
        return cls(
            **values,
            stdout_bytes=stdout_bytes,
            stdout_sample=stdout_sample,
            stderr_tail=stderr_tail,
            seconds=seconds,
        )

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = to_json(self)
        return document
