"""Pages, counts and positions of views, and the sidebar's counts.

Every method takes a ``View`` or the ``CompiledView`` made of it once
(``query.compile_view``); a search SQLite cannot run is a ``SearchError``,
never an empty page.
"""

from __future__ import annotations

import logging
import sqlite3
from array import array
from collections.abc import Sequence

from ..fields import PageRow
from .db import Db
from .planner import Planner
from .query import SECTIONS, SORTS, CompiledView, SearchError, View, compiled, recent_cutoff

log = logging.getLogger(__name__)


class Views:
    """Pages, counts and positions of views (``planner.Planner`` plans the reads)."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self.planner = Planner(db)

    def _failed(self, what: str, cv: CompiledView, e: sqlite3.Error) -> SearchError:
        log.info("%s of %r failed: %s", what, cv.view, e)
        return SearchError(f"the search could not run ({e})")

    def page(self, view: View | CompiledView, offset: int, limit: int) -> list[PageRow]:
        """One page of table rows, sorted and filtered in SQL; SearchError when SQLite refuses."""
        cv = compiled(view)
        try:
            return self.planner.page(cv, offset, limit)
        except sqlite3.OperationalError as e:
            raise self._failed("page", cv, e) from None

    def count(self, view: View | CompiledView) -> int:
        cv = compiled(view)
        try:
            return self.planner.count(cv)
        except sqlite3.OperationalError as e:
            raise self._failed("count", cv, e) from None

    def ids(self, view: View | CompiledView, limit: int | None = None, offset: int = 0, *,
            compact: bool = False) -> Sequence[int]:
        """The view's paper ids in its order: a list, or with ``compact`` an ``array`` of 8 bytes an
        id read a slice of rows at a time (a list of 1,000,000 ids and the rows it was made from
        held ~120 MB at once: the command line's dumps use the array)."""
        cv = compiled(view)
        sql = f"SELECT p.id FROM papers p WHERE {cv.where} {cv.order}"
        params = cv.params
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = [*params, limit, offset]
        try:
            if not compact:
                return [pid for (pid,) in self.db.q(sql, params)]
            cur = self.db.conn.execute(sql, params)
            out = array("q")
            while rows := cur.fetchmany(10_000):
                out.extend(pid for (pid,) in rows)
            return out
        except sqlite3.OperationalError as e:
            raise self._failed("ids", cv, e) from None

    def row_of(self, view: View | CompiledView, pid: int) -> int | None:
        """Position of a paper in a view (for keeping the selection)."""
        cv = compiled(view)
        expr = SORTS[cv.sort]
        r = self.db.one(f"SELECT {expr} FROM papers p WHERE p.id = ?", (pid,))
        if r is None:
            return None
        op = ">" if cv.view.descending else "<"
        where, params = cv.where, cv.params
        try:
            n = self.db.value(
                f"SELECT count(*) FROM papers p WHERE {where} AND ({expr} {op} ? OR ({expr} = ? AND p.id {op} ?))",
                [*params, r[0], r[0], pid],
            )
            found = self.db.one(f"SELECT 1 FROM papers p WHERE {where} AND p.id = ?", [*params, pid])
        except sqlite3.OperationalError as e:
            raise self._failed("row_of", cv, e) from None
        return n if found else None

    def row_ranges(self, view: View | CompiledView, ids: Sequence[int]) -> list[tuple[int, int]]:
        """The rows of many papers in a view as (first, last) runs, in order.

        Selecting the papers of a large import: a million rows become one run or
        a few, found by SQLite (a Python sort of a million rows holds the
        interpreter lock for ~100 ms, and the window's thread waits for it)."""
        if not ids:
            return []
        cv = compiled(view)
        db = self.db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_ids (id INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM wanted_ids")
        db.executemany("INSERT OR IGNORE INTO wanted_ids(id) VALUES (?)", ((i,) for i in ids))
        try:
            return [(lo, hi) for lo, hi in db.q(
                f"WITH w AS (SELECT id, rn FROM (SELECT p.id AS id, row_number() OVER ({cv.order}) - 1 AS rn "
                f"FROM papers p WHERE {cv.where}) WHERE id IN (SELECT id FROM wanted_ids)) "
                "SELECT min(rn), max(rn) FROM (SELECT rn, rn - row_number() OVER (ORDER BY rn) AS run FROM w) "
                "GROUP BY run ORDER BY 1",
                cv.params,
            )]
        except sqlite3.OperationalError as e:
            raise self._failed("row_ranges", cv, e) from None
        finally:
            db.execute("DELETE FROM wanted_ids")
            if db.conn.in_transaction:
                db.conn.commit()

    def note_hits(self, view: View | CompiledView, ids: Sequence[int]) -> set[int]:
        """Which of these papers the view's search matches in their note (shown in the table)."""
        cv = compiled(view)
        # (with "search full text too", the words are conditions of their own: any in the note)
        fts = cv.fts or (cv.fulltext_terms if cv.view.fulltext else None)
        if not fts or not ids:
            return set()
        marks = ",".join("?" * len(ids))
        try:
            return {pid for (pid,) in self.db.q(
                f"SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? AND rowid IN ({marks})",
                ["note : (" + fts + ")", *ids],
            )}
        except sqlite3.OperationalError as e:
            raise self._failed("note_hits", cv, e) from None

    def counts(self) -> dict[str, int]:
        """Papers in each sidebar section."""
        live = [s for s in SECTIONS if s.key not in ("trash", "unfiled")]
        r = self.db.one(
            "SELECT " + ", ".join(f"sum({s.where.replace('p.', '')})" for s in live)
            + " FROM papers WHERE trashed_at IS NULL",
            (recent_cutoff(),),
        )
        out = {s.key: int(v or 0) for s, v in zip(live, r)}
        # Unfiled: the papers outside the trash less those in a collection, counted in the
        # collections' index (asking it about every paper doubled the time of these counts).
        filed = self.db.value("SELECT count(DISTINCT paper_id) FROM collection_papers") or 0
        filed_trashed = self.db.value(
            "SELECT count(DISTINCT cp.paper_id) FROM papers p INDEXED BY papers_trashed JOIN collection_papers cp "
            "ON cp.paper_id = p.id WHERE p.trashed_at IS NOT NULL") or 0
        out["unfiled"] = out["all"] - (filed - filed_trashed)
        out["trash"] = self.db.value("SELECT count(*) FROM papers WHERE trashed_at IS NOT NULL")
        return {s.key: out[s.key] for s in SECTIONS}
