"""arXiv API responses (Atom 1.0 feeds), as saved from ``export.arxiv.org/api/query``.

Both shapes arXiv has served are read: the older one (``http://`` links,
``scheme`` on every category, namespaces declared on each element) and the
current one (namespaces on ``<feed>``, ``https://`` links, a bare
``<arxiv:primary_category term=...>``).  The lookup (``arxiv_api.py``) parses
its responses with the same code, so a saved response imports exactly as a
looked-up one applies.

arXiv reports errors as a feed whose single entry has an id under
``http://arxiv.org/api/errors``; that is refused with arXiv's own message.
DOCTYPE and ENTITY declarations are refused before parsing: an API response
never has them, and refusing them rules out entity-expansion attacks.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from typing import Any

from .. import arxivid
from ..errors import ParseError
from ..models import Entry, ParsedFile, Problem
from ..textnorm import collapse_ws
from . import common

log = logging.getLogger(__name__)

NAME = "arXiv API (Atom)"

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
NS = {"atom": ATOM, "arxiv": ARXIV, "opensearch": OPENSEARCH}

_ERROR_ID = re.compile(r"^https?://arxiv\.org/api/errors", re.IGNORECASE)
_DECLARATION = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
#: How much of the start of a file ``detect`` looks at.
_HEAD = 4096


class ArxivErrorFeed(ParseError):
    """arXiv answered with its error feed; ``arxiv_message`` is arXiv's own words."""

    def __init__(self, arxiv_message: str, *, line: int | None = None) -> None:
        super().__init__(f"arXiv reported an error: {arxiv_message}", line=line)
        self.arxiv_message = arxiv_message


def detect(text: str) -> bool:
    """An Atom ``<feed>`` that names arXiv (its API or its Atom extension)."""
    head = text.lstrip("\ufeff \t\r\n")[:_HEAD]
    if not head.startswith("<"):
        return False
    if not re.search(r"<feed\b", head):
        return False
    return ATOM in head and ("arxiv.org/api" in head or ARXIV in head)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _parse_xml(text: str) -> tuple[ET.Element, dict[int, int]]:
    """The root element and, for each ``<entry>`` (by id()), the line it starts on."""
    m = _DECLARATION.search(text)
    if m:
        raise ParseError(
            "XML with a DOCTYPE or ENTITY declaration is refused (an arXiv response has none)",
            line=_line_of(text, m.start()),
        )
    parser = ET.XMLPullParser(events=("start",))
    lines: dict[int, int] = {}
    root: ET.Element | None = None
    entry_tag = f"{{{ATOM}}}entry"
    try:
        for lineno, chunk in enumerate(text.splitlines(keepends=True), start=1):
            parser.feed(chunk)
            for _event, el in parser.read_events():
                if root is None:
                    root = el
                if el.tag == entry_tag:
                    lines[id(el)] = lineno
        parser.close()
        for _event, el in parser.read_events():  # pragma: no cover - close() emits nothing new
            if root is None:
                root = el
    except ET.ParseError as e:
        line, col = getattr(e, "position", (None, None))
        reason = re.sub(r":\s*line \d+, column \d+$", "", str(e))
        where = f" (column {col + 1})" if isinstance(col, int) else ""
        raise ParseError(f"malformed XML: {reason}{where}", line=line) from None
    if root is None:
        raise ParseError("malformed XML: no element found", line=1)
    return root, lines


def _text(el: ET.Element | None) -> str | None:
    if el is None or el.text is None:
        return None
    t = collapse_ws(el.text)
    return t or None


def error_message(root: ET.Element) -> str | None:
    """arXiv's message when the feed is an error report, else None."""
    for entry in root.findall("atom:entry", NS):
        eid = _text(entry.find("atom:id", NS)) or ""
        if _ERROR_ID.match(eid):
            return _text(entry.find("atom:summary", NS)) or eid
    return None


def total_results(root: ET.Element) -> int | None:
    """``opensearch:totalResults`` (not trustworthy: arXiv says 1 for an empty result)."""
    t = _text(root.find("opensearch:totalResults", NS))
    try:
        return int(t) if t is not None else None
    except ValueError:
        return None


def _entry(el: ET.Element, line: int) -> Entry:
    raw_id = _text(el.find("atom:id", NS))
    if not raw_id:
        raise ParseError("an entry without an <id>", line=line)
    aid = arxivid.normalise(raw_id)
    if aid is None:
        raise ParseError(f"an entry whose id is not an arXiv abstract URL: {raw_id!r}", line=line)
    published = _text(el.find("atom:published", NS))
    date = published[:10] if published and _DATE.match(published) else None
    if published and date is None:
        raise ParseError(f"invalid <published> date {published!r}", line=line)
    prim = el.find("arxiv:primary_category", NS)
    category = prim.get("term") if prim is not None else None
    if not category:
        first = el.find("atom:category", NS)
        category = first.get("term") if first is not None else None
    authors = [
        name
        for a in el.findall("atom:author", NS)
        if (name := _text(a.find("atom:name", NS))) is not None
    ]
    title = _text(el.find("atom:title", NS))
    return Entry(
        kind="arxiv",
        line=line,
        title=title,
        authors=authors,
        et_al=False,
        date=date,
        category=(category or "").strip() or None,
        abstract=_text(el.find("atom:summary", NS)),
        arxiv_id=aid,
        doi=_text(el.find("arxiv:doi", NS)),
        journal=_text(el.find("arxiv:journal_ref", NS)),
        incomplete=title is None,
    )


def parse(text: str, **_context: Any) -> ParsedFile:
    root, lines = _parse_xml(text)
    if root.tag != f"{{{ATOM}}}feed":
        raise ParseError(f"not an arXiv API response: the root element is {root.tag!r}, not an Atom <feed>", line=1)
    msg = error_message(root)
    if msg is not None:
        first = next(iter(lines.values()), 1)
        raise ArxivErrorFeed(msg, line=first)
    entries: list[Entry] = []
    skipped: list[Problem] = []
    elements = root.findall("atom:entry", NS)
    for el in elements:
        try:
            entries.append(_entry(el, lines.get(id(el), 1)))
        except ParseError as e:  # one entry that cannot be used: the others import
            skipped.append(Problem(e.line, e.message))
    if elements and not entries:
        raise common.no_usable_record("entry", skipped)
    log.debug("arXiv feed: %d entries (totalResults %s)", len(entries), total_results(root))
    return ParsedFile(format=NAME, entries=entries, skipped=skipped)
