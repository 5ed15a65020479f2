"""Crashes the interpreter at import."""

import ctypes

ctypes.string_at(0)
