"""The full text of attached PDFs (schema v12): pages, their FTS5 index, and what was read.

Reading PDFs is not the store's business (``refmanager/pdf``: QtPdf, in child processes);
this part says which attachments need reading, keeps what was read one attachment per
short transaction (a cancelled, killed or crashed run loses at most the file in progress,
and the next run starts where it stopped), and finds where a view's words occur.

An attachment needs reading when it has no state yet, was asked for again (``pending``), or
its file's size or modification time moved since it was read (the run then compares the
SHA-256: a file copied or touched but not changed is not read again).  A file that failed
is not tried again until it changes.  Only PDFs (by the attachment's name) are read.

The text belongs to an attachment, not a paper: every reader joins through
``attachments``, so a merged paper finds its files' text and a detached file's text is
never found, even before ``forget_detached`` deletes it (no foreign key: see schema v12).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .db import Db, chunks, now_iso
from .files import AttachmentFiles
from .query import CompiledView

log = logging.getLogger(__name__)

#: Which attachments are read: PDFs, by name (SQL, on ``attachments a``).
PDF_NAME = "lower(a.name) LIKE '%.pdf'"
#: Pages named per paper by ``hits`` (the first ones).
HIT_PAGES = 5
#: Tokens of context ``hits`` shows around the words (FTS5 ``snippet``, at most 64).
SNIPPET_TOKENS = 12


@dataclass(frozen=True)
class FileState:
    """What a file was when it was read: size, mtime (ns) and SHA-256 (None: unknown, or no file)."""

    size: int | None
    mtime_ns: int | None
    sha256: str | None = None

    def same_stat(self, other: FileState) -> bool:
        return (self.size, self.mtime_ns) == (other.size, other.mtime_ns)


def stat_of(path: Path) -> FileState:
    """The file's size and mtime now (both None when it cannot be read: missing, a folder...)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return FileState(None, None)
    return FileState(st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class PendingFile:
    """An attachment to read, with what was known of it (None: never read)."""

    attachment_id: int
    paper_id: int
    name: str
    path: Path
    known: FileState | None
    #: its state's status: None (never read), "pending" (asked for), "indexed" or "failed" (changed since)
    status: str | None


@dataclass(frozen=True)
class Hit:
    """Where a view's words occur in one paper's PDFs: the first attachment they occur in, its
    first pages with them (from 1), how many pages have them, and a few words around them."""

    attachment_id: int
    name: str
    pages: tuple[int, ...]
    count: int
    snippet: str


#: A file's text is written in parts of about this many characters, a transaction each.
STORE_PART_CHARS = 1_000_000
#: Up to this many pages, full-text hits are asked page by page (else listed once).
PROBE_PAGES_MAX = 40


@dataclass
class FullTextStatus:
    """The PDFs of the library: read, failed (with why), still to read; pages indexed."""

    indexed: int = 0
    failed: int = 0
    pending: int = 0
    pages: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"indexed": self.indexed, "failed": self.failed, "pending": self.pending, "pages": self.pages,
                "failures": self.failures}


class FullText:
    """The attachments' pages and index state (schema v12)."""

    def __init__(self, db: Db, files: AttachmentFiles) -> None:
        self.db = db
        self.files = files

    # ------------------------------------------------------------ what to read
    def _pdfs(self, paper_ids: Sequence[int] | None) -> list[tuple[Any, ...]]:
        """Every PDF attachment (of these papers) with its state, by attachment id."""
        sql = (
            "SELECT a.id, a.paper_id, a.name, a.path, a.mode, s.size, s.mtime_ns, s.sha256, s.status, s.message, "
            "s.pages FROM attachments a LEFT JOIN fulltext_state s ON s.attachment_id = a.id "
            f"WHERE {PDF_NAME}"
        )
        if paper_ids is None:
            return self.db.q(sql + " ORDER BY a.id")
        rows = [r for marks, chunk in chunks(paper_ids) for r in self.db.q(
            sql + f" AND a.paper_id IN ({marks})", chunk)]
        return sorted(rows)

    def pending(self, paper_ids: Sequence[int] | None = None) -> list[PendingFile]:
        """The PDF attachments (of these papers) that need reading, in attachment order: one
        ``stat`` per file read before."""
        out = []
        for aid, pid, name, path, mode, size, mtime, sha, status, _msg, _pages in self._pdfs(paper_ids):
            full = self.files.abspath(path, mode)
            known = None if status is None else FileState(size, mtime, sha)
            if status in ("indexed", "failed") and known is not None and known.same_stat(stat_of(full)):
                continue
            out.append(PendingFile(aid, pid, name, full, known, status))
        return out

    def has_unread(self, above_id: int = 0) -> bool:
        """Is there a PDF attachment (with an id above ``above_id``) never read or asked for again?
        One indexed query, no ``stat``: cheap enough for the window after every change."""
        return self.db.one(
            "SELECT 1 FROM attachments a LEFT JOIN fulltext_state s ON s.attachment_id = a.id "
            f"WHERE {PDF_NAME} AND a.id > ? AND (s.status IS NULL OR s.status = 'pending') LIMIT 1",
            (above_id,),
        ) is not None

    def request(self, paper_ids: Sequence[int]) -> int:
        """Read these papers' PDFs again at the next run, changed or not ("pending"); how many."""
        aids = [r[0] for r in self._pdfs(paper_ids)]
        with self.db.transaction():
            self.db.executemany(
                "INSERT INTO fulltext_state(attachment_id, status, at) VALUES (?, 'pending', ?) "
                "ON CONFLICT(attachment_id) DO UPDATE SET status = 'pending', at = excluded.at",
                [(aid, now_iso()) for aid in aids],
            )
        return len(aids)

    # ------------------------------------------------------------ what was read
    def _owned(self, attachment_id: int) -> bool:
        return self.db.one("SELECT 1 FROM attachments WHERE id = ?", (attachment_id,)) is not None

    def _write_state(self, attachment_id: int, state: FileState, status: str, message: str | None,
                     pages: int) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO fulltext_state(attachment_id, size, mtime_ns, sha256, status, message, pages, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (attachment_id, state.size, state.mtime_ns, state.sha256, status, message, pages, now_iso()),
        )

    def store(self, attachment_id: int, pages: Sequence[str], state: FileState, message: str | None = None) -> bool:
        """An attachment's pages (the first is page 1), in place of what it had, in one short
        transaction; ``message``: a note on a file read in part.  False: it was detached meanwhile
        (nothing written)."""
        # A book's text in one transaction held the library for seconds (11 M characters: 7.8 s,
        # past the 5 s every other writer waits): written in parts of ~1 M characters, each its own
        # short transaction, the file "pending" until the last is in (a crash between parts: the
        # next run reads it again, its first part deleting what the others left).
        parts: list[list[tuple[int, str]]] = [[]]
        size = 0
        for n, text in enumerate(pages, 1):
            if size >= STORE_PART_CHARS and parts[-1]:
                parts.append([])
                size = 0
            parts[-1].append((n, text))
            size += len(text)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            with self.db.transaction():
                if not self._owned(attachment_id):
                    return False
                if i == 0:
                    self.db.execute("DELETE FROM fulltext_pages WHERE attachment_id = ?", (attachment_id,))
                self.db.executemany("INSERT INTO fulltext_pages(attachment_id, page, text) VALUES (?, ?, ?)",
                                    ((attachment_id, n, text) for n, text in part))
                if last:
                    self._write_state(attachment_id, state, "indexed", message, len(pages))
                elif i == 0:
                    self._write_state(attachment_id, state, "pending", "being indexed", 0)
        return True

    def failed(self, attachment_id: int, state: FileState, message: str) -> bool:
        """The file could not be read (``message`` says why): no text, not tried again until it changes."""
        with self.db.transaction():
            if not self._owned(attachment_id):
                return False
            self.db.execute("DELETE FROM fulltext_pages WHERE attachment_id = ?", (attachment_id,))
            self._write_state(attachment_id, state, "failed", message, 0)
        return True

    def unchanged(self, attachment_id: int, state: FileState) -> bool:
        """The file's content is what was read (same SHA-256) though its size or mtime moved:
        only the state follows.  False when there is nothing to follow (read it)."""
        with self.db.transaction():
            cur = self.db.execute(
                "UPDATE fulltext_state SET size = ?, mtime_ns = ?, at = ? "
                "WHERE attachment_id = ? AND sha256 = ? AND status IN ('indexed', 'failed')",
                (state.size, state.mtime_ns, now_iso(), attachment_id, state.sha256),
            )
        return cur.rowcount > 0

    def forget_detached(self) -> int:
        """Delete the text and state of attachments that are gone (detached, their paper
        deleted, an attach undone); how many.  Read first: most calls write nothing."""
        if self.db.readonly:
            return 0
        gone = [aid for (aid,) in self.db.q(
            "SELECT attachment_id FROM fulltext_state WHERE attachment_id NOT IN (SELECT id FROM attachments)")]
        if not gone:
            return 0
        with self.db.transaction():
            for aid in gone:
                self.db.execute("DELETE FROM fulltext_pages WHERE attachment_id = ?", (aid,))
                self.db.execute("DELETE FROM fulltext_state WHERE attachment_id = ?", (aid,))
        log.info("forgot the full text of %d detached attachment(s)", len(gone))
        return len(gone)

    # -------------------------------------------------------------- reading it
    def status(self) -> FullTextStatus:
        """How many PDFs are indexed, failed (and why) or still to read (one ``stat`` per file read)."""
        out = FullTextStatus()
        pending = {f.attachment_id for f in self.pending()}
        for aid, pid, name, path, mode, _size, _mtime, _sha, status, message, pages in self._pdfs(None):
            if aid in pending:
                out.pending += 1
            elif status == "indexed":
                out.indexed += 1
                out.pages += pages or 0
            else:
                out.failed += 1
                out.failures.append({"attachment": aid, "paper": pid, "name": name,
                                     "path": str(self.files.abspath(path, mode)), "error": message or "failed"})
        return out

    def hits(self, cv: CompiledView, ids: Sequence[int]) -> dict[int, Hit]:
        """For each of these papers whose PDFs have the view's full-text words: where (``Hit``).
        Asked page by page of these papers' files (FTS5 seeks each page's rowid), not by
        listing every page of the library that matches."""
        if not cv.fulltext_terms or not ids:
            return {}
        try:
            return self._hits(cv.fulltext_terms, ids)
        except sqlite3.OperationalError as e:  # (a library of an older version, opened read-only)
            log.info("full-text hits: %s", e)
            return {}

    def _hits(self, expr: str, ids: Sequence[int]) -> dict[int, Hit]:
        found: dict[int, list[tuple[int, str, int, int]]] = {}
        cands: list[tuple[int, int, str, int, int]] = []
        for marks, chunk in chunks(ids):
            cands += self.db.q(
                "SELECT a.paper_id, a.id, a.name, fp.page, fp.id FROM attachments a "
                "JOIN fulltext_pages fp ON fp.attachment_id = a.id "
                f"WHERE a.paper_id IN ({marks}) ORDER BY a.paper_id, a.id, fp.page", chunk)
        if len(cands) <= PROBE_PAGES_MAX:
            # A few pages (the detail pane's paper): FTS5 is asked about each page's rowid.
            probe = "SELECT 1 FROM fulltext_fts WHERE fulltext_fts MATCH ? AND rowid = ?"
            matching = {r for *_, r in cands if self.db.one(probe, (expr, r))}
        else:
            # A page of papers: the matching pages listed once.  (Asked page by page, a prefix
            # longer than the prefix index, "model*", merged every matching term's list again
            # for each page: 1 s for 100 papers of 10 pages; listed once, 5.5 ms at 10,000 pages.)
            lo, hi = min(r for *_, r in cands), max(r for *_, r in cands)
            matching = {r for (r,) in self.db.q(
                "SELECT rowid FROM fulltext_fts WHERE fulltext_fts MATCH ? AND rowid BETWEEN ? AND ?", (expr, lo, hi))}
        for pid, aid, name, page, rowid in cands:
            if rowid in matching:
                found.setdefault(pid, []).append((aid, name, page, rowid))
        out: dict[int, Hit] = {}
        for pid, rows in found.items():
            aid, name = rows[0][0], rows[0][1]
            pages = [page for a, _n, page, _r in rows if a == aid]
            snippet = self.db.value(
                f"SELECT snippet(fulltext_fts, 0, '', '', '…', {SNIPPET_TOKENS}) FROM fulltext_fts "
                "WHERE fulltext_fts MATCH ? AND rowid = ?", (expr, rows[0][3]))
            out[pid] = Hit(aid, name, tuple(pages[:HIT_PAGES]), len(pages), " ".join((snippet or "").split()))
        return out
