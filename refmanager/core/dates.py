"""Date validation shared by the formats."""

from __future__ import annotations

import datetime as _dt
import re

from .errors import ParseError

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def validate_iso_date(text: str, line: int | None = None) -> str:
    """Accept ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` that exist on a calendar."""
    m = _ISO.match(text.strip())
    if not m:
        raise ParseError(f"invalid date {text!r} (expected YYYY-MM-DD)", line=line)
    y, mo, d = m.groups()
    try:
        _dt.date(int(y), int(mo or 1), int(d or 1))
    except ValueError:
        raise ParseError(f"impossible date {text!r}", line=line) from None
    return text.strip()
