"""The templates wagents renders files from (servers, Dockerfiles): `${name}` placeholders only."""

from __future__ import annotations

import re
from string import Template


class FileTemplate(Template):
    """`${name}` placeholders only, so `$schema` in fastmcp.json stays as it is.

    Lowercase names only (Template matches case-insensitively by default): `${FASTMCP_DOCKET_URL}`
    is an environment reference the generated files keep.
    """

    flags = re.RegexFlag(0)  # case-sensitive, unlike the default re.IGNORECASE
    pattern = r"\$(?:(?P<escaped>\$)|\{(?P<braced>[a-z_]+)\}|(?P<named>(?!))|(?P<invalid>(?!)))"
