"""Not a server at all."""

VALUE = 1
