"""Recognise arXiv identifiers and store them without their version."""

from __future__ import annotations

import re

# New style (2007-): YYMM.NNNN or YYMM.NNNNN; old style: archive[.SUB]/YYMMNNN.
_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}"
_ID = rf"(?P<id>{_NEW}|{_OLD})(?:v\d+)?"

ID_RE = re.compile(rf"^{_ID}$")
#: an id, an arXiv URL or an ``arXiv:`` token (used on title lines and id lines)
TOKEN_RE = re.compile(
    rf"(?:https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/|\barXiv:\s?){_ID}(?:\.pdf)?/?",
    re.IGNORECASE,
)
_BARE_LINE_RE = re.compile(
    rf"^\s*(?:https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/|arXiv:\s?)?{_ID}(?:\.pdf)?/?\s*$",
    re.IGNORECASE,
)


def normalise(arxiv_id: str) -> str | None:
    """``2408.00118v2`` -> ``2408.00118``; None when it is not an arXiv id."""
    m = ID_RE.match(arxiv_id.strip())
    if not m:
        m2 = TOKEN_RE.fullmatch(arxiv_id.strip())
        if not m2:
            return None
        return m2.group("id")
    return m.group("id")


def id_line(line: str) -> str | None:
    """The id when a line holds nothing but an id, arXiv URL or arXiv: token."""
    m = _BARE_LINE_RE.match(line)
    return m.group("id") if m else None


def find_token(text: str) -> tuple[str | None, str]:
    """Find an arXiv URL or ``arXiv:`` token; return (id, text without it)."""
    # Every token holds "arx" in some case, and under IGNORECASE only the ASCII
    # a/A, r/R, x/X match those letters (checked for every code point): a line
    # without it needs no regex search (5 µs a title line of a large listing).
    if "arx" not in text.lower():
        return None, text
    m = TOKEN_RE.search(text)
    if not m:
        return None, text
    rest = (text[: m.start()] + " " + text[m.end() :]).strip()
    rest = re.sub(r"\s{2,}", " ", rest)
    return m.group("id"), rest
