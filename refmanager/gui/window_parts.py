"""The window's widgets, laid out: sidebar | banner, search box, hint, paper table | detail pane.

``WindowParts`` builds them and what the window has besides (its settings, its
actions, the status line); the controllers take it, and ``MainWindow`` adds
them on top.  Nothing here reads the library.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .delegates import TagsDelegate
from .detail_pane import DetailPane
from .icons import app_icon, icon
from .sidebar import Sidebar
from .table_model import COL, COLUMNS, PaperTableModel, sortable

log = logging.getLogger(__name__)

DEFAULT_WIDTHS = {"starred": 26, "read": 26, "note": 26, "title": 360, "authors": 140, "year": 50,
                  "date": 92, "category": 74, "tags": 104, "added": 92}
HIDDEN_BY_DEFAULT = {"date", "added", "type", "key", "venue", "volume", "pages", "publisher", "doi"}


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


class WindowParts(QMainWindow):
    """The widgets of the main window, with its settings, actions and status line."""

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setObjectName("MainWindow")
        #: every action by key (``actions.MENUS``), the submenus, and the icons to re-tint
        self.actions: dict[str, QAction] = {}
        self.submenus: dict[str, QMenu] = {}
        self.action_icons: list[tuple[QAction, str]] = []
        self.sidebar = Sidebar()
        self.sidebar.setObjectName("Sidebar")
        self.table = PaperTable()
        self.table.setObjectName("PaperTable")
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
        hh.customContextMenuRequested.connect(self.header_menu)

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
        esc = QAction(self)
        esc.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        esc.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.search.addAction(esc)
        self.search_esc = esc

    def setup_columns(self, model: PaperTableModel) -> None:
        """Widths, hidden columns, the tags delegate and the sort, once the table has its model."""
        hh = self.table.horizontalHeader()
        for key, w in DEFAULT_WIDTHS.items():
            self.table.setColumnWidth(COL[key], w)
        hh.setMinimumSectionSize(24)
        for key in HIDDEN_BY_DEFAULT:
            self.table.setColumnHidden(COL[key], True)
        hh.moveSection(hh.visualIndex(COL["note"]), hh.visualIndex(COL["read"]) + 1)  # (the marks together)
        hh.sortIndicatorChanged.connect(self._keep_sort_indicator)
        self.tags_delegate = TagsDelegate(model, self.table)
        self.table.setItemDelegateForColumn(COL["tags"], self.tags_delegate)
        hh.setSortIndicator(COL["date"], Qt.SortOrder.DescendingOrder)  # newest papers first

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(True)

    # ------------------------------------------------------- window state
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
        hh = self.table.horizontalHeader()
        hs = s.value("table/header")
        if isinstance(hs, QByteArray) and not hs.isEmpty():
            hh.restoreState(hs)
        sort_col = s.value("table/sortColumn")
        if sort_col is not None:
            try:
                hh.setSortIndicator(int(sort_col), Qt.SortOrder(int(s.value("table/sortOrder") or 0)))
            except (TypeError, ValueError):
                pass
        # the title takes the room the other columns leave: nothing clipped at 1280x800
        hh.setSectionResizeMode(COL["title"], QHeaderView.ResizeMode.Stretch)
        # an icon's width (a state saved before the column existed gives it the default 100)
        hh.setSectionResizeMode(COL["note"], QHeaderView.ResizeMode.Fixed)
        hh.resizeSection(COL["note"], DEFAULT_WIDTHS["note"])
        self.table.model().sort(hh.sortIndicatorSection(), hh.sortIndicatorOrder())

    def save_state(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        hh = self.table.horizontalHeader()
        s.setValue("table/header", hh.saveState())
        s.setValue("table/sortColumn", hh.sortIndicatorSection())
        s.setValue("table/sortOrder", int(hh.sortIndicatorOrder().value))
        s.sync()

    # ------------------------------------------------------------ columns
    def fill_columns_menu(self, menu: QMenu) -> None:
        menu.clear()
        for i, (key, header, _) in enumerate(COLUMNS):
            label = {"starred": "Starred ★", "read": "Unread ●"}.get(key, header)
            a = menu.addAction(label)
            a.setCheckable(True)
            a.setChecked(not self.table.isColumnHidden(i))
            a.setEnabled(key != "title")
            a.toggled.connect(lambda on, col=i: self.table.setColumnHidden(col, not on))

    def _keep_sort_indicator(self, section: int, _order: Any) -> None:
        """A click on a column that cannot sort (Has note) leaves the sort and its arrow as they were."""
        if sortable(section):
            return
        model, hh = self.table.model(), self.table.horizontalHeader()
        order = Qt.SortOrder.DescendingOrder if model.view.descending else Qt.SortOrder.AscendingOrder
        hh.blockSignals(True)
        hh.setSortIndicator(model.sort_column(), order)
        hh.blockSignals(False)

    def header_menu(self, pos: Any) -> None:
        m = QMenu(self)
        self.fill_columns_menu(m)
        m.exec(self.table.horizontalHeader().viewport().mapToGlobal(pos))

    def apply_icons(self) -> None:
        """Re-tint every icon for the current palette (light or dark)."""
        for a, name in self.action_icons:
            a.setIcon(icon(name))
        self.sidebar.apply_icons()
        self.detail.apply_icons()
