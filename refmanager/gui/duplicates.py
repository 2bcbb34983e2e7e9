"""Edit → Find duplicates: likely pairs, each to merge or to mark "not a duplicate"."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from ..core.fields import Paper

log = logging.getLogger(__name__)


class DuplicatesDialog(QDialog):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Find duplicates")
        self.resize(900, 480)
        lay = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.summary)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Paper", "Possible duplicate", "Why"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setColumnWidth(0, 340)
        self.tree.setColumnWidth(1, 340)
        lay.addWidget(self.tree, 1)
        row = QHBoxLayout()
        self.merge_button = QPushButton("Merge…")
        self.merge_button.clicked.connect(self.merge_current)
        self.not_dup_button = QPushButton("Not a duplicate")
        self.not_dup_button.clicked.connect(self.not_duplicate)
        self.show_button = QPushButton("Show both")
        self.show_button.clicked.connect(self.show_current)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        for b in (self.merge_button, self.not_dup_button, self.show_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        lay.addLayout(row)
        self.reload()

    def _name(self, p: Paper | None, pid: int) -> str:
        if p is None:
            return f"#{pid}"
        return f"#{pid} " + (p.title or "[no title] " + (p.abstract or "")[:60])

    def reload(self) -> None:
        lib = self.window_.lib
        self.pairs = lib.find_duplicates()
        self.tree.clear()
        for a, b, why in self.pairs:
            pa, pb = lib.get(a), lib.get(b)
            it = QTreeWidgetItem([self._name(pa, a), self._name(pb, b), why])
            it.setData(0, Qt.ItemDataRole.UserRole, (a, b))
            self.tree.addTopLevelItem(it)
        n = len(self.pairs)
        self.summary.setText(f"{n} possible duplicate pair{'s' if n != 1 else ''}" if n else "No likely duplicates found.")
        if n:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def current_pair(self) -> tuple[int, int] | None:
        it = self.tree.currentItem()
        return it.data(0, Qt.ItemDataRole.UserRole) if it else None

    def merge_current(self) -> None:
        pair = self.current_pair()
        if pair is None:
            return
        self.window_.view.select_ids(list(pair))
        self.window_.papers.merge_selected()
        self.reload()

    def not_duplicate(self) -> None:
        pair = self.current_pair()
        if pair is None:
            return
        self.window_.lib.mark_not_duplicate(*pair)
        self.reload()

    def show_current(self) -> None:
        pair = self.current_pair()
        if pair is not None:
            self.window_.sidebar.select_section("all")
            self.window_.view.select_ids(list(pair))
