"""The citation style chooser of Preferences: a search field over the ~10,800 CSL styles
(``core.cite.style_names``: the six most used first), as Zotero's."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRegularExpression, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QListView, QVBoxLayout, QWidget

from ..core import cite
from .plain import plain_label

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2


class StyleChooser(QWidget):
    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        styles = cite.style_names()
        self._titles = {s.name: s.title for s in styles}
        self.search = QLineEdit()
        self.search.setPlaceholderText(f"Search {len(styles):,} styles…")
        self.search.setAccessibleName("Search citation styles")
        self.search.setClearButtonEnabled(True)
        self.model = QStandardItemModel(self)
        for s in styles:
            item = QStandardItem(s.title if s.title == s.name else f"{s.title}  ({s.name})")
            item.setEditable(False)
            item.setData(s.name, NAME_ROLE)
            item.setData(f"{s.name} {s.title}".casefold(), SEARCH_ROLE)
            self.model.appendRow(item)
        # rows whose name or title has every word typed (as ``refmanager styles SEARCH``)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.list = QListView()
        self.list.setModel(self.proxy)
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAccessibleName("Citation styles")
        self.list.setMinimumHeight(160)
        self.current = plain_label()
        self.current.setWordWrap(True)
        lay.addWidget(self.search)
        lay.addWidget(self.list)
        lay.addWidget(self.current)
        self.search.textChanged.connect(self._filter)
        self.list.selectionModel().currentChanged.connect(self._picked)
        self._filtering = False
        self._chosen = current if current in self._titles else cite.DEFAULT_STYLE
        self.select(self._chosen)

    def _filter(self, text: str) -> None:
        # (rows going away move Qt's current row to a neighbour: that is no choice of the user's)
        self._filtering = True
        try:
            words = text.casefold().split()
            self.proxy.setFilterRegularExpression(QRegularExpression(
                "^" + "".join(f"(?=.*{QRegularExpression.escape(w)})" for w in words)))
        finally:
            self._filtering = False
        self.select(self._chosen)  # (still chosen, and shown so when the search shows it)

    def select(self, name: str) -> None:
        self._chosen = name
        self._filtering = True
        try:
            match = self.proxy.match(self.proxy.index(0, 0), NAME_ROLE, name, 1, Qt.MatchFlag.MatchExactly)
            if match:
                self.list.setCurrentIndex(match[0])
                self.list.scrollTo(match[0])
            else:
                self.list.selectionModel().clear()
        finally:
            self._filtering = False
        self._show_current()

    def _picked(self, idx: QModelIndex, _previous: QModelIndex) -> None:
        if not self._filtering and idx.isValid():
            self._chosen = str(idx.data(NAME_ROLE))
            self._show_current()

    def _show_current(self) -> None:
        title = self._titles.get(self._chosen, self._chosen)
        self.current.setText(f"Chosen: {title} ({self._chosen})")

    def selected_name(self) -> str:
        """The style chosen (the one shown as chosen even when the search hides it)."""
        return self._chosen or cite.DEFAULT_STYLE

    def visible_names(self) -> list[str]:
        return [str(self.proxy.index(r, 0).data(NAME_ROLE)) for r in range(self.proxy.rowCount())]
