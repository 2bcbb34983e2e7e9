"""Undo and redo by change, kept in the library (``undo_log``): the history survives restarts
and is shared by every program that writes the library (the app, the command line).

Every user action runs in ``action(label, ids)``: one transaction, at whose end what it
changed is recorded (``changes.py``: fields before and after, tags and table rows added and
removed, tag rows made, deleted or changed).  Undo takes back the newest action, redo puts it
again, each only where the library still holds what the action left: what changed since is
left as it is and said (``Undone.conflicts``), never overwritten, and the history never
jams.  Typing a note is one action per editing session (``session``).  Marking a paper read
is not an action.

The history is not limited by a number of actions but by size: the newest actions are kept
up to ``HISTORY_MAX_CHARS`` characters of JSON in all; older ones are dropped.  One action
larger than ``UNDO_MAX_CHARS`` stands but cannot be undone, and clears the history (what came
before it could no longer be undone safely).  See docs/reliability.md.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..errors import HistoryMoved
from ..fields import dumps
from . import changes
from .db import Db, now_iso
from .snapshots import ROW_TABLES, Snapshot, Snapshots, TableRows

log = logging.getLogger(__name__)

#: Largest undo record kept, in characters of JSON (SQLite refuses values over 1 GB).
UNDO_MAX_CHARS = 200_000_000
#: The whole history, in characters of JSON: the oldest actions beyond it are dropped.
HISTORY_MAX_CHARS = 256_000_000
#: Key of an old (schema < 8) record's "after" whose snapshots were taken at undo time.
_DEFERRED = "deferred_paper_ids"


class Undone(str):
    """The label of the action undone or redone (it compares as that label), and what was
    left as it is because it changed since (``conflicts``: one sentence each)."""

    conflicts: tuple[str, ...]

    def __new__(cls, label: str, conflicts: Sequence[str] = ()) -> Undone:
        obj = super().__new__(cls, label)
        obj.conflicts = tuple(conflicts)
        return obj


class History:
    def __init__(self, db: Db, snapshots: Snapshots) -> None:
        self.db = db
        self.snapshots = snapshots

    # ------------------------------------------------------------- recording
    @contextmanager
    def action(self, label: str, ids: Sequence[int], *, tag_names: Sequence[str] = (),
               session: str | None = None) -> Iterator[None]:
        """Run a change in one transaction and record what it changed.  ``session``: a
        change of the same session as the newest action extends it (typing a note)."""
        del tag_names  # (every tag row is compared: an action may make one by tagging)
        with self.db.transaction():
            tags_before, rows_before = self.snapshots.tag_rows(), self.snapshots.table_rows()
            before = self.snapshots.take(ids)
            yield
            after = self.snapshots.take(ids)
            self.record(label, before, after, tags_before, self.snapshots.tag_rows(), session=session,
                        rows_before=rows_before, rows_after=self.snapshots.table_rows())

    @contextmanager
    def growing_action(self, label: str, ids: Sequence[int]) -> Iterator[list[int]]:
        """Like ``action``, for changes that create papers: append their ids to the yielded
        list (undo deletes them, unless they were changed since)."""
        with self.db.transaction():
            tags_before, rows_before = self.snapshots.tag_rows(), self.snapshots.table_rows()
            before: dict[int, Snapshot | None] = dict(self.snapshots.take(ids))
            created: list[int] = []
            yield created
            for pid in created:
                before.setdefault(pid, None)
            after = self.snapshots.take([*ids, *created])
            self.record(label, before, after, tags_before, self.snapshots.tag_rows(),
                        rows_before=rows_before, rows_after=self.snapshots.table_rows())

    def record(
        self, label: str, before: dict[int, Snapshot | None], after: dict[int, Snapshot | None],
        tags_before: dict[int, Any], tags_after: dict[int, Any], *, session: str | None = None,
        imported: dict[int, int] | None = None, import_id: int | None = None,
        rows_before: TableRows | None = None, rows_after: TableRows | None = None,
    ) -> bool:
        """Record an action from its papers and tag rows before and after; ``imported``:
        papers an import made, by their version at its end (their state is taken when the
        import is undone: an import of 100,000 papers does not copy them all up front).
        False when it is too large to keep (``UNDO_MAX_CHARS``)."""
        papers = {}
        for pid in dict.fromkeys([*before, *after]):
            ch = changes.diff_paper(before.get(pid), after.get(pid))
            if ch:
                papers[str(pid)] = ch
        change: dict[str, Any] = {"v": 2, "papers": papers, "tags": changes.diff_tags(tags_before, tags_after)}
        rows = {t: d for t in ROW_TABLES
                if (d := changes.diff_tags((rows_before or {}).get(t, {}), (rows_after or {}).get(t, {})))}
        if rows:
            change["rows"] = rows
        if imported:
            change["imported"] = {str(k): v for k, v in imported.items()}
            change["import_id"] = import_id
        if not (papers or change["tags"] or rows or imported):
            return True  # (nothing changed: nothing to undo)
        return self._store(label, change, session)

    def _store(self, label: str, change: dict[str, Any], session: str | None) -> bool:
        db = self.db
        db.execute("DELETE FROM undo_log WHERE undone = 1")  # (a new action: the redos are gone)
        if session is not None:
            last = db.one("SELECT id, session, change FROM undo_log ORDER BY id DESC LIMIT 1")
            if last and last[1] == session and last[2]:
                reverted: dict[int, int] = {}
                change = _extend(json.loads(last[2]), change, reverted)
                for pid, version in reverted.items():  # (typed back: no change, as versions count)
                    db.execute("UPDATE papers SET version = ? WHERE id = ?", (version, pid))
                if not any(change["papers"].values()) and not change["tags"]:
                    db.execute("DELETE FROM undo_log WHERE id = ?", (last[0],))  # (typed back: nothing to undo)
                    return True
                text = dumps(change)
                db.execute("UPDATE undo_log SET change = ?, size = ?, at = ?, label = ? WHERE id = ?",
                           (text, len(text), now_iso(), label, last[0]))
                return True
        text = dumps(change)
        if len(text) > UNDO_MAX_CHARS:
            # SQLite refuses a value over 1 GB.  The action stands but cannot be undone,
            # and nothing before it can be undone safely either.
            log.warning("%s: too large to undo (%d characters); undo history cleared", label, len(text))
            db.execute("DELETE FROM undo_log")
            return False
        uid = db.execute(
            "INSERT INTO undo_log(at, label, before, after, change, session, size) VALUES (?, ?, '', '', ?, ?, ?)",
            (now_iso(), label, text, session, len(text)),
        ).lastrowid
        if len(text) > 1_000_000 or not uid % 64:
            self._trim()
        return True

    def _trim(self) -> None:
        """Keep the newest actions up to ``HISTORY_MAX_CHARS`` in all."""
        cut = self.db.value(
            "SELECT id FROM (SELECT id, sum(size) OVER (ORDER BY id DESC) AS total FROM undo_log) "
            "WHERE total > ? ORDER BY id DESC LIMIT 1",
            (HISTORY_MAX_CHARS,),
        )
        if cut is not None:
            self.db.execute("DELETE FROM undo_log WHERE id <= ?", (cut,))

    # -------------------------------------------------------------- undo/redo
    def undo_label(self) -> str | None:
        return self.db.value("SELECT label FROM undo_log WHERE undone = 0 ORDER BY id DESC LIMIT 1")

    def redo_label(self) -> str | None:
        return self.db.value("SELECT label FROM undo_log WHERE undone = 1 ORDER BY id ASC LIMIT 1")

    def count(self) -> int:
        return self.db.value("SELECT count(*) FROM undo_log WHERE undone = 0") or 0

    def undo(self, expect: str | None = None) -> Undone | None:
        """Take back the newest action (None when there is none).  ``expect``: the label the
        user saw; if another program acted since, nothing is undone (``HistoryMoved``)."""
        with self.db.transaction():
            r = self.db.one(
                "SELECT id, label, before, after, change FROM undo_log WHERE undone = 0 ORDER BY id DESC LIMIT 1")
            if not r:
                return None
            uid, label, before, after, text = r
            _expected(expect, label, "undo")
            change = json.loads(text) if text else self._old_record(json.loads(before), json.loads(after))
            keep = True
            if "imported" in change:
                keep = self._take_imported(change)
            conflicts = self._apply(change, backwards=True)
            if keep:
                text = dumps(change)
                self.db.execute("UPDATE undo_log SET undone = 1, change = ?, size = ? WHERE id = ?",
                                (text, len(text), uid))
            else:
                self.db.execute("DELETE FROM undo_log WHERE id = ?", (uid,))  # too large to redo
        return Undone(label, conflicts)

    def redo(self, expect: str | None = None) -> Undone | None:
        with self.db.transaction():
            r = self.db.one("SELECT id, label, change FROM undo_log WHERE undone = 1 ORDER BY id ASC LIMIT 1")
            if not r:
                return None
            uid, label, text = r
            _expected(expect, label, "redo")
            conflicts = self._apply(json.loads(text), backwards=False)
            self.db.execute("UPDATE undo_log SET undone = 0 WHERE id = ?", (uid,))
        return Undone(label, conflicts)

    def _apply(self, change: dict[str, Any], *, backwards: bool) -> list[str]:
        ids = changes.changed_ids(change)
        current = self.snapshots.take(ids)
        names = {pid: _name(pid, current.get(pid), change["papers"][str(pid)]) for pid in ids}
        res = changes.apply(change, current, self.snapshots.tag_rows(), backwards=backwards, names=names,
                            current_rows=self.snapshots.table_rows() if "rows" in change else None)
        conflicts = res.conflicts + self.snapshots.write_tag_rows(res.tags)
        for table, rows in res.rows.items():
            conflicts += self.snapshots.write_table_rows(table, rows)
        self.snapshots.restore({"papers": res.papers})
        conflicts += self.snapshots.drop_tag_rows(res.tags)
        for table, rows in res.rows.items():
            conflicts += self.snapshots.drop_table_rows(table, rows)
        for c in conflicts:
            log.info("%s: %s", "undo" if backwards else "redo", c)
        return conflicts

    def _take_imported(self, change: dict[str, Any]) -> bool:
        """The papers an import made, as they are now, into the change (so that a redo can
        make them again); a paper changed since the import (its version moved) is kept and
        named.  False when the record would grow too large to keep for a redo."""
        imported = {int(k): v for k, v in change.pop("imported").items()}
        change.pop("import_id", None)
        now = self.snapshots.take(list(imported))
        papers = change["papers"]
        for pid, version in imported.items():
            snap = now.get(pid)
            if snap is None:
                continue
            # (its version moved: changed since; an undo taking a change back whole gives the
            # version back, so a paper tagged and untagged since is still as the import made it)
            if snap.get("version") != version:
                snap = dict(snap)
                snap["_changed_since"] = True  # (kept by changes.apply: not as the import left it)
            papers[str(pid)] = {"created": snap}
        return sum(len(dumps(p)) for p in papers.values()) <= UNDO_MAX_CHARS

    def _old_record(self, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
        """A record of schema < 8 (whole snapshots) as a change."""
        if _DEFERRED in after:
            after = dict(after)
            after["papers"] = {str(k): v for k, v in self.snapshots.take(after.pop(_DEFERRED)).items()}
        return changes.of_snapshots(before, after)


def _expected(expect: str | None, label: str, what: str) -> None:
    """Undo and redo do what the menu said, or nothing."""
    if expect is not None and expect != label:
        if what == "undo":
            raise HistoryMoved(f"nothing undone: another program acted meanwhile, and the newest action is now "
                               f"{label!r}; undo again to take that back")
        raise HistoryMoved(f"nothing redone: another program acted meanwhile, and the action to redo is now "
                           f"{label!r}; redo again to do that")


def _extend(old: dict[str, Any], new: dict[str, Any], reverted: dict[int, int]) -> dict[str, Any]:
    """One change for two of one session (a note typed in several saves): each field goes
    from its first value to its last.  A paper typed back to where the session found it
    goes into ``reverted`` with the version it had then."""
    for pid_s, ch in new["papers"].items():
        prev = old["papers"].setdefault(pid_s, {})
        for col, (_b, a) in ch.get("fields", {}).items():
            if col in prev.get("fields", {}):
                prev["fields"][col][1] = a
            else:
                prev.setdefault("fields", {})[col] = [_b, a]
        if "modified_at" in ch:
            prev.setdefault("modified_at", ch["modified_at"])[1] = ch["modified_at"][1]
        for col in [c for c, (b, a) in prev.get("fields", {}).items() if b == a]:
            del prev["fields"][col]  # (typed and typed back)
        if not prev.get("fields"):
            prev.pop("fields", None)
        if "version" in ch:
            prev.setdefault("version", ch["version"])[1] = ch["version"][1]
        if not set(prev) - {"modified_at", "version"}:
            del old["papers"][pid_s]  # (the library's counters alone are no change)
            if "version" in prev:
                reverted[int(pid_s)] = prev["version"][0]
    return old


def _name(pid: int, snap: Snapshot | None, change: dict[str, Any]) -> str:
    """"paper 12 'Attention Is All You Need'" for a conflict's sentence."""
    s = snap or change.get("created") or change.get("deleted") or {}
    title = s.get("title") or (s.get("abstract") or "")[:40]
    if not title:
        return f"paper {pid}"
    return f"paper {pid} {title if len(title) <= 40 else title[:39] + '…'!r}"
