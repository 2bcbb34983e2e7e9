"""What the user marks papers with: tags, notes, read and star, the trash.

Each command is one undoable action, but marking a paper read (decisions:
not an undoable action).  Typing a note is one action per editing session
(the app saves every few hundred milliseconds; one undo takes the session
back).  Tags themselves (rename, merge, delete, colour) are actions too.

A note is saved only over the note it was typed on: when another program
changed it meanwhile, both are kept (the other text under a marked header)
and the caller is told (``NoteSave.KEPT_BOTH``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import PaperGone, RefManagerError
from ..fields import TAG_SEPARATOR, split_tags, unique_tags
from .db import Db, chunks, now_iso
from .history import History
from .papers import Papers
from .tags import Tags, clean_tag

NOTE_UNCHANGED, NOTE_SAVED, NOTE_KEPT_BOTH = "unchanged", "saved", "kept both"
#: The line above the other program's text when both notes are kept.
CONFLICT_HEADER = "──── Kept from another program's change to this note ({at}) ────"


def _papers(n: int) -> str:
    return f"{n} paper{'s' if n != 1 else ''}"


class Marking:
    def __init__(self, db: Db, tags: Tags, history: History, papers: Papers) -> None:
        self.db = db
        self.tags = tags
        self.history = history
        self.papers = papers

    # ---------------------------------------------------------------- tags
    def typed_tags(self, texts: Sequence[str]) -> list[str]:
        """The tags the user typed (the tag field, ``refmanager tag``): each text cut at its
        commas (``fields.split_tags``: "nlp, pretraining" is two tags), but a text naming a
        tag the library has is that tag: one holding a comma (a keyword a file gave whole, or
        a tag made before the rule) is still added and removed by its name."""
        out: list[str] = []
        for text in texts:
            whole = clean_tag(text)
            if TAG_SEPARATOR in whole and self.tags.find(whole) is not None:
                out.append(whole)
            else:
                out.extend(split_tags(whole))
        return unique_tags(out)

    def _typed_name(self, name: str) -> str:
        """A tag's new name as typed (rename, merge): one tag; a comma only in a tag that exists."""
        name = clean_tag(name)
        if TAG_SEPARATOR in name and self.tags.find(name) is None:
            raise RefManagerError(f"a tag name cannot hold {TAG_SEPARATOR!r}: it separates tags ({name!r})")
        return name

    def add_tags(self, ids: Sequence[int], tags: Sequence[str]) -> int:
        """Tag papers with the tags ``tags`` name (``typed_tags``); returns how many (paper,
        tag) pairs were new."""
        tags = self.typed_tags(tags)
        if not ids or not tags:
            return 0
        label = f"Add tag {tags[0]!r}" if len(tags) == 1 else f"Add {len(tags)} tags"
        with self.history.action(label, ids):
            self.papers.need_all(ids)
            return self.tags.attach_many(ids, tags)

    def remove_tags(self, ids: Sequence[int], tags: Sequence[str]) -> int:
        tags = self.typed_tags(tags)
        if not ids or not tags:
            return 0
        label = f"Remove tag {tags[0]!r}" if len(tags) == 1 else f"Remove {len(tags)} tags"
        with self.history.action(label, ids):
            self.papers.need_all(ids)
            return self.tags.detach_many(ids, tags)

    def rename_tag(self, old: str, new: str) -> None:
        """Rename a tag; renaming onto an existing tag merges them."""
        new = self._typed_name(new)
        if not new:
            raise RefManagerError("a tag name cannot be empty")
        tid = self.tags.find(old)
        if tid is None:
            raise RefManagerError(f"no tag named {old!r}")
        target = self.tags.find(new)
        if target is not None and target != tid:
            self.merge_tag(old, new)
            return
        ids = self.tags.papers_with(old)
        with self.history.action(f"Rename tag {old!r} to {new!r}", ids, tag_names=[old, new]):
            self.tags.rename(tid, new)
            self.tags.refresh_text(ids)

    def merge_tag(self, source: str, target: str) -> None:
        """Give every paper tagged ``source`` the tag ``target``, then drop ``source``."""
        target = self._typed_name(target)
        ids = self.tags.papers_with(source)
        with self.history.action(f"Merge tag {source!r} into {target!r}", ids, tag_names=[source, target]):
            tid = self.tags.id_of(target)
            self.db.executemany(
                "INSERT OR IGNORE INTO paper_tags(paper_id, tag_id) VALUES (?, ?)", [(i, tid) for i in ids]
            )
            self.tags.delete(source)
            self.tags.refresh_text(ids)

    def delete_tag(self, name: str) -> None:
        ids = self.tags.papers_with(name)
        with self.history.action(f"Delete tag {name!r}", ids, tag_names=[name]):
            self.tags.delete(name)
            self.tags.refresh_text(ids)

    def set_tag_color(self, name: str, color: str | None) -> None:
        with self.history.action(f"Set colour of tag {name!r}", [], tag_names=[name]):
            self.tags.set_color(name, color)

    # --------------------------------------------------------------- notes
    def set_note(self, pid: int, text: str, *, session: str | None = None, expected: str | None = None) -> str:
        """Save a note: one undoable action, or part of the ``session``'s one (typing).
        ``expected``: the note as it was when the typing started; if another program
        changed it since, both texts are kept.  Returns ``NOTE_UNCHANGED``,
        ``NOTE_SAVED`` or ``NOTE_KEPT_BOTH``."""
        with self.db.transaction():
            cur = self.db.one("SELECT note, title FROM papers WHERE id = ?", (pid,))
            if not cur:
                raise PaperGone(f"no paper with id {pid}")
            old = cur[0] or ""
            outcome = NOTE_SAVED
            if expected is not None and old != (expected or "") and old != text:
                text = f"{text.rstrip()}\n\n{CONFLICT_HEADER.format(at=now_iso())}\n{old}"
                outcome = NOTE_KEPT_BOTH
            if old == text:
                return NOTE_UNCHANGED
            label = "Clear note" if not text.strip() else "Edit note"
            with self.history.action(f"{label} of paper {pid}", [pid], session=session):
                self.db.execute(
                    "UPDATE papers SET note = ?, note_modified_at = ? WHERE id = ?", (text or None, now_iso(), pid)
                )
        return outcome

    # --------------------------------------------------------------- flags
    def _set(self, label: str, ids: Sequence[int], sql: str, params: Sequence[Any], undo: bool) -> int:
        n = 0
        with self.history.action(label, ids) if undo else self.db.transaction():
            self.papers.need_all(ids)
            for marks, chunk in chunks(ids):
                n += self.db.execute(f"{sql} WHERE id IN ({marks})", [*params, *chunk]).rowcount
        return n

    def set_read(self, ids: Sequence[int], read: bool = True) -> int:
        return self._set("Mark read" if read else "Mark unread", ids, "UPDATE papers SET read = ?", [int(read)], False)

    def set_starred(self, ids: Sequence[int], starred: bool = True) -> int:
        return self._set("Star" if starred else "Unstar", ids, "UPDATE papers SET starred = ?", [int(starred)], True)

    def trash(self, ids: Sequence[int]) -> int:
        return self._set(
            f"Move {_papers(len(ids))} to the trash", ids, "UPDATE papers SET trashed_at = ?", [now_iso()], True
        )

    def restore(self, ids: Sequence[int]) -> int:
        return self._set(f"Restore {_papers(len(ids))}", ids, "UPDATE papers SET trashed_at = NULL", [], True)

    def empty_trash(self) -> int:
        ids = [pid for (pid,) in self.db.q("SELECT id FROM papers WHERE trashed_at IS NOT NULL")]
        return self.delete_papers(ids, label=f"Empty trash ({len(ids)} papers)")

    def delete_papers(self, ids: Sequence[int], *, label: str | None = None) -> int:
        """Delete papers for good (undoable, like every action)."""
        ids = list(ids)
        if not ids:
            return 0
        with self.history.action(label or f"Delete {_papers(len(ids))}", ids):
            for marks, chunk in chunks(ids):
                self.db.execute(f"DELETE FROM papers WHERE id IN ({marks})", chunk)
        return len(ids)
