"""Undo and redo, kept in the library (``undo_log``), so the history survives restarts.

Every user action runs in ``action(label, ids)``: one transaction that stores
snapshots of the papers (and tags) it touches before and after.  Undo puts
the "before" back, redo the "after".  An import stores only the ids of what it
changed for "after": their state is captured when it is undone (undo goes
newest first, so it is still the state the import left).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..fields import dumps
from .db import Db, now_iso
from .snapshots import Snapshots

log = logging.getLogger(__name__)

#: Undo history kept in the library.
UNDO_LIMIT = 200
#: Largest undo record kept, in characters of JSON (SQLite refuses values over 1 GB).
UNDO_MAX_CHARS = 200_000_000
#: Key of an undo record's "after" whose paper snapshots are taken at undo time.
_DEFERRED = "deferred_paper_ids"


class History:
    def __init__(self, db: Db, snapshots: Snapshots) -> None:
        self.db = db
        self.snapshots = snapshots

    @contextmanager
    def action(self, label: str, ids: Sequence[int], *, tag_names: Sequence[str] = ()) -> Iterator[None]:
        """Run a change in one transaction and record it for undo/redo."""
        with self.db.transaction():
            before_tags = self.snapshots.tag_rows(tag_names)
            before = {str(k): v for k, v in self.snapshots.take(ids).items()}
            yield
            after_tags = self.snapshots.tag_rows(tag_names)
            for k in before_tags:
                after_tags.setdefault(k, None)
            for k in after_tags:
                before_tags.setdefault(k, None)
            self.record(label, {"papers": before, "tags": before_tags}, {"tags": after_tags}, after_ids=list(ids))

    @contextmanager
    def growing_action(self, label: str, ids: Sequence[int]) -> Iterator[list[int]]:
        """Like ``action``, for changes that create papers: append their ids to the yielded
        list, and undo deletes them (as undoing an import does)."""
        with self.db.transaction():
            before: dict[str, Any] = {str(k): v for k, v in self.snapshots.take(ids).items()}
            created: list[int] = []
            yield created
            for pid in created:
                before.setdefault(str(pid), None)
            self.record(label, {"papers": before}, None, after_ids=[*ids, *created])

    def record(
        self, label: str, before: dict[str, Any], after: dict[str, Any] | None, *,
        after_ids: Sequence[int], defer_after: bool = False,
    ) -> bool:
        """Record an action; False when it is too large to keep (see UNDO_MAX_CHARS).

        ``defer_after`` (imports): store only the ids; the papers' state is
        captured when the action is undone, so an import of 100,000 papers does
        not copy them all into the undo log up front."""
        after = dict(after or {})
        if defer_after:
            after[_DEFERRED] = list(after_ids)
        else:
            after["papers"] = {str(k): v for k, v in self.snapshots.take(after_ids).items()}
        db = self.db
        db.execute("DELETE FROM undo_log WHERE undone = 1")
        before_json, after_json = dumps(before), dumps(after)
        if len(before_json) + len(after_json) > UNDO_MAX_CHARS:
            # SQLite refuses a value over 1 GB (this failed the whole action).  The
            # action stands but cannot be undone, and nothing before it can be
            # undone safely either.
            log.warning("%s: too large to undo (%d characters); undo history cleared",
                        label, len(before_json) + len(after_json))
            db.execute("DELETE FROM undo_log")
            return False
        db.execute(
            "INSERT INTO undo_log(at, label, before, after) VALUES (?, ?, ?, ?)",
            (now_iso(), label, before_json, after_json),
        )
        db.execute(
            "DELETE FROM undo_log WHERE id NOT IN (SELECT id FROM undo_log ORDER BY id DESC LIMIT ?)",
            (UNDO_LIMIT,),
        )
        return True

    def undo_label(self) -> str | None:
        return self.db.value("SELECT label FROM undo_log WHERE undone = 0 ORDER BY id DESC LIMIT 1")

    def redo_label(self) -> str | None:
        return self.db.value("SELECT label FROM undo_log WHERE undone = 1 ORDER BY id ASC LIMIT 1")

    def undo(self) -> str | None:
        """Undo the last action; return its label (None when there is nothing)."""
        r = self.db.one("SELECT id, label, before FROM undo_log WHERE undone = 0 ORDER BY id DESC LIMIT 1")
        if not r:
            return None
        uid, label, before = r
        with self.db.transaction():
            after_json = self.db.value("SELECT after FROM undo_log WHERE id = ?", (uid,))
            if _DEFERRED in after_json:
                after = json.loads(after_json)
                if _DEFERRED in after:
                    # Capture the after-state for redo now, before undoing it.
                    after["papers"] = {str(k): v for k, v in self.snapshots.take(after.pop(_DEFERRED)).items()}
                    after_json = dumps(after)
                    if len(before) + len(after_json) > UNDO_MAX_CHARS:
                        after_json = ""  # too large to keep: this undo cannot be redone
                    else:
                        self.db.execute("UPDATE undo_log SET after = ? WHERE id = ?", (after_json, uid))
            self.snapshots.restore(json.loads(before))
            if after_json:
                self.db.execute("UPDATE undo_log SET undone = 1 WHERE id = ?", (uid,))
            else:
                self.db.execute("DELETE FROM undo_log WHERE id = ?", (uid,))
        return label

    def redo(self) -> str | None:
        r = self.db.one("SELECT id, label, after FROM undo_log WHERE undone = 1 ORDER BY id ASC LIMIT 1")
        if not r:
            return None
        uid, label, after = r
        with self.db.transaction():
            self.snapshots.restore(json.loads(after))
            self.db.execute("UPDATE undo_log SET undone = 0 WHERE id = ?", (uid,))
        return label
