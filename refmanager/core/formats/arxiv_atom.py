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
never has them, and refusing them rules out entity-expansion attacks.  The
XML is read as a stream, each element dropped once what is needed of it is
kept; an element of an entry holding more than ``MAX_INNER_ELEMENTS`` is
refused (nesting or repeating ``<a>`` a million times in a few megabytes would
otherwise hold hundreds of megabytes).
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
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


#: Elements one element of an ``<entry>`` (or of the feed) may hold, at any depth below
#: it: an arXiv response's hold one or two (an ``<author>`` its ``<name>`` and
#: affiliation).  Past it the file is refused (``docs/reliability.md``): each element
#: kept costs some 300 bytes, so 4 bytes of ``<a>`` nested or repeated a million times
#: would otherwise hold hundreds of megabytes.
MAX_INNER_ELEMENTS = 1_000

_ENTRY = f"{{{ATOM}}}entry"
_FEED = f"{{{ATOM}}}feed"
_AUTHOR = f"{{{ATOM}}}author"
_TOTAL = f"{{{OPENSEARCH}}}totalResults"
#: The children of an ``<entry>`` read (the first of each; authors all).
_FIELDS = {f"{{{ATOM}}}{t}": t for t in ("id", "title", "summary", "published")} | {
    f"{{{ARXIV}}}{t}": t for t in ("doi", "journal_ref")
}
_PRIMARY = f"{{{ARXIV}}}primary_category"
_CATEGORY = f"{{{ATOM}}}category"


class _Parts:
    """What is read of one ``<entry>``, as its children end (each one then dropped:
    memory holds one child at a time, however long the entry)."""

    __slots__ = ("authors", "category", "line", "primary", "texts")

    def __init__(self, line: int) -> None:
        self.line = line
        self.texts: dict[str, str | None] = {}
        self.primary: str | None = None
        self.category: str | None = None
        self.authors: list[str] = []

    def add(self, el: ET.Element) -> None:
        tag = el.tag
        if tag == _AUTHOR:
            name = _text(el.find("atom:name", NS))
            if name is not None:
                self.authors.append(name)
        elif tag in _FIELDS:
            self.texts.setdefault(_FIELDS[tag], _text(el))
        elif tag == _PRIMARY and self.primary is None:
            self.primary = el.get("term") or ""
        elif tag == _CATEGORY and self.category is None:
            self.category = el.get("term") or ""


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text``, each with its ``\\n``, one at a time (a list of them all
    took several times the file's size)."""
    start, n = 0, len(text)
    while start < n:
        end = text.find("\n", start)
        end = n if end < 0 else end + 1
        yield text[start:end]
        start = end


class _Feed:
    """What a feed holds: each ``<entry>`` read (an entry, or why it is skipped), arXiv's
    error message if it is an error report, ``opensearch:totalResults``."""

    def __init__(self) -> None:
        self.root: str | None = None
        self.read: list[Entry | Problem] = []
        self.first_line: int | None = None
        self.error: str | None = None
        self.total: str | None = None

    def entry(self, p: _Parts) -> None:
        if self.first_line is None:
            self.first_line = p.line
        eid = p.texts.get("id") or ""
        if _ERROR_ID.match(eid):  # arXiv's error report: a feed whose entry has an id under /api/errors
            self.error = self.error or p.texts.get("summary") or eid
            return
        try:
            self.read.append(_entry(p))
        except ParseError as e:  # one entry that cannot be used: the others import
            self.read.append(Problem(e.line, e.message))


def _read_feed(text: str) -> _Feed:
    """The feed, read as a stream: an element is dropped once what is needed of it is
    kept, an entry once it is read."""
    m = _DECLARATION.search(text)
    if m:
        raise ParseError(
            "XML with a DOCTYPE or ENTITY declaration is refused (an arXiv response has none)",
            line=_line_of(text, m.start()),
        )
    parser = ET.XMLPullParser(events=("start", "end"))
    feed = _Feed()
    root: ET.Element | None = None
    current: _Parts | None = None
    stack: list[ET.Element] = []  # the open elements down to depth 3 (an entry's child)
    depth = inner = 0
    try:
        for lineno, chunk in enumerate(_lines(text), start=1):
            parser.feed(chunk)
            for event, el in parser.read_events():
                if event == "start":
                    depth += 1
                    if depth == 1:
                        root, feed.root = el, el.tag
                    elif depth == 2 and el.tag == _ENTRY and feed.root == _FEED:
                        current = _Parts(lineno)
                    if depth <= 3:
                        stack.append(el)
                        inner = 0
                    else:
                        inner += 1
                        if inner > MAX_INNER_ELEMENTS:
                            owner = re.sub(r"^\{[^}]*\}", "", stack[-1].tag)
                            raise ParseError(f"an element <{owner}> holds more than {MAX_INNER_ELEMENTS:,} "
                                             "elements: not an arXiv response", line=lineno)
                    continue
                depth -= 1
                if depth >= 3:
                    continue
                stack.pop()
                if depth == 2:  # a child of an entry (or of a feed-level element) is complete
                    parent = stack[-1]
                    if current is not None and parent.tag == _ENTRY:
                        current.add(el)
                    parent.clear()
                elif depth == 1:  # an element of the feed
                    if current is not None and el.tag == _ENTRY:
                        feed.entry(current)
                        current = None
                    elif el.tag == _TOTAL and feed.total is None:
                        feed.total = el.text
                    assert root is not None
                    root.clear()
        parser.close()
    except ET.ParseError as e:
        line, col = getattr(e, "position", (None, None))
        reason = re.sub(r":\s*line \d+, column \d+$", "", str(e))
        where = f" (column {col + 1})" if isinstance(col, int) else ""
        raise ParseError(f"malformed XML: {reason}{where}", line=line) from None
    if feed.root is None:
        raise ParseError("malformed XML: no element found", line=1)
    return feed


def _text(el: ET.Element | None) -> str | None:
    if el is None or el.text is None:
        return None
    return _clean(el.text)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    t = collapse_ws(text)
    return t or None


def _entry(p: _Parts) -> Entry:
    line = p.line
    raw_id = p.texts.get("id")
    if not raw_id:
        raise ParseError("an entry without an <id>", line=line)
    aid = arxivid.normalise(raw_id)
    if aid is None:
        raise ParseError(f"an entry whose id is not an arXiv abstract URL: {raw_id!r}", line=line)
    published = p.texts.get("published")
    date = published[:10] if published and _DATE.match(published) else None
    if published and date is None:
        raise ParseError(f"invalid <published> date {published!r}", line=line)
    category = p.primary or p.category  # (the primary one, else the first)
    title = p.texts.get("title")
    return Entry(
        kind="arxiv",
        line=line,
        title=title,
        authors=p.authors,
        et_al=False,
        date=date,
        category=(category or "").strip() or None,
        abstract=p.texts.get("summary"),
        arxiv_id=aid,
        doi=p.texts.get("doi"),
        journal=p.texts.get("journal_ref"),
        incomplete=title is None,
    )


def parse(text: str, **_context: Any) -> ParsedFile:
    feed = _read_feed(text)
    if feed.root != _FEED:
        raise ParseError(f"not an arXiv API response: the root element is {feed.root!r}, not an Atom <feed>", line=1)
    if feed.error is not None:
        raise ArxivErrorFeed(feed.error, line=feed.first_line)
    entries = [x for x in feed.read if isinstance(x, Entry)]
    skipped = [x for x in feed.read if isinstance(x, Problem)]
    if feed.read and not entries:
        raise common.no_usable_record("entry", skipped)
    log.debug("arXiv feed: %d entries (totalResults %s)", len(entries), feed.total)
    return ParsedFile(format=NAME, entries=entries, skipped=skipped)
