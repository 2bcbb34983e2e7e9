"""Plain data passed from parsers to the library.

Parsers return ``Entry`` objects: no database ids, no Qt, nothing but what
the file said.  The library decides what is new and what merges.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Split:
    """One way of cutting a glued title/author line, with its score."""

    title: str
    authors: list[str]
    score: float

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "authors": list(self.authors), "score": round(self.score, 3)}


@dataclass
class Entry:
    """One paper as a file describes it."""

    kind: str  # "full", "profile", "json", "bibtex", ...
    line: int  # 1-based line where the entry starts in its file
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    et_al: bool = False
    orgs: list[str] = field(default_factory=list)
    date: str | None = None  # ISO YYYY-MM-DD (or YYYY / YYYY-MM when that is all we know)
    category: str | None = None
    abstract: str | None = None
    arxiv_id: str | None = None
    doi: str | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    incomplete: bool = False
    needs_review: bool = False
    raw_line: str | None = None  # the glued title/author line, as given
    split_confidence: float | None = None
    alt_splits: list[Split] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    note: str | None = None
    read: bool | None = None
    starred: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: the record's key in its file (a BibTeX citation key): within one file two
    #: records with different keys are two papers unless an id says otherwise
    citekey: str | None = None
    #: the bibliographic record (``record.py``): CSL type, publisher, other fields, and the
    #: fields no table knows, by format
    type: str | None = None
    publisher: str | None = None
    record: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        # Field by field rather than ``asdict`` (which deep-copies every value
        # recursively): same keys, same order, ~10x faster on a large import.
        d = {f: getattr(self, f) for f in _ENTRY_FIELDS}
        d["authors"] = list(self.authors)
        d["orgs"] = list(self.orgs)
        d["alt_splits"] = [s.to_json() for s in self.alt_splits]
        d["tags"] = list(self.tags)
        d["extra"] = copy.deepcopy(self.extra)
        d["record"] = copy.deepcopy(self.record)
        d["extras"] = copy.deepcopy(self.extras)
        return d


_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))


@dataclass(frozen=True)
class Problem:
    """A record skipped, or an oddity read with a warning, at a line of its file."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


#: A collection as a file names it: its names from the top (a name may hold "/"; the library
#: makes it "∕", ``store.collections.clean_name``).
GroupPath = tuple[str, ...]


@dataclass
class FileGroups:
    """The collections and saved searches a file describes (JabRef's groups, refmanager JSON),
    as plain data: they cross from the parsing process to the writer, which applies them in
    the import's transaction (so one undo takes them back with the papers)."""

    #: every collection of the file, parents before children, with the line that makes it
    collections: list[tuple[GroupPath, int | None]] = field(default_factory=list)
    #: memberships by entry: (the entry's line, its citation key or "", which entry of that line
    #: and key it is, from 0) -> its collections.  By the entry, not by the paper: an entry merged
    #: into a paper already in the library still puts that paper in its collections.
    members: dict[tuple[int, str, int], list[GroupPath]] = field(default_factory=dict)
    #: saved searches: (name, query in refmanager's search language, line)
    searches: list[tuple[str, str, int | None]] = field(default_factory=list)
    #: annotations of PDFs by entry (refmanager JSON, as ``members``): their JSON objects
    annotations: dict[tuple[int, str, int], list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class LibraryGroups:
    """A library's collections and saved searches, for an export that keeps them."""

    #: every collection's path ("Thesis/Related work"), parents first: empty ones are written too
    paths: list[str] = field(default_factory=list)
    #: each exported paper's collections, by paper id
    of: dict[int, list[str]] = field(default_factory=dict)
    #: (name, query) of every saved search
    searches: list[tuple[str, str]] = field(default_factory=list)
    #: each exported paper's annotations of its PDFs, by paper id (refmanager JSON writes them;
    #: they make no collection or saved search: not counted by ``bool``)
    annotations: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.paths or self.searches)


@dataclass
class ParsedFile:
    """What a parser made of one file.

    In formats made of self-delimiting records a record that cannot be used is
    ``skipped`` (the rest imports); a recoverable oddity is read with a
    ``warnings`` entry.  Both are reported with the file's name.
    """

    format: str
    entries: list[Entry]
    owner: str | None = None  # profile listings: whose profile it is
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    #: the collections and saved searches it describes (None: it describes none)
    groups: FileGroups | None = None


@dataclass
class Parsing:
    """A file being parsed entry by entry (a large import writes the first entries
    while later ones are parsed): its format, about how many entries, the entries,
    and the records skipped and warnings, filled in as ``entries`` is read."""

    format: str
    estimate: int
    entries: Iterator[Entry]
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    #: the collections and saved searches (complete once ``entries`` is read to its end)
    groups: FileGroups | None = None
