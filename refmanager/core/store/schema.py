"""The library's schema, versioned: ``MIGRATIONS[n]`` takes a library from version n to n+1.

The version lives in ``PRAGMA user_version``.  A library written by a newer
refmanager (higher version) is refused rather than damaged.  The SQL below is
the schema's history: a fresh library runs ``SCHEMA_V1`` and then every
migration, so it gets exactly the tables a migrated one has (the columns and
what each is for: ``fields.FIELDS``).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from ..errors import LibraryError
from ..fields import ABSTRACT_PREFIX_SQL, BY_NAME, ENTRY_COLUMNS
from .schema_sorts import V14_RECORD_SORT_INDEXES

log = logging.getLogger(__name__)

#: Page size of a new library.  A paper row is ~2.4 KB and a source row ~2.5 KB:
#: with SQLite's default 4 KB pages one row fills a page and wastes a third of it.
PAGE_SIZE = 8192


#: The entry columns of schema v6 (its triggers' SQL is history: it never changes).
_V6_ENTRY_COLUMNS = (
    "title", "authors", "et_al", "orgs", "date", "category", "abstract", "arxiv_id", "doi", "journal",
    "incomplete", "needs_review", "raw_line", "split_confidence", "alt_splits",
)


#: The entry columns of schema v7 (its triggers' SQL is history too).
_V7_ENTRY_COLUMNS = (
    "title", "authors", "et_al", "orgs", "date", "category", "abstract", "arxiv_id", "doi", "journal",
    "volume", "issue", "pages", "incomplete", "needs_review", "raw_line", "split_confidence", "alt_splits",
)


#: The columns whose update counts as a change of the paper (schema v8): all but the id,
#: ``read`` and the version itself.
_V8_VERSIONED_COLUMNS = (
    "title", "authors", "authors_text", "et_al", "orgs", "date", "year", "category", "abstract", "arxiv_id", "doi",
    "journal", "volume", "issue", "pages", "tags_text", "note", "note_modified_at", "incomplete", "needs_review",
    "raw_line", "split_confidence", "alt_splits", "starred", "trashed_at", "added_at", "modified_at",
    "edited_fields", "sort_title", "sort_author", "title_key", "abstract_key",
)


#: The columns whose update counts as a change of the paper (schema v10).
_V10_VERSIONED_COLUMNS = _V8_VERSIONED_COLUMNS + ("type", "publisher", "record", "extras", "citekey", "citekey_aliases")


def _version_trigger(columns: tuple[str, ...]) -> str:
    """A paper's version counts its real changes to ``columns`` (schema v9, v10): a write
    leaving every value as it was is none."""
    changed = " OR ".join(f"new.{c} IS NOT old.{c}" for c in columns)
    return f"""DROP TRIGGER IF EXISTS papers_version;
CREATE TRIGGER papers_version AFTER UPDATE OF {", ".join(columns)} ON papers
WHEN new.version = old.version AND ({changed})
BEGIN
    UPDATE papers SET version = old.version + 1 WHERE id = new.id;
END;"""


def entry_json_sql(kind: str, line: str, p: str, columns: tuple[str, ...] = ENTRY_COLUMNS,
                   citekey: bool = True, record: bool = True) -> str:
    """SQL for ``Entry.to_json()`` of the entry a paper row was made from
    (``p`` prefixes the paper's columns): rows.entry_json_from_row in SQL."""

    def value(col: str) -> str:
        store = BY_NAME[col].store
        if store == "bool":
            return f"json(CASE WHEN {p}{col} THEN 'true' ELSE 'false' END)"
        if store == "list":
            return f"json({p}{col})"
        if store == "json":
            return f"json(coalesce({p}{col}, '[]'))"
        return f"{p}{col}"

    fields = ", ".join(f"'{c}', {value(c)}" for c in columns)
    key = ", 'citekey', NULL" if citekey else ""
    if record:  # (schema v10: an entry a paper row holds has no record fields of its own)
        key += ", 'type', NULL, 'publisher', NULL, 'record', json('{}'), 'extras', json('{}')"
    return (
        f"json_object('kind', {kind}, 'line', {line}, {fields}, 'tags', json('[]'), 'note', NULL, "
        f"'read', NULL, 'starred', NULL, 'extra', json('{{}}'){key})"
    )


def _entry_triggers(columns: tuple[str, ...], citekey: bool, record: bool = False) -> str:
    """The two triggers that write a source's entry out before its paper row changes."""
    return f"""
CREATE TRIGGER IF NOT EXISTS sources_entry_before_paper_update
BEFORE UPDATE OF {", ".join(columns)} ON papers
WHEN EXISTS (SELECT 1 FROM sources WHERE paper_id = old.id AND data IS NULL) BEGIN
    UPDATE sources SET data = {entry_json_sql("kind", "line", "old.", columns, citekey, record)}
    WHERE paper_id = old.id AND data IS NULL;
END;
CREATE TRIGGER IF NOT EXISTS sources_entry_on_move AFTER UPDATE OF paper_id ON sources
WHEN old.data IS NULL AND new.data IS NULL AND new.paper_id IS NOT old.paper_id BEGIN
    UPDATE sources SET data = (
        SELECT {entry_json_sql("old.kind", "old.line", "p.", columns, citekey, record)} FROM papers p WHERE p.id = old.paper_id
    ) WHERE id = new.id;
END;
"""


SCHEMA_V1 = r"""
CREATE TABLE papers (
    id INTEGER PRIMARY KEY,
    title TEXT,
    authors TEXT NOT NULL DEFAULT '[]',
    authors_text TEXT NOT NULL DEFAULT '',
    et_al INTEGER NOT NULL DEFAULT 0,
    orgs TEXT NOT NULL DEFAULT '[]',
    date TEXT,
    year INTEGER,
    category TEXT,
    abstract TEXT,
    arxiv_id TEXT,
    doi TEXT,
    journal TEXT,
    incomplete INTEGER NOT NULL DEFAULT 0,
    needs_review INTEGER NOT NULL DEFAULT 0,
    raw_line TEXT,
    split_confidence REAL,
    alt_splits TEXT,
    read INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    trashed_at TEXT,
    added_at TEXT NOT NULL,
    modified_at TEXT NOT NULL,
    tags_text TEXT NOT NULL DEFAULT '',
    note TEXT,
    note_modified_at TEXT,
    edited_fields TEXT NOT NULL DEFAULT '[]',
    sort_title TEXT NOT NULL DEFAULT '',
    sort_author TEXT NOT NULL DEFAULT '',
    title_key TEXT,
    abstract_key TEXT
);
CREATE UNIQUE INDEX papers_arxiv_id ON papers(arxiv_id) WHERE arxiv_id IS NOT NULL;
CREATE INDEX papers_doi ON papers(doi COLLATE NOCASE) WHERE doi IS NOT NULL;
CREATE INDEX papers_title_key ON papers(title_key) WHERE title_key IS NOT NULL;
CREATE INDEX papers_abstract_key ON papers(abstract_key) WHERE abstract_key IS NOT NULL;
CREATE INDEX papers_sort_title ON papers(sort_title, id);
CREATE INDEX papers_sort_author ON papers(sort_author, id);
CREATE INDEX papers_sort_year ON papers(coalesce(year, 0), id);
CREATE INDEX papers_sort_date ON papers(coalesce(date, ''), id);
CREATE INDEX papers_sort_category ON papers(coalesce(category, ''), id);
CREATE INDEX papers_sort_added ON papers(added_at, id);
CREATE INDEX papers_sort_read ON papers(read, id);
CREATE INDEX papers_sort_starred ON papers(starred, id);
CREATE INDEX papers_trashed ON papers(trashed_at) WHERE trashed_at IS NOT NULL;
CREATE INDEX papers_incomplete ON papers(incomplete) WHERE incomplete = 1;
CREATE INDEX papers_review ON papers(needs_review) WHERE needs_review = 1;

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    color TEXT
);
CREATE TABLE paper_tags (
    paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (paper_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX paper_tags_by_tag ON paper_tags(tag_id, paper_id);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    label TEXT NOT NULL,
    report TEXT
);
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
    import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL,
    file TEXT,
    line INTEGER,
    kind TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    data TEXT,
    added_at TEXT NOT NULL
);
CREATE INDEX sources_paper ON sources(paper_id);
CREATE INDEX sources_fingerprint ON sources(fingerprint);

CREATE TABLE names (key TEXT PRIMARY KEY) WITHOUT ROWID;

CREATE TABLE undo_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    label TEXT NOT NULL,
    undone INTEGER NOT NULL DEFAULT 0,
    before TEXT NOT NULL,
    after TEXT NOT NULL
);

CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);

CREATE VIRTUAL TABLE papers_fts USING fts5(
    title, authors_text, abstract, tags_text, note,
    content='papers', content_rowid='id',
    prefix='1 2 3',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER papers_ai AFTER INSERT ON papers BEGIN
    INSERT INTO papers_fts(rowid, title, authors_text, abstract, tags_text, note)
    VALUES (new.id, new.title, new.authors_text, new.abstract, new.tags_text, new.note);
END;
CREATE TRIGGER papers_ad AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, authors_text, abstract, tags_text, note)
    VALUES ('delete', old.id, old.title, old.authors_text, old.abstract, old.tags_text, old.note);
END;
CREATE TRIGGER papers_au AFTER UPDATE OF title, authors_text, abstract, tags_text, note ON papers BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, authors_text, abstract, tags_text, note)
    VALUES ('delete', old.id, old.title, old.authors_text, old.abstract, old.tags_text, old.note);
    INSERT INTO papers_fts(rowid, title, authors_text, abstract, tags_text, note)
    VALUES (new.id, new.title, new.authors_text, new.abstract, new.tags_text, new.note);
END;
"""

#: Each entry upgrades from version ``index + 1`` to ``index + 2``.  A fresh
#: library runs ``SCHEMA_V1`` and then every migration, so each must end in ``;``.
MIGRATIONS: list[str] = [
    # v1 -> v2: arXiv API responses, so a second lookup makes no request (arxiv_api.py).
    """
CREATE TABLE arxiv_cache (url TEXT PRIMARY KEY, fetched_at TEXT NOT NULL, body TEXT NOT NULL);
""",
    # v2 -> v3: fixing the library by hand (issue 8, core/editing.py).  Only new tables, each
    # ``IF NOT EXISTS``, so the step is safe to run twice.
    # ``alternatives``: imported values the user replaced or kept out, one row per (paper, field,
    #   JSON value); a title's ``title_key`` lets a later import still find the paper;
    # ``merges``: one row per merge with full snapshots, so a merge can be split again;
    # ``not_duplicates``: pairs the user said are different papers (a < b; no foreign keys, so an
    #   undo may restore them in any order; a trigger drops them with the paper);
    # ``attachments``: files copied beside the library (path relative to it) or linked in place.
    """
CREATE TABLE IF NOT EXISTS alternatives (
    id INTEGER PRIMARY KEY,
    paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    title_key TEXT,
    UNIQUE (paper_id, field, value)
);
CREATE INDEX IF NOT EXISTS alternatives_title_key ON alternatives(title_key) WHERE title_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS merges (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kept_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
    merged_ids TEXT NOT NULL,
    kept_before TEXT NOT NULL,
    kept_after TEXT NOT NULL,
    merged TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS merges_kept ON merges(kept_id);
CREATE TABLE IF NOT EXISTS not_duplicates (
    a INTEGER NOT NULL,
    b INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS not_duplicates_b ON not_duplicates(b);
CREATE TRIGGER IF NOT EXISTS papers_ad_not_duplicates AFTER DELETE ON papers BEGIN
    DELETE FROM not_duplicates WHERE a = old.id OR b = old.id;
END;
CREATE TABLE IF NOT EXISTS attachments (
    id INTEGER PRIMARY KEY,
    paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('copy', 'link')),
    added_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attachments_paper ON attachments(paper_id);
""",
    # v3 -> v4: performance at scale (issue 5, docs/benchmarks.md).  Matching by abstract looks
    # at the first 40 characters (library.MIN_PREFIX_CHARS): index those, not whole abstracts (the
    # old index was a second copy of every abstract), plus a small index of the untitled papers,
    # the only ones a titled entry can merge into by abstract.
    # The sort indexes hold the papers outside the trash only (every view but the trash's): the
    # table's first page and the pages deeper down walk the index without reading each row to
    # check ``trashed_at``; "tags" gets one too.  ``papers_live_filter`` holds, by id, every column
    # a view's conditions look at: counts and search pages check them there, not in the rows.
    # FTS5 keeps up to 32 MB of new terms in memory before writing a segment (default 1 MB):
    # a third less work to index an import.
    # The FTS triggers skip papers above ``fts_deferred.above_id`` while a row exists there: an
    # import (one transaction) inserts that row, writes its papers, indexes them with one
    # INSERT ... SELECT and deletes the row before committing.  Writing FTS5 from a trigger
    # flushes its pending terms at every statement, which made FTS 3/4 of the import's cost.
    f"""
DROP INDEX IF EXISTS papers_abstract_key;
CREATE INDEX IF NOT EXISTS papers_abstract_prefix ON papers({ABSTRACT_PREFIX_SQL});
CREATE INDEX IF NOT EXISTS papers_abstract_prefix_untitled ON papers({ABSTRACT_PREFIX_SQL})
    WHERE title IS NULL;
DROP INDEX IF EXISTS papers_sort_title;
DROP INDEX IF EXISTS papers_sort_author;
DROP INDEX IF EXISTS papers_sort_year;
DROP INDEX IF EXISTS papers_sort_date;
DROP INDEX IF EXISTS papers_sort_category;
DROP INDEX IF EXISTS papers_sort_added;
DROP INDEX IF EXISTS papers_sort_read;
DROP INDEX IF EXISTS papers_sort_starred;
CREATE INDEX IF NOT EXISTS papers_live_title ON papers(sort_title, id) WHERE trashed_at IS NULL;
CREATE INDEX IF NOT EXISTS papers_live_author ON papers(sort_author, id) WHERE trashed_at IS NULL;
CREATE INDEX IF NOT EXISTS papers_live_year ON papers(coalesce(year, 0), id) WHERE trashed_at IS NULL;
CREATE INDEX IF NOT EXISTS papers_live_date ON papers(coalesce(date, ''), id) WHERE trashed_at IS NULL;
CREATE INDEX IF NOT EXISTS papers_live_category ON papers(coalesce(category, ''), id)
    WHERE trashed_at IS NULL;
CREATE INDEX IF NOT EXISTS papers_live_tags ON papers(tags_text, id) WHERE trashed_at IS NULL;
CREATE INDEX IF NOT EXISTS papers_live_added ON papers(added_at, id) WHERE trashed_at IS NULL;
CREATE INDEX IF NOT EXISTS papers_live_read ON papers(read, id) WHERE trashed_at IS NULL;
CREATE INDEX IF NOT EXISTS papers_live_starred ON papers(starred, id) WHERE trashed_at IS NULL;
CREATE INDEX IF NOT EXISTS papers_live_filter
    ON papers(id, added_at, year, category, read, starred, incomplete, needs_review)
    WHERE trashed_at IS NULL;
CREATE TABLE IF NOT EXISTS fts_deferred (above_id INTEGER NOT NULL);
INSERT INTO papers_fts(papers_fts, rank) VALUES ('hashsize', 33554432);
DROP TRIGGER IF EXISTS papers_ai;
DROP TRIGGER IF EXISTS papers_ad;
DROP TRIGGER IF EXISTS papers_au;
CREATE TRIGGER papers_ai AFTER INSERT ON papers
WHEN NOT EXISTS (SELECT 1 FROM fts_deferred WHERE new.id > above_id) BEGIN
    INSERT INTO papers_fts(rowid, title, authors_text, abstract, tags_text, note)
    VALUES (new.id, new.title, new.authors_text, new.abstract, new.tags_text, new.note);
END;
CREATE TRIGGER papers_ad AFTER DELETE ON papers
WHEN NOT EXISTS (SELECT 1 FROM fts_deferred WHERE old.id > above_id) BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, authors_text, abstract, tags_text, note)
    VALUES ('delete', old.id, old.title, old.authors_text, old.abstract, old.tags_text, old.note);
END;
CREATE TRIGGER papers_au AFTER UPDATE OF title, authors_text, abstract, tags_text, note ON papers
WHEN NOT EXISTS (SELECT 1 FROM fts_deferred WHERE old.id > above_id) BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, authors_text, abstract, tags_text, note)
    VALUES ('delete', old.id, old.title, old.authors_text, old.abstract, old.tags_text, old.note);
    INSERT INTO papers_fts(rowid, title, authors_text, abstract, tags_text, note)
    VALUES (new.id, new.title, new.authors_text, new.abstract, new.tags_text, new.note);
END;
""",
    # v4 -> v5: ``year:`` is searched as a range of dates too (search.py), so that a view sorted
    # by date starts its walk of the date index at that year; the filter index holds the date
    # for those conditions.  (``abstract_key`` holds only the key's first 40 characters in
    # papers written from now on: all the prefix index needs; longer keys stay valid.)
    """
DROP INDEX IF EXISTS papers_live_filter;
CREATE INDEX papers_live_filter
    ON papers(id, added_at, year, date, category, read, starred, incomplete, needs_review)
    WHERE trashed_at IS NULL;
""",
    # v5 -> v6: a source whose ``data`` is NULL is the paper row as the import added it
    # (rows.row_holds_entry: a full listing's entry repeated its abstract, title and splits in
    # its JSON, a third of a large import's writing).  Two triggers keep that true: before any
    # entry column of the paper changes, and when the source moves to another paper (a merge,
    # a split), they write the entry out from the paper's values.  Readers build the same
    # object from the row (rows.entry_json_from_row).
    _entry_triggers(_V6_ENTRY_COLUMNS, citekey=False),
    # v6 -> v7: the bibliographic record's volume, issue and pages (issue 15: a title match
    # merges only when they agree), entry columns like the others: the triggers of v6 are
    # made again with them.  (An entry's citation key is kept in its source's JSON.)
    "ALTER TABLE papers ADD COLUMN volume TEXT;\n"
    "ALTER TABLE papers ADD COLUMN issue TEXT;\n"
    "ALTER TABLE papers ADD COLUMN pages TEXT;\n"
    "DROP TRIGGER IF EXISTS sources_entry_before_paper_update;\n"
    "DROP TRIGGER IF EXISTS sources_entry_on_move;\n"
    + _entry_triggers(_V7_ENTRY_COLUMNS, citekey=True),
    # v7 -> v8: undo by change (store/changes.py) and other writers seen (issue 16).  A paper's
    # ``version`` counts its changes (all but marking it read: not an undoable action, and no
    # conflict for anyone); the trigger bumps it after any other update, whoever writes.  An
    # undo record keeps what its action changed (``change``), the note-typing session it
    # belongs to (``session``) and its size (the history's size policy).
    f"""
ALTER TABLE papers ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER papers_version AFTER UPDATE OF {", ".join(_V8_VERSIONED_COLUMNS)} ON papers
WHEN new.version = old.version BEGIN
    UPDATE papers SET version = old.version + 1 WHERE id = new.id;
END;
ALTER TABLE undo_log ADD COLUMN change TEXT;
ALTER TABLE undo_log ADD COLUMN session TEXT;
ALTER TABLE undo_log ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
UPDATE undo_log SET size = length(before) + length(after);
""",
    # v8 -> v9: a write that leaves every value as it was (untagging a tag the paper does
    # not have rewrites its tags' text) is no change: the version counts real changes only,
    # so that an import's undo can tell a paper left as the import made it.
    f"""
{_version_trigger(_V8_VERSIONED_COLUMNS)}
""",
    # v9 -> v10: the bibliographic record (issue 17, ``core/record.py``): the CSL item type
    # (existing papers: a journal article when they name a journal and no arXiv id, else a
    # preprint), the publisher, the other common fields and the fields kept as they came
    # (JSON objects), the citation key (unique without regard to case; existing papers get
    # theirs when the library is first opened by this version: ``CiteKeys.fill_missing``,
    # the key their BibTeX file gave, else the key exports have been writing) and the keys
    # of papers merged into it.  The version counts changes to the new columns too.
    f"""
ALTER TABLE papers ADD COLUMN type TEXT;
ALTER TABLE papers ADD COLUMN publisher TEXT;
ALTER TABLE papers ADD COLUMN record TEXT NOT NULL DEFAULT '{{}}';
ALTER TABLE papers ADD COLUMN extras TEXT NOT NULL DEFAULT '{{}}';
ALTER TABLE papers ADD COLUMN citekey TEXT;
ALTER TABLE papers ADD COLUMN citekey_aliases TEXT NOT NULL DEFAULT '[]';
UPDATE papers SET type = CASE WHEN journal IS NOT NULL AND arxiv_id IS NULL THEN 'article-journal' ELSE 'article' END;
CREATE UNIQUE INDEX papers_citekey ON papers(citekey COLLATE NOCASE);
DROP TRIGGER IF EXISTS sources_entry_before_paper_update;
DROP TRIGGER IF EXISTS sources_entry_on_move;
{_entry_triggers(_V7_ENTRY_COLUMNS, citekey=True, record=True)}
{_version_trigger(_V10_VERSIONED_COLUMNS)}
""",
    # v10 -> v11: collections and saved searches (issue 18, ``store/collections.py``).  A
    # collection has a parent (none: at the top), a name unique among its siblings without
    # regard to case, and any number of papers; deleting one deletes its subcollections and
    # their memberships, never a paper.  Ids are never reused (AUTOINCREMENT): a merge's snapshot names
    # the collections its papers were in, and a split long after must not put a paper in a collection
    # made since with a deleted one's id.  A saved search is a name and a query of the search
    # language, evaluated when shown (live).
    """
CREATE TABLE collections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id INTEGER REFERENCES collections(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX collections_sibling_name ON collections(coalesce(parent_id, 0), name COLLATE NOCASE);
CREATE INDEX collections_parent ON collections(parent_id);
CREATE TABLE collection_papers (
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
    PRIMARY KEY (collection_id, paper_id)
) WITHOUT ROWID;
CREATE INDEX collection_papers_paper ON collection_papers(paper_id);
CREATE TABLE saved_searches (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL
);
""",
    # v11 -> v12: the full text of attached PDFs (issue 19, ``store/fulltext.py``).  One row per
    # page (``page`` from 1) and an FTS5 index over them, external content kept by triggers like
    # ``papers_fts`` (same tokenizer and prefix indexes); ``fulltext_state`` says, per attachment,
    # what was read (size, mtime, SHA-256: a changed file is read again), how it went (indexed,
    # failed with its message, pending: asked for again) and when.  No foreign key to
    # ``attachments``: undo puts a paper's attachment rows back by deleting and inserting them
    # (``snapshots._restore_extras``), which would wipe the text at every undo; readers join
    # through ``attachments``, and ``FullText.forget_detached`` deletes what no attachment owns.
    """
CREATE TABLE fulltext_state (
    attachment_id INTEGER PRIMARY KEY,
    size INTEGER,
    mtime_ns INTEGER,
    sha256 TEXT,
    status TEXT NOT NULL CHECK (status IN ('indexed', 'failed', 'pending')),
    message TEXT,
    pages INTEGER NOT NULL DEFAULT 0,
    at TEXT NOT NULL
);
CREATE TABLE fulltext_pages (
    id INTEGER PRIMARY KEY,
    attachment_id INTEGER NOT NULL,
    page INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (attachment_id, page)
);
CREATE VIRTUAL TABLE fulltext_fts USING fts5(
    text,
    content='fulltext_pages', content_rowid='id',
    prefix='1 2 3',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER fulltext_pages_ai AFTER INSERT ON fulltext_pages BEGIN
    INSERT INTO fulltext_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER fulltext_pages_ad AFTER DELETE ON fulltext_pages BEGIN
    INSERT INTO fulltext_fts(fulltext_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER fulltext_pages_au AFTER UPDATE OF text ON fulltext_pages BEGIN
    INSERT INTO fulltext_fts(fulltext_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO fulltext_fts(rowid, text) VALUES (new.id, new.text);
END;
""",
    # v12 -> v13: annotations of PDFs, never written into the file (issue 19, ``store/annotations.py``):
    # a paper's, of a PDF by its content (``file``: SHA-256, so a moved or re-linked copy keeps them);
    # ``page`` from 1, ``rects`` JSON [x, y, w, h] in points from the page's top left, the quote and
    # its offsets on the page.  Part of the paper's snapshot; a change counts on its ``version``.
    # Quotes and comments in FTS5 (``annotation:``); ids never reused (an undo restores by id).
    # ``reading_positions``: the last page read.
    """
CREATE TABLE annotations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
    file TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('highlight', 'note')), page INTEGER NOT NULL CHECK (page >= 1),
    rects TEXT NOT NULL DEFAULT '[]', color TEXT NOT NULL, quote TEXT, char_start INTEGER, char_end INTEGER,
    comment TEXT, created_at TEXT NOT NULL, modified_at TEXT NOT NULL
);
CREATE INDEX annotations_paper ON annotations(paper_id, file, page);
CREATE VIRTUAL TABLE annotations_fts USING fts5(quote, comment, content='annotations', content_rowid='id',
    prefix='1 2 3', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER annotations_ai AFTER INSERT ON annotations BEGIN
    INSERT INTO annotations_fts(rowid, quote, comment) VALUES (new.id, new.quote, new.comment);
    UPDATE papers SET version = version + 1 WHERE id = new.paper_id;
END;
CREATE TRIGGER annotations_ad AFTER DELETE ON annotations BEGIN
    INSERT INTO annotations_fts(annotations_fts, rowid, quote, comment) VALUES ('delete', old.id, old.quote, old.comment);
    UPDATE papers SET version = version + 1 WHERE id = old.paper_id;
END;
CREATE TRIGGER annotations_au AFTER UPDATE ON annotations BEGIN
    INSERT INTO annotations_fts(annotations_fts, rowid, quote, comment) VALUES ('delete', old.id, old.quote, old.comment);
    INSERT INTO annotations_fts(rowid, quote, comment) VALUES (new.id, new.quote, new.comment);
    UPDATE papers SET version = version + 1 WHERE id IN (old.paper_id, new.paper_id);
END;
CREATE TABLE reading_positions (
    paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE, file TEXT NOT NULL, page INTEGER NOT NULL,
    at TEXT NOT NULL, PRIMARY KEY (paper_id, file)
) WITHOUT ROWID;
""",
    V14_RECORD_SORT_INDEXES,  # v13 -> v14: an index for each sort of the record's columns (issue 20)
]

SCHEMA_VERSION = 1 + len(MIGRATIONS)


def open_schema(
    conn: sqlite3.Connection, path: Path, *, readonly: bool, busy_timeout: float,
    before_migration: Callable[[int], object], new: bool = False,
    is_full: Callable[[BaseException], bool] = lambda _e: False,
) -> None:
    """Pragmas, then the migrations an older library needs (``before_migration(version)``
    first: the backup).  Only a ``new`` file (one this program has just made, or a library in
    memory) gets the tables; any other file without them is refused, an empty one included
    (the user may have pointed at the wrong file), and is never written to.  ``is_full(e)``:
    the disk is full, so a library still in rollback-journal mode is read as it is."""
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise LibraryError(
            f"{path}: written by a newer refmanager (library version {version}, "
            f"this program reads up to {SCHEMA_VERSION}); please upgrade refmanager"
        )
    if version == 0 and not new:
        raise LibraryError(not_a_library(conn, path))
    if readonly:
        return
    if version == 0:
        # A new file (ignored by SQLite for an existing one): see PAGE_SIZE.
        conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error as e:
            if not is_full(e):
                raise
            log.info("%s: the disk is full: the library stays in its journal mode for now (%s)", path, e)
    conn.execute("PRAGMA synchronous=NORMAL")
    if version == 0:
        create_tables(conn)
        log.info("created library %s", path)
    elif version < SCHEMA_VERSION:
        before_migration(version)
        migrate(conn, path, version)


def create_tables(conn: sqlite3.Connection) -> None:
    """A fresh library's tables, the same as a migrated one's: v1, then every migration."""
    conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
    script = SCHEMA_V1 + "\n".join(MIGRATIONS) + f"PRAGMA user_version={SCHEMA_VERSION};"
    conn.executescript("BEGIN;" + script + "COMMIT;")


def not_a_library(conn: sqlite3.Connection, path: Path) -> str:
    """Why a file SQLite reads (schema version 0) is not a library: empty, or another program's."""
    if conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None:
        try:
            empty = path.stat().st_size == 0
        except OSError:
            empty = False
        if empty:
            return f"{path}: not a refmanager library (the file is empty)"
    return f"{path}: an SQLite file, but not a refmanager library"


def migrate(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """Upgrade step by step, each step one transaction."""
    for v in range(version, SCHEMA_VERSION):
        log.info("migrating %s from schema %d to %d", path, v, v + 1)
        try:
            conn.executescript("BEGIN;" + MIGRATIONS[v - 1] + f"PRAGMA user_version={v + 1};COMMIT;")
        except sqlite3.Error:
            # One step, one transaction: a failing step leaves the file at version v.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
