"""A view of the library (section, tags, search, sort), compiled once.

``compile_view`` parses the search and turns the whole view into one
``CompiledView``: its SQL conditions with their parameters, the FTS5
expression, the hint for the user and the planner's flags.  The page, the
count and the note marks of one keystroke all take that object
(``views.Views``; ``planner.Planner`` decides how each is read).  Sort keys
and sections go through allow-lists; every value is a bound parameter.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import RefManagerError
from ..search import parse_query

#: "Recently added" means within this many days.
RECENT_DAYS = 14


@dataclass(frozen=True)
class Section:
    """A part of the library the sidebar lists: its key, its name, and its condition."""

    key: str
    label: str
    where: str


#: The sidebar's sections, in its order.  ``recent``'s ``?`` is the cutoff time.
SECTIONS: tuple[Section, ...] = (
    Section("all", "All papers", "1"),
    Section("unread", "Unread", "p.read = 0"),
    Section("starred", "Starred", "p.starred = 1"),
    Section("incomplete", "Incomplete", "p.incomplete = 1"),
    Section("review", "Needs review", "p.needs_review = 1"),
    Section("recent", "Recently added", "p.added_at >= ?"),
    Section("unfiled", "Unfiled", "p.id NOT IN (SELECT paper_id FROM collection_papers)"),
    Section("trash", "Trash", "1"),
)
SECTION_KEYS = tuple(s.key for s in SECTIONS)
_SECTION = {s.key: s for s in SECTIONS}

#: Sort keys the UI and the command line may ask for, and their SQL.
SORTS: dict[str, str] = {
    "title": "p.sort_title",
    "authors": "p.sort_author",
    "year": "coalesce(p.year, 0)",
    "date": "coalesce(p.date, '')",
    "category": "coalesce(p.category, '')",
    "tags": "p.tags_text",
    "added": "p.added_at",
    "read": "p.read",
    "starred": "p.starred",
    "type": "coalesce(p.type, '')",
    "key": "coalesce(p.citekey, '')",
    "venue": "coalesce(p.journal, '')",
    "volume": "coalesce(p.volume, '')",
    "pages": "coalesce(p.pages, '')",
    "publisher": "coalesce(p.publisher, '')",
    "doi": "coalesce(p.doi, '')",
}

LIVE = "p.trashed_at IS NULL"
TRASHED = "p.trashed_at IS NOT NULL"
FTS_CONDITION = "p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)"
_TAG_CONDITION = (
    "p.id IN (SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
    "WHERE t.name = ? COLLATE NOCASE)"
)


#: The papers of one collection (the parameter: its id), or of it and its subcollections.
COLLECTION_CONDITION = "p.id IN (SELECT paper_id FROM collection_papers WHERE collection_id = ?)"
SUBTREE_CONDITION = (
    "p.id IN (SELECT paper_id FROM collection_papers WHERE collection_id IN (WITH RECURSIVE sub(id) AS "
    "(SELECT ? UNION SELECT c.id FROM collections c JOIN sub ON c.parent_id = sub.id) SELECT id FROM sub))"
)


class SearchError(RefManagerError):
    """SQLite could not run a search: a bug, or a query past one of SQLite's limits."""


@dataclass(frozen=True)
class View:
    """What the table shows: a section, tags, a collection or a saved search, a search and
    a sort."""

    section: str = "all"
    tags: tuple[str, ...] = ()
    search: str = ""
    sort: str = "added"
    descending: bool = True
    #: a collection's papers only (its id); with those of its subcollections when ``subcollections``
    collection: int | None = None
    subcollections: bool = True
    #: a saved search's query, applied with the box's (the box refines a saved search)
    saved: str = ""
    #: "search full text too": a word matches a paper whose record or attached PDFs' text has it
    fulltext: bool = False


@dataclass(frozen=True)
class Condition:
    sql: str
    params: tuple[object, ...] = ()


def where_of(conditions: Sequence[Condition]) -> tuple[str, list[object]]:
    """Conditions joined with AND, and their parameters in order."""
    return " AND ".join(c.sql for c in conditions), [p for c in conditions for p in c.params]


@dataclass(frozen=True)
class CompiledView:
    """A view made ready for SQL once: everything ``page``, ``count`` and
    ``note_hits`` need, as plain data (safe to hand to another thread)."""

    view: View
    #: the view's conditions in order; the first says trash or not
    conditions: tuple[Condition, ...]
    #: which condition is the FTS one (None: no words to match)
    fts_at: int | None
    #: the FTS5 MATCH expression of the search's words
    fts: str | None
    #: the search could not use everything typed: say so under the box
    hint: str | None
    #: every FTS term is cheap to test against one paper (search.ParsedQuery.probe_ok)
    probe_ok: bool
    #: a ``year:`` as a range of dates, in a view sorted by date
    date_range: tuple[str, str | None] | None
    #: the sort key (allow-listed) and its ORDER BY
    sort: str
    order: str
    #: which condition is the view's collection (None: no collection)
    collection_at: int | None = None
    #: some condition reads the PDFs' full text (``search.FULLTEXT_COND``)
    fulltext: bool = False
    #: the FTS5 expression of the words looked for in the full text (``FullText.hits``), or None
    fulltext_terms: str | None = None

    @property
    def live(self) -> bool:
        """Outside the trash (the sort indexes hold these papers only)."""
        return self.conditions[0].sql == LIVE

    @property
    def where(self) -> str:
        return where_of(self.conditions)[0]

    @property
    def params(self) -> list[object]:
        return where_of(self.conditions)[1]

    def others(self) -> list[Condition]:
        """Every condition but the FTS one."""
        return [c for i, c in enumerate(self.conditions) if i != self.fts_at]

    def with_fts_as(self, sql: str) -> list[Condition]:
        """The conditions, with the FTS one written another way (same parameter)."""
        assert self.fts_at is not None
        out = list(self.conditions)
        out[self.fts_at] = Condition(sql, out[self.fts_at].params)
        return out


def recent_cutoff() -> str:
    return (_dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(days=RECENT_DAYS)).isoformat(timespec="seconds")


def compile_view(view: View) -> CompiledView:
    """Parse the view's search once and make its SQL parts."""
    section = _SECTION.get(view.section, _SECTION["all"])
    conds = [Condition(TRASHED if section.key == "trash" else LIVE)]
    if section.where != "1":
        conds.append(Condition(section.where, (recent_cutoff(),) if "?" in section.where else ()))
    conds.extend(Condition(_TAG_CONDITION, (tag,)) for tag in view.tags)
    collection_at = None
    if view.collection is not None:
        collection_at = len(conds)
        conds.append(Condition(SUBTREE_CONDITION if view.subcollections else COLLECTION_CONDITION,
                               (view.collection,)))
    sort = view.sort if view.sort in SORTS else "added"
    direction = "DESC" if view.descending else "ASC"
    fts_at = fts = hint = date_range = fulltext_terms = None
    probe_ok, fulltext = True, False
    search = " ".join(s for s in (view.saved.strip(), view.search.strip()) if s)
    if search:
        q = parse_query(search, date_sorted=sort == "date", fulltext=view.fulltext)
        hint, probe_ok, date_range = q.hint, q.probe_ok, q.date_range
        fulltext, fulltext_terms = q.fulltext, " OR ".join(q.fulltext_terms) or None
        if q.fts:
            fts, fts_at = q.fts, len(conds)
            conds.append(Condition(FTS_CONDITION, (q.fts,)))
        # q.where and q.params line up one parameter list per condition only in
        # total, so they stay one condition.
        if q.where:
            conds.append(Condition(" AND ".join(q.where), tuple(q.params)))
    return CompiledView(
        view=view, conditions=tuple(conds), fts_at=fts_at, fts=fts, hint=hint, probe_ok=probe_ok,
        date_range=date_range, sort=sort, order=f"ORDER BY {SORTS[sort]} {direction}, p.id {direction}",
        collection_at=collection_at, fulltext=fulltext, fulltext_terms=fulltext_terms,
    )


def compiled(view: View | CompiledView) -> CompiledView:
    return view if isinstance(view, CompiledView) else compile_view(view)
