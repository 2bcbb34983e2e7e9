"""Profile listings: an author's name, then one (usually cut) abstract per line.

    Thomas Mesnard
    Artificial intelligence (AI) has significant potential in ... Foundation models that…
    We introduce EmbeddingGemma, a new lightweight, open text embedding model …

No titles.  Each line becomes an incomplete paper credited to the profile's
owner (``authors: [owner]``, ``et_al: true``) until a full entry completes it.
"""

from __future__ import annotations

import re

from .. import arxivid
from ..errors import ParseError
from ..models import Entry, ParsedFile
from ..textnorm import clean_text
from . import listing_full

NAME = "profile listing"

#: A profile line shorter than this is still imported, but never merged by prefix.
MIN_MATCH_CHARS = 40
_NAME_TOKEN = re.compile(r"^[^\W\d_][\w.'\-\u2019]*$")


def _looks_like_owner(line: str) -> bool:
    s = line.strip()
    toks = s.split()
    if not (1 <= len(toks) <= 6) or len(s) > 80:
        return False
    if s.endswith((".", "…", ":", ";", "?", "!")) or s[0] in "<{[":
        return False
    return all(_NAME_TOKEN.match(t) for t in toks) and toks[0][0].isupper()


#: A line of a tagged record format: a short upper-case tag, then its value
#: ("AU Smith, J", "TI  - A title", "PMID- 123"), or an indented continuation.
_TAGGED_LINE = re.compile(r"^(?:[A-Z][A-Z0-9]{1,3}(?: {1,3}- ?| )\S|[A-Z][A-Z0-9]{1,3}-|\s{2,}\S)")


def reads_as_prose(lines: list[str]) -> bool:
    """Abstracts, not fields: a tagged export (Web of Science, RIS, MEDLINE) has
    a tag or an indented continuation on most lines, prose on few."""
    tagged = sum(1 for ln in lines if _TAGGED_LINE.match(ln))
    return tagged * 4 < len(lines)


def detect(text: str) -> bool:
    raw = [ln for ln in clean_text(text[:50000]).split("\n") if ln.strip()]
    lines = [ln.strip() for ln in raw]
    if len(lines) < 2 or listing_full.detect(text):
        return False
    if not _looks_like_owner(lines[0]) or not reads_as_prose(raw):
        return False
    body = [ln for ln in lines[1:] if not arxivid.id_line(ln)]
    if not body:
        return False
    long_lines = sum(1 for ln in body if len(ln) >= MIN_MATCH_CHARS and " " in ln)
    return long_lines * 2 >= len(body)


def parse(text: str, **_context: object) -> ParsedFile:
    lines = clean_text(text).split("\n")
    items = [(i + 1, ln.strip()) for i, ln in enumerate(lines) if ln.strip()]
    if not items:
        raise ParseError("the file is empty", line=1)
    owner_no, owner = items[0]
    if not _looks_like_owner(owner):
        raise ParseError(
            f"a profile listing starts with the author's name; found {owner[:60]!r}", line=owner_no
        )
    entries: list[Entry] = []
    for lineno, line in items[1:]:
        idv = arxivid.id_line(line)
        if idv:
            if entries and entries[-1].arxiv_id is None:
                entries[-1].arxiv_id = idv
            continue
        entries.append(
            Entry(
                kind="profile",
                line=lineno,
                title=None,
                authors=[owner],
                et_al=True,
                abstract=line,
                incomplete=True,
            )
        )
    if not entries:
        raise ParseError(f"the profile of {owner!r} lists no abstracts", line=owner_no)
    return ParsedFile(format=NAME, entries=entries, owner=owner)
