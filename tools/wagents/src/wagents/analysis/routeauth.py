"""Does a custom route check credentials? A documented heuristic over the endpoint's code.

`@mcp.custom_route` endpoints are plain Starlette routes: MCP auth (`FastMCP(auth=...)`) does not
cover them. The `custom-route-auth` rule uses two tests from here:

- `is_probe_path`: health, readiness and liveness probes are public by design. A route is one
  when the last segment of its path is `health`, `healthz`, `healthcheck`, `health-check`,
  `ready`, `readyz`, `readiness`, `live`, `livez`, `liveness`, `alive` or `ping`.
- `auth_evidence`: the endpoint function (its body and decorators other than `custom_route`,
  its docstring left out) mentions a name, attribute or string that looks like an auth check:
  `auth` (`Authorization`, `request.auth`, `authenticate`, `@requires("authenticated")`),
  `token`, `bearer`, `credential`, `api_key`/`api-key`/`apikey`, `password`, `secret`
  (`secrets.compare_digest`), `signature`, `hmac`, `jwt`, `verify`, `permission`, `login` or
  `session`. A check delegated to a helper whose name says none of these is not seen; name the
  helper accordingly (`require_token(request)`) or suppress the finding with a reason.
"""

from __future__ import annotations

import ast
import re

PROBE_SEGMENTS = frozenset(
    {
        "health",
        "healthz",
        "healthcheck",
        "health-check",
        "health_check",
        "ready",
        "readyz",
        "readiness",
        "live",
        "livez",
        "liveness",
        "alive",
        "ping",
    }
)

AUTH_WORDS = re.compile(
    r"auth|token|bearer|credential|api[_-]?key|password|secret|signature|hmac|jwt|verify"
    r"|permission|login|session",
    re.IGNORECASE,
)

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def is_probe_path(path: str) -> bool:
    """Whether `path` is a health, readiness or liveness probe (by its last segment)."""
    segments = [segment for segment in path.strip("/").split("/") if segment]
    return bool(segments) and segments[-1].lower() in PROBE_SEGMENTS


def find_function(module: ast.Module, name: str, line: int | None) -> FunctionNode | None:
    """The function `name` (a qualname's last part) defined at `line` (its first decorator)."""
    candidates = [
        node
        for node in ast.walk(module)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
    ]
    for node in candidates:
        first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
        if line in (first, node.lineno):
            return node
    return candidates[0] if len(candidates) == 1 else None


def auth_evidence(function: FunctionNode) -> str | None:
    """The first name, attribute or string in `function` that looks like an auth check."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring describes; it checks nothing
    decorators = [node for node in function.decorator_list if not _is_custom_route(node)]
    for root in [*decorators, *body]:
        for node in ast.walk(root):
            for word in _words(node):
                if AUTH_WORDS.search(word):
                    return word
    return None


def _words(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value[:200]]
    if isinstance(node, ast.keyword) and node.arg:
        return [node.arg]
    if isinstance(node, ast.alias):
        return [node.name]
    return []


def _is_custom_route(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "custom_route"
