"""Broken."""

def broken(:
    pass
