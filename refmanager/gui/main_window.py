"""The main window: its widgets (``window_parts``), its session, and the controllers
that act on them.

* ``view``     what is shown: the view, the table's model, the selection, the detail pane
* ``marking``  tags, notes, read and star, the trash, undo
* ``papers``   opening, editing, attaching, merging and splitting papers
* ``imports``  import by dialog, paste and drop
* ``lookups``  arXiv lookups
* ``exports``  export and copied BibTeX
* ``cites``    references in the chosen citation style: copy, export, the detail pane
* ``files``    library files: new, open, recent, backups
* ``collections``  collections and saved searches: the sidebar's menus and drops, import into one
* ``fulltext`` the PDFs' text: the index run in the background, "Search full text too", the pages found

Menus and shortcuts come from one table (``actions.MENUS``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QSettings
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QMenu

from .. import __version__
from ..core.errors import LibraryFileGone, PaperGone, RefManagerError
from ..core.library import Library
from . import dialogs
from .actions import build_menus, fill_table_menu
from .cite_controller import CiteController
from .collections_controller import CollectionsController
from .export_controller import ExportController
from .fulltext_controller import FullTextController
from .help_window import show_help
from .import_controller import ImportController
from .library_files import LibraryFilesController
from .lookup_controller import LookupController
from .marking_controller import MarkingController
from .paper_controller import PaperController
from .plain import window_title
from .reader.controller import ReaderController
from .session import LibrarySession
from .tasks import TaskRunner
from .view_controller import ViewController
from .watcher import LibraryWatcher
from .window_parts import WindowParts
from .workers import ImportProcess, wait_all

log = logging.getLogger(__name__)


class MainWindow(WindowParts):
    def __init__(self, lib: Library, settings: QSettings | None = None, *, readonly_reason: str | None = None) -> None:
        super().__init__(settings)
        self.session = LibrarySession(lib, self)
        self.tasks = TaskRunner(self)
        self.view = ViewController(self, self.session)
        self.setup_columns(self.view.model)
        self.marking = MarkingController(self, self.session, self.view)
        self.papers = PaperController(self, self.session, self.view)
        self.imports = ImportController(self, self.session, self.view, self.tasks)
        self.lookups = LookupController(self, self.session, self.view, self.tasks)
        self.exports = ExportController(self, self.session, self.view)
        self.cites = CiteController(self, self.session, self.view, self.tasks)
        self.files = LibraryFilesController(self, self.session)
        self.collections = CollectionsController(self, self.session, self.view, self.imports, self.exports)
        self.fulltext = FullTextController(self, self.session, self.view)
        self.reader = ReaderController(self, self.session, self.view, self.papers)  # (PDFs in the reader)
        self.watcher = LibraryWatcher(self.session, self)
        build_menus(self)
        self._connect()
        self.collections.setup(self.guarded)
        self.fulltext.setup()
        self.session.libraryChanged.connect(lambda: self.setWindowTitle(window_title(f"{self.lib.path.name} — refmanager")))
        self.setWindowTitle(window_title(f"{lib.path.name} — refmanager"))
        self.view.refresh_sidebar()
        self.detail.set_tag_names(lib.tag_names())
        if readonly_reason:
            self.show_banner(readonly_reason)
        self.restore_state()
        self.marking.update_undo_actions()
        self.view.update_status()

    @property
    def lib(self) -> Library:
        return self.session.lib

    def _connect(self) -> None:
        """The widgets' signals to the controllers."""
        v, m, p, d, t = self.view, self.marking, self.papers, self.detail, self.table
        self.search_esc.triggered.connect(v.clear_search)
        self.sidebar.tagAction.connect(self.guarded(m.tag_action))  # (a refused rename: a message)
        t.doubleClicked.connect(lambda _i: p.open_on_arxiv())
        t.activatedPaper.connect(p.open_on_arxiv)
        t.pasteRequested.connect(self.imports.paste)
        t.customContextMenuRequested.connect(self._table_menu)
        t.filesDroppedOnRow.connect(p.attach_dropped)
        t.inputsDropped.connect(self.imports.import_mime)
        d.openArxiv.connect(p.open_on_arxiv)
        d.openPdf.connect(self.reader.open_pdf)
        g = self.guarded
        d.addTag.connect(g(lambda tag: m.add_tags(v.selected_ids(), [tag])))
        d.removeTag.connect(g(lambda tag: m.remove_tags(v.selected_ids(), [tag])))
        d.noteChanged.connect(m.save_note)
        d.bulkAction.connect(g(m.bulk))
        d.fieldEdited.connect(g(p.edit_field))
        d.pickSplit.connect(g(p.pick_split))
        d.acceptReview.connect(g(p.accept_review))
        d.attachRequested.connect(p.attach_dialog)
        d.openAttachment.connect(self.reader.open_attachment)
        p.paperOpened.connect(m.paper_opened)
        self.reader.paperOpened.connect(m.paper_opened)
        v.model.editFailed.connect(lambda msg: dialogs.warn(self, "Not saved", msg))
        self.watcher.changedElsewhere.connect(self.changed_elsewhere)
        self.watcher.fileGone.connect(self.files.file_gone)
        v.refreshed.connect(self.watcher.reset)  # (the window read the library: changes so far are shown)

    def changed_elsewhere(self) -> None:
        """Another program changed the library: show it as it is now (the selection stays
        where its papers still exist; a note being typed is saved first, over the note it
        was typed on)."""
        log.info("the library changed elsewhere: refreshing")
        self.view.refresh()

    def guarded(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` as a slot: an error the user can cause becomes one message (never a
        traceback), and the window shows the library as it is now.  A paper another
        program merged or deleted meanwhile says just that."""
        def run(*args: Any) -> Any:
            try:
                return fn(*args)
            except LibraryFileGone as e:
                self.files.file_gone(str(e))
                return None
            except PaperGone:
                dialogs.warn(self, "Paper gone", "This paper was merged or deleted elsewhere (perhaps by another "
                                                 "program). The window now shows the library as it is.")
            except RefManagerError as e:
                dialogs.warn(self, "Not done", str(e))
            self.view.refresh()
            return None
        return run

    def _table_menu(self, pos: Any) -> None:
        if not self.view.selected_ids():
            return
        menu = QMenu(self)
        fill_table_menu(menu, self.actions, in_trash=self.view.model.view.section == "trash")
        menu.exec(self.table.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------- events
    def changeEvent(self, e: Any) -> None:  # noqa: N802
        if e.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange):
            self.apply_icons()
        super().changeEvent(e)

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:  # noqa: N802
        md = e.mimeData()
        if (md.hasUrls() and any(u.isLocalFile() for u in md.urls())) or md.hasText():
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:  # noqa: N802
        self.imports.import_mime(e.mimeData())
        e.acceptProposedAction()

    def closeEvent(self, e: QCloseEvent) -> None:  # noqa: N802
        self.reader.close_all()  # (each saves the page it was left at)
        self.save_all()
        for timer in (self.marking.read_timer, self.view.search_timer, self.detail.note.timer, self.watcher.timer):
            timer.stop()
        self.tasks.stop()
        self.fulltext.stop()
        for done in self.findChildren(ImportProcess):  # finished, still checkpointing: let it end
            done.wait()
        wait_all()
        self.session.shutdown()
        super().closeEvent(e)

    def on_commit_data(self, _manager: Any = None) -> None:
        """The session is ending (log out, shutdown): save everything now."""
        self.save_all()

    def save_all(self) -> None:
        """Everything typed reaches the disk: the note, then the window state."""
        self.detail.flush_note()
        self.save_state()

    # -------------------------------------------------------------- other
    def preferences_dialog(self) -> None:
        from . import theme
        from .preferences import PreferencesDialog

        dlg = PreferencesDialog(self.settings, self)
        if dialogs.exec_dialog(dlg):
            dlg.save()
            theme.follow_system(str(self.settings.value("prefs/theme", "system")))
            self.cites.refresh()
            self.marking.apply_preferences()

    def show_help(self) -> None:
        """Help → Search syntax and shortcuts (not modal: it may stay open beside the table)."""
        show_help(self)

    def about(self) -> None:
        dialogs.inform(
            self, "About refmanager",
            f"refmanager {__version__}\n\nA reference manager for researchers.\n\nLibrary: {self.lib.path}",
        )
