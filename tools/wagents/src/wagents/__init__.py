"""wagents: scaffold, validate and deploy the FastMCP v3 servers of a uv workspace."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wagents")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
