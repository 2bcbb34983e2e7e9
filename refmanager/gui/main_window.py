"""The main window: sidebar | search + paper table | detail pane."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QItemSelection, QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QProgressDialog,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..core import links as core_links
from ..core.library import ImportReport, Library, View
from . import dialogs
from . import links as gui_links
from .delegates import TagsDelegate
from .detail_pane import DetailPane
from .icons import app_icon, icon
from .sidebar import Sidebar
from .table_model import COL, COLUMNS, PaperTableModel
from .background import BackgroundQueries
from .workers import ImportProcess, LookupWorker, start_in_thread, wait_all

log = logging.getLogger(__name__)

#: The search box waits this long after the last keystroke (decisions: at most 100 ms).  Long
#: enough for the box to show the key first and to take keys that arrive together (a paste, keys
#: typed while a query ran) as one query; any longer only delays the table (a first page takes
#: ~5-20 ms at 100,000 papers, and keystroke-to-table must stay under 50 ms).
SEARCH_DEBOUNCE_MS = 5
#: A paper selected this long is marked read.
MARK_READ_MS = 1500

DEFAULT_WIDTHS = {"starred": 26, "read": 26, "title": 360, "authors": 160, "year": 50,
                  "date": 92, "category": 74, "tags": 130, "added": 92}
HIDDEN_BY_DEFAULT = {"date", "added"}


class PaperTable(QTableView):
    """The table; Enter opens the paper on arXiv, Ctrl+V pastes listings, PDFs dropped on a row attach."""

    activatedPaper = Signal()
    pasteRequested = Signal()
    filesDroppedOnRow = Signal(int, list)  # row, paths (PDFs and other files to attach)
    inputsDropped = Signal(object)  # QMimeData to import

    def dragEnterEvent(self, e: Any) -> None:  # noqa: N802
        md = e.mimeData()
        if md.hasUrls() or md.hasText():
            e.acceptProposedAction()

    def dragMoveEvent(self, e: Any) -> None:  # noqa: N802
        e.acceptProposedAction()

    def dropEvent(self, e: Any) -> None:  # noqa: N802
        md = e.mimeData()
        paths = [u.toLocalFile() for u in md.urls() if u.isLocalFile()] if md.hasUrls() else []
        idx = self.indexAt(e.position().toPoint())
        if paths and idx.isValid() and all(p.lower().endswith(".pdf") for p in paths):
            self.filesDroppedOnRow.emit(idx.row(), paths)
        else:
            self.inputsDropped.emit(md)
        e.acceptProposedAction()

    def keyPressEvent(self, e: Any) -> None:  # noqa: N802
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not e.modifiers():
            self.activatedPaper.emit()
            return
        if e.matches(QKeySequence.StandardKey.Paste):
            self.pasteRequested.emit()
            return
        super().keyPressEvent(e)


EXPORT_FORMATS = {"bibtex": "BibTeX", "ris": "RIS", "csljson": "CSL-JSON", "json": "refmanager JSON"}
EXPORT_FILES = {
    "bibtex": (".bib", "BibTeX (*.bib)"),
    "ris": (".ris", "RIS (*.ris)"),
    "csljson": (".csl.json", "CSL-JSON (*.json)"),
    "json": (".json", "refmanager JSON (*.json)"),
}


#: Above this many papers, counts (table, sidebar) run off the UI thread.
BIG_LIBRARY = 50_000


class MainWindow(QMainWindow):
    importFinished = Signal(object)  # ImportReport (or None when cancelled / failed)
    lookupFinished = Signal(object)  # arxiv_api.LookupReport (or None)
    noteSaved = Signal(int)

    def __init__(self, lib: Library, settings: QSettings | None = None, *, readonly_reason: str | None = None) -> None:
        super().__init__()
        self.lib = lib
        self.settings = settings or QSettings()
        self._import_thread = None
        self._worker: Any = None  # the running import (child process) or lookup (thread)
        self._progress: QProgressDialog | None = None
        self.last_report: ImportReport | None = None
        from ..core import arxiv_api

        # the network seam: tests give a fake fetcher serving recorded responses, and a fake clock
        self.arxiv_fetcher_factory = arxiv_api.default_fetcher
        self.arxiv_clock_factory = arxiv_api.default_clock
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setObjectName("MainWindow")

        # --- widgets
        self.sidebar = Sidebar(lib)
        self.sidebar.setObjectName("Sidebar")
        # Big libraries count in the background (see background.py); small ones at once.
        self.background = BackgroundQueries(lib.path, self)
        self.background.done.connect(self._background_done)
        self.big = self._is_big(lib)
        self.model = PaperTableModel(lib, self, background=self.background if self.big else None)
        self.table = PaperTable()
        self.table.setObjectName("PaperTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.setDragEnabled(False)
        self.table.setAcceptDrops(True)
        self.table.viewport().setAcceptDrops(True)
        self.table.setDropIndicatorShown(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)  # F2 edits the title
        self.table.setAccessibleName("Papers")
        hh = self.table.horizontalHeader()
        hh.setSectionsMovable(True)
        hh.setHighlightSections(False)
        hh.setStretchLastSection(False)
        hh.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        hh.customContextMenuRequested.connect(self._header_menu)
        for key, w in DEFAULT_WIDTHS.items():
            self.table.setColumnWidth(COL[key], w)
        hh.setMinimumSectionSize(24)
        for key in HIDDEN_BY_DEFAULT:
            self.table.setColumnHidden(COL[key], True)
        self.tags_delegate = TagsDelegate(self.model, self.table)
        self.table.setItemDelegateForColumn(COL["tags"], self.tags_delegate)
        hh.setSortIndicator(COL["date"], Qt.SortOrder.DescendingOrder)  # newest papers first

        self.search = QLineEdit()
        self.search.setObjectName("SearchBox")
        self.search.setPlaceholderText('Search  (author:  tag:  year:2020..2024  cat:cs.CL  "phrase")')
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setAccessibleName("Search")
        self.hint = QLabel()
        self.hint.setObjectName("SearchHint")
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setStyleSheet("color: #b35c00;")
        self.hint.setVisible(False)
        self.banner = QLabel()
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff3cd; color: #664d03; padding: 6px; border-radius: 4px;")
        self.banner.setVisible(False)
        centre = QWidget()
        cl = QVBoxLayout(centre)
        cl.setContentsMargins(4, 4, 4, 0)
        cl.setSpacing(4)
        cl.addWidget(self.banner)
        cl.addWidget(self.search)
        cl.addWidget(self.hint)
        cl.addWidget(self.table, 1)

        self.detail = DetailPane()
        self.detail.setObjectName("DetailPane")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("MainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([190, 730, 360])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)

        # --- timers
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self.search_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.search_timer.timeout.connect(self.apply_search)
        self.read_timer = QTimer(self)
        self.read_timer.setSingleShot(True)
        self.read_timer.setInterval(MARK_READ_MS)
        self.read_timer.timeout.connect(self._mark_current_read)

        # --- signals
        self.search.textChanged.connect(lambda _t: self.search_timer.start())
        self.search.returnPressed.connect(self.apply_search)
        self.sidebar.filterChanged.connect(self._filter_changed)
        self.sidebar.tagAction.connect(self._tag_action)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.open_on_arxiv())
        self.table.activatedPaper.connect(self.open_on_arxiv)
        self.table.pasteRequested.connect(self.paste)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.model.countChanged.connect(lambda _n: self._update_status())
        self.model.modelReset.connect(self._selection_changed)
        self.detail.openArxiv.connect(self.open_on_arxiv)
        self.detail.openPdf.connect(self.open_pdf)
        self.detail.addTag.connect(lambda t: self.add_tags(self.selected_ids(), [t]))
        self.detail.removeTag.connect(lambda t: self.remove_tags(self.selected_ids(), [t]))
        self.detail.noteChanged.connect(self._save_note)
        self.detail.bulkAction.connect(self._bulk)
        self.detail.fieldEdited.connect(self.edit_field)
        self.detail.pickSplit.connect(self.pick_split)
        self.detail.acceptReview.connect(self.accept_review)
        self.detail.attachRequested.connect(self.attach_dialog)
        self.detail.openAttachment.connect(self.open_attachment)
        self.model.editFailed.connect(lambda msg: dialogs.warn(self, "Not saved", msg))
        self.model.edited.connect(lambda _pid: self.refresh())
        self.table.filesDroppedOnRow.connect(self._attach_dropped)
        self.table.inputsDropped.connect(self._import_mime)

        self._build_actions()
        self.refresh_sidebar()
        self.setWindowTitle(f"{lib.path.name} — refmanager")
        self.detail.set_tag_names(lib.tag_names())
        if readonly_reason:
            self.show_banner(readonly_reason)
        self.restore_state()
        self._update_status()

    # ------------------------------------------------------------- actions
    def _act(self, menu: QMenu, text: str, slot: Any, shortcut: Any = None, icon_name: str | None = None) -> QAction:
        a = QAction(text, self)
        if icon_name:
            a.setIcon(icon(icon_name))
            self._action_icons.append((a, icon_name))
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        a.triggered.connect(lambda _=False: slot())
        menu.addAction(a)
        return a

    def _build_actions(self) -> None:
        self._action_icons: list[tuple[QAction, str]] = []
        mb = self.menuBar()
        f = mb.addMenu("&File")
        self.act_import = self._act(f, "&Import…", self.import_dialog, QKeySequence.StandardKey.Open, "import")
        self.act_paste = self._act(f, "Import from clipboard", self.paste, "Ctrl+Shift+V")
        f.addSeparator()
        self.act_new_library = self._act(f, "&New library…", self.new_library_dialog, QKeySequence.StandardKey.New)
        self.act_open_library = self._act(f, "Open &library…", self.open_library_dialog, "Ctrl+Shift+O")
        self.recent_menu = f.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        f.addSeparator()
        self.export_menu = f.addMenu("&Export")
        self.export_actions: dict[tuple[str, str], QAction] = {}
        for scope, scope_label in (("library", "Whole library"), ("view", "Current view"), ("selection", "Selected papers")):
            sub = self.export_menu.addMenu(scope_label)
            for fmt, fmt_label in EXPORT_FORMATS.items():
                a = self._act(sub, fmt_label + "…", lambda s=scope, fm=fmt: self.export_dialog(s, fm))
                self.export_actions[(scope, fmt)] = a
        self.act_export = self.export_actions[("library", "bibtex")]
        self.act_export.setShortcut(QKeySequence("Ctrl+E"))
        f.addSeparator()
        self.act_backup = self._act(f, "&Back up now", self.backup_now)
        self.act_restore_backup = self._act(f, "Restore a bac&kup…", self.restore_backup_dialog)
        f.addSeparator()
        self.act_prefs = self._act(f, "&Preferences…", self.preferences_dialog, "Ctrl+,")
        self.act_prefs.setMenuRole(QAction.MenuRole.PreferencesRole)
        f.addSeparator()
        self.act_quit = self._act(f, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        e = mb.addMenu("&Edit")
        self.act_undo = self._act(e, "&Undo", self.undo, QKeySequence.StandardKey.Undo, "undo")
        self.act_redo = self._act(e, "&Redo", self.redo, "Ctrl+Shift+Z", "redo")
        e.addSeparator()
        self.act_copy_bibtex = self._act(e, "Copy citation as &BibTeX", self.copy_bibtex, "Ctrl+Shift+C")
        self.act_copy_reference = self._act(e, "Copy formatted &reference", self.copy_reference, "Ctrl+Alt+C")
        e.addSeparator()
        self.act_find = self._act(e, "&Find", self.focus_search, QKeySequence.StandardKey.Find, "search")
        self.act_select_all = self._act(e, "Select &all", self.table.selectAll, QKeySequence.StandardKey.SelectAll)
        e.addSeparator()
        self.act_tag = self._act(e, "Add &tag…", self.tag_dialog, "Ctrl+T", "tag")
        self.act_untag = self._act(e, "Remove tag…", self.untag_dialog, "Ctrl+Shift+T")
        e.addSeparator()
        self.act_merge = self._act(e, "&Merge papers…", self.merge_selected, "Ctrl+Shift+M")
        self.act_duplicates = self._act(e, "Find &duplicates…", self.find_duplicates_dialog)
        e.addSeparator()
        self.act_trash = self._act(e, "Move to &trash", self.trash_selected, QKeySequence.StandardKey.Delete, "trash")
        self.act_restore = self._act(e, "Restore from trash", self.restore_selected, "Ctrl+Shift+R", "restore")
        self.act_empty_trash = self._act(e, "Empty trash…", self.empty_trash)

        v = mb.addMenu("&View")
        self.act_clear_search = self._act(v, "Clear search", self.clear_search)
        self.columns_menu = v.addMenu("Columns")
        self.columns_menu.aboutToShow.connect(lambda: self._fill_columns_menu(self.columns_menu))

        p = mb.addMenu("&Paper")
        self.act_open = self._act(p, "Open on &arXiv", self.open_on_arxiv, "Ctrl+Return", "open")
        self.act_pdf = self._act(p, "Open &PDF", self.open_pdf, "Ctrl+Shift+P", "pdf")
        p.addSeparator()
        self.act_edit = self._act(p, "&Edit paper", self.toggle_edit, "Ctrl+Shift+E", "note")
        self.act_attach = self._act(p, "Attach &file…", self.attach_dialog, "Ctrl+Shift+A")
        self.act_split = self._act(p, "S&plit merged paper", self.split_selected)
        self.act_accept_review = self._act(p, "Accept title/author split", self.accept_review)
        p.addSeparator()
        self.act_find_arxiv = self._act(p, "Find on arXiv", self.find_on_arxiv, "Ctrl+L", "search")
        self.act_fetch_ids = self._act(p, "Fetch missing arXiv ids…", self.fetch_missing_ids)
        p.addSeparator()
        self.act_toggle_read = self._act(p, "Toggle &read", self.toggle_read, "M", "unread")
        self.act_toggle_star = self._act(p, "Toggle &star", self.toggle_star, "S", "star")

        h = mb.addMenu("&Help")
        self.act_about = self._act(h, "&About refmanager", self.about)

        # single-letter shortcuts only while the table has focus
        for a in (self.act_toggle_read, self.act_toggle_star):
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.table.addAction(a)
        esc = QAction(self)
        esc.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        esc.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        esc.triggered.connect(self.clear_search)
        self.search.addAction(esc)
        self.search_esc = esc
        self._update_undo_actions()

    # -------------------------------------------------------------- state
    def restore_state(self) -> None:
        s = self.settings
        geo = s.value("window/geometry")
        if isinstance(geo, QByteArray) and not geo.isEmpty():
            self.restoreGeometry(geo)
        else:
            self.resize(1280, 800)
        st = s.value("window/splitter")
        if isinstance(st, QByteArray) and not st.isEmpty():
            self.splitter.restoreState(st)
        hs = s.value("table/header")
        if isinstance(hs, QByteArray) and not hs.isEmpty():
            self.table.horizontalHeader().restoreState(hs)
        sort_col = s.value("table/sortColumn")
        sort_order = s.value("table/sortOrder")
        if sort_col is not None:
            try:
                col = int(sort_col)
                order = Qt.SortOrder(int(sort_order or 0))
                self.table.horizontalHeader().setSortIndicator(col, order)
            except (TypeError, ValueError):
                pass
        hh = self.table.horizontalHeader()
        # the title takes the room the other columns leave: nothing clipped at 1280x800
        hh.setSectionResizeMode(COL["title"], QHeaderView.ResizeMode.Stretch)
        self.model.sort(hh.sortIndicatorSection(), hh.sortIndicatorOrder())

    def save_state(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        hh = self.table.horizontalHeader()
        s.setValue("table/header", hh.saveState())
        s.setValue("table/sortColumn", hh.sortIndicatorSection())
        s.setValue("table/sortOrder", int(hh.sortIndicatorOrder().value))
        s.sync()

    def changeEvent(self, e: Any) -> None:  # noqa: N802
        from PySide6.QtCore import QEvent

        if e.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange):
            self.apply_icons()
        super().changeEvent(e)

    def apply_icons(self) -> None:
        """Re-tint every icon for the current palette (light or dark)."""
        for a, name in self._action_icons:
            a.setIcon(icon(name))
        self.sidebar.apply_icons()
        self.detail.apply_icons()

    def closeEvent(self, e: QCloseEvent) -> None:  # noqa: N802
        self.save_all()
        for t in (self.read_timer, self.search_timer, self.detail.note.timer):
            t.stop()
        if isinstance(self._worker, ImportProcess):
            self._worker.cancel()
            self._worker.wait()
        for done in self.findChildren(ImportProcess):  # finished, still checkpointing: let it end
            done.wait()
        wait_all()
        self.background.shutdown()
        super().closeEvent(e)

    def on_commit_data(self, _manager: Any = None) -> None:
        """The session is ending (log out, shutdown): save everything now."""
        self.save_all()

    def save_all(self) -> None:
        """Everything typed reaches the disk: the note, then the window state."""
        self.detail.flush_note()
        self.save_state()

    # -------------------------------------------------------------- views
    def _filter_changed(self, section: str, tags: tuple) -> None:
        self.model.set_view(replace(self.model.view, section=section, tags=tuple(tags)))
        self._after_view_change()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def clear_search(self) -> None:
        self.search.clear()
        self.apply_search()
        self.table.setFocus()

    def apply_search(self) -> None:
        self.search_timer.stop()
        text = self.search.text()
        if text == self.model.view.search:
            return
        self.model.set_view(replace(self.model.view, search=text))
        self._after_view_change()

    def _after_view_change(self) -> None:
        hint = self.model.hint
        self.hint.setText(hint or "")
        self.hint.setVisible(bool(hint))
        self._update_status()

    def _update_status(self) -> None:
        n = self.model.rowCount()
        m = self.selected_count() if self.table.selectionModel() else 0
        self.status_label.setText(f"{n:,} paper{'s' if n != 1 else ''} · {m:,} selected")

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(True)

    # ---------------------------------------------------------- selection
    def _selected_ranges(self) -> list[tuple[int, int]]:
        """Selected rows as merged (top, bottom) ranges: cheap even for 100,000 rows."""
        spans = sorted((r.top(), r.bottom()) for r in self.table.selectionModel().selection())
        merged: list[tuple[int, int]] = []
        for top, bottom in spans:
            if merged and top <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], bottom))
            else:
                merged.append((top, bottom))
        return merged

    def selected_rows(self) -> list[int]:
        return [r for top, bottom in self._selected_ranges() for r in range(top, bottom + 1)]

    def selected_count(self) -> int:
        return sum(b - t + 1 for t, b in self._selected_ranges())

    def selected_ids(self) -> list[int]:
        out: list[int] = []
        for top, bottom in self._selected_ranges():
            out.extend(self.model.ids_in_rows(top, bottom))
        return out

    def current_paper(self) -> dict[str, Any] | None:
        ids = self.selected_ids()
        if len(ids) != 1:
            idx = self.table.currentIndex()
            if not ids and idx.isValid():
                pid = self.model.paper_id(idx.row())
                return self.lib.get(pid) if pid is not None else None
            return None
        return self.lib.get(ids[0])

    def _selection_changed(self, *_: Any) -> None:
        n = self.selected_count()
        if n == 1:
            ids = self.selected_ids()
            self.detail.show_papers(self.lib.get_many(ids), self.lib.tag_colors())
            if self.detail.paper is not None:
                self._show_extras(ids[0])
            self.read_timer.start()
        else:
            self.read_timer.stop()
            if n > 1:
                self.detail.show_many(n, trash=self.model.view.section == "trash")
            else:
                self.detail.show_papers([])
        self._update_status()

    def select_ids(self, ids: list[int]) -> None:
        """Select papers by id: one lookup of their rows, one selection change.

        In a big library the lookup (and the view's count) runs on the worker
        thread: finding the rows of 100,000 new papers after an import takes
        a few hundred milliseconds, seconds at a million."""
        if self.big and len(ids) > 1:
            view, gen = self.model.view, self.model.generation
            self.background.submit(
                ("select", gen),
                lambda lib: (lib.count(view), lib.row_ranges(view, ids)),
                wanted=lambda: self.model.generation == gen,
            )
            return
        self.model.finish_count()
        if len(ids) == 1:
            row = self.model.row_of(ids[0])
            runs = [] if row is None else [(row, row)]
        else:
            runs = self.model.lib.row_ranges(self.model.view, ids)
        self._select_runs(runs)

    def _select_runs(self, runs: list[tuple[int, int]]) -> None:
        """Select rows given as (first, last) runs: one selection change."""
        sm = self.table.selectionModel()
        selection = QItemSelection()
        last_col = len(COLUMNS) - 1
        for top, bottom in runs:
            selection.select(self.model.index(top, 0), self.model.index(bottom, last_col))
        sm.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        if runs:
            first = self.model.index(runs[0][0], COL["title"])
            sm.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(first)

    def refresh(self, keep_selection: bool = True) -> None:
        """After a change: re-query the table, sidebar and detail pane."""
        ids = self.selected_ids() if keep_selection else []
        self.detail.flush_note()
        self.model.reload()
        self.refresh_sidebar()
        self.detail.set_tag_names(self.sidebar.tag_names())
        if ids:
            self.select_ids(ids)
        self._after_view_change()
        self._selection_changed()
        self._update_undo_actions()

    def refresh_sidebar(self) -> None:
        """Tags now; section counts now (small library) or from a worker thread (big one)."""
        self.sidebar.refresh(counts=not self.big)
        if self.big:
            self.background.submit("sidebar", lambda lib: (lib.counts(), lib.tag_counts()))

    def _background_done(self, tag: object, result: object) -> None:
        if tag == "sidebar":
            counts, tag_counts = result  # type: ignore[misc]
            self.sidebar.set_counts(counts)
            self.sidebar.set_tag_counts(tag_counts)
        elif isinstance(tag, tuple) and tag[0] == "select":
            if tag[1] == self.model.generation:
                count, runs = result  # type: ignore[misc]
                self.model.apply_count(count)
                self._select_runs(runs)
        else:
            self.model._background_done(tag, result)

    def _mark_current_read(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            p = self.lib.get(ids[0])
            if p and not p["read"]:
                self.lib.set_read(ids, True)
                self.model.refresh_rows()
                self.refresh_sidebar()

    # --------------------------------------------------------------- edits
    def add_tags(self, ids: list[int], tags: list[str]) -> None:
        if ids and tags:
            self.lib.add_tags(ids, tags)
            self.refresh()

    def remove_tags(self, ids: list[int], tags: list[str]) -> None:
        if ids and tags:
            self.lib.remove_tags(ids, tags)
            self.refresh()

    def tag_dialog(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        name = dialogs.get_text(self, "Add tag", f"Tag for {len(ids)} paper(s):", items=self.lib.tag_names())
        if name:
            self.add_tags(ids, [name])

    def untag_dialog(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        present = sorted({t for p in self.lib.get_many(ids) for t in p["tags"]}, key=str.casefold)
        if not present:
            return
        name = dialogs.get_text(self, "Remove tag", f"Tag to remove from {len(ids)} paper(s):", items=present)
        if name:
            self.remove_tags(ids, [name])

    def _save_note(self, pid: int, text: str) -> None:
        try:
            self.lib.set_note(pid, text)
        except Exception as e:  # the library is busy or gone: never lose the text silently
            log.exception("note not saved")
            dialogs.warn(self, "Note not saved", f"The note could not be saved: {e}\nIt is still in the editor.")
            self.detail.note.dirty = True
            return
        self.noteSaved.emit(pid)
        self.model.refresh_rows()
        self._update_undo_actions()

    def toggle_read(self) -> None:
        ids = self.selected_ids()
        if ids:
            papers = self.lib.get_many(ids)
            self.read_timer.stop()
            self.lib.set_read(ids, not all(p["read"] for p in papers))
            self.refresh()

    def toggle_star(self) -> None:
        ids = self.selected_ids()
        if ids:
            papers = self.lib.get_many(ids)
            self.lib.set_starred(ids, not all(p["starred"] for p in papers))
            self.refresh()

    def trash_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        if self.model.view.section == "trash":
            if dialogs.confirm(self, "Delete for good", f"Delete {len(ids)} paper(s) from the trash for good? (Edit → Undo brings them back.)"):
                self.lib.trash(ids)  # already trashed: keep the timestamp semantics simple
                self.empty_trash(ask=False, only=ids)
            return
        row = min(self.selected_rows())
        self.lib.trash(ids)
        self.refresh(keep_selection=False)
        if self.model.rowCount():
            self.table.selectRow(min(row, self.model.rowCount() - 1))
        self.statusBar().showMessage(f"Moved {len(ids)} paper(s) to the trash — Ctrl+Z to undo", 5000)

    def restore_selected(self) -> None:
        ids = self.selected_ids()
        if ids and self.model.view.section == "trash":
            self.lib.restore(ids)
            self.refresh(keep_selection=False)

    def empty_trash(self, ask: bool = True, only: list[int] | None = None) -> None:
        n = self.lib.counts()["trash"]
        if not n:
            return
        if ask and not dialogs.confirm(self, "Empty trash", f"Delete the {n} paper(s) in the trash for good?"):
            return
        if only is None:
            self.lib.empty_trash()
        else:
            self.lib.delete_papers(only)
        self.refresh(keep_selection=False)

    def _bulk(self, key: str) -> None:
        ids = self.selected_ids()
        if key == "tag":
            self.tag_dialog()
        elif key == "untag":
            self.untag_dialog()
        elif key in ("read", "unread"):
            self.lib.set_read(ids, key == "read")
            self.refresh()
        elif key in ("star", "unstar"):
            self.lib.set_starred(ids, key == "star")
            self.refresh()
        elif key == "trash":
            self.trash_selected()

    def undo(self) -> None:
        self.detail.flush_note()
        label = self.lib.undo()
        if label:
            self.statusBar().showMessage(f"Undone: {label}", 4000)
        self.refresh()

    def redo(self) -> None:
        label = self.lib.redo()
        if label:
            self.statusBar().showMessage(f"Redone: {label}", 4000)
        self.refresh()

    def _update_undo_actions(self) -> None:
        u, r = self.lib.undo_label(), self.lib.redo_label()
        self.act_undo.setText(f"&Undo {u}" if u else "&Undo")
        self.act_undo.setEnabled(bool(u))
        self.act_redo.setText(f"&Redo {r}" if r else "&Redo")
        self.act_redo.setEnabled(bool(r))

    # ---------------------------------------------------------------- tags
    def _tag_action(self, action: str, name: str) -> None:
        if action == "rename":
            new = dialogs.get_text(self, "Rename tag", f"New name for {name!r}:", text=name)
            if new and new != name:
                self.lib.rename_tag(name, new)
        elif action == "merge":
            others = [t for t in self.lib.tag_names() if t.casefold() != name.casefold()]
            target = dialogs.get_text(self, "Merge tag", f"Merge {name!r} into:", items=others)
            if target:
                self.lib.merge_tag(name, target)
        elif action == "color":
            color = dialogs.get_color(self, self.lib.tag_colors().get(name.casefold()))
            if color:
                self.lib.set_tag_color(name, color)
        elif action == "delete":
            n = self.sidebar.tag_count(name)
            if n is None:  # (a big library's counts may still be on their way)
                n = next((c for t, c, _ in self.lib.tag_counts() if t.casefold() == name.casefold()), 0)
            if not dialogs.confirm(self, "Delete tag", f"Remove the tag {name!r} from {n} paper(s)? (Edit → Undo brings it back.)"):
                return
            self.lib.delete_tag(name)
        self.refresh()

    # --------------------------------------------------------------- links
    def open_on_arxiv(self) -> None:
        p = self.current_paper()
        if p is not None:
            gui_links.open_url(core_links.abs_url(p))

    def open_pdf(self) -> None:
        """The attached PDF when there is one, else arXiv's PDF."""
        p = self.current_paper()
        if p is None:
            return
        local = [a for a in self.lib.attachments(p["id"]) if a["exists"] and str(a["name"]).lower().endswith(".pdf")]
        if local:
            self.open_attachment(str(local[0]["path"]))
            return
        url = core_links.pdf_url(p)
        if url:
            gui_links.open_url(url)

    # -------------------------------------------------------------- import
    def import_dialog(self) -> None:
        files = dialogs.get_open_files(self)
        if files:
            self.import_inputs([(f, Path(f)) for f in files])

    def paste(self) -> None:
        md = QApplication.clipboard().mimeData()
        if md is not None and md.hasUrls() and all(u.isLocalFile() for u in md.urls()):
            files = [u.toLocalFile() for u in md.urls()]
            self.import_inputs([(f, Path(f)) for f in files])
            return
        text = QApplication.clipboard().text()
        if text.strip():
            self.import_inputs([("pasted text", text)], label="paste")

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:  # noqa: N802
        md = e.mimeData()
        if (md.hasUrls() and any(u.isLocalFile() for u in md.urls())) or md.hasText():
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:  # noqa: N802
        md = e.mimeData()
        if md.hasUrls() and any(u.isLocalFile() for u in md.urls()):
            files = [u.toLocalFile() for u in md.urls() if u.isLocalFile()]
            self.import_inputs([(f, Path(f)) for f in files])
        elif md.hasText():
            self.import_inputs([("dropped text", md.text())], label="drop")
        e.acceptProposedAction()

    def import_inputs(self, inputs: list[tuple[str, Any]], label: str | None = None) -> None:
        """Start one import action in the background, with progress and Cancel."""
        worker = ImportProcess(self.lib.path, inputs, label, self)
        if self._start_worker(worker, "Import", "Importing…", "entries"):
            worker.finished.connect(self._on_import_finished)
            worker.failed.connect(self._on_import_failed)
            worker.cancelled.connect(self._on_import_cancelled)

    def _start_worker(self, worker: Any, title: str, text: str, unit: str) -> bool:
        """Run a worker in its thread behind a progress dialog with Cancel (one at a time)."""
        if self._worker is not None:
            dialogs.warn(self, "Busy", "Another import or lookup is still running.")
            return False
        self.detail.flush_note()
        self._worker = worker
        self._progress = QProgressDialog(text, "Cancel", 0, 0, self)
        self._progress.setWindowTitle(title)
        self._progress.setMinimumDuration(300)
        self._progress.setAutoClose(False)
        self._progress.setAutoReset(False)
        self._progress.canceled.connect(worker.cancel)
        self._progress_text = (text, unit)
        # a bound method of this window: Qt queues the call into the UI thread
        # (a lambda here would run in the worker thread and touch widgets from it)
        worker.progress.connect(self._on_progress)
        if isinstance(worker, ImportProcess):
            worker.start()
        else:
            self._import_thread = start_in_thread(worker, self)
        return True

    def _on_progress(self, done: int, total: int) -> None:
        text, unit = getattr(self, "_progress_text", ("Importing…", "entries"))
        if self._progress is not None:
            self._progress.setMaximum(total)
            self._progress.setValue(done)
            self._progress.setLabelText(f"{text} {done:,} of {total:,} {unit}")

    def _end_import(self) -> None:
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None
        self._worker = None
        self._import_thread = None

    @staticmethod
    def _is_big(lib: Library) -> bool:
        """Big enough for counts and lookups on the worker thread."""
        return (lib.db.conn.execute("SELECT max(id) FROM papers").fetchone()[0] or 0) > BIG_LIBRARY

    def _on_import_finished(self, report: ImportReport) -> None:
        self._end_import()
        self.last_report = report
        if not self.big and self._is_big(self.lib):  # this import made it big
            self.big = True
            self.model.background = self.background
        self.refresh(keep_selection=False)
        new = report.added_ids or report.merged_ids
        if new:
            if self.model.view != View() and self.model.view.section not in ("all", "unread", "recent"):
                self.sidebar.select_section("all")
            self.select_ids(new)
        lines = report.lines()
        title = "Import finished" if not report.rejected else "Import finished with problems"
        text = (
            f"{report.added} added, {report.merged} merged, {report.unchanged} unchanged"
            + (f", {len(report.rejected)} file(s) rejected" if report.rejected else "")
        )
        if report.rejected:
            text += "\n\n" + "\n".join(f"Rejected {r}" for r in report.rejected)
        self.importFinished.emit(report)
        dialogs.inform(self, title, text, "\n".join(lines))

    def _on_import_failed(self, message: str) -> None:
        self._end_import()
        self.importFinished.emit(None)
        dialogs.warn(self, "Import failed", f"Nothing was imported.\n\n{message}")

    def _on_import_cancelled(self) -> None:
        self._end_import()
        self.importFinished.emit(None)
        self.statusBar().showMessage("Import cancelled: the library is unchanged", 5000)

    def _scope_ids(self, scope: str) -> list[int]:
        if scope == "selection":
            return self.selected_ids()
        if scope == "view":
            return self.lib.ids(self.model.view)
        return self.lib.all_ids()

    def export_dialog(self, scope: str = "library", fmt: str = "bibtex") -> None:
        """Export the library, the current view or the selection in one of the formats."""
        from ..core import export

        ids = self._scope_ids(scope)
        if not ids:
            self.statusBar().showMessage("Nothing to export", 4000)
            return
        ext, filt = EXPORT_FILES[fmt]
        path = dialogs.get_save_file(self, "Export", filt, f"{self.lib.path.stem}{ext}")
        if not path:
            return
        papers = []
        for i in range(0, len(ids), 1000):
            papers.extend(self.lib.get_many(ids[i : i + 1000]))
        pattern = self.key_pattern()
        writer = {
            "bibtex": lambda ps: export.to_bibtex(ps, pattern),
            "ris": export.to_ris,
            "csljson": lambda ps: export.to_csljson(ps, pattern),
            "json": export.to_json,
        }[fmt]
        try:
            Path(path).write_text(writer(papers), encoding="utf-8")
        except OSError as e:
            dialogs.warn(self, "Export failed", f"{path}: {e.strerror}")
            return
        self.statusBar().showMessage(f"Exported {len(papers)} papers to {path}", 5000)

    def key_pattern(self) -> str:
        from ..core.export import DEFAULT_KEY_PATTERN

        return str(self.settings.value("prefs/citation_key", DEFAULT_KEY_PATTERN) or DEFAULT_KEY_PATTERN)

    def copy_bibtex(self) -> None:
        from ..core import export

        papers = self.lib.get_many(self.selected_ids())
        if papers:
            QApplication.clipboard().setText(export.to_bibtex(papers, self.key_pattern()))
            self.statusBar().showMessage(f"Copied {len(papers)} BibTeX entr{'ies' if len(papers) != 1 else 'y'}", 4000)

    def copy_reference(self) -> None:
        from ..core import export

        papers = self.lib.get_many(self.selected_ids())
        if papers:
            QApplication.clipboard().setText("\n\n".join(export.format_citation(p) for p in papers))
            self.statusBar().showMessage(f"Copied {len(papers)} reference(s)", 4000)

    # -------------------------------------------------------------- arXiv lookup
    def find_on_arxiv(self) -> None:
        ids = [p["id"] for p in self.lib.get_many(self.selected_ids()) if not p["arxiv_id"]]
        if not ids:
            self.statusBar().showMessage("The selected papers already have arXiv ids", 4000)
            return
        self.start_lookup(ids)

    def fetch_missing_ids(self) -> None:
        from ..core import arxiv_api

        ids = arxiv_api.missing_id_papers(self.lib)
        if not ids:
            self.statusBar().showMessage("Every paper has an arXiv id", 4000)
            return
        if not dialogs.confirm(
            self, "Fetch missing arXiv ids",
            f"Look up {len(ids)} paper(s) on arXiv? arXiv asks for at most one request every 3 seconds, "
            f"so this takes about {max(1, len(ids) * 6 // 60)} minute(s). Your tags and notes are never changed.",
        ):
            return
        self.start_lookup(ids)

    def start_lookup(self, ids: list[int]) -> None:
        worker = LookupWorker(self.lib.path, ids, self.arxiv_fetcher_factory(), self.arxiv_clock_factory())
        if self._start_worker(worker, "arXiv lookup", "Looking up papers on arXiv…", "papers"):
            worker.finished.connect(self._on_lookup_finished)
            worker.failed.connect(self._on_lookup_failed)

    def _on_lookup_finished(self, report: Any) -> None:
        self._end_import()
        self.refresh()
        msg = "arXiv lookup: " + report.summary()
        if report.aborted:
            msg = f"arXiv lookup stopped: {report.aborted} — nothing else was changed"
        elif report.cancelled:
            msg += " (cancelled)"
        self.statusBar().showMessage(msg, 10000)
        self.lookupFinished.emit(report)

    def _on_lookup_failed(self, message: str) -> None:
        self._end_import()
        self.statusBar().showMessage(f"arXiv lookup failed: {message}", 10000)
        self.lookupFinished.emit(None)

    # ------------------------------------------------------- fixing by hand
    def _show_extras(self, pid: int) -> None:
        try:
            review = self.lib.review_options(pid)
            history = self.history_lines(pid)
            attachments = self.lib.attachments(pid)
        except Exception:  # never let the detail pane fail on a paper
            log.exception("detail extras failed for %s", pid)
            review, history, attachments = None, [], []
        self.detail.set_extras(review, history, attachments)

    def history_lines(self, pid: int) -> list[str]:
        """Added from, merged with, edited: what the detail pane shows as history."""
        lines = []
        for s in self.lib.paper_sources(pid):
            where = Path(s["file"]).name if s["file"] else s["kind"]
            line = f", line {s['line']}" if s["line"] else ""
            lines.append(f"Added from {where}{line} ({(s['added_at'] or '')[:10]})")
        for m in self.lib.merge_history(pid):
            merged = ", ".join(str(i) for i in m["merged_ids"])
            lines.append(f"Merged with paper {merged} ({(m['at'] or '')[:10]})")
        p = self.lib.get(pid)
        if p and p["edited_fields"]:
            lines.append("Edited by you: " + ", ".join(f.replace("_", " ") for f in p["edited_fields"]))
        return lines

    def toggle_edit(self) -> None:
        if self.detail.paper is not None:
            self.detail.edit_button.toggle()

    def edit_field(self, field: str, value: Any) -> None:
        from ..core.errors import RefManagerError

        p = self.detail.paper
        if p is None:
            return
        try:
            self.lib.edit_paper(p["id"], **{field: value})
        except RefManagerError as e:
            self.detail.editor.show_error(getattr(e, "message", str(e)))
            return
        self.detail.editor.show_error(None)
        self.refresh()

    def pick_split(self, index: int) -> None:
        p = self.detail.paper
        if p is not None:
            self.lib.pick_split(p["id"], index)
            self.refresh()

    def accept_review(self) -> None:
        p = self.detail.paper
        if p is not None and self.lib.accept_review(p["id"]):
            self.refresh()

    def attach_dialog(self) -> None:
        p = self.current_paper()
        if p is None:
            return
        files = dialogs.get_open_files(self, "Attach files")
        self._attach(p["id"], files)

    def _attach(self, pid: int, files: list[str]) -> None:
        from ..core.errors import RefManagerError

        mode = str(self.settings.value("prefs/attachments", "copy"))
        for f in files:
            try:
                self.lib.attach_file(pid, f, mode="link" if mode == "link" else "copy")
            except RefManagerError as e:
                dialogs.warn(self, "Not attached", str(e))
        self.refresh()

    def _attach_dropped(self, row: int, paths: list[str]) -> None:
        pid = self.model.paper_id(row)
        if pid is not None:
            self._attach(pid, paths)
            self.select_ids([pid])

    def _import_mime(self, md: Any) -> None:
        if md.hasUrls() and any(u.isLocalFile() for u in md.urls()):
            files = [u.toLocalFile() for u in md.urls() if u.isLocalFile()]
            self.import_inputs([(f, Path(f)) for f in files])
        elif md.hasText():
            self.import_inputs([("dropped text", md.text())], label="drop")

    def open_attachment(self, path: str) -> None:
        gui_links.open_local_file(path, self.lib)

    def merge_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) < 2:
            self.statusBar().showMessage("Select two or more papers to merge", 4000)
            return
        fields = self.lib.merge_candidates_fields(ids)
        defaults = self.lib.default_merge_choice(ids)
        choices = dialogs.merge_choices(self, fields, defaults)
        if choices is None:
            return
        kept = self.lib.merge_papers(ids, choices)
        self.refresh(keep_selection=False)
        self.select_ids([kept])

    def split_selected(self) -> None:
        from ..core.errors import RefManagerError

        p = self.current_paper()
        if p is None:
            return
        try:
            ids = self.lib.split_paper(p["id"])
        except RefManagerError as e:
            dialogs.warn(self, "Cannot split", str(getattr(e, "message", e)))
            return
        self.refresh(keep_selection=False)
        self.select_ids(ids)

    def find_duplicates_dialog(self) -> None:
        from .duplicates import DuplicatesDialog

        dlg = DuplicatesDialog(self)
        self.duplicates_dialog = dlg
        dlg.show()

    # ------------------------------------------------------------ libraries
    def switch_library(self, path: Path, *, create: bool = False, _closed: bool = False) -> bool:
        """Show another library in this window (File → Open / New / Recent)."""
        from ..core.errors import RefManagerError
        from ..core.library import Library as _Library

        path = Path(path)
        if not create and not path.exists():
            dialogs.warn(self, "Open library", f"{path}: no such library")
            return False
        try:
            lib = _Library(path)
        except RefManagerError as e:
            dialogs.warn(self, "Cannot open the library", str(e))
            return False
        if not _closed:
            self.detail.flush_note()
        wait_all()
        old = self.lib
        self.lib = lib
        self.model.lib = lib
        self.sidebar.lib = lib
        self.background.shutdown()
        self.background = BackgroundQueries(lib.path, self)
        self.background.done.connect(self._background_done)
        self.big = self._is_big(lib)
        self.model.background = self.background if self.big else None
        self.model.set_view(View(sort=self.model.view.sort, descending=self.model.view.descending))
        self.sidebar.select_section("all")
        self.refresh(keep_selection=False)
        self.setWindowTitle(f"{lib.path.name} — refmanager")
        self.add_recent(lib.path)
        if old is not None and old is not lib:
            try:
                old.close()
            except Exception:  # already closed (restore)
                pass
        return True

    def add_recent(self, path: Path) -> None:
        items = [str(path.resolve())] + [p for p in self.recent_libraries() if p != str(path.resolve())]
        self.settings.setValue("recent/libraries", items[:8])

    def recent_libraries(self) -> list[str]:
        v = self.settings.value("recent/libraries", [])
        if isinstance(v, str):
            v = [v]
        return [str(x) for x in (v or [])]

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for p in self.recent_libraries():
            a = self.recent_menu.addAction(p)
            a.triggered.connect(lambda _=False, path=p: self.switch_library(Path(path)))
        if not self.recent_libraries():
            a = self.recent_menu.addAction("(none)")
            a.setEnabled(False)

    def backup_now(self) -> None:
        from ..core import backup

        path = backup.make_backup(self.lib, "manual")
        self.statusBar().showMessage(f"Backed up to {path}", 6000)

    def restore_backup_dialog(self) -> None:
        """Replace the library with one of its backups (the current state is backed up first)."""
        from ..core import backup
        from ..core.errors import RefManagerError

        backups = backup.list_backups(self.lib.path)
        if not backups:
            dialogs.inform(self, "Restore a backup", f"There are no backups of {self.lib.path} yet.")
            return
        names = [b.name for b in backups]
        choice = dialogs.get_text(self, "Restore a backup", "Backup to restore (newest first):", items=names)
        if not choice or choice not in names:
            return
        chosen = backups[names.index(choice)]
        if not dialogs.confirm(
            self, "Restore a backup",
            f"Replace the library with {chosen.name}? The library as it is now is backed up first.",
        ):
            return
        self.detail.flush_note()
        wait_all()
        path = self.lib.path
        self.lib.close()
        try:
            backup.restore_backup(path, chosen)
        except RefManagerError as e:
            dialogs.warn(self, "Restore failed", str(e))
        self.lib = None  # type: ignore[assignment]
        self.switch_library(path, _closed=True)
        self.statusBar().showMessage(f"Restored {path.name} from {chosen.name}", 8000)

    def new_library_dialog(self) -> None:
        path = dialogs.get_save_file(self, "New library", "refmanager libraries (*.db)", "library.db")
        if not path:
            return
        if Path(path).exists():
            dialogs.warn(self, "New library", f"{path} already exists: choose a new name, or use Open library.")
            return
        self.switch_library(Path(path), create=True)

    def open_library_dialog(self) -> None:
        path = dialogs.get_open_library(self)
        if path:
            self.switch_library(Path(path))

    def preferences_dialog(self) -> None:
        from .preferences import PreferencesDialog

        dlg = PreferencesDialog(self.settings, self)
        if dialogs.exec_dialog(dlg):
            dlg.save()
            from . import theme

            theme.follow_system(str(self.settings.value("prefs/theme", "system")))

    # --------------------------------------------------------------- menus
    def _fill_columns_menu(self, menu: QMenu) -> None:
        menu.clear()
        for i, (key, header, _) in enumerate(COLUMNS):
            label = {"starred": "Starred ★", "read": "Unread ●"}.get(key, header)
            a = menu.addAction(label)
            a.setCheckable(True)
            a.setChecked(not self.table.isColumnHidden(i))
            a.setEnabled(key != "title")
            a.toggled.connect(lambda on, col=i: self.table.setColumnHidden(col, not on))

    def _header_menu(self, pos: Any) -> None:
        m = QMenu(self)
        self._fill_columns_menu(m)
        m.exec(self.table.horizontalHeader().viewport().mapToGlobal(pos))

    def _table_menu(self, pos: Any) -> None:
        if not self.selected_ids():
            return
        m = QMenu(self)
        for a in (self.act_open, self.act_pdf, self.act_find_arxiv, self.act_copy_bibtex, self.act_copy_reference):
            m.addAction(a)
        m.addSeparator()
        for a in (self.act_tag, self.act_untag, self.act_toggle_read, self.act_toggle_star):
            m.addAction(a)
        m.addSeparator()
        for a in (self.act_edit, self.act_attach, self.act_merge, self.act_split):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_restore if self.model.view.section == "trash" else self.act_trash)
        m.exec(self.table.viewport().mapToGlobal(pos))

    def about(self) -> None:
        dialogs.inform(
            self,
            "About refmanager",
            f"refmanager {__version__}\n\nA reference manager for researchers.\n\nLibrary: {self.lib.path}",
        )
