"""The forecast itself, kept apart from the MCP layer."""


def forecast(city: str) -> str:
    return f"Sunny in {city}."
