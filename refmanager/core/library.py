"""The library: the one owner of the SQLite file.

Everything that reads or writes the database goes through ``Library``.  One
import action is one transaction (``transaction()``): its files are written
as they are parsed (``import_stream``: in a second process for a large import),
each inside a savepoint, so that a file failing anywhere is rejected on its own
and a cancel or a crash leaves nothing.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
import logging
import math
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from . import formats, import_stream
from .editing import EditingMixin
from .errors import ImportCancelled, LibraryError, ParseError, RefManagerError
from .models import Entry, ParsedFile
from .rows import INSERT_PAPER_SQL, PAPER_COLUMNS, Prepared, fingerprint
from .rows import derived as _derived
from .rows import dumps as _dumps
from .schema import MIGRATIONS, SCHEMA_V1, SCHEMA_VERSION
from .search import ParsedQuery, parse_query
from .textnorm import abstract_key, person_key, title_key

log = logging.getLogger(__name__)

#: A profile line must be at least this long to merge by prefix.
MIN_PREFIX_CHARS = 40
#: Undo history kept in the library.
UNDO_LIMIT = 200
#: "Recently added" means within this many days.
RECENT_DAYS = 14
#: Largest undo record kept, in characters of JSON (SQLite refuses values over 1 GB).
UNDO_MAX_CHARS = 200_000_000
#: Page cache while importing, in KiB as PRAGMA cache_size takes it (negative).
IMPORT_CACHE_KIB = -131072
#: Page size of a new library.  A paper row is ~2.4 KB and a source row ~2.5 KB:
#: with SQLite's default 4 KB pages one row fills a page and wastes a third of it.
PAGE_SIZE = 8192
#: During a large import, the new papers are indexed for search every this many
#: (in one statement each: FTS5 writes a segment per statement).
FTS_CHUNK = 10_000
#: The columns of ``papers_fts`` (schema), in its order.
FTS_COLUMNS = ("title", "authors_text", "abstract", "tags_text", "note")
INSERT_SOURCE_SQL = (
    "INSERT INTO sources(paper_id, import_id, file, line, kind, fingerprint, data, added_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_NAME_SQL = "INSERT OR IGNORE INTO names(key) VALUES (?)"
#: Where the note is in a paper row (its time is set only when there is one).
_NOTE = PAPER_COLUMNS.index("note")
_TITLE, _ARXIV, _DOI, _TKEY, _AKEY = (
    PAPER_COLUMNS.index(c) for c in ("title", "arxiv_id", "doi", "title_key", "abstract_key")
)
#: Busy timeout: how long a second writer waits before "library is busy"
#: (the environment variable REFMANAGER_BUSY_TIMEOUT, in seconds, overrides it).
BUSY_TIMEOUT_S = 5.0

SECTIONS = ("all", "unread", "starred", "incomplete", "review", "recent", "trash")

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
}


def busy_timeout() -> float:
    """Seconds to wait for another program's write: REFMANAGER_BUSY_TIMEOUT or BUSY_TIMEOUT_S."""
    env = os.environ.get("REFMANAGER_BUSY_TIMEOUT", "").strip()
    if not env:
        return BUSY_TIMEOUT_S
    try:
        value = float(env)
    except ValueError:
        value = -1.0
    if not (math.isfinite(value) and value >= 0):
        raise LibraryError(f"REFMANAGER_BUSY_TIMEOUT must be a number of seconds, not {env!r}")
    return value


#: Words of SQLite errors that the library file or its disk cause (not a bug):
#: these become a LibraryError with a clear message.
_FILE_ERRORS = (
    "locked", "busy", "readonly", "read-only", "disk is full", "disk I/O", "malformed",
    "not a database", "unable to open",
)


def explain_db_error(path: Path, e: sqlite3.DatabaseError) -> str:
    """One line for an SQLite error caused by the library file or its disk."""
    msg = str(e)
    if "file is not a database" in msg:
        return f"{path}: not a refmanager library, or the file is damaged ({msg})"
    if "malformed" in msg:
        return (
            f"{path}: the library file is damaged ({msg}); "
            "restore a backup with `refmanager restore-backup`"
        )
    if "locked" in msg or "busy" in msg:
        return f"{path}: the library is busy (another program is writing to it); try again"
    if "readonly" in msg or "read-only" in msg:
        return f"{path}: cannot write to the library file ({msg})"
    if "disk is full" in msg:
        return f"{path}: the disk is full; nothing was changed ({msg})"
    if "unable to open" in msg or "disk I/O" in msg:
        return f"{path}: cannot open the library file ({msg})"
    return f"{path}: {msg}"


#: Key of an undo record's "after" whose paper snapshots are taken at undo time.
_DEFERRED = "deferred_paper_ids"


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class View:
    """What the table shows: a section, tags, a search and a sort."""

    section: str = "all"
    tags: tuple[str, ...] = ()
    search: str = ""
    sort: str = "added"
    descending: bool = True


@dataclass
class Rejected:
    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.reason}"


@dataclass
class FileReport:
    file: str
    format: str
    entries: int = 0
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    added_ids: list[int] = field(default_factory=list)
    merged_ids: list[int] = field(default_factory=list)
    import_id: int | None = None

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def merged(self) -> int:
        return sum(f.merged for f in self.files)

    @property
    def unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.merged)

    def summary(self) -> str:
        return f"{self.added} added, {self.merged} merged, {self.unchanged} unchanged, {len(self.rejected)} rejected"

    def lines(self) -> list[str]:
        out = []
        for f in self.files:
            out.append(
                f"{f.file} ({f.format}): {f.added} added, {f.merged} merged, {f.unchanged} unchanged"
            )
            out.extend(f"  warning: {w}" for w in f.warnings)
            out.extend(f"  {n}" for n in f.notes)
        for r in self.rejected:
            out.append(f"rejected {r}")
        out.append("Total: " + self.summary())
        if self.files and not self.changed_anything and not self.rejected:
            out.append("Nothing changed: everything was already in the library.")
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "merged": self.merged,
            "unchanged": self.unchanged,
            "files": [f.__dict__ for f in self.files],
            "rejected": [r.__dict__ for r in self.rejected],
        }


class _NothingChanged(Exception):
    """An import that added and merged nothing: its transaction rolls back."""


class Library(EditingMixin):
    """A refmanager library file."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True, readonly: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        self.created = False
        self.busy_timeout = busy_timeout()
        if str(path) != ":memory:":
            try:
                self._check_file(create=create, readonly=readonly)
            except OSError as e:
                raise LibraryError(f"{self.path}: cannot open the library file: {e.strerror or e}") from None
        conn: sqlite3.Connection | None = None
        try:
            if readonly:
                conn = sqlite3.connect(
                    self.path.resolve().as_uri() + "?mode=ro", uri=True, timeout=self.busy_timeout,
                    check_same_thread=False,
                )
            else:
                conn = sqlite3.connect(str(path), timeout=self.busy_timeout, check_same_thread=False)
            self.db = sqlite_utils.Database(conn, execute_plugins=False)
            self._setup()
        except BaseException as e:
            # Never leave a half-open connection behind, whatever went wrong.
            if conn is not None:
                conn.close()
            if isinstance(e, sqlite3.DatabaseError):
                raise LibraryError(self._explain(e)) from None
            if isinstance(e, OSError):  # e.g. the backup before a migration
                raise LibraryError(f"{self.path}: {e.strerror or e}") from None
            raise

    def _check_file(self, *, create: bool, readonly: bool) -> None:
        if not self.path.exists():
            if not create or readonly:
                raise LibraryError(f"{self.path}: no such library")
            if self.path.parent.exists() and not self.path.parent.is_dir():
                raise LibraryError(
                    f"{self.path}: cannot create the library file: {self.path.parent} is not a folder"
                )
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Created readable by the user only; SQLite gives -wal/-shm the same mode.
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
            self.created = True
        elif self.path.is_dir():
            raise LibraryError(f"{self.path}: is a folder, not a library file")
        elif not os.access(self.path, os.R_OK):
            raise LibraryError(f"{self.path}: cannot read the library file: permission denied")
        elif not readonly and not os.access(self.path, os.W_OK):
            raise LibraryError(f"{self.path}: cannot write to the library file: permission denied")

    # ----------------------------------------------------------------- setup
    def _explain(self, e: sqlite3.DatabaseError) -> str:
        return explain_db_error(self.path, e)

    def _setup(self) -> None:
        c = self.db.conn
        c.execute("PRAGMA foreign_keys=ON")
        c.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
        version = c.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise LibraryError(
                f"{self.path}: written by a newer refmanager (library version {version}, "
                f"this program reads up to {SCHEMA_VERSION}); please upgrade refmanager"
            )
        if self.readonly:
            if version == 0:
                raise LibraryError(f"{self.path}: not a refmanager library")
            return
        if version == 0:
            # A new file (ignored by SQLite for an existing one): see PAGE_SIZE.
            c.execute(f"PRAGMA page_size={PAGE_SIZE}")
        if c.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            c.execute("PRAGMA journal_mode=WAL")
        c.execute("PRAGMA synchronous=NORMAL")
        if version == 0:
            tables = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            if tables:
                raise LibraryError(f"{self.path}: an SQLite file, but not a refmanager library")
            # A fresh library gets the same tables as a migrated one: v1, then every migration.
            script = SCHEMA_V1 + "\n".join(MIGRATIONS) + f"PRAGMA user_version={SCHEMA_VERSION};"
            c.executescript("BEGIN;" + script + "COMMIT;")
            log.info("created library %s", self.path)
        elif version < SCHEMA_VERSION:
            self.migrate(version)

    def migrate(self, version: int) -> None:
        """Upgrade step by step; a backup is taken first (see backup.py)."""
        from .backup import backup_before_migration

        backup_before_migration(self, version)
        c = self.db.conn
        for v in range(version, SCHEMA_VERSION):
            log.info("migrating %s from schema %d to %d", self.path, v, v + 1)
            try:
                c.executescript("BEGIN;" + MIGRATIONS[v - 1] + f"PRAGMA user_version={v + 1};COMMIT;")
            except sqlite3.Error:
                # One step, one transaction: a failing step leaves the file at version v.
                if c.in_transaction:
                    c.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        return self.db.conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        try:
            if not self.readonly:
                self.db.conn.execute("PRAGMA optimize")
        except sqlite3.Error:
            pass
        self.db.conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.readonly:
            raise LibraryError(f"{self.path}: the library is open read-only")
        conn = self.db.conn
        try:
            if conn.in_transaction:
                with self.db.atomic():  # nested: a savepoint
                    yield
            else:
                # IMMEDIATE takes the write lock now, waiting up to the busy timeout for
                # another program's write.  (A deferred transaction that reads first gets
                # SQLITE_BUSY at once, without waiting, when it then writes in WAL mode.)
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        except sqlite3.DatabaseError as e:
            # The file or its disk (busy, read-only, full, damaged): one clear line.
            # Anything else is a bug and keeps its traceback.
            if any(w in str(e) for w in _FILE_ERRORS):
                raise LibraryError(self._explain(e)) from None
            raise

    def _q(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        cur = self.db.conn.execute(sql, params)
        return cur.fetchall()

    # --------------------------------------------------------------- reading
    _ROW_COLS = (
        "id, title, authors, et_al, orgs, date, category, abstract, arxiv_id, doi, journal, "
        "incomplete, needs_review, read, starred, trashed_at, added_at, modified_at, note, "
        "raw_line, split_confidence, alt_splits, edited_fields, tags_text"
    )

    def _paper_from_row(self, r: Sequence[Any], tags: list[str]) -> dict[str, Any]:
        (pid, title, authors, et_al, orgs, date, category, abstract, arxiv_id, doi, journal,
         incomplete, needs_review, read, starred, trashed_at, added_at, modified_at, note,
         raw_line, conf, alts, edited, _tags_text) = r
        return {
            "id": pid,
            "title": title,
            "authors": json.loads(authors),
            "et_al": bool(et_al),
            "orgs": json.loads(orgs),
            "date": date,
            "category": category,
            "abstract": abstract,
            "arxiv_id": arxiv_id,
            "doi": doi,
            "journal": journal,
            "tags": tags,
            "note": note,
            "incomplete": bool(incomplete),
            "needs_review": bool(needs_review),
            "read": bool(read),
            "starred": bool(starred),
            "trashed": trashed_at is not None,
            "added_at": added_at,
            "modified_at": modified_at,
            "attachments": [],
            "raw_line": raw_line,
            "split_confidence": conf,
            "alt_splits": json.loads(alts) if alts else [],
            "edited_fields": json.loads(edited),
        }

    def tags_of(self, ids: Sequence[int]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {i: [] for i in ids}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for pid, name in self._q(
                f"SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                f"WHERE pt.paper_id IN ({marks}) ORDER BY t.name COLLATE NOCASE",
                chunk,
            ):
                out[pid].append(name)
        return out

    def get(self, pid: int) -> dict[str, Any] | None:
        rows = self._q(f"SELECT {self._ROW_COLS} FROM papers WHERE id = ?", (pid,))
        if not rows:
            return None
        return self._with_extras([self._paper_from_row(rows[0], self.tags_of([pid])[pid])])[0]

    def get_many(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        """Papers in the order of ``ids`` (missing ones skipped)."""
        found: dict[int, Any] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for r in self._q(f"SELECT {self._ROW_COLS} FROM papers WHERE id IN ({marks})", chunk):
                found[r[0]] = r
        tags = self.tags_of([i for i in ids if i in found])
        return self._with_extras([self._paper_from_row(found[i], tags[i]) for i in ids if i in found])

    def exists(self, pid: int) -> bool:
        return bool(self._q("SELECT 1 FROM papers WHERE id = ?", (pid,)))

    # ----------------------------------------------------------------- views
    def _view_parts(
        self, view: View
    ) -> tuple[list[tuple[str, list[Any]]], int | None, ParsedQuery | None]:
        """A view's conditions in order, each with its parameters; which one is the
        FTS condition; and the parsed search (its MATCH string, the hint for the user)."""
        parts: list[tuple[str, list[Any]]] = []
        sec = view.section if view.section in SECTIONS else "all"
        if sec == "trash":
            parts.append(("p.trashed_at IS NOT NULL", []))
        else:
            parts.append(("p.trashed_at IS NULL", []))
        if sec == "unread":
            parts.append(("p.read = 0", []))
        elif sec == "starred":
            parts.append(("p.starred = 1", []))
        elif sec == "incomplete":
            parts.append(("p.incomplete = 1", []))
        elif sec == "review":
            parts.append(("p.needs_review = 1", []))
        elif sec == "recent":
            cutoff = (_dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(days=RECENT_DAYS)).isoformat(
                timespec="seconds"
            )
            parts.append(("p.added_at >= ?", [cutoff]))
        for tag in view.tags:
            parts.append((
                "p.id IN (SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                "WHERE t.name = ? COLLATE NOCASE)",
                [tag],
            ))
        fts_at: int | None = None
        q: ParsedQuery | None = None
        if view.search.strip():
            q = parse_query(view.search, date_sorted=view.sort == "date")
            if q.fts:
                fts_at = len(parts)
                parts.append(("p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)", [q.fts]))
            # q.where and q.params line up one parameter list per condition only in
            # total, so they stay one part (joined as before).
            if q.where:
                parts.append((" AND ".join(q.where), list(q.params)))
        return parts, fts_at, q

    @staticmethod
    def _where(parts: Sequence[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
        return " AND ".join(c for c, _ in parts), [v for _, ps in parts for v in ps]

    def view_sql(self, view: View) -> tuple[str, list[Any], str | None]:
        """FROM/WHERE clause for a view, its parameters and a hint for the user."""
        parts, _, q = self._view_parts(view)
        where, params = self._where(parts)
        return "FROM papers p WHERE " + where, params, q.hint if q else None

    def order_sql(self, view: View) -> str:
        expr = SORTS.get(view.sort, SORTS["added"])
        d = "DESC" if view.descending else "ASC"
        return f"ORDER BY {expr} {d}, p.id {d}"

    def count(self, view: View) -> int:
        parts, fts_at, q = self._view_parts(view)
        fts = q.fts if q else None
        where, params = self._where(parts)
        try:
            try:
                return self._count_fast(parts, fts_at, fts, where, params)
            except sqlite3.OperationalError as e:
                # e.g. a library opened read-only, written by an older version
                # without the indexes (schema v4): SQLite's plan below.
                log.debug("fast count not possible: %s", e)
            return self._q(f"SELECT count(*) FROM papers p WHERE {where}", params)[0][0]
        except sqlite3.OperationalError as e:
            log.info("search failed: %s", e)
            return 0

    def _count_fast(
        self, parts: list[tuple[str, list[Any]]], fts_at: int | None, fts: str | None, where: str,
        params: list[Any],
    ) -> int:
        if fts is not None and len(parts) == 2 and fts_at == 1:
            # Only words and the trash in or out: count in the FTS index and leave
            # out (or keep only) the trashed papers, a short list, instead of
            # reading the row of every match to look at its trashed_at.  The index
            # holds exactly the papers' ids (kept so by the triggers).
            op = "IN" if parts[0][0] == "p.trashed_at IS NOT NULL" else "NOT IN"
            return self._q(
                "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ? AND rowid "
                f"{op} (SELECT id FROM papers WHERE trashed_at IS NOT NULL)",
                (fts,),
            )[0][0]
        # Outside the trash, every condition a view can have is answered by the
        # narrow filter index (schema v4): no paper's row is read to count.
        idx = "INDEXED BY papers_live_filter " if parts[0][0] == "p.trashed_at IS NULL" else ""
        return self._q(f"SELECT count(*) FROM papers p {idx}WHERE {where}", params)[0][0]

    def search_hint(self, view: View) -> str | None:
        return self.view_sql(view)[2]

    def ids(self, view: View, limit: int | None = None, offset: int = 0) -> list[int]:
        frm, params, _ = self.view_sql(view)
        sql = f"SELECT p.id {frm} {self.order_sql(view)}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = [*params, limit, offset]
        try:
            return [r[0] for r in self._q(sql, params)]
        except sqlite3.OperationalError as e:
            log.info("search failed: %s", e)
            return []

    #: Columns the table shows; one page query fetches just these.
    ROW_FIELDS = (
        "id", "title", "abstract_head", "first_author", "n_authors", "et_al", "year", "date",
        "category", "tags_text", "added_at", "read", "starred", "incomplete", "needs_review",
        "has_note",
    )

    _PAGE_COLS = (
        "SELECT p.id, p.title, substr(p.abstract, 1, 160), "
        "json_extract(p.authors, '$[0]'), json_array_length(p.authors), p.et_al, p.year, p.date, "
        "p.category, p.tags_text, p.added_at, p.read, p.starred, p.incomplete, p.needs_review, "
        "p.note IS NOT NULL AND p.note != '' "
    )
    #: The sort indexes of the papers outside the trash (schema v4), by sort key.
    _LIVE_INDEX = {
        "title": "papers_live_title", "authors": "papers_live_author", "year": "papers_live_year",
        "date": "papers_live_date", "category": "papers_live_category", "tags": "papers_live_tags",
        "added": "papers_live_added", "read": "papers_live_read", "starred": "papers_live_starred",
    }
    #: Pages deeper than this are not taken from the FTS index's rowid order.
    _FAST_PAGE_MAX_ROWS = 5000
    #: How many matches the rowid-order plan reads before leaving it to SQLite.
    _FAST_PAGE_MAX_IDS = 20000

    def page(self, view: View, offset: int, limit: int) -> list[tuple[Any, ...]]:
        """One page of table rows (see ROW_FIELDS), sorted and filtered in SQL.

        A search matching much of a large library (``g``, ``ge`` while typing)
        is where SQLite's own plan is slow: it reads every matching row to sort
        them.  ``_page_search`` answers those pages from the FTS index's rowid
        order or by walking the sort index instead; same rows, same order.
        """
        parts, fts_at, q = self._view_parts(view)
        try:
            live = parts[0][0] == "p.trashed_at IS NULL"
            if q is not None and q.fts and live:
                try:
                    rows = self._page_search(view, parts, fts_at, q, offset, limit)
                    if rows is not None:
                        return rows
                except sqlite3.OperationalError as e:
                    # a bad query (SQLite's plan fails the same way), or a read-only
                    # library of an older version without the schema v4 indexes
                    log.debug("search page shortcut not possible: %s", e)
            where, params = self._where(parts)
            sql = f"{self._PAGE_COLS} FROM papers p WHERE {where} {self.order_sql(view)} LIMIT ? OFFSET ?"
            return [tuple(r) for r in self._q(sql, [*params, limit, offset])]
        except sqlite3.OperationalError as e:
            log.info("search failed: %s", e)
            return []

    #: Asking the FTS index about one paper costs about as much as collecting ~220
    #: matches into a list (35 µs vs 0.16 µs each, measured at 100k and 1M).  A walk
    #: passes need * n / matches papers; it probes them when that costs less than
    #: listing every match: matches^2 >= _PROBE_COST * need * n.
    _PROBE_COST = 256
    #: Sort orders whose keys ``papers_live_filter`` holds.
    _FILTER_SORTS = frozenset({"date", "year", "category", "added", "read", "starred"})

    def _page_search(
        self, view: View, parts: list[tuple[str, list[Any]]], fts_at: int | None, query: ParsedQuery,
        offset: int, limit: int,
    ) -> list[tuple[Any, ...]] | None:
        """A page of a search outside the trash, planned here rather than by SQLite
        (which cannot tell "g" from "quokka"), or None when the shortcut cannot be
        proven right (the caller then runs SQLite's plan)."""
        assert fts_at is not None and query.fts is not None
        fts = query.fts
        need = offset + limit
        desc = view.descending
        order = "DESC" if desc else "ASC"
        batch = max(2 * need, 256)
        # The first matches in rowid order: cheap (FTS5 stops early), and they show
        # how dense the matches are.
        ids = [r[0] for r in self._q(
            f"SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? ORDER BY rowid {order} LIMIT ?",
            (fts, batch),
        )]
        others = [p for i, p in enumerate(parts) if i != fts_at]
        where, params = self._where(others)
        if len(ids) < batch:
            # These are all the matches (few): read and sort them, without asking
            # the FTS index a second time.
            sql = (
                f"{self._PAGE_COLS} FROM papers p WHERE {where} AND p.id IN (SELECT value FROM json_each(?)) "
                f"{self.order_sql(view)} LIMIT ? OFFSET ?"
            )
            return [tuple(r) for r in self._q(sql, [*params, _dumps(ids), limit, offset])]
        sort = view.sort if view.sort in SORTS else "added"
        if sort != "added" or need > self._FAST_PAGE_MAX_ROWS:
            all_where, all_params = self._where(parts)
            n = self._q("SELECT max(id) FROM papers")[0][0] or 1  # ~ the library's size
            est = len(ids) * n / (abs(ids[0] - ids[-1]) + 1)  # matches, estimated
            if others[1:]:
                # ... of which this share passes the other conditions (read in the
                # narrow filter index for these first matches)
                kept = self._q(
                    f"SELECT count(*) FROM papers p INDEXED BY papers_live_filter WHERE {where} "
                    "AND p.id IN (SELECT value FROM json_each(?))",
                    [*params, _dumps(ids)],
                )[0][0]
                est = est * max(kept, 1) / len(ids)
            if sort == "date" and query.date_range is not None:
                # The walk starts at the year asked for: only the papers of those
                # dates are passed (a count in the date index).
                lo, hi = query.date_range
                n = self._q(
                    "SELECT count(*) FROM papers INDEXED BY papers_live_date WHERE trashed_at IS NULL "
                    "AND coalesce(date, '') >= ?" + (" AND coalesce(date, '') < ?" if hi else ""),
                    [lo, hi] if hi else [lo],
                )[0][0] or 1
            if est * est >= 4 * need * n:
                # Many papers to show: walk the sort index and keep the matching ones
                # (a short walk when they are dense), rather than read every match's
                # row to sort them.  When every term is cheap to test on one paper
                # (search.ParsedQuery.probe_ok) and the matches are dense enough
                # (_PROBE_COST), the walk asks the FTS index about each paper it
                # passes: no list of all matches (160 ms for "g" at 1M, 4 ms this
                # way).  Otherwise the matches are collected once, and "+"
                # keeps them a filter: SQLite would skip-scan the sort index once per
                # match (minutes at 1M).
                demoted = list(parts)
                if est * est >= self._PROBE_COST * need * n and query.probe_ok:
                    demoted[fts_at] = (
                        "EXISTS (SELECT 1 FROM papers_fts f WHERE papers_fts MATCH ? AND f.rowid = p.id)",
                        parts[fts_at][1],
                    )
                else:
                    demoted[fts_at] = ("+" + parts[fts_at][0], parts[fts_at][1])
                w, ps = self._where(demoted)
                sql = (
                    f"{self._PAGE_COLS} FROM papers p INDEXED BY {self._LIVE_INDEX[sort]} WHERE "
                    f"{w} {self.order_sql(view)} LIMIT ? OFFSET ?"
                )
                return [tuple(r) for r in self._q(sql, [*ps, limit, offset])]
            # Fewer: find them in the filter index (no rows read), then read and
            # sort just those.  Orders the filter index holds (date, year, category,
            # added, read, starred: schema v5) are sorted there too, and only the
            # page's rows are read.
            if sort in self._FILTER_SORTS:
                want = [r[0] for r in self._q(
                    f"SELECT p.id FROM papers p INDEXED BY papers_live_filter WHERE {all_where} "
                    f"{self.order_sql(view)} LIMIT ? OFFSET ?",
                    [*all_params, limit, offset],
                )]
                return self._rows_in_order(want)
            found = [r[0] for r in self._q(
                f"SELECT p.id FROM papers p INDEXED BY papers_live_filter WHERE {all_where}", all_params
            )]
            sql = (
                f"{self._PAGE_COLS} FROM papers p WHERE p.id IN (SELECT value FROM json_each(?)) "
                f"{self.order_sql(view)} LIMIT ? OFFSET ?"
            )
            return [tuple(r) for r in self._q(sql, [_dumps(found), limit, offset])]
        # Sorted by date added: ids grow with it (a paper gets the next id when it
        # is added), so the matches in rowid order are the candidates.  Take them
        # in growing batches until the page is full, then prove that no paper
        # further along in rowid order was added later (clocks can go back).
        cmp = "<" if desc else ">"
        cands: list[tuple[str, int]] = []  # (added_at, id) of the matches that qualify
        seen = 0
        while True:
            seen += len(ids)
            # The other conditions, checked in the narrow filter index: no rows read.
            cands.extend(self._q(
                f"SELECT p.added_at, p.id FROM papers p INDEXED BY papers_live_filter WHERE {where} "
                "AND p.id IN (SELECT value FROM json_each(?))",
                [*params, _dumps(ids)],
            ))
            exhausted = len(ids) < batch
            if exhausted or len(cands) >= need:
                break
            # The next batch: enough to fill the page at the share kept so far.
            kept = max(len(cands), 1) / seen
            batch = max(4 * batch, int(2 * (need - len(cands)) / kept))
            if seen + batch > self._FAST_PAGE_MAX_IDS:
                # The other conditions are selective (a tag, a rare category): start
                # from the papers they allow, and check the words against the
                # matches ("+" keeps SQLite from starting with the many matches).
                demoted = list(parts)
                demoted[fts_at] = ("+" + parts[fts_at][0], parts[fts_at][1])
                w, ps = self._where(demoted)
                sql = f"{self._PAGE_COLS} FROM papers p WHERE {w} {self.order_sql(view)} LIMIT ? OFFSET ?"
                return [tuple(r) for r in self._q(sql, [*ps, limit, offset])]
            ids = [r[0] for r in self._q(
                f"SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? AND rowid {cmp} ? "
                f"ORDER BY rowid {order} LIMIT ?",
                (fts, ids[-1], batch),
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
            if self._q(
                f"SELECT 1 FROM papers INDEXED BY papers_live_added WHERE trashed_at IS NULL "
                f"AND added_at {later} ? AND id {cmp} ? LIMIT 1",
                (cands[-1][0], ids[-1]),
            ):
                return None
        return self._rows_in_order([pid for _, pid in cands[offset:]])

    def _rows_in_order(self, ids: list[int]) -> list[tuple[Any, ...]]:
        """The table rows of these papers, in this order (ids of papers that exist)."""
        got = {r[0]: tuple(r) for r in self._q(
            f"{self._PAGE_COLS} FROM papers p WHERE p.id IN (SELECT value FROM json_each(?))", (_dumps(ids),)
        )}
        return [got[pid] for pid in ids if pid in got]

    def row_of(self, view: View, pid: int) -> int | None:
        """Position of a paper in a view (for keeping the selection)."""
        frm, params, _ = self.view_sql(view)
        expr = SORTS.get(view.sort, SORTS["added"])
        r = self._q(f"SELECT {expr}, p.id FROM papers p WHERE p.id = ?", (pid,))
        if not r:
            return None
        key = r[0][0]
        op = ">" if view.descending else "<"
        try:
            n = self._q(
                f"SELECT count(*) {frm} AND ({expr} {op} ? OR ({expr} = ? AND p.id {op} ?))",
                [*params, key, key, pid],
            )[0][0]
            found = self._q(f"SELECT 1 {frm} AND p.id = ?", [*params, pid])
        except sqlite3.OperationalError:
            return None
        return n if found else None

    def row_ranges(self, view: View, ids: Sequence[int]) -> list[tuple[int, int]]:
        """The rows of many papers in a view as (first, last) runs, in order.

        Selecting the papers of a large import: a million rows become one run or
        a few, found by SQLite (a Python sort of a million rows holds the
        interpreter lock for ~100 ms, and the window's thread waits for it)."""
        if not ids:
            return []
        frm, params, _ = self.view_sql(view)
        order = self.order_sql(view)
        c = self.db.conn
        c.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_ids (id INTEGER PRIMARY KEY)")
        c.execute("DELETE FROM wanted_ids")
        c.executemany("INSERT OR IGNORE INTO wanted_ids(id) VALUES (?)", ((i,) for i in ids))
        try:
            return [
                (lo, hi)
                for lo, hi in self._q(
                    f"WITH w AS (SELECT id, rn FROM (SELECT p.id AS id, row_number() OVER ({order}) - 1 AS rn {frm}) "
                    "WHERE id IN (SELECT id FROM wanted_ids)) "
                    "SELECT min(rn), max(rn) FROM (SELECT rn, rn - row_number() OVER (ORDER BY rn) AS run FROM w) "
                    "GROUP BY run ORDER BY 1",
                    params,
                )
            ]
        except sqlite3.OperationalError as e:
            log.info("row_ranges failed: %s", e)
            return []
        finally:
            c.execute("DELETE FROM wanted_ids")
            if c.in_transaction:
                c.commit()

    def note_hits(self, ids: Sequence[int], query: str) -> set[int]:
        """Which of these papers the search matches in their note (shown in the table)."""
        q = parse_query(query)
        if not q.fts or not ids:
            return set()
        marks = ",".join("?" * len(ids))
        try:
            return {
                r[0]
                for r in self._q(
                    f"SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? AND rowid IN ({marks})",
                    ["note : (" + q.fts + ")", *ids],
                )
            }
        except sqlite3.OperationalError:
            return set()

    def search(self, query: str, *, trash: bool = False) -> tuple[list[dict[str, Any]], str | None]:
        """Papers matching a search (for the command line), and a hint."""
        view = View(section="trash" if trash else "all", search=query, sort="added", descending=True)
        return self.get_many(self.ids(view)), self.search_hint(view)

    def all_ids(self, *, trash: bool = False) -> list[int]:
        return self.ids(View(section="trash" if trash else "all", sort="added", descending=False))

    def counts(self) -> dict[str, int]:
        """Papers in each sidebar section."""
        cutoff = (_dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(days=RECENT_DAYS)).isoformat(
            timespec="seconds"
        )
        r = self._q(
            "SELECT count(*), sum(read = 0), sum(starred = 1), sum(incomplete = 1), "
            "sum(needs_review = 1), sum(added_at >= ?) FROM papers WHERE trashed_at IS NULL",
            (cutoff,),
        )[0]
        trash = self._q("SELECT count(*) FROM papers WHERE trashed_at IS NOT NULL")[0][0]
        keys = ("all", "unread", "starred", "incomplete", "review", "recent")
        out = {k: int(v or 0) for k, v in zip(keys, r)}
        out["trash"] = trash
        return out

    def tag_counts(self) -> list[tuple[str, int, str | None]]:
        """(name, papers not in the trash, colour) for every tag, by name.

        Counted in the tag index, minus the trashed papers' tags (the trash is
        small): joining every tagged paper's row to look at ``trashed_at`` took
        2.5 s for 700,000 tags at 1M papers, at every start of the app.
        """
        in_trash = dict(self._q(
            "SELECT pt.tag_id, count(*) FROM papers p INDEXED BY papers_trashed "
            "JOIN paper_tags pt ON pt.paper_id = p.id WHERE p.trashed_at IS NOT NULL GROUP BY pt.tag_id"
        ))
        return [
            (name, n - in_trash.get(tid, 0), color)
            for tid, name, n, color in self._q(
                "SELECT t.id, t.name, (SELECT count(*) FROM paper_tags pt WHERE pt.tag_id = t.id), t.color "
                "FROM tags t ORDER BY t.name COLLATE NOCASE"
            )
        ]

    def tag_list(self) -> list[tuple[str, str | None]]:
        """(name, colour) of every tag, by name: ``tag_counts`` without the counts."""
        return [(name, color) for name, color in self._q("SELECT name, color FROM tags ORDER BY name COLLATE NOCASE")]

    def tag_names(self) -> list[str]:
        return [name for name, _ in self.tag_list()]

    def tag_colors(self) -> dict[str, str]:
        return {n.casefold(): c for n, c in self._q("SELECT name, color FROM tags WHERE color IS NOT NULL")}

    # -------------------------------------------------------------- importing
    def _is_known_name(self, name: str) -> bool:
        return bool(self._q("SELECT 1 FROM names WHERE key = ?", (person_key(name),)))

    def import_paths(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        label: str | None = None,
    ) -> ImportReport:
        paths = list(paths)
        return self.import_inputs(
            [(str(p), Path(p)) for p in paths], progress=progress, cancelled=cancelled, label=label
        )

    def import_text(self, text: str, name: str = "pasted text", **kw: Any) -> ImportReport:
        return self.import_inputs([(name, text)], **kw)

    def import_inputs(
        self,
        inputs: Iterable[tuple[str, str | bytes | os.PathLike[str]]],
        *,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        label: str | None = None,
    ) -> ImportReport:
        """Parse and write every input in one transaction (or not at all); a file
        that cannot be parsed is rejected on its own, the others are imported.

        A large import is parsed in a second process while this one writes
        (``import_stream``); entries arrive in batches and are written as they
        come, each file inside a savepoint, so that a file failing half-way
        leaves nothing behind.
        """
        inputs = list(inputs)
        report = ImportReport()
        sizes = [import_stream.input_size(src) for _, src in inputs]
        # SQLite copies the WAL into the library file (a checkpoint) inside the
        # commit that makes the WAL large: ~1 GB, 1.6 s, for 100,000 papers, 9 GB at
        # a million.  The import's commit does not wait for it: the app's import
        # process runs ``checkpoint()`` after sending its report, the command line
        # when it closes the library.
        c = self.db.conn
        (autocheckpoint,) = c.execute("PRAGMA wal_autocheckpoint").fetchone()
        c.execute("PRAGMA wal_autocheckpoint=0")
        try:
            return self._import_inputs(inputs, sizes, report, progress, cancelled, label)
        finally:
            c.execute(f"PRAGMA wal_autocheckpoint={int(autocheckpoint)}")

    def checkpoint(self) -> None:
        """Copy the WAL into the library file now (what SQLite does after a large
        commit), without waiting for readers: what is left is copied later."""
        try:
            self.db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as e:  # busy or read-only: SQLite tries again later
            log.info("checkpoint not done: %s", e)

    def _import_inputs(
        self,
        inputs: list[tuple[str, str | bytes | os.PathLike[str]]],
        sizes: list[int],
        report: ImportReport,
        progress: Callable[[int, int], None] | None,
        cancelled: Callable[[], bool] | None,
        label: str | None,
    ) -> ImportReport:
        path = None if str(self.path) == ":memory:" else self.path
        with import_stream.messages(inputs, path, self._is_known_name, cancelled) as msgs:
            for msg in msgs:  # rejections before anything parses need no transaction
                if msg[0] == "rejected":
                    report.rejected.append(Rejected(*msg[1:]))
                    continue
                self._pending = ([], [])
                try:
                    with self.transaction(), self._deferred_indexing():
                        if self._SKIP_EMPTY_LOOKUPS:
                            self._no_sources = not self._q("SELECT 1 FROM sources LIMIT 1")
                            self._title_aliases = bool(
                                self._q("SELECT 1 FROM alternatives WHERE title_key IS NOT NULL LIMIT 1")
                            )
                            if not self._q("SELECT 1 FROM papers LIMIT 1"):
                                self._import_keys = _ImportKeys()
                        self._write_stream(
                            itertools.chain([msg], msgs), sizes, report, progress, cancelled, label
                        )
                except _NothingChanged:
                    report.import_id = None
                finally:
                    self._pending = None
                    self._no_sources, self._title_aliases = False, True
                    self._import_keys = None
                break
        return report

    def _write_stream(
        self,
        msgs: Iterator[tuple[Any, ...]],
        sizes: list[int],
        report: ImportReport,
        progress: Callable[[int, int], None] | None,
        cancelled: Callable[[], bool] | None,
        label: str | None,
    ) -> None:
        c = self.db.conn
        at = now_iso()
        import_id = c.execute("INSERT INTO imports(at, label) VALUES (?, ?)", (at, "import")).lastrowid
        assert import_id is not None
        report.import_id = import_id
        before: dict[int, Any] = {}
        seen: dict[str, int] = {}  # fingerprint -> paper, for entries repeated in this import
        done = 0
        known_total = 0  # estimated entries of the files started
        started = len(report.rejected)  # inputs started (or rejected)
        fr: FileReport | None = None
        marks: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
        indexed = 0  # papers added when the FTS index last caught up
        chunk = FTS_CHUNK

        def expected() -> int:
            """Entries of the whole import, estimated: the files not started yet have
            as many entries per byte as those started."""
            return known_total + int(sum(sizes[started:]) * known_total / max(1, sum(sizes[:started])))
        for msg in msgs:
            kind = msg[0]
            if kind == "file":
                _, name, fmt, warnings, estimate = msg
                fr = FileReport(file=name, format=fmt, warnings=list(warnings))
                started += 1
                known_total += estimate
                marks = (len(report.added_ids), len(report.merged_ids), len(before), len(seen), done)
                c.execute("SAVEPOINT import_file")
            elif kind == "entries":
                assert fr is not None
                for values in map(Prepared, msg[1]):
                    if cancelled is not None and done % 200 == 0 and cancelled():
                        raise ImportCancelled("import cancelled; the library is unchanged")
                    outcome, pid, note = self._import_entry(values, fr.file, import_id, at, before, seen)
                    if outcome == "added":
                        fr.added += 1
                        report.added_ids.append(pid)
                    elif outcome == "merged":
                        fr.merged += 1
                        report.merged_ids.append(pid)
                    else:
                        fr.unchanged += 1
                    if note:
                        fr.notes.append(note)
                    fr.entries += 1
                    done += 1
                    if len(report.added_ids) - indexed >= chunk:
                        self._index_deferred()
                        indexed = len(report.added_ids)
                        # Near the (estimated) end, smaller chunks: what is left to index
                        # after the last entry is work nothing else overlaps.
                        chunk = FTS_CHUNK if expected() - done > 2 * FTS_CHUNK else max(1, FTS_CHUNK // 4)
                    if progress is not None and done % 500 == 0:
                        progress(done, max(done, expected()))
                self._flush_pending()
            elif kind == "end":
                assert fr is not None
                c.execute("RELEASE import_file")
                report.files.append(fr)
                fr = None
            elif kind == "rejected":
                report.rejected.append(Rejected(*msg[1:]))
                if fr is None:
                    started += 1
                    continue
                # Rejected half-way: drop what was written of it.  (Between batches:
                # nothing is pending, _flush_pending ran after the last one.)
                c.execute("ROLLBACK TO import_file")
                c.execute("RELEASE import_file")
                n_added, n_merged, n_before, n_seen, done = marks
                indexed = min(indexed, n_added)
                del report.added_ids[n_added:], report.merged_ids[n_merged:]
                for k in list(before)[n_before:]:
                    del before[k]
                for fp in list(seen)[n_seen:]:
                    del seen[fp]
                fr = None
        if progress is not None:
            progress(done, done)
        if not (report.added or report.merged):
            raise _NothingChanged
        names = [Path(f.file).name for f in report.files]
        label = label or (
            f"import of {names[0]}" if len(names) == 1 else f"import of {len(names)} files"
        )
        c.execute(
            "UPDATE imports SET label = ?, report = ? WHERE id = ?",
            (label, _dumps(report.to_json()), import_id),
        )
        n = report.added + report.merged
        if not self._log_undo(
            f"{label}: {n} paper{'s' if n != 1 else ''}",
            {"papers": {str(k): v for k, v in before.items()}},
            None,
            after_ids=list(dict.fromkeys(report.added_ids + report.merged_ids)),
            defer_after=True,
        ):
            report.files[-1].notes.append(
                f"this import changed too many papers to be undone ({len(before):,} "
                "merged into); the undo history was cleared"
            )

    #: Set for one import (``_import_inputs``): the library held no sources when it
    #: started (no SQL lookup of fingerprints then), and whether any title alias
    #: exists (``_add_alternative`` sets it when an import adds one).
    _no_sources = False
    _title_aliases = True
    #: Set for one import into a library that held no papers: the matching keys of
    #: every paper it has written, so that an entry matching none of them needs no
    #: lookup (``_find_match``).
    _import_keys: _ImportKeys | None = None
    #: (Off in a test, which checks that the import gives the same library either way.)
    _SKIP_EMPTY_LOOKUPS = True

    #: Inside an import: sources and author names of the current batch, written
    #: with one ``executemany`` each when the batch is done (nothing reads them
    #: before: entries repeated in an import are found in ``seen``).
    _pending: tuple[list[tuple[Any, ...]], list[tuple[str]]] | None = None

    def _flush_pending(self) -> None:
        if self._pending is not None:
            sources, names = self._pending
            if sources:
                self.db.conn.executemany(INSERT_SOURCE_SQL, sources)
                sources.clear()
            if names:
                self.db.conn.executemany(INSERT_NAME_SQL, names)
                names.clear()

    #: Inside an import: papers whose ``tags_text`` is refreshed once, at the end.
    _tags_text_later: set[int] | None = None

    @contextmanager
    def _deferred_indexing(self) -> Iterator[None]:
        """Inside one transaction, index the new papers in FTS5 with one statement
        at the end, and refresh ``tags_text`` once per paper, instead of per entry.

        FTS5 flushes its pending terms at the end of every statement that writes
        it from a trigger; per entry that was 3/4 of an import's cost.  The
        triggers skip papers above ``fts_deferred.above_id`` (schema v4), i.e.
        the ones this import adds; nothing outside the transaction ever sees
        the marker row.
        """
        c = self.db.conn
        above = c.execute("SELECT coalesce(max(id), 0) FROM papers").fetchone()[0]
        c.execute("INSERT INTO fts_deferred(above_id) VALUES (?)", (above,))
        # The insert trigger would skip every paper this import adds (their ids are
        # above the marker), yet a statement with a trigger keeps a statement journal:
        # it doubled the cost of inserting a paper.  The update trigger rewrote the
        # search index of a paper merged into at every statement (~1 ms each: a
        # tags-and-notes import of 36,000 entries took 20 s).  Both are dropped for
        # the import and made again before it commits (DDL is part of the
        # transaction: nobody else ever sees the library without them, and a
        # rollback brings them back by itself).  Meanwhile a temporary trigger keeps
        # what the index holds of each indexed paper that changes (its first old
        # values), and ``_reindex_changed`` replaces those entries with two statements.
        triggers = dict(c.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ('papers_ai', 'papers_au')"
        ).fetchall())
        for name in triggers:
            c.execute(f"DROP TRIGGER {name}")
        if "papers_au" in triggers:
            c.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS fts_changed(id INTEGER PRIMARY KEY, {', '.join(FTS_COLUMNS)})"
            )
            c.execute("DELETE FROM temp.fts_changed")
            c.execute(
                f"CREATE TEMP TRIGGER fts_changed_keep AFTER UPDATE OF {', '.join(FTS_COLUMNS)} ON main.papers "
                "WHEN old.id <= (SELECT above_id FROM main.fts_deferred) BEGIN "
                f"INSERT OR IGNORE INTO fts_changed VALUES (old.id, {', '.join('old.' + f for f in FTS_COLUMNS)}); "
                "END"
            )
        self._tags_text_later = set()
        # A bigger page cache while importing: the sort and key indexes take new
        # entries all over (about 10% of a 100,000-paper import otherwise).
        cache = c.execute("PRAGMA cache_size").fetchone()[0]
        c.execute(f"PRAGMA cache_size={IMPORT_CACHE_KIB}")
        try:
            yield
            later, self._tags_text_later = self._tags_text_later, None
            self._refresh_tags_text(sorted(later))
            if "papers_au" in triggers:
                c.execute("DROP TRIGGER temp.fts_changed_keep")
                self._reindex_changed()
            self._index_deferred()
            c.execute("DELETE FROM fts_deferred")
            for sql in triggers.values():
                c.execute(sql)
        finally:
            self._tags_text_later = None
            c.execute(f"PRAGMA cache_size={int(cache)}")
            try:  # (after a failure the rollback that follows takes it back anyway)
                c.execute("DROP TRIGGER IF EXISTS temp.fts_changed_keep")
            except sqlite3.Error:
                pass

    def _reindex_changed(self) -> None:
        """The search index of the indexed papers this import changed: their old
        entries out (as the index holds them: the values before the first change),
        their current values in."""
        c = self.db.conn
        cols = ", ".join(FTS_COLUMNS)
        c.execute(
            f"INSERT INTO papers_fts(papers_fts, rowid, {cols}) SELECT 'delete', id, {cols} FROM temp.fts_changed"
        )
        c.execute(
            f"INSERT INTO papers_fts(rowid, {cols}) SELECT p.id, {', '.join('p.' + f for f in FTS_COLUMNS)} "
            "FROM papers p JOIN temp.fts_changed USING (id)"
        )
        c.execute("DELETE FROM temp.fts_changed")

    def _index_deferred(self) -> None:
        """Index in FTS5 the papers added since the marker (one statement), and
        let the triggers keep them from now on.  A large import calls this every
        ``FTS_CHUNK`` papers, while the next entries are still being parsed;
        a savepoint rolled back takes the marker back with the rows."""
        c = self.db.conn
        (above,) = c.execute("SELECT above_id FROM fts_deferred").fetchone()
        (top,) = c.execute("SELECT coalesce(max(id), 0) FROM papers").fetchone()
        if top > above:
            c.execute(
                "INSERT INTO papers_fts(rowid, title, authors_text, abstract, tags_text, note) "
                "SELECT id, title, authors_text, abstract, tags_text, note FROM papers "
                "WHERE id > ? AND id <= ?",
                (above, top),
            )
            c.execute("UPDATE fts_deferred SET above_id = ?", (top,))

    def _find_match(self, e: Prepared) -> tuple[int | None, list[int]]:
        """The paper an entry merges into, and (if ambiguous) the candidates."""
        keys = self._import_keys
        if keys is not None and not self._title_aliases and not keys.may_match(e):
            return None, []  # (no paper has any of its keys: nothing to look up)
        if e.arxiv_id:
            r = self._q("SELECT id FROM papers WHERE arxiv_id = ?", (e.arxiv_id,))
            if r:
                return r[0][0], []
        if e.doi:
            r = self._q("SELECT id FROM papers WHERE doi = ? COLLATE NOCASE", (e.doi,))
            if r:
                return r[0][0], []
        tkey = e.tkey
        if tkey:
            for pid, aid in self._q(
                "SELECT id, arxiv_id FROM papers WHERE title_key = ? ORDER BY id", (tkey,)
            ):
                if not (aid and e.arxiv_id and aid != e.arxiv_id):
                    return pid, []
            # a title the user replaced (editing.py); none to look for in a library without any
            alias = self._alias_match(tkey, e.arxiv_id) if self._title_aliases else None
            if alias is not None:
                return alias, []
        lo = e.akey_prefix
        if lo and len(lo) >= MIN_PREFIX_CHARS:
            lo = lo[:MIN_PREFIX_CHARS]
            cands = []
            # The prefix indexes (schema v3) hold 40 characters, not whole abstracts.
            # A titled entry can only merge into an untitled paper (see below), so
            # it looks at those alone: thousands of abstracts opening with "Large
            # language models (LLMs) have ..." must not be read for every entry.
            # The column holds the key's first 40 characters (older libraries: all
            # of it); the whole key of the few papers sharing them is computed here.
            sql = (
                "SELECT id, abstract, title FROM papers "
                + ("INDEXED BY papers_abstract_prefix_untitled " if e.titled else "")
                + "WHERE substr(abstract_key, 1, 40) = ?"
                + (" AND title IS NULL" if e.titled else "")
            )
            found = sorted(
                (abstract_key(abstract) or "", pid, title) for pid, abstract, title in self._q(sql, (lo,))
            )
            akey = (e.akey or "") if found else ""
            for ak, pid, title in found:
                if len(ak) < MIN_PREFIX_CHARS or not (ak.startswith(akey) or akey.startswith(ak)):
                    continue
                if e.titled and title is not None:
                    continue  # two titled papers never merge by abstract alone
                cands.append(pid)
            if len(cands) == 1:
                return cands[0], []
            if len(cands) > 1:
                return None, cands
        return None, []

    def _import_entry(
        self, e: Prepared, file: str, import_id: int, at: str, before: dict[int, Any],
        seen: dict[str, int] | None = None,
    ) -> tuple[str, int, str | None]:
        fp = e.fingerprint()
        if seen is not None and fp in seen and not (e.tags or e.note):
            return "unchanged", seen[fp], None  # the same entry again in this import
        if self._no_sources and seen is not None:
            # The library had no sources when the import started: every fingerprint
            # in it now came from this import, and ``seen`` has them all.
            r: list[Any] = [(seen[fp],)] if fp in seen else []
        else:
            r = self._q("SELECT paper_id FROM sources WHERE fingerprint = ? LIMIT 1", (fp,))
        if r and seen is not None:
            seen[fp] = r[0][0]
        if r:
            pid = r[0][0]
            if e.tags or e.note:
                if pid not in before:
                    before[pid] = self._snapshot_one(pid)
                if self._merge_user_data(pid, e.entry):
                    return "merged", pid, self._unchanged_note(pid, e.entry, import_id, at)
            return "unchanged", pid, self._unchanged_note(pid, e.entry, import_id, at)
        pid, ambiguous = self._find_match(e)
        note = None
        if pid is None:
            if ambiguous:
                e.flag_for_review()
                note = (
                    f"line {e.line}: matches {len(ambiguous)} papers ({', '.join(map(str, ambiguous))}); "
                    "kept as a separate paper, flagged for review"
                )
            pid = self._insert_row(e.row, e.name_keys, e.tags, at)
            before[pid] = None
            outcome = "added"
        else:
            if pid not in before:
                before[pid] = self._snapshot_one(pid)
            kept = self._kept_edits(pid, e.entry, self._merge_into(pid, e.entry))  # (editing.py: alternatives)
            if self._import_keys is not None:  # (the merge may have given the paper new keys)
                self._import_keys.add(*self._q(
                    "SELECT arxiv_id, doi, title_key, substr(abstract_key, 1, 40), title IS NOT NULL "
                    "FROM papers WHERE id = ?", (pid,)
                )[0])
            if kept:
                note = f"line {e.line}: kept your edit of {', '.join(kept)}"
            outcome = "merged"
        # A new paper's source may leave its JSON to the paper row (rows.row_holds_entry,
        # schema v6); an entry merged into another paper keeps its own.
        data = e.data if outcome == "added" else e.entry_json()
        source = (pid, import_id, file, e.line, e.kind, fp, data, at)
        if self._pending is not None:
            self._pending[0].append(source)
        else:
            self.db.conn.execute(INSERT_SOURCE_SQL, source)
        if seen is not None:
            seen[fp] = pid
        return outcome, pid, note

    def _insert_paper(self, e: Entry, at: str) -> int:
        p = Prepared.of(e)
        return self._insert_row(p.row, p.name_keys, p.tags, at)

    def _insert_row(self, row: tuple[Any, ...], name_keys: list[str], tags: list[str], at: str) -> int:
        """A new paper from ``rows.paper_row`` values; its authors become known names."""
        note = row[_NOTE]
        cur = self.db.conn.execute(INSERT_PAPER_SQL, (*row, at, at, at if note else None))
        pid = cur.lastrowid
        assert pid is not None
        if self._import_keys is not None:
            self._import_keys.add(row[_ARXIV], row[_DOI], row[_TKEY], row[_AKEY], row[_TITLE] is not None)
        if name_keys:
            if self._pending is not None:
                self._pending[1].extend((k,) for k in name_keys)
            else:
                self.db.conn.executemany(INSERT_NAME_SQL, [(k,) for k in name_keys])
        if tags:
            self._add_tags_to(pid, tags)
        return pid

    def _remember_names(self, authors: Sequence[str]) -> None:
        keys = [(person_key(a),) for a in authors[:50] if a]
        self.db.conn.executemany("INSERT OR IGNORE INTO names(key) VALUES (?)", keys)

    def _merge_user_data(self, pid: int, e: Entry) -> bool:
        """Tags and note from an entry seen before; True when something was added."""
        changed = False
        if e.tags:
            changed = self._add_tags_to(pid, e.tags) or changed
        if e.note:
            changed = self._merge_note(pid, e.note) or changed
        return changed

    def _merge_note(self, pid: int, note: str) -> bool:
        cur = self._q("SELECT note FROM papers WHERE id = ?", (pid,))[0][0] or ""
        if note.strip() in cur:
            return False
        new = (cur.rstrip() + "\n\n" + note) if cur.strip() else note
        self.db.conn.execute(
            "UPDATE papers SET note = ?, note_modified_at = ? WHERE id = ?", (new, now_iso(), pid)
        )
        return True

    def _merge_into(self, pid: int, e: Entry) -> list[str]:
        """Merge an entry into a paper; return the user-edited fields kept."""
        p = self.get(pid)
        assert p is not None
        edited = set(p["edited_fields"])
        kept: list[str] = []
        upd: dict[str, Any] = {}

        def put(fieldname: str, value: Any) -> None:
            if value == p[fieldname]:
                return
            if fieldname in edited:
                kept.append(fieldname)
                return
            upd[fieldname] = value

        complete_entry = e.title is not None
        if complete_entry and p["incomplete"]:
            # A full entry completes a paper known only from a profile line.
            put("title", e.title)
            put("authors", e.authors)
            put("et_al", e.et_al)
            put("orgs", e.orgs)
            if e.date:
                put("date", e.date)
            if e.category:
                put("category", e.category)
            upd["incomplete"] = 0
            if e.raw_line:
                upd["raw_line"] = e.raw_line
                upd["split_confidence"] = e.split_confidence
                upd["alt_splits"] = _dumps([s.to_json() for s in e.alt_splits])
                upd["needs_review"] = int(e.needs_review)
        else:
            if p["title"] is None and e.title:
                put("title", e.title)
            if e.authors and (
                not p["authors"]
                or (p["et_al"] and not e.et_al and len(e.authors) >= len(p["authors"]))
            ):
                put("authors", e.authors)
                put("et_al", e.et_al)
            elif not complete_entry and p["incomplete"] and e.authors:
                # Two profiles naming different owners: the paper is by both.
                merged = list(dict.fromkeys(p["authors"] + e.authors))
                put("authors", merged)
            if not p["orgs"] and e.orgs:
                put("orgs", e.orgs)
            if not p["date"] and e.date:
                put("date", e.date)
            if not p["category"] and e.category:
                put("category", e.category)
        for f in ("arxiv_id", "doi", "journal"):
            v = getattr(e, f)
            if v and not p[f]:
                put(f, v)
        if e.abstract and len(abstract_key(e.abstract) or "") > len(abstract_key(p["abstract"]) or ""):
            put("abstract", e.abstract)
        if e.read:
            upd["read"] = 1
        if e.starred:
            upd["starred"] = 1
        if upd:
            self._update_paper(pid, p, upd)
        self._merge_user_data(pid, e)
        if e.authors:
            self._remember_names(e.authors)
        return kept

    _JSON_COLS = {"authors", "orgs"}

    def _update_paper(self, pid: int, p: dict[str, Any], upd: dict[str, Any]) -> None:
        merged = {**p, **upd}
        if any(k in upd for k in ("title", "authors", "date", "abstract")):
            upd.update(_derived(merged))
        upd["modified_at"] = now_iso()
        cols = []
        vals: list[Any] = []
        for k, v in upd.items():
            cols.append(f"{k} = ?")
            if k in self._JSON_COLS:
                v = _dumps(v)
            elif isinstance(v, bool):
                v = int(v)
            vals.append(v)
        self.db.conn.execute(f"UPDATE papers SET {', '.join(cols)} WHERE id = ?", [*vals, pid])

    # ----------------------------------------------------------- tags & notes
    def _tag_id(self, name: str) -> int:
        name = " ".join(name.split())
        r = self._q("SELECT id FROM tags WHERE name = ? COLLATE NOCASE", (name,))
        if r:
            return r[0][0]
        cur = self.db.conn.execute("INSERT INTO tags(name) VALUES (?)", (name,))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def _refresh_tags_text(self, ids: Iterable[int]) -> None:
        if self._tags_text_later is not None:  # during an import: once, at its end
            self._tags_text_later.update(ids)
            return
        # One UPDATE per 500 papers, not one per paper: the FTS trigger's work is
        # flushed once per statement.
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            self.db.conn.execute(
                "UPDATE papers SET tags_text = coalesce((SELECT group_concat(name, ' ') FROM "
                "(SELECT t.name AS name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                "WHERE pt.paper_id = papers.id ORDER BY t.name COLLATE NOCASE)), '') "
                f"WHERE id IN ({marks})",
                chunk,
            )

    def _add_tags_to(self, pid: int, tags: Iterable[str]) -> bool:
        changed = False
        for t in tags:
            if not t.strip():
                continue
            tid = self._tag_id(t)
            cur = self.db.conn.execute(
                "INSERT OR IGNORE INTO paper_tags(paper_id, tag_id) VALUES (?, ?)", (pid, tid)
            )
            changed = changed or cur.rowcount > 0
        if changed:
            self._refresh_tags_text([pid])
        return changed

    @staticmethod
    def clean_tag(name: str) -> str:
        return " ".join(name.split())

    def add_tags(self, ids: Sequence[int], tags: Sequence[str]) -> int:
        """Tag papers; returns how many (paper, tag) pairs were new."""
        tags = [self.clean_tag(t) for t in tags if self.clean_tag(t)]
        if not ids or not tags:
            return 0
        label = f"Add tag {tags[0]!r}" if len(tags) == 1 else f"Add {len(tags)} tags"
        n = 0
        with self.action(label, ids):
            for pid in ids:
                for t in tags:
                    tid = self._tag_id(t)
                    n += self.db.conn.execute(
                        "INSERT OR IGNORE INTO paper_tags(paper_id, tag_id) VALUES (?, ?)", (pid, tid)
                    ).rowcount
            self._refresh_tags_text(ids)
        return n

    def remove_tags(self, ids: Sequence[int], tags: Sequence[str]) -> int:
        tags = [self.clean_tag(t) for t in tags if self.clean_tag(t)]
        if not ids or not tags:
            return 0
        label = f"Remove tag {tags[0]!r}" if len(tags) == 1 else f"Remove {len(tags)} tags"
        n = 0
        with self.action(label, ids):
            for t in tags:
                for chunk in _chunks(list(ids), 500):
                    marks = ",".join("?" * len(chunk))
                    n += self.db.conn.execute(
                        f"DELETE FROM paper_tags WHERE paper_id IN ({marks}) AND tag_id IN "
                        "(SELECT id FROM tags WHERE name = ? COLLATE NOCASE)",
                        [*chunk, t],
                    ).rowcount
            self._refresh_tags_text(ids)
        return n

    def _papers_with_tag(self, name: str) -> list[int]:
        return [
            r[0]
            for r in self._q(
                "SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                "WHERE t.name = ? COLLATE NOCASE",
                (name,),
            )
        ]

    def rename_tag(self, old: str, new: str) -> None:
        """Rename a tag; renaming onto an existing tag merges them."""
        new = self.clean_tag(new)
        if not new:
            raise RefManagerError("a tag name cannot be empty")
        r = self._q("SELECT id FROM tags WHERE name = ? COLLATE NOCASE", (old,))
        if not r:
            raise RefManagerError(f"no tag named {old!r}")
        target = self._q("SELECT id FROM tags WHERE name = ? COLLATE NOCASE", (new,))
        if target and target[0][0] != r[0][0]:
            self.merge_tag(old, new)
            return
        ids = self._papers_with_tag(old)
        with self.action(f"Rename tag {old!r} to {new!r}", ids, tag_names=[old, new]):
            self.db.conn.execute("UPDATE tags SET name = ? WHERE id = ?", (new, r[0][0]))
            self._refresh_tags_text(ids)

    def merge_tag(self, source: str, target: str) -> None:
        """Give every paper tagged ``source`` the tag ``target``, then drop ``source``."""
        ids = self._papers_with_tag(source)
        with self.action(f"Merge tag {source!r} into {target!r}", ids, tag_names=[source, target]):
            tid = self._tag_id(target)
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO paper_tags(paper_id, tag_id) VALUES (?, ?)",
                [(i, tid) for i in ids],
            )
            self.db.conn.execute("DELETE FROM tags WHERE name = ? COLLATE NOCASE", (source,))
            self._refresh_tags_text(ids)

    def delete_tag(self, name: str) -> None:
        ids = self._papers_with_tag(name)
        with self.action(f"Delete tag {name!r}", ids, tag_names=[name]):
            self.db.conn.execute("DELETE FROM tags WHERE name = ? COLLATE NOCASE", (name,))
            self._refresh_tags_text(ids)

    def set_tag_color(self, name: str, color: str | None) -> None:
        with self.action(f"Set colour of tag {name!r}", [], tag_names=[name]):
            self.db.conn.execute(
                "UPDATE tags SET color = ? WHERE name = ? COLLATE NOCASE", (color, name)
            )

    def set_note(self, pid: int, text: str, *, undoable: bool | None = None) -> bool:
        """Save a note.  Clearing a note is undoable; typing is saved silently."""
        cur = self._q("SELECT note FROM papers WHERE id = ?", (pid,))
        if not cur:
            raise RefManagerError(f"no paper with id {pid}")
        old = cur[0][0] or ""
        if old == text:
            return False
        if undoable is None:
            undoable = bool(old.strip()) and not text.strip()
        value = text if text else None
        if undoable:
            with self.action("Clear note" if not text.strip() else "Edit note", [pid]):
                self.db.conn.execute(
                    "UPDATE papers SET note = ?, note_modified_at = ? WHERE id = ?",
                    (value, now_iso(), pid),
                )
        else:
            with self.transaction():
                self.db.conn.execute(
                    "UPDATE papers SET note = ?, note_modified_at = ? WHERE id = ?",
                    (value, now_iso(), pid),
                )
        return True

    # -------------------------------------------------------- flags and trash
    def _set_flag(self, label: str, ids: Sequence[int], sql: str, params: Sequence[Any], undo: bool) -> int:
        n = 0
        ctx = self.action(label, ids) if undo else self.transaction()
        with ctx:
            for chunk in _chunks(list(ids), 500):
                marks = ",".join("?" * len(chunk))
                n += self.db.conn.execute(f"{sql} WHERE id IN ({marks})", [*params, *chunk]).rowcount
        return n

    def set_read(self, ids: Sequence[int], read: bool = True) -> int:
        return self._set_flag("Mark read" if read else "Mark unread", ids, "UPDATE papers SET read = ?", [int(read)], False)

    def set_starred(self, ids: Sequence[int], starred: bool = True) -> int:
        return self._set_flag("Star" if starred else "Unstar", ids, "UPDATE papers SET starred = ?", [int(starred)], True)

    def trash(self, ids: Sequence[int]) -> int:
        n = len(ids)
        return self._set_flag(
            f"Move {n} paper{'s' if n != 1 else ''} to the trash", ids,
            "UPDATE papers SET trashed_at = ?", [now_iso()], True,
        )

    def restore(self, ids: Sequence[int]) -> int:
        n = len(ids)
        return self._set_flag(
            f"Restore {n} paper{'s' if n != 1 else ''}", ids, "UPDATE papers SET trashed_at = NULL", [], True
        )

    def empty_trash(self) -> int:
        ids = [r[0] for r in self._q("SELECT id FROM papers WHERE trashed_at IS NOT NULL")]
        return self.delete_papers(ids, label=f"Empty trash ({len(ids)} papers)")

    def delete_papers(self, ids: Sequence[int], *, label: str | None = None) -> int:
        """Delete papers for good (undoable, like every action)."""
        ids = list(ids)
        if not ids:
            return 0
        with self.action(label or f"Delete {len(ids)} paper{'s' if len(ids) != 1 else ''}", ids):
            for chunk in _chunks(ids, 500):
                marks = ",".join("?" * len(chunk))
                self.db.conn.execute(f"DELETE FROM papers WHERE id IN ({marks})", chunk)
        return len(ids)

    # ------------------------------------------------------------------ undo
    _SNAP_COLS = (
        "id", "title", "authors", "authors_text", "et_al", "orgs", "date", "year", "category",
        "abstract", "arxiv_id", "doi", "journal", "incomplete", "needs_review", "raw_line",
        "split_confidence", "alt_splits", "read", "starred", "trashed_at", "added_at", "modified_at",
        "tags_text", "note", "note_modified_at", "edited_fields", "sort_title", "sort_author",
        "title_key", "abstract_key",
    )

    def _snapshot_one(self, pid: int) -> dict[str, Any] | None:
        return self._snapshot([pid]).get(pid)

    def _snapshot(self, ids: Sequence[int]) -> dict[int, dict[str, Any] | None]:
        out: dict[int, dict[str, Any] | None] = {i: None for i in ids}
        cols = ", ".join(self._SNAP_COLS)
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for r in self._q(f"SELECT {cols} FROM papers WHERE id IN ({marks})", chunk):
                out[r[0]] = dict(zip(self._SNAP_COLS, r))
        present = [i for i, v in out.items() if v is not None]
        tags = self.tags_of(present)
        # One query per 500 papers, not one per paper (a large import or tag action).
        sources: dict[int, list[dict[str, Any]]] = {i: [] for i in present}
        keys = ("id", "import_id", "file", "line", "kind", "fingerprint", "data", "added_at")
        for chunk in _chunks(present, 500):
            marks = ",".join("?" * len(chunk))
            for s in self._q(
                "SELECT paper_id, id, import_id, file, line, kind, fingerprint, data, added_at "
                f"FROM sources WHERE paper_id IN ({marks}) ORDER BY paper_id, id",
                chunk,
            ):
                sources[s[0]].append(dict(zip(keys, s[1:])))
        for i, v in out.items():
            if v is not None:
                v["_tags"] = tags[i]
                v["_sources"] = sources[i]
        self._snapshot_extras(out)  # alternatives, attachments, merges, not-duplicates (editing.py)
        return out

    def _tag_snapshot(self, names: Sequence[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for n in names:
            r = self._q("SELECT id, name, color FROM tags WHERE name = ? COLLATE NOCASE", (n,))
            if r:
                out[str(r[0][0])] = {"name": r[0][1], "color": r[0][2]}
        return out

    @contextmanager
    def action(
        self, label: str, ids: Sequence[int], *, tag_names: Sequence[str] = ()
    ) -> Iterator[None]:
        """Run a change in one transaction and record it for undo/redo."""
        with self.transaction():
            before_tags = self._tag_snapshot(tag_names)
            before = {str(k): v for k, v in self._snapshot(ids).items()}
            yield
            after_tags = self._tag_snapshot(tag_names)
            for k in before_tags:
                after_tags.setdefault(k, None)
            for k in after_tags:
                before_tags.setdefault(k, None)
            self._log_undo(
                label,
                {"papers": before, "tags": before_tags},
                {"tags": after_tags},
                after_ids=list(ids),
            )

    def _log_undo(
        self,
        label: str,
        before: dict[str, Any],
        after: dict[str, Any] | None,
        *,
        after_ids: Sequence[int],
        defer_after: bool = False,
    ) -> bool:
        """Record an action; False when it is too large to keep (see UNDO_MAX_CHARS).

        ``defer_after`` (imports): store only the ids; the papers' state is
        captured when the action is undone -- it is then still the state the
        action left (undo goes newest first) -- so an import of 100,000 papers
        does not copy them all into the undo log up front."""
        after = dict(after or {})
        if defer_after:
            after[_DEFERRED] = list(after_ids)
        else:
            after["papers"] = {str(k): v for k, v in self._snapshot(after_ids).items()}
        c = self.db.conn
        c.execute("DELETE FROM undo_log WHERE undone = 1")
        before_json, after_json = _dumps(before), _dumps(after)
        if len(before_json) + len(after_json) > UNDO_MAX_CHARS:
            # SQLite refuses a value over 1 GB (this failed the whole action).  The
            # action stands but cannot be undone, and nothing before it can be
            # undone safely either.
            log.warning("%s: too large to undo (%d characters); undo history cleared",
                        label, len(before_json) + len(after_json))
            c.execute("DELETE FROM undo_log")
            return False
        c.execute(
            "INSERT INTO undo_log(at, label, before, after) VALUES (?, ?, ?, ?)",
            (now_iso(), label, before_json, after_json),
        )
        c.execute(
            "DELETE FROM undo_log WHERE id NOT IN (SELECT id FROM undo_log ORDER BY id DESC LIMIT ?)",
            (UNDO_LIMIT,),
        )
        return True

    def undo_label(self) -> str | None:
        r = self._q("SELECT label FROM undo_log WHERE undone = 0 ORDER BY id DESC LIMIT 1")
        return r[0][0] if r else None

    def redo_label(self) -> str | None:
        r = self._q("SELECT label FROM undo_log WHERE undone = 1 ORDER BY id ASC LIMIT 1")
        return r[0][0] if r else None

    def undo(self) -> str | None:
        """Undo the last action; return its label (None when there is nothing)."""
        r = self._q("SELECT id, label, before FROM undo_log WHERE undone = 0 ORDER BY id DESC LIMIT 1")
        if not r:
            return None
        uid, label, before = r[0]
        with self.transaction():
            after_json = self._q("SELECT after FROM undo_log WHERE id = ?", (uid,))[0][0]
            if _DEFERRED in after_json:
                after = json.loads(after_json)
                if _DEFERRED in after:
                    # Capture the after-state for redo now, before undoing it.
                    after["papers"] = {str(k): v for k, v in self._snapshot(after.pop(_DEFERRED)).items()}
                    after_json = _dumps(after)
                    if len(before) + len(after_json) > UNDO_MAX_CHARS:
                        after_json = ""  # too large to keep: this undo cannot be redone
                    else:
                        self.db.conn.execute("UPDATE undo_log SET after = ? WHERE id = ?", (after_json, uid))
            self._restore(json.loads(before))
            if after_json:
                self.db.conn.execute("UPDATE undo_log SET undone = 1 WHERE id = ?", (uid,))
            else:
                self.db.conn.execute("DELETE FROM undo_log WHERE id = ?", (uid,))
        return label

    def redo(self) -> str | None:
        r = self._q("SELECT id, label, after FROM undo_log WHERE undone = 1 ORDER BY id ASC LIMIT 1")
        if not r:
            return None
        uid, label, after = r[0]
        with self.transaction():
            self._restore(json.loads(after))
            self.db.conn.execute("UPDATE undo_log SET undone = 0 WHERE id = ?", (uid,))
        return label

    def _restore(self, snap: dict[str, Any]) -> None:
        c = self.db.conn
        for tid, t in (snap.get("tags") or {}).items():
            if t is None:
                c.execute("DELETE FROM tags WHERE id = ?", (int(tid),))
            else:
                c.execute(
                    "INSERT INTO tags(id, name, color) VALUES (?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET name = excluded.name, color = excluded.color",
                    (int(tid), t["name"], t["color"]),
                )
        papers = snap.get("papers") or {}
        cols = [c_ for c_ in self._SNAP_COLS]
        for pid_s, row in papers.items():
            pid = int(pid_s)
            if row is None:
                c.execute("DELETE FROM papers WHERE id = ?", (pid,))
                continue
            exists = self.exists(pid)
            vals = [row[k] for k in cols]
            if exists:
                sets = ", ".join(f"{k} = ?" for k in cols[1:])
                c.execute(f"UPDATE papers SET {sets} WHERE id = ?", [*vals[1:], pid])
            else:
                c.execute(
                    f"INSERT INTO papers({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})", vals
                )
            c.execute("DELETE FROM paper_tags WHERE paper_id = ?", (pid,))
            for name in row.get("_tags", []):
                c.execute(
                    "INSERT OR IGNORE INTO paper_tags(paper_id, tag_id) VALUES (?, ?)",
                    (pid, self._tag_id(name)),
                )
            c.execute("DELETE FROM sources WHERE paper_id = ?", (pid,))
            for s in row.get("_sources", []):
                c.execute(
                    "INSERT OR REPLACE INTO sources(id, paper_id, import_id, file, line, kind, fingerprint, "
                    "data, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (s["id"], pid, s["import_id"], s["file"], s["line"], s["kind"], s["fingerprint"],
                     s["data"], s["added_at"]),
                )
            self._restore_extras(pid, row)
            self._refresh_tags_text([pid])

    # ---------------------------------------------------------------- export
    def export_json(self, ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
        ids = self.all_ids() if ids is None else ids
        out = []
        for chunk in _chunks(list(ids), 1000):
            for p in self.get_many(chunk):
                out.append(public_json(p))
        return out

    def setting(self, key: str, default: str | None = None) -> str | None:
        r = self._q("SELECT value FROM settings WHERE key = ?", (key,))
        return r[0][0] if r else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.conn.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # ===================================================== arXiv lookup (issue 4)
    # Written for refmanager.core.arxiv_api; nothing above depends on it.

    def apply_arxiv_metadata(self, pid: int, meta: Entry) -> tuple[list[str], list[str]]:
        """Write what arXiv says about a paper, as one undoable action.

        arXiv is the authority for its id, the primary category, the first-version
        date, the full author list and the abstract; a title is filled only when the
        paper has none, a DOI or journal reference only when missing.  Fields in the
        paper's ``edited_fields`` are never overwritten; tags, note, read and starred
        are never touched.  Returns (fields changed, user-edited fields kept).
        """
        p = self.get(pid)
        if p is None:
            raise RefManagerError(f"no paper with id {pid}")
        aid = meta.arxiv_id
        if aid and p["arxiv_id"] and p["arxiv_id"] != aid:
            raise RefManagerError(f"paper {pid} is arXiv:{p['arxiv_id']}, not arXiv:{aid}")
        if aid and not p["arxiv_id"]:
            other = self._q("SELECT id FROM papers WHERE arxiv_id = ? AND id != ?", (aid, pid))
            if other:
                raise RefManagerError(
                    f"arXiv:{aid} is already paper {other[0][0]} (a duplicate of paper {pid}?)"
                )
        want: dict[str, Any] = {}
        if meta.title and not p["title"]:
            want["title"] = meta.title
        if meta.authors:
            want["authors"] = list(meta.authors)
            want["et_al"] = False
        for f in ("date", "category", "abstract", "arxiv_id"):
            if getattr(meta, f):
                want[f] = getattr(meta, f)
        for f in ("doi", "journal"):
            if getattr(meta, f) and not p[f]:
                want[f] = getattr(meta, f)
        edited = set(p["edited_fields"])
        if "authors" in edited:
            edited.add("et_al")
        upd: dict[str, Any] = {}
        kept: list[str] = []
        for k, v in want.items():
            if v == p[k]:
                continue
            if k in edited:
                if k != "et_al":
                    kept.append(k)
                continue
            upd[k] = v
        if p["incomplete"] and upd.get("title", p["title"]):
            upd["incomplete"] = False
        fp = fingerprint(meta)
        recorded = bool(self._q("SELECT 1 FROM sources WHERE paper_id = ? AND fingerprint = ?", (pid, fp)))
        if not upd and recorded:
            return [], kept
        what = p["title"] or meta.title or f"paper {pid}"
        with self.action(f"arXiv metadata for {what[:60]!r}", [pid]):
            if upd:
                self._update_paper(pid, p, dict(upd))
            if not recorded:
                self.db.conn.execute(
                    "INSERT INTO sources(paper_id, import_id, file, line, kind, fingerprint, data, added_at) "
                    "VALUES (?, NULL, ?, NULL, ?, ?, ?, ?)",
                    (pid, f"https://arxiv.org/abs/{aid}" if aid else "arXiv API", meta.kind, fp,
                     _dumps(meta.to_json()), now_iso()),
                )
            self._remember_names(meta.authors)
        return [k for k in upd if k != "et_al"], kept

    def arxiv_cache_get(self, url: str) -> tuple[str, str] | None:
        """(fetched_at, body) of a cached arXiv API response, or None."""
        try:
            r = self._q("SELECT fetched_at, body FROM arxiv_cache WHERE url = ?", (url,))
        except sqlite3.OperationalError:  # a version-1 library opened read-only
            return None
        return (r[0][0], r[0][1]) if r else None

    def arxiv_cache_put(self, url: str, body: str, *, fetched_at: str, prune_before: str | None = None) -> None:
        """Remember a response (not an undoable action); drop those fetched before ``prune_before``."""
        if self.readonly:
            return
        with self.transaction():
            self.db.conn.execute(
                "INSERT INTO arxiv_cache(url, fetched_at, body) VALUES (?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET fetched_at = excluded.fetched_at, body = excluded.body",
                (url, fetched_at, body),
            )
            if prune_before is not None:
                self.db.conn.execute("DELETE FROM arxiv_cache WHERE fetched_at < ?", (prune_before,))


class _ImportKeys:
    """Every arXiv id, DOI, title key and abstract-key prefix written by an import
    into an empty library (a superset: a file rolled back leaves its keys).  An
    entry with none of them cannot match a paper, which spares two or three
    indexed lookups an entry (~5% of writing a large first import)."""

    __slots__ = ("arxiv", "doi", "title", "prefix", "prefix_untitled")

    def __init__(self) -> None:
        self.arxiv: set[str] = set()
        self.doi: set[str] = set()  # lower-cased: what NOCASE calls equal is equal here
        self.title: set[str] = set()
        self.prefix: set[str] = set()
        self.prefix_untitled: set[str] = set()  # (a titled entry merges by abstract into those only)

    def add(self, arxiv_id: str | None, doi: str | None, tkey: str | None, akey: str | None, titled: bool) -> None:
        if arxiv_id:
            self.arxiv.add(arxiv_id)
        if doi:
            self.doi.add(doi.lower())
        if tkey:
            self.title.add(tkey)
        if akey and len(akey) >= MIN_PREFIX_CHARS:
            self.prefix.add(akey[:MIN_PREFIX_CHARS])
            if not titled:
                self.prefix_untitled.add(akey[:MIN_PREFIX_CHARS])

    def may_match(self, e: Prepared) -> bool:
        lo = e.akey_prefix
        return bool(
            (e.arxiv_id and e.arxiv_id in self.arxiv)
            or (e.doi and e.doi.lower() in self.doi)
            or (e.tkey and e.tkey in self.title)
            or (lo and len(lo) >= MIN_PREFIX_CHARS
                and lo[:MIN_PREFIX_CHARS] in (self.prefix_untitled if e.titled else self.prefix))
        )


def public_json(p: dict[str, Any]) -> dict[str, Any]:
    """The documented JSON fields of a paper (command line and export)."""
    from .models import JSON_FIELDS

    return {k: p.get(k) for k in JSON_FIELDS}


def _chunks(seq: list[Any], n: int) -> Iterator[list[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def default_library_path() -> Path:
    import platformdirs

    env = os.environ.get("REFMANAGER_LIBRARY")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("refmanager", appauthor=False)) / "library.db"


def seed_files() -> list[Path]:
    """The bundled seed listings (from the wheel, or the source checkout)."""
    here = Path(__file__).resolve().parent.parent
    for d in (here / "_seeds", here.parent / "seeds"):
        if d.is_dir():
            files = sorted(p for p in d.iterdir() if p.suffix == ".txt")
            if files:
                return files
    return []
