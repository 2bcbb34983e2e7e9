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
