"""Weather report tools."""
