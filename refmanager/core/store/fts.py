"""The search index (FTS5 ``papers_fts``, external content over ``papers``).

Triggers keep it in step with every write (schema v4).  An import writes too
many papers for that: FTS5 flushes its pending terms at the end of every
statement that writes it from a trigger, which was 3/4 of an import's cost.
``deferred()`` indexes an import's new papers in chunks instead, and
rewrites the entries of the papers it changed once, at its end.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from ..fields import FTS_COLUMNS
from .db import Db

log = logging.getLogger(__name__)

#: Page cache while importing, in KiB as PRAGMA cache_size takes it (negative).
IMPORT_CACHE_KIB = -131072
#: FTS5's ``automerge`` while importing: a level's segments are merged when it
#: has this many (FTS5's default, put back after, is 4).  Merging level by level
#: rewrote the terms of a large import several times: ~1 of 6 s of indexing
#: 100,000 papers (10 segments left instead of 4; later writes merge them a little
#: at a time, as FTS5 always does).
IMPORT_AUTOMERGE = 16
FTS5_AUTOMERGE = 4
_COLS = ", ".join(FTS_COLUMNS)


class DeferredIndex:
    """The new papers of one import, indexed when asked (``index_new``)."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def index_new(self) -> None:
        """Index in FTS5 the papers added since the marker (one statement), and
        let the triggers keep them from now on.  A large import calls this every
        ``importing.FTS_CHUNK`` papers, while the next entries are still being
        parsed; a savepoint rolled back takes the marker back with the rows."""
        (above,) = self.db.one("SELECT above_id FROM fts_deferred")
        (top,) = self.db.one("SELECT coalesce(max(id), 0) FROM papers")
        if top > above:
            self.db.execute(
                f"INSERT INTO papers_fts(rowid, {_COLS}) SELECT id, {_COLS} FROM papers WHERE id > ? AND id <= ?",
                (above, top),
            )
            self.db.execute("UPDATE fts_deferred SET above_id = ?", (top,))


class Fts:
    def __init__(self, db: Db) -> None:
        self.db = db

    @contextmanager
    def deferred(self) -> Iterator[DeferredIndex]:
        """Inside one transaction: index the papers added in it in chunks (the
        ``DeferredIndex``), and the ones changed in it once, when it ends.

        The triggers skip papers above ``fts_deferred.above_id`` (schema v4), i.e.
        the ones this import adds; nothing outside the transaction ever sees the
        marker row.  The insert trigger would skip every paper this import adds,
        yet a statement with a trigger keeps a statement journal: it doubled the
        cost of inserting a paper.  The update trigger rewrote the search index
        of a paper merged into at every statement (~1 ms each: a tags-and-notes
        import of 36,000 entries took 20 s).  Both are dropped for the import and
        made again before it commits (DDL is part of the transaction: nobody
        else ever sees the library without them, and a rollback brings them back
        by itself).  Meanwhile a temporary trigger keeps what the index holds of
        each indexed paper that changes (its first old values), and
        ``_reindex_changed`` replaces those entries with two statements.
        """
        db = self.db
        above = db.value("SELECT coalesce(max(id), 0) FROM papers")
        db.execute("INSERT INTO fts_deferred(above_id) VALUES (?)", (above,))
        triggers = dict(db.q(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ('papers_ai', 'papers_au')"
        ))
        for name in triggers:
            db.execute(f"DROP TRIGGER {name}")
        if "papers_au" in triggers:
            db.execute(f"CREATE TEMP TABLE IF NOT EXISTS fts_changed(id INTEGER PRIMARY KEY, {_COLS})")
            db.execute("DELETE FROM temp.fts_changed")
            db.execute(
                f"CREATE TEMP TRIGGER fts_changed_keep AFTER UPDATE OF {_COLS} ON main.papers "
                "WHEN old.id <= (SELECT above_id FROM main.fts_deferred) BEGIN "
                f"INSERT OR IGNORE INTO fts_changed VALUES (old.id, {', '.join('old.' + f for f in FTS_COLUMNS)}); "
                "END"
            )
        index = DeferredIndex(db)
        automerge = db.value("SELECT v FROM papers_fts_config WHERE k = 'automerge'")
        self._set_automerge(IMPORT_AUTOMERGE)
        try:
            # A bigger page cache while importing: the sort and key indexes take new
            # entries all over (about 10% of a 100,000-paper import otherwise).
            with db.pragma("cache_size", IMPORT_CACHE_KIB):
                yield index
                if "papers_au" in triggers:
                    db.execute("DROP TRIGGER temp.fts_changed_keep")
                    self._reindex_changed()
                index.index_new()
                self._set_automerge(FTS5_AUTOMERGE if automerge is None else int(automerge))
                db.execute("DELETE FROM fts_deferred")
                for sql in triggers.values():
                    db.execute(sql)
        finally:
            try:  # (after a failure the rollback that follows takes it back anyway)
                db.execute("DROP TRIGGER IF EXISTS temp.fts_changed_keep")
            except sqlite3.Error:
                pass

    def _set_automerge(self, n: int) -> None:
        self.db.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('automerge', ?)", (n,))

    def _reindex_changed(self) -> None:
        """The search index of the indexed papers an import changed: their old
        entries out (as the index holds them: the values before the first change),
        their current values in."""
        db = self.db
        db.execute(f"INSERT INTO papers_fts(papers_fts, rowid, {_COLS}) SELECT 'delete', id, {_COLS} FROM temp.fts_changed")
        db.execute(
            f"INSERT INTO papers_fts(rowid, {_COLS}) SELECT p.id, {', '.join('p.' + f for f in FTS_COLUMNS)} "
            "FROM papers p JOIN temp.fts_changed USING (id)"
        )
        db.execute("DELETE FROM temp.fts_changed")
