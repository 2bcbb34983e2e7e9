"""Values a paper had or was offered and does not show: what the user replaced by
an edit, what a merge did not choose, what an import said against an edit.

One row per (paper, field, JSON value), the newest ``MAX_ALTERNATIVES`` per
field.  A replaced title keeps its ``title_key``, so a later import of the
paper under its old title still finds it (``matching.Matcher``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..fields import MERGE_FIELDS, dumps
from ..textnorm import title_key
from .db import Db, chunks

#: Fields whose replaced values are kept.
ALTERNATIVE_FIELDS = MERGE_FIELDS
#: Alternatives kept per field of a paper (the oldest go first).
MAX_ALTERNATIVES = 10


def is_empty(v: Any) -> bool:
    return v is None or v == "" or v == []


class Alternatives:
    def __init__(self, db: Db) -> None:
        self.db = db

    def of(self, ids: Sequence[int]) -> dict[int, dict[str, list[Any]]]:
        """{paper: {field: [values, oldest first]}} for papers that have any."""
        out: dict[int, dict[str, list[Any]]] = {}
        for marks, chunk in chunks(ids):
            for pid, f, value in self.db.q(
                f"SELECT paper_id, field, value FROM alternatives WHERE paper_id IN ({marks}) ORDER BY id", chunk
            ):
                out.setdefault(pid, {}).setdefault(f, []).append(json.loads(value))
        return out

    def add(self, pid: int, field: str, value: Any) -> bool:
        """Keep a value; True when it is a title (which later imports then look for)."""
        if is_empty(value) or field not in ALTERNATIVE_FIELDS:
            return False
        self.db.execute(
            "INSERT OR IGNORE INTO alternatives(paper_id, field, value, title_key) VALUES (?, ?, ?, ?)",
            (pid, field, dumps(value), title_key(value) if field == "title" else None),
        )
        self.db.execute(
            "DELETE FROM alternatives WHERE paper_id = ? AND field = ? AND id NOT IN "
            "(SELECT id FROM alternatives WHERE paper_id = ? AND field = ? ORDER BY id DESC LIMIT ?)",
            (pid, field, pid, field, MAX_ALTERNATIVES),
        )
        return field == "title"

    def drop(self, pid: int, field: str, value: Any) -> None:
        self.db.execute(
            "DELETE FROM alternatives WHERE paper_id = ? AND field = ? AND value = ?", (pid, field, dumps(value))
        )

    def exist_for_titles(self) -> bool:
        """Does any paper keep a replaced title?  (An import looks for none otherwise.)"""
        return self.db.one("SELECT 1 FROM alternatives WHERE title_key IS NOT NULL LIMIT 1") is not None

    def title_match(self, tkey: str, arxiv_id: str | None) -> int | None:
        """A paper whose replaced title has this key (and no other arXiv id)."""
        for pid, aid in self.db.q(
            "SELECT a.paper_id, p.arxiv_id FROM alternatives a JOIN papers p ON p.id = a.paper_id "
            "WHERE a.title_key = ? ORDER BY a.paper_id",
            (tkey,),
        ):
            if not (aid and arxiv_id and aid != arxiv_id):
                return pid
        return None

    def replace_all(self, pid: int, rows: Sequence[tuple[int | None, str, str]]) -> None:
        """Make a paper's alternatives exactly these (id when free, field, JSON value)."""
        self.db.execute("DELETE FROM alternatives WHERE paper_id = ?", (pid,))
        for aid, f, v in rows:
            self.db.insert_keeping_id(
                "alternatives", ("id", "paper_id", "field", "value", "title_key"),
                (aid, pid, f, v, title_key(json.loads(v)) if f == "title" else None),
            )
