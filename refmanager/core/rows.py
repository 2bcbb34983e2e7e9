"""From a parsed entry to the values the library stores.

Pure functions of an ``Entry``: no database.  A large import computes them in
the process that parses (``import_stream``), so that the process writing the
library does only the writing; a small one computes them in place.  Both go
through ``prepare``, so both store the same bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from .models import Entry, Split
from .schema import ENTRY_COLUMNS
from .textnorm import abstract_key, person_key, title_key

#: One encoder, made once: ``json.dumps`` with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

#: Columns of a new paper: ``paper_row``'s values, then the three times of the import.
PAPER_COLUMNS = (
    "title", "authors", "authors_text", "et_al", "orgs", "date", "year", "category", "abstract",
    "arxiv_id", "doi", "journal", "incomplete", "needs_review", "raw_line", "split_confidence",
    "alt_splits", "read", "starred", "note", "sort_title", "sort_author", "title_key", "abstract_key",
    "added_at", "modified_at", "note_modified_at",
)
INSERT_PAPER_SQL = (
    f"INSERT INTO papers({', '.join(PAPER_COLUMNS)}) VALUES ({', '.join('?' * len(PAPER_COLUMNS))})"
)


(_TITLE, _AUTHORS, _DATE, _CATEGORY, _ABSTRACT, _ARXIV, _DOI, _RAW) = (
    PAPER_COLUMNS.index(c) for c in ("title", "authors", "date", "category", "abstract", "arxiv_id", "doi", "raw_line")
)


def dumps(v: Any) -> str:
    return _ENCODER.encode(v)


def fingerprint(e: Entry) -> str:
    """Identity of an entry's content: the same entry imported again is "unchanged"."""
    payload = dumps(
        [e.kind, e.raw_line or e.title, e.authors, e.date, e.category, e.abstract, e.arxiv_id, e.doi]
    )
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def year_of(date: str | None) -> int | None:
    if date and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


def sort_title(title: str | None, abstract: str | None) -> str:
    return (title or abstract or "").casefold().lstrip(" \"'([{")[:200]


def derived(row: dict[str, Any]) -> dict[str, Any]:
    """Columns computed from the others: keys for matching, sorting and search."""
    authors = row.get("authors") or []
    return {
        "authors_text": ", ".join(authors),
        "sort_author": (authors[0] if authors else "").casefold(),
        "sort_title": sort_title(row.get("title"), row.get("abstract")),
        "year": year_of(row.get("date")),
        "title_key": title_key(row.get("title")),
        # Only the start of the key is stored (it is all the index needs; the
        # whole key doubled every paper's size): ``abstract_prefix``.
        "abstract_key": abstract_prefix(row.get("abstract")),
    }


#: Characters of an abstract's key that are stored and indexed (library.MIN_PREFIX_CHARS).
ABSTRACT_KEY_STORED = 40


#: The stored prefix is computed from the abstract's first characters when they
#: give a key comfortably longer than it (normalising a whole 1.3 KB abstract to
#: keep 40 characters cost ~5 µs a paper).  A key's characters depend only on the
#: text near them (whitespace runs, an ellipsis at the end, a combining accent),
#: so a cut far after the 40th leaves the first 40 as they are.
_PREFIX_TEXT = 160


def abstract_prefix(abstract: str | None) -> str | None:
    if abstract and len(abstract) > _PREFIX_TEXT:
        key = abstract_key(abstract[:_PREFIX_TEXT])
        if key and len(key) >= ABSTRACT_KEY_STORED + 40:
            return key[:ABSTRACT_KEY_STORED]
    key = abstract_key(abstract)
    return key[:ABSTRACT_KEY_STORED] if key else None


def paper_row(e: Entry) -> tuple[Any, ...]:
    """The values of ``PAPER_COLUMNS`` but the times, for a paper made from ``e``."""
    d = derived({"title": e.title, "authors": e.authors, "date": e.date, "abstract": e.abstract})
    return (
        e.title, dumps(e.authors), d["authors_text"], int(e.et_al), dumps(e.orgs), e.date,
        d["year"], e.category, e.abstract, e.arxiv_id, e.doi, e.journal,
        int(e.incomplete or e.title is None), int(e.needs_review), e.raw_line,
        e.split_confidence, dumps([s.to_json() for s in e.alt_splits]) if e.alt_splits else None,
        int(bool(e.read)), int(bool(e.starred)), e.note or None,
        d["sort_title"], d["sort_author"], d["title_key"], d["abstract_key"],
    )


def entry_from_json(data: dict[str, Any]) -> Entry:
    """The ``Entry`` a source row stored (``Entry.to_json``), tolerant of older data."""
    names = {f.name for f in dataclasses.fields(Entry)}
    kw = {k: v for k, v in data.items() if k in names}
    kw["alt_splits"] = [
        Split(str(s.get("title") or ""), list(s.get("authors") or []), float(s.get("score") or 0.0))
        for s in (kw.get("alt_splits") or [])
    ]
    kw.setdefault("kind", "unknown")
    kw.setdefault("line", 0)
    return Entry(**kw)


#: Where ``schema.ENTRY_COLUMNS`` (an entry's fields, ``entry_json_from_row``) are in a paper row.
_ROW_INDEX = tuple(PAPER_COLUMNS.index(c) for c in ENTRY_COLUMNS)


def row_holds_entry(e: Entry) -> bool:
    """The paper row made from ``e`` says all that ``e.to_json()`` does: its
    source needs no JSON of its own while the paper is as the import added it.

    A full listing's entry repeats its abstract, title and splits in the source
    JSON: 2.4 KB a paper, a third of a large import's writing (schema v6).
    Entries carrying a user's data (tags, note, read, starred) or fields the
    row has no column for keep their JSON.
    """
    return (
        not e.tags and e.note is None and e.read is None and e.starred is None and not e.extra
        and (e.title is not None or bool(e.incomplete))  # (the row's "incomplete" is title-less too)
    )


def entry_json_from_row(kind: str, line: int | None, values: Sequence[Any]) -> dict[str, Any]:
    """``Entry.to_json()`` of the entry a paper was made from, out of the paper's
    ``ENTRY_COLUMNS`` values (a source stored as NULL, see ``row_holds_entry``).
    The same object as ``schema.entry_json_sql`` builds in SQL; tests compare all three."""
    (title, authors, et_al, orgs, date, category, abstract, arxiv_id, doi, journal, incomplete,
     needs_review, raw_line, split_confidence, alt_splits) = values
    return {
        "kind": kind, "line": line, "title": title, "authors": json.loads(authors), "et_al": bool(et_al),
        "orgs": json.loads(orgs), "date": date, "category": category, "abstract": abstract,
        "arxiv_id": arxiv_id, "doi": doi, "journal": journal, "incomplete": bool(incomplete),
        "needs_review": bool(needs_review), "raw_line": raw_line, "split_confidence": split_confidence,
        "alt_splits": json.loads(alt_splits) if alt_splits else [], "tags": [], "note": None,
        "read": None, "starred": None, "extra": {},
    }


def prepare(e: Entry) -> tuple[Any, ...]:
    """Everything the writer needs from an entry, as plain values (cheap to
    send between processes: a tuple of strings pickles ~6x faster than the
    ``Entry``).  ``Prepared`` reads it back.  The source JSON is None when the
    paper row says it all (``row_holds_entry``)."""
    row = paper_row(e)
    return (
        e.line, e.kind, None, e.arxiv_id, e.doi, e.title is not None, list(e.tags), e.note,
        None if row_holds_entry(e) else dumps(e.to_json()), row,
        [person_key(a) for a in e.authors[:50] if a],
    )


class Prepared:
    """One entry to write: its keys, its paper row and its source JSON, all
    computed; the ``Entry`` itself only when a merge needs it."""

    __slots__ = ("line", "kind", "fp", "arxiv_id", "doi", "titled", "tags", "note", "data", "row",
                 "name_keys", "_akey", "_entry")

    def __init__(self, values: tuple[Any, ...], entry: Entry | None = None) -> None:
        (self.line, self.kind, self.fp, self.arxiv_id, self.doi, self.titled, self.tags, self.note,
         self.data, self.row, self.name_keys) = values
        self._entry = entry
        self._akey: str | None = None

    def fingerprint(self) -> str:
        """``fingerprint(entry)``, built by the writing process from the row's values
        (the same JSON, from its parts): the parsing process is the busier of the
        two in a large import, and this balances them (~10 µs a paper)."""
        if self.fp is None:
            r = self.row
            enc = _ENCODER.encode
            payload = ",".join((
                enc(self.kind), enc(r[_RAW] or r[_TITLE]), r[_AUTHORS], enc(r[_DATE]), enc(r[_CATEGORY]),
                enc(r[_ABSTRACT]), enc(r[_ARXIV]), enc(r[_DOI]),
            ))
            self.fp = hashlib.sha1(f"[{payload}]".encode("utf-8")).hexdigest()
        return self.fp

    @property
    def akey_prefix(self) -> str | None:
        """The abstract key's first 40 characters, as stored."""
        return self.row[-1]

    @property
    def akey(self) -> str | None:
        """The whole abstract key (only when papers share its prefix: rare)."""
        if self._akey is None:
            self._akey = abstract_key(self.row[_ABSTRACT])
        return self._akey

    @classmethod
    def of(cls, e: Entry) -> Prepared:
        return cls(prepare(e), e)

    @property
    def tkey(self) -> str | None:
        return self.row[-2]

    def _row_entry(self) -> dict[str, Any]:
        """``Entry.to_json()`` from the paper row (when ``data`` is None)."""
        return entry_json_from_row(self.kind, self.line, [self.row[i] for i in _ROW_INDEX])

    def entry_json(self) -> str:
        """The source JSON, also when ``data`` is None (for a source whose paper
        is not the row this entry makes: a merge)."""
        return self.data if self.data is not None else dumps(self._row_entry())

    @property
    def entry(self) -> Entry:
        if self._entry is None:
            d = json.loads(self.data) if self.data is not None else self._row_entry()
            self._entry = entry_from_json(d)
        return self._entry

    def flag_for_review(self) -> None:
        """Mark it for review (it matched several papers): row and JSON follow."""
        e = self.entry
        e.needs_review = True
        fp = self.fingerprint()  # (needs_review is not part of it)
        self.__init__(prepare(e), e)  # type: ignore[misc]
        self.fp = fp
