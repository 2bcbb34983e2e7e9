"""Left sidebar: the library's sections, its collections (a tree), its saved searches, then
every tag; each with its paper count.

One *place* is shown at a time (a section, a collection or a saved search) and tags narrow
it (Ctrl+click); ``filterChanged`` says which, as a ``Place``.  The sidebar is also where
things are dropped: papers dragged from the table onto a collection (``papersDropped``), a
collection onto another or onto the "Collections" header, which is the top
(``collectionDropped``), files or text (``inputsDropped``: imported, into the collection they
were dropped on).  The menus on collections and saved searches are the collections
controller's (``menuRequested``); the tags' menu is here.  Nothing here reads the library.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTreeWidget, QTreeWidgetItem, QWidget

from ..core.library import SECTIONS, Collection, SavedSearch
from .dragging import DragIntoSidebar, KeyRole, KindRole, SidebarDrops
from .icons import icon
from .table_model import plain_tooltip

log = logging.getLogger(__name__)

#: The icon of each section (the sections themselves: ``store.query.SECTIONS``).
SECTION_ICONS = {
    "all": "library", "unread": "unread", "starred": "star", "incomplete": "incomplete", "review": "review",
    "recent": "recent", "unfiled": "unfiled", "trash": "trash",
}
#: Items that are a place to show (one at a time); tags narrow it; headers are neither.
PLACE_KINDS = ("section", "collection", "saved")
_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Place:
    """What the sidebar selects: a section, a collection (its id) or a saved search (its id),
    and the tags that narrow it."""

    section: str = "all"
    collection: int | None = None
    saved: int | None = None
    tags: tuple[str, ...] = ()


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


def _count_shown(it: QTreeWidgetItem | None) -> int | None:
    """The count an item shows (None: no item, or not counted yet)."""
    text = it.text(1).replace(",", "") if it is not None else ""
    return int(text) if text.isdigit() else None


def _plural(n: int) -> str:
    return f"{n:,} paper{'s' if n != 1 else ''}"



def _counts_at_once(method: Callable[..., Any]) -> Callable[..., Any]:
    """Many counts set at once: the counts' column fits its contents once, at the end.
    (Fitting after each ``setText`` measured every item again: 3,000 tags' counts took
    10 s, the window frozen.)"""
    @functools.wraps(method)
    def wrapper(self: QTreeWidget, *args: Any, **kw: Any) -> Any:
        header = self.header()
        header.setSectionResizeMode(1, header.ResizeMode.Interactive)
        try:
            return method(self, *args, **kw)
        finally:
            header.setSectionResizeMode(1, header.ResizeMode.ResizeToContents)
    return wrapper

class Sidebar(DragIntoSidebar, QTreeWidget):
    """Emits ``filterChanged(Place)`` when the user picks a section, collection, saved search or tags."""

    filterChanged = Signal(object)
    tagAction = Signal(str, str)  # (action, tag name): rename, merge, color, delete
    #: (kind, key, global position): "collection" (id), "saved" (id), "collections" (None: the
    #: header or empty space), "saved-searches" (None)
    menuRequested = Signal(str, object, QPoint)
    papersDropped = Signal(int, object)  # collection id, (library, paper ids)
    collectionDropped = Signal(int, object)  # collection id, its new parent (None: the top)
    inputsDropped = Signal(object, object)  # collection id (None: none), QMimeData to import

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setColumnCount(2)
        self.setRootIsDecorated(False)
        self.setIndentation(12)
        self.setIconSize(QSize(16, 16))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.setAccessibleName("Library sections, collections, saved searches and tags")
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setAutoExpandDelay(700)  # (a collapsed collection opens under a drag held on it)
        self._section_items: dict[str, QTreeWidgetItem] = {}
        self._tag_items: dict[str, QTreeWidgetItem] = {}
        self._tag_list: list[tuple[str, str | None]] = []  # (name, colour) of the items shown
        self._coll_items: dict[int, QTreeWidgetItem] = {}
        self._coll_shape: list[tuple[int, int | None, str]] = []  # what the collection items show
        self._coll_counts: dict[int, tuple[int, int]] = {}  # id -> (count, total)
        self._coll_paths: dict[int, str] = {}
        self._collapsed: set[int] = set()
        self._saved_items: dict[int, QTreeWidgetItem] = {}
        self._saved_list: list[SavedSearch] = []
        #: collections show their papers' count with their subcollections' (View → Show papers of subcollections)
        self.subcollections = True
        #: where drops go (``dragging.SidebarDrops``; its ``drop`` is the drop handler)
        self.drops = SidebarDrops(self)
        self._updating = False
        self._place = Place()
        for section in SECTIONS:
            it = QTreeWidgetItem(self, [section.label, ""])
            it.setData(0, KindRole, "section")
            it.setData(0, KeyRole, section.key)
            it.setIcon(0, icon(SECTION_ICONS[section.key]))
            it.setTextAlignment(1, _ALIGN_RIGHT)
            it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            self._section_items[section.key] = it
        self._collections_header = self._header("Collections", "collections")
        self._collections_header.setToolTip(0, "Right-click for a new collection; drop a collection here to move it to the top")
        self._saved_header = self._header("Saved searches", "saved-searches")
        self._saved_header.setHidden(True)
        self._tags_header = self._header("Tags", "tags")
        self.itemSelectionChanged.connect(self._selection_changed)
        self.itemExpanded.connect(lambda it: self._expanded(it, True))
        self.itemCollapsed.connect(lambda it: self._expanded(it, False))
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, self.header().ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, self.header().ResizeMode.ResizeToContents)
        self._section_items["all"].setSelected(True)

    def _header(self, title: str, key: str) -> QTreeWidgetItem:
        it = QTreeWidgetItem(self, [title, ""])
        it.setData(0, KindRole, "header")
        it.setData(0, KeyRole, key)
        it.setFlags(Qt.ItemFlag.ItemIsEnabled)
        f = it.font(0)
        f.setBold(True)
        it.setFont(0, f)
        it.setExpanded(True)
        return it

    def apply_icons(self) -> None:
        for key, it in self._section_items.items():
            it.setIcon(0, icon(SECTION_ICONS[key]))
        for it in self._coll_items.values():
            it.setIcon(0, icon("folder"))
        for it in self._saved_items.values():
            it.setIcon(0, icon("saved-search"))

    def set_counts(self, counts: dict[str, int]) -> None:
        for key, it in self._section_items.items():
            it.setText(1, f"{counts.get(key, 0):,}")

    # ---------------------------------------------------------------- tags
    def show_tags(self, tags: list[tuple[str, str | None]]) -> None:
        """The tags, (name, colour) by name.  Their items are only rebuilt when the
        tags themselves changed (25 ms for 3,000); their counts come apart
        (``set_tag_counts``: a big library's from the worker thread)."""
        if tags == self._tag_list:
            return
        self._updating = True
        try:
            self._set_tags(tags)
        finally:
            self._updating = False

    @_counts_at_once
    def _set_tags(self, tags: list[tuple[str, str | None]]) -> None:
        known = {key: it.text(1) for key, it in self._tag_items.items()}  # (until counted again)
        selected = {t.casefold() for t in self.selected_tags()}
        self._tags_header.takeChildren()
        self._tag_items.clear()
        for name, color in tags:
            it = QTreeWidgetItem(self._tags_header, [name, known.get(name.casefold(), "")])
            it.setData(0, KindRole, "tag")
            it.setData(0, KeyRole, name)
            it.setIcon(0, color_icon(color))
            it.setToolTip(0, "")
            it.setTextAlignment(1, _ALIGN_RIGHT)
            it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            self._tag_items[name.casefold()] = it
            if name.casefold() in selected:
                it.setSelected(True)
        self._tags_header.setExpanded(True)
        self._tag_list = tags

    @_counts_at_once
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
        return _count_shown(self._tag_items.get(name.casefold()))

    def section_count(self, key: str) -> int:
        return int(self._section_items[key].text(1).replace(",", "") or 0)

    def tag_item(self, name: str) -> QTreeWidgetItem | None:
        return self._tag_items.get(name.casefold())

    def section_item(self, key: str) -> QTreeWidgetItem:
        return self._section_items[key]

    def selected_tags(self) -> list[str]:
        return [it.data(0, KeyRole) for it in self.selectedItems() if it.data(0, KindRole) == "tag"]

    # --------------------------------------------------------- collections
    def show_collections(self, tree: list[Collection]) -> None:
        """The collections as a tree (``Library.collection_tree``: parents first, by name).
        Rebuilt only when names or nesting changed; the selection and what was collapsed
        stay, by id.  Counts: ``set_collection_counts``."""
        shape = [(c.id, c.parent_id, c.name) for c in tree]
        if shape == self._coll_shape:
            return
        self._updating = True
        try:
            selected = {it.data(0, KeyRole) for it in self.selectedItems() if it.data(0, KindRole) == "collection"}
            current = self.currentItem()
            current_id = current.data(0, KeyRole) if current is not None and current.data(0, KindRole) == "collection" else None
            self._collections_header.takeChildren()
            self._coll_items = {}
            for c in tree:
                parent = self._coll_items.get(c.parent_id, self._collections_header) if c.parent_id is not None \
                    else self._collections_header
                it = QTreeWidgetItem(parent, [c.name, ""])
                it.setData(0, KindRole, "collection")
                it.setData(0, KeyRole, c.id)
                it.setIcon(0, icon("folder"))
                it.setTextAlignment(1, _ALIGN_RIGHT)
                it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
                            | Qt.ItemFlag.ItemIsDropEnabled)
                self._coll_items[c.id] = it
            for cid, it in self._coll_items.items():
                it.setExpanded(cid not in self._collapsed)
                if cid in selected:
                    it.setSelected(True)
            if current_id in self._coll_items:
                self.setCurrentItem(self._coll_items[current_id], 0, self.selectionModel().SelectionFlag.NoUpdate)
            self._collections_header.setExpanded(True)
            self._coll_shape = shape
            self._coll_paths = {c.id: c.path for c in tree}
            self._render_collection_counts()
        finally:
            self._updating = False

    def set_collection_counts(self, tree: list[Collection]) -> None:
        """Each collection's papers (``Collection.count``) and with its subcollections' (``.total``)."""
        self._coll_counts = {c.id: (c.count, c.total) for c in tree}
        self._render_collection_counts()

    def set_subcollections(self, on: bool) -> None:
        """Counts with the subcollections' papers or without: as selecting a collection shows it."""
        self.subcollections = on
        self._render_collection_counts()

    @_counts_at_once
    def _render_collection_counts(self) -> None:
        for cid, it in self._coll_items.items():
            counts = self._coll_counts.get(cid)
            tip = self._coll_paths.get(cid, it.text(0))
            if counts is None:
                it.setText(1, "")
            else:
                own, total = counts
                it.setText(1, f"{total if self.subcollections else own:,}")
                if it.childCount():
                    tip += f"\n{_plural(own)} in it, {_plural(total)} with its subcollections"
                else:
                    tip += f"\n{_plural(own)}"
            it.setToolTip(0, plain_tooltip(tip))

    def collection_item(self, cid: int) -> QTreeWidgetItem | None:
        return self._coll_items.get(cid)

    def collection_ids(self) -> list[int]:
        """The collections shown, top to bottom."""
        return list(self._coll_items)

    def collection_count(self, cid: int) -> int | None:
        return _count_shown(self._coll_items.get(cid))

    def collections_header(self) -> QTreeWidgetItem:
        return self._collections_header

    def _expanded(self, it: QTreeWidgetItem, expanded: bool) -> None:
        if it.data(0, KindRole) == "collection":
            (self._collapsed.discard if expanded else self._collapsed.add)(it.data(0, KeyRole))

    def forget_library(self) -> None:
        """Another library is shown: ids of collections and saved searches mean other ones."""
        self._collapsed.clear()
        self._coll_counts.clear()

    # ------------------------------------------------------ saved searches
    def show_saved(self, searches: list[SavedSearch]) -> None:
        """The saved searches, by name (the header is hidden while there are none)."""
        if searches == self._saved_list:
            return
        self._updating = True
        try:
            known = {sid: it.text(1) for sid, it in self._saved_items.items()}
            selected = {it.data(0, KeyRole) for it in self.selectedItems() if it.data(0, KindRole) == "saved"}
            self._saved_header.takeChildren()
            self._saved_items = {}
            for s in searches:
                it = QTreeWidgetItem(self._saved_header, [s.name, known.get(s.id, "")])
                it.setData(0, KindRole, "saved")
                it.setData(0, KeyRole, s.id)
                it.setIcon(0, icon("saved-search"))
                it.setToolTip(0, plain_tooltip(s.query))
                it.setTextAlignment(1, _ALIGN_RIGHT)
                it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self._saved_items[s.id] = it
                if s.id in selected:
                    it.setSelected(True)
            self._saved_header.setHidden(not searches)
            self._saved_header.setExpanded(True)
            self._saved_list = list(searches)
        finally:
            self._updating = False

    def set_saved_counts(self, counts: dict[int, int | None]) -> None:
        """Papers each saved search finds now (None: its query cannot run)."""
        for sid, n in counts.items():
            it = self._saved_items.get(sid)
            if it is not None:
                it.setText(1, "?" if n is None else f"{n:,}")

    def saved_item(self, sid: int) -> QTreeWidgetItem | None:
        return self._saved_items.get(sid)

    def saved_count(self, sid: int) -> int | None:
        return _count_shown(self._saved_items.get(sid))

    def saved_names(self) -> list[str]:
        return [s.name for s in self._saved_list]

    # ----------------------------------------------------------- the place
    @property
    def place(self) -> Place:
        return self._place

    def _place_item(self, place: Place) -> QTreeWidgetItem | None:
        if place.collection is not None:
            return self._coll_items.get(place.collection)
        if place.saved is not None:
            return self._saved_items.get(place.saved)
        return self._section_items.get(place.section)

    def _select(self, items: list[QTreeWidgetItem], current: QTreeWidgetItem | None, *, emit: bool) -> None:
        """One selection change (not one per item), then one ``filterChanged`` when ``emit``."""
        self._updating = True
        try:
            self.clearSelection()
            for it in items:
                it.setSelected(True)
            if current is not None:
                self.setCurrentItem(current, 0, self.selectionModel().SelectionFlag.NoUpdate)
                parent = current.parent()
                while parent is not None:  # (a moved collection: shown where it went)
                    parent.setExpanded(True)
                    parent = parent.parent()
        finally:
            self._updating = False
        if emit:
            self._selection_changed()

    def select_section(self, key: str) -> None:
        it = self._section_items[key]
        self._select([it], it, emit=True)

    def select_collection(self, cid: int) -> None:
        it = self._coll_items.get(cid)
        if it is not None:
            self._select([it], it, emit=True)

    def select_saved(self, sid: int) -> None:
        it = self._saved_items.get(sid)
        if it is not None:
            self._select([it], it, emit=True)

    def select_tags(self, names: list[str]) -> None:
        items = [it for it in (self._tag_items.get(n.casefold()) for n in names) if it is not None]
        self._select(items, items[0] if items else None, emit=True)

    def show_place(self, place: Place) -> None:
        """Select what the window shows, saying nothing (the view followed a rename, or fell
        back to All papers when what it showed was deleted)."""
        self._place = place
        if self._selected_place() == place:
            return
        it = self._place_item(place)
        tags = [t for t in (self._tag_items.get(n.casefold()) for n in place.tags) if t is not None]
        self._select(([it] if it is not None else []) + tags, it, emit=False)

    def _selected_place(self) -> Place | None:
        """The place the selection shows (None: nothing, or no one place, is selected)."""
        items = self.selectedItems()
        places = [it for it in items if it.data(0, KindRole) in PLACE_KINDS]
        tags = tuple(it.data(0, KeyRole) for it in items if it.data(0, KindRole) == "tag")
        if not places:
            return Place(tags=tags) if tags else None  # (tags alone: of the whole library)
        return self._place_of(places[0], tags) if len(places) == 1 else None

    @staticmethod
    def _place_of(it: QTreeWidgetItem, tags: tuple[str, ...]) -> Place:
        kind, key = it.data(0, KindRole), it.data(0, KeyRole)
        if kind == "collection":
            return Place(collection=key, tags=tags)
        if kind == "saved":
            return Place(saved=key, tags=tags)
        return Place(section=key, tags=tags)

    def _selection_changed(self) -> None:
        if self._updating:
            return
        items = self.selectedItems()
        places = [it for it in items if it.data(0, KindRole) in PLACE_KINDS]
        tags = tuple(it.data(0, KeyRole) for it in items if it.data(0, KindRole) == "tag")
        if places:
            # the most recently clicked place wins; tags combine with it
            cur = self.currentItem()
            chosen = cur if cur in places else places[-1]
            if len(places) > 1:
                self._updating = True
                for p in places:
                    if p is not chosen:
                        p.setSelected(False)
                self._updating = False
            self._place = self._place_of(chosen, tags)
        else:  # tags alone: of the whole library (no place left selected, none applies)
            self._place = Place(tags=tags)
        self.filterChanged.emit(self._place)

    # --------------------------------------------------------------- menus
    def _menu(self, pos: QPoint) -> None:
        it = self.itemAt(pos)
        where = self.viewport().mapToGlobal(pos)
        kind = it.data(0, KindRole) if it is not None else None
        if kind in ("collection", "saved"):
            self.menuRequested.emit(kind, it.data(0, KeyRole), where)
            return
        if it is None or (kind == "header" and it.data(0, KeyRole) in ("collections", "saved-searches")):
            self.menuRequested.emit(it.data(0, KeyRole) if it is not None else "collections", None, where)
            return
        if kind != "tag":
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
        m.exec(where)
