"""What the user does with a paper itself: open it (arXiv, its PDF, its files), edit
it, choose its title/author split, attach files, merge and split papers, and
find duplicates."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal

from ..core import links as core_links
from ..core.errors import RefManagerError
from . import dialogs
from . import links as gui_links
from .controller import Controller
from .session import LibrarySession
from .view_controller import ViewController
from .window_parts import WindowParts

if TYPE_CHECKING:
    from .duplicates import DuplicatesDialog

log = logging.getLogger(__name__)


class PaperController(Controller):
    #: a paper was opened (its id): on arXiv, its PDF or one of its files
    paperOpened = Signal(int)

    def __init__(self, window: WindowParts, session: LibrarySession, view: ViewController) -> None:
        super().__init__(window, session, view)
        self.detail = window.detail
        self.duplicates_dialog: DuplicatesDialog | None = None

    @property
    def lib(self) -> Any:
        return self.session.lib

    # --------------------------------------------------------------- links
    def open_on_arxiv(self) -> None:
        p = self.view.current_paper()
        if p is not None and gui_links.open_url(core_links.abs_url(p)):
            self.paperOpened.emit(p.id)

    def open_pdf(self) -> None:
        """The attached PDF when there is one, else arXiv's PDF."""
        p = self.view.current_paper()
        if p is None:
            return
        local = [a for a in self.lib.attachments(p.id) if a["exists"] and str(a["name"]).lower().endswith(".pdf")]
        if local:
            opened = gui_links.open_local_file(str(local[0]["path"]), self.lib)
        else:
            url = core_links.pdf_url(p)
            opened = gui_links.open_url(url) if url else False
        if opened:
            self.paperOpened.emit(p.id)

    def open_attachment(self, path: str) -> None:
        """One of the detail pane's files (of the paper it shows)."""
        if gui_links.open_local_file(path, self.lib) and self.detail.paper is not None:
            self.paperOpened.emit(self.detail.paper.id)

    # ------------------------------------------------------------- editing
    def toggle_edit(self) -> None:
        if self.detail.paper is not None:
            self.detail.edit_button.toggle()

    def edit_field(self, field: str, value: Any) -> None:
        p = self.detail.paper
        if p is None:
            return
        try:
            # (saved over what the form showed: a value another program wrote meanwhile is kept too)
            done = self.lib.edit_paper(p.id, expected={field: getattr(p, field, None)}, **{field: value})
        except RefManagerError as e:
            # next to the field the error names (else the one typed in), brought into view
            shown = self.detail.editor.show_error(getattr(e, "message", str(e)), getattr(e, "field", field), field)
            if shown is not None:
                self.detail.ensureWidgetVisible(shown, 0, 40)
            return
        self.detail.editor.show_error(None)
        self.view.refresh()
        if done.kept:
            dialogs.inform(self.window, "Changed elsewhere",
                           "Another program changed this paper while you were editing it. Your value is saved, "
                           "and the other program's value is kept with the paper as an alternative:",
                           "\n".join(f"{f.replace('_', ' ')}: {v if isinstance(v, str) else ', '.join(map(str, v))}"
                                     for f, v in done.kept.items()))

    def pick_split(self, index: int) -> None:
        p = self.detail.paper
        if p is not None:
            self.lib.pick_split(p.id, index)
            self.view.refresh()

    def accept_review(self) -> None:
        p = self.detail.paper
        if p is not None and self.lib.accept_review(p.id):
            self.view.refresh()

    # --------------------------------------------------------- attachments
    def attach_dialog(self) -> None:
        p = self.view.current_paper()
        if p is not None:
            self._attach(p.id, dialogs.get_open_files(self.window, "Attach files"))

    def _attach(self, pid: int, files: list[str]) -> None:
        mode = "link" if str(self.window.settings.value("prefs/attachments", "copy")) == "link" else "copy"
        for f in files:
            try:
                self.lib.attach_file(pid, f, mode=mode)
            except RefManagerError as e:
                dialogs.warn(self.window, "Not attached", str(e))
        self.view.refresh()

    def attach_dropped(self, row: int, paths: list[str]) -> None:
        pid = self.view.model.paper_id(row)
        if pid is not None:
            self._attach(pid, paths)
            self.view.select_ids([pid])

    # ------------------------------------------------------ merge and split
    def merge_selected(self) -> None:
        ids = self.view.selected_ids()
        if len(ids) < 2:
            self.status("Select two or more papers to merge", 4000)
            return
        choices = dialogs.merge_choices(self.window, self.lib.merge_candidates_fields(ids),
                                        self.lib.default_merge_choice(ids))
        if choices is None:
            return
        kept = self.lib.merge_papers(ids, choices)
        self.view.refresh(keep_selection=False)
        self.view.select_ids([kept])

    def regenerate_keys(self) -> None:
        """Paper → Regenerate citation key: new keys for the selected papers from the key
        pattern of the preferences (the only way a key changes but typing it); the old keys
        stay findable (``key:``).  One undoable action."""
        ids = self.view.selected_ids()
        if not ids:
            return
        from ..core.citekeys import DEFAULT_KEY_PATTERN

        pattern = str(self.window.settings.value("prefs/citation_key", DEFAULT_KEY_PATTERN) or DEFAULT_KEY_PATTERN)
        if pattern != self.lib.key_pattern():
            self.lib.set_key_pattern(pattern)
        keys = self.lib.regenerate_keys(ids)
        self.view.refresh()
        self.status(f"New citation key{'s' if len(keys) != 1 else ''}: " + ", ".join(list(keys.values())[:5]), 6000)

    def split_selected(self) -> None:
        p = self.view.current_paper()
        if p is None:
            return
        try:
            ids = self.lib.split_paper(p.id)
        except RefManagerError as e:
            dialogs.warn(self.window, "Cannot split", str(getattr(e, "message", e)))
            return
        self.view.refresh(keep_selection=False)
        self.view.select_ids(ids)

    def find_duplicates_dialog(self) -> None:
        from .duplicates import DuplicatesDialog

        self.duplicates_dialog = DuplicatesDialog(self.window)
        self.duplicates_dialog.show()
