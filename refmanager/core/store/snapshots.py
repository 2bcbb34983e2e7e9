"""A paper's whole record as stored, taken and put back: what undo, redo, merge
and split keep.

A snapshot is plain JSON data: every column of the paper (``fields.COLUMNS``),
its tags by name, its sources, and the rows of the tables that belong to it
(alternatives, attachments, merges into it, not-duplicate marks).  Undo
records in the library hold snapshots, so their shape is part of the file
format: keys are never renamed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..fields import COLUMNS
from .db import Db, chunks
from .tags import Tags

Snapshot = dict[str, Any]

_SOURCE_KEYS = ("id", "import_id", "file", "line", "kind", "fingerprint", "data", "added_at")
#: The extra tables, one query for all four: this runs for every paper an import merges into.
_EXTRAS_SQL = (
    "SELECT 'alt', paper_id, id, field, value, title_key, NULL, NULL FROM alternatives WHERE paper_id IN ({m}) "
    "UNION ALL SELECT 'att', paper_id, id, name, path, mode, added_at, NULL FROM attachments WHERE paper_id IN ({m}) "
    "UNION ALL SELECT 'mrg', kept_id, id, at, merged_ids, kept_before, kept_after, merged "
    "FROM merges WHERE kept_id IN ({m}) "
    "UNION ALL SELECT 'nd', a, b, at, NULL, NULL, NULL, NULL FROM not_duplicates WHERE a IN ({m}) "
    "UNION ALL SELECT 'nd', b, a, at, NULL, NULL, NULL, NULL FROM not_duplicates WHERE b IN ({m}) "
    "ORDER BY 1, 2, 3"
)
#: kind of row -> (snapshot key, values kept)
_EXTRAS = {"alt": ("_alternatives", 4), "att": ("_attachments", 5), "mrg": ("_merges", 6), "nd": ("_not_dups", 2)}
#: The snapshot's lists of rows (compared as sets by undo, ``changes.py``).
LIST_KEYS = ("_sources", "_alternatives", "_attachments", "_merges", "_not_dups")
_UPDATED = tuple(c for c in COLUMNS if c not in ("id", "version"))
_SETS = ", ".join(f"{c} = ?" for c in _UPDATED)


class Snapshots:
    def __init__(self, db: Db, tags: Tags) -> None:
        self.db = db
        self.tags = tags

    def take(self, ids: Sequence[int]) -> dict[int, Snapshot | None]:
        """Each paper's snapshot (None: no such paper)."""
        out: dict[int, Snapshot | None] = {i: None for i in ids}
        cols = ", ".join(COLUMNS)
        for marks, chunk in chunks(ids):
            for r in self.db.q(f"SELECT {cols} FROM papers WHERE id IN ({marks})", chunk):
                out[r[0]] = dict(zip(COLUMNS, r))
        present = [i for i, v in out.items() if v is not None]
        tags = self.tags.of(present)
        # One query per 500 papers, not one per paper (a large import or tag action).
        sources: dict[int, list[dict[str, Any]]] = {i: [] for i in present}
        for marks, chunk in chunks(present):
            for s in self.db.q(
                f"SELECT paper_id, {', '.join(_SOURCE_KEYS)} FROM sources WHERE paper_id IN ({marks}) "
                "ORDER BY paper_id, id",
                chunk,
            ):
                sources[s[0]].append(dict(zip(_SOURCE_KEYS, s[1:])))
        extras: dict[int, dict[str, list[Any]]] = {i: {k: [] for k, _ in _EXTRAS.values()} for i in present}
        for marks, chunk in chunks(present, 250):
            for kind, pid, *rest in self.db.q(_EXTRAS_SQL.format(m=marks), chunk * 5):
                key, n = _EXTRAS[kind]
                extras[pid][key].append(list(rest[:n]))
        for i in present:
            v = out[i]
            assert v is not None
            v["_tags"] = tags[i]
            v["_sources"] = sources[i]
            v.update(extras[i])
        return out

    def take_one(self, pid: int) -> Snapshot | None:
        return self.take([pid]).get(pid)

    def tag_rows(self) -> dict[int, dict[str, Any]]:
        """Every tag row by id (an action's tag rows are compared before and after it)."""
        return {tid: {"name": name, "color": color} for tid, name, color in self.db.q("SELECT id, name, color FROM tags")}

    def write_tag_rows(self, rows: dict[str, Any]) -> list[str]:
        """Make or change tag rows by id (``None`` rows are left to ``drop_tag_rows``);
        returns what could not be done (a name another tag has taken since)."""
        conflicts = []
        for tid_s, t in rows.items():
            if t is None:
                continue
            other = self.db.value("SELECT id FROM tags WHERE name = ? COLLATE NOCASE AND id != ?", (t["name"], int(tid_s)))
            if other is not None:
                conflicts.append(f"tag {t['name']!r}: another tag has that name now: left as it is")
                continue
            self.db.execute(
                "INSERT INTO tags(id, name, color) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name = excluded.name, color = excluded.color",
                (int(tid_s), t["name"], t["color"]),
            )
        return conflicts

    def drop_tag_rows(self, rows: dict[str, Any]) -> list[str]:
        """Delete the tag rows given as ``None`` that no paper uses (any more)."""
        conflicts = []
        for tid_s, t in rows.items():
            if t is not None:
                continue
            tid = int(tid_s)
            if self.db.one("SELECT 1 FROM paper_tags WHERE tag_id = ? LIMIT 1", (tid,)):
                name = self.db.value("SELECT name FROM tags WHERE id = ?", (tid,))
                conflicts.append(f"tag {name!r} is used by papers since: kept")
                continue
            self.db.execute("DELETE FROM tags WHERE id = ?", (tid,))
        return conflicts

    def restore(self, snap: dict[str, Any]) -> None:
        """Put back what a snapshot of papers says (a None paper: delete it)."""
        db = self.db
        papers = snap.get("papers") or {}
        # Deletions first: a paper's rows (merges, attachments) may take back the ids of
        # rows that belonged to a paper this deletes.
        for pid_s, row in sorted(papers.items(), key=lambda kv: kv[1] is not None):
            pid = int(pid_s)
            if row is None:
                db.execute("DELETE FROM papers WHERE id = ?", (pid,))
                continue
            vals = [row.get(k, 0 if k == "version" else None) for k in COLUMNS]
            version = row.get("_version")
            if db.one("SELECT 1 FROM papers WHERE id = ?", (pid,)):
                # (the version is the trigger's: it counts every change; an undo that takes a
                # paper back whole gives it back its version, ``changes._fields``)
                db.execute(f"UPDATE papers SET {_SETS} WHERE id = ?", [row.get(k) for k in _UPDATED] + [pid])
            else:
                db.execute(f"INSERT INTO papers({', '.join(COLUMNS)}) VALUES ({','.join('?' * len(COLUMNS))})", vals)
                if version is None:
                    version = row.get("version")  # (made again: the version it had, not its rows' writes)
            db.execute("DELETE FROM sources WHERE paper_id = ?", (pid,))
            for s in row.get("_sources", []):
                db.execute(
                    f"INSERT OR REPLACE INTO sources(paper_id, {', '.join(_SOURCE_KEYS)}) "
                    f"VALUES (?, {', '.join('?' * len(_SOURCE_KEYS))})",
                    (pid, *(s[k] for k in _SOURCE_KEYS)),
                )
            self._restore_extras(pid, row)
            self.tags.set_of(pid, row.get("_tags", []))
            if version is not None:  # (last: every write above counted as a change)
                db.execute("UPDATE papers SET version = ? WHERE id = ?", (version, pid))

    def _restore_extras(self, pid: int, row: Snapshot) -> None:
        db = self.db
        db.execute("DELETE FROM alternatives WHERE paper_id = ?", (pid,))
        for aid, f, value, tkey in row.get("_alternatives", []):
            db.insert_keeping_id(
                "alternatives", ("id", "paper_id", "field", "value", "title_key"), (aid, pid, f, value, tkey)
            )
        db.execute("DELETE FROM attachments WHERE paper_id = ?", (pid,))
        for aid, name, path, mode, added_at in row.get("_attachments", []):
            # (by id, like sources: "this attachment belongs to this paper again")
            db.execute(
                "INSERT OR REPLACE INTO attachments(id, paper_id, name, path, mode, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (aid, pid, name, path, mode, added_at),
            )
        db.execute("DELETE FROM merges WHERE kept_id = ?", (pid,))
        for mid, at, merged_ids, before, after, merged in row.get("_merges", []):
            db.insert_keeping_id(
                "merges", ("id", "at", "kept_id", "merged_ids", "kept_before", "kept_after", "merged"),
                (mid, at, pid, merged_ids, before, after, merged),
            )
        db.execute("DELETE FROM not_duplicates WHERE a = ? OR b = ?", (pid, pid))
        for other, at in row.get("_not_dups", []):
            if other != pid:
                db.execute(
                    "INSERT OR IGNORE INTO not_duplicates(a, b, at) VALUES (?, ?, ?)",
                    (min(pid, other), max(pid, other), at),
                )
