"""Imports a module nobody declared."""

import definitely_not_installed_xyz  # noqa: F401
