"""What the user marks papers with: tags (and the sidebar's tag menu), notes, read
and star, the trash; and undo/redo of all of it."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QTimer, Signal

from ..core.errors import RefManagerError
from ..core.store.history import Undone
from ..core.store.marking import NOTE_KEPT_BOTH
from . import dialogs
from .controller import Controller
from .plain import no_mnemonic
from .preferences import mark_read_policy
from .session import LibrarySession
from .view_controller import ViewController
from .window_parts import WindowParts

log = logging.getLogger(__name__)


class MarkingController(Controller):
    #: a note reached the library (the paper's id)
    noteSaved = Signal(int)

    def __init__(self, window: WindowParts, session: LibrarySession, view: ViewController) -> None:
        super().__init__(window, session, view)
        #: marks the paper shown read once it has been shown a while (Preferences → Mark as read)
        self.read_timer = QTimer(self)
        self.read_timer.setSingleShot(True)
        self.read_timer.timeout.connect(self._mark_shown_read)
        self.read_mode = "after"
        #: the paper the detail pane shows (the one the timer is for)
        self._shown: int | None = None
        #: "no paper" counts from the event loop: a refresh shows none, then the same one at once
        self._forget = QTimer(self)
        self._forget.setSingleShot(True)
        self._forget.setInterval(0)
        self._forget.timeout.connect(lambda: self._paper_shown(None, now=True))
        self.apply_preferences()
        view.paperShown.connect(self._paper_shown)
        view.refreshed.connect(self.update_undo_actions)
        #: the labels the Edit menu shows: undo and redo do those or nothing (``HistoryMoved``)
        self.shown_undo: str | None = None
        self.shown_redo: str | None = None

    @property
    def lib(self) -> Any:
        return self.session.lib

    # ---------------------------------------------------------------- read
    def apply_preferences(self) -> None:
        """When a paper counts as read: after it has been shown N seconds, when opened, never."""
        self.read_mode, seconds = mark_read_policy(self.window.settings)
        self.read_timer.setInterval(seconds * 1000)
        if self.read_mode != "after":
            self.read_timer.stop()

    def _paper_shown(self, pid: int | None, now: bool = False) -> None:
        """Another paper shown: its time starts now.  The same paper shown again (a refresh
        after an edit, another program's change, marking it unread) keeps its timer: a paper
        the user just marked unread is not marked read behind their back."""
        if pid is None and not now:
            self._forget.start()
            return
        self._forget.stop()
        if pid == self._shown:
            return
        self._shown = pid
        self.read_timer.stop()
        if pid is not None and self.read_mode == "after":
            self.read_timer.start()

    def _mark_shown_read(self) -> None:
        if self._shown is not None and self.view.selected_ids() == [self._shown]:
            self._mark_read(self._shown)

    def paper_opened(self, pid: int) -> None:
        """The paper was opened (arXiv, its PDF or a file): read, unless "never"."""
        if self.read_mode != "never":
            if pid == self._shown:
                self.read_timer.stop()
            self._mark_read(pid)

    def _mark_read(self, pid: int) -> None:
        """Incidental to what the user did: a paper gone meanwhile, or a library that cannot
        be written, is logged (the watcher reports a file gone), never a message box."""
        try:
            p = self.lib.get(pid)
            if p is None or p.read:
                return
            self.lib.set_read([pid], True)
        except RefManagerError as e:
            log.warning("paper %d not marked read: %s", pid, e)
            return
        self.view.model.refresh_rows()
        self.view.refresh_sidebar()

    def toggle_read(self) -> None:
        ids = self.view.selected_ids()
        if ids:
            self.read_timer.stop()
            self.lib.set_read(ids, not all(p.read for p in self.lib.get_many(ids)))
            self.view.refresh()

    def toggle_star(self) -> None:
        ids = self.view.selected_ids()
        if ids:
            self.lib.set_starred(ids, not all(p.starred for p in self.lib.get_many(ids)))
            self.view.refresh()

    # ---------------------------------------------------------------- tags
    def add_tags(self, ids: list[int], tags: list[str]) -> None:
        if ids and tags:
            self.lib.add_tags(ids, tags)
            self.view.refresh()

    def remove_tags(self, ids: list[int], tags: list[str]) -> None:
        if ids and tags:
            self.lib.remove_tags(ids, tags)
            self.view.refresh()

    def tag_dialog(self) -> None:
        ids = self.view.selected_ids()
        if not ids:
            return
        name = dialogs.get_text(self.window, "Add tag", f"Tags for {len(ids)} paper(s), separated by commas:",
                                items=self.lib.tag_names())
        if name:
            self.add_tags(ids, [name])

    def untag_dialog(self) -> None:
        ids = self.view.selected_ids()
        if not ids:
            return
        present = sorted({t for p in self.lib.get_many(ids) for t in p.tags}, key=str.casefold)
        if not present:
            return
        name = dialogs.get_text(self.window, "Remove tag", f"Tag to remove from {len(ids)} paper(s):", items=present)
        if name:
            self.remove_tags(ids, [name])

    def tag_action(self, action: str, name: str) -> None:
        """The sidebar's menu on a tag: rename, merge, colour, delete."""
        lib, w = self.lib, self.window
        if action == "rename":
            new = dialogs.get_text(w, "Rename tag", f"New name for {name!r}:", text=name)
            if new and new != name:
                lib.rename_tag(name, new)
        elif action == "merge":
            others = [t for t in lib.tag_names() if t.casefold() != name.casefold()]
            target = dialogs.get_text(w, "Merge tag", f"Merge {name!r} into:", items=others)
            if target:
                lib.merge_tag(name, target)
        elif action == "color":
            color = dialogs.get_color(w, lib.tag_colors().get(name.casefold()))
            if color:
                lib.set_tag_color(name, color)
        elif action == "delete":
            n = w.sidebar.tag_count(name)
            if n is None:  # (a big library's counts may still be on their way)
                n = next((c for t, c, _ in lib.tag_counts() if t.casefold() == name.casefold()), 0)
            if not dialogs.confirm(w, "Delete tag", f"Remove the tag {name!r} from {n} paper(s)? (Edit → Undo brings it back.)"):
                return
            lib.delete_tag(name)
        self.view.refresh()

    # --------------------------------------------------------------- notes
    def save_note(self, pid: int, text: str, base: str | None = None, session: str | None = None) -> None:
        try:
            outcome = self.lib.set_note(pid, text, session=session, expected=base)
        except Exception as e:  # the library is busy or gone: never lose the text silently
            log.exception("note not saved")
            dialogs.warn(self.window, "Note not saved", f"The note could not be saved: {e}\nIt is still in the editor.")
            self.window.detail.note.dirty = True
            return
        if outcome == NOTE_KEPT_BOTH:
            kept = self.lib.get(pid)
            self.window.detail.show_kept_note(pid, kept.note or "" if kept else text)
            dialogs.warn(self.window, "Note changed elsewhere",
                         "Another program changed this note while you were typing. Both texts are kept: "
                         "yours first, then the other one under a marked line.")
        self.noteSaved.emit(pid)
        self.view.model.refresh_rows()
        self.update_undo_actions()

    # --------------------------------------------------------------- trash
    def trash_selected(self) -> None:
        ids = self.view.selected_ids()
        if not ids:
            return
        if self.view.model.view.section == "trash":
            if dialogs.confirm(self.window, "Delete for good",
                               f"Delete {len(ids)} paper(s) from the trash for good? (Edit → Undo brings them back.)"):
                self.lib.delete_papers(ids)
                self.view.refresh(keep_selection=False)
            return
        row = min(self.view.selected_rows())
        self.lib.trash(ids)
        self.view.refresh(keep_selection=False)
        model = self.view.model
        if model.rowCount():
            self.window.table.selectRow(min(row, model.rowCount() - 1))
        self.status(f"Moved {len(ids)} paper(s) to the trash — Ctrl+Z to undo", 5000)

    def restore_selected(self) -> None:
        ids = self.view.selected_ids()
        if ids and self.view.model.view.section == "trash":
            self.lib.restore(ids)
            self.view.refresh(keep_selection=False)

    def empty_trash(self) -> None:
        n = self.lib.counts()["trash"]
        if n and dialogs.confirm(self.window, "Empty trash", f"Delete the {n} paper(s) in the trash for good?"):
            self.lib.empty_trash()
            self.view.refresh(keep_selection=False)

    def bulk(self, key: str) -> None:
        """The detail pane's buttons for several papers."""
        ids = self.view.selected_ids()
        if key == "tag":
            self.tag_dialog()
        elif key == "untag":
            self.untag_dialog()
        elif key in ("read", "unread"):
            self.lib.set_read(ids, key == "read")
            self.view.refresh()
        elif key in ("star", "unstar"):
            self.lib.set_starred(ids, key == "star")
            self.view.refresh()
        elif key == "trash":
            self.trash_selected()

    # ------------------------------------------------------------- history
    def undo(self) -> None:
        """Undo what the Edit menu says (another program may have acted since: then
        nothing is undone, the window says so and shows the history as it is now)."""
        self.window.detail.flush_note()
        self._said("Undone", self.lib.undo(expect=self.shown_undo))

    def redo(self) -> None:
        self.window.detail.flush_note()
        self._said("Redone", self.lib.redo(expect=self.shown_redo))

    def _said(self, what: str, done: Undone | None) -> None:
        if done:
            self.status(f"{what}: {done}", 4000)
            if done.conflicts:
                dialogs.inform(self.window, f"{what} in part",
                               f"{what}: {done}. Some of it was changed since, and was left as it is:",
                               "\n".join(done.conflicts))
        self.view.refresh()

    def update_undo_actions(self) -> None:
        u, r = self.lib.undo_label(), self.lib.redo_label()
        self.shown_undo, self.shown_redo = u, r
        actions = self.window.actions
        actions["undo"].setText(f"&Undo {no_mnemonic(u)}" if u else "&Undo")
        actions["undo"].setEnabled(bool(u))
        actions["redo"].setText(f"&Redo {no_mnemonic(r)}" if r else "&Redo")
        actions["redo"].setEnabled(bool(r))
