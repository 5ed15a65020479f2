"""The templates wagents renders files from (servers, Dockerfiles): `${name}` placeholders only."""

from __future__ import annotations

import re
from string import Template

#: `${name}` with a lowercase name; `$$` escapes a dollar; any other `$` is kept as it is.
PLACEHOLDER = r"\$(?:(?P<escaped>\$)|\{(?P<braced>[a-z_]+)\}|(?P<named>(?!))|(?P<invalid>(?!)))"


class FileTemplate(Template):
    """`${name}` placeholders only, so `$schema` in fastmcp.json stays as it is.

    Lowercase names only (Template matches case-insensitively by default): `${FASTMCP_DOCKET_URL}`
    is an environment reference the generated files keep.
    """

    flags = re.RegexFlag(0)  # case-sensitive, unlike the default re.IGNORECASE
    # A str, as Template's documentation has it (typeshed says Pattern): Template compiles it.
    pattern = PLACEHOLDER  # type: ignore[assignment]  # a str: see the comment above
