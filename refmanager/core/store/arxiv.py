"""What the library keeps from arXiv: its answers (a cache, so a second lookup
makes no request), and what it says about a paper (``apply_metadata``).

arXiv is the authority for its id, the primary category, the first-version
date, the full author list and the abstract; a title is filled only when the
paper has none, a DOI or journal reference only when missing.  Fields the
user edited are never overwritten; tags, note, read and starred never touched.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..errors import RefManagerError
from ..fields import dumps
from ..models import Entry
from ..rows import fingerprint
from .db import now_iso
from .history import History
from .papers import Papers
from .sources import Sources


class ArxivRecords:
    def __init__(self, papers: Papers, sources: Sources, history: History) -> None:
        self.papers = papers
        self.db = papers.db
        self.sources = sources
        self.history = history

    def missing_ids(self) -> list[int]:
        """Papers (not in the trash) without an arXiv id, oldest first."""
        return [pid for (pid,) in self.db.q(
            "SELECT id FROM papers WHERE arxiv_id IS NULL AND trashed_at IS NULL ORDER BY id"
        )]

    def apply_metadata(self, pid: int, meta: Entry) -> tuple[list[str], list[str]]:
        """Write what arXiv says about a paper, as one undoable action.
        Returns (fields changed, user-edited fields kept)."""
        p = self.papers.need(pid)
        aid = meta.arxiv_id
        if aid and p.arxiv_id and p.arxiv_id != aid:
            raise RefManagerError(f"paper {pid} is arXiv:{p.arxiv_id}, not arXiv:{aid}")
        if aid and not p.arxiv_id:
            other = self.db.value("SELECT id FROM papers WHERE arxiv_id = ? AND id != ?", (aid, pid))
            if other is not None:
                raise RefManagerError(f"arXiv:{aid} is already paper {other} (a duplicate of paper {pid}?)")
        want: dict[str, Any] = {}
        if meta.title and not p.title:
            want["title"] = meta.title
        if meta.authors:
            want["authors"] = list(meta.authors)
            want["et_al"] = False
        for f in ("date", "category", "abstract", "arxiv_id"):
            if getattr(meta, f):
                want[f] = getattr(meta, f)
        for f in ("doi", "journal"):
            if getattr(meta, f) and not getattr(p, f):
                want[f] = getattr(meta, f)
        edited = set(p.edited_fields)
        if "authors" in edited:
            edited.add("et_al")
        upd: dict[str, Any] = {}
        kept: list[str] = []
        for k, v in want.items():
            if v == getattr(p, k):
                continue
            if k in edited:
                if k != "et_al":
                    kept.append(k)
                continue
            upd[k] = v
        if p.incomplete and upd.get("title", p.title):
            upd["incomplete"] = False
        fp = fingerprint(meta)
        recorded = self.sources.has(pid, fp)
        if not upd and recorded:
            return [], kept
        title = p.title or meta.title or f"paper {pid}"
        with self.history.action(f"arXiv metadata for {title[:60]!r}", [pid]):
            if upd:
                self.papers.update(pid, p, dict(upd))
            if not recorded:
                self.sources.add(
                    pid, f"https://arxiv.org/abs/{aid}" if aid else "arXiv API", meta.kind, fp,
                    dumps(meta.to_json()), now_iso(),
                )
            self.papers.remember_names(meta.authors)
        return [k for k in upd if k != "et_al"], kept

    # --------------------------------------------------------------- cache
    def cache_get(self, url: str) -> tuple[str, str] | None:
        """(fetched_at, body) of a cached arXiv API response, or None."""
        try:
            r = self.db.one("SELECT fetched_at, body FROM arxiv_cache WHERE url = ?", (url,))
        except sqlite3.OperationalError:  # a version-1 library opened read-only
            return None
        return (r[0], r[1]) if r else None

    def cache_put(self, url: str, body: str, *, fetched_at: str, prune_before: str | None = None) -> None:
        """Remember a response (not an undoable action); drop those fetched before ``prune_before``."""
        if self.db.readonly:
            return
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO arxiv_cache(url, fetched_at, body) VALUES (?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET fetched_at = excluded.fetched_at, body = excluded.body",
                (url, fetched_at, body),
            )
            if prune_before is not None:
                self.db.execute("DELETE FROM arxiv_cache WHERE fetched_at < ?", (prune_before,))
