"""Left sidebar: library sections, then every tag with its paper count."""

from __future__ import annotations

import functools
import logging

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTreeWidget, QTreeWidgetItem, QWidget

from ..core.library import SECTIONS
from .icons import icon

log = logging.getLogger(__name__)

#: The icon of each section (the sections themselves: ``store.query.SECTIONS``).
SECTION_ICONS = {
    "all": "library", "unread": "unread", "starred": "star", "incomplete": "incomplete", "review": "review",
    "recent": "recent", "unfiled": "unfiled", "trash": "trash",
}
KindRole = Qt.ItemDataRole.UserRole + 1
KeyRole = Qt.ItemDataRole.UserRole + 2


@functools.lru_cache(maxsize=256)
def color_icon(color: str | None, size: int = 12) -> QIcon:
    """A dot of the tag's colour; one per colour (3,000 tags share a few)."""
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor(color) if color else QColor("#9aa0a6"))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(1, 1, size - 2, size - 2)
    p.end()
    return QIcon(pm)


class Sidebar(QTreeWidget):
    """Emits ``filterChanged(section, tags)`` when the user picks a section or tags."""

    filterChanged = Signal(str, tuple)
    tagAction = Signal(str, str)  # (action, tag name): rename, merge, color, delete

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setColumnCount(2)
        self.setRootIsDecorated(False)
        self.setIndentation(10)
        self.setIconSize(QSize(16, 16))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.setAccessibleName("Library sections and tags")
        self._section_items: dict[str, QTreeWidgetItem] = {}
        self._tag_items: dict[str, QTreeWidgetItem] = {}
        self._tag_list: list[tuple[str, str | None]] = []  # (name, colour) of the items shown
        self._updating = False
        self._section = "all"
        for section in SECTIONS:
            it = QTreeWidgetItem(self, [section.label, ""])
            it.setData(0, KindRole, "section")
            it.setData(0, KeyRole, section.key)
            it.setIcon(0, icon(SECTION_ICONS[section.key]))
            it.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._section_items[section.key] = it
        self._tags_header = QTreeWidgetItem(self, ["Tags", ""])
        self._tags_header.setFlags(Qt.ItemFlag.ItemIsEnabled)
        f = self._tags_header.font(0)
        f.setBold(True)
        self._tags_header.setFont(0, f)
        self._tags_header.setExpanded(True)
        self.itemSelectionChanged.connect(self._selection_changed)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, self.header().ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, self.header().ResizeMode.ResizeToContents)
        self._section_items["all"].setSelected(True)

    def apply_icons(self) -> None:
        for key, it in self._section_items.items():
            it.setIcon(0, icon(SECTION_ICONS[key]))

    def set_counts(self, counts: dict[str, int]) -> None:
        for key, it in self._section_items.items():
            it.setText(1, f"{counts.get(key, 0):,}")

    def show_tags(self, tags: list[tuple[str, str | None]]) -> None:
        """The tags, (name, colour) by name.  Their items are only rebuilt when the
        tags themselves changed (25 ms for 3,000); their counts come apart
        (``set_tag_counts``: a big library's from the worker thread)."""
        self._updating = True
        try:
            self._set_tags(tags)
        finally:
            self._updating = False

    def _set_tags(self, tags: list[tuple[str, str | None]]) -> None:
        if tags == self._tag_list:
            return
        known = {key: it.text(1) for key, it in self._tag_items.items()}  # (until counted again)
        selected = set(self.selected_tags())
        self._tags_header.takeChildren()
        self._tag_items.clear()
        for name, color in tags:
            it = QTreeWidgetItem(self._tags_header, [name, known.get(name.casefold(), "")])
            it.setData(0, KindRole, "tag")
            it.setData(0, KeyRole, name)
            it.setIcon(0, color_icon(color))
            it.setToolTip(0, "")
            it.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._tag_items[name.casefold()] = it
            if name in selected:
                it.setSelected(True)
        self._tags_header.setExpanded(True)
        self._tag_list = tags

    def set_tag_counts(self, rows: list[tuple[str, int, str | None]]) -> None:
        """Counts of the tags shown ((name, papers, colour) rows, ``Library.tag_counts``)."""
        for name, n, _color in rows:
            it = self._tag_items.get(name.casefold())
            if it is not None:
                it.setText(1, str(n))

    def tag_names(self) -> list[str]:
        return [name for name, _ in self._tag_list]

    def tag_count(self, name: str) -> int | None:
        """The count shown for a tag (None: no such tag, or not counted yet)."""
        it = self._tag_items.get(name.casefold())
        text = it.text(1).replace(",", "") if it else ""
        return int(text) if text else None

    def section_count(self, key: str) -> int:
        return int(self._section_items[key].text(1).replace(",", "") or 0)

    def tag_item(self, name: str) -> QTreeWidgetItem | None:
        return self._tag_items.get(name.casefold())

    def section_item(self, key: str) -> QTreeWidgetItem:
        return self._section_items[key]

    def selected_tags(self) -> list[str]:
        return [it.data(0, KeyRole) for it in self.selectedItems() if it.data(0, KindRole) == "tag"]

    def select_section(self, key: str) -> None:
        self.clearSelection()
        self._section_items[key].setSelected(True)
        self.setCurrentItem(self._section_items[key])

    def select_tags(self, names: list[str]) -> None:
        self._updating = True
        self.clearSelection()
        for n in names:
            it = self._tag_items.get(n.casefold())
            if it:
                it.setSelected(True)
        self._updating = False
        self._selection_changed()

    def _selection_changed(self) -> None:
        if self._updating:
            return
        items = self.selectedItems()
        sections = [it for it in items if it.data(0, KindRole) == "section"]
        tags = tuple(it.data(0, KeyRole) for it in items if it.data(0, KindRole) == "tag")
        if sections:
            # the most recently clicked section wins; tags combine with it
            cur = self.currentItem()
            sec = cur if cur in sections else sections[-1]
            if len(sections) > 1:
                self._updating = True
                for s in sections:
                    if s is not sec:
                        s.setSelected(False)
                self._updating = False
            self._section = sec.data(0, KeyRole)
        elif not tags:
            self._section = "all"
        self.filterChanged.emit(self._section, tags)

    @property
    def section(self) -> str:
        return self._section

    def _menu(self, pos) -> None:  # noqa: ANN001
        it = self.itemAt(pos)
        if it is None or it.data(0, KindRole) != "tag":
            return
        name = it.data(0, KeyRole)
        m = QMenu(self)
        for action, label in (
            ("rename", "Rename…"),
            ("merge", "Merge into…"),
            ("color", "Set colour…"),
            ("delete", "Delete…"),
        ):
            a = m.addAction(label)
            a.triggered.connect(lambda _=False, act=action: self.tagAction.emit(act, name))
        m.exec(self.viewport().mapToGlobal(pos))
