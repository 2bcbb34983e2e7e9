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
from . import annotation_rows
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
#: The snapshot's lists of rows (compared as sets by undo, ``changes.py``); ``_collections``:
#: the ids of the collections the paper is in (schema v11; a snapshot without it, made by an
#: older version, leaves the paper's collections as they are when restored).
#: ``_annotations``: the paper's annotation rows (schema v13, ``annotation_rows.py``; likewise left as they are
#: when restoring an older snapshot).
LIST_KEYS = ("_sources", "_alternatives", "_attachments", "_merges", "_not_dups", "_collections", "_annotations")
#: The small tables an action's change keeps row by row, by id, as it does tags (schema v11):
#: table -> its columns but the id.  A collection's parent comes first (rows are written parents
#: first).
ROW_TABLES: dict[str, tuple[str, ...]] = {
    "collections": ("parent_id", "name", "created_at"),
    "saved_searches": ("name", "query", "created_at"),
}
TableRows = dict[str, dict[int, dict[str, Any]]]
#: ``subtree(id)``: a collection (the parameter) and every collection under it.
SUBTREE_CTE = (
    "subtree(id) AS (SELECT ? UNION SELECT c.id FROM collections c JOIN subtree s ON c.parent_id = s.id)"
)
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
        member: dict[int, list[int]] = {i: [] for i in present}
        for marks, chunk in chunks(present):
            for pid, cid in self.db.q(
                f"SELECT paper_id, collection_id FROM collection_papers WHERE paper_id IN ({marks}) "
                "ORDER BY paper_id, collection_id",
                chunk,
            ):
                member[pid].append(cid)
        notes = annotation_rows.rows_of(self.db, present)
        for i in present:
            v = out[i]
            assert v is not None
            v["_tags"] = tags[i]
            v["_collections"] = member[i]
            v["_annotations"] = notes[i]
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

    # ------------------------------------------------ collections, saved searches
    def table_rows(self) -> TableRows:
        """Every row of the ``ROW_TABLES`` by id (compared before and after an action)."""
        return {
            table: {r[0]: dict(zip(cols, r[1:])) for r in self.db.q(f"SELECT id, {', '.join(cols)} FROM {table}")}
            for table, cols in ROW_TABLES.items()
        }

    def write_table_rows(self, table: str, rows: dict[str, Any]) -> list[str]:
        """Make or change rows of ``table`` by id (``None`` rows are left to ``drop_table_rows``);
        returns what could not be done (a name taken since, a parent deleted since)."""
        cols = ROW_TABLES[table]
        todo = {int(k): v for k, v in rows.items() if v is not None}
        conflicts: list[str] = []
        while todo:  # (parents first: a collection's parent may be among the rows)
            ready = [i for i, r in todo.items() if r.get("parent_id") not in todo]
            for rid in sorted(ready):
                r = todo.pop(rid)
                why = self._row_refused(table, rid, r)
                if why:
                    conflicts.append(why)
                    continue
                self.db.execute(
                    f"INSERT INTO {table}(id, {', '.join(cols)}) VALUES (?, {', '.join('?' * len(cols))}) "
                    f"ON CONFLICT(id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in cols)}",
                    (rid, *(r.get(c) for c in cols)),
                )
        return conflicts

    def _row_refused(self, table: str, rid: int, r: dict[str, Any]) -> str | None:
        what = "collection" if table == "collections" else "saved search"
        if table == "collections":
            parent = r.get("parent_id")
            if parent is not None and not self.db.one("SELECT 1 FROM collections WHERE id = ?", (parent,)):
                return f"{what} {r['name']!r}: its parent was deleted since: not made again"
            taken = self.db.one(
                "SELECT 1 FROM collections WHERE coalesce(parent_id, 0) = coalesce(?, 0) AND name = ? COLLATE NOCASE "
                "AND id != ?", (parent, r["name"], rid))
        else:
            taken = self.db.one("SELECT 1 FROM saved_searches WHERE name = ? COLLATE NOCASE AND id != ?",
                                (r["name"], rid))
        return f"{what} {r['name']!r}: another has that name now: left as it is" if taken else None

    def drop_table_rows(self, table: str, rows: dict[str, Any]) -> list[str]:
        """Delete the rows of ``table`` given as ``None`` (a collection: unless papers were put
        in it since; its subcollections go with it)."""
        conflicts = []
        for rid_s, r in rows.items():
            if r is not None:
                continue
            rid = int(rid_s)
            if table == "collections" and self.db.one(
                f"WITH RECURSIVE {SUBTREE_CTE} SELECT 1 FROM collection_papers WHERE collection_id IN "
                "(SELECT id FROM subtree) LIMIT 1", (rid,)
            ):
                name = self.db.value("SELECT name FROM collections WHERE id = ?", (rid,))
                conflicts.append(f"collection {name!r} has papers put in it since: kept")
                continue
            self.db.execute(f"DELETE FROM {table} WHERE id = ?", (rid,))
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
        if "_annotations" in row:  # (not in a snapshot made before schema v13: left as they are)
            annotation_rows.restore_rows(db, pid, row["_annotations"])
        if "_collections" in row:  # (not in a snapshot made before schema v11: left as they are)
            db.execute("DELETE FROM collection_papers WHERE paper_id = ?", (pid,))
            db.executemany(
                "INSERT OR IGNORE INTO collection_papers(collection_id, paper_id) "
                "SELECT ?, ? WHERE EXISTS (SELECT 1 FROM collections WHERE id = ?)",
                [(cid, pid, cid) for cid in row["_collections"]],
            )
        db.execute("DELETE FROM not_duplicates WHERE a = ? OR b = ?", (pid, pid))
        for other, at in row.get("_not_dups", []):
            if other != pid:
                db.execute(
                    "INSERT OR IGNORE INTO not_duplicates(a, b, at) VALUES (?, ?, ?)",
                    (min(pid, other), max(pid, other), at),
                )
