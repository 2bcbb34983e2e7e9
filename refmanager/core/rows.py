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
from collections import namedtuple
from collections.abc import Sequence
from math import isfinite
from typing import Any, NamedTuple

from .citekeys import base_key, clean_key
from .fields import ABSTRACT_KEY_CHARS, ENTRY_COLUMNS, NEW_TIMES, ROW_COLUMNS, dumps
from .identity import Record
from .models import Entry, Split
from .record import clean_record, csl_type, default_type
from .textnorm import abstract_key, person_key, title_key

#: A new paper's values but its times (``fields.ROW_COLUMNS``), as ``paper_row`` makes them.
PaperRow = namedtuple("PaperRow", ROW_COLUMNS)  # type: ignore[misc]  # (fields from the schema table)

#: A new paper: its row, then the three times of the import.
INSERT_PAPER_SQL = (
    f"INSERT INTO papers({', '.join(ROW_COLUMNS + NEW_TIMES)}) "
    f"VALUES ({', '.join('?' * (len(ROW_COLUMNS) + len(NEW_TIMES)))})"
)


def fingerprint(e: Entry) -> str:
    """Identity of an entry's content (``row_fingerprint`` of the row it makes): the same
    entry imported again is "unchanged"."""
    return row_fingerprint(e.kind, e.citekey, paper_row(e))


def year_of(date: str | None) -> int | None:
    if date and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


def sort_title(title: str | None, abstract: str | None) -> str:
    return (title or abstract or "").casefold().lstrip(" \"'([{")[:200]


def derived(title: str | None, authors: Sequence[str], date: str | None, abstract: str | None) -> dict[str, Any]:
    """The columns computed from the others (``fields.DERIVED_COLUMNS`` but ``tags_text``):
    keys for matching, sorting and search."""
    return dict(zip(_DERIVED, derived_values(title, authors, date, abstract)))


_DERIVED = ("authors_text", "sort_author", "sort_title", "year", "title_key", "abstract_key")


def derived_values(
    title: str | None, authors: Sequence[str], date: str | None, abstract: str | None,
) -> tuple[str, str, str, int | None, str | None, str | None]:
    """``derived``'s values, in ``_DERIVED``'s order."""
    return (
        ", ".join(authors), (authors[0] if authors else "").casefold(), sort_title(title, abstract), year_of(date),
        title_key(title),
        # Only the start of the key is stored (it is all the index needs; the
        # whole key doubled every paper's size): ``abstract_prefix``.
        abstract_prefix(abstract),
    )


#: The stored prefix is computed from the abstract's first characters when they
#: give a key comfortably longer than it (normalising a whole 1.3 KB abstract to
#: keep 40 characters cost ~5 µs a paper).  A key's characters depend only on the
#: text near them (whitespace runs, an ellipsis at the end, a combining accent),
#: so a cut far after the 40th leaves the first 40 as they are.
_PREFIX_TEXT = 160


def abstract_prefix(abstract: str | None) -> str | None:
    """The first ``ABSTRACT_KEY_CHARS`` characters of the abstract's key, as stored."""
    if abstract and len(abstract) > _PREFIX_TEXT:
        key = abstract_key.__wrapped__(abstract[:_PREFIX_TEXT])  # (a new string: never in the cache)
        if key and len(key) >= ABSTRACT_KEY_CHARS + 40:
            return key[:ABSTRACT_KEY_CHARS]
    key = abstract_key(abstract)
    return key[:ABSTRACT_KEY_CHARS] if key else None


#: ``paper_row``'s values, in the order it gives them (checked against the schema's below).
_ROW_ORDER = (
    "title", "authors", "authors_text", "et_al", "orgs", "date", "year", "category", "abstract", "arxiv_id",
    "doi", "journal", "volume", "issue", "pages", "type", "publisher", "record", "extras", "citekey",
    "citekey_aliases", "note", "incomplete", "needs_review", "raw_line", "split_confidence", "alt_splits",
    "read", "starred", "sort_title", "sort_author", "title_key", "abstract_key",
)
if _ROW_ORDER != ROW_COLUMNS:  # (the schema table decides the columns; this function follows it)
    raise ImportError(f"rows.paper_row gives {_ROW_ORDER}, the schema has {ROW_COLUMNS}")
_new_row = tuple.__new__
_CITEKEY_AT = _ROW_ORDER.index("citekey")


def paper_row(e: Entry, *, key: bool = True) -> PaperRow:
    """The values of a paper made from ``e`` (but its times); ``key`` False: no citation
    key generated (None when the entry has none of its own: ``Prepared.row_to_write``).

    Built by position (``_ROW_ORDER``): by keyword, a 33-field row cost ~2.4 µs more
    a paper, 2% of parsing a large listing."""
    title, authors, date, abstract = e.title, e.authors, e.date, e.abstract
    authors_text, sort_author, sort_title_, year, tkey, akey = derived_values(title, authors, date, abstract)
    return _new_row(PaperRow, (
        title, dumps(authors), authors_text, int(e.et_al), dumps(e.orgs), date, year,
        e.category, abstract, e.arxiv_id, e.doi, e.journal, e.volume, e.issue, e.pages,
        csl_type(e.type) or default_type(arxiv_id=e.arxiv_id, journal=e.journal),
        e.publisher or None,
        dumps(clean_record(e.record)) if e.record else "{}",
        dumps({f: v for f, v in e.extras.items() if v}) if e.extras else "{}",
        # (the key wanted: the file's, else one generated; the writer makes it unique)
        clean_key(e.citekey) or (base_key(authors, date, title) if key else None), "[]",
        e.note or None, int(e.incomplete or title is None), int(e.needs_review),
        e.raw_line, e.split_confidence, splits_json(e.alt_splits) if e.alt_splits else None,
        int(bool(e.read)), int(bool(e.starred)),
        sort_title_, sort_author, tkey, akey,
    ))


def splits_json(splits: Sequence[Split]) -> str:
    """``dumps([s.to_json() for s in splits])``, written directly (the alternative splits
    of every listing entry: 6.6 → ~2 µs a paper)."""
    enc = dumps
    return "[" + ",".join(
        f'{{"title":{enc(s.title)},"authors":{enc(s.authors)},"score":{_score_json(round(s.score, 3))}}}'
        for s in splits
    ) + "]"


def _score_json(x: float) -> str:
    return repr(x) if isfinite(x) else dumps(x)  # (JSON's "NaN", "Infinity": never a split's score)


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
        and e.citekey is None and e.type is None and e.publisher is None and not e.record and not e.extras
        and (e.title is not None or bool(e.incomplete))  # (the row's "incomplete" is title-less too)
    )


_FLAGS = frozenset({"et_al", "incomplete", "needs_review"})
_LISTS = frozenset({"authors", "orgs"})


def entry_json_from_row(kind: str, line: int | None, values: Sequence[Any]) -> dict[str, Any]:
    """``Entry.to_json()`` of the entry a paper was made from, out of the paper's
    ``ENTRY_COLUMNS`` values (a source stored as NULL, see ``row_holds_entry``).
    The same object as ``store.schema.entry_json_sql`` builds in SQL; tests compare all three."""
    out: dict[str, Any] = {"kind": kind, "line": line}
    for name, v in zip(ENTRY_COLUMNS, values):
        if name in _FLAGS:
            v = bool(v)
        elif name in _LISTS:
            v = json.loads(v)
        elif name == "alt_splits":
            v = json.loads(v) if v else []
        out[name] = v
    out.update(tags=[], note=None, read=None, starred=None, extra={}, citekey=None,
               type=None, publisher=None, record={}, extras={})
    return out


class EntryValues(NamedTuple):
    """Everything the writer needs from an entry, as plain values (cheap to send
    between processes: tuples of strings pickle ~6x faster than the ``Entry``)."""

    line: int
    kind: str
    arxiv_id: str | None
    doi: str | None
    titled: bool
    tags: list[str]
    note: str | None
    #: the source JSON; None when the paper row says it all (``row_holds_entry``)
    data: str | None
    row: PaperRow
    #: the authors' ``person_key``s; None: left to the writer (``prepare(keys_later=True)``)
    name_keys: list[str] | None
    #: the record's key in its file (a BibTeX citation key)
    citekey: str | None = None
    #: ``fingerprint(entry)``, when the parser made it (``prepare(with_fp=True)``)
    fp: str | None = None


def prepare(e: Entry, with_fp: bool = False, keys_later: bool = False) -> EntryValues:
    """The values of ``e``; ``with_fp``: its fingerprint too (else the writer makes it).
    ``keys_later``: the citation key generated from its fields and the authors' name
    keys are left to the writer too (``Prepared.row_to_write``, ``Prepared.name_keys``),
    which makes them only for a new paper: what a parser busier than the writer hands
    over (~9 µs a paper; ``import_stream.parse``)."""
    row = paper_row(e, key=not keys_later)
    return EntryValues(
        e.line, e.kind, e.arxiv_id, e.doi, e.title is not None, list(e.tags), e.note,
        None if row_holds_entry(e) else dumps(e.to_json()), row,
        None if keys_later else [person_key(a) for a in e.authors[:50] if a], e.citekey,
        row_fingerprint(e.kind, e.citekey, row) if with_fp else None,
    )


def row_fingerprint(kind: str, citekey: str | None, r: PaperRow, *, split: bool = False) -> str:
    """Identity of the content of the entry that made paper row ``r``: the SHA-1 of the JSON
    list of its kind, raw line or title, authors, date, category, abstract and ids (each
    string by the ASCII encoder when it can: ~half the time of the list's encoder).

    The citation key, volume, issue and pages count when the entry has them (a
    journal's "Calendar" column is a new record in every issue); entries without
    them keep the fingerprints they had before these were read.

    A listing's entry is known by its raw title/author line, not by its split:
    the split weighs the names the library knows, which importing changes (the
    same line imported again could split otherwise and come in as a new paper).
    ``split``: a listing entry's as versions before made it, from its split authors."""
    enc = dumps
    parts = [
        enc(kind), enc(r.raw_line or r.title), "[]" if r.raw_line and not split else r.authors, enc(r.date),
        enc(r.category), enc(r.abstract), enc(r.arxiv_id), enc(r.doi),
    ]
    if citekey or r.volume or r.issue or r.pages:
        parts += [enc(citekey), enc(r.volume), enc(r.issue), enc(r.pages)]
    return hashlib.sha1(f"[{','.join(parts)}]".encode("utf-8")).hexdigest()


class Prepared:
    """One entry to write: its ``EntryValues``, and what the writer works out
    from them when it needs it (the fingerprint, the whole abstract key, the
    ``Entry`` itself for a merge)."""

    __slots__ = ("values", "fp", "_akey", "_entry", "_authors")

    def __init__(self, values: EntryValues, entry: Entry | None = None) -> None:
        self.values = values
        self.fp: str | None = values.fp
        self._entry = entry
        self._akey: str | None = None
        self._authors: list[str] | None = None

    @classmethod
    def of(cls, e: Entry) -> Prepared:
        return cls(prepare(e), e)

    @property
    def row(self) -> PaperRow:
        return self.values.row

    def fingerprint(self) -> str:
        """``fingerprint(entry)``: as the parser sent it, else built here from the row's
        values (the same JSON, from its parts; ~15 µs a paper).  In a large import the
        parser makes it while the writer is behind (``parse.messages``), and leaves it
        to the writer while the writer waits for entries."""
        if self.fp is None:
            self.fp = row_fingerprint(self.values.kind, self.values.citekey, self.values.row)
        return self.fp

    def split_fingerprint(self) -> str | None:
        """A listing entry's fingerprint as older versions made it (from its split authors);
        None for an entry without a raw title/author line, whose fingerprint never changed."""
        v = self.values
        return row_fingerprint(v.kind, v.citekey, v.row, split=True) if v.row.raw_line else None

    def authors(self) -> list[str]:
        """The paper row's authors, as a list."""
        if self._authors is None:
            a = self.values.row.authors
            self._authors = json.loads(a) if a != "[]" else []
        return self._authors

    def row_to_write(self) -> PaperRow:
        """The paper row to insert: with the citation key its fields give when the
        parser left it to this process (``prepare(keys_later=True)``)."""
        r = self.values.row
        if r.citekey is None:
            key = base_key(self.authors(), r.date, r.title)
            r = _new_row(PaperRow, (*r[:_CITEKEY_AT], key, *r[_CITEKEY_AT + 1 :]))
        return r

    def name_keys(self) -> list[str]:
        """The authors' name keys (the library's known names), as the parser sent them or made here."""
        keys = self.values.name_keys
        if keys is None:
            keys = [person_key(a) for a in self.authors()[:50] if a]
        return keys

    def record(self) -> Record:
        """What the identity rules look at (``identity.conflict``)."""
        r = self.values.row
        authors = self.authors()
        return Record(r.arxiv_id, r.doi, authors[0] if authors else None, r.year, r.volume, r.issue, r.pages)

    @property
    def akey_prefix(self) -> str | None:
        """The abstract key's first ``ABSTRACT_KEY_CHARS`` characters, as stored."""
        return self.values.row.abstract_key

    @property
    def akey(self) -> str | None:
        """The whole abstract key (only when papers share its prefix: rare)."""
        if self._akey is None:
            self._akey = abstract_key(self.values.row.abstract)
        return self._akey

    @property
    def tkey(self) -> str | None:
        return self.values.row.title_key

    def _row_entry(self) -> dict[str, Any]:
        """``Entry.to_json()`` from the paper row (when ``data`` is None)."""
        v = self.values
        return entry_json_from_row(v.kind, v.line, [getattr(v.row, c) for c in ENTRY_COLUMNS])

    def entry_json(self) -> str:
        """The source JSON, also when ``data`` is None (for a source whose paper
        is not the row this entry makes: a merge)."""
        return self.values.data if self.values.data is not None else dumps(self._row_entry())

    @property
    def entry(self) -> Entry:
        if self._entry is None:
            d = json.loads(self.values.data) if self.values.data is not None else self._row_entry()
            self._entry = entry_from_json(d)
        return self._entry

    def without_arxiv_id(self) -> str:
        """Take the arXiv id off the paper row (another paper has it); the source JSON
        keeps it.  Returns the id."""
        e = self.entry
        aid = e.arxiv_id
        assert aid is not None
        fp = self.fingerprint()
        data = dumps(e.to_json())
        e.arxiv_id = None
        self.values = prepare(e)._replace(data=data)
        self.fp = fp
        return aid

    def flag_for_review(self) -> None:
        """Mark it for review (it matched several papers): row and JSON follow."""
        e = self.entry
        e.needs_review = True
        fp = self.fingerprint()  # (needs_review is not part of it)
        self.values = prepare(e)
        self.fp = fp
