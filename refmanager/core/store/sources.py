"""Where a paper came from: the imported entries it was made of, and the merges into it.

Each imported entry is a row of ``sources`` with a content fingerprint (the
same entry imported again is "unchanged") and the entry as the file gave it.
Since schema v6 a source's ``data`` is NULL while the paper is still the row
that entry made (``rows.row_holds_entry``); it is read back from the row.
"""

from __future__ import annotations

import json
from typing import Any

from ..fields import ENTRY_COLUMNS
from ..rows import Prepared, entry_from_json, entry_json_from_row, prepare
from .db import Db
from .papers import Papers

INSERT_SOURCE_SQL = (
    "INSERT INTO sources(paper_id, import_id, file, line, kind, fingerprint, data, added_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


class Sources:
    def __init__(self, db: Db, papers: Papers) -> None:
        self.db = db
        self.papers = papers

    def of(self, pid: int) -> list[dict[str, Any]]:
        """One dict per imported entry of a paper, oldest first (``data``: the entry's JSON)."""
        self.papers.need(pid)
        out = []
        row: Any = None
        for sid, import_id, file, line, kind, fp, data, added_at in self.db.q(
            "SELECT id, import_id, file, line, kind, fingerprint, data, added_at FROM sources "
            "WHERE paper_id = ? ORDER BY id",
            (pid,),
        ):
            if data is None:  # the paper is still the row this entry made (schema v6)
                if row is None:
                    row = self.db.one(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM papers WHERE id = ?", (pid,))
                entry = entry_json_from_row(kind, line, row)
            else:
                entry = json.loads(data) if data else {}
            out.append({
                "id": sid, "import_id": import_id, "file": file, "line": line, "kind": kind,
                "fingerprint": fp, "added_at": added_at, "title": entry.get("title"),
                "authors": entry.get("authors") or [], "data": entry,
            })
        return out

    def split_fingerprints_stored(self) -> bool:
        """Were the library's listing entries fingerprinted by an older version, from their
        split authors?  (Since then, by their raw line: ``rows.row_fingerprint``.)  Its oldest
        listing source says: fingerprints only changed once, and one version writes one kind."""
        row = self.db.one("SELECT id, paper_id FROM sources WHERE kind = 'full' ORDER BY id LIMIT 1")
        if row is None:
            return False
        sid, pid = row
        source = next(s for s in self.of(pid) if s["id"] == sid)
        entry = entry_from_json(source["data"])
        return entry.raw_line is not None and source["fingerprint"] == Prepared(prepare(entry)).split_fingerprint()

    def has(self, pid: int, fingerprint: str) -> bool:
        return self.db.one("SELECT 1 FROM sources WHERE paper_id = ? AND fingerprint = ?", (pid, fingerprint)) is not None

    def add(self, pid: int, file: str | None, kind: str, fingerprint: str, data: str, at: str) -> None:
        """A source that came from no import (the arXiv API)."""
        self.db.execute(INSERT_SOURCE_SQL, (pid, None, file, None, kind, fingerprint, data, at))

    def merges(self, pid: int) -> list[dict[str, Any]]:
        """The merges into a paper that a split would take back (newest first)."""
        return [
            {"id": mid, "at": at, "merged_ids": json.loads(merged_ids)}
            for mid, at, merged_ids in self.db.q(
                "SELECT id, at, merged_ids FROM merges WHERE kept_id = ? ORDER BY id DESC", (pid,)
            )
        ]
