"""The one paper schema: every field of a paper, and what each is for.

``FIELDS`` is the table every list of a paper's columns is derived from (the
columns a new paper writes, an undo snapshot keeps, a split takes back, the
search index holds, an imported entry gives, the user may edit or choose in a
merge, and the JSON a user sees).  ``Paper`` is a paper as the library hands
it out, ``PageRow`` one row of the paper table; a test checks both against
the table.  The SQL that creates the tables is the schema's history
(``store/schema.py``): it is never regenerated, so that every library opens
as it was written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

#: Characters of an abstract's key that the library stores and indexes, and that
#: a profile line needs to merge by prefix (decisions: at least 40).  The SQL
#: of the prefix indexes (schema v4) says ``substr(abstract_key, 1, 40)``: this
#: cannot change without a migration.
ABSTRACT_KEY_CHARS = 40
#: The expression of the prefix indexes; a query must say the same to use them.
ABSTRACT_PREFIX_SQL = f"substr(abstract_key, 1, {ABSTRACT_KEY_CHARS})"


@dataclass(frozen=True)
class Field:
    """One field of a paper.

    ``sql`` is its declaration in the ``papers`` table (None: not a column, the
    paper gets it from other tables).  ``store`` says how a value is stored:
    ``text``, ``int``, ``real``, ``bool`` (0/1), ``list`` (a JSON array),
    ``json`` (JSON or NULL, read as a list), ``object`` (a JSON object).  Flags:

    * ``json``    in refmanager JSON (``export --format json``, ``--json``), in table order
    * ``paper``   an attribute of ``Paper``
    * ``fts``     indexed for search (``papers_fts``, in table order)
    * ``entry``   given by an imported entry (a source without JSON is rebuilt from these)
    * ``edit``    the user may edit it (``edit_paper``)
    * ``merge``   chosen from one paper in a merge; values not chosen are kept as alternatives
    * ``new``     written when a paper is added
    * ``derived`` computed from other fields (keys for matching, sorting and search)
    * ``stamp``   a time the library keeps for itself
    """

    name: str
    sql: str | None
    flags: frozenset[str]
    store: str = "text"
    label: str = ""

    def has(self, flag: str) -> bool:
        return flag in self.flags


def _f(name: str, sql: str | None, flags: str, store: str = "text", label: str = "") -> Field:
    return Field(name, sql, frozenset(flags.split()), store, label or name.replace("_", " "))


#: In the order of refmanager JSON (which is the order of every list derived here).
FIELDS: tuple[Field, ...] = (
    _f("id", "INTEGER PRIMARY KEY", "json paper", "int"),
    _f("title", "TEXT", "json paper fts entry edit merge new"),
    _f("authors", "TEXT NOT NULL DEFAULT '[]'", "json paper entry edit merge new", "list"),
    _f("authors_text", "TEXT NOT NULL DEFAULT ''", "fts derived new"),
    _f("et_al", "INTEGER NOT NULL DEFAULT 0", "json paper entry edit new", "bool", "et al."),
    _f("orgs", "TEXT NOT NULL DEFAULT '[]'", "json paper entry edit merge new", "list", "organisations"),
    _f("date", "TEXT", "json paper entry edit merge new"),
    _f("year", "INTEGER", "derived new", "int"),
    _f("category", "TEXT", "json paper entry edit merge new"),
    _f("abstract", "TEXT", "json paper fts entry edit merge new"),
    _f("arxiv_id", "TEXT", "json paper entry edit merge new", label="arXiv id"),
    _f("doi", "TEXT", "json paper entry edit merge new", label="DOI"),
    _f("journal", "TEXT", "json paper entry edit merge new"),
    _f("volume", "TEXT", "json paper entry edit merge new"),
    _f("issue", "TEXT", "json paper entry edit merge new"),
    _f("pages", "TEXT", "json paper entry edit merge new"),
    # The bibliographic record (schema v10, issue 17; ``record.py``): the CSL item type, the
    # publisher, the other common fields (``record``: a JSON object, ``record.RECORD_FIELDS``),
    # the fields no table knows by format (``extras``), and the citation key with the keys
    # of papers merged into this one (found by ``key:``; never changed but on request).
    _f("type", "TEXT", "json paper edit merge new"),
    _f("publisher", "TEXT", "json paper edit merge new"),
    _f("record", "TEXT NOT NULL DEFAULT '{}'", "json paper new", "object"),
    _f("extras", "TEXT NOT NULL DEFAULT '{}'", "json paper new", "object"),
    _f("citekey", "TEXT", "json paper edit new", label="citation key"),
    _f("citekey_aliases", "TEXT NOT NULL DEFAULT '[]'", "json paper new", "list", "other citation keys"),
    _f("tags", None, "json paper", "list"),
    _f("tags_text", "TEXT NOT NULL DEFAULT ''", "fts derived"),
    _f("note", "TEXT", "json paper fts new"),
    _f("note_modified_at", "TEXT", "stamp new"),
    _f("incomplete", "INTEGER NOT NULL DEFAULT 0", "json paper entry new", "bool"),
    _f("needs_review", "INTEGER NOT NULL DEFAULT 0", "json paper entry new", "bool"),
    _f("raw_line", "TEXT", "paper entry new"),
    _f("split_confidence", "REAL", "paper entry new", "real"),
    _f("alt_splits", "TEXT", "paper entry new", "json"),
    _f("read", "INTEGER NOT NULL DEFAULT 0", "json paper new", "bool"),
    _f("starred", "INTEGER NOT NULL DEFAULT 0", "json paper new", "bool"),
    _f("trashed", None, "json paper", "bool"),
    _f("trashed_at", "TEXT", ""),
    _f("added_at", "TEXT NOT NULL", "json paper new"),
    _f("modified_at", "TEXT NOT NULL", "paper stamp new"),
    _f("attachments", None, "json paper", "list"),
    _f("alternatives", None, "paper"),
    _f("edited_fields", "TEXT NOT NULL DEFAULT '[]'", "paper", "list"),
    _f("sort_title", "TEXT NOT NULL DEFAULT ''", "derived new"),
    _f("sort_author", "TEXT NOT NULL DEFAULT ''", "derived new"),
    _f("title_key", "TEXT", "derived new"),
    _f("abstract_key", "TEXT", "derived new"),
    #: counts every change to the paper but marking it read (schema v8 trigger): a write
    #: or an undo checks it to see whether someone else changed the paper meanwhile
    _f("version", "INTEGER NOT NULL DEFAULT 0", "paper stamp", "int"),
)
BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}


def names(flag: str, *, columns_only: bool = False) -> tuple[str, ...]:
    return tuple(f.name for f in FIELDS if f.has(flag) and (f.sql is not None or not columns_only))


#: Every column of the papers table (an undo snapshot keeps them all).
COLUMNS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.sql is not None)
#: The fields of refmanager JSON, in order.
JSON_FIELDS = names("json")
#: The columns of ``papers_fts``, in its order.
FTS_COLUMNS = names("fts")
#: What an imported entry gives (``rows.entry_json_from_row``, schema v6 triggers).
ENTRY_COLUMNS = names("entry")
#: What the user may edit, and what a merge chooses (``et_al`` goes with ``authors``).
EDITABLE_FIELDS = names("edit")
MERGE_FIELDS = names("merge")
#: Columns computed from others (``rows.derived``).
DERIVED_COLUMNS = names("derived")
#: The times a new paper gets when it is written (the import's time).
NEW_TIMES = ("added_at", "modified_at", "note_modified_at")
#: A new paper's values but its times: ``rows.paper_row`` (``PaperRow``).
ROW_COLUMNS = tuple(n for n in names("new") if n not in NEW_TIMES)
#: What a split takes back three-way from before a merge: every column but the
#: id, the derived ones and the library's own times.
THREE_WAY_COLUMNS = tuple(
    f.name for f in FIELDS
    if f.sql is not None and f.name != "id" and not (f.has("derived") or f.has("stamp"))
)
#: Readable names of the fields (undo labels, import notes).
LABELS: dict[str, str] = {f.name: f.label for f in FIELDS}
#: Paper columns stored as JSON.
JSON_COLUMNS = frozenset(f.name for f in FIELDS if f.sql is not None and f.store in ("list", "json", "object"))


def encode(name: str, value: Any) -> Any:
    """A field's value (as ``Paper`` holds it) as the papers table stores it."""
    store = BY_NAME[name].store
    if store == "list":
        return dumps(value)
    if store == "json":
        return dumps(value) if value else None
    if store == "object":
        return dumps(value or {})
    if store == "bool":
        return int(bool(value))
    return value


def _decoder(f: Field) -> Callable[[Any], Any] | None:
    if f.store in ("list", "object"):
        return json.loads
    if f.store == "json":
        return lambda v: json.loads(v) if v else []
    if f.store == "bool":
        return bool
    return None


#: One encoder, made once: ``json.dumps`` with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _c_encoder() -> Callable[[Any, int], Any] | None:
    """The C encoder ``_ENCODER.encode`` makes anew at each call for a list or an object (a
    large import encodes ~5 a paper: ~3 µs each to make it), made once.  Without the check
    for circular references: the values stored are read from files, never cyclic."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    try:
        return make(None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    except TypeError:  # (another Python's signature: the encoder as it is)
        return None


_C_ENCODE = _c_encoder()
_ENCODE_STR = json.encoder.encode_basestring
#: The ``ensure_ascii`` encoder gives the same text for ASCII but DEL (which it
#: escapes), and 2.5x as fast: it copies where the other looks at each character
#: twice (an abstract's JSON is most of what an import's fingerprint costs).
_ENCODE_ASCII = json.encoder.encode_basestring_ascii


def dumps(v: Any) -> str:
    """Compact JSON, as the library stores it (the same text as ``_ENCODER.encode``)."""
    t = type(v)
    if t is str:
        # (isascii is a flag of the string, not a scan)
        return _ENCODE_ASCII(v) if v.isascii() and "\x7f" not in v else _ENCODE_STR(v)
    if v is None:
        return "null"
    if _C_ENCODE is not None and (t is list or t is dict):
        return "".join(_C_ENCODE(v, 0))
    return _ENCODER.encode(v)


# --------------------------------------------------------------------- papers
@dataclass(slots=True)
class Paper:
    """A paper as the library hands it out (``Library.get``); ``paper_json`` is its JSON."""

    id: int = 0
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    et_al: bool = False
    orgs: list[str] = field(default_factory=list)
    date: str | None = None
    category: str | None = None
    abstract: str | None = None
    arxiv_id: str | None = None
    doi: str | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    type: str | None = None
    publisher: str | None = None
    #: the other fields of the record (``record.RECORD_FIELDS``)
    record: dict[str, Any] = field(default_factory=dict)
    #: fields kept as they came, by format: ``{"bibtex": {"groups": "…"}}``
    extras: dict[str, Any] = field(default_factory=dict)
    citekey: str | None = None
    citekey_aliases: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    note: str | None = None
    incomplete: bool = False
    needs_review: bool = False
    raw_line: str | None = None
    split_confidence: float | None = None
    alt_splits: list[dict[str, Any]] = field(default_factory=list)
    read: bool = False
    starred: bool = False
    trashed: bool = False
    added_at: str | None = None
    modified_at: str | None = None
    #: ``{"name", "path", "exists"}`` of each attached file
    attachments: list[dict[str, Any]] = field(default_factory=list)
    #: ``{field: [values replaced or not chosen, oldest first]}``
    alternatives: dict[str, list[Any]] = field(default_factory=dict)
    edited_fields: list[str] = field(default_factory=list)
    version: int = 0


#: The columns ``paper_from_row`` reads, in this order.
READ_COLUMNS: tuple[str, ...] = tuple(
    f.name for f in FIELDS if f.has("paper") and f.sql is not None
) + ("trashed_at",)
_DECODERS = tuple((n, _decoder(BY_NAME[n])) for n in READ_COLUMNS[:-1])


def paper_from_row(row: tuple[Any, ...], tags: list[str]) -> Paper:
    """A ``Paper`` from the values of ``READ_COLUMNS`` (the caller fills its
    attachments and alternatives)."""
    kw = {n: v if dec is None else dec(v) for (n, dec), v in zip(_DECODERS, row)}
    return Paper(**kw, tags=tags, trashed=row[-1] is not None)


def paper_json(p: Paper) -> dict[str, Any]:
    """The documented JSON fields of a paper (command line and export)."""
    return {n: getattr(p, n) for n in JSON_FIELDS}


# ---------------------------------------------------------------------- tags
#: What separates tags in a text that lists them: the tag field and ``refmanager tag``, a
#: BibTeX ``keywords`` value, a CSL ``keyword`` string.  The comma, as biblatex's keyword
#: lists, JabRef's default keyword separator and Zotero's BibTeX import read it.  A ``;`` is
#: part of a tag (but where a format says otherwise: BibTeX ``keywords``, Web of Science).
TAG_SEPARATOR = ","
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def clean_tag(name: str) -> str:
    """One tag given whole (a RIS ``KW`` line, a chip of the detail pane): its whitespace
    collapsed, so a name never starts, ends or breaks a line with it."""
    return " ".join(name.split())


def tag_key(name: str) -> str:
    """What two tag names compare by: SQLite's ``COLLATE NOCASE`` (ASCII letters only), as the
    ``tags`` table compares them, so that a list keeps every tag the library holds apart
    ("É" and "é" are two tags there, and must stay two on the way through a file)."""
    return name.translate(_ASCII_LOWER)


def unique_tags(names: Iterable[str]) -> list[str]:
    """Tags cleaned (``clean_tag``), empty ones and repeats (``tag_key``) dropped, in order."""
    out: dict[str, str] = {}
    for n in names:
        t = clean_tag(n)
        if t and tag_key(t) not in out:
            out[tag_key(t)] = t
    return list(out.values())


def split_tags(text: str | None) -> list[str]:
    """The tags a text lists (``"nlp, pretraining"``: two): one per comma-separated part.

    The one rule for what the user types and for a format's keyword list.  A keyword a file
    gives whole (a RIS ``KW`` line, a MEDLINE term, a braced BibTeX group) is one tag
    (``clean_tag``) and keeps a comma it holds, as a tag made before this rule does: cut
    there, Zotero's MeSH tag "Colitis, Ulcerative/*therapy" would be two meaningless tags."""
    return unique_tags(text.split(TAG_SEPARATOR)) if text else []


def what(p: Paper) -> str:
    """A paper's name in an undo label."""
    text = p.title or (p.abstract or "")[:40] or f"paper {p.id}"
    return repr(text if len(text) <= 50 else text[:49].rstrip() + "…")


# ----------------------------------------------------------------- page rows
class PageRow(NamedTuple):
    """One row of the paper table: what a page query reads (``PAGE_SELECT``)."""

    id: int
    title: str | None
    abstract_head: str | None
    first_author: str | None
    #: (for "Kingma & Ba": ``names.short_authors``)
    second_author: str | None
    n_authors: int | None
    et_al: int
    year: int | None
    date: str | None
    category: str | None
    tags_text: str
    added_at: str
    read: int
    starred: int
    incomplete: int
    needs_review: int
    has_note: int
    #: the record's columns the table offers (hidden by default)
    type: str | None
    citekey: str | None
    journal: str | None
    volume: str | None
    pages: str | None
    publisher: str | None
    doi: str | None


#: How each page-row value is read (a column of the paper ``p`` unless said here).
_PAGE_SQL = {
    "abstract_head": "substr(p.abstract, 1, 160)",
    "first_author": "json_extract(p.authors, '$[0]')",
    "second_author": "json_extract(p.authors, '$[1]')",
    "n_authors": "json_array_length(p.authors)",
    "has_note": "p.note IS NOT NULL AND p.note != ''",
}
PAGE_SELECT = "SELECT " + ", ".join(_PAGE_SQL.get(n, f"p.{n}") for n in PageRow._fields) + " "
