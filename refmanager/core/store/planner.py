"""How a page or a count of a view is read: the query planner.

SQLite plans a search well when its words are rare and badly when they are
everywhere (``g``, ``ge`` while typing in a large library): it cannot tell
"g" from "quokka", so it reads every matching row to sort them.  ``page``
looks at the first matches in rowid order (cheap: FTS5 stops early) and picks
one of ``PAGE_STRATEGIES``; each gives exactly the rows SQLite's own plan
gives, in the same order, and the tests compare them on every view.
Measurements behind the thresholds: ``docs/benchmarks.md``.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from ..fields import PAGE_SELECT, PageRow, dumps
from .db import Db
from .query import FTS_CONDITION, CompiledView, Condition, where_of
from .schema_sorts import RECORD_SORT_INDEXES
from .snapshots import SUBTREE_CTE

log = logging.getLogger(__name__)

#: The sort indexes of the papers outside the trash (schema v4), by sort key.
LIVE_INDEX = {
    "title": "papers_live_title", "authors": "papers_live_author", "year": "papers_live_year",
    "date": "papers_live_date", "category": "papers_live_category", "tags": "papers_live_tags",
    "added": "papers_live_added", "read": "papers_live_read", "starred": "papers_live_starred",
    **{sort: index for sort, (index, _) in RECORD_SORT_INDEXES.items()},  # (schema v14)
}
def _indexed_by(sort: str) -> str:
    """The sort's index (every sort has one since schema v14)."""
    index = LIVE_INDEX.get(sort)
    return f"INDEXED BY {index} " if index else ""


#: Sort orders whose keys ``papers_live_filter`` holds.
FILTER_SORTS = frozenset({"date", "year", "category", "added", "read", "starred"})
_IN_JSON = "p.id IN (SELECT value FROM json_each(?))"
#: The rows of some collections (the parameter: their ids, as JSON).
_MEMBERS_SQL = "SELECT {what} FROM collection_papers WHERE collection_id IN (SELECT value FROM json_each(?))"
#: "Is this paper in one of these collections?", asked for one paper (a walk).
_MEMBER_PROBE = (
    "EXISTS (SELECT 1 FROM collection_papers cp WHERE cp.paper_id = p.id "
    "AND cp.collection_id IN (SELECT value FROM json_each(?)))"
)


@dataclass
class Probe:
    """The first matches of a search in rowid order, and what they show."""

    ids: list[int]
    batch: int
    #: how many matches a rowid-order plan may read before leaving it to SQLite
    budget: int = 20000

    @property
    def all(self) -> bool:
        """They are every match (fewer than asked for)."""
        return len(self.ids) < self.batch


class Planner:
    #: Pages deeper than this are not taken from the FTS index's rowid order.
    FAST_PAGE_MAX_ROWS = 5000
    #: How many matches the rowid-order plan reads before leaving it to SQLite.
    FAST_PAGE_MAX_IDS = 20000
    #: Asking the FTS index about one paper costs about as much as collecting ~220
    #: matches into a list (35 µs vs 0.16 µs each, measured at 100k and 1M).  A walk
    #: passes need * n / matches papers; it probes them when that costs less than
    #: listing every match: matches^2 >= PROBE_COST * need * n.
    PROBE_COST = 256
    #: A collection view's other conditions leave at most this many papers (estimated): counted
    #: from those conditions' side.
    FEW_IN_COLLECTION = 1000
    #: A collection's rows walked in id order for a page: at most this many per page (estimated).
    MEMBERS_WALK_MAX = 20000

    def __init__(self, db: Db) -> None:
        self.db = db

    # --------------------------------------------------------------- pages
    def page(self, cv: CompiledView, offset: int, limit: int) -> list[PageRow]:
        if cv.fts is None and cv.collection_at is not None and cv.live and cv.sort in LIVE_INDEX:
            try:
                rows = self._collection_page(cv, offset, limit)
                if rows is not None:
                    return rows
            except sqlite3.OperationalError as e:  # (a read-only library older than the sort's index)
                log.debug("collection page shortcut not possible: %s", e)
        if cv.fts is not None and cv.live:
            try:
                rows = self._search_page(cv, offset, limit)
                if rows is not None:
                    return rows
            except sqlite3.OperationalError as e:
                # a bad query (SQLite's plan fails the same way, and says so), or a
                # read-only library of an older version without the schema v4 indexes
                log.debug("search page shortcut not possible: %s", e)
        return self.sqlite_page(cv, offset, limit)

    # --------------------------------------------------------- collections
    def collection_ids(self, cv: CompiledView) -> list[int]:
        """The collections a view's collection condition covers (it, and its subcollections
        when the view shows them)."""
        assert cv.collection_at is not None and cv.view.collection is not None
        if not cv.view.subcollections:
            return [cv.view.collection]
        return [i for (i,) in self.db.q(f"WITH RECURSIVE {SUBTREE_CTE} SELECT id FROM subtree",
                                        (cv.view.collection,))]

    def _collection_page(self, cv: CompiledView, offset: int, limit: int) -> list[PageRow] | None:
        """A page of a collection (no words to match): SQLite lists the collection's papers and
        sorts them all (90 ms for 50,000); walking the sort index and asking the collection about
        each paper passed fills a page after ``need * n / members`` papers (0.5 ms).  Walked when
        that is the cheaper, as a search's walk is (``choose``); None leaves it to SQLite."""
        need = offset + limit
        if need > self.FAST_PAGE_MAX_ROWS:
            return None
        est, conds, others = self._collection_estimate(cv)
        n = self.db.value("SELECT max(id) FROM papers") or 1
        if cv.sort == "added" and est >= need:
            members = self.db.value(_MEMBERS_SQL.format(what="count(*)"), (dumps(self.collection_ids(cv)),)) or 0
            if members * need <= self.MEMBERS_WALK_MAX * max(est, 1):
                rows = self.members_by_rowid(cv, offset, limit)
                if rows is not None:
                    return rows
        if est * est >= 4 * need * n:
            return self._walk(cv, conds, offset, limit)
        if others:
            # Few papers pass: SQLite starts from what the other conditions allow (a tag's
            # papers, a year) and asks the collection about those, not the other way round.
            where, params = where_of(conds)
            return self._rows(f"FROM papers p WHERE {where} {cv.order} LIMIT ? OFFSET ?", [*params, limit, offset])
        return None  # (a small collection: SQLite lists its papers and sorts them)

    def members_by_rowid(self, cv: CompiledView, offset: int, limit: int) -> list[PageRow] | None:
        """A page of one collection sorted by date added: the collection's own rows walked in
        paper-id order (ids grow with the date added), each paper's row checked against the
        view's other conditions, until the page is full — never the library's other papers.
        Then proven as ``added_by_rowid`` proves its page (clocks can go back); None: not
        provable, or not one collection."""
        if cv.sort != "added" or cv.collection_at is None or not cv.live:
            return None
        colls = self.collection_ids(cv)
        if len(colls) != 1:
            return None
        desc = cv.view.descending
        order, cmp, later = ("DESC", "<", ">") if desc else ("ASC", ">", "<")
        need = offset + limit
        where, params = where_of([c for i, c in enumerate(cv.conditions) if i != cv.collection_at])
        # (CROSS JOIN: the collection's rows lead, in their primary key's order)
        found = self.db.q(
            f"SELECT p.added_at, p.id FROM collection_papers cp CROSS JOIN papers p ON p.id = cp.paper_id "
            f"WHERE cp.collection_id = ? AND {where} ORDER BY cp.paper_id {order} LIMIT ?",
            [colls[0], *params, need])
        cands = sorted(((a, i) for a, i in found), reverse=desc)
        if len(found) == need and cands:
            # Unseen members have ids beyond the last one walked; any of them sorting before
            # the page's last paper would need a date added beyond that one's.
            if self.db.one(
                f"SELECT 1 FROM papers INDEXED BY papers_live_added WHERE trashed_at IS NULL "
                f"AND added_at {later} ? AND id {cmp} ? LIMIT 1", (cands[-1][0], found[-1][1]),
            ):
                return None
        return self.rows_in_order([pid for _, pid in cands[offset:need]])

    def _collection_estimate(self, cv: CompiledView) -> tuple[float, list[Condition], list[Condition]]:
        """(papers of the collection passing the view's other conditions, estimated; the
        conditions with the collection asked paper by paper; the other conditions)."""
        colls = dumps(self.collection_ids(cv))
        est: float = self.db.value(_MEMBERS_SQL.format(what="count(*)"), (colls,)) or 0
        others = [c for i, c in enumerate(cv.conditions) if i not in (0, cv.collection_at)]
        # (a condition on the words, "-models", lists its matches: as costly as the page itself,
        # so it is left out of the sample and taken to keep half)
        cheap = [c for c in others if "papers_fts" not in c.sql]
        if len(cheap) < len(others):
            est /= 2
        if cheap and est:
            # ... of which this share passes the others (a sample of the members, read in
            # the narrow filter index)
            sample = [pid for (pid,) in self.db.q(_MEMBERS_SQL.format(what="paper_id") + " LIMIT 2000", (colls,))]
            kept = self._in_filter_index([cv.conditions[0], *cheap], sample, "count(*)")[0][0]
            est = est * kept / max(len(sample), 1)
        conds = list(cv.conditions)
        conds[cv.collection_at] = Condition(_MEMBER_PROBE, (colls,))
        return est, conds, others

    def _collection_count(self, cv: CompiledView) -> int:
        """Papers of a collection outside the trash, counted in the collection's rows (not by
        asking it about every paper of the library) minus its papers in the trash (few)."""
        ids = self.collection_ids(cv)
        what = "count(*)" if len(ids) == 1 else "count(DISTINCT paper_id)"
        members = self.db.value(_MEMBERS_SQL.format(what=what), (dumps(ids),)) or 0
        trashed = self.db.value(
            "SELECT count(DISTINCT cp.paper_id) FROM papers p INDEXED BY papers_trashed "
            "JOIN collection_papers cp ON cp.paper_id = p.id WHERE p.trashed_at IS NOT NULL "
            "AND cp.collection_id IN (SELECT value FROM json_each(?))", (dumps(ids),)) or 0
        return int(members - trashed)

    def _rows(self, sql: str, params: list[object]) -> list[PageRow]:
        return [PageRow(*r) for r in self.db.q(PAGE_SELECT + sql, params)]

    def sqlite_page(self, cv: CompiledView, offset: int, limit: int) -> list[PageRow]:
        """SQLite's own plan (the reference every other strategy equals)."""
        return self._rows(f"FROM papers p WHERE {cv.where} {cv.order} LIMIT ? OFFSET ?", [*cv.params, limit, offset])

    def rows_in_order(self, ids: list[int]) -> list[PageRow]:
        """The table rows of these papers, in this order (ids of papers that exist)."""
        got = {r.id: r for r in self._rows(f"FROM papers p WHERE {_IN_JSON}", [dumps(ids)])}
        return [got[pid] for pid in ids if pid in got]

    def _search_page(self, cv: CompiledView, offset: int, limit: int) -> list[PageRow] | None:
        """A page of a search outside the trash, by the strategy the first matches
        call for; None when the shortcut cannot be proven right."""
        need = offset + limit
        batch = max(2 * need, 256)
        order = "DESC" if cv.view.descending else "ASC"
        if cv.collection_at is not None:
            # Every strategy starts from the matches or a sort index: the collection is asked
            # about the papers passed (listing its 50,000 papers first cost 10-20 ms a query).
            colls = dumps(self.collection_ids(cv))
            conds = list(cv.conditions)
            conds[cv.collection_at] = Condition(_MEMBER_PROBE, (colls,))
            cv = dataclasses.replace(cv, conditions=tuple(conds))
            # The first matches are read in one batch large enough for the collection's share
            # of the library: a prefix query ("model*") costs ~100 ms at 1M papers whatever its
            # LIMIT, so a second batch doubled the time of a search in a collection.
            members = self.db.value(_MEMBERS_SQL.format(what="count(*)"), (colls,)) or 0
            n = self.db.value("SELECT max(id) FROM papers") or 1
            share = max(members / n, 1 / self.FAST_PAGE_MAX_IDS)
            batch = min(max(batch, int(batch / share)), self.FAST_PAGE_MAX_IDS // 4)
            budget = min(int(self.FAST_PAGE_MAX_IDS / share), 4 * self.FAST_PAGE_MAX_IDS)
        else:
            budget = self.FAST_PAGE_MAX_IDS
        probe = Probe([r[0] for r in self.db.q(
            f"SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? ORDER BY rowid {order} LIMIT ?", (cv.fts, batch)
        )], batch, max(budget, self.FAST_PAGE_MAX_IDS))
        name = self.choose(cv, probe, need)
        log.debug("page of %r: %s", cv.view.search, name)
        return PAGE_STRATEGIES[name](self, cv, probe, offset, limit)

    def choose(self, cv: CompiledView, probe: Probe, need: int) -> str:
        """Which of ``PAGE_STRATEGIES`` reads this page."""
        if probe.all:
            return "few matches"
        if cv.sort == "added" and need <= self.FAST_PAGE_MAX_ROWS:
            return "added by rowid"
        est, n = self._estimate(cv, probe)
        if est * est >= 4 * need * n:
            if est * est >= self.PROBE_COST * need * n and cv.probe_ok:
                return "walk, asking the index"
            return "walk, matches collected"
        return "filter index, sorted there" if cv.sort in FILTER_SORTS else "filter index, then sorted"

    def _estimate(self, cv: CompiledView, probe: Probe) -> tuple[float, int]:
        """(matches passing every condition, papers a walk of the sort index may pass)."""
        ids = probe.ids
        n = self.db.value("SELECT max(id) FROM papers") or 1  # ~ the library's size
        est = len(ids) * n / (abs(ids[0] - ids[-1]) + 1)  # matches, estimated
        others = cv.others()
        if others[1:]:
            # ... of which this share passes the other conditions (read in the
            # narrow filter index for these first matches)
            kept = self._in_filter_index(others, ids, "count(*)")[0][0]
            est = est * max(kept, 1) / len(ids)
        if cv.sort == "date" and cv.date_range is not None:
            # The walk starts at the year asked for: only the papers of those
            # dates are passed (a count in the date index).
            lo, hi = cv.date_range
            n = self.db.value(
                "SELECT count(*) FROM papers INDEXED BY papers_live_date WHERE trashed_at IS NULL "
                "AND coalesce(date, '') >= ?" + (" AND coalesce(date, '') < ?" if hi else ""),
                [lo, hi] if hi else [lo],
            ) or 1
        return est, n

    def _in_filter_index(self, conds: list[Condition], ids: list[int], what: str) -> list[tuple]:
        where, params = where_of(conds)
        return self.db.q(
            f"SELECT {what} FROM papers p INDEXED BY papers_live_filter WHERE {where} AND {_IN_JSON}",
            [*params, dumps(ids)],
        )

    # The strategies.  Each returns the page, or None to leave it to SQLite.
    def few_matches(self, cv: CompiledView, probe: Probe, offset: int, limit: int) -> list[PageRow] | None:
        """The first matches are all of them: read and sort them, without asking
        the FTS index a second time."""
        where, params = where_of(cv.others())
        return self._rows(
            f"FROM papers p WHERE {where} AND {_IN_JSON} {cv.order} LIMIT ? OFFSET ?",
            [*params, dumps(probe.ids), limit, offset],
        )

    def walk_asking(self, cv: CompiledView, probe: Probe, offset: int, limit: int) -> list[PageRow] | None:
        """Many papers to show, every term cheap to test on one paper: walk the sort
        index and ask the FTS index about each paper passed (no list of all matches:
        160 ms for "g" at 1M, 4 ms this way)."""
        conds = cv.with_fts_as("EXISTS (SELECT 1 FROM papers_fts f WHERE papers_fts MATCH ? AND f.rowid = p.id)")
        return self._walk(cv, conds, offset, limit)

    def walk_collecting(self, cv: CompiledView, probe: Probe, offset: int, limit: int) -> list[PageRow] | None:
        """Many papers to show: walk the sort index and keep the matching ones (a
        short walk when they are dense), the matches collected once; "+" keeps
        them a filter (SQLite would skip-scan the sort index once per match:
        minutes at 1M)."""
        return self._walk(cv, cv.with_fts_as("+" + FTS_CONDITION), offset, limit)

    def _walk(self, cv: CompiledView, conds: list[Condition], offset: int, limit: int) -> list[PageRow]:
        where, params = where_of(conds)
        return self._rows(
            f"FROM papers p {_indexed_by(cv.sort)}WHERE {where} {cv.order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )

    def filter_sorted(self, cv: CompiledView, probe: Probe, offset: int, limit: int) -> list[PageRow] | None:
        """Few papers to show, in an order the filter index holds (schema v5): found
        and sorted there (no rows read), then only the page's rows are read."""
        want = [pid for (pid,) in self.db.q(
            f"SELECT p.id FROM papers p INDEXED BY papers_live_filter WHERE {cv.where} {cv.order} LIMIT ? OFFSET ?",
            [*cv.params, limit, offset],
        )]
        return self.rows_in_order(want)

    def filter_then_sort(self, cv: CompiledView, probe: Probe, offset: int, limit: int) -> list[PageRow] | None:
        """Few papers to show: found in the filter index, then just those read and sorted."""
        found = [pid for (pid,) in self.db.q(
            f"SELECT p.id FROM papers p INDEXED BY papers_live_filter WHERE {cv.where}", cv.params
        )]
        return self._rows(f"FROM papers p WHERE {_IN_JSON} {cv.order} LIMIT ? OFFSET ?", [dumps(found), limit, offset])

    def added_by_rowid(self, cv: CompiledView, probe: Probe, offset: int, limit: int) -> list[PageRow] | None:
        """Sorted by date added: ids grow with it (a paper gets the next id when it
        is added), so the matches in rowid order are the candidates.  Take them in
        growing batches until the page is full, then prove that no paper further
        along in rowid order was added later (clocks can go back)."""
        desc = cv.view.descending
        order, cmp = ("DESC", "<") if desc else ("ASC", ">")
        need = offset + limit
        ids, batch = probe.ids, probe.batch
        cands: list[tuple[str, int]] = []  # (added_at, id) of the matches that qualify
        seen = 0
        while True:
            seen += len(ids)
            # The other conditions, checked in the narrow filter index: no rows read.
            cands.extend(self._in_filter_index(cv.others(), ids, "p.added_at, p.id"))
            exhausted = len(ids) < batch
            if exhausted or len(cands) >= need:
                break
            # The next batch: enough to fill the page at the share kept so far.
            kept = max(len(cands), 1) / seen
            batch = max(4 * batch, int(2 * (need - len(cands)) / kept))
            if seen + batch > probe.budget:
                if cv.collection_at is not None:
                    # A collection: its own rows in id order, the words' matches listed once
                    # (reading 20x more matches to keep the collection's share cost 200 ms).
                    rows = self.members_by_rowid(cv, offset, limit)
                    if rows is not None:
                        return rows
                # The other conditions are selective (a tag, a rare category): start
                # from the papers they allow, and check the words against the
                # matches ("+" keeps SQLite from starting with the many matches).
                where, params = where_of(cv.with_fts_as("+" + FTS_CONDITION))
                return self._rows(f"FROM papers p WHERE {where} {cv.order} LIMIT ? OFFSET ?", [*params, limit, offset])
            ids = [r[0] for r in self.db.q(
                f"SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? AND rowid {cmp} ? ORDER BY rowid {order} LIMIT ?",
                (cv.fts, ids[-1], batch),
            )]
            if not ids:
                exhausted = True
                break
        cands.sort(reverse=desc)
        cands = cands[:need]
        if not exhausted and cands:
            # Unseen matches have ids beyond ids[-1]; any of them sorting before the
            # last one here would need an added_at beyond that one's.
            later = ">" if desc else "<"
            if self.db.one(
                f"SELECT 1 FROM papers INDEXED BY papers_live_added WHERE trashed_at IS NULL "
                f"AND added_at {later} ? AND id {cmp} ? LIMIT 1",
                (cands[-1][0], ids[-1]),
            ):
                return None
        return self.rows_in_order([pid for _, pid in cands[offset:]])

    # -------------------------------------------------------------- counts
    def count(self, cv: CompiledView) -> int:
        try:
            return self._fast_count(cv)
        except sqlite3.OperationalError as e:
            # e.g. a library opened read-only, written by an older version
            # without the indexes (schema v4): SQLite's plan below.
            log.debug("fast count not possible: %s", e)
        return self.db.value(f"SELECT count(*) FROM papers p WHERE {cv.where}", cv.params)

    def _fast_count(self, cv: CompiledView) -> int:
        if cv.live and cv.collection_at is not None and len(cv.conditions) == 2:
            return self._collection_count(cv)
        if cv.live and cv.collection_at is not None and cv.fts is None:
            est, conds, _others = self._collection_estimate(cv)
            if est <= self.FEW_IN_COLLECTION:
                # Few pass: counted from what the other conditions allow, each asked about the
                # collection (a tag's 7 papers: 0.1 ms, not 30 ms through the filter index).
                where, params = where_of(conds)
                return self.db.value(f"SELECT count(*) FROM papers p WHERE {where}", params)
        if cv.live and cv.collection_at is not None and cv.fts is not None and len(cv.conditions) == 3:
            # Words in a collection: counted in the FTS index, each match asked whether it is in
            # the collection (not the library's filter index scanned with two lists).
            return self.db.value(
                "SELECT count(*) FROM papers_fts f WHERE papers_fts MATCH ? AND f.rowid NOT IN "
                "(SELECT id FROM papers WHERE trashed_at IS NOT NULL) AND "
                + _MEMBER_PROBE.replace("p.id", "f.rowid"),
                (cv.fts, dumps(self.collection_ids(cv))),
            )
        if cv.fts is not None and len(cv.conditions) == 2 and cv.fts_at == 1:
            # Only words and the trash in or out: count in the FTS index and leave
            # out (or keep only) the trashed papers, a short list, instead of
            # reading the row of every match to look at its trashed_at.  The index
            # holds exactly the papers' ids (kept so by the triggers).
            op = "NOT IN" if cv.live else "IN"
            return self.db.value(
                "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ? AND rowid "
                f"{op} (SELECT id FROM papers WHERE trashed_at IS NOT NULL)",
                (cv.fts,),
            )
        # Outside the trash, every condition a view can have is answered by the
        # narrow filter index (schema v4): no paper's row is read to count.
        idx = "INDEXED BY papers_live_filter " if cv.live else ""
        return self.db.value(f"SELECT count(*) FROM papers p {idx}WHERE {cv.where}", cv.params)


Strategy = Callable[[Planner, CompiledView, Probe, int, int], "list[PageRow] | None"]
#: The ways a search page outside the trash is read, by the name ``Planner.choose`` gives.
PAGE_STRATEGIES: dict[str, Strategy] = {
    "few matches": Planner.few_matches,
    "added by rowid": Planner.added_by_rowid,
    "walk, asking the index": Planner.walk_asking,
    "walk, matches collected": Planner.walk_collecting,
    "filter index, sorted there": Planner.filter_sorted,
    "filter index, then sorted": Planner.filter_then_sort,
}
