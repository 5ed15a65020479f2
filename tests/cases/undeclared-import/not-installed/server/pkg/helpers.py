"""A helper module of the server, importing a package nobody installed."""

import weather_sdk_that_does_not_exist  # noqa: F401
